// SPDX-License-Identifier: GPL-2.0
/*
 * The C half of the exit path: decode, dispatch through a bounds-checked table, and
 * the handlers.  Runs in VMX root: no sleeping, no locks the guest may hold, no printk
 * (vcpu log ring only).
 *
 * Handler contract (KVM's): return 0 to resume the guest (the handler has advanced
 * GUEST_RIP or injected an event itself), 1 to leave VMX on this CPU, or a negative
 * errno when the exit cannot be handled: the VMCS is dumped and the CPU fails closed.
 */
#include "exit.h"
#include "errors.h"
#include "lib.h"
#include "os.h"
#include "vmx.h"
#include "seal.h"
#include "lock.h"
#include "arch/x86.h"
#include <cpu_ops.h>

#define SUBZERO_CPUID_BASE	0x40000000
#define SUBZERO_CPUID_MAX	0x40000001
#define SUBZERO_INTERFACE_VERSION 1

/*
 * VMCS access on the hot exit paths, inline: an out-of-line accessor costs as much as
 * the VMREAD it wraps.  Width-checked like vmcs_read32() and friends, with the same
 * results: a VMREAD that fails reads 0, a VMWRITE that fails is ignored (as with
 * vmcs_write32(NULL, ...)).
 */
static __always_inline u64 exit_vmread(u32 field)
{
	u64 val;

	return cpu_vmread_ok(field, &val) ? val : 0;
}

#define exit_read32(f) ({ VMCS_WIDTH_CHECK(f, 2, "32-bit"); (u32)exit_vmread(f); })
#define exit_readn(f)  ({ VMCS_WIDTH_CHECK(f, 3, "natural-width"); exit_vmread(f); })
#define exit_write32(f, v) \
	({ VMCS_WIDTH_CHECK(f, 2, "32-bit"); (void)cpu_vmwrite(f, (u32)(v)); })
#define exit_writen(f, v) \
	({ VMCS_WIDTH_CHECK(f, 3, "natural-width"); (void)cpu_vmwrite(f, (u64)(v)); })

/* ---- helpers: one to skip the instruction, one to inject an event ---- */

/*
 * The guest single-steps (RFLAGS.TF, without DEBUGCTL.BTF) over an instruction we
 * performed for it: the single-step trap it would have raised is made pending, and the
 * CPU delivers it, with DR6.BS, right after VM entry, before the next instruction
 * (SDM Vol. 3C, 27.7.3; KVM's kvm_skip_emulated_instruction()).  Out of line: rare.
 */
static noinline void skip_single_step(void)
{
	if (exit_vmread(GUEST_IA32_DEBUGCTL) & DEBUGCTL_BTF)
		return;		/* TF traps on branches only: not one */
	exit_writen(GUEST_PENDING_DBG_EXCEPTIONS,
		    exit_readn(GUEST_PENDING_DBG_EXCEPTIONS) | DR6_BS);
}

static __always_inline void skip_instruction(void)
{
	u64 rip = exit_readn(GUEST_RIP) + exit_read32(VM_EXIT_INSTRUCTION_LEN);
	u32 intr = exit_read32(GUEST_INTERRUPTIBILITY_INFO);

	exit_writen(GUEST_RIP, rip);
	/* The instruction completed: blocking by STI and by MOV SS ends (SDM 25.4.2). */
	if (intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS))
		exit_write32(GUEST_INTERRUPTIBILITY_INFO,
			     intr & ~(GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS));
	if (__builtin_expect(exit_readn(GUEST_RFLAGS) & X86_EFLAGS_TF, 0))
		skip_single_step();
}

static void inject_exception(u32 vector, bool has_code, u32 code)
{
	u32 info = vector | (INTR_TYPE_HARD_EXCEPTION << INTR_INFO_TYPE_SHIFT) | INTR_INFO_VALID;

	if (has_code) {
		info |= INTR_INFO_DELIVER_CODE;
		vmcs_write32(NULL, VM_ENTRY_EXCEPTION_ERROR_CODE, code);
	}
	vmcs_write32(NULL, VM_ENTRY_INTR_INFO_FIELD, info);
}

static void inject_ud(void)
{
	inject_exception(X86_VEC_UD, false, 0);
}

static void inject_gp(void)
{
	inject_exception(X86_VEC_GP, true, 0);
}

void exit_skip_instruction(void)
{
	skip_instruction();
}

void exit_inject_exception(u32 vector, bool has_code, u32 code)
{
	inject_exception(vector, has_code, code);
}

unsigned int exit_guest_cpl(void)
{
	return (vmcs_read32(GUEST_SS_AR_BYTES) >> 5) & 3;
}

/* ---- handlers ---- */

typedef int (*exit_handler_t)(struct vcpu *v, struct guest_regs *r);

static __always_inline int handle_cpuid(struct vcpu *v, struct guest_regs *r)
{
	u32 leaf = (u32)r->gpr[REG_RAX], sub = (u32)r->gpr[REG_RCX], regs[4];

	(void)v;
	if (leaf >= SUBZERO_CPUID_BASE && leaf <= 0x400000ff) {
		regs[0] = regs[1] = regs[2] = regs[3] = 0;
		if (leaf == SUBZERO_CPUID_BASE) {
			/* max leaf; the signature "subzero\0\0\0\0\0" in EBX, ECX, EDX */
			regs[0] = SUBZERO_CPUID_MAX;
			regs[1] = 0x7a627573;	/* "subz" */
			regs[2] = 0x006f7265;	/* "ero\0" */
			regs[3] = 0;
		} else if (leaf == SUBZERO_CPUID_MAX) {
			regs[0] = SUBZERO_INTERFACE_VERSION;
		}
	} else {
		cpu_cpuid(leaf, sub, regs);
		if (leaf == 1) {
			regs[2] &= ~X86_FEATURE_ECX_VMX;	/* VMX is ours */
			regs[2] |= X86_FEATURE_ECX_HYPERVISOR;
		}
	}
	r->gpr[REG_RAX] = regs[0];
	r->gpr[REG_RBX] = regs[1];
	r->gpr[REG_RCX] = regs[2];
	r->gpr[REG_RDX] = regs[3];
	skip_instruction();
	return 0;
}

