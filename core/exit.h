/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VM exits: reasons (SDM Vol. 3D, Appendix C) and decoded qualifications, kept apart
 * from the policy in exit.c so the decoding can be unit-tested.
 */
#ifndef SUBZERO_EXIT_H
#define SUBZERO_EXIT_H

#include "types.h"

/*
 * Basic exit reasons (SDM Vol. 3D, Appendix C, Table C-1): one row each, the only
 * place each is written.  The list generates the EXIT_REASON_* constants below and
 * the names exit_reason_name() returns (exit_decode.c).
 *   X(name, number):        printed as name less EXIT_REASON_;
 *   L(name, number, label): printed as label, where KVM's constant is not the name
 *                           the SDM gives the instruction (EXIT_REASON_VMOFF: VMXOFF).
 */
#define EXIT_REASONS(X, L)						\
	X(EXIT_REASON_EXCEPTION_NMI,		0)			\
	X(EXIT_REASON_EXTERNAL_INTERRUPT,	1)			\
	X(EXIT_REASON_TRIPLE_FAULT,		2)			\
	X(EXIT_REASON_INIT_SIGNAL,		3)			\
	X(EXIT_REASON_SIPI_SIGNAL,		4)			\
	X(EXIT_REASON_INTERRUPT_WINDOW,		7)			\
	X(EXIT_REASON_NMI_WINDOW,		8)			\
	X(EXIT_REASON_TASK_SWITCH,		9)			\
	X(EXIT_REASON_CPUID,			10)			\
	X(EXIT_REASON_GETSEC,			11)			\
	X(EXIT_REASON_HLT,			12)			\
	X(EXIT_REASON_INVD,			13)			\
	X(EXIT_REASON_INVLPG,			14)			\
	X(EXIT_REASON_RDPMC,			15)			\
	X(EXIT_REASON_RDTSC,			16)			\
	X(EXIT_REASON_VMCALL,			18)			\
	X(EXIT_REASON_VMCLEAR,			19)			\
	X(EXIT_REASON_VMLAUNCH,			20)			\
	X(EXIT_REASON_VMPTRLD,			21)			\
	X(EXIT_REASON_VMPTRST,			22)			\
	X(EXIT_REASON_VMREAD,			23)			\
	X(EXIT_REASON_VMRESUME,			24)			\
	X(EXIT_REASON_VMWRITE,			25)			\
	L(EXIT_REASON_VMOFF,			26, "VMXOFF")		\
	L(EXIT_REASON_VMON,			27, "VMXON")		\
	X(EXIT_REASON_CR_ACCESS,		28)			\
	X(EXIT_REASON_DR_ACCESS,		29)			\
	X(EXIT_REASON_IO_INSTRUCTION,		30)			\
	X(EXIT_REASON_MSR_READ,			31)			\
	X(EXIT_REASON_MSR_WRITE,		32)			\
	X(EXIT_REASON_INVALID_STATE,		33)			\
	X(EXIT_REASON_MSR_LOAD_FAIL,		34)			\
	L(EXIT_REASON_MWAIT_INSTRUCTION,	36, "MWAIT")		\
	X(EXIT_REASON_MONITOR_TRAP_FLAG,	37)			\
	L(EXIT_REASON_MONITOR_INSTRUCTION,	39, "MONITOR")		\
	L(EXIT_REASON_PAUSE_INSTRUCTION,	40, "PAUSE")		\
	X(EXIT_REASON_MCE_DURING_VMENTRY,	41)			\
	X(EXIT_REASON_TPR_BELOW_THRESHOLD,	43)			\
	X(EXIT_REASON_APIC_ACCESS,		44)			\
	X(EXIT_REASON_EOI_INDUCED,		45)			\
	X(EXIT_REASON_GDTR_IDTR,		46)			\
	X(EXIT_REASON_LDTR_TR,			47)			\
	X(EXIT_REASON_EPT_VIOLATION,		48)			\
	X(EXIT_REASON_EPT_MISCONFIG,		49)			\
	X(EXIT_REASON_INVEPT,			50)			\
	X(EXIT_REASON_RDTSCP,			51)			\
	X(EXIT_REASON_PREEMPTION_TIMER,		52)			\
	X(EXIT_REASON_INVVPID,			53)			\
	X(EXIT_REASON_WBINVD,			54)			\
	X(EXIT_REASON_XSETBV,			55)			\
	X(EXIT_REASON_APIC_WRITE,		56)			\
	X(EXIT_REASON_RDRAND,			57)			\
	X(EXIT_REASON_INVPCID,			58)			\
	X(EXIT_REASON_VMFUNC,			59)			\
	X(EXIT_REASON_ENCLS,			60)			\
	X(EXIT_REASON_RDSEED,			61)			\
	X(EXIT_REASON_PML_FULL,			62)			\
	X(EXIT_REASON_XSAVES,			63)			\
	X(EXIT_REASON_XRSTORS,			64)			\
	X(EXIT_REASON_UMWAIT,			67)			\
	X(EXIT_REASON_TPAUSE,			68)			\
	X(EXIT_REASON_BUS_LOCK,			74)			\
	X(EXIT_REASON_NOTIFY,			75)

#define EXIT_REASON_CONST(name, number)			name = (number),
#define EXIT_REASON_CONST_L(name, number, label)	name = (number),
enum exit_reason_number {
	EXIT_REASONS(EXIT_REASON_CONST, EXIT_REASON_CONST_L)
};
#undef EXIT_REASON_CONST
#undef EXIT_REASON_CONST_L

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

/*
 * Descriptor-table exits (SDM Vol. 3C, 28.2.5, Tables 28-10 "Format of the VM-Exit
 * Instruction-Information Field as Used for LIDT, LGDT, SIDT, or SGDT" and 28-11
 * "... for LLDT, LTR, SLDT, and STR").  The exit qualification is the displacement,
 * sign-extended to 64 bits; with RIP-relative addressing it is already the sum of the
 * displacement and the next instruction's RIP, and base and index are invalid
 * (28.2.1).
 */
enum dt_op {
	DT_SGDT, DT_SIDT, DT_LGDT, DT_LIDT,	/* exit 46: identity 0-3 */
	DT_SLDT, DT_STR, DT_LLDT, DT_LTR,	/* exit 47: identity 0-3 */
};

enum dt_addr_size { DT_ADDR16, DT_ADDR32, DT_ADDR64 };

struct dt_insn {
	u8 op;			/* enum dt_op */
	u8 scale;		/* index * (1 << scale) */
	u8 addr_size;		/* enum dt_addr_size (3 or more: undefined) */
	bool op32;		/* 46: operand size 32 (undefined in 64-bit mode) */
	bool reg_form;		/* 47: a register operand (reg1), not memory */
	u8 reg1;		/* 47, reg_form: the register (hardware number) */
	u8 seg;			/* segment register: 0 ES, 1 CS, 2 SS, 3 DS, 4 FS, 5 GS */
	u8 index, base;		/* general registers (hardware numbers) */
	bool index_valid, base_valid;
	u64 disp;		/* the exit qualification */
};

/* Decode exit @basic (46 or 47): @info the instruction information, @qual. */
void exit_decode_dt(u32 basic, u32 info, u64 qual, struct dt_insn *out);

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
