// SPDX-License-Identifier: GPL-2.0
/*
 * The lock's module W^X (core/lock_mod.h), the Linux side: each module's text,
 * read-only data and read-only-after-init data, turned into physical runs and handed
 * to root on every CPU; released when the module is unloaded.
 *
 *  - At lock time (sz_lock_mod_walk(), from sz_lock_all()) every module already live
 *    (MODULE_STATE_LIVE) but subzero itself, all three at once (one coming meanwhile:
 *    its text and rodata).  They cannot be refused any more: one that does not fit is
 *    logged and stays writable.
 *  - From then on a module notifier, for each module loaded:
 *     COMING, before its init runs: its text and read-only data.  If they cannot be
 *       held (the glue's or root's budget, root refusing a call on any CPU) the load
 *       is refused: what any CPU registered is released, one KERN_ERR line names the
 *       module and why, and the notifier returns the errno lock_mod_refusal() gives
 *       (-ENOSPC for a budget, -EPERM otherwise; -ENOMEM for the glue's own
 *       allocation), which insmod reports.
 *     LIVE: its read-only-after-init data, a second call under the same id (root
 *       takes several ADDs per id).  Too late to refuse: a failure is a warning,
 *       text and rodata stay held.  A module with no record yet (it came while the
 *       lock was being taken, or had nothing read-only) gets all three here.
 *     GOING: released (an unload, an init that failed, a load failing after COMING).
 *  - The layouts: up to 6.3 one allocation, mod->core_layout, with text
 *    [base, base + text_size), rodata [text_size, ro_size) then ro_after_init
 *    [ro_size, ro_after_init_size), page aligned with CONFIG_STRICT_MODULE_RWX,
 *    which the W^X needs; from 6.4 separate allocations, mod->mem[MOD_TEXT],
 *    [MOD_RODATA], [MOD_RO_AFTER_INIT].  Both are vmalloc'd: each page is
 *    translated (vmalloc_to_pfn()) and contiguous frames of the same kind make one
 *    run.  Only the text's runs are flagged LOCK_MOD_RUN_CODE: where root restricts
 *    kernel-mode execution (MBEC, lock_wx.c's LOCK_WX_KEXEC), a module's rodata and
 *    ro_after_init data are not executable.
 *  - A CPU coming back online may hold runs of modules unloaded while it was out,
 *    whose pages the allocator may have handed out again: before anything else runs
 *    on it (interrupts still off after its relaunch) it releases exactly those
 *    (recorded at the release, sz_mod_stale()), keeps the live ones, then adds the
 *    modules registered while it was out (sz_lock_mod_cpu()).  Only if a record could
 *    not be allocated does it release every run and take them all again, a window
 *    without the modules' W^X (and, under MBEC, their execution) on that CPU.
 *
 * Why COMING is safe, verified in the sources (Debian's 6.1.192, linux-source-6.1,
 * kernel/module/main.c, strict_rwx.c, arch/x86/kernel/{jump_label,static_call,
 * alternative}.c, kernel/notifier.c; Debian's 6.12.117, linux-source-6.12; upstream
 * main.c of 6.15+ read, not built against):
 *  - complete_formation() makes the text read/execute-only and the rodata read-only
 *    in the kernel's page tables (6.1: module_enable_ro(mod, false), module_enable_nx(),
 *    module_enable_x(); 6.12 and later: module_enable_rodata_ro(), _data_nx(),
 *    _text_rox()) and only then sets MODULE_STATE_COMING.  The loader's own writes
 *    (relocations, alternatives, ftrace_module_init()) come before, on pages still
 *    writable.  Upstream's ROX text cache (execmem, 6.14+) writes text during load
 *    through a temporary writable mapping and restores ROX in complete_formation()
 *    too: before COMING.
 *  - prepare_coming_module() runs ftrace_module_enable() and klp_module_coming()
 *    before the COMING chain.  After complete_formation() a write to text by any
 *    other route than text_poke() would fault in the kernel's own page tables: the
 *    module's jump labels and static calls patched by their COMING notifiers use
 *    text_poke_queue()/text_poke_bp() (their "init" argument selects __init entries;
 *    text_poke_early() is used only at SYSTEM_BOOTING), livepatch relocations
 *    apply_relocate_add() with text_poke() (the module is past UNFORMED), ftrace
 *    text_poke_queue().  The lock lets text_poke() through (its poke window).
 *  - The COMING chain is blocking_notifier_call_chain_robust(): a notifier returning
 *    notifier_from_errno(err) makes load_module() fail with err; the notifiers called
 *    before it get GOING, the one that refused does not (it cleans up itself).  A
 *    later notifier refusing gives this one GOING: released then.
 *  - ro_after_init data (6.1 also __jump_table, which jump_label's COMING notifier
 *    sorts and flags in place) is written during init and becomes read-only only in
 *    do_init_module() after the LIVE chain (6.1: module_enable_ro(mod, true); 6.12:
 *    module_enable_rodata_ro(mod, true); later module_enable_rodata_ro_after_init()).
 *  - An init that fails: do_init_module() sets GOING and runs the GOING chain before
 *    free_module(); so does load_module()'s coming_cleanup (parse_args() or sysfs
 *    failing after COMING).  Either releases the record made at COMING.
 *  - Not held: a module's init text and init rodata (read-only from
 *    complete_formation() too, freed after init).
 *
 * Locking: sz_mod_mutex guards the list; it is taken with the hotplug lock held
 * (for reading, or by the hotplug callback), never the other way round.
 */
