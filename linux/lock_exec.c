// SPDX-License-Identifier: GPL-2.0
/*
 * Executable memory the kernel makes at run time, for the lock's kernel-mode
 * execution control (issue 14, point 4; core/lock_wx.h LOCK_WX_KEXEC).  Where root
 * restricts kernel-mode execution (MBEC), only code may run in ring 0: the core
 * kernel's text and module runs flagged LOCK_MOD_RUN_CODE.  But the kernel also runs
 * code from memory that is neither: BPF JIT packs, kprobe instruction slots, ftrace
 * trampolines, a module's init text (and ITS thunk pages where that mitigation is
 * on).  Each comes from module_alloc()/execmem_alloc() (the modules' area on x86)
 * and is made executable by set_memory_x() or set_memory_rox(), after it has been
 * filled and made read-only; later changes go through text_poke().  Verified in
 * Debian's 6.1.192 (kernel/bpf/core.c alloc_new_pack(), bpf_prog_pack_alloc();
 * kernel/bpf/trampoline.c; arch/x86/kernel/kprobes/core.c alloc_insn_page();
 * arch/x86/kernel/ftrace.c create_trampoline(); kernel/module/strict_rwx.c
 * module_enable_ro() then module_enable_x() in complete_formation();
 * arch/x86/kernel/alternative.c its_allocate_thunk()) and 6.12.117 (the same
 * places with set_memory_rox(), module_enable_text_rox(), execmem_free()).
 *
 * So the glue watches the kernel doing that, with kprobes (pre-handlers: before
 * the change, so the code is granted before anything can run it), and grants such
 * memory to root as a LOCK_MOD ADD under an id of its own (lock_mod.c's id space),
 * every run flagged LOCK_MOD_RUN_CODE: root then also holds it read/execute-only
 * (W^X, writes only through text_poke()'s window), like a module's text:
 *  - set_memory_x(addr, n), set_memory_rox(addr, n) (6.2+), and set_memory_ro() of
 *    pages already executable: grant [addr, addr + n pages) where it is in the
 *    modules' area or vmalloc and not in any module's core layout (those are module
 *    runs, lock_mod.c; root refuses overlapping runs), pages already granted left
 *    out.  set_memory_x() of pages still writable (W+X) is not granted: holding
 *    them read-only would discard the kernel's own writes to them.
 *  - set_memory_nx(), set_memory_rw() overlapping a grant, module_memfree() (6.1)
 *    or execmem_free() (6.10+) of the allocation holding one: the whole grant is
 *    released on every CPU and forgotten (the kernel is about to write or free it).
 *  - At lock time, after the module walk: the page tables of the modules' area,
 *    every present executable page outside the modules' core layouts, contiguous
 *    addresses coalesced into one grant (packs, trampolines and slots made before).
 *  - A grant released while a CPU was offline is recorded for it (sz_mod_stale());
 *    coming back it drops exactly those, keeps the live ones, and gets the grants
 *    made while it was out (sz_lock_exec_cpu()); after a lost record, all again.
 *  - Kernel-mode execution is restricted after all that (sz_lock_kexec_all() at lock
 *    time, sz_lock_kexec_cpu() for a CPU coming online): never before the code it
 *    must keep running is registered.
 * A grant root refuses (its budget: LOCK_MOD_RUNS runs, LOCK_MOD_EPT_TABLES tables
 * per CPU) is a KERN_ERR line: on an MBEC CPU that code will not run.
 *
 * Only where it matters: when some CPU's root will restrict kernel-mode execution
 * (W^X on, MBEC, lock_exec), or a test build's test_exec_grants forces it (the emulator has
 * no MBEC: there the grants are W^X only, which is what the e2e test checks).  The
 * kprobes are registered before the lock where a CPU has MBEC (or the test asks),
 * and dropped after it if nothing is restricted.
 *
 * Context: the handlers run with preemption disabled (kprobes on a function's entry
 * go through ftrace on x86, KPROBE_FLAG_FTRACE, so interrupts are as the caller had
 * them: on, as every caller of these may sleep).  on_each_cpu() needs interrupts
 * on: a handler that finds them off refuses and says so.  sz_exec_lock (a spinlock,
 * taken with interrupts on only) serializes the grants and their IPIs.
 */
