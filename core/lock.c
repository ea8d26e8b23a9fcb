// SPDX-License-Identifier: GPL-2.0
/*
 * The lock's policy (lock.h): pure decisions first, then what applies them to one
 * CPU's VMCS in root.
 */
#include "lock.h"
#include "errors.h"
#include "ept.h"
#include "vmx.h"
#include "vmx_decode.h"
#include "arch/x86.h"
#include <cpu_ops.h>

const u32 lock_msr_numbers[LOCK_MSR_NR] = {
	[LOCK_MSR_STAR] = MSR_STAR,
	[LOCK_MSR_LSTAR] = MSR_LSTAR,
	[LOCK_MSR_CSTAR] = MSR_CSTAR,
	[LOCK_MSR_SFMASK] = MSR_SYSCALL_MASK,
	[LOCK_MSR_SYSENTER_CS] = MSR_IA32_SYSENTER_CS,
	[LOCK_MSR_SYSENTER_ESP] = MSR_IA32_SYSENTER_ESP,
	[LOCK_MSR_SYSENTER_EIP] = MSR_IA32_SYSENTER_EIP,
	[LOCK_MSR_S_CET] = MSR_IA32_S_CET,
	[LOCK_MSR_PL0_SSP] = MSR_IA32_PL0_SSP,
	[LOCK_MSR_PL1_SSP] = MSR_IA32_PL1_SSP,
	[LOCK_MSR_PL2_SSP] = MSR_IA32_PL2_SSP,
	[LOCK_MSR_INT_SSP_TAB] = MSR_IA32_INT_SSP_TAB,
};

/* ---- the decisions (pure) ---- */

void lock_capture(struct lock_state *ls, const struct lock_cpu_state *s)
{
	unsigned int i;

	ls->cet = s->cet;
	ls->cr0 = s->cr0 & LOCK_CR0_PINNED;
	ls->cr4 = s->cr4 & LOCK_CR4_PINNED;
	ls->efer = s->efer & LOCK_EFER_BITS;
	ls->gdtr_base = s->gdtr_base;
	ls->gdtr_alt = s->gdtr_alt;
	ls->idtr_base = s->idtr_base;
	for (i = 0; i < LOCK_MSR_NR; i++)
		ls->msr[i] = i >= LOCK_MSR_FIRST_CET && !s->cet ? 0 : s->msr[i];
	ls->on = true;
}

u64 lock_cr_refused(const struct lock_state *ls, unsigned int cr, u64 val)
{
	if (!ls->on)
		return 0;
	if (cr == 0)
		return ls->cr0 & ~val;
	if (cr == 4)
		return ls->cr4 & ~val;
	return 0;
}

int lock_msr_index(u32 msr, bool cet)
{
	int i;

	for (i = 0; i < LOCK_MSR_NR; i++)
		if (lock_msr_numbers[i] == msr)
			return i >= LOCK_MSR_FIRST_CET && !cet ? -1 : i;
	return -1;
}

bool lock_msr_covered(u32 msr, bool cet)
{
	return msr == MSR_EFER || lock_msr_index(msr, cet) >= 0;
}

bool lock_msr_allowed(const struct lock_state *ls, u32 msr, u64 val)
{
	int i;

	if (!ls->on)
		return true;
	if (msr == MSR_EFER)
		return (val & LOCK_EFER_BITS) == ls->efer;
	i = lock_msr_index(msr, ls->cet);
	return i < 0 || val == ls->msr[i];
}

bool lock_dt_allowed(const struct lock_state *ls, bool idt, u64 base)
{
	if (!ls->on)
		return true;
	if (idt)
		return base == ls->idtr_base;
	return base == ls->gdtr_base || (ls->gdtr_alt && base == ls->gdtr_alt);
}

int lock_split(u64 start, u64 end, unsigned int max_level, struct lock_range *out,
	       unsigned int max)
{
	unsigned int n = 0, level;
	u64 size;

	if ((start | end) & (PAGE_SIZE - 1) || end <= start || max_level < EPT_LEVEL_4K)
		return -EINVAL;
	if (max_level > EPT_LEVEL_1G)
		max_level = EPT_LEVEL_1G;
	while (start < end) {
		for (level = max_level; level > EPT_LEVEL_4K; level--) {
			size = ept_level_size(level);
			if (!(start & (size - 1)) && end - start >= size)
				break;
		}
		if (n < max)
			out[n] = (struct lock_range){ start, level };
		n++;
		start += ept_level_size(level);
	}
	return (int)n;
}

