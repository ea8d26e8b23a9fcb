/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the assembly in vmx_entry.S and the C around it agree on, as named numbers
 * that both include.  The C side checks every one with a _Static_assert (vmx.h,
 * vmx.c), so a layout that drifts from this file is a compile error, not a guest
 * register silently restored from the wrong slot.  Plain #defines only: the
 * assembler reads this file too.
 */
#ifndef SUBZERO_CORE_ARCH_VMX_STUB_H
#define SUBZERO_CORE_ARCH_VMX_STUB_H

/*
 * Byte offsets of the saved general registers in struct guest_regs: hardware
 * register-number order (SDM Vol. 3C, Table 28-3: 0 = RAX ... 15 = R15), 8 bytes each.
 * The RSP slot is not saved by the stub (the guest's RSP is in the VMCS); the handler
 * fills it in only to leave VMX.
 */
#define GUEST_REG_RAX		0
#define GUEST_REG_RCX		8
#define GUEST_REG_RDX		16
#define GUEST_REG_RBX		24
#define GUEST_REG_RSP		32
#define GUEST_REG_RBP		40
#define GUEST_REG_RSI		48
#define GUEST_REG_RDI		56
#define GUEST_REG_R8		64
#define GUEST_REG_R9		72
#define GUEST_REG_R10		80
#define GUEST_REG_R11		88
#define GUEST_REG_R12		96
#define GUEST_REG_R13		104
#define GUEST_REG_R14		112
#define GUEST_REG_R15		120
#define GUEST_REGS_SIZE		128

/* The vcpu pointer sits this many bytes above HOST_RSP (vmcs_setup_host() puts it). */
#define HOST_RSP_VCPU		8

/* struct vcpu's speculation flags (vmx.h: v->spec.flags, the first byte) and bits. */
#define VCPU_SPEC_FLAGS		0
#define SPEC_RSB_FILL		1
#define SPEC_RSB_LITE		2
#define SPEC_CLEAR_BHB		4

/* VMCS encodings vmx_launch writes (SDM Vol. 3D, B.4.3; checked against vmcs_fields.h) */
#define VMCS_ENC_GUEST_RSP	0x681c
#define VMCS_ENC_GUEST_RIP	0x681e

#endif