static int handle_invd(struct vcpu *v, struct guest_regs *r)
{
	(void)v;
	(void)r;
	/* Dropping dirty lines would corrupt memory we share: write them back instead. */
	cpu_wbinvd();
	skip_instruction();
	return 0;
}

/*
 * XCR0 values XSETBV accepts (SDM Vol. 2C, XSETBV, and Vol. 1, 13.3): anything else
 * raises #GP, and must be turned into the guest's #GP here, never executed in root.
 */
static bool xcr0_valid(u64 val, u64 supported)
{
	if (val & ~supported)
		return false;
	if (!(val & XFEATURE_MASK_FP))
		return false;			/* x87 state cannot be turned off */
	if ((val & XFEATURE_MASK_YMM) && !(val & XFEATURE_MASK_SSE))
		return false;			/* AVX needs SSE */
	/* MPX: BNDREGS and BNDCSR together */
	if (!(val & XFEATURE_MASK_BNDREGS) != !(val & XFEATURE_MASK_BNDCSR))
		return false;
	/* AVX-512: opmask, ZMM_Hi256 and Hi16_ZMM all or none, and only with AVX */
	if (val & XFEATURE_MASK_AVX512) {
		if ((val & XFEATURE_MASK_AVX512) != XFEATURE_MASK_AVX512 ||
		    !(val & XFEATURE_MASK_YMM))
			return false;
	}
	/* AMX: TILECFG and TILEDATA together */
	if (!(val & XFEATURE_MASK_XTILECFG) != !(val & XFEATURE_MASK_XTILEDATA))
		return false;
	return true;
}

static int handle_xsetbv(struct vcpu *v, struct guest_regs *r)
{
	u32 index = (u32)r->gpr[REG_RCX], regs[4];
	u64 val = (r->gpr[REG_RDX] << 32) | (u32)r->gpr[REG_RAX], supported;

	(void)v;
	cpu_cpuid(0xd, 0, regs);
	supported = ((u64)regs[3] << 32) | regs[0];
	/* #GP for CPL > 0, an XCR other than XCR0, or a value XCR0 cannot hold. */
	if (exit_guest_cpl() || index != 0 || !xcr0_valid(val, supported)) {
		inject_gp();
		return 0;
	}
	cpu_xsetbv(index, val);
	skip_instruction();
	return 0;
}

/*
 * The MSR bitmap covers 0-0x1fff and 0xc0000000-0xc0001fff (SDM Vol. 3C, 25.6.9); an
 * access to any other MSR always exits.  Such MSRs exist on real CPUs (Sapphire
 * Rapids' uncore PMU at 0x2000 and up), so the access is made for the guest, in root,
 * by an instruction whose #GP is fixed up (cpu_rdmsr_safe): the guest gets #GP only if
 * the CPU raised one.
 */
static bool msr_in_bitmap(u32 msr)
{
	return msr <= 0x1fff || (msr >= 0xc0000000 && msr <= 0xc0001fff);
}

/* The VMX MSRs (0x480-0x493): the guest has no VMX, so they do not exist. */
static bool msr_vmx(u32 msr)
{
	return msr >= MSR_IA32_VMX_BASIC && msr <= MSR_IA32_VMX_EXIT_CTLS2;
}

static int handle_rdmsr(struct vcpu *v, struct guest_regs *r)
{
	u32 msr = (u32)r->gpr[REG_RCX];
	u64 val;

	if (msr == MSR_IA32_FEATURE_CONTROL) {
		/* Locked, with VMX off: what a guest without VMX would see. */
		val = (cpu_rdmsr(msr) | FEATURE_CONTROL_LOCKED) &
		      ~(FEATURE_CONTROL_VMXON_INSIDE_SMX | FEATURE_CONTROL_VMXON_OUTSIDE_SMX);
	} else if (msr_vmx(msr) || msr_in_bitmap(msr) || cpu_rdmsr_safe(msr, &val)) {
		/* the VMX MSRs, or an MSR the CPU itself refused */
		if (!msr_vmx(msr) && !msr_in_bitmap(msr))
			v->msr_faults++;
		inject_gp();
		return 0;
	}
	r->gpr[REG_RAX] = (u32)val;
	r->gpr[REG_RDX] = val >> 32;
	skip_instruction();
	return 0;
}

/* Is @va canonical for the guest's paging mode (48 bits, or 57 with CR4.LA57)? */
static bool guest_canonical(u64 va)
{
	unsigned int bits = vmcs_readn(GUEST_CR4) & X86_CR4_LA57 ? 57 : 48;

	return (u64)((s64)(va << (64 - bits)) >> (64 - bits)) == va;
}

/*
 * A write to an MSR the lock covers (they always exit: the MSR bitmap, vmx.c).  The
 * lock decides (lock_msr_allowed()); an allowed write is done as the CPU would do it:
 * the SYSENTER MSRs and EFER are guest state in the VMCS, the others pass through to
 * the CPU, after the checks that would make WRMSR #GP (SDM Vol. 4, Table 2-2), so that
 * root itself never takes one.
 */
