// SPDX-License-Identifier: GPL-2.0
/*
 * sz_attack: a malicious ring-0 guest against subzero (issue 13).  Test only, never
 * loaded in production.  With subzero loaded and the page @pa protected, loading it
 * makes each attempt below on CPU 0 and prints one line per attempt:
 *   "sz_attack: PASS name: what happened"   the attempt failed without effect
 *   "sz_attack: FAIL name: why"            it worked, or its defence is not built
 * then "sz_attack: done".  It finds subzero's objects at run time through kallsyms
 * (KASLR may be on), as an attacker would.  The load succeeds either way; the guest
 * test (attack.sh) reads the lines, and checks afterwards that the protection holds,
 * that every CPU still answers CPUID, and that subzero unloads.
 *
 * subzero's own module data and bss are written over too, every byte, while every CPU
 * waits in stop_machine() with interrupts off (the module's non-root half would crash
 * on them otherwise); meanwhile every CPU asks root (CPUID) and CPU 0 writes the
 * protected page, then the bytes are put back.  Root keeps nothing it trusts there.
 *
 * The host GDT, TSS, IDT and page tables (root's own, hidden) are written for real at
 * the addresses the VMCS snapshot shows: a whole page of junk each.  If the defence
 * were missing, the next exception, NMI or exit in root would crash the machine; the
 * attempt passes when the EPT maps none of them writable at its own address, and
 * CPU 0 still answers CPUID (an exit through root) afterwards.
 */
#include <linux/kernel.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/smp.h>
#include <linux/stop_machine.h>
#include <linux/string.h>
#include <linux/version.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>
#include <asm/processor-flags.h>

#include "sz_kallsyms.h"
#include "../../../core/vmx.h"

static unsigned long pa;
module_param(pa, ulong, 0444);
MODULE_PARM_DESC(pa, "a page subzero protects (its first byte is written at)");

static unsigned int passed, failed;

#define report(ok, name, fmt, ...) do {						\
	if (ok)									\
		passed++;							\
	else									\
		failed++;							\
	pr_info("sz_attack: %s %s: " fmt "\n", (ok) ? "PASS" : "FAIL", name, ##__VA_ARGS__); \
} while (0)

static long vmcall(u64 nr, u64 key, u64 arg)
{
	unsigned long ax = nr;

	asm volatile("vmcall" : "+a"(ax) : "c"(key), "d"(arg) : "memory", "cc");
	return (long)ax;
}

/* The EPT leaf for @gpa on this CPU (root answers; not a policy call). */
static long ept_leaf_of(u64 gpa)
{
	return vmcall(SUBZERO_HC_EPT_QUERY, SUBZERO_VMCALL_KEY, gpa);
}

/* Can the guest write the page at @gpa on this CPU?  Its leaf maps it with W. */
static bool guest_writable(u64 gpa)
{
	long leaf = ept_leaf_of(gpa & PAGE_MASK);
	u64 addr = (u64)leaf & 0x000ffffffffff000ULL;
	unsigned int level = ((u64)leaf >> 60) & 7;
	u64 size = level == 3 ? 1ULL << 30 : level == 2 ? 1ULL << 21 : 1ULL << 12;

	if (leaf < 0)
		return true;		/* not in the map: nothing stops a write */
	return (leaf & 2) && addr == (gpa & ~(size - 1));
}

#define SZ_ENC(name, enc, width, group) enc,
static const u32 encs[] = { VMCS_FIELDS(SZ_ENC) };

static const struct {
	const char *name;
	u32 enc;
} host_fields[] = {
	{ "host_gdt", HOST_GDTR_BASE },
	{ "host_tss", HOST_TR_BASE },
	{ "host_idt", HOST_IDTR_BASE },
	{ "host_page_tables", HOST_CR3 },
};

/* A field of CPU 0's last VMCS snapshot (read-only for us), 0 if not supported. */
static u64 snap_field(struct vcpu *v, u32 enc)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(encs); i++)
		if (encs[i] == enc && v->vmcs_snap.supported[i])
			return v->vmcs_snap.val[i];
	return 0;
}