#define pr_fmt(fmt) "subzero: " fmt

#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/io.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/vmalloc.h>

#include "sz.h"

/* The parts of a module held, and from when */
#define SZ_MOD_RO		1	/* text and read-only data: from COMING */
#define SZ_MOD_RO_AFTER_INIT	2	/* read-only-after-init data: from LIVE */

#ifdef SZ_TEST_HOOKS
static int test_mod_refuse_cpu = -1;
module_param(test_mod_refuse_cpu, int, 0644);
MODULE_PARM_DESC(test_mod_refuse_cpu, "test only: at a module's COMING, hand this CPU's hypervisor a LOCK_MOD argument address it must refuse (-1: none)");
static bool test_mod_budget;
module_param(test_mod_budget, bool, 0644);
MODULE_PARM_DESC(test_mod_budget, "test only: at a module's COMING, give the glue no calls for it (its budget: -E2BIG)");
#endif

static DEFINE_MUTEX(sz_mod_mutex);
static LIST_HEAD(sz_mods);
static atomic_t sz_mod_next_id = ATOMIC_INIT(0);
static bool sz_mods_on;			/* the walk is done: the notifier adds modules */
static struct list_head *sz_modules;	/* the kernel's module list (kallsyms) */

void sz_mod_free(struct sz_mod *m)
{
	unsigned int i;

	for (i = 0; i < m->nr_args; i++)
		kfree(m->args[i]);
	free_cpumask_var(m->cpus);
	kfree(m);
}

/* Is @va mapped page by page (modules' area, vmalloc)?  vmalloc_to_pfn() walks those. */
bool sz_vmapped(unsigned long va)
{
#ifdef MODULES_VADDR
	if (va >= MODULES_VADDR && va < MODULES_END)
		return true;
#endif
	return is_vmalloc_addr((void *)va);
}

/*
 * An id for a module's or an executable grant's runs (lock_exec.c): one id space,
 * never 0 (root refuses it); atomic, as grants are made in kprobe handlers.
 */
u32 sz_lock_mod_new_id(void)
{
	u32 id;

	do {
		id = (u32)atomic_inc_return(&sz_mod_next_id);
	} while (!id);
	return id;
}