static int lock_wrmsr(struct vcpu *v, u32 msr, u64 val)
{
	u64 efer;

	if (!lock_msr_allowed(&v->lock, msr, val)) {
		v->lock_msr_refused++;
		lock_event(v, LOCK_EV_MSR, msr, val, WATCH_EV_REFUSED);
		inject_gp();
		return 0;
	}
	if (v->lock.on)
		v->lock_msr_kept++;
	switch (msr) {
	case MSR_IA32_SYSENTER_CS:
		vmcs_write32(NULL, GUEST_SYSENTER_CS, (u32)val);
		break;
	case MSR_IA32_SYSENTER_ESP:
	case MSR_IA32_SYSENTER_EIP:
		if (!guest_canonical(val))
			goto gp;
		if (msr == MSR_IA32_SYSENTER_ESP)
			vmcs_writen(NULL, GUEST_SYSENTER_ESP, val);
		else
			vmcs_writen(NULL, GUEST_SYSENTER_EIP, val);
		break;
	case MSR_EFER:
		/* Only SCE, LME, NXE (LMA is read-only); LME cannot change with paging on. */
		efer = vmcs_read64(GUEST_IA32_EFER);
		if ((val & ~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE)) ||
		    ((val ^ efer) & EFER_LME))
			goto gp;
		vmcs_write64(NULL, GUEST_IA32_EFER, (val & ~EFER_LMA) | (efer & EFER_LMA));
		break;
	case MSR_LSTAR:
	case MSR_CSTAR:
		if (!guest_canonical(val) || cpu_wrmsr_safe(msr, val))
			goto gp;
		break;
	case MSR_SYSCALL_MASK:
		if ((val >> 32) || cpu_wrmsr_safe(msr, val))
			goto gp;
		break;
	case MSR_STAR:
		if (cpu_wrmsr_safe(msr, val))
			goto gp;
		break;
	case MSR_IA32_PL0_SSP:
	case MSR_IA32_PL1_SSP:
	case MSR_IA32_PL2_SSP:
	case MSR_IA32_INT_SSP_TAB:
		/* CET (only intercepted where the CPU has it): canonical, 4-byte aligned */
		if (!guest_canonical(val) || (val & 3) || cpu_wrmsr_safe(msr, val))
			goto gp;
		break;
	case MSR_IA32_S_CET:
		/* bits 9:6 reserved; 63:12 the legacy bitmap's (canonical) address */
		if ((val & 0x3c0) || !guest_canonical(val & ~0xfffULL) || cpu_wrmsr_safe(msr, val))
			goto gp;
		break;
	default:
		goto gp;
	}
	skip_instruction();
	return 0;
gp:
	inject_gp();
	return 0;
}

static int handle_wrmsr(struct vcpu *v, struct guest_regs *r)
{
	u32 msr = (u32)r->gpr[REG_RCX];
	u64 val = (r->gpr[REG_RDX] << 32) | (u32)r->gpr[REG_RAX];

	/* The MSRs the lock covers always exit (vmx_msr_bitmap_init()). */
	if (lock_msr_covered(msr, v->cet))
		return lock_wrmsr(v, msr, val);
	/*
	 * IA32_FEATURE_CONTROL is locked; the VMX MSRs are read-only or absent; an MSR
	 * outside the bitmap's ranges is written for the guest, and #GP if it faults.
	 */
	if (msr_in_bitmap(msr) || msr_vmx(msr) || cpu_wrmsr_safe(msr, val)) {
		if (!msr_vmx(msr) && !msr_in_bitmap(msr))
			v->msr_faults++;
		inject_gp();
		return 0;
	}
	skip_instruction();
	return 0;
}

static int handle_cr_access(struct vcpu *v, struct guest_regs *r)
{
	const struct vmx_caps *c = v->caps;
	struct cr_access a;
	u64 val, pinned;

	exit_decode_cr_access(vmcs_readn(EXIT_QUALIFICATION), &a);
	if (a.type == CR_LMSW) {
		/* LMSW loads CR0[3:0] but cannot clear PE */
		u64 cr0 = vmcs_readn(CR0_READ_SHADOW);

		val = (cr0 & ~0xeULL) | (a.lmsw_source & 0xf) | (cr0 & X86_CR0_PE);
		a.cr = 0;
	} else if (a.type == CR_MOV_TO) {
		val = a.reg == REG_RSP ? vmcs_readn(GUEST_RSP) : r->gpr[a.reg];
	} else {
		return -EOPNOTSUPP;	/* we never ask for MOV-from-CR or CLTS exits */
	}

	/* The lock first: a write that would clear a pinned bit is refused (lock.h). */
	pinned = lock_cr_refused(&v->lock, a.cr, val);
	if (pinned) {
		v->lock_cr_refused++;
		lock_event(v, a.cr == 0 ? LOCK_EV_CR0 : LOCK_EV_CR4, pinned, val, WATCH_EV_REFUSED);
		inject_gp();
		return 0;
	}
	if (a.cr == 0) {
		if ((val & c->cr0_fixed0) != c->cr0_fixed0) {
			inject_gp();	/* clearing PE, NE or PG: impossible under VMX */
			return 0;
		}
		vmcs_writen(NULL, GUEST_CR0, (val | c->cr0_fixed0) & c->cr0_fixed1);
		vmcs_writen(NULL, CR0_READ_SHADOW, val);
	} else if (a.cr == 4) {
		if (val & X86_CR4_VMXE) {
			inject_gp();	/* CPUID says there is no VMX */
			return 0;
		}
		vmcs_writen(NULL, GUEST_CR4, ((val | c->cr4_fixed0) & c->cr4_fixed1) | X86_CR4_VMXE);
		vmcs_writen(NULL, CR4_READ_SHADOW, val);
		/*
		 * The guest expects the TLB effects of its write (PGE, PCIDE...): with
		 * VPID they are ours to make, with the INVVPID type the CPU reports;
		 * without, the VM entry flushes them itself (SDM Vol. 3C, 29.1.3).
		 */
		if (v->vpid_on)
			cpu_invvpid(vmx_vpid_flush_type(c), v->vpid, 0);
	} else {
		return -EOPNOTSUPP;
	}
	skip_instruction();
	return 0;
}

/*
 * With NMI exiting on, an NMI in non-root exits here (SDM Vol. 3C, 26.2): hold it for
 * the guest.  An NMI that causes a VM exit leaves NMIs blocked until the next IRET,
 * and root code never IRETs on its own, so IRET once: an NMI that comes while we are
 * still in root then reaches the host IDT instead of waiting (on Bochs, VM entry does
 * not end the blocking either).  No exception is intercepted (the exception bitmap
 * is 0), so any other interruption type here is unexpected.
 */