/* Entries that look like an EPT paging-structure entry: RWX, a table below 2^40. */
static unsigned int table_like(const u64 *m)
{
	unsigned int i, n = 0;

	for (i = 0; i < 512; i++)
		if ((m[i] & 7) == 7 && !(m[i] >> 40) && !(m[i] & 0xff8) && (m[i] >> 12))
			n++;
	return n;
}

static bool hv_alive(void)
{
	unsigned int a = 0x40000000, b, c, d;

	cpuid(0x40000000, &a, &b, &c, &d);
	return b == 0x7a627573;
}

/* A byte written through a fresh writable alias of physical page @p: did it stick? */
static bool write_sticks_vmap(u64 p, unsigned int off)
{
	struct page *pg = pfn_to_page(p >> PAGE_SHIFT);
	volatile u8 *m = vmap(&pg, 1, VM_MAP, PAGE_KERNEL);
	u8 old, now;

	if (!m)
		return false;
	old = m[off];
	m[off] = old ^ 0xff;
	now = m[off];
	if (now != old)
		m[off] = old;		/* put it back if it stuck */
	vunmap((void *)m);
	return now != old;
}

/* The same through the direct map, with CR0.WP cleared (the direct map alias of
 * module text is read-only in the kernel's page tables). */
static bool write_sticks_direct(u64 p, unsigned int off)
{
	volatile u8 *m = phys_to_virt(p);
	unsigned long cr0, flags;
	u8 old, now;

	local_irq_save(flags);
	asm volatile("mov %%cr0, %0" : "=r"(cr0));
	asm volatile("mov %0, %%cr0" : : "r"(cr0 & ~X86_CR0_WP));
	old = m[off];
	m[off] = old ^ 0xff;
	now = m[off];
	if (now != old)
		m[off] = old;
	asm volatile("mov %0, %%cr0" : : "r"(cr0));
	local_irq_restore(flags);
	return now != old;
}

/*
 * 8. subzero's module data and bss, all of it: CPU 0 fills it with 0x41 while every
 * CPU is held in stop_machine(), then each CPU makes an exit (CPUID) and CPU 0 writes
 * the protected page through an alias made beforehand; then CPU 0 puts the bytes back.
 */
struct scribble {
	u8 *base, *save;
	size_t size;
	volatile u8 *alias;	/* the protected page, or NULL */
	u64 *probe;		/* a pointer in subzero's bss (sz_mem): must read 0x41s */
	atomic_t phase, done;
	bool alive[NR_CPUS];
	bool stuck, landed;
};

static int scribble_cpu(void *data)
{
	struct scribble *s = data;
	unsigned int cpu = smp_processor_id();
	u8 old;

	if (cpu == 0) {
		memcpy(s->save, s->base, s->size);
		memset(s->base, 0x41, s->size);
		s->landed = READ_ONCE(*s->probe) == 0x4141414141414141ULL;
		atomic_set(&s->phase, 1);
	} else {
		while (atomic_read(&s->phase) < 1)
			cpu_relax();
	}
	s->alive[cpu] = hv_alive();
	if (cpu == 0 && s->alias) {
		old = s->alias[0x40];
		s->alias[0x40] = old ^ 0xff;
		s->stuck = s->alias[0x40] != old;
		if (s->stuck)
			s->alias[0x40] = old;
	}
	atomic_inc(&s->done);
	if (cpu == 0) {
		while (atomic_read(&s->done) < num_online_cpus())
			cpu_relax();
		memcpy(s->base, s->save, s->size);
		atomic_set(&s->phase, 2);
	} else {
		while (atomic_read(&s->phase) < 2)
			cpu_relax();
	}
	return 0;
}