#define pr_fmt(fmt) "subzero: " fmt

#include <linux/cpumask.h>
#include <linux/io.h>
#include <linux/irqflags.h>
#include <linux/kprobes.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include <linux/vmalloc.h>
#include <asm/pgtable.h>

#include "sz.h"

#ifdef SZ_TEST_HOOKS
static bool test_exec_grants;
module_param(test_exec_grants, bool, 0444);
MODULE_PARM_DESC(test_exec_grants, "test only: grant run-time executable memory to the hypervisor (W^X) even where no CPU restricts kernel-mode execution");
static int test_exec_refuse_cpu = -1;
module_param(test_exec_refuse_cpu, int, 0644);
MODULE_PARM_DESC(test_exec_refuse_cpu, "test only: hand this CPU's hypervisor executable grants it must refuse (-1: none)");
#endif

/* Calls per grant: root holds LOCK_MOD_RUNS runs in all, so more is refused anyway. */
#define SZ_GRANT_CHUNKS	DIV_ROUND_UP(LOCK_MOD_RUNS, LOCK_MOD_ARG_RUNS)
/* set_memory_*() calls seen before the walk, granted by it */
#define SZ_EXEC_PENDING	16

struct sz_grant {
	struct sz_mod m;		/* id, runs, calls, CPUs (m.mod NULL) */
	unsigned long start, end;	/* virtual, page aligned: the hull of its pages */
};

static DEFINE_SPINLOCK(sz_exec_lock);
static LIST_HEAD(sz_grants);
static bool sz_exec_armed;		/* the kprobes are registered */
static bool sz_exec_on;			/* the walk is done: the handlers act */
static bool sz_exec_active;		/* kernel-mode execution restricted, or the test */
/* CPUs that hold every grant (since their last launch): the IPIs add to these only */
static struct cpumask sz_exec_ready;
static struct {
	unsigned long start, end;
	bool rox;
} sz_exec_pending[SZ_EXEC_PENDING];
static unsigned int sz_exec_nr_pending, sz_exec_lost;
/* Counted (under sz_exec_lock); read-only parameters, for the tests and the curious */
static unsigned int sz_exec_grants, sz_exec_pages, sz_exec_runs;
static unsigned long sz_exec_refused, sz_exec_wx, sz_exec_released;
module_param_named(exec_grants, sz_exec_grants, uint, 0444);
MODULE_PARM_DESC(exec_grants, "read-only: run-time executable memory held as code now (grants)");
module_param_named(exec_pages, sz_exec_pages, uint, 0444);
MODULE_PARM_DESC(exec_pages, "read-only: their pages");
module_param_named(exec_runs, sz_exec_runs, uint, 0444);
MODULE_PARM_DESC(exec_runs, "read-only: their runs (on each CPU)");
module_param_named(exec_refused, sz_exec_refused, ulong, 0444);
MODULE_PARM_DESC(exec_refused, "read-only: grants refused (that code would not run under MBEC)");
module_param_named(exec_wx, sz_exec_wx, ulong, 0444);
MODULE_PARM_DESC(exec_wx, "read-only: writable executable (W+X) ranges seen, not granted");
module_param_named(exec_released, sz_exec_released, ulong, 0444);
MODULE_PARM_DESC(exec_released, "read-only: grants released");

struct sz_grant_call {
	struct sz_grant *g;
	atomic_t err, refused;
};

