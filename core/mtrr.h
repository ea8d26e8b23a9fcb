/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Memory types from the MTRRs (SDM Vol. 3A, 11.11 "Memory Type Range Registers").
 *
 * With EPT on, the processor no longer consults the MTRRs for guest accesses: an
 * access's type comes from the EPT leaf's memory type combined with the guest's PAT
 * (SDM Vol. 3C, 29.3.7 "EPT and Memory Typing").  So an identity map that should not
 * change how the guest's memory is cached must copy into each leaf the type the MTRRs
 * give its range, and must use a large page only where that type is uniform.  That is
 * what mtrr_type() answers.
 *
 * mtrr_read() is not called in VMX root; mtrr_type() is (EPT merges call it) and is
 * pure computation on a struct mtrr_state.
 */
#ifndef SUBZERO_MTRR_H
#define SUBZERO_MTRR_H

#include "types.h"

#define MTRR_MAX_VAR		32	/* more than any CPU has had (10 so far) */
#define MTRR_NR_FIXED		11	/* 64K_00000, 16K_80000, 16K_A0000, 4K_C0000-F8000 */
#define MTRR_DEFAULT_PHYS_BITS	36	/* MAXPHYADDR without CPUID.80000008H */

/* One variable range or the SMRR, as read from its PHYSBASE/PHYSMASK pair. */
struct mtrr_var {
	u64 base;		/* type in 7:0, base address in MAXPHYADDR-1:12 */
	u64 mask;		/* valid in 11, mask in MAXPHYADDR-1:12 */
};

struct mtrr_state {
	bool enabled;		/* IA32_MTRR_DEF_TYPE.E: off means UC everywhere */
	bool fixed_enabled;	/* IA32_MTRR_DEF_TYPE.FE */
	bool fixed_present;	/* IA32_MTRRCAP.FIX */
	bool smrr_present;	/* IA32_MTRRCAP.SMRR */
	bool smrr_unreadable;	/* present, but reading it faulted: SMRR ignored */
	u8 def_type;		/* IA32_MTRR_DEF_TYPE bits 7:0 */
	u8 phys_bits;		/* MAXPHYADDR: CPUID.80000008H:EAX[7:0], else 36 */
	unsigned int nr_var;	/* IA32_MTRRCAP.VCNT */
	u64 fixed[MTRR_NR_FIXED];	/* in the order listed above */
	struct mtrr_var var[MTRR_MAX_VAR];
	struct mtrr_var smrr;	/* IA32_SMRR_PHYSBASE/PHYSMASK */
};

/*
 * Read the MTRRs of the current CPU (they should match on every CPU; the SDM asks
 * firmware and the OS to keep them so).  The SMRR pair is read with os_rdmsr_safe():
 * on some CPUs it faults outside SMM; it is then ignored and smrr_unreadable set
 * (non-SMM accesses to SMRAM are refused by the processor whatever EPT says).
 *
 * Returns 0; -ENODEV if CPUID says the CPU has no MTRRs; -ERANGE if it has more than
 * MTRR_MAX_VAR variable ranges.  On error *s says "MTRRs disabled", so a caller that
 * goes on anyway gets UC everywhere: never wrong, only slow.
 */
int mtrr_read(struct mtrr_state *s);

/*
 * mtrr_type() found parts of the range with different types (or could not prove
 * they agree: see mtrr.c).
 */
#define MTRR_NOT_UNIFORM	1

/*
 * The memory type of the physical range [base, base + size), if the MTRRs give every
 * byte of it the same type: returns 0 and *type (X86_MEMTYPE_*), or MTRR_NOT_UNIFORM.
 * -EINVAL if base or size is not a multiple of 4 KiB, size is 0, or the range wraps
 * or goes beyond 2^phys_bits.  A 4 KiB range is always uniform.  Root-safe.
 */
int mtrr_type(const struct mtrr_state *s, u64 base, u64 size, u8 *type);

/* "UC", "WC", "WT", "WP", "WB", or "??" for a reserved encoding. */
const char *mtrr_type_name(u8 type);

#endif
