/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One VM per CPU: the running OS on each CPU becomes that CPU's guest (the seed's
 * "one VMCS per core").  struct vcpu is everything one CPU's hypervisor owns.
 */
#ifndef SUBZERO_VMX_H
#define SUBZERO_VMX_H

#include "types.h"
#include "log.h"
#include "vmcs.h"
#include "vmx_caps.h"

#define EXIT_REASON_MAX		80

/*
 * Hypercalls: VMCALL with RAX = number, RCX = SUBZERO_VMCALL_KEY, RDX = argument;
 * the result comes back in RAX (0 or a negative errno).  From CPL > 0 VMCALL raises
 * #UD, as it does without a hypervisor.
 */
#define SUBZERO_VMCALL_KEY	0x7375627a65726f21ULL	/* "subzero!" */
#define SUBZERO_HC_PING		0	/* returns SUBZERO_HC_PONG */
#define SUBZERO_HC_DEVIRT	1	/* leave VMX on this CPU, return 0 */
#define SUBZERO_HC_VMCS_SNAPSHOT 2	/* VMREAD every field into vcpu->vmcs_snap, return 0 */
#define SUBZERO_HC_PONG		0x5a45524fULL	/* "ZERO" */

/* General registers as the exit stub saves them: hardware register-number order, so
 * the register field of an exit qualification indexes gpr[] directly (Jailhouse). */
struct guest_regs {
	u64 gpr[16];		/* RAX RCX RDX RBX RSP(unused) RBP RSI RDI R8..R15 */
};

enum { REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI };

struct vcpu {
	/* hardware-owned regions */
	void *vmxon;
	u64 vmxon_pa;
	void *vmcs;
	u64 vmcs_pa;
	void *host_stack;
	u64 msr_bitmap_pa;		/* shared, read-only once built */

	unsigned int cpu;
	u16 vpid;
	bool launched;
	bool devirt;			/* set by the DEVIRT hypercall */
	u64 launch_tsc;
	const struct vmx_caps *caps;
	struct vmcs_error vmcs_err;

	/* what VMXON changed, to undo at VMXOFF */
	u64 orig_cr0, orig_cr4;

	/* statistics, written in root only */
	u64 exits[EXIT_REASON_MAX];
	u64 exits_other;
	u64 root_tsc;
	u64 exit_root_tsc[EXIT_REASON_MAX];	/* root_tsc, by exit reason */
	u64 root_tsc_other;

	/* written in root by SUBZERO_HC_VMCS_SNAPSHOT, read by the OS after it */
	struct vmcs_snapshot vmcs_snap;

	struct log_ring log;
};

/* Layout facts the exit stub (arch/vmx_entry.S) depends on. */
#define VCPU_HOST_STACK_SIZE	16384

/*
 * Set up the shared MSR bitmap (one page: pass everything through except the MSRs we
 * virtualize).  Not root-safe.
 */
int vmx_msr_bitmap_init(void *page);

/* Allocate a vcpu's regions.  Not root-safe. */
int vmx_vcpu_alloc(struct vcpu *v, unsigned int cpu, const struct vmx_caps *caps,
		   u64 msr_bitmap_pa);
void vmx_vcpu_free(struct vcpu *v);

/*
 * Enter VMX operation on this CPU and launch its running OS as the guest: when it
 * returns 0 the caller is already the guest, in VMX non-root.  On failure nothing is
 * left changed and the reason is in the log ring.  Call on the vcpu's own CPU with
 * interrupts disabled.
 */
int vmx_virtualize_this_cpu(struct vcpu *v);

/*
 * Leave VMX operation on this CPU (from the guest side, by hypercall).  Returns 0 when
 * the CPU is back to plain operation.  Interrupts disabled, on the vcpu's own CPU.
 */
int vmx_devirtualize_this_cpu(struct vcpu *v);

/*
 * Have the hypervisor VMREAD every VMCS field of this CPU, in root, into v->vmcs_snap
 * (by hypercall).  0 or a negative errno.  On the vcpu's own CPU, interrupts disabled.
 */
int vmx_vmcs_snapshot_this_cpu(struct vcpu *v);

/* Test hook: make the next vmx_virtualize_this_cpu() on @cpu fail (-1: none). */
extern int vmx_fail_on_cpu;

/* assembly (arch/vmx_entry.S) */
int vmx_launch(void);
void vmx_exit_stub(void);

/* The C half of the exit path: returns 0 to VMRESUME, 1 to leave VMX (devirt). */
int vmx_exit_handler(struct guest_regs *regs, struct vcpu *v);
void vmx_resume_failed(void);

#endif