/* Add @g's calls on this CPU (interrupts off): 0 or root's answer. */
static int sz_grant_add_cpu(struct sz_grant *g, unsigned int cpu, struct vcpu *v)
{
	unsigned int i;
	u64 pa;
	int ret = 0;

	for (i = 0; i < g->m.nr_args && !ret; i++) {
		pa = virt_to_phys(g->m.args[i]);
#ifdef SZ_TEST_HOOKS
		if ((int)cpu == READ_ONCE(test_exec_refuse_cpu))
			pa += 8;	/* not page aligned: root refuses it (-EFAULT) */
#endif
		ret = vmx_lock_mod_this_cpu(v, pa);
	}
	if (ret && i > 1)
		vmx_lock_mod_release_this_cpu(v, g->m.id);
	if (!ret)
		cpumask_set_cpu(cpu, g->m.cpus);
	return ret;
}

static void sz_grant_add_fn(void *arg)
{
	struct sz_grant_call *c = arg;
	unsigned int cpu = smp_processor_id();
	struct vcpu *v = sz_cpus[cpu].vcpu;
	int ret;

	if (!v || !READ_ONCE(v->lock_wx_on) || !cpumask_test_cpu(cpu, &sz_exec_ready))
		return;
	ret = sz_grant_add_cpu(c->g, cpu, v);
	if (ret) {
		atomic_cmpxchg(&c->err, 0, ret);
		atomic_inc(&c->refused);
	}
}

static void sz_grant_del_fn(void *arg)
{
	struct sz_grant *g = arg;
	unsigned int cpu = smp_processor_id();
	struct vcpu *v = sz_cpus[cpu].vcpu;
	int ret;

	if (!v || !cpumask_test_cpu(cpu, g->m.cpus))
		return;
	ret = vmx_lock_mod_release_this_cpu(v, g->m.id);
	if (ret)
		pr_err("CPU %u: releasing executable grant %u failed: %d\n", cpu, g->m.id, ret);
	cpumask_clear_cpu(cpu, g->m.cpus);
}

static void sz_grant_free(struct sz_grant *g)
{
	sz_mod_free(&g->m);	/* frees g: m is its first member */
}

/* Is the page at @va granted?  sz_exec_lock held. */
static bool sz_exec_covered(unsigned long va)
{
	struct sz_grant *g;

	list_for_each_entry(g, &sz_grants, m.list)
		if (va >= g->start && va < g->end)
			return true;
	return false;
}

/* Is any page of [@start, @end) mapped writable in the kernel's page tables? */
static bool sz_exec_writable(unsigned long start, unsigned long end)
{
	unsigned int level;
	unsigned long va;
	pte_t *pte;

	for (va = start; va < end; va += PAGE_SIZE) {
		pte = lookup_address(va, &level);
		if (pte && pte_present(*pte) && pte_write(*pte))
			return true;
	}
	return false;
}

/*
 * Grant the pages of [@start, @end) not granted yet, found @by: one record, one id,
 * on every ready CPU.  sz_exec_lock held, interrupts on.
 */
