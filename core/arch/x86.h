/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86 and VMX architectural constants, with the names Intel's SDM and Linux/KVM use so
 * that a reader who knows either is at home.  Masks are what we write to hardware;
 * bit-field unions only decode values we read (STYLE.md).
 *
 * Only core/ includes this file: linux/ gets the same names from <asm/...> and the two
 * must never meet in one translation unit.
 */
#ifndef SUBZERO_CORE_ARCH_X86_H
#define SUBZERO_CORE_ARCH_X86_H

#include "../types.h"

/*
 * The VMX control bits (PIN_BASED_*, CPU_BASED_*, SECONDARY_EXEC_*, VM_EXIT_*,
 * VM_ENTRY_*) and IA32_VMX_EPT_VPID_CAP bits (VMX_EPT_*, VMX_EPTP_*, VMX_VPID_*) are
 * generated from the one list of each in vmx_bits.h.
 */
#include "../vmx_bits.h"

/* CPUID.1:ECX (SDM Vol. 2A, CPUID, Table 3-10) */
#define X86_FEATURE_ECX_VMX		BIT(5)
#define X86_FEATURE_ECX_SMX		BIT(6)
#define X86_FEATURE_ECX_HYPERVISOR	BIT(31)
/* CPUID.1:EDX (SDM Vol. 2A, CPUID, Table 3-11) */
#define X86_FEATURE_EDX_MTRR		BIT(12)

/* Memory types: one encoding for MTRRs, PAT, EPT and the VMCS (SDM Vol. 3A, 11.11.1) */
#define X86_MEMTYPE_UC		0
#define X86_MEMTYPE_WC		1
#define X86_MEMTYPE_WT		4
#define X86_MEMTYPE_WP		5
#define X86_MEMTYPE_WB		6

/* Control registers (SDM Vol. 3A, 2.5) */
#define X86_CR0_PE	BIT(0)
#define X86_CR0_MP	BIT(1)
#define X86_CR0_EM	BIT(2)
#define X86_CR0_TS	BIT(3)
#define X86_CR0_ET	BIT(4)
#define X86_CR0_NE	BIT(5)
#define X86_CR0_WP	BIT(16)
#define X86_CR0_AM	BIT(18)
#define X86_CR0_NW	BIT(29)
#define X86_CR0_CD	BIT(30)
#define X86_CR0_PG	BIT(31)

/*
 * Bit 12 of CR3: Linux's page-table isolation keeps the user tables 4 KiB above the
 * kernel's, and its entry code tells a user CR3 by this bit (PTI_USER_PGTABLE_BIT).
 */
#define X86_CR3_PTI_USER_BIT	BIT_ULL(12)
/* Linear-address masking (SDM Vol. 3A, 4.4 "Linear-Address Masking"; Vol. 3C 27.2.2, 27.3.1.1) */
#define X86_CR3_LAM_U57		BIT_ULL(61)
#define X86_CR3_LAM_U48		BIT_ULL(62)
/* CPUID.(EAX=07H,ECX=1):EAX (SDM Vol. 2A, CPUID, Table 3-8) */
#define X86_FEATURE_7_1_EAX_LAM	BIT(26)

#define X86_CR4_VME		BIT(0)
#define X86_CR4_PVI		BIT(1)
#define X86_CR4_TSD		BIT(2)
#define X86_CR4_DE		BIT(3)
#define X86_CR4_PSE		BIT(4)
#define X86_CR4_PAE		BIT(5)
#define X86_CR4_MCE		BIT(6)
#define X86_CR4_PGE		BIT(7)
#define X86_CR4_PCE		BIT(8)
#define X86_CR4_OSFXSR		BIT(9)
#define X86_CR4_OSXMMEXCPT	BIT(10)
#define X86_CR4_UMIP		BIT(11)
#define X86_CR4_LA57		BIT(12)
#define X86_CR4_VMXE		BIT(13)
#define X86_CR4_SMXE		BIT(14)
#define X86_CR4_FSGSBASE	BIT(16)
#define X86_CR4_PCIDE		BIT(17)
#define X86_CR4_OSXSAVE		BIT(18)
#define X86_CR4_SMEP		BIT(20)
#define X86_CR4_SMAP		BIT(21)
#define X86_CR4_PKE		BIT(22)
#define X86_CR4_CET		BIT(23)