static int handle_exception_nmi(struct vcpu *v, struct guest_regs *r)
{
	u32 info = vmcs_read32(VM_EXIT_INTR_INFO);
	u32 type = (info & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT;

	if (!(info & INTR_INFO_VALID))
		return -EOPNOTSUPP;
	if (type == INTR_TYPE_NMI) {
		vcpu_hold_nmi(v);
		cpu_unblock_nmis();
		return 0;
	}
	/* Exceptions are intercepted only during a watch step by RFLAGS.TF. */
	return watch_step_exception(v, r);
}

/* The guest can take an NMI now: stop asking; nmi_deliver() (or mce_deliver()) injects it. */
static int handle_nmi_window(struct vcpu *v, struct guest_regs *r)
{
	(void)r;
	vmcs_write32(NULL, CPU_BASED_VM_EXEC_CONTROL, v->procbased);
	return 0;
}

static int handle_vmx_instruction(struct vcpu *v, struct guest_regs *r)
{
	(void)v;
	(void)r;
	/* The guest has no VMX (CPUID.1:ECX.VMX = 0): every VMX instruction is #UD. */
	inject_ud();
	return 0;
}

static int handle_vmcall(struct vcpu *v, struct guest_regs *r)
{
	if (exit_guest_cpl() != 0) {
		inject_ud();	/* as VMCALL outside VMX non-root would */
		return 0;
	}
	/*
	 * Policy-changing calls come only from the module's own code (write-protected
	 * in every EPT), whatever key they carry; the key is checked second.  The key
	 * is public, so without this any ring-0 code could devirtualize or apply a
	 * table (issue 13), or end the monitor trap flag probe untrapped and so turn
	 * this CPU's watch steps to RFLAGS.TF for good (issue 11).
	 */
	if ((r->gpr[REG_RAX] == SUBZERO_HC_DEVIRT || r->gpr[REG_RAX] == SUBZERO_HC_WATCH_SYNC ||
	     r->gpr[REG_RAX] == SUBZERO_HC_LOCK || r->gpr[REG_RAX] == SUBZERO_HC_LOCK_MOD ||
	     r->gpr[REG_RAX] == SUBZERO_HC_LOCK_MOD_RELEASE ||
	     r->gpr[REG_RAX] == SUBZERO_HC_LOCK_KEXEC ||
	     r->gpr[REG_RAX] == SUBZERO_HC_MTF_PROBE) &&
	    seal_caller_check(v, vmcs_readn(GUEST_RIP), vmcs_readn(GUEST_CR3),
			      vmcs_readn(GUEST_CR4))) {
		v->policy_refused++;
		r->gpr[REG_RAX] = (u64)-EPERM;
		skip_instruction();
		return 0;
	}
	if (r->gpr[REG_RCX] != SUBZERO_VMCALL_KEY) {
		r->gpr[REG_RAX] = (u64)-EPERM;
		skip_instruction();
		return 0;
	}
	switch (r->gpr[REG_RAX]) {
	case SUBZERO_HC_PING:
		r->gpr[REG_RAX] = SUBZERO_HC_PONG;
		break;
#ifdef SZ_TEST_HOOKS
	case SUBZERO_HC_TEST_SPIN:
		if (!v->test_hooks || r->gpr[REG_RDX] > SUBZERO_HC_SPIN_MAX) {
			r->gpr[REG_RAX] = (u64)-EINVAL;
			break;
		}
		for (u64 t0 = cpu_rdtsc(); cpu_rdtsc() - t0 < r->gpr[REG_RDX];)
			;
		r->gpr[REG_RAX] = 0;
		break;
	case SUBZERO_HC_TEST_XCHECK: {
		int ret;

		if (!v->test_hooks) {
			r->gpr[REG_RAX] = (u64)-EINVAL;
			break;
		}
		if (r->gpr[REG_RDX] == ~0ULL) {
			r->gpr[REG_RAX] = entry_xcheck_count();
			break;
		}
		/* The answer comes from entry_xcheck_finish(), after the entry. */
		ret = entry_xcheck_start(v, r->gpr[REG_RDX]);
		r->gpr[REG_RAX] = (u64)(long)ret;
		break;
	}
#endif
	case SUBZERO_HC_WATCH_SYNC:
		r->gpr[REG_RAX] = v->ept.pml4 ? (u64)(long)watch_sync(v) : (u64)-EOPNOTSUPP;
		break;
	case SUBZERO_HC_MTF_PROBE:
		r->gpr[REG_RAX] = (u64)(long)watch_mtf_probe(v, r->gpr[REG_RDX]);
		break;
	case SUBZERO_HC_EPT_QUERY: {
		unsigned int level = 0;
		u64 *leaf = v->ept.pml4 ? ept_leaf(&v->ept, r->gpr[REG_RDX], &level) : NULL;

		r->gpr[REG_RAX] = !v->ept.pml4 ? (u64)-EOPNOTSUPP : !leaf ? (u64)-ERANGE :
				  (*leaf & ~(7ULL << 60)) | (u64)level << 60;
		break;
	}
	case SUBZERO_HC_LOCK:
		/*
		 * RDX: the kernel text W^X ranges (lock_wx.h), or 0; RSI: this CPU's other
		 * GDT base (lock_engage()), or 0.  Both from the module's own code
		 * (seal_caller_check() above).
		 */
		lock_engage(v, r->gpr[REG_RSI]);
		r->gpr[REG_RAX] = (u64)(long)lock_wx_engage(v, r->gpr[REG_RDX]);
		break;
	case SUBZERO_HC_LOCK_MOD:
		/* RDX: a module's runs to add or release (lock_mod.h), checked there */
		r->gpr[REG_RAX] = (u64)(long)lock_mod_hypercall(v, r->gpr[REG_RDX]);
		break;
	case SUBZERO_HC_LOCK_MOD_RELEASE:
		/* RDX: the module's id, or LOCK_MOD_ALL (lock_mod.h) */
		r->gpr[REG_RAX] = (u64)(long)lock_mod_release(v, r->gpr[REG_RDX]);
		break;
	case SUBZERO_HC_LOCK_KEXEC:
		r->gpr[REG_RAX] = (u64)(long)lock_kexec_engage(v);
		break;
	case SUBZERO_HC_DEVIRT:
		/*
		 * Locked: only the CPU-offline path may leave VMX (the CPU comes back under
		 * the same policy, lock_relaunch()); anything else is refused.
		 */
		if (v->lock.on && r->gpr[REG_RDX] != SUBZERO_DEVIRT_OFFLINE) {
			v->lock_hc_refused++;
			lock_event(v, LOCK_EV_DEVIRT, r->gpr[REG_RDX], 0, WATCH_EV_REFUSED);
			r->gpr[REG_RAX] = (u64)-EPERM;
			break;
		}
		if (v->lock.on) {
			v->lock_devirt_offline++;
			lock_event(v, LOCK_EV_DEVIRT, r->gpr[REG_RDX], 0, WATCH_EV_ALLOWED);
		}
		r->gpr[REG_RAX] = 0;
		skip_instruction();
		v->devirt = true;
		return 1;
	case SUBZERO_HC_VMCS_SNAPSHOT:
		/* Into our own buffer, never a guest pointer; RIP still at the VMCALL. */
		log_printf(&v->log, "CPU %u: VMCS snapshot, %u fields not supported by the CPU",
			   v->cpu, vmcs_snapshot(&v->vmcs_snap));
		r->gpr[REG_RAX] = 0;
		break;
	default:
		r->gpr[REG_RAX] = (u64)-EINVAL;
		break;
	}
	skip_instruction();
	return 0;
}

/*
 * Fail closed, loudly.  Halting this CPU in root is not closed but hung: the next IPI
 * to it (a TLB shootdown, smp_call_function) would wait for ever, and every other CPU
 * with it, before anyone read the log.  So the CPU dumps its VMCS into the log ring,
 * leaves VMX (it keeps the host state, which is the kernel's), and the OS stops the
 * machine the way it does for a fatal error: the dump and the exit's name reach the
 * console, and kdump or a panic= reboot takes over (os_vmx_failed).
 */
static void __noreturn fail_closed(struct vcpu *v, union exit_reason reason,
						      int err)
{
	char why[LOG_LINE];

	log_printf(&v->log, LOG_CRIT "CPU %u: unhandled VM exit %u (%s), error %d: dumping the VMCS and stopping the machine", v->cpu, reason.f.basic, exit_reason_name(reason.f.basic),
		   err);
	vmcs_dump(v);
	vmx_leave_in_root(v);
	log_format(why, sizeof(why), "CPU %u: unhandled VM exit %u (%s)", v->cpu,
		   reason.f.basic, exit_reason_name(reason.f.basic));
	os_vmx_failed(&v->log, why);
	__builtin_trap();
}

void vmx_root_fault(struct root_fault *f)
{
	struct vcpu *v = vmx_current_vcpu();
	char why[LOG_LINE];

	/* No VMCS, or a fault while reporting one: nothing safe is left to do. */
	if (!v || v->in_fault)
		for (;;)
			cpu_pause();
	v->in_fault = true;
	log_printf(&v->log, LOG_CRIT "CPU %u: exception %llu (error code %llx) in VMX root at RIP %llx, RSP %llx, RFLAGS %llx",
		   v->cpu, f->vector, f->error, f->rip, f->rsp, f->rflags);
	vmcs_dump(v);
	vmx_leave_in_root(v);
	log_format(why, sizeof(why), "CPU %u: exception %llu in VMX root at RIP %llx", v->cpu,
		   f->vector, f->rip);
	os_vmx_failed(&v->log, why);
	__builtin_trap();
}

/*
 * INIT (SDM Vol. 3C, 26.2: in VMX non-root an INIT causes a VM exit; in root it is
 * blocked).  Someone is resetting this CPU: a kernel bringing its APs up after a kexec
 * or a crash that went past our shutdown hooks, or firmware.  We do not emulate
 * wait-for-SIPI: the SIPI would have to start real-mode code as our guest, under an
 * EPT and a host state that belong to a kernel which may no longer be there (after a
 * kexec the new kernel owns that memory, and the pages we hide would read back as
 * junk to it).  Instead this CPU leaves VMX for good and sends itself INIT again:
 * outside VMX the INIT really resets it, and it waits for SIPI as the sender asked.
 * (A SIPI that arrived before that second INIT is lost; the sender's bring-up then
 * times out and says so, it does not hang.)
 */
static int handle_init(struct vcpu *v, struct guest_regs *r)
{
	(void)r;
	log_printf(&v->log, "CPU %u: INIT signal: leaving VMX and resetting this CPU", v->cpu);
	vmx_leave_in_root(v);
	os_init_self();
	__builtin_trap();
}

static const exit_handler_t exit_handlers[] = {
	[EXIT_REASON_EXCEPTION_NMI] = handle_exception_nmi,
	[EXIT_REASON_INIT_SIGNAL] = handle_init,
	[EXIT_REASON_EXTERNAL_INTERRUPT] = watch_step_interrupted,
	[EXIT_REASON_PREEMPTION_TIMER] = watch_step_timer,
	[EXIT_REASON_NMI_WINDOW] = handle_nmi_window,
	[EXIT_REASON_EPT_VIOLATION] = handle_ept_violation,
	[EXIT_REASON_EPT_MISCONFIG] = handle_ept_misconfig,
	[EXIT_REASON_MONITOR_TRAP_FLAG] = handle_monitor_trap,
	[EXIT_REASON_CPUID] = handle_cpuid,
	[EXIT_REASON_INVD] = handle_invd,
	[EXIT_REASON_XSETBV] = handle_xsetbv,
	[EXIT_REASON_MSR_READ] = handle_rdmsr,
	[EXIT_REASON_MSR_WRITE] = handle_wrmsr,
	[EXIT_REASON_CR_ACCESS] = handle_cr_access,
	[EXIT_REASON_GDTR_IDTR] = lock_dt_exit,		/* only a locked CPU takes these */
	[EXIT_REASON_LDTR_TR] = lock_dt_exit,
	[EXIT_REASON_VMCALL] = handle_vmcall,
	[EXIT_REASON_VMCLEAR] = handle_vmx_instruction,
	[EXIT_REASON_VMLAUNCH] = handle_vmx_instruction,
	[EXIT_REASON_VMPTRLD] = handle_vmx_instruction,
	[EXIT_REASON_VMPTRST] = handle_vmx_instruction,
	[EXIT_REASON_VMREAD] = handle_vmx_instruction,
	[EXIT_REASON_VMRESUME] = handle_vmx_instruction,
	[EXIT_REASON_VMWRITE] = handle_vmx_instruction,
	[EXIT_REASON_VMOFF] = handle_vmx_instruction,
	[EXIT_REASON_VMON] = handle_vmx_instruction,
	[EXIT_REASON_INVEPT] = handle_vmx_instruction,
	[EXIT_REASON_INVVPID] = handle_vmx_instruction,
	[EXIT_REASON_VMFUNC] = handle_vmx_instruction,
};

/* ---- the VMCS dump, by the seed's six groups ---- */

/* Re-deliver an event whose delivery caused this exit (SDM Vol. 3C, 28.2.4). */
static void reinject_idt_vectoring(void)
{
	u32 info = vmcs_read32(IDT_VECTORING_INFO_FIELD);
	u32 type = (info & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT;

	if (!(info & INTR_INFO_VALID))
		return;
	if (info & INTR_INFO_DELIVER_CODE)
		vmcs_write32(NULL, VM_ENTRY_EXCEPTION_ERROR_CODE,
			     vmcs_read32(IDT_VECTORING_ERROR_CODE));
	if (type == INTR_TYPE_SOFT_INTR || type == INTR_TYPE_PRIV_SW_EXCEPTION ||
	    type == INTR_TYPE_SOFT_EXCEPTION)
		vmcs_write32(NULL, VM_ENTRY_INSTRUCTION_LEN, vmcs_read32(VM_EXIT_INSTRUCTION_LEN));
	/*
	 * An NMI whose delivery was cut short left virtual-NMI blocking set; injecting an
	 * NMI with it set is a VM-entry failure (SDM Vol. 3C, 27.3.1.5; KVM's
	 * __vmx_complete_interrupts() clears it the same way).
	 */
	if (type == INTR_TYPE_NMI)
		vmcs_write32(NULL, GUEST_INTERRUPTIBILITY_INFO,
			     vmcs_read32(GUEST_INTERRUPTIBILITY_INFO) & ~GUEST_INTR_STATE_NMI);
	vmcs_write32(NULL, VM_ENTRY_INTR_INFO_FIELD, info & ~INTR_INFO_NMI_UNBLOCK);
}

/*
 * Ask for an NMI-window exit: the next instruction boundary where the guest can take
 * an NMI (SDM Vol. 3C, 26.6.1.2).  The window bit is only ever set here and by
 * vmx_root_nmi(), and cleared by the window exit, so an NMI that interrupts the code
 * below is never forgotten (27.2).
 */
static void ask_nmi_window(struct vcpu *v)
{
	vmcs_write32(NULL, CPU_BASED_VM_EXEC_CONTROL,
		     v->procbased | CPU_BASED_NMI_WINDOW_EXITING);
}

/*
 * Before VM entry: inject one held NMI if the guest can take it now, and ask for an
 * NMI-window exit while more are held or it cannot (it is inside its NMI handler, in
 * an STI/MOV SS shadow, or another event is being injected).
 */
static noinline void nmi_deliver(struct vcpu *v)
{
	u32 intr;

	/* Not in the middle of a watch step: the NMI waits for the step's end. */
	if (v->step.active)
		return;
	intr = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO);
	if (!(vmcs_read32(VM_ENTRY_INTR_INFO_FIELD) & INTR_INFO_VALID) &&
	    !(intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS | GUEST_INTR_STATE_NMI))) {
		vmcs_write32(NULL, VM_ENTRY_INTR_INFO_FIELD, X86_VEC_NMI | INTR_INFO_VALID |
			     (INTR_TYPE_NMI << INTR_INFO_TYPE_SHIFT));
		v->nmis_injected++;
		if (!__atomic_sub_fetch(&v->nmi_pending, 1, __ATOMIC_RELAXED))
			return;
	}
	ask_nmi_window(v);
}