static void sz_exec_grant_locked(unsigned long start, unsigned long end, const char *by)
{
	struct sz_grant_call c = { .err = ATOMIC_INIT(0), .refused = ATOMIC_INIT(0) };
	unsigned long va, first = 0, last = 0;
	struct sz_grant *g;
	int ret = 0;

	g = kzalloc(sizeof(*g), GFP_ATOMIC);
	if (!g || !zalloc_cpumask_var(&g->m.cpus, GFP_ATOMIC)) {
		kfree(g);
		ret = -ENOMEM;
		goto refused;
	}
	g->m.max_args = SZ_GRANT_CHUNKS;
	g->m.id = sz_lock_mod_new_id();
	snprintf(g->m.name, sizeof(g->m.name), "exec %u", g->m.id);
	for (va = start; va < end && !ret; va += PAGE_SIZE) {
		if (sz_exec_covered(va))
			continue;
		first = first ?: va;
		last = va + PAGE_SIZE;
		ret = sz_mod_runs(&g->m, va, PAGE_SIZE, LOCK_MOD_RUN_CODE, GFP_ATOMIC);
	}
	if (!ret && !g->m.runs) {
		sz_grant_free(g);
		return;		/* all granted already */
	}
	g->start = first;
	g->end = last;
	c.g = g;
	if (!ret) {
		on_each_cpu(sz_grant_add_fn, &c, 1);
		ret = atomic_read(&c.err);
	}
	if (ret) {
		/* nothing of it stays: a CPU without it would refuse to run it anyway */
		on_each_cpu(sz_grant_del_fn, g, 1);
		pr_err("lock: executable memory %lx-%lx (%s, %u pages in %u runs) refused by the hypervisor on %d CPUs (%d): on a CPU that restricts kernel-mode execution (MBEC) that code will not run\n",
		       start, end, by, g->m.pages, g->m.runs, atomic_read(&c.refused), ret);
		sz_grant_free(g);
		sz_exec_refused++;
		return;
	}
	list_add_tail(&g->m.list, &sz_grants);
	sz_exec_grants++;
	sz_exec_pages += g->m.pages;
	sz_exec_runs += g->m.runs;
	pr_info("lock: executable grant %u: %u pages in %u runs from PA %llx (%s), read/execute-only\n",
		g->m.id, g->m.pages, g->m.runs, g->m.args[0]->run[0].start, by);
	return;
refused:
	sz_exec_refused++;
	pr_err("lock: executable memory %lx-%lx (%s) not granted (%d): on a CPU that restricts kernel-mode execution (MBEC) that code will not run\n",
	       start, end, by, ret);
}

/* Release @g on every CPU and forget it.  sz_exec_lock held, interrupts on. */
static void sz_exec_release_locked(struct sz_grant *g, const char *by)
{
	on_each_cpu(sz_grant_del_fn, g, 1);
	sz_mod_stale(&g->m, GFP_ATOMIC);	/* offline CPUs: when they come back */
	pr_info("lock: executable grant %u released (%u pages, %s)\n", g->m.id, g->m.pages, by);
	list_del(&g->m.list);
	sz_exec_grants--;
	sz_exec_pages -= g->m.pages;
	sz_exec_runs -= g->m.runs;
	sz_exec_released++;
	sz_grant_free(g);
}

/* Memory a grant is about: the modules' area or vmalloc, and no module's core. */
static bool sz_exec_candidate(unsigned long start, unsigned long end)
{
	return start < end && sz_vmapped(start) && sz_vmapped(end - 1) &&
	       !sz_lock_mod_core(start) && !sz_lock_mod_core(end - 1);
}

/* set_memory_x() (@rox: set_memory_rox(), or set_memory_ro() of executable pages) */
static void sz_exec_grant(unsigned long addr, long n, bool rox, const char *by)
{
	unsigned long start = addr & PAGE_MASK, end = start + n * PAGE_SIZE;

	if (n <= 0 || n > LOCK_MOD_RUN_PAGES || !sz_exec_candidate(start, end))
		return;
	if (irqs_disabled()) {
		pr_err("lock: %s(%lx, %ld) with interrupts off: not granted; on a CPU that restricts kernel-mode execution (MBEC) that code will not run\n",
		       by, addr, n);
		return;
	}
	if (!rox && sz_exec_writable(start, end)) {
		/* W+X: the kernel still writes it (held read-only, its writes would be lost) */
		pr_err("lock: %s(%lx, %ld) of writable memory: not granted; on a CPU that restricts kernel-mode execution (MBEC) that code will not run\n",
		       by, addr, n);
		spin_lock(&sz_exec_lock);
		sz_exec_wx++;
		spin_unlock(&sz_exec_lock);
		return;
	}
	spin_lock(&sz_exec_lock);
	if (READ_ONCE(sz_exec_on)) {
		sz_exec_grant_locked(start, end, by);
	} else if (sz_exec_nr_pending < SZ_EXEC_PENDING) {
		/* before the walk: it grants these, whether their change is done or not */
		sz_exec_pending[sz_exec_nr_pending].start = start;
		sz_exec_pending[sz_exec_nr_pending].end = end;
		sz_exec_pending[sz_exec_nr_pending++].rox = rox;
	} else {
		sz_exec_lost++;
	}
	spin_unlock(&sz_exec_lock);
}