/*
 * CR0 and CR4 as the seed document draws them: one named bit each, for decoding and
 * printing.  Writes go through the X86_CR* masks above.
 */
union cr0 {
	u64 all;
	struct {
		u64 pe : 1;		/* [0] protection enable */
		u64 mp : 1;		/* [1] monitor coprocessor */
		u64 em : 1;		/* [2] x87 emulation */
		u64 ts : 1;		/* [3] task switched */
		u64 et : 1;		/* [4] extension type */
		u64 ne : 1;		/* [5] numeric error */
		u64 reserved1 : 10;	/* [6:15] */
		u64 wp : 1;		/* [16] write protect */
		u64 reserved2 : 1;	/* [17] */
		u64 am : 1;		/* [18] alignment mask */
		u64 reserved3 : 10;	/* [19:28] */
		u64 nw : 1;		/* [29] not write-through */
		u64 cd : 1;		/* [30] cache disable */
		u64 pg : 1;		/* [31] paging */
		u64 reserved4 : 32;
	} fields;
};
_Static_assert(sizeof(union cr0) == 8, "union cr0 is one register");

union cr4 {
	u64 all;
	struct {
		u64 vme : 1;		/* [0] virtual-8086 mode extensions */
		u64 pvi : 1;		/* [1] protected-mode virtual interrupts */
		u64 tsd : 1;		/* [2] time stamp disable */
		u64 de : 1;		/* [3] debugging extensions */
		u64 pse : 1;		/* [4] page size extensions */
		u64 pae : 1;		/* [5] physical address extension */
		u64 mce : 1;		/* [6] machine-check enable */
		u64 pge : 1;		/* [7] page global enable */
		u64 pce : 1;		/* [8] performance-counter enable */
		u64 osfxsr : 1;		/* [9] OS supports FXSAVE/FXRSTOR */
		u64 osxmmexcpt : 1;	/* [10] OS supports unmasked SIMD exceptions */
		u64 umip : 1;		/* [11] user-mode instruction prevention */
		u64 la57 : 1;		/* [12] 5-level paging */
		u64 vmxe : 1;		/* [13] VMX enable: VMXON needs it */
		u64 smxe : 1;		/* [14] SMX enable */
		u64 reserved1 : 1;	/* [15] */
		u64 fsgsbase : 1;	/* [16] */
		u64 pcide : 1;		/* [17] PCID enable */
		u64 osxsave : 1;	/* [18] XSAVE enable */
		u64 reserved2 : 1;	/* [19] */
		u64 smep : 1;		/* [20] supervisor-mode execution prevention */
		u64 smap : 1;		/* [21] supervisor-mode access prevention */
		u64 pke : 1;		/* [22] protection keys */
		u64 reserved3 : 41;
	} fields;
};
_Static_assert(sizeof(union cr4) == 8, "union cr4 is one register");