/*
 * Leave VMX on this CPU, in root, after a DEVIRT hypercall: put back everything the
 * guest had that a VM exit replaced with host state (SDM Vol. 3C, 28.5), then VMXOFF.
 * The exit stub returns to the guest's RIP on its own stack.
 */
static noinline void devirtualize(struct vcpu *v, struct guest_regs *r)
{
	struct cpu_dtr gdt = { (u16)vmcs_read32(GUEST_GDTR_LIMIT), vmcs_readn(GUEST_GDTR_BASE) };
	struct cpu_dtr idt = { (u16)vmcs_read32(GUEST_IDTR_LIMIT), vmcs_readn(GUEST_IDTR_BASE) };
	u64 rip = vmcs_readn(GUEST_RIP), rsp = vmcs_readn(GUEST_RSP);
	u64 rflags = vmcs_readn(GUEST_RFLAGS), cr0 = vmcs_readn(GUEST_CR0);
	u64 cr3 = vmcs_readn(GUEST_CR3), cr4 = vmcs_readn(GUEST_CR4), dr7 = vmcs_readn(GUEST_DR7);
	u64 efer = vmcs_read64(GUEST_IA32_EFER), pat = vmcs_read64(GUEST_IA32_PAT);
	u64 debugctl = vmcs_read64(GUEST_IA32_DEBUGCTL);
	u64 fs_base = vmcs_readn(GUEST_FS_BASE), gs_base = vmcs_readn(GUEST_GS_BASE);
	u64 se_cs = vmcs_read32(GUEST_SYSENTER_CS), se_esp = vmcs_readn(GUEST_SYSENTER_ESP);
	u64 se_eip = vmcs_readn(GUEST_SYSENTER_EIP);
	u16 ds = vmcs_read16(GUEST_DS_SELECTOR), es = vmcs_read16(GUEST_ES_SELECTOR);
	u16 fs = vmcs_read16(GUEST_FS_SELECTOR), gs = vmcs_read16(GUEST_GS_SELECTOR);
	u16 ss = vmcs_read16(GUEST_SS_SELECTOR), ldtr = vmcs_read16(GUEST_LDTR_SELECTOR);
	u16 tr = vmcs_read16(GUEST_TR_SELECTOR);
	u64 tr_base = vmcs_readn(GUEST_TR_BASE);
	u32 tr_limit = vmcs_read32(GUEST_TR_LIMIT);
	u64 *stack;

	/*
	 * The OS's page tables, TR and GDT first (the selectors below are the OS's GDT's,
	 * root's own has no data segments; its GDT is not in root's page tables).  Root's
	 * IDT stays: its gates' CS is the OS's kernel CS too.  A DEVIRT comes from
	 * ordinary kernel code, so the OS's IST stacks its TSS now gives are free.
	 */
	cpu_write_cr3(v->os_cr3);
	vmx_host_restore_os_tr(v, &gdt, tr, tr_base, tr_limit);

	/*
	 * Data segments next, while the host IDT is still loaded: loading a selector
	 * clobbers the base (a null one zeroes it on Intel), and an NMI between the GS
	 * load and the GS_BASE write would run the OS's NMI entry with a user-looking GS
	 * base.  Here such an NMI reaches vmx_nmi_stub, which uses no segment base, and
	 * is held for the guest (delivered below).  Selector, then base: never the other
	 * way round.
	 */
	cpu_write_sel(SEG_DS, ds);
	cpu_write_sel(SEG_ES, es);
	cpu_write_sel(SEG_SS, ss);
	cpu_write_sel(SEG_FS, fs);
	cpu_write_sel(SEG_GS, gs);
	cpu_wrmsr(MSR_FS_BASE, fs_base);
	cpu_wrmsr(MSR_GS_BASE, gs_base);

	/* From here an NMI goes to the OS's own handler, not to vmx_nmi_stub. */
	cpu_lidt(&idt);		/* a VM exit set the limit to 0xffff */
	cpu_vmclear(v->vmcs_pa);
	cpu_vmxoff();
	/*
	 * Back in VPID 0, whose TLB entries are as old as our VMXON: every INVLPG, CR3 and
	 * INVPCID flush the OS made since then hit only its own VPID (SDM Vol. 3C, 29.1).
	 * Toggling CR4.PGE drops all entries of the current VPID, global ones and every
	 * PCID's included (SDM Vol. 3A, 4.10.4.1), so no stale translation comes back.
	 */
	cpu_write_cr4((cr4 & ~X86_CR4_VMXE) ^ X86_CR4_PGE);
	cpu_write_cr4(cr4 & ~X86_CR4_VMXE);
	cpu_write_cr0(cr0);
	cpu_write_cr3(cr3);
	/*
	 * A VM exit loads a null LDTR (SDM Vol. 3C, 28.5.2); the guest's descriptor is in
	 * its GDT, loaded just above.  Without this a process with an LDT (Wine, old
	 * runtimes) that is still current on this CPU faults on its next segment load.
	 */
	cpu_lldt(ldtr);
	cpu_wrmsr(MSR_EFER, efer);
	cpu_wrmsr(MSR_IA32_PAT, pat);
	cpu_wrmsr(MSR_IA32_DEBUGCTL, debugctl);	/* cleared by the VM exit */
	cpu_wrmsr(MSR_IA32_SYSENTER_CS, se_cs);
	cpu_wrmsr(MSR_IA32_SYSENTER_ESP, se_esp);
	cpu_wrmsr(MSR_IA32_SYSENTER_EIP, se_eip);
	cpu_write_dr7(dr7);				/* 0x400 after the VM exit */

	/*
	 * NMIs still held for the guest go to the OS now: real NMIs through the local
	 * APIC, delivered by its IDT as any other (not INT 2, which is not an NMI: it
	 * does not block NMIs, and under FRED it is not even delivered as one).
	 */
	while (v->nmi_pending) {
		v->nmi_pending--;
		v->nmis_injected++;
		os_self_nmi();
	}

	stack = (u64 *)(rsp - 16);
	/* A watch step cut short leaves our TF behind: take it back. */
	if (v->step.active && v->step.tf)
		rflags &= ~(u64)X86_EFLAGS_TF;
	stack[0] = rflags;
	stack[1] = rip;
	r->gpr[REG_RSP] = (u64)stack;
	v->launched = false;
}