/* Are all pages of [@from, @to) mapped?  (one allocation: vmalloc leaves a guard page) */
static bool sz_exec_mapped(unsigned long from, unsigned long to)
{
	unsigned int level;
	pte_t *pte;

	for (; from < to; from += PAGE_SIZE) {
		pte = lookup_address(from, &level);
		if (!pte || !pte_present(*pte))
			return false;
	}
	return true;
}

/*
 * The kernel is about to write or give up [@start, @end) (@freed: the allocation at
 * @start, whose end the grants' starts are checked against): release every grant
 * overlapping it.
 */
static void sz_exec_release(unsigned long start, unsigned long end, bool freed, const char *by)
{
	struct sz_grant *g, *tmp;
	unsigned int i;

	if (!sz_vmapped(start))
		return;
	spin_lock(&sz_exec_lock);
	for (i = 0; i < sz_exec_nr_pending; i++)
		if (sz_exec_pending[i].start < end && start < sz_exec_pending[i].end)
			sz_exec_pending[i].end = sz_exec_pending[i].start;	/* dropped */
	list_for_each_entry_safe(g, tmp, &sz_grants, m.list) {
		if (freed ? g->end <= start || (g->start > start &&
						 !sz_exec_mapped(start, g->start)) :
			    g->end <= start || end <= g->start)
			continue;
		if (irqs_disabled()) {
			pr_err("lock: %s(%lx) with interrupts off: executable grant %u not released, the kernel's writes to it will be discarded\n",
			       by, start, g->m.id);
			continue;
		}
		sz_exec_release_locked(g, by);
	}
	spin_unlock(&sz_exec_lock);
}

/* (sz_exec_on is set by the walk only where the grants are needed) */
static int sz_exec_x_pre(struct kprobe *p, struct pt_regs *regs)
{
	sz_exec_grant(regs->di, (int)regs->si, false, "set_memory_x");
	return 0;
}

static int sz_exec_rox_pre(struct kprobe *p, struct pt_regs *regs)
{
	sz_exec_grant(regs->di, (int)regs->si, true, "set_memory_rox");
	return 0;
}

/* set_memory_ro() of pages already executable: they are read/execute-only after it */
static int sz_exec_ro_pre(struct kprobe *p, struct pt_regs *regs)
{
	unsigned long start = regs->di & PAGE_MASK, va;
	long n = (int)regs->si;
	unsigned int level;
	pte_t *pte;

	if (n <= 0 || n > LOCK_MOD_RUN_PAGES || !sz_exec_candidate(start, start + n * PAGE_SIZE))
		return 0;
	for (va = start; va < start + n * PAGE_SIZE; va += PAGE_SIZE) {
		pte = lookup_address(va, &level);
		if (!pte || !pte_present(*pte) || !pte_exec(*pte))
			return 0;
	}
	sz_exec_grant(regs->di, n, true, "set_memory_ro");
	return 0;
}

static int sz_exec_unx_pre(struct kprobe *p, struct pt_regs *regs)
{
	unsigned long start = regs->di & PAGE_MASK;
	long n = (int)regs->si;

	if (n > 0)
		sz_exec_release(start, start + n * PAGE_SIZE, false, p->symbol_name);
	return 0;
}

static int sz_exec_free_pre(struct kprobe *p, struct pt_regs *regs)
{
	if (regs->di)
		sz_exec_release(regs->di & PAGE_MASK, ~0UL, true, p->symbol_name);
	return 0;
}

