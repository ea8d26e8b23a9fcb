/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VMX control bits and EPT/VPID capability bits: one X-macro row per bit, the only
 * place each is written.  These lists generate the constants (below, included through
 * arch/x86.h) and the name tables that vmx_decode.c builds for error messages and the
 * `subzero` tool, as vmcs_fields.h does for the VMCS fields.
 *
 * Row format: X(name, bit)
 *   name: Linux KVM's constant (arch/x86/include/asm/vmx.h); bits KVM lacks use the
 *         SDM's name in the same style.  The printed name is this less the word's
 *         prefix (PIN_BASED_, CPU_BASED_, SECONDARY_EXEC_, VM_EXIT_, VM_ENTRY_, VMX_).
 *   bit:  the bit number in the control word or capability MSR; the constant is
 *         BIT(bit) for a control, BIT_ULL(bit) for a capability.
 * Rows are in ascending bit order (test_vmx_decode checks it).
 */
#ifndef SUBZERO_VMX_BITS_H
#define SUBZERO_VMX_BITS_H

#include "types.h"

/* Pin-based VM-execution controls (SDM Vol. 3C, Table 25-5) */
#define VMX_PIN_BASED_CTLS(X)						\
	X(PIN_BASED_EXT_INTR_MASK,			0)		\
	X(PIN_BASED_NMI_EXITING,			3)		\
	X(PIN_BASED_VIRTUAL_NMIS,			5)		\
	X(PIN_BASED_VMX_PREEMPTION_TIMER,		6)		\
	X(PIN_BASED_POSTED_INTR,			7)

/* Primary processor-based VM-execution controls (SDM Vol. 3C, Table 25-6) */
#define VMX_CPU_BASED_CTLS(X)						\
	X(CPU_BASED_INTR_WINDOW_EXITING,		2)		\
	X(CPU_BASED_USE_TSC_OFFSETTING,			3)		\
	X(CPU_BASED_HLT_EXITING,			7)		\
	X(CPU_BASED_INVLPG_EXITING,			9)		\
	X(CPU_BASED_MWAIT_EXITING,			10)		\
	X(CPU_BASED_RDPMC_EXITING,			11)		\
	X(CPU_BASED_RDTSC_EXITING,			12)		\
	X(CPU_BASED_CR3_LOAD_EXITING,			15)		\
	X(CPU_BASED_CR3_STORE_EXITING,			16)		\
	X(CPU_BASED_ACTIVATE_TERTIARY_CONTROLS,		17)		\
	X(CPU_BASED_CR8_LOAD_EXITING,			19)		\
	X(CPU_BASED_CR8_STORE_EXITING,			20)		\
	X(CPU_BASED_TPR_SHADOW,				21)		\
	X(CPU_BASED_NMI_WINDOW_EXITING,			22)		\
	X(CPU_BASED_MOV_DR_EXITING,			23)		\
	X(CPU_BASED_UNCOND_IO_EXITING,			24)		\
	X(CPU_BASED_USE_IO_BITMAPS,			25)		\
	X(CPU_BASED_MONITOR_TRAP_FLAG,			27)		\
	X(CPU_BASED_USE_MSR_BITMAPS,			28)		\
	X(CPU_BASED_MONITOR_EXITING,			29)		\
	X(CPU_BASED_PAUSE_EXITING,			30)		\
	X(CPU_BASED_ACTIVATE_SECONDARY_CONTROLS,	31)

/* Secondary processor-based VM-execution controls (SDM Vol. 3C, Table 25-7) */
#define VMX_SECONDARY_EXEC_CTLS(X)					\
	X(SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES,	0)		\
	X(SECONDARY_EXEC_ENABLE_EPT,			1)		\
	X(SECONDARY_EXEC_DESC,				2)		\
	X(SECONDARY_EXEC_ENABLE_RDTSCP,			3)		\
	X(SECONDARY_EXEC_VIRTUALIZE_X2APIC_MODE,	4)		\
	X(SECONDARY_EXEC_ENABLE_VPID,			5)		\
	X(SECONDARY_EXEC_WBINVD_EXITING,		6)		\
	X(SECONDARY_EXEC_UNRESTRICTED_GUEST,		7)		\
	X(SECONDARY_EXEC_APIC_REGISTER_VIRT,		8)		\
	X(SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY,		9)		\
	X(SECONDARY_EXEC_PAUSE_LOOP_EXITING,		10)		\
	X(SECONDARY_EXEC_RDRAND_EXITING,		11)		\
	X(SECONDARY_EXEC_ENABLE_INVPCID,		12)		\
	X(SECONDARY_EXEC_ENABLE_VMFUNC,			13)		\
	X(SECONDARY_EXEC_SHADOW_VMCS,			14)		\
	X(SECONDARY_EXEC_ENCLS_EXITING,			15)		\
	X(SECONDARY_EXEC_RDSEED_EXITING,		16)		\
	X(SECONDARY_EXEC_ENABLE_PML,			17)		\
	X(SECONDARY_EXEC_EPT_VIOLATION_VE,		18)		\
	X(SECONDARY_EXEC_PT_CONCEAL_VMX,		19)		\
	X(SECONDARY_EXEC_ENABLE_XSAVES,			20)		\
	X(SECONDARY_EXEC_MODE_BASED_EPT_EXEC,		22)		\
	X(SECONDARY_EXEC_SUB_PAGE_PERMISSIONS,		23)		\
	X(SECONDARY_EXEC_PT_USE_GPA,			24)		\
	X(SECONDARY_EXEC_TSC_SCALING,			25)		\
	X(SECONDARY_EXEC_ENABLE_USR_WAIT_PAUSE,		26)		\
	X(SECONDARY_EXEC_ENABLE_PCONFIG,		27)		\
	X(SECONDARY_EXEC_ENCLV_EXITING,			28)		\
	X(SECONDARY_EXEC_BUS_LOCK_DETECTION,		30)