/* ---- in root ---- */

void lock_event(struct vcpu *v, enum lock_what what, u64 target, u64 value, u32 flags)
{
	struct watch_event ev = {
		.tsc = cpu_rdtsc(),
		.gpa = value,
		.gla = target,
		.rip = vmcs_readn(GUEST_RIP),
		.cpu = v->cpu,
		.access = what,
		.kind = WATCH_KIND_LOCK,
		.flags = flags,
	};

	if (v->events)
		watch_ring_put(v->events, &ev);
}

bool lock_cpu_has_cet(void)
{
	u32 r[4];

	cpu_cpuid(0, 0, r);
	if (r[0] < 7)
		return false;
	cpu_cpuid(7, 0, r);
	return (r[2] & BIT(7)) || (r[3] & BIT(20));	/* CET_SS, IBT */
}

/* The guest's view of CR0/CR4: its own bits, and the shadow's where the mask is set. */
#define guest_cr(field, shadow, mask)						\
	({ u64 __m = vmcs_readn(mask);						\
	   (vmcs_readn(field) & ~__m) | (vmcs_readn(shadow) & __m); })

/*
 * Make a change to a pinned bit exit (SDM Vol. 3C, 25.6.6: a MOV to CR exits when a
 * bit set in the mask would differ from the read shadow).  The shadow must first hold
 * the guest's own value of the bits now masked, or reads would change under it.
 */
static void lock_set_masks(struct vcpu *v)
{
	u64 cr0 = guest_cr(GUEST_CR0, CR0_READ_SHADOW, CR0_GUEST_HOST_MASK);
	u64 cr4 = guest_cr(GUEST_CR4, CR4_READ_SHADOW, CR4_GUEST_HOST_MASK) & ~X86_CR4_VMXE;

	vmcs_writen(NULL, CR0_READ_SHADOW, cr0);
	vmcs_writen(NULL, CR4_READ_SHADOW, cr4);
	vmcs_writen(NULL, CR0_GUEST_HOST_MASK, vmcs_readn(CR0_GUEST_HOST_MASK) | v->lock.cr0);
	vmcs_writen(NULL, CR4_GUEST_HOST_MASK, vmcs_readn(CR4_GUEST_HOST_MASK) | v->lock.cr4);
}

bool lock_dt_exiting_allowed(const struct vcpu *v)
{
	return (v->procbased & CPU_BASED_ACTIVATE_SECONDARY_CONTROLS) &&
	       ((vmx_ctl_cap(v->caps, VMX_CTL_PROC2) >> 32) & SECONDARY_EXEC_DESC);
}

/*
 * Descriptor-table exiting (SDM Vol. 3C, 25.6.2, Table 25-7), only on a locked CPU: it
 * makes SGDT/SIDT/SLDT/STR and LLDT/LTR exit too, which an unlocked CPU need not pay.
 * Where the CPU cannot, the lock holds the rest and the status says so.
 */
static void lock_set_dt_exiting(struct vcpu *v)
{
	v->lock.dt_exiting = lock_dt_exiting_allowed(v);
	if (v->lock.dt_exiting)
		vmcs_write32(NULL, SECONDARY_VM_EXEC_CONTROL,
			     vmcs_read32(SECONDARY_VM_EXEC_CONTROL) | SECONDARY_EXEC_DESC);
	v->lock_dt = v->lock.dt_exiting;
}