static struct kprobe sz_exec_kp[] = {
	{ .symbol_name = "set_memory_x", .pre_handler = sz_exec_x_pre },
	{ .symbol_name = "set_memory_rox", .pre_handler = sz_exec_rox_pre },	/* 6.2+ */
	{ .symbol_name = "set_memory_ro", .pre_handler = sz_exec_ro_pre },
	{ .symbol_name = "set_memory_nx", .pre_handler = sz_exec_unx_pre },
	{ .symbol_name = "set_memory_rw", .pre_handler = sz_exec_unx_pre },
	{ .symbol_name = "module_memfree", .pre_handler = sz_exec_free_pre },	/* to 6.9 */
	{ .symbol_name = "execmem_free", .pre_handler = sz_exec_free_pre },	/* 6.10+ */
};
/* the ones that may be missing, by index: set_memory_rox, one of the two frees */
#define SZ_KP_ROX	1
#define SZ_KP_MODFREE	5
#define SZ_KP_EXECFREE	6
static bool sz_exec_kp_on[ARRAY_SIZE(sz_exec_kp)];

static void sz_exec_disarm(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sz_exec_kp); i++)
		if (sz_exec_kp_on[i]) {
			unregister_kprobe(&sz_exec_kp[i]);
			sz_exec_kp_on[i] = false;
		}
	sz_exec_armed = false;
}

/* Will @v's root restrict kernel-mode execution (the second step, lock_wx.h)? */
static bool sz_kexec_wanted(const struct vcpu *v)
{
	return v && READ_ONCE(v->lock_wx_on) && READ_ONCE(v->lock_wx_mbec) && sz_lock_exec;
}

/* How many online CPUs it will restrict on. */
static unsigned int sz_kexec_cpus(void)
{
	unsigned int cpu, n = 0;

	for_each_online_cpu(cpu)
		n += sz_kexec_wanted(sz_cpus[cpu].vcpu);
	return n;
}

/* Does some online CPU have mode-based execute control (where root would restrict)? */
static bool sz_exec_mbec(void)
{
	unsigned int cpu;

	for_each_online_cpu(cpu)
		if (sz_cpus[cpu].have_caps &&
		    ((sz_cpus[cpu].caps.procbased2 >> 32) & SECONDARY_EXEC_MODE_BASED_EPT_EXEC))
			return true;
	return false;
}

/*
 * Before the lock, no lock held: register the kprobes where kernel-mode execution
 * may be restricted (a CPU with MBEC and lock_exec) or the test asks.  Once.
 */
void sz_lock_exec_prepare(void)
{
	bool want = sz_lock_exec && sz_exec_mbec();
	unsigned int i;
	int ret;

#ifdef SZ_TEST_HOOKS
	want |= test_exec_grants;
#endif
	if (sz_exec_armed || READ_ONCE(sz_exec_on) || !want || !sz_lock_wx_pa ||
	    !sz_lock_mod_core_known())
		return;
	for (i = 0; i < ARRAY_SIZE(sz_exec_kp); i++) {
		ret = register_kprobe(&sz_exec_kp[i]);
		if (ret == -ENOENT && (i == SZ_KP_ROX || i == SZ_KP_MODFREE || i == SZ_KP_EXECFREE))
			continue;
		if (ret) {
			pr_err("lock: no kprobe on %s (%d): run-time executable memory not granted; on a CPU that restricts kernel-mode execution (MBEC) BPF, kprobes and ftrace trampolines will not run\n",
			       sz_exec_kp[i].symbol_name, ret);
			goto err;
		}
		sz_exec_kp_on[i] = true;
		/* through int3 the handler would run with interrupts off: no on_each_cpu() */
		if (!(sz_exec_kp[i].flags & KPROBE_FLAG_FTRACE)) {
			pr_err("lock: the kprobe on %s is not ftrace-based: run-time executable memory not granted\n",
			       sz_exec_kp[i].symbol_name);
			goto err;
		}
	}
	if (!sz_exec_kp_on[SZ_KP_MODFREE] && !sz_exec_kp_on[SZ_KP_EXECFREE]) {
		pr_err("lock: neither module_memfree nor execmem_free found: run-time executable memory not granted\n");
		goto err;
	}
	sz_exec_armed = true;
	return;
err:
	sz_exec_disarm();
}

