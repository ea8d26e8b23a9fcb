/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Choosing VMX control values: each control word is asked for as a set of required
 * and a set of optional bits, and adjusted to what the CPU allows (its TRUE_ capability
 * MSR where it has one).  A missing required bit fails with its name; optional bits
 * the CPU lacks are dropped and remembered, so the log can say what we run without.
 * (The idea is KVM's adjust_vmx_controls(), with MiniVisor's reporting.)
 */
#ifndef SUBZERO_VMX_CTLS_H
#define SUBZERO_VMX_CTLS_H

#include "types.h"
#include "vmx_caps.h"
#include "vmx_decode.h"

struct vmx_ctl_choice {
	u32 value;		/* what to write to the VMCS */
	u32 dropped;		/* optional bits the CPU does not allow */
	u32 missing;		/* required bits the CPU does not allow */
};

/*
 * Adjust one control word.  Returns 0, or -EOPNOTSUPP if a required bit may not be 1
 * (choice->missing says which; vmx_ctl_bit_name() names them).  Pure: safe anywhere.
 */
int vmx_ctl_adjust(const struct vmx_caps *caps, enum vmx_ctl ctl, u32 required,
		   u32 optional, struct vmx_ctl_choice *choice);

/* What subzero asks for in one control word. */
struct vmx_ctl_want {
	enum vmx_ctl ctl;
	u32 field;		/* the VMCS field it is written to */
	u32 required, optional;
};

/*
 * The controls subzero runs with, word by word, in VMX_CTL_* order: required bits
 * fail the load when the CPU lacks them, optional ones are dropped.  @ept: the EPT
 * will be on.  Reads CPUID on the calling CPU (which instructions the OS may use must
 * keep working in the guest); safe anywhere.  vmx.c writes these; `subzero check`
 * asks the same question of a CPU before the module is loaded.
 */
void vmx_ctls_wanted(bool ept, struct vmx_ctl_want want[VMX_CTL_NR]);

#endif
