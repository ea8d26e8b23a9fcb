// SPDX-License-Identifier: GPL-2.0
/*
 * Reading the MTRRs and computing the memory type of a physical range from them
 * (SDM Vol. 3A, 11.11).
 */
#include "mtrr.h"
#include "errors.h"
#include "os.h"
#include "arch/x86.h"
#include <cpu_ops.h>

#define MTRR_FIXED_END		0x100000ULL	/* the fixed ranges cover the first MiB */
#define PAGE_MASK_4K		0xfffULL

/*
 * SDM Vol. 3A, 11.11.2.2 "Fixed Range MTRRs": each MSR holds 8 one-byte types for 8
 * consecutive units of its size.
 */
static const struct {
	u32 msr;
	u32 start;
	u8 unit_order;
} mtrr_fixed[MTRR_NR_FIXED] = {
	{ MSR_MTRRfix64K_00000, 0x00000, 16 },
	{ MSR_MTRRfix16K_80000, 0x80000, 14 },
	{ MSR_MTRRfix16K_A0000, 0xa0000, 14 },
	{ MSR_MTRRfix4K_C0000 + 0, 0xc0000, 12 },
	{ MSR_MTRRfix4K_C0000 + 1, 0xc8000, 12 },
	{ MSR_MTRRfix4K_C0000 + 2, 0xd0000, 12 },
	{ MSR_MTRRfix4K_C0000 + 3, 0xd8000, 12 },
	{ MSR_MTRRfix4K_C0000 + 4, 0xe0000, 12 },
	{ MSR_MTRRfix4K_C0000 + 5, 0xe8000, 12 },
	{ MSR_MTRRfix4K_C0000 + 6, 0xf0000, 12 },
	{ MSR_MTRRfix4K_C0000 + 7, 0xf8000, 12 },
};

static void mtrr_read_phys_bits(struct mtrr_state *s)
{
	u32 regs[4];
	u8 bits;

	s->phys_bits = MTRR_DEFAULT_PHYS_BITS;
	cpu_cpuid(0x80000000, 0, regs);
	if (regs[0] < 0x80000008)
		return;
	/* SDM Vol. 2A, CPUID leaf 80000008H: EAX[7:0] = physical-address bits. */
	cpu_cpuid(0x80000008, 0, regs);
	bits = regs[0] & 0xff;
	if (bits >= 32 && bits <= 52)
		s->phys_bits = bits;
}

int mtrr_read(struct mtrr_state *s)
{
	u32 regs[4];
	u64 cap, def;
	unsigned int i;

	*s = (struct mtrr_state){ 0 };
	mtrr_read_phys_bits(s);

	/* 11.11.1 "MTRR Feature Identification": IA32_MTRRCAP exists iff CPUID says so. */
	cpu_cpuid(1, 0, regs);
	if (!(regs[3] & X86_FEATURE_EDX_MTRR))
		return -ENODEV;
	cap = cpu_rdmsr(MSR_MTRRcap);
	if ((cap & MTRR_CAP_VCNT_MASK) > MTRR_MAX_VAR)
		return -ERANGE;
	s->nr_var = cap & MTRR_CAP_VCNT_MASK;
	s->fixed_present = cap & MTRR_CAP_FIX;
	s->smrr_present = cap & MTRR_CAP_SMRR;

	def = cpu_rdmsr(MSR_MTRRdefType);
	s->def_type = def & MTRR_DEF_TYPE_TYPE_MASK;
	s->fixed_enabled = def & MTRR_DEF_TYPE_FE;

	if (s->fixed_present)
		for (i = 0; i < MTRR_NR_FIXED; i++)
			s->fixed[i] = cpu_rdmsr(mtrr_fixed[i].msr);
	for (i = 0; i < s->nr_var; i++) {
		s->var[i].base = cpu_rdmsr(MTRRphysBase_MSR(i));
		s->var[i].mask = cpu_rdmsr(MTRRphysMask_MSR(i));
	}
	/* 11.11.2.4 "System-Management Range Register Interface" */
	if (s->smrr_present &&
	    (os_rdmsr_safe(MSR_IA32_SMRR_PHYSBASE, &s->smrr.base) ||
	     os_rdmsr_safe(MSR_IA32_SMRR_PHYSMASK, &s->smrr.mask))) {
		s->smrr = (struct mtrr_var){ 0 };
		s->smrr_unreadable = true;
	}
	s->enabled = def & MTRR_DEF_TYPE_E;
	return 0;
}

const char *mtrr_type_name(u8 type)
{
	switch (type) {
	case X86_MEMTYPE_UC: return "UC";
	case X86_MEMTYPE_WC: return "WC";
	case X86_MEMTYPE_WT: return "WT";
	case X86_MEMTYPE_WP: return "WP";
	case X86_MEMTYPE_WB: return "WB";
	default: return "??";
	}
}

/* Address bits MAXPHYADDR-1:12: where PHYSBASE and PHYSMASK hold addresses. */
static u64 mtrr_addr_mask(const struct mtrr_state *s)
{
	return ((1ULL << s->phys_bits) - 1) & ~PAGE_MASK_4K;
}

enum mtrr_match { MATCH_NONE, MATCH_ALL, MATCH_PART };