/* Walk: add [@start, @end) (contiguous executable pages) as one grant.  Locked. */
static void sz_exec_walk_flush(unsigned long *start, unsigned long end)
{
	if (*start && end > *start)
		sz_exec_grant_locked(*start, end, "lock-time walk");
	*start = 0;
}

/*
 * After the module walk, the hotplug lock and sz_lock held: decide whether the grants
 * are needed, and if so grant what is executable now in the modules' area.
 */
void sz_lock_exec_walk(void)
{
	unsigned long va, next, start = 0, end = 0, wx = 0, large = 0;
	unsigned int cpu, level, kexec, i;
	bool test = false;
	pte_t *pte;

	if (!sz_exec_armed || READ_ONCE(sz_exec_on))
		return;
	kexec = sz_kexec_cpus();	/* where the second step will restrict */
#ifdef SZ_TEST_HOOKS
	test = test_exec_grants;
#endif
	if (!kexec && !test) {
		pr_info("lock: no CPU restricts kernel-mode execution: run-time executable memory needs no grant\n");
		return;
	}
	spin_lock(&sz_exec_lock);
	cpumask_clear(&sz_exec_ready);
	for_each_online_cpu(cpu)
		if (sz_cpus[cpu].vcpu)
			cpumask_set_cpu(cpu, &sz_exec_ready);
	WRITE_ONCE(sz_exec_active, true);
	WRITE_ONCE(sz_exec_on, true);
	for (va = MODULES_VADDR; va < MODULES_END && va >= MODULES_VADDR; va = next) {
		pte = lookup_address(va, &level);
		/*
		 * No entry: an empty upper level, which one differs between versions
		 * (6.1 reports the level above, 6.12 the empty one): step by 2 MiB
		 * (the area is 1.5 GiB); else by what the entry maps.
		 */
		next = !pte ? (va | (PMD_SIZE - 1)) + 1 : (va | (page_level_size(level) - 1)) + 1;
		if (!pte || !pte_present(*pte) || !pte_exec(*pte) || sz_lock_mod_core(va)) {
			sz_exec_walk_flush(&start, end);
			continue;
		}
		if (level != PG_LEVEL_4K || pte_write(*pte)) {
			/* a large executable leaf, or W+X: not held (see the top) */
			large += level != PG_LEVEL_4K;
			wx += level == PG_LEVEL_4K;
			sz_exec_walk_flush(&start, end);
			continue;
		}
		if (!start || va != end)
			sz_exec_walk_flush(&start, end);
		start = start ?: va;
		end = va + PAGE_SIZE;
	}
	sz_exec_walk_flush(&start, end);
	/* what the handlers saw before (their change may have come after the walk) */
	for (i = 0; i < sz_exec_nr_pending; i++)
		if (sz_exec_pending[i].end > sz_exec_pending[i].start &&
		    sz_exec_candidate(sz_exec_pending[i].start, sz_exec_pending[i].end))
			sz_exec_grant_locked(sz_exec_pending[i].start, sz_exec_pending[i].end,
					     "set_memory_* before the walk");
	sz_exec_nr_pending = 0;
	sz_exec_wx += wx;
	pr_info("lock: run-time executable memory (%s): %u grants, %u pages in %u runs registered at lock time, %lu refused, %lu W+X pages and %lu large leaves not held\n",
		kexec ? "kernel-mode execution restricted" : "test_exec_grants",
		sz_exec_grants, sz_exec_pages, sz_exec_runs, sz_exec_refused, wx, large);
	if (sz_exec_lost)
		pr_err("lock: %u set_memory_* calls before the walk not recorded: their code may not run under MBEC\n",
		       sz_exec_lost);
	spin_unlock(&sz_exec_lock);
}

/* After the lock, nothing held: no grants needed, no kprobes kept. */
void sz_lock_exec_finish(void)
{
	if (sz_exec_armed && !READ_ONCE(sz_exec_active))
		sz_exec_disarm();
}