/*
 * Before VM entry: a machine check held by exit 41 goes to the guest as #MC (vector
 * 18, a hardware exception without error code, SDM Vol. 3C, 27.8).  If the entry
 * that failed was delivering an event (still in the entry interruption field), that
 * event goes first and the #MC waits for the next NMI-window exit, the earliest
 * instruction boundary after it (an #MC is an abort, and the OS's handler does not
 * depend on RIP).  Not in the middle of a watch step either, as for an NMI: the
 * step's own exit comes after its one instruction and delivers it then (asking for a
 * window there would exit before that instruction, again and again).  Before
 * nmi_deliver(), so a held NMI waits behind the #MC.
 */
static noinline void mce_deliver(struct vcpu *v)
{
	if (v->step.active)
		return;
	if (vmcs_read32(VM_ENTRY_INTR_INFO_FIELD) & INTR_INFO_VALID) {
		ask_nmi_window(v);
		return;
	}
	vmcs_write32(NULL, VM_ENTRY_INTR_INFO_FIELD, X86_VEC_MC | INTR_INFO_VALID |
		     (INTR_TYPE_HARD_EXCEPTION << INTR_INFO_TYPE_SHIFT));
	v->mce_pending = false;
	v->mces_injected++;
}

/* Before VM entry: events held for the guest, and the time this exit spent in root. */
static __always_inline void exit_done(struct vcpu *v, u64 t0, u32 basic)
{
	u64 dt;

	if (v->mce_pending)
		mce_deliver(v);
	if (__atomic_load_n(&v->nmi_pending, __ATOMIC_RELAXED))
		nmi_deliver(v);
	dt = cpu_rdtsc() - t0;
	v->root_tsc += dt;
	if (basic < EXIT_REASON_MAX) {
		v->exit_root_tsc[basic] += dt;
		exit_hist_add(&v->exit_hist[basic], dt);
	} else {
		v->root_tsc_other += dt;
	}
}