void lock_engage(struct vcpu *v, u64 gdt_alt)
{
	struct lock_cpu_state s = { 0 };
	unsigned int i;

	if (v->lock.on)
		return;
	s.cr0 = guest_cr(GUEST_CR0, CR0_READ_SHADOW, CR0_GUEST_HOST_MASK);
	s.cr4 = guest_cr(GUEST_CR4, CR4_READ_SHADOW, CR4_GUEST_HOST_MASK);
	s.efer = vmcs_read64(GUEST_IA32_EFER);
	s.gdtr_base = vmcs_readn(GUEST_GDTR_BASE);
	s.idtr_base = vmcs_readn(GUEST_IDTR_BASE);
	s.gdtr_alt = gdt_alt;
	s.cet = lock_cpu_has_cet();
	/* The SYSENTER MSRs are guest state in the VMCS; the rest pass through. */
	s.msr[LOCK_MSR_SYSENTER_CS] = vmcs_read32(GUEST_SYSENTER_CS);
	s.msr[LOCK_MSR_SYSENTER_ESP] = vmcs_readn(GUEST_SYSENTER_ESP);
	s.msr[LOCK_MSR_SYSENTER_EIP] = vmcs_readn(GUEST_SYSENTER_EIP);
	for (i = 0; i < LOCK_MSR_NR; i++) {
		if (i >= LOCK_MSR_SYSENTER_CS && i <= LOCK_MSR_SYSENTER_EIP)
			continue;
		if (i >= LOCK_MSR_FIRST_CET && !s.cet)
			continue;
		s.msr[i] = cpu_rdmsr(lock_msr_numbers[i]);
	}
	lock_capture(&v->lock, &s);
	lock_set_masks(v);
	lock_set_dt_exiting(v);
	v->lock_on = true;
	v->lock_cet = v->lock.cet;
	v->lock_cr0 = v->lock.cr0;
	v->lock_cr4 = v->lock.cr4;
	lock_event(v, LOCK_EV_LOCKED, v->lock.cr0, v->lock.cr4, WATCH_EV_ALLOWED);
}

void lock_relaunch(struct vcpu *v)
{
	unsigned int i;
	u64 cur;

	if (!v->lock.on)
		return;
	vmcs_writen(NULL, GUEST_CR0, vmcs_readn(GUEST_CR0) | v->lock.cr0);
	vmcs_writen(NULL, GUEST_CR4, vmcs_readn(GUEST_CR4) | v->lock.cr4);
	lock_set_masks(v);
	lock_set_dt_exiting(v);
	for (i = 0; i < LOCK_MSR_NR; i++) {
		if (i >= LOCK_MSR_SYSENTER_CS && i <= LOCK_MSR_SYSENTER_EIP)
			continue;	/* vmcs_setup_guest() read them: see below */
		if (i >= LOCK_MSR_FIRST_CET && !v->lock.cet)
			continue;
		cur = cpu_rdmsr(lock_msr_numbers[i]);
		if (cur != v->lock.msr[i]) {
			cpu_wrmsr(lock_msr_numbers[i], v->lock.msr[i]);
			v->lock_restored++;
			lock_event(v, LOCK_EV_RESTORED, lock_msr_numbers[i], cur, WATCH_EV_ALLOWED);
		}
	}
	if (vmcs_read32(GUEST_SYSENTER_CS) != v->lock.msr[LOCK_MSR_SYSENTER_CS] ||
	    vmcs_readn(GUEST_SYSENTER_ESP) != v->lock.msr[LOCK_MSR_SYSENTER_ESP] ||
	    vmcs_readn(GUEST_SYSENTER_EIP) != v->lock.msr[LOCK_MSR_SYSENTER_EIP]) {
		vmcs_write32(NULL, GUEST_SYSENTER_CS, (u32)v->lock.msr[LOCK_MSR_SYSENTER_CS]);
		vmcs_writen(NULL, GUEST_SYSENTER_ESP, v->lock.msr[LOCK_MSR_SYSENTER_ESP]);
		vmcs_writen(NULL, GUEST_SYSENTER_EIP, v->lock.msr[LOCK_MSR_SYSENTER_EIP]);
		v->lock_restored++;
	}
	cur = vmcs_read64(GUEST_IA32_EFER);
	if ((cur & LOCK_EFER_BITS) != v->lock.efer) {
		vmcs_write64(NULL, GUEST_IA32_EFER, (cur & ~LOCK_EFER_BITS) | v->lock.efer);
		v->lock_restored++;
	}
	v->lock_on = true;
}