/*
 * Is @va in the core layout (text, data, rodata, ro_after_init) of a module on the
 * kernel's list, formed or not (those are module runs, or will be from COMING)?
 * Under RCU; false if there is no module list.
 */
bool sz_lock_mod_core(unsigned long va)
{
	struct module *mod;
	bool in = false;

	if (!sz_modules)
		return false;
	rcu_read_lock();
	list_for_each_entry_rcu(mod, sz_modules, list) {
		if (within_module_core(va, mod)) {
			in = true;
			break;
		}
	}
	rcu_read_unlock();
	return in;
}

/* Is the module list known (sz_lock_mod_core() can answer)? */
bool sz_lock_mod_core_known(void)
{
	return sz_modules;
}

/*
 * Append the pages of [base, base + size) to @m's runs, flagged @flags
 * (LOCK_MOD_RUN_CODE: kernel-mode code, under MBEC the only executable runs).
 */
int sz_mod_runs(struct sz_mod *m, unsigned long base, unsigned long size, u32 flags, gfp_t gfp)
{
	struct lock_mod_args *a = m->nr_args && !m->fresh ? m->args[m->nr_args - 1] : NULL;
	unsigned long va, pfn;
	u64 pa;

	for (va = base; va < base + size; va += PAGE_SIZE) {
		if (!sz_vmapped(va))
			return -EFAULT;
		pfn = vmalloc_to_pfn((void *)va);
		if (!pfn)
			return -EFAULT;
		pa = PFN_PHYS(pfn);
		m->pages++;
		if (a && a->nr && a->run[a->nr - 1].flags == flags &&
		    a->run[a->nr - 1].start + a->run[a->nr - 1].pages * PAGE_SIZE == pa) {
			a->run[a->nr - 1].pages++;
			continue;
		}
		if (!a || a->nr == LOCK_MOD_ARG_RUNS) {
			if (m->nr_args >= m->max_args)
				return -E2BIG;
			a = kzalloc(PAGE_SIZE, gfp);	/* page aligned: root reads it in one page */
			if (!a)
				return -ENOMEM;
			a->magic = LOCK_MOD_ARGS_MAGIC;
			a->op = LOCK_MOD_ADD;
			a->id = m->id;
			m->args[m->nr_args++] = a;
			m->fresh = false;
		}
		a->run[a->nr++] = (struct lock_mod_arg_run){ .start = pa, .pages = 1,
							      .flags = flags };
		m->runs++;
	}
	return 0;
}

/*
 * Append the runs of @mod's @part (SZ_MOD_RO or SZ_MOD_RO_AFTER_INIT) to @m: its text
 * flagged LOCK_MOD_RUN_CODE, its read-only data and ro_after_init data not (under
 * MBEC root makes those non-executable).
 */
static int sz_mod_part(struct sz_mod *m, struct module *mod, unsigned int part, gfp_t gfp)
{
#ifdef for_each_mod_mem_type
	static const enum mod_mem_type ro[] = { MOD_TEXT, MOD_RODATA };
	static const enum mod_mem_type rai[] = { MOD_RO_AFTER_INIT };
	const enum mod_mem_type *types = part == SZ_MOD_RO ? ro : rai;
	unsigned int i, n = part == SZ_MOD_RO ? ARRAY_SIZE(ro) : ARRAY_SIZE(rai);
	int ret = 0;

	/* each its own allocation of whole pages */
	for (i = 0; i < n && !ret; i++)
		if (mod->mem[types[i]].size)
			ret = sz_mod_runs(m, (unsigned long)mod->mem[types[i]].base,
					  PAGE_ALIGN(mod->mem[types[i]].size),
					  types[i] == MOD_TEXT ? LOCK_MOD_RUN_CODE : 0, gfp);
	return ret;
#else
	unsigned long base = (unsigned long)mod->core_layout.base;
	unsigned long ro = mod->core_layout.ro_size & PAGE_MASK;
	unsigned long rai = mod->core_layout.ro_after_init_size & PAGE_MASK;
	/* text first, [0, text_size), page aligned with CONFIG_STRICT_MODULE_RWX */
	unsigned long text = min_t(unsigned long, PAGE_ALIGN(mod->core_layout.text_size), ro);
	int ret;

	/* text, rodata [text_size, ro_size), then ro_after_init [ro_size, ro_after_init_size) */
	if (part == SZ_MOD_RO) {
		ret = text ? sz_mod_runs(m, base, text, LOCK_MOD_RUN_CODE, gfp) : 0;
		return ret ?: ro > text ? sz_mod_runs(m, base + text, ro - text, 0, gfp) : 0;
	}
	return rai > ro ? sz_mod_runs(m, base + ro, rai - ro, 0, gfp) : 0;
#endif
}