/* A CPU just relaunched (interrupts off): its root holds no grant any more. */
void sz_lock_exec_cpu_reset(unsigned int cpu)
{
	cpumask_clear_cpu(cpu, &sz_exec_ready);
}

/* Then, on the CPU itself (its hotplug callback, interrupts on): every grant again. */
void sz_lock_exec_cpu(unsigned int cpu)
{
	struct vcpu *v = sz_cpus[cpu].vcpu;
	unsigned int refused = 0, n = 0;
	struct sz_grant *g;
	int ret, err = 0;

	bool readd = cpumask_test_and_clear_cpu(cpu, &sz_exec_readd);

	if (!READ_ONCE(sz_exec_on) || !v || !READ_ONCE(v->lock_wx_on))
		return;
	spin_lock(&sz_exec_lock);
	list_for_each_entry(g, &sz_grants, m.list) {
		if (!readd && cpumask_test_cpu(cpu, g->m.cpus))
			continue;	/* its root held it while the CPU was out */
		cpumask_clear_cpu(cpu, g->m.cpus);
		local_irq_disable();
		ret = sz_grant_add_cpu(g, cpu, v);
		local_irq_enable();
		if (ret) {
			refused++;
			err = ret;
		}
		n++;
	}
	cpumask_set_cpu(cpu, &sz_exec_ready);
	spin_unlock(&sz_exec_lock);
	if (refused)
		pr_err("CPU %u: %u of %u executable grants refused coming online (%d): on it, with MBEC, that code will not run\n",
		       cpu, refused, n, err);
	else if (n)
		pr_info("CPU %u: %u executable grants held again\n", cpu, n);
}

/* The second step on this CPU, interrupts off: 0, or root's refusal. */
static int sz_kexec_this_cpu(void)
{
	struct vcpu *v = sz_cpus[smp_processor_id()].vcpu;

	if (!sz_kexec_wanted(v))
		return -EOPNOTSUPP;
	return vmx_lock_kexec_this_cpu(v);
}

static void sz_kexec_fn(void *arg)
{
	atomic_t *res = arg;	/* [0] restricted, [1] refused, [2] the last errno */
	int ret = sz_kexec_this_cpu();

	if (!ret) {
		atomic_inc(&res[0]);
	} else if (ret != -EOPNOTSUPP) {
		atomic_inc(&res[1]);
		atomic_set(&res[2], ret);
	}
}

/*
 * Restricting kernel-mode execution needs the grants: without them (their kprobes
 * missing) BPF, kprobes and ftrace trampolines would stop running, so it is not done.
 */
static bool sz_kexec_ready(void)
{
	if (READ_ONCE(sz_exec_on))
		return true;
	pr_err("lock: kernel-mode execution not restricted: run-time executable memory is not tracked (see above)\n");
	return false;
}

void sz_lock_kexec_all(void)
{
	atomic_t res[3] = { ATOMIC_INIT(0), ATOMIC_INIT(0), ATOMIC_INIT(0) };

	if (!sz_kexec_cpus() || !sz_kexec_ready())
		return;
	on_each_cpu(sz_kexec_fn, res, 1);
	if (atomic_read(&res[1]))
		pr_err("lock: kernel-mode execution restricted on %d CPUs, refused on %d (%d)\n",
		       atomic_read(&res[0]), atomic_read(&res[1]), atomic_read(&res[2]));
	else
		pr_info("lock: kernel-mode execution restricted to kernel, module and run-time code on %d CPUs (mode-based execute control)\n",
			atomic_read(&res[0]));
}

void sz_lock_kexec_cpu(unsigned int cpu)
{
	struct vcpu *v = sz_cpus[cpu].vcpu;
	int ret;

	if (!sz_kexec_wanted(v) || READ_ONCE(v->lock_kexec) || !sz_kexec_ready())
		return;
	local_irq_disable();
	ret = sz_kexec_this_cpu();
	local_irq_enable();
	if (ret)
		pr_err("CPU %u: kernel-mode execution not restricted: %d\n", cpu, ret);
}
