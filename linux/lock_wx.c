// SPDX-License-Identifier: GPL-2.0
/*
 * What root needs for the lock's kernel text W^X (core/lock_wx.h), found in the
 * running kernel: the physical ranges of the core kernel's text and read-only data,
 * and where text_poke() writes from (poking_mm's PGD, poking_addr).
 *
 * None of those symbols is exported to modules.  kallsyms_lookup_name() finds them,
 * and is not exported either (since 5.7): a kprobe on it, registered and unregistered
 * at once, tells its address (kp.addr) -- the well-known technique, used once, before
 * the lock is taken (registering a kprobe patches kernel text).
 *
 * The ranges (the kernel image is physically contiguous; __pa_symbol() turns an
 * address in it into a physical one):
 *  - text: [_stext, _etext), _etext rounded up to a page (mark_rodata_ro() frees from
 *    there to __start_rodata);
 *  - read-only data: [__start_rodata, __end_rodata), page aligned already; not up to
 *    __end_rodata_hpage_align: mark_rodata_ro() frees the pages after __end_rodata
 *    to the page allocator, so they are ordinary memory now (maybe the hypervisor's).
 *  - the interrupt descriptor table: idt_table, one page-aligned page of 256 gates in
 *    .bss, which the CPU reads through the entry area's read-only alias (what IDTR
 *    holds) and which ring-0 code could rewrite through the direct map.  The kernel
 *    fills it during boot only (idt_setup_*(), __init), so after the lock no write is
 *    legitimate.  The GDT is not covered: each CPU's GDT is written by every context
 *    switch that loads a task's TLS descriptors (load_TLS()), so protecting it would
 *    cost an exit per such switch; only LGDT's base is locked (lock_dt.c).
 * Modules' text and read-only data: lock_mod.c.
 */
#include <linux/io.h>
#include <linux/kprobes.h>
#include <linux/mem_encrypt.h>
#include <linux/mm.h>
#include <linux/mm_types.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>

#include "sz.h"

u64 sz_lock_wx_pa;
/* kmalloc'd (direct map), never freed: root reads it again for a CPU coming online */
static struct lock_wx_args *sz_wx_args;

static unsigned long (*sz_kallsyms_lookup)(const char *name);

bool sz_lock_exec = true;
module_param_named(lock_exec, sz_lock_exec, bool, 0444);
MODULE_PARM_DESC(lock_exec, "where the CPU has MBEC, refuse kernel-mode execution outside kernel text, module text and memory the kernel made executable (default on)");

#ifdef SZ_TEST_HOOKS
static bool test_wx_refused;
module_param(test_wx_refused, bool, 0444);
MODULE_PARM_DESC(test_wx_refused, "test only: hand the hypervisor kernel text W^X arguments it must refuse (a bad magic)");
#endif

static int sz_find_kallsyms(void)
{
	struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };
	int ret = register_kprobe(&kp);

	if (ret)
		return ret;
	sz_kallsyms_lookup = (void *)kp.addr;
	unregister_kprobe(&kp);
	return sz_kallsyms_lookup ? 0 : -ENOENT;
}

unsigned long sz_kallsyms(const char *name)
{
	return sz_kallsyms_lookup ? sz_kallsyms_lookup(name) : 0;
}

static unsigned long sz_sym(const char *name)
{
	unsigned long a = sz_kallsyms_lookup(name);

	if (!a)
		pr_warn("lock: kernel symbol %s not found\n", name);
	return a;
}

void sz_lock_wx_prepare(void)
{
	unsigned long stext, etext, srodata, erodata, pmm, paddr, idt;
	struct lock_wx_args *a;
	struct mm_struct *mm;
	int ret;

	if (sz_wx_args)
		return;
	ret = sz_find_kallsyms();
	if (ret) {
		pr_warn("lock: no kallsyms_lookup_name (%d): kernel text W^X not enforced\n", ret);
		return;
	}
	stext = sz_sym("_stext");
	etext = sz_sym("_etext");
	srodata = sz_sym("__start_rodata");
	erodata = sz_sym("__end_rodata");
	pmm = sz_sym("poking_mm");
	paddr = sz_sym("poking_addr");
	if (!stext || !etext || !srodata || !erodata || !pmm || !paddr)
		goto err;
	mm = *(struct mm_struct **)pmm;
	if (!mm || !mm->pgd || etext <= stext || erodata <= srodata) {
		pr_warn("lock: poking_mm %s, kernel text or rodata bounds not usable\n",
			mm ? "found" : "NULL");
		goto err;
	}
	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		goto err;
	a->magic = LOCK_WX_ARGS_MAGIC;
	a->nr = 2;
	a->range[0].start = __pa_symbol(stext & PAGE_MASK);
	a->range[0].end = __pa_symbol(PAGE_ALIGN(etext));
	a->range[1].start = __pa_symbol(srodata & PAGE_MASK);
	a->range[1].end = __pa_symbol(PAGE_ALIGN(erodata));
	idt = sz_sym("idt_table");
	if (idt && PAGE_ALIGNED(idt)) {
		a->range[2].start = __pa_symbol(idt);
		a->range[2].end = a->range[2].start + PAGE_SIZE;
		a->nr = 3;
	} else {
		pr_warn("lock: idt_table %s: the IDT's contents are not write-protected\n",
			idt ? "not page aligned" : "not found");
	}
	/* CR3 as text_poke() loads it: the PGD's physical address with SME's C-bit */
	a->poke_pgd = __sme_pa(mm->pgd);
	a->poke_addr = *(unsigned long *)paddr;
	/*
	 * Kernel-mode execution control (MBEC, where root has it): range 0, the text,
	 * is the core kernel's only code; rodata and the IDT are not.  Modules' text
	 * and the memory the kernel makes executable at run time are module runs
	 * flagged LOCK_MOD_RUN_CODE (lock_mod.c, lock_exec.c).
	 */
	a->code = 1;
	a->flags = sz_lock_exec ? LOCK_WX_KEXEC : 0;
#ifdef SZ_TEST_HOOKS
	if (test_wx_refused)
		a->magic = ~LOCK_WX_ARGS_MAGIC;
#endif
	sz_wx_args = a;
	sz_lock_wx_pa = virt_to_phys(a);
	if (a->nr == 3)
		pr_info("lock: kernel text %llx-%llx, rodata %llx-%llx, IDT %llx-%llx (physical) read/execute-only\n",
			a->range[0].start, a->range[0].end, a->range[1].start,
			a->range[1].end, a->range[2].start, a->range[2].end);
	else
		pr_info("lock: kernel text %llx-%llx, rodata %llx-%llx (physical) read/execute-only\n",
			a->range[0].start, a->range[0].end, a->range[1].start,
			a->range[1].end);
	return;
err:
	pr_warn("lock: kernel text W^X not enforced (symbols missing)\n");
}