/*
 * A record of @mod's @parts, at most @max_args calls (0, or why not: then *out is
 * NULL; -ENOENT: nothing to hold).
 */
static int sz_mod_build(struct module *mod, unsigned int parts, unsigned int max_args,
			gfp_t gfp, struct sz_mod **out)
{
	struct sz_mod *m;
	int ret = 0;

	*out = NULL;
	m = kzalloc(sizeof(*m), gfp);
	if (!m)
		return -ENOMEM;
	if (!zalloc_cpumask_var(&m->cpus, gfp)) {
		kfree(m);
		return -ENOMEM;
	}
	m->mod = mod;
	m->max_args = max_args;
	strscpy(m->name, mod->name, sizeof(m->name));
	m->id = sz_lock_mod_new_id();
	if (parts & SZ_MOD_RO)
		ret = sz_mod_part(m, mod, SZ_MOD_RO, gfp);
	if (!ret && (parts & SZ_MOD_RO_AFTER_INIT))
		ret = sz_mod_part(m, mod, SZ_MOD_RO_AFTER_INIT, gfp);
	if (!ret && !m->runs)
		ret = -ENOENT;
	if (ret) {
		sz_mod_free(m);
		return ret;
	}
	*out = m;
	return 0;
}

struct sz_mod_call {
	struct sz_mod *m;
	unsigned int from;		/* the first of m's calls to make: 0, all of them */
	bool coming;			/* a module's COMING (the test hooks act there only) */
	atomic_t err;
	atomic_t refused;		/* CPUs that refused */
};

/*
 * On each CPU: hand root the module's calls from c->from on.  From 0 a whole record:
 * all its calls, or none stays.  Later ones (LIVE's) only where the record is held,
 * and a refusal leaves the earlier calls held.
 */
static void sz_mod_add_fn(void *arg)
{
	struct sz_mod_call *c = arg;
	struct sz_mod *m = c->m;
	unsigned int cpu = smp_processor_id(), i;
	struct vcpu *v = sz_cpus[cpu].vcpu;
	u64 pa;
	int ret = 0;

	if (!v || !READ_ONCE(v->lock_wx_on))
		return;		/* no W^X on this CPU: nothing to join (status says so) */
	if (c->from && !cpumask_test_cpu(cpu, m->cpus))
		return;
	for (i = c->from; i < m->nr_args && !ret; i++) {
		pa = virt_to_phys(m->args[i]);
#ifdef SZ_TEST_HOOKS
		if (c->coming && (int)cpu == READ_ONCE(test_mod_refuse_cpu))
			pa += 8;	/* not page aligned: root refuses it (-EFAULT) */
#endif
		ret = vmx_lock_mod_this_cpu(v, pa);
	}
	if (ret) {
		if (!c->from && i > 1)	/* a later call was refused: release the earlier ones */
			vmx_lock_mod_release_this_cpu(v, m->id);
		atomic_cmpxchg(&c->err, 0, ret);
		atomic_inc(&c->refused);
	} else if (!c->from) {
		cpumask_set_cpu(cpu, m->cpus);
	}
}