/*
 * How the naturally aligned block [a, a + 2^order) meets the range of addresses x
 * with (x & mask) == (base & mask) (11.11.2.3 "Variable Range MTRRs").  The block's
 * addresses agree on every bit from order up and take every value below it.  So if
 * the mask has no bit below order, they all match or none does; if it has one, the
 * block straddles the range's edge (or, for a non-contiguous mask, its holes), and we
 * call that partial even when no address of the block matches: the answer then only
 * costs a smaller page, never a wrong type.
 */
static enum mtrr_match mtrr_match(u64 base, u64 mask, u64 a, unsigned int order)
{
	u64 low = (1ULL << order) - 1;

	if ((a & mask & ~low) != (base & mask & ~low))
		return MATCH_NONE;
	return (mask & low) ? MATCH_PART : MATCH_ALL;
}

/* The fixed-range MSR covering a (< 1 MiB). */
static unsigned int mtrr_fixed_index(u64 a)
{
	unsigned int i = MTRR_NR_FIXED - 1;

	while (a < mtrr_fixed[i].start)
		i--;
	return i;
}

static bool mtrr_fixed_applies(const struct mtrr_state *s, u64 a)
{
	return a < MTRR_FIXED_END && s->fixed_present && s->fixed_enabled;
}

/*
 * 11.11.4.1 "MTRR Precedences", for more than one matching variable range: the same
 * type is that type; UC with anything is UC; WT with WB is WT; any other mix is
 * undefined, and we take UC, the type that is never less safe.
 */
static int mtrr_combine(int t, int mt)
{
	if (t < 0 || t == mt)
		return mt;
	if ((t == X86_MEMTYPE_WT && mt == X86_MEMTYPE_WB) ||
	    (t == X86_MEMTYPE_WB && mt == X86_MEMTYPE_WT))
		return X86_MEMTYPE_WT;
	return X86_MEMTYPE_UC;
}

/*
 * The type of the naturally aligned block [a, a + 2^order), or -1 if not uniform.
 * Below 1 MiB the caller keeps the block inside one fixed-range unit.
 */
static int mtrr_block_type(const struct mtrr_state *s, u64 a, unsigned int order)
{
	u64 am = mtrr_addr_mask(s);
	enum mtrr_match m;
	int t = -1;
	unsigned int i;

	/*
	 * Outside SMM the SMRR range is UC whatever the MTRRs say.  SMRR holds
	 * address bits 31:12 only: the range lies below 4 GiB.
	 */
	if (s->smrr.mask & MTRR_PHYSMASK_V) {
		m = mtrr_match(s->smrr.base & am,
			       (s->smrr.mask & 0xfffff000ULL) | (am & ~0xffffffffULL), a, order);
		if (m == MATCH_PART)
			return -1;
		if (m == MATCH_ALL)
			return X86_MEMTYPE_UC;
	}

	if (mtrr_fixed_applies(s, a)) {
		i = mtrr_fixed_index(a);
		return (s->fixed[i] >> (8 * ((a - mtrr_fixed[i].start) >>
					     mtrr_fixed[i].unit_order))) & 0xff;
	}

	for (i = 0; i < s->nr_var; i++) {
		if (!(s->var[i].mask & MTRR_PHYSMASK_V))
			continue;
		m = mtrr_match(s->var[i].base & am, s->var[i].mask & am, a, order);
		if (m == MATCH_PART)
			return -1;
		if (m == MATCH_ALL)
			t = mtrr_combine(t, s->var[i].base & MTRR_PHYSBASE_TYPE_MASK);
	}
	return t < 0 ? s->def_type : t;
}

/*
 * The largest naturally aligned block at cur that ends by end and, below 1 MiB, stays
 * inside one fixed-range unit.
 */
static unsigned int mtrr_block_order(const struct mtrr_state *s, u64 cur, u64 end)
{
	unsigned int order = cur ? __builtin_ctzll(cur) : 63;
	unsigned int fit = 63 - __builtin_clzll(end - cur);
	unsigned int unit;

	if (fit < order)
		order = fit;
	if (mtrr_fixed_applies(s, cur)) {
		unit = mtrr_fixed[mtrr_fixed_index(cur)].unit_order;
		if (unit < order)
			order = unit;
	}
	return order;
}

int mtrr_type(const struct mtrr_state *s, u64 base, u64 size, u8 *type)
{
	u64 end = base + size;
	u64 cur;
	unsigned int order;
	int t = -1, bt;

	if (!size || ((base | size) & PAGE_MASK_4K) || end < base ||
	    s->phys_bits > 52 || end > (1ULL << s->phys_bits))
		return -EINVAL;
	if (!s->enabled) {
		*type = X86_MEMTYPE_UC;
		return 0;
	}
	/* Cut the range into aligned power-of-two blocks; they must all agree. */
	for (cur = base; cur < end; cur += 1ULL << order) {
		order = mtrr_block_order(s, cur, end);
		bt = mtrr_block_type(s, cur, order);
		if (bt < 0 || (t >= 0 && bt != t))
			return MTRR_NOT_UNIFORM;
		t = bt;
	}
	*type = t;
	return 0;
}
