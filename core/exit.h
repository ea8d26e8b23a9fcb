/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VM exits: reasons (SDM Vol. 3D, Appendix C) and decoded qualifications, kept apart
 * from the policy in exit.c so the decoding can be unit-tested.
 */
#ifndef SUBZERO_EXIT_H
#define SUBZERO_EXIT_H

#include "types.h"

#define EXIT_REASON_EXCEPTION_NMI	0
#define EXIT_REASON_EXTERNAL_INTERRUPT	1
#define EXIT_REASON_TRIPLE_FAULT	2
#define EXIT_REASON_INIT_SIGNAL		3
#define EXIT_REASON_SIPI_SIGNAL		4
#define EXIT_REASON_INTERRUPT_WINDOW	7
#define EXIT_REASON_NMI_WINDOW		8
#define EXIT_REASON_TASK_SWITCH		9
#define EXIT_REASON_CPUID		10
#define EXIT_REASON_GETSEC		11
#define EXIT_REASON_HLT			12
#define EXIT_REASON_INVD		13
#define EXIT_REASON_INVLPG		14
#define EXIT_REASON_RDPMC		15
#define EXIT_REASON_RDTSC		16
#define EXIT_REASON_VMCALL		18
#define EXIT_REASON_VMCLEAR		19
#define EXIT_REASON_VMLAUNCH		20
#define EXIT_REASON_VMPTRLD		21
#define EXIT_REASON_VMPTRST		22
#define EXIT_REASON_VMREAD		23
#define EXIT_REASON_VMRESUME		24
#define EXIT_REASON_VMWRITE		25
#define EXIT_REASON_VMOFF		26
#define EXIT_REASON_VMON		27
#define EXIT_REASON_CR_ACCESS		28
#define EXIT_REASON_DR_ACCESS		29
#define EXIT_REASON_IO_INSTRUCTION	30
#define EXIT_REASON_MSR_READ		31
#define EXIT_REASON_MSR_WRITE		32
#define EXIT_REASON_INVALID_STATE	33
#define EXIT_REASON_MSR_LOAD_FAIL	34
#define EXIT_REASON_MWAIT_INSTRUCTION	36
#define EXIT_REASON_MONITOR_TRAP_FLAG	37
#define EXIT_REASON_MONITOR_INSTRUCTION	39
#define EXIT_REASON_PAUSE_INSTRUCTION	40
#define EXIT_REASON_MCE_DURING_VMENTRY	41
#define EXIT_REASON_TPR_BELOW_THRESHOLD	43
#define EXIT_REASON_APIC_ACCESS		44
#define EXIT_REASON_EOI_INDUCED		45
#define EXIT_REASON_GDTR_IDTR		46
#define EXIT_REASON_LDTR_TR		47
#define EXIT_REASON_EPT_VIOLATION	48
#define EXIT_REASON_EPT_MISCONFIG	49
#define EXIT_REASON_INVEPT		50
#define EXIT_REASON_RDTSCP		51
#define EXIT_REASON_PREEMPTION_TIMER	52
#define EXIT_REASON_INVVPID		53
#define EXIT_REASON_WBINVD		54
#define EXIT_REASON_XSETBV		55
#define EXIT_REASON_APIC_WRITE		56
#define EXIT_REASON_RDRAND		57
#define EXIT_REASON_INVPCID		58
#define EXIT_REASON_VMFUNC		59
#define EXIT_REASON_ENCLS		60
#define EXIT_REASON_RDSEED		61
#define EXIT_REASON_PML_FULL		62
#define EXIT_REASON_XSAVES		63
#define EXIT_REASON_XRSTORS		64
#define EXIT_REASON_UMWAIT		67
#define EXIT_REASON_TPAUSE		68
#define EXIT_REASON_BUS_LOCK		74
#define EXIT_REASON_NOTIFY		75

/* The exit-reason field (SDM Vol. 3C, 25.9.1, Table 25-18 "Format of Exit Reason") */
union exit_reason {
	u32 all;
	struct {
		u32 basic : 16;
		u32 reserved1 : 11;
		u32 enclave : 1;		/* [27] */
		u32 pending_mtf : 1;		/* [28] */
		u32 from_root : 1;		/* [29] */
		u32 reserved2 : 1;
		u32 entry_failure : 1;		/* [31] */
	} f;
};
_Static_assert(sizeof(union exit_reason) == 4, "exit reason is 32 bits");

/* Control-register accesses (SDM Vol. 3C, Table 28-3) */
enum cr_access_type { CR_MOV_TO, CR_MOV_FROM, CR_CLTS, CR_LMSW };

struct cr_access {
	u8 cr;			/* 0, 3, 4 or 8 */
	u8 type;		/* enum cr_access_type */
	u8 reg;			/* general register (hardware number), MOV only */
	u16 lmsw_source;	/* LMSW only */
};

void exit_decode_cr_access(u64 qual, struct cr_access *out);

/* Interruption information (VM-exit, IDT-vectoring, VM-entry; SDM Vol. 3C, 25.8.3) */
#define INTR_INFO_VECTOR_MASK		0xffU
#define INTR_INFO_TYPE_SHIFT		8
#define INTR_INFO_TYPE_MASK		(7U << 8)
#define INTR_INFO_DELIVER_CODE		BIT(11)
#define INTR_INFO_NMI_UNBLOCK		BIT(12)
#define INTR_INFO_VALID			BIT(31)

#define INTR_TYPE_EXT_INTR		0
#define INTR_TYPE_NMI			2
#define INTR_TYPE_HARD_EXCEPTION	3
#define INTR_TYPE_SOFT_INTR		4
#define INTR_TYPE_PRIV_SW_EXCEPTION	5
#define INTR_TYPE_SOFT_EXCEPTION	6

/* Guest interruptibility state (SDM Vol. 3C, 25.4.2, Table 25-3) */
#define GUEST_INTR_STATE_STI		BIT(0)
#define GUEST_INTR_STATE_MOV_SS		BIT(1)
#define GUEST_INTR_STATE_SMI		BIT(2)
#define GUEST_INTR_STATE_NMI		BIT(3)


/* The name of a basic exit reason, or "unknown". */
const char *exit_reason_name(u32 basic);

#endif