static void scribble_module_data(struct vcpu ***mem)
{
	static struct scribble s;
	struct module *(*module_address)(unsigned long addr);
	struct module *mod = NULL;
	struct page *pg = NULL;
	unsigned int cpu, alive = 0;

	module_address = (void *)lookup("__module_address");	/* not exported */
	if (module_address) {
		preempt_disable();
		mod = module_address((unsigned long)mem);
		preempt_enable();
	}
	if (!mod) {
		report(false, "scribble_module_data", "subzero's module not found");
		return;
	}
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
	s.base = mod->mem[MOD_DATA].base;
	s.size = mod->mem[MOD_DATA].size;
#else
	/* core layout: text, read-only data, ro_after_init, then data and bss */
	s.base = (u8 *)mod->core_layout.base + mod->core_layout.ro_after_init_size;
	s.size = mod->core_layout.size - mod->core_layout.ro_after_init_size;
#endif
	s.probe = (u64 *)mem;
	s.save = vmalloc(s.size);
	if (pa) {
		pg = pfn_to_page(pa >> PAGE_SHIFT);
		s.alias = vmap(&pg, 1, VM_MAP, PAGE_KERNEL);
	}
	if (!s.save || (pa && !s.alias)) {
		report(false, "scribble_module_data", "no memory for the copy or the alias");
		goto out;
	}
	stop_machine(scribble_cpu, &s, cpu_online_mask);
	for_each_online_cpu(cpu)
		alive += s.alive[cpu];
	report(s.landed && alive == num_online_cpus() && !s.stuck && hv_alive(),
	       "scribble_module_data",
	       "%zu bytes (%zu pages) of subzero's data and bss written over (%s): %u of %u CPUs answered CPUID, the protected write %s",
	       s.size, DIV_ROUND_UP(s.size, PAGE_SIZE), s.landed ? "seen" : "NOT seen",
	       alive, num_online_cpus(), s.stuck ? "stuck" : "was discarded");
out:
	if (s.alias)
		vunmap((void *)s.alias);
	vfree(s.save);
}