/* Every exit but the CPUID fast path: count, re-inject, dispatch, fail closed. */
static noinline int exit_dispatch(struct guest_regs *r, struct vcpu *v,
				  union exit_reason reason, u64 t0)
{
	u32 basic = reason.f.basic;
	int ret = -EOPNOTSUPP;

	if (basic < EXIT_REASON_MAX)
		v->exits[basic]++;
	else
		v->exits_other++;
	if (!reason.f.entry_failure) {
		reinject_idt_vectoring();
		if (basic < ARRAY_SIZE(exit_handlers) && exit_handlers[basic])
			ret = exit_handlers[basic](v, r);
	} else if (basic == EXIT_REASON_MCE_DURING_VMENTRY) {
		/*
		 * A machine check during VM entry (SDM Vol. 3C, 27.8).  KVM hands it to
		 * the host kernel's handler (kvm_machine_check()) because its guest is
		 * another machine; ours is the running OS itself, so the OS gets it as the
		 * #MC it would have taken without us, in its own context, with its own
		 * handler reading the machine-check banks (which pass through).  Root
		 * calls no kernel code for it (issue 13).  The entry is tried again with
		 * the #MC injected: its checks had passed and the guest state is
		 * unchanged.
		 */
		v->mce_pending = true;
		ret = 0;
	}
	if (ret < 0)
		fail_closed(v, reason, ret);
	if (ret == 1) {
		devirtualize(v, r);
		return 1;
	}
	exit_done(v, t0, basic);
	return 0;
}