static void sz_mod_del_fn(void *arg)
{
	struct sz_mod *m = arg;
	unsigned int cpu = smp_processor_id();
	struct vcpu *v = sz_cpus[cpu].vcpu;
	int ret;

	if (!v || !cpumask_test_cpu(cpu, m->cpus))
		return;
	ret = vmx_lock_mod_release_this_cpu(v, m->id);
	if (ret)
		pr_err("CPU %u: releasing module %s's W^X failed: %d\n", cpu, m->name, ret);
	cpumask_clear_cpu(cpu, m->cpus);
}

/* The modules' EPT tables on one CPU holding @m: every CPU takes about the same. */
static unsigned int sz_mod_tables(struct sz_mod *m)
{
	struct vcpu *v = cpumask_empty(m->cpus) ? NULL : sz_cpus[cpumask_first(m->cpus)].vcpu;

	return v ? READ_ONCE(v->lock_mod_tables) : 0;
}

/* Register @m (a module live now, at lock time or late) on every online CPU, and keep it. */
static void sz_mod_register(struct sz_mod *m)
{
	struct sz_mod_call c = { .m = m, .err = ATOMIC_INIT(0), .refused = ATOMIC_INIT(0) };

	on_each_cpu(sz_mod_add_fn, &c, 1);
	if (atomic_read(&c.err))
		pr_warn("lock: module %s: text and read-only data W^X refused on %d of %u CPUs: %d (%u pages in %u runs)\n",
			m->name, atomic_read(&c.refused), num_online_cpus(),
			atomic_read(&c.err), m->pages, m->runs);
	else
		pr_info("lock: module %s: text and read-only data W^X, %u pages in %u runs (modules' EPT tables now %u)\n",
			m->name, m->pages, m->runs, sz_mod_tables(m));
	list_add_tail(&m->list, &sz_mods);
}

static const char *sz_mod_why(int err)
{
	switch (err) {
	case -E2BIG:
		return "more runs than its calls carry";
	case -ENOMEM:
		return "out of memory";
	case -EFAULT:
		return "a page outside the modules' vmalloc area";
	default:
		return "cannot be described";
	}
}

/*
 * COMING: hold @mod's text and read-only data on every CPU before its init runs, or
 * refuse its load (the errno to return; nothing stays registered).
 */
static int sz_mod_coming(struct module *mod)
{
	struct sz_mod_call c = { .coming = true, .err = ATOMIC_INIT(0),
				 .refused = ATOMIC_INIT(0) };
	unsigned int max_args = SZ_MOD_CHUNKS;
	int ret, err;

#ifdef SZ_TEST_HOOKS
	if (READ_ONCE(test_mod_budget))
		max_args = 0;
#endif
	ret = sz_mod_build(mod, SZ_MOD_RO, max_args, GFP_KERNEL, &c.m);
	if (ret == -ENOENT)
		return 0;	/* nothing read-only: nothing to hold (LIVE looks again) */
	if (ret) {
		err = ret == -ENOMEM ? -ENOMEM : lock_mod_refusal(ret);
		pr_err("lock: module %s refused: its text cannot be held W^X (%s: %d); its load fails with %d\n",
		       mod->name, sz_mod_why(ret), ret, err);
		return err;
	}
	on_each_cpu(sz_mod_add_fn, &c, 1);
	ret = atomic_read(&c.err);
	if (ret) {
		/* what the other CPUs registered goes: nothing stays of a refused module */
		on_each_cpu(sz_mod_del_fn, c.m, 1);
		err = lock_mod_refusal(ret);
		pr_err("lock: module %s refused: its text cannot be held W^X (the hypervisor refused %u pages in %u runs on %d of %u CPUs: %d); its load fails with %d\n",
		       mod->name, c.m->pages, c.m->runs, atomic_read(&c.refused),
		       num_online_cpus(), ret, err);
		sz_mod_free(c.m);
		return err;
	}
	pr_info("lock: module %s: text and read-only data W^X from COMING, %u pages in %u runs (modules' EPT tables now %u)\n",
		mod->name, c.m->pages, c.m->runs, sz_mod_tables(c.m));
	list_add_tail(&c.m->list, &sz_mods);
	return 0;
}

