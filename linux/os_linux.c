// SPDX-License-Identifier: GPL-2.0
/* core/os.h for Linux. */
#include <linux/atomic.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/cpumask.h>
#include <linux/smp.h>
#include <asm/apic.h>
#include <asm/asm.h>
#include <asm/extable_fixup_types.h>
#include <asm/io.h>
#include <asm/irq_vectors.h>
#include <asm/mce.h>
#include <asm/tlbflush.h>
#include <asm/pgtable.h>

#include "../core/os.h"
#include "os_linux.h"

static atomic_long_t os_allocs = ATOMIC_LONG_INIT(0);
static atomic_long_t os_bytes = ATOMIC_LONG_INIT(0);

void *os_alloc_pages(unsigned int order, u64 *pa)
{
	struct page *p = alloc_pages(GFP_KERNEL | __GFP_ZERO, order);

	if (!p)
		return NULL;
	atomic_long_inc(&os_allocs);
	atomic_long_add(PAGE_SIZE << order, &os_bytes);
	*pa = page_to_phys(p);
	return page_address(p);
}

void os_free_pages(void *va, unsigned int order)
{
	if (!va)
		return;
	free_pages((unsigned long)va, order);
	atomic_long_dec(&os_allocs);
	atomic_long_sub(PAGE_SIZE << order, &os_bytes);
}

void *os_zalloc(size_t size)
{
	void *p = kzalloc(size, GFP_KERNEL);

	if (p) {
		atomic_long_inc(&os_allocs);
		/* what the allocator really set aside: its size class, or whole pages */
		atomic_long_add(ksize(p), &os_bytes);
	}
	return p;
}

void os_free(void *p)
{
	if (!p)
		return;
	atomic_long_sub(ksize(p), &os_bytes);
	kfree(p);
	atomic_long_dec(&os_allocs);
}

long os_alloc_count(void)
{
	return atomic_long_read(&os_allocs);
}

long os_linux_alloc_bytes(void)
{
	return atomic_long_read(&os_bytes);
}

/*
 * VMX root needs page tables that map the kernel at any moment, on any CPU.  A
 * process's tables do, but the process may exit; init_mm is not exported.  So we keep
 * our own top-level page holding a copy of the kernel half of the current one: x86-64
 * Linux preallocates every kernel top-level entry at boot (vmalloc and modules
 * included), so the copy never goes stale.
 */
static void *os_host_pgd;
static u64 os_host_pgd_pa;

int os_linux_init(void)
{
	const u64 *cur = __va(read_cr3_pa());

	os_host_pgd = os_alloc_pages(0, &os_host_pgd_pa);
	if (!os_host_pgd)
		return -ENOMEM;
	memcpy((u64 *)os_host_pgd + PTRS_PER_PGD / 2, cur + PTRS_PER_PGD / 2,
	       PAGE_SIZE / 2);
	return 0;
}

void os_linux_exit(void)
{
	os_free_pages(os_host_pgd, 0);
	os_host_pgd = NULL;
}

notrace void *os_phys_to_virt(u64 pa)
{
	return __va(pa);
}

/*
 * rdmsrl_safe() without its read_msr tracepoint (and without the paravirt hook, which
 * only Xen PV fills, and Xen PV guests have no VMX): a tracepoint must not fire in VMX
 * root, where the guest kernel may be inside the tracing code.  The fixup is the
 * kernel's own: on a #GP it puts -EIO in err and zeroes EAX:EDX.  notrace: these two
 * are called in VMX root.
 */
notrace int os_rdmsr_safe(u32 msr, u64 *val)
{
	u32 lo, hi;
	int err;

	asm volatile("1: rdmsr ; xor %[err], %[err]\n"
		     "2:\n\t"
		     _ASM_EXTABLE_TYPE_REG(1b, 2b, EX_TYPE_RDMSR_SAFE, %[err])
		     : [err] "=r"(err), "=a"(lo), "=d"(hi)
		     : "c"(msr));
	if (err)
		return -EIO;
	*val = ((u64)hi << 32) | lo;
	return 0;
}

/*
 * Through the mask call, not send_IPI_self: the x2APIC's SELF IPI register takes fixed
 * vectors only, where NMI_VECTOR would be an illegal vector 2.
 */
notrace void os_self_nmi(void)
{
	apic->send_IPI_mask(cpumask_of(smp_processor_id()), NMI_VECTOR);
}

/* As KVM's kvm_machine_check(): the kernel's handler, for a kernel context. */
notrace void os_machine_check(void)
{
#ifdef CONFIG_X86_MCE
	struct pt_regs regs = { .cs = __KERNEL_CS, .flags = 0 };

	do_machine_check(&regs);
#endif
}

u64 os_host_cr3(void)
{
	return os_host_pgd_pa;
}

void os_log(const char *fmt, ...)
{
	struct va_format vaf;
	va_list ap;

	va_start(ap, fmt);
	vaf.fmt = fmt;
	vaf.va = &ap;
	pr_info("subzero: %pV\n", &vaf);
	va_end(ap);
}
