// SPDX-License-Identifier: GPL-2.0
/* core/os.h for Linux. */
#include <linux/atomic.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/printk.h>
#include <linux/memory.h>
#include <linux/notifier.h>
#include <linux/panic.h>
#include <linux/slab.h>
#include <linux/console.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/smp.h>
#include <asm/apic.h>
#include <asm/asm.h>
#include <asm/extable_fixup_types.h>
#include <asm/io.h>
#include <asm/cpufeature.h>
#include <asm/nospec-branch.h>
#include <asm/irq_vectors.h>
#include <asm/tlbflush.h>
#include <asm/pgtable.h>

#include "../core/os.h"
#include "../core/log.h"
#include "../core/vmx.h"
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
 * Linux preallocates the kernel's top-level entries for vmalloc and modules at boot,
 * so those never go stale.
 *
 * Two things can still go wrong, and are handled here.  With page-table isolation the
 * kernel's entry code takes a CR3 with bit 12 set for a user CR3 and switches to the
 * table 4 KiB below it (an NMI or machine check in root runs that code), so the page
 * is the lower half of an 8 KiB-aligned pair: bit 12 is always clear.  And memory
 * hot-add can fill a top-level entry of the direct map that was empty; the kernel
 * copies it into every pgd on pgd_list (sync_global_pgds), which ours is not on, so a
 * memory notifier copies the kernel half again when memory comes online.
 */
static void *os_host_pgd;
static u64 os_host_pgd_pa;

static void os_host_pgd_sync(void)
{
	const u64 *cur = __va(read_cr3_pa());
	u64 *pgd = os_host_pgd;
	unsigned int i;

	/* Entry by entry: a CPU in root may be walking this table right now. */
	for (i = PTRS_PER_PGD / 2; i < PTRS_PER_PGD; i++)
		if (READ_ONCE(pgd[i]) != cur[i])
			WRITE_ONCE(pgd[i], cur[i]);
}

static int os_memory_event(struct notifier_block *nb, unsigned long action, void *arg)
{
	if (action == MEM_ONLINE || action == MEM_GOING_ONLINE)
		os_host_pgd_sync();
	return NOTIFY_OK;
}

static struct notifier_block os_memory_nb = {
	.notifier_call = os_memory_event,
};

/*
 * Speculation hygiene on VM exits as KVM chooses it, from the kernel's own decisions
 * (its feature bits follow mitigations= and the CPU's bugs): RSB stuffing, the BHB
 * clearing loop, IA32_SPEC_CTRL in root.  See vmx.h, vmx_spec.
 */
static void os_spec_setup(void)
{
	u32 f = 0;

	if (boot_cpu_has(X86_FEATURE_RSB_VMEXIT))
		f |= VMX_SPEC_RSB_FILL;
	else if (boot_cpu_has(X86_FEATURE_RSB_VMEXIT_LITE))
		f |= VMX_SPEC_RSB_LITE;
#ifdef X86_FEATURE_CLEAR_BHB_LOOP_ON_VMEXIT
	if (boot_cpu_has(X86_FEATURE_CLEAR_BHB_LOOP_ON_VMEXIT))
		f |= VMX_SPEC_CLEAR_BHB;
#endif
	if (boot_cpu_has(X86_FEATURE_MSR_SPEC_CTRL)) {
		f |= VMX_SPEC_CTRL;
		if (boot_cpu_has(X86_FEATURE_KERNEL_IBRS))
			f |= VMX_SPEC_CTRL_ALWAYS;
		vmx_spec.host_spec_ctrl = x86_spec_ctrl_base;
	}
	vmx_spec.flags = f;
	pr_info("subzero: on every VM exit: return stack buffer %s, branch history %s, IA32_SPEC_CTRL %s\n",
		f & VMX_SPEC_RSB_FILL ? "filled" : f & VMX_SPEC_RSB_LITE ? "filled (lite)" :
		"left alone", f & VMX_SPEC_CLEAR_BHB ? "cleared" : "left alone",
		!(f & VMX_SPEC_CTRL) ? "not present" : f & VMX_SPEC_CTRL_ALWAYS ?
		"set to the host's every time" : "set to the host's where the guest's differs");
}

int os_linux_init(void)
{
	os_spec_setup();
	/* order 1: an 8 KiB-aligned pair, of which the lower page is used (see above) */
	os_host_pgd = os_alloc_pages(1, &os_host_pgd_pa);
	if (!os_host_pgd)
		return -ENOMEM;
	os_host_pgd_sync();
	register_memory_notifier(&os_memory_nb);
	return 0;
}

void os_linux_exit(void)
{
	unregister_memory_notifier(&os_memory_nb);
	os_free_pages(os_host_pgd, 1);
	os_host_pgd = NULL;
}

/*
 * Fail closed (core/os.h): this CPU has left VMX and runs the kernel's code on the
 * host stack with interrupts off.  The lines go out at KERN_CRIT, as every
 * fail-closed line does (core/log.h: LOG_CRIT; a quiet console, loglevel 4, still
 * shows them), then panic(): it stops the other CPUs, runs kdump if loaded,
 * and reboots per panic=.  (The drain work may read the same ring meanwhile on
 * another CPU; a line printed twice is the worst that does.)
 */
void os_vmx_failed(struct log_ring *log, const char *why)
{
	char line[LOG_LINE];
	int ms;

	while (log_take(log, line))
		pr_crit("subzero: %s\n", line);
	/*
	 * The lines may still be on their way to the console, printed by another CPU that
	 * holds the console lock; panic() kexecs into a kdump kernel before it flushes the
	 * console, which would cut the dump short.  Wait (at most 10 s, interrupts off) for
	 * the lock, and print what is left ourselves.
	 */
	for (ms = 0; ms < 10000 && !console_trylock(); ms++)
		mdelay(1);
	if (ms < 10000)
		console_unlock();
	panic("subzero: %s", why);
}

/*
 * INIT to this CPU through its local APIC (xAPIC or x2APIC, whichever the kernel
 * drives), the way the kernel's own wakeup_secondary_cpu_via_init() asserts it; then
 * wait with interrupts off.  The INIT resets the CPU, now that VMX no longer blocks it.
 */
void os_init_self(void)
{
	apic->icr_write(APIC_INT_LEVELTRIG | APIC_INT_ASSERT | APIC_DM_INIT,
			cpu_physical_id(raw_smp_processor_id()));
	for (;;)
		native_halt();
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
