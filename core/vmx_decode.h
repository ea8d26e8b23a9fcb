/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Names for VMX capability and control bits, shared by the hypervisor (to name a
 * missing control in an error) and the `subzero` tool (to print capabilities).
 * Pure data and pure functions: no hardware access, usable anywhere.
 */
#ifndef SUBZERO_VMX_DECODE_H
#define SUBZERO_VMX_DECODE_H

#include "types.h"
#include "vmx_caps.h"

/* The five VMX control words, each with its capability MSR (SDM Vol. 3D, A.3-A.5). */
enum vmx_ctl {
	VMX_CTL_PIN,
	VMX_CTL_PROC,
	VMX_CTL_PROC2,
	VMX_CTL_EXIT,
	VMX_CTL_ENTRY,
	VMX_CTL_NR,
};

struct vmx_bit_name {
	u8 bit;
	const char *name;	/* Linux/KVM constant name, without the word prefix */
};

struct vmx_ctl_desc {
	const char *name;	/* "pin-based", ... */
	const char *prefix;	/* "PIN_BASED_", ... */
	const struct vmx_bit_name *bits;
	size_t nr_bits;
};

extern const struct vmx_ctl_desc vmx_ctl_descs[VMX_CTL_NR];
extern const struct vmx_bit_name vmx_ept_vpid_bits[];
extern const size_t vmx_ept_vpid_nr_bits;

/* How a control bit may be set, from its capability MSR's allowed-0/allowed-1 halves. */
enum vmx_ctl_setting {
	VMX_CTL_FIXED0,		/* must be 0 */
	VMX_CTL_FIXED1,		/* must be 1 */
	VMX_CTL_FLEXIBLE,	/* 0 or 1 */
};

enum vmx_ctl_setting vmx_ctl_setting(u64 cap_msr, unsigned int bit);

/*
 * The capability MSR value that governs control word @ctl: the TRUE_ variant where it
 * exists (IA32_VMX_BASIC[55]), as the SDM's A.2 recommends; 0 (nothing allowed) for
 * the secondary controls when the CPU has none.
 */
u64 vmx_ctl_cap(const struct vmx_caps *caps, enum vmx_ctl ctl);

/* The name of a control bit, or NULL if the bit has none. */
const char *vmx_ctl_bit_name(enum vmx_ctl ctl, unsigned int bit);

/* The VMCS revision identifier a VMXON region and every VMCS must carry (A.1). */
u32 vmx_caps_revision_id(const struct vmx_caps *caps);

/* Memory type names for IA32_VMX_BASIC[53:50] and EPT (SDM Vol. 3A, Table 12-2). */
const char *vmx_memtype_name(unsigned int type);

#endif
