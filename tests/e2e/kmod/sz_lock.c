// SPDX-License-Identifier: GPL-2.0
/*
 * sz_lock: a rootkit against subzero's lock (issue 14).  Test only.  With subzero
 * loaded and locked, loading it makes each attempt below on every online CPU (in an
 * IPI, interrupts off, so that nothing runs between an attempt that worked and its
 * undoing) and prints one line per attempt and CPU:
 *   "sz_lock: PASS name cpuN: what happened"   refused, without effect
 *   "sz_lock: FAIL name cpuN: why"            it worked (and was undone)
 *   "sz_lock: OPEN name cpuN: why"            the lock does not defend this yet
 *                                             (README, "The lock": not done)
 *   "sz_lock: SKIP name cpuN: why"            not applicable on this CPU
 * then "sz_lock: done".  Every attempt is made through an instruction with an
 * exception-table entry, so a refusal (#GP) comes back as an error, not an Oops.
 */
#include <linux/cpu.h>
#include <linux/io.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/vmalloc.h>
#include <asm/asm.h>
#include <asm/desc.h>
#include <asm/msr.h>
#include <asm/processor-flags.h>
#include <asm/unistd.h>

#include "sz_kallsyms.h"
#include "../../../linux/sz.h"

#define report(tag, name, cpu, fmt, ...) \
	pr_info("sz_lock: %s %s cpu%u: " fmt "\n", tag, name, cpu, ##__VA_ARGS__)

static bool wx_only;
module_param(wx_only, bool, 0444);
MODULE_PARM_DESC(wx_only, "only the kernel text/rodata W^X attempts (after CPU hotplug)");
static char *mod_sym;
module_param(mod_sym, charp, 0444);
MODULE_PARM_DESC(mod_sym, "also write this module symbol's text (module:symbol) through an alias");

/* MOV to CR0 / CR4: 0, or 1 if it faulted (#GP: refused). */
static int try_cr0(unsigned long val)
{
	int err;

	asm volatile("1: mov %[v], %%cr0\n"
		     "   xor %[e], %[e]\n"
		     "2:\n"
		     _ASM_EXTABLE(1b, 2b)
		     : [e] "=r"(err) : [v] "r"(val), "0"(1) : "memory");
	return err;
}

static int try_cr4(unsigned long val)
{
	int err;

	asm volatile("1: mov %[v], %%cr4\n"
		     "   xor %[e], %[e]\n"
		     "2:\n"
		     _ASM_EXTABLE(1b, 2b)
		     : [e] "=r"(err) : [v] "r"(val), "0"(1) : "memory");
	return err;
}

static int try_lidt(const struct desc_ptr *d)
{
	int err;

	asm volatile("1: lidt %[d]\n"
		     "   xor %[e], %[e]\n"
		     "2:\n"
		     _ASM_EXTABLE(1b, 2b)
		     : [e] "=r"(err) : [d] "m"(*d), "0"(1) : "memory");
	return err;
}

static int try_lgdt(const struct desc_ptr *d)
{
	int err;

	asm volatile("1: lgdt %[d]\n"
		     "   xor %[e], %[e]\n"
		     "2:\n"
		     _ASM_EXTABLE(1b, 2b)
		     : [e] "=r"(err) : [d] "m"(*d), "0"(1) : "memory");
	return err;
}

static unsigned long raw_cr0(void)
{
	unsigned long v;

	asm volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static unsigned long raw_cr4(void)
{
	unsigned long v;

	asm volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static long vmcall(u64 nr, u64 key, u64 arg)
{
	unsigned long ax = nr;

	asm volatile("vmcall" : "+a"(ax) : "c"(key), "d"(arg) : "memory", "cc");
	return (long)ax;
}

static bool hv_alive(void)
{
	unsigned int a = 0x40000000, b, c, d;

	cpuid(0x40000000, &a, &b, &c, &d);
	return b == 0x7a627573;
}

/* Clear @bit of CR@cr: refused (#GP) and still set is a PASS. */
static void cr_attempt(const char *name, unsigned int cpu, int cr, unsigned long bit)
{
	unsigned long old = cr ? raw_cr4() : raw_cr0(), now;
	int fault;

	if (!(old & bit)) {
		report("SKIP", name, cpu, "the bit is not set on this CPU (not pinned)");
		return;
	}
	fault = cr ? try_cr4(old & ~bit) : try_cr0(old & ~bit);
	now = cr ? raw_cr4() : raw_cr0();
	if (!fault || !(now & bit)) {
		if (cr)
			try_cr4(old);
		else
			try_cr0(old);
		report("FAIL", name, cpu, "CR%d %#lx -> %#lx: the write went through", cr, old, now);
		return;
	}
	report("PASS", name, cpu, "#GP, CR%d still %#lx", cr, now);
}

/* WRMSR @msr := its value ^ @flip (0: the same value, which must be allowed). */
static bool msr_attempt(const char *name, unsigned int cpu, u32 msr, u64 flip)
{
	u64 old, now;
	int err;

	if (rdmsrl_safe(msr, &old)) {
		report("SKIP", name, cpu, "MSR %#x cannot be read", msr);
		return false;
	}
	err = wrmsrl_safe(msr, old ^ flip);
	rdmsrl_safe(msr, &now);
	if (!flip) {
		if (err)
			report("FAIL", name, cpu, "writing MSR %#x's own value %#llx refused", msr, old);
		else
			report("PASS", name, cpu, "MSR %#x rewritten with its value %#llx: allowed",
			       msr, old);
		return !err;
	}
	if (!err || now != old) {
		wrmsrl_safe(msr, old);
		report("FAIL", name, cpu, "MSR %#x %#llx -> %#llx: the write went through", msr,
		       old, now);
		return false;
	}
	report("PASS", name, cpu, "#GP, MSR %#x still %#llx", msr, now);
	return true;
}

/*
 * Kernel text and read-only data W^X (the lock's EPT part): a write through an alias
 * of the page (vmap() with PAGE_KERNEL: writable, unlike the kernel's own mappings of
 * it), seen through the kernel's mapping afterwards.  The alias is made in init (vmap
 * sleeps); the attempt runs in the IPI.
 */
struct wx_target {
	const char *name;
	unsigned long addr;	/* in the kernel image */
	void *alias;		/* vmap of its page */
	phys_addr_t pa;
	u64 new;		/* what the attempt writes (8 bytes) */
	bool vmapped;		/* in a module (vmalloc'd), not in the kernel image */
};

static int wx_map(struct wx_target *t)
{
	struct page *pg;

	if (!t->addr)
		return -ENOENT;
	if (t->vmapped) {
		pg = vmalloc_to_page((void *)t->addr);
		if (!pg)
			return -EFAULT;
		t->pa = page_to_phys(pg) + offset_in_page(t->addr);
	} else {
		t->pa = __pa_symbol(t->addr);
		pg = pfn_to_page(t->pa >> PAGE_SHIFT);
	}
	t->alias = vmap(&pg, 1, VM_MAP, PAGE_KERNEL);
	return t->alias ? 0 : -ENOMEM;
}

static void wx_unmap(struct wx_target *t)
{
	if (t->alias)
		vunmap(t->alias);
}

static void wx_attempt(struct wx_target *t, unsigned int cpu)
{
	u64 *via = (u64 *)((char *)t->alias + offset_in_page(t->addr));
	u64 old = READ_ONCE(*(u64 *)t->addr), now, seen;

	if (!t->alias) {
		report("FAIL", t->name, cpu, "no alias mapping");
		return;
	}
	WRITE_ONCE(*via, t->new);	/* a discarded write completes without a fault */
	now = READ_ONCE(*(u64 *)t->addr);
	seen = READ_ONCE(*via);
	if (now != old || seen != old) {
		WRITE_ONCE(*via, old);
		report("FAIL", t->name, cpu, "%#lx (PA %#llx) %#llx -> %#llx through the alias: the write went through",
		       t->addr, (u64)t->pa, old, now);
		return;
	}
	report("PASS", t->name, cpu, "write to PA %#llx through an alias discarded, still %#llx",
	       (u64)t->pa, old);
}

struct ctx {
	struct sz_cpu *cpus;
	int (*devirt)(struct vcpu *v, bool offline);
	void *idt_copy;
	void *gdt_copy;		/* one page each: the CPUs take turns */
	const struct desc_ptr *idt_descr;	/* what the kernel loads in IDTR (kallsyms) */
	struct wx_target text, table, idt, mod;
};

/*
 * A descriptor table at another base: a faithful copy, so that it would do no harm if
 * it went through (it is then put back and the attempt is a FAIL).
 */
static void dt_attempt(const char *name, unsigned int cpu, bool idt, void *copy)
{
	struct desc_ptr cur, now, moved;
	int r;

	if (idt)
		store_idt(&cur);
	else
		native_store_gdt(&cur);
	memcpy(copy, (void *)cur.address, cur.size + 1);
	moved.address = (unsigned long)copy;
	moved.size = cur.size;
	r = idt ? try_lidt(&moved) : try_lgdt(&moved);
	if (idt)
		store_idt(&now);
	else
		native_store_gdt(&now);
	if (now.address != cur.address || !r) {
		if (idt)
			try_lidt(&cur);
		else
			try_lgdt(&cur);
		report("FAIL", name, cpu, "L%cDT to %#lx went through (%d), table at %#lx",
		       idt ? 'I' : 'G', moved.address, r, now.address);
		return;
	}
	report("PASS", name, cpu, "L%cDT to %#lx: #GP, %s still at %#lx", idt ? 'I' : 'G',
	       moved.address, idt ? "IDT" : "GDT", now.address);
}

/*
 * SGDT, SIDT, SLDT, STR (which exit on a locked CPU and are emulated) give what the
 * kernel loaded: GDTR its read-only fixmap GDT, IDTR idt_descr (idt_table's read-only
 * alias in the CPU entry area), LDTR null (no LDT in this context), TR its TSS
 * selector; to memory and to a register alike.
 */
static void dt_reads(struct ctx *c, unsigned int cpu)
{
	unsigned long gdt = (unsigned long)get_cpu_gdt_ro(cpu), tr_reg = ~0UL, ldt_reg = ~0UL;
	struct desc_ptr g, i;
	u16 tr_mem = 0xffff, ldt_mem = 0xffff;

	native_store_gdt(&g);
	store_idt(&i);
	asm volatile("str %0" : "=m"(tr_mem));
	asm volatile("sldt %0" : "=m"(ldt_mem));
	asm volatile("str %q0" : "=r"(tr_reg));
	asm volatile("sldt %q0" : "=r"(ldt_reg));
	if (g.address == gdt && g.size == GDT_SIZE - 1 && i.address == c->idt_descr->address &&
	    i.size == c->idt_descr->size && tr_mem == GDT_ENTRY_TSS * 8 &&
	    tr_reg == GDT_ENTRY_TSS * 8 && ldt_mem == 0 && ldt_reg == 0)
		report("PASS", "dt_reads", cpu, "SGDT %#lx/%#x, SIDT %#lx/%#x, STR %#x, SLDT %#x: "
		       "the kernel's", g.address, g.size, i.address, i.size, tr_mem, ldt_mem);
	else
		report("FAIL", "dt_reads", cpu, "SGDT %#lx/%#x (want %#lx), SIDT %#lx/%#x (want "
		       "%#lx), STR %#x/%#lx, SLDT %#x/%#lx", g.address, g.size, gdt, i.address,
		       i.size, c->idt_descr->address, tr_mem, tr_reg, ldt_mem, ldt_reg);
}

/*
 * What the kernel itself does with the descriptor tables must still work: reloading
 * TR (force_reload_TR(): the writable GDT loaded, its TSS descriptor made available,
 * LTR, the read-only alias loaded back), as after an ioperm() when KVM has shortened
 * TR's limit.  Interrupts are off here, as the kernel has them.
 */
static void dt_legit(unsigned int cpu)
{
	struct desc_ptr g;
	unsigned long tr = 0;

	force_reload_TR();
	native_store_gdt(&g);
	asm volatile("str %q0" : "=r"(tr));
	if (g.address == (unsigned long)get_cpu_gdt_ro(cpu) && tr == GDT_ENTRY_TSS * 8)
		report("PASS", "ltr_reload", cpu, "force_reload_TR(): GDT %#lx, TR %#lx", g.address,
		       tr);
	else
		report("FAIL", "ltr_reload", cpu, "after force_reload_TR(): GDT %#lx, TR %#lx",
		       g.address, tr);
}

static void wx_attempts(void *arg)
{
	struct ctx *c = arg;
	unsigned int cpu = smp_processor_id();

	wx_attempt(&c->text, cpu);
	wx_attempt(&c->table, cpu);
	wx_attempt(&c->idt, cpu);
	if (c->mod.addr)
		wx_attempt(&c->mod, cpu);
}

static void attempts(void *arg)
{
	struct ctx *c = arg;
	unsigned int cpu = smp_processor_id();
	long r;

	cr_attempt("cr0_wp", cpu, 0, X86_CR0_WP);
	cr_attempt("cr4_smep", cpu, 4, X86_CR4_SMEP);
	cr_attempt("cr4_smap", cpu, 4, X86_CR4_SMAP);
	cr_attempt("cr4_umip", cpu, 4, X86_CR4_UMIP);
	if (msr_attempt("lstar", cpu, MSR_LSTAR, 0x1000)) {
		/* only once the lock is seen to hold: without it this one would kill NX */
		msr_attempt("efer_nxe", cpu, MSR_EFER, EFER_NX);
	}
	msr_attempt("sysenter_eip", cpu, MSR_IA32_SYSENTER_EIP, 0x1000);
	msr_attempt("star", cpu, MSR_STAR, 1ULL << 48);
	msr_attempt("lstar_same_value", cpu, MSR_LSTAR, 0);

	dt_reads(c, cpu);
	dt_attempt("idt_base", cpu, true, c->idt_copy);
	dt_attempt("gdt_base", cpu, false, c->gdt_copy);
	dt_legit(cpu);
	dt_reads(c, cpu);

	/* The policy hypercall from outside subzero's text (seal) */
	r = vmcall(SUBZERO_HC_DEVIRT, SUBZERO_VMCALL_KEY, 0);
	if (r == -EPERM && hv_alive())
		report("PASS", "hc_devirt", cpu, "DEVIRT from outside returned %ld", r);
	else
		report("FAIL", "hc_devirt", cpu, "DEVIRT from outside returned %ld", r);

	/* Code reuse: subzero's own devirtualize, from its own text, not for offline */
	if (c->devirt && c->cpus[cpu].vcpu) {
		r = c->devirt(c->cpus[cpu].vcpu, false);
		if (r && hv_alive())
			report("PASS", "devirt_code_reuse", cpu, "vmx_devirtualize_this_cpu "
			       "returned %ld, still virtualized", r);
		else
			report("FAIL", "devirt_code_reuse", cpu, "returned %ld, hypervisor %s", r,
			       hv_alive() ? "still there" : "gone");
	} else {
		report("FAIL", "devirt_code_reuse", cpu, "subzero's symbols not found");
	}

	wx_attempts(c);
}

/*
 * The targets: a byte run in the text of sys_ni_syscall (never called here), and the
 * getppid slot of sys_call_table (rodata), where getpid's handler is written: had it
 * stuck for a moment, getppid would have returned the pid, nothing worse.  And the
 * IDT (idt_table, through the direct map's alias): the upper half of vector 3's gate
 * (#BP), bits 48-63 of which are reserved and ignored by the CPU, so had the write
 * stuck for a moment no gate would have changed.
 */
static int wx_prepare(struct ctx *c)
{
	unsigned long *table = (unsigned long *)lookup("sys_call_table");
	int ret;

	c->text = (struct wx_target){ .name = "text_alias_write",
				      .addr = lookup("sys_ni_syscall") + 8,
				      .new = 0xcccccccccccccccc };
	c->table = (struct wx_target){ .name = "syscall_table_write" };
	if (table) {
		c->table.addr = (unsigned long)&table[__NR_getppid];
		c->table.new = table[__NR_getpid];
	}
	c->idt = (struct wx_target){ .name = "idt_table_write" };
	if (lookup("idt_table")) {
		c->idt.addr = lookup("idt_table") + 3 * 16 + 8;
		c->idt.new = *(u64 *)c->idt.addr ^ 0x5a5a000000000000ULL;
	}
	ret = wx_map(&c->text);
	ret = ret ?: wx_map(&c->table);
	ret = ret ?: wx_map(&c->idt);
	if (ret || !mod_sym)
		return ret;
	/* another module's text, while it is live (the lock's module W^X) */
	c->mod = (struct wx_target){ .name = "module_text_write", .addr = lookup(mod_sym),
				     .new = 0xcccccccccccccccc, .vmapped = true };
	return wx_map(&c->mod);
}

static int __init sz_lock_init(void)
{
	struct ctx c = { 0 };
	struct sz_cpu **cpus;
	unsigned int cpu;
	int ret;

	ret = find_lookup();
	if (ret) {
		pr_info("sz_lock: FAIL find: no kallsyms_lookup_name (%d)\n", ret);
		return 0;
	}
	if (wx_prepare(&c)) {
		pr_info("sz_lock: FAIL find: kernel text %lx, sys_call_table slot %lx, idt_table %lx, aliases %px %px %px\n",
			c.text.addr, c.table.addr, c.idt.addr, c.text.alias, c.table.alias,
			c.idt.alias);
		goto out;
	}
	if (wx_only) {
		cpus_read_lock();
		for_each_online_cpu(cpu)
			smp_call_function_single(cpu, wx_attempts, &c, 1);
		cpus_read_unlock();
		goto out;
	}
	cpus = (struct sz_cpu **)lookup("subzero:sz_cpus");
	c.cpus = cpus ? *cpus : NULL;
	c.devirt = (void *)lookup("subzero:vmx_devirtualize_this_cpu");
	c.idt_copy = (void *)__get_free_page(GFP_KERNEL | __GFP_ZERO);
	c.gdt_copy = (void *)__get_free_page(GFP_KERNEL | __GFP_ZERO);
	c.idt_descr = (void *)lookup("idt_descr");
	if (!c.cpus || !c.idt_copy || !c.gdt_copy || !c.idt_descr) {
		pr_info("sz_lock: FAIL find: sz_cpus %px, pages %px %px, idt_descr %px\n", c.cpus,
			c.idt_copy, c.gdt_copy, c.idt_descr);
		goto out;
	}
	cpus_read_lock();
	for_each_online_cpu(cpu)
		smp_call_function_single(cpu, attempts, &c, 1);
	cpus_read_unlock();
out:
	wx_unmap(&c.text);
	wx_unmap(&c.table);
	wx_unmap(&c.idt);
	wx_unmap(&c.mod);
	free_page((unsigned long)c.idt_copy);
	free_page((unsigned long)c.gdt_copy);
	pr_info("sz_lock: done\n");
	return 0;
}

static void __exit sz_lock_exit(void)
{
}

module_init(sz_lock_init);
module_exit(sz_lock_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("test only: a rootkit against subzero's lock");