/*
 * IA32_SPEC_CTRL is not part of the VMCS host or guest state: a VM exit from guest user
 * mode leaves the user's value (IBRS off under kernel IBRS, a task's SSBD...) in force
 * in root.  Like KVM's vmx_spec_ctrl_restore_host(): the host's value in root when the
 * guest's differs, or always with legacy IBRS (the bit must be written again after a
 * less privileged predictor mode), then a speculation barrier; the guest's again on
 * the way back.
 */
static noinline u64 spec_ctrl_to_host(const struct vcpu *v)
{
	u64 guest = cpu_rdmsr(MSR_IA32_SPEC_CTRL);

	if (guest != v->spec.host_spec_ctrl || (v->spec.flags & VMX_SPEC_CTRL_ALWAYS))
		cpu_wrmsr(MSR_IA32_SPEC_CTRL, v->spec.host_spec_ctrl);
	cpu_lfence();
	return guest;
}

static noinline void spec_ctrl_to_guest(const struct vcpu *v, u64 guest)
{
	if (guest != v->spec.host_spec_ctrl)
		cpu_wrmsr(MSR_IA32_SPEC_CTRL, guest);
}

/*
 * CPUID comes first: every program start runs dozens of them (static glibc: about 60)
 * and VMX makes each one exit.  Its path reads the exit reason once and three fields
 * to skip the instruction, and writes one.  It needs no IDT-vectoring check: an
 * instruction's exit happens instead of the instruction (SDM Vol. 3C, 26.1.2), never
 * while an event is being delivered, the only case in which IDT-vectoring information
 * is valid (28.2.4).  handle_cpuid() neither fails nor leaves VMX.  Comparing all 32
 * bits of the reason sends anything with a flag set (entry failure...) the long way.
 */
int vmx_exit_handler(struct guest_regs *r, struct vcpu *v)
{
	u64 guest_spec_ctrl = 0, t0;
	union exit_reason reason;
	int ret = 0;

	/* Before any indirect branch: root runs with the host's IA32_SPEC_CTRL. */
	if (__builtin_expect(v->spec.flags & VMX_SPEC_CTRL, 0))
		guest_spec_ctrl = spec_ctrl_to_host(v);
	t0 = cpu_rdtsc();
	reason.all = exit_read32(VM_EXIT_REASON);
	if (__builtin_expect(reason.all != EXIT_REASON_CPUID, 0)) {
		ret = exit_dispatch(r, v, reason, t0);
	} else {
		v->exits[EXIT_REASON_CPUID]++;
		handle_cpuid(v, r);
		exit_done(v, t0, EXIT_REASON_CPUID);
	}
	/* Back to the guest, in VMX non-root or (DEVIRT) outside VMX: its value again. */
	if (__builtin_expect(v->spec.flags & VMX_SPEC_CTRL, 0))
		spec_ctrl_to_guest(v, guest_spec_ctrl);
	return ret;
}

/*
 * HOST_RIP while a cross-check is in flight (vmx_exit_stub_xcheck): a failed VM entry,
 * or the VMX-preemption timer (which only runs then), is the CPU's answer to the
 * broken VMCS; anything else is an exit like any other.  A stub of its own, so that
 * the exit path has not one instruction more for the cross-check.
 */
int vmx_exit_handler_xcheck(struct guest_regs *r, struct vcpu *v)
{
	union exit_reason reason = { .all = exit_read32(VM_EXIT_REASON) };

	if (v->entry.xc.active &&
	    (reason.f.entry_failure || reason.f.basic == EXIT_REASON_PREEMPTION_TIMER)) {
		entry_xcheck_finish(v, r, reason.all, 0);
		return 0;
	}
	return vmx_exit_handler(r, v);
}

int vmx_exit_handler_checked(struct guest_regs *r, struct vcpu *v)
{
	int ret = vmx_exit_handler(r, v);

	if (!ret)
		entry_root_before(v);
	return ret;
}

void vmx_log_resume_failure(struct vcpu *v)
{
	u64 err = 0;

	cpu_vmread(VM_INSTRUCTION_ERROR, &err);
	log_printf(&v->log, LOG_CRIT "CPU %u: VMRESUME failed: %s (VM-instruction error %llu)", v->cpu,
		   vmcs_insn_error_name((u32)err), err);
	entry_root_check(v, "after VMRESUME failed", true);
}

/*
 * VMRESUME failed (the stub calls this, with the guest's registers saved again and the
 * vcpu it found above HOST_RSP).  A cross-check that broke a rule on purpose puts the
 * VMCS back and returns 0: the stub tries again.  Otherwise there is no guest to go
 * back to: fail closed like an exit nobody handles, with the VM-instruction error and
 * the checker's verdict in the log.
 */
int vmx_resume_failed(struct guest_regs *r, struct vcpu *v)
{
	u64 err = 0;

	if (v->entry.xc.active) {
		cpu_vmread(VM_INSTRUCTION_ERROR, &err);
		entry_xcheck_finish(v, r, 0, (u32)err);
		return 0;		/* the VMCS is whole again: resume */
	}
	vmx_log_resume_failure(v);
	fail_closed(v, (union exit_reason){ .all = exit_read32(VM_EXIT_REASON) }, -EIO);
}