/*
 * LIVE: add @mod's read-only-after-init data to its record @m, as calls of their own
 * under its id.  Too late to refuse: on a failure they are dropped from the record (a
 * CPU coming online gets text and rodata only; a CPU that took them keeps them until
 * the module's release), and text and rodata stay held.
 */
static void sz_mod_live(struct sz_mod *m, struct module *mod)
{
	struct sz_mod_call c = { .m = m, .from = m->nr_args, .err = ATOMIC_INIT(0),
				 .refused = ATOMIC_INIT(0) };
	unsigned int runs = m->runs, pages = m->pages;
	int ret;

	m->fresh = true;
	ret = sz_mod_part(m, mod, SZ_MOD_RO_AFTER_INIT, GFP_KERNEL);
	m->fresh = false;
	if (!ret && m->nr_args == c.from)
		return;		/* no ro_after_init data */
	if (!ret) {
		on_each_cpu(sz_mod_add_fn, &c, 1);
		ret = atomic_read(&c.err);
	}
	if (ret) {
		pr_warn("lock: module %s: read-only-after-init data not W^X (%d CPUs refused: %d); its text and read-only data stay held\n",
			m->name, atomic_read(&c.refused), ret);
		while (m->nr_args > c.from)
			kfree(m->args[--m->nr_args]);
		m->runs = runs;
		m->pages = pages;
		return;
	}
	pr_info("lock: module %s: read-only-after-init data W^X from LIVE, %u pages in %u runs\n",
		m->name, m->pages - pages, m->runs - runs);
}

static struct sz_mod *sz_mod_find(struct module *mod)
{
	struct sz_mod *m;

	list_for_each_entry(m, &sz_mods, list)
		if (m->mod == mod)
			return m;
	return NULL;
}

static int sz_mod_notify(struct notifier_block *nb, unsigned long state, void *data)
{
	struct module *mod = data;
	struct sz_mod *m;
	int ret = 0;

	if (mod == THIS_MODULE || (state != MODULE_STATE_COMING &&
				   state != MODULE_STATE_LIVE && state != MODULE_STATE_GOING))
		return NOTIFY_DONE;
	cpus_read_lock();
	mutex_lock(&sz_mod_mutex);
	m = sz_mod_find(mod);
	if (state == MODULE_STATE_COMING && sz_mods_on && !m) {
		ret = sz_mod_coming(mod);
	} else if (state == MODULE_STATE_LIVE && m) {
		sz_mod_live(m, mod);
	} else if (state == MODULE_STATE_LIVE && sz_mods_on) {
		/* no record: it came before the walk, or had nothing read-only then */
		ret = sz_mod_build(mod, SZ_MOD_RO | SZ_MOD_RO_AFTER_INIT, SZ_MOD_CHUNKS,
				   GFP_KERNEL, &m);
		if (ret)
			pr_warn("lock: module %s: not W^X: %d\n", mod->name, ret);
		else
			sz_mod_register(m);
		ret = 0;	/* LIVE cannot refuse */
	} else if (state == MODULE_STATE_GOING && m) {
		/* a loosening, for module runs only (core/lock_mod.h): root records it */
		on_each_cpu(sz_mod_del_fn, m, 1);
		sz_mod_stale(m, GFP_KERNEL);	/* offline CPUs: when they come back */
		pr_info("lock: module %s unloading: its W^X released (%u pages)\n", m->name,
			m->pages);
		list_del(&m->list);
		sz_mod_free(m);
	}
	mutex_unlock(&sz_mod_mutex);
	cpus_read_unlock();
	return notifier_from_errno(ret);
}

static struct notifier_block sz_mod_nb = {
	.notifier_call = sz_mod_notify,
};