/* MSRs (SDM Vol. 4, Table 2-2; VMX capability MSRs: Vol. 3D, Appendix A) */
#define MSR_IA32_FEATURE_CONTROL	0x0000003a
#define MSR_IA32_SYSENTER_CS		0x00000174
#define MSR_IA32_SYSENTER_ESP		0x00000175
#define MSR_IA32_SYSENTER_EIP		0x00000176
#define MSR_IA32_SPEC_CTRL		0x00000048
#define MSR_IA32_DEBUGCTL		0x000001d9
#define MSR_IA32_PAT			0x00000277
#define MSR_MTRRcap			0x000000fe
#define MSR_IA32_SMRR_PHYSBASE		0x000001f2
#define MSR_IA32_SMRR_PHYSMASK		0x000001f3
#define MSR_MTRRfix64K_00000		0x00000250
#define MSR_MTRRfix16K_80000		0x00000258
#define MSR_MTRRfix16K_A0000		0x00000259
#define MSR_MTRRfix4K_C0000		0x00000268	/* ... 0x26f: 4K_F8000 */
#define MSR_MTRRdefType			0x000002ff
#define MTRRphysBase_MSR(n)		(0x00000200 + 2 * (n))
#define MTRRphysMask_MSR(n)		(0x00000200 + 2 * (n) + 1)
#define MSR_EFER			0xc0000080
#define MSR_STAR			0xc0000081
#define MSR_LSTAR			0xc0000082
#define MSR_CSTAR			0xc0000083
#define MSR_SYSCALL_MASK		0xc0000084
#define MSR_IA32_U_CET			0x000006a0
#define MSR_IA32_S_CET			0x000006a2
#define MSR_IA32_PL0_SSP		0x000006a4
#define MSR_IA32_PL1_SSP		0x000006a5
#define MSR_IA32_PL2_SSP		0x000006a6
#define MSR_IA32_PL3_SSP		0x000006a7
#define MSR_IA32_INT_SSP_TAB		0x000006a8
#define EFER_SCE			BIT_ULL(0)
#define EFER_LME			BIT_ULL(8)
#define EFER_LMA			BIT_ULL(10)
#define EFER_NXE			BIT_ULL(11)
#define MSR_FS_BASE			0xc0000100
#define MSR_GS_BASE			0xc0000101
#define MSR_LSTAR			0xc0000082	/* SYSCALL target, 64-bit mode */
#define MSR_CSTAR			0xc0000083	/* SYSCALL target, compatibility mode */
#define MSR_IA32_VMX_BASIC		0x00000480
#define MSR_IA32_VMX_PINBASED_CTLS	0x00000481
#define MSR_IA32_VMX_PROCBASED_CTLS	0x00000482
#define MSR_IA32_VMX_EXIT_CTLS		0x00000483
#define MSR_IA32_VMX_ENTRY_CTLS		0x00000484
#define MSR_IA32_VMX_MISC		0x00000485
#define MSR_IA32_VMX_CR0_FIXED0		0x00000486
#define MSR_IA32_VMX_CR0_FIXED1		0x00000487
#define MSR_IA32_VMX_CR4_FIXED0		0x00000488
#define MSR_IA32_VMX_CR4_FIXED1		0x00000489
#define MSR_IA32_VMX_VMCS_ENUM		0x0000048a
#define MSR_IA32_VMX_PROCBASED_CTLS2	0x0000048b
#define MSR_IA32_VMX_EPT_VPID_CAP	0x0000048c
#define MSR_IA32_VMX_TRUE_PINBASED_CTLS	0x0000048d
#define MSR_IA32_VMX_TRUE_PROCBASED_CTLS 0x0000048e
#define MSR_IA32_VMX_TRUE_EXIT_CTLS	0x0000048f
#define MSR_IA32_VMX_TRUE_ENTRY_CTLS	0x00000490
#define MSR_IA32_VMX_VMFUNC		0x00000491
#define MSR_IA32_VMX_PROCBASED_CTLS3	0x00000492
#define MSR_IA32_VMX_EXIT_CTLS2		0x00000493

/* MTRRs (SDM Vol. 3A, 11.11.1 to 11.11.3) and SMRR (Vol. 3C, 32.4.2) */
#define MTRR_CAP_VCNT_MASK		0xffULL
#define MTRR_CAP_FIX			BIT_ULL(8)
#define MTRR_CAP_WC			BIT_ULL(10)
#define MTRR_CAP_SMRR			BIT_ULL(11)
#define MTRR_DEF_TYPE_TYPE_MASK		0xffULL
#define MTRR_DEF_TYPE_FE		BIT_ULL(10)
#define MTRR_DEF_TYPE_E			BIT_ULL(11)
#define MTRR_PHYSBASE_TYPE_MASK		0xffULL
#define MTRR_PHYSMASK_V			BIT_ULL(11)

/* IA32_FEATURE_CONTROL (SDM Vol. 3C, 23.7 "Enabling and Entering VMX Operation") */
#define FEATURE_CONTROL_LOCKED			BIT_ULL(0)
#define FEATURE_CONTROL_VMXON_INSIDE_SMX	BIT_ULL(1)
#define FEATURE_CONTROL_VMXON_OUTSIDE_SMX	BIT_ULL(2)