static long attacks(void *unused)
{
	struct vcpu ***mem = (struct vcpu ***)lookup("subzero:sz_mem");
	unsigned long text = lookup("subzero:vmx_launch");
	struct watch *table = (struct watch *)lookup("subzero:watch_table");
	struct vcpu *v;
	u64 old, root, text_pa, host;
	unsigned int i;
	long r;
	u8 b;

	if (!mem || !*mem || !text || !table) {
		report(false, "find", "subzero's symbols not found (sz_mem %px)", mem);
		return 0;
	}
	v = (*mem)[0];		/* sz_mem: the array of every CPU's vcpu */
	if (!v) {
		report(false, "find", "CPU 0 has no vcpu");
		return 0;
	}
	root = v->eptp & PAGE_MASK;	/* read-only for us, and readable */

	/* 1. the policy hypercalls, from code outside the module, with the right key */
	r = vmcall(SUBZERO_HC_DEVIRT, SUBZERO_VMCALL_KEY, 0);
	report(r == -EPERM && hv_alive(), "hc_devirt", "DEVIRT from outside returned %ld", r);
	r = vmcall(SUBZERO_HC_WATCH_SYNC, SUBZERO_VMCALL_KEY, 0);
	report(r == -EPERM, "hc_watch_sync", "WATCH_SYNC from outside returned %ld", r);

	/* 2. the demonstrated route: point scratch_pa at the EPT root, then make a
	 * protected write, which copies the page to "scratch" */
	old = READ_ONCE(v->scratch_pa);
	WRITE_ONCE(v->scratch_pa, root);
	if (pa)
		write_sticks_vmap(pa, 0x100);
	r = ept_leaf_of(pa ? pa : 0x100000);
	report(r > 0 && !write_sticks_vmap(pa, 0x100) && hv_alive(), "plant_ept_scratch",
	       "scratch_pa write went to the scratch page; protection holds (leaf %lx)", r);
	WRITE_ONCE(v->scratch_pa, old);

	/* 3. scribble over the root state reachable from subzero's pointers */
	memset((void *)v, 0x41, offsetof(struct vcpu, cpu));
	report(hv_alive() && (!pa || !write_sticks_vmap(pa, 0x80)), "scribble_vcpu_hidden",
	       "hidden vcpu state overwritten: hypervisor and protection unaffected");
	old = READ_ONCE(v->exits[10]);
	WRITE_ONCE(v->exits[10], 0);
	WRITE_ONCE(v->devirt, true);
	report(READ_ONCE(v->exits[10]) >= old && !READ_ONCE(v->devirt), "scribble_vcpu_counters",
	       "writes to the read-only part discarded (%llu exits counted)", v->exits[10]);

	/* 4. protect a hidden page through the table, sync from inside is what the
	 * module does next; here: the table entry is planted, and the guest test
	 * adds a watch, which makes every CPU apply (and check) the table */
	table[WATCH_MAX - 1] = (struct watch){ root, WATCH_W, WATCH_KIND_PROTECT };
	report(true, "plant_watch_entry", "entry for the EPT root %llx planted in slot %u",
	       root, WATCH_MAX - 1);

	/* 5. subzero's text: through a fresh alias and through the direct map */
	text_pa = slow_virt_to_phys((void *)text);
	report(!write_sticks_vmap(text_pa, text & ~PAGE_MASK), "text_vmap",
	       "write to vmx_launch (pa %llx) through a vmap alias", text_pa);
	report(!write_sticks_direct(text_pa, text & ~PAGE_MASK), "text_direct_map",
	       "write to vmx_launch through the direct map with CR0.WP clear");
	b = *(volatile u8 *)text;
	report(b != 0 && hv_alive(), "text_intact", "first byte %02x", b);

	/* 6. the host tables at the addresses `subzero vmcs` shows (the guest test took
	 * a snapshot of CPU 0's VMCS just before): scribble over each, through the
	 * direct map; then may the guest write them, and does root still work? */
	for (i = 0; i < ARRAY_SIZE(host_fields); i++) {
		bool writable;

		host = snap_field(v, host_fields[i].enc);
		if (!host) {
			report(false, host_fields[i].name, "not in the VMCS snapshot");
			continue;
		}
		if (host_fields[i].enc != HOST_CR3)
			host = slow_virt_to_phys((void *)host);
		host &= PAGE_MASK;
		writable = guest_writable(host);
		if (!writable)		/* else it is the kernel's own: do not wreck it */
			memset(phys_to_virt(host), 0x41, PAGE_SIZE);
		report(!writable && hv_alive(), host_fields[i].name, "page %llx is %s", host,
		       writable ? "writable by the guest" :
				  "not writable by the guest; written over, root unaffected");
	}

	scribble_module_data(mem);

	/* 7. read a hidden page (the EPT root) through memremap and a fresh vmap alias */
	{
		struct page *pg = pfn_to_page(root >> PAGE_SHIFT);
		u64 *m = memremap(root, PAGE_SIZE, MEMREMAP_WB);
		u64 *a = vmap(&pg, 1, VM_MAP, PAGE_KERNEL_RO);
		unsigned int tables = 0;

		if (m) {
			tables += table_like(m);
			memunmap(m);
		}
		if (a) {
			tables += table_like(a);
			vunmap(a);
		}
		report(m && a && tables == 0, "alias_read_hidden",
		       "EPT root %llx read through memremap and vmap: %u entries look like tables",
		       root, tables);
	}
	return 0;
}

static int __init sz_attack_init(void)
{
	int ret = find_lookup();

	if (ret) {
		pr_info("sz_attack: FAIL find: no kallsyms_lookup_name (%d)\n", ret);
		return 0;
	}
	/* on CPU 0, in a context that may sleep (vmap, memremap) */
	work_on_cpu(0, attacks, NULL);
	pr_info("sz_attack: done: %u passed, %u failed\n", passed, failed);
	return 0;
}

static void __exit sz_attack_exit(void)
{
}

module_init(sz_attack_init);
module_exit(sz_attack_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("subzero attack suite (test only)");