/*
 * Before the lock is taken, without sz_lock or the hotplug lock (registering a
 * notifier waits for running ones, which take the hotplug lock): find the module
 * list and start listening.  Once; never unregistered (a locked module stays).
 */
void sz_lock_mod_prepare(void)
{
	static bool done;
	int ret;

	if (done || !sz_lock_wx_pa)
		return;
	if (!IS_ENABLED(CONFIG_STRICT_MODULE_RWX)) {
		pr_warn("lock: no CONFIG_STRICT_MODULE_RWX: modules' text is not W^X\n");
		return;
	}
	sz_modules = (struct list_head *)sz_kallsyms("modules");
	if (!sz_modules) {
		pr_warn("lock: no module list: modules' text is not W^X\n");
		return;
	}
	ret = register_module_notifier(&sz_mod_nb);
	if (ret) {
		pr_warn("lock: no module notifier (%d): modules' text is not W^X\n", ret);
		return;
	}
	done = true;
}

/*
 * After the lock, with the hotplug lock held: add every module live now (one coming
 * now: its text and rodata), and let the notifier add those loaded later.  Under RCU the records are built (no sleep:
 * GFP_ATOMIC), then handed to root; a module going away meanwhile waits in its GOING
 * notifier for sz_mod_mutex, so it is released after it is added.
 */
void sz_lock_mod_walk(void)
{
	struct sz_mod *m, *tmp;
	struct module *mod;
	LIST_HEAD(found);
	unsigned int cpu, wx = 0, n = 0, parts;
	enum module_state state;
	bool self = false;
	int ret;

	if (!sz_modules)
		return;
	for_each_online_cpu(cpu)
		wx += sz_cpus[cpu].vcpu && READ_ONCE(sz_cpus[cpu].vcpu->lock_wx_on);
	mutex_lock(&sz_mod_mutex);
	if (sz_mods_on || !wx) {
		if (!wx)
			pr_warn("lock: no CPU holds the kernel text W^X: modules' text is not W^X either\n");
		goto out;
	}
	rcu_read_lock();
	list_for_each_entry_rcu(mod, sz_modules, list) {
		self |= mod == THIS_MODULE;
		if (mod == THIS_MODULE)
			continue;
		/* one coming now: its ro_after_init data at LIVE, as for a later one */
		state = READ_ONCE(mod->state);
		if (state == MODULE_STATE_LIVE)
			parts = SZ_MOD_RO | SZ_MOD_RO_AFTER_INIT;
		else if (state == MODULE_STATE_COMING)
			parts = SZ_MOD_RO;
		else
			continue;
		ret = sz_mod_build(mod, parts, SZ_MOD_CHUNKS, GFP_ATOMIC, &m);
		if (ret) {
			pr_warn("lock: module %s: not W^X: %d\n", mod->name, ret);
			continue;
		}
		list_add_tail(&m->list, &found);
	}
	rcu_read_unlock();
	list_for_each_entry_safe(m, tmp, &found, list) {
		list_del(&m->list);
		/* "modules" was the module list if subzero was on it */
		if (!self) {
			sz_mod_free(m);
			continue;
		}
		sz_mod_register(m);
		n++;
	}
	if (!self) {
		pr_warn("lock: the kernel symbol \"modules\" is not the module list: modules' text is not W^X\n");
		goto out;
	}
	sz_mods_on = true;
	pr_info("lock: %u modules live at lock time registered; modules loaded later follow from COMING\n", n);
out:
	mutex_unlock(&sz_mod_mutex);
}

/*
 * Releases a CPU missed while offline.  Its root still holds a module's (or grant's)
 * runs after the glue released them on the online CPUs; when it comes back it must
 * drop exactly those ids before anything runs on it, and keep every live one: under
 * MBEC a live module's text released even for a moment would not run on it.  A
 * record that cannot be allocated makes that CPU drop every run and take the live
 * ones again (a short window without them; logged).
 */