/* IA32_VMX_BASIC (SDM Vol. 3D, A.1) */
#define VMX_BASIC_REVISION_MASK		0x7fffffffULL
#define VMX_BASIC_VMCS_SIZE_SHIFT	32
#define VMX_BASIC_VMCS_SIZE_MASK	0x1fffULL
#define VMX_BASIC_32BIT_PHYS_ADDR_ONLY	BIT_ULL(48)
#define VMX_BASIC_DUAL_MONITOR		BIT_ULL(49)
#define VMX_BASIC_MEM_TYPE_SHIFT	50
#define VMX_BASIC_MEM_TYPE_MASK		0xfULL
#define VMX_BASIC_INOUT			BIT_ULL(54)
#define VMX_BASIC_TRUE_CTLS		BIT_ULL(55)
#define VMX_BASIC_NO_HW_ERRCODE_CHECK	BIT_ULL(56)

/* IA32_VMX_MISC (SDM Vol. 3D, A.6) */
#define VMX_MISC_PREEMPTION_TIMER_RATE_MASK	0x1fULL
#define VMX_MISC_SAVE_EFER_LMA		BIT_ULL(5)
#define VMX_MISC_ACTIVITY_HLT		BIT_ULL(6)
#define VMX_MISC_ACTIVITY_SHUTDOWN	BIT_ULL(7)
#define VMX_MISC_ACTIVITY_WAIT_SIPI	BIT_ULL(8)
#define VMX_MISC_INTEL_PT		BIT_ULL(14)
#define VMX_MISC_RDMSR_SMBASE		BIT_ULL(15)
#define VMX_MISC_CR3_TARGETS_SHIFT	16
#define VMX_MISC_CR3_TARGETS_MASK	0x1ffULL
#define VMX_MISC_MSR_LIST_SHIFT		25
#define VMX_MISC_MSR_LIST_MASK		0x7ULL
#define VMX_MISC_VMWRITE_ANY_FIELD	BIT_ULL(29)
#define VMX_MISC_ZERO_LEN_INS		BIT_ULL(30)
#define VMX_MISC_MSEG_REVISION_SHIFT	32

#ifndef PAGE_SIZE
#define PAGE_SIZE	4096
#endif

/* RFLAGS (SDM Vol. 1, 3.4.3) and DR6 (SDM Vol. 3B, 18.2.3) */
#define X86_EFLAGS_TF	BIT(8)
#define X86_EFLAGS_IF	BIT(9)
#define X86_EFLAGS_RF	BIT(16)
#define X86_EFLAGS_VM	BIT(17)
#define X86_EFLAGS_AC	BIT(18)
#define DR6_BS		BIT(14)
#define DR6_TRAP_BITS	(0xfULL | BIT(13) | BIT(14) | BIT(15))	/* B0-B3, BD, BS, BT */
#define DEBUGCTL_BTF	BIT(1)		/* IA32_DEBUGCTL: single-step on branches */

/* XCR0 state components (SDM Vol. 1, 13.1) */
#define XFEATURE_MASK_FP	BIT_ULL(0)
#define XFEATURE_MASK_SSE	BIT_ULL(1)
#define XFEATURE_MASK_YMM	BIT_ULL(2)
#define XFEATURE_MASK_BNDREGS	BIT_ULL(3)
#define XFEATURE_MASK_BNDCSR	BIT_ULL(4)
#define XFEATURE_MASK_AVX512	(BIT_ULL(5) | BIT_ULL(6) | BIT_ULL(7))
#define XFEATURE_MASK_XTILECFG	BIT_ULL(17)
#define XFEATURE_MASK_XTILEDATA	BIT_ULL(18)

/* Exception and interrupt vectors (SDM Vol. 3A, Table 6-1) */
#define X86_VEC_DB	1
#define X86_VEC_NMI	2
#define X86_VEC_UD	6
#define X86_VEC_DF	8
#define X86_VEC_GP	13
#define X86_VEC_PF	14
#define X86_VEC_MC	18

#endif