/* VM-exit controls (SDM Vol. 3C, Table 25-13) */
#define VMX_VM_EXIT_CTLS(X)						\
	X(VM_EXIT_SAVE_DEBUG_CONTROLS,			2)		\
	X(VM_EXIT_HOST_ADDR_SPACE_SIZE,			9)		\
	X(VM_EXIT_LOAD_IA32_PERF_GLOBAL_CTRL,		12)		\
	X(VM_EXIT_ACK_INTR_ON_EXIT,			15)		\
	X(VM_EXIT_SAVE_IA32_PAT,			18)		\
	X(VM_EXIT_LOAD_IA32_PAT,			19)		\
	X(VM_EXIT_SAVE_IA32_EFER,			20)		\
	X(VM_EXIT_LOAD_IA32_EFER,			21)		\
	X(VM_EXIT_SAVE_VMX_PREEMPTION_TIMER,		22)		\
	X(VM_EXIT_CLEAR_BNDCFGS,			23)		\
	X(VM_EXIT_PT_CONCEAL_PIP,			24)		\
	X(VM_EXIT_CLEAR_IA32_RTIT_CTL,			25)		\
	X(VM_EXIT_LOAD_CET_STATE,			28)

/* VM-entry controls (SDM Vol. 3C, Table 25-15) */
#define VMX_VM_ENTRY_CTLS(X)						\
	X(VM_ENTRY_LOAD_DEBUG_CONTROLS,			2)		\
	X(VM_ENTRY_IA32E_MODE,				9)		\
	X(VM_ENTRY_SMM,					10)		\
	X(VM_ENTRY_DEACT_DUAL_MONITOR,			11)		\
	X(VM_ENTRY_LOAD_IA32_PERF_GLOBAL_CTRL,		13)		\
	X(VM_ENTRY_LOAD_IA32_PAT,			14)		\
	X(VM_ENTRY_LOAD_IA32_EFER,			15)		\
	X(VM_ENTRY_LOAD_BNDCFGS,			16)		\
	X(VM_ENTRY_PT_CONCEAL_PIP,			17)		\
	X(VM_ENTRY_LOAD_IA32_RTIT_CTL,			18)		\
	X(VM_ENTRY_LOAD_CET_STATE,			20)

/* IA32_VMX_EPT_VPID_CAP (SDM Vol. 3D, A.10) */
#define VMX_EPT_VPID_CAPS(X)						\
	X(VMX_EPT_EXECUTE_ONLY,				0)		\
	X(VMX_EPT_PAGE_WALK_4,				6)		\
	X(VMX_EPT_PAGE_WALK_5,				7)		\
	X(VMX_EPTP_UC,					8)		\
	X(VMX_EPTP_WB,					14)		\
	X(VMX_EPT_2MB_PAGE,				16)		\
	X(VMX_EPT_1GB_PAGE,				17)		\
	X(VMX_EPT_INVEPT,				20)		\
	X(VMX_EPT_AD,					21)		\
	X(VMX_EPT_ADVANCED_VIOLATION_INFO,		22)		\
	X(VMX_EPT_SUPERVISOR_SHADOW_STACK,		23)		\
	X(VMX_EPT_EXTENT_CONTEXT,			25)		\
	X(VMX_EPT_EXTENT_GLOBAL,			26)		\
	X(VMX_VPID_INVVPID,				32)		\
	X(VMX_VPID_EXTENT_INDIVIDUAL_ADDR,		40)		\
	X(VMX_VPID_EXTENT_SINGLE_CONTEXT,		41)		\
	X(VMX_VPID_EXTENT_ALL_CONTEXT,			42)		\
	X(VMX_VPID_EXTENT_SINGLE_NON_GLOBAL,		43)

/*
 * The constants.  They are enumerators rather than #defines (a list cannot make a
 * #define); the values are the masks the #defines had.  An enumerator that fits in
 * int has type int, which behaves as the old unsigned masks did in the &, | and ~
 * with u32/u64 that use them; a larger one (CPU_BASED_ACTIVATE_SECONDARY_CONTROLS,
 * VMX_VPID_*) has its enum's type, which the 64-bit member below makes 64 bits wide,
 * so `~mask` never clears the high half of a u64.
 */
#define VMX_CTL_CONST(name, bit)	name = BIT(bit),
#define VMX_CAP_CONST(name, bit)	name = BIT_ULL(bit),

enum vmx_ctl_bits {
	VMX_PIN_BASED_CTLS(VMX_CTL_CONST)
	VMX_CPU_BASED_CTLS(VMX_CTL_CONST)
	VMX_SECONDARY_EXEC_CTLS(VMX_CTL_CONST)
	VMX_VM_EXIT_CTLS(VMX_CTL_CONST)
	VMX_VM_ENTRY_CTLS(VMX_CTL_CONST)
	VMX_CTL_BITS_64 = BIT_ULL(63),	/* makes the enum 64 bits wide */
};

enum vmx_ept_vpid_cap_bits {
	VMX_EPT_VPID_CAPS(VMX_CAP_CONST)
	VMX_EPT_VPID_CAP_BITS_64 = BIT_ULL(63),	/* makes the enum 64 bits wide */
};

#undef VMX_CTL_CONST
#undef VMX_CAP_CONST

_Static_assert((u64)~CPU_BASED_ACTIVATE_SECONDARY_CONTROLS == 0xffffffff7fffffffULL &&
	       (u64)~PIN_BASED_NMI_EXITING == ~0x8ULL && (u64)~VMX_VPID_INVVPID == ~BIT_ULL(32),
	       "~mask keeps the high half of a u64, as with the 64-bit masks before");

#endif