struct sz_stale {
	struct list_head list;
	u32 id;
	struct cpumask cpus;		/* the offline CPUs still holding it */
};
static LIST_HEAD(sz_stale);
static DEFINE_SPINLOCK(sz_stale_lock);
static struct cpumask sz_stale_all;	/* CPUs whose records were lost */
struct cpumask sz_mod_readd, sz_exec_readd;	/* ...which take everything again */

void sz_mod_stale(const struct sz_mod *m, gfp_t gfp)
{
	struct sz_stale *st;
	unsigned long flags;

	if (cpumask_empty(m->cpus))
		return;
	st = kmalloc(sizeof(*st), gfp);
	spin_lock_irqsave(&sz_stale_lock, flags);
	if (st) {
		st->id = m->id;
		cpumask_copy(&st->cpus, m->cpus);
		list_add_tail(&st->list, &sz_stale);
	} else {
		cpumask_or(&sz_stale_all, &sz_stale_all, m->cpus);
	}
	spin_unlock_irqrestore(&sz_stale_lock, flags);
}

/*
 * A CPU just (re)launched, interrupts off, before anything else runs on it: drop the
 * runs of what was released while it was out (see above), or every run if a record
 * was lost.  How many ids it dropped, or -1 for every run.
 */
int sz_lock_mod_cpu_reset(struct vcpu *v, unsigned int cpu)
{
	struct sz_stale *st, *t;
	int n = 0;
	bool all;

	if (!READ_ONCE(v->lock_wx_on))
		return 0;
	spin_lock(&sz_stale_lock);
	all = cpumask_test_cpu(cpu, &sz_stale_all);
	cpumask_clear_cpu(cpu, &sz_stale_all);
	list_for_each_entry_safe(st, t, &sz_stale, list) {
		if (!cpumask_test_cpu(cpu, &st->cpus))
			continue;
		if (!all && !vmx_lock_mod_release_this_cpu(v, st->id))
			n++;
		cpumask_clear_cpu(cpu, &st->cpus);
		if (cpumask_empty(&st->cpus)) {
			list_del(&st->list);
			kfree(st);
		}
	}
	spin_unlock(&sz_stale_lock);
	if (all) {
		vmx_lock_mod_release_this_cpu(v, LOCK_MOD_ALL);
		cpumask_set_cpu(cpu, &sz_mod_readd);
		cpumask_set_cpu(cpu, &sz_exec_readd);
		return -1;
	}
	return n;
}

/*
 * Then, locked, on the CPU itself (its hotplug callback): add the modules registered
 * while it was out (or all of them after a drop of every run).
 */
void sz_lock_mod_cpu(unsigned int cpu)
{
	struct sz_mod_call c = { .err = ATOMIC_INIT(0), .refused = ATOMIC_INIT(0) };
	struct vcpu *v = sz_cpus[cpu].vcpu;
	unsigned int refused = 0;
	bool readd;

	if (!v || !READ_ONCE(v->lock_wx_on))
		return;
	readd = cpumask_test_and_clear_cpu(cpu, &sz_mod_readd);
	if (readd)
		pr_warn("CPU %u: a release it missed while offline was not recorded: it dropped every module run and takes them again\n",
			cpu);
	mutex_lock(&sz_mod_mutex);
	list_for_each_entry(c.m, &sz_mods, list) {
		if (!readd && cpumask_test_cpu(cpu, c.m->cpus))
			continue;	/* its root held it while the CPU was out */
		cpumask_clear_cpu(cpu, c.m->cpus);
		local_irq_disable();
		sz_mod_add_fn(&c);
		local_irq_enable();
		refused += !cpumask_test_cpu(cpu, c.m->cpus);
	}
	mutex_unlock(&sz_mod_mutex);
	if (refused)
		pr_warn("CPU %u: %u modules' W^X refused coming online: %d\n", cpu, refused,
			atomic_read(&c.err));
}
