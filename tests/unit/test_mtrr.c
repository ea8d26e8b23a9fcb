// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for core/mtrr.c: reading the MTRRs of the fake Haswell (a typical
 * firmware layout, see fake_cpu.h) and the SDM's precedence rules for memory types.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "mtrr.h"
#include "errors.h"
#include "arch/x86.h"
#include "fake_cpu.h"

#define KiB	0x400ULL
#define MiB	0x100000ULL
#define GiB	0x40000000ULL

#define UC	X86_MEMTYPE_UC
#define WC	X86_MEMTYPE_WC
#define WT	X86_MEMTYPE_WT
#define WP	X86_MEMTYPE_WP
#define WB	X86_MEMTYPE_WB

/* The mask of a variable range of size bytes on a 39-bit CPU, valid. */
#define VMASK(size)	((((1ULL << 39) - 1) & ~((size) - 1)) | MTRR_PHYSMASK_V)

static struct mtrr_state st;

static int setup(void **state)
{
	(void)state;
	fake_cpu_load(&fake_haswell);
	return mtrr_read(&st);
}

/* The type of a range that must be uniform. */
static int type_of(u64 base, u64 size)
{
	u8 t = 0xee;
	int ret = mtrr_type(&st, base, size, &t);

	assert_int_equal(ret, 0);
	return t;
}

static bool uniform(u64 base, u64 size)
{
	u8 t = 0xee;
	int ret = mtrr_type(&st, base, size, &t);

	assert_true(ret == 0 || ret == MTRR_NOT_UNIFORM);
	if (ret)
		assert_int_equal(t, 0xee);	/* not written */
	return ret == 0;
}

/* Put a variable range into slot 3 (free on the fake Haswell) and re-read. */
static void set_var3(u64 base, u64 size, u8 type)
{
	fake_cpu_set_msr(MTRRphysBase_MSR(3), base | type);
	fake_cpu_set_msr(MTRRphysMask_MSR(3), VMASK(size));
	assert_int_equal(mtrr_read(&st), 0);
}

static void test_read_haswell(void **state)
{
	(void)state;
	assert_int_equal(fake_cpu_gp_count(), 0);
	assert_int_equal(fake_cpu_safe_fault_count(), 0);
	assert_true(st.enabled);
	assert_true(st.fixed_enabled);
	assert_true(st.fixed_present);
	assert_true(st.smrr_present);
	assert_false(st.smrr_unreadable);
	assert_int_equal(st.def_type, UC);
	assert_int_equal(st.phys_bits, 39);
	assert_int_equal(st.nr_var, 10);
	assert_int_equal(st.fixed[0], 0x0606060606060606ULL);	/* 64K_00000 */
	assert_int_equal(st.fixed[3], 0x0505050505050505ULL);	/* 4K_C0000 */
	assert_int_equal(st.fixed[10], 0x0505050505050505ULL);	/* 4K_F8000 */
	assert_int_equal(st.var[1].base, 0xc0000000ULL);
	assert_int_equal(st.var[1].mask, 0x7fc0000800ULL);
	assert_int_equal(st.var[9].mask, 0);
	assert_int_equal(st.smrr.base, 0xbf800006ULL);
	assert_int_equal(st.smrr.mask, 0xff800800ULL);
	/* 1 + 1 + 11 fixed + 20 variable + 2 SMRR */
	assert_int_equal(fake_cpu_rdmsr_count(), 35);
}

static void test_phys_bits_without_leaf_80000008(void **state)
{
	struct fake_cpu_profile p = fake_haswell;

	(void)state;
	p.cpuid_ext_max = 0x80000004;
	fake_cpu_load(&p);
	assert_int_equal(mtrr_read(&st), 0);
	assert_int_equal(st.phys_bits, MTRR_DEFAULT_PHYS_BITS);

	p.cpuid_ext_max = 0x80000008;
	p.cpuid_ext8_eax = 0x302e;	/* 46 bits, a Xeon */
	fake_cpu_load(&p);
	assert_int_equal(mtrr_read(&st), 0);
	assert_int_equal(st.phys_bits, 46);

	p.cpuid_ext8_eax = 0x3000;	/* nonsense: keep the default */
	fake_cpu_load(&p);
	assert_int_equal(mtrr_read(&st), 0);
	assert_int_equal(st.phys_bits, MTRR_DEFAULT_PHYS_BITS);
}

/* No MTRR in CPUID: no MTRR MSR is touched, and the state says UC everywhere. */
static void test_no_mtrrs(void **state)
{
	struct fake_cpu_profile p = fake_haswell;

	(void)state;
	p.cpuid1_edx &= ~X86_FEATURE_EDX_MTRR;
	fake_cpu_load(&p);
	assert_int_equal(mtrr_read(&st), -ENODEV);
	assert_int_equal(fake_cpu_rdmsr_count(), 0);
	assert_false(st.enabled);
	assert_int_equal(type_of(0, 4 * GiB), UC);
}

static void test_too_many_variable_ranges(void **state)
{
	(void)state;
	fake_cpu_set_msr(MSR_MTRRcap, 0xd00 | (MTRR_MAX_VAR + 1));
	assert_int_equal(mtrr_read(&st), -ERANGE);
	assert_false(st.enabled);
	assert_int_equal(fake_cpu_gp_count(), 0);
	assert_int_equal(type_of(0, 4 * KiB), UC);
}

/* SMRR reads that fault are fixed up, not #GPs, and the SMRR is then ignored. */
static void test_smrr_unreadable(void **state)
{
	(void)state;
	assert_int_equal(type_of(0xbf800000ULL, 8 * MiB), UC);
	fake_cpu_drop_msr(MSR_IA32_SMRR_PHYSBASE);
	fake_cpu_drop_msr(MSR_IA32_SMRR_PHYSMASK);
	assert_int_equal(mtrr_read(&st), 0);
	assert_int_equal(fake_cpu_gp_count(), 0);
	assert_int_equal(fake_cpu_safe_fault_count(), 1);
	assert_true(st.smrr_unreadable);
	assert_int_equal(st.smrr.mask, 0);
	assert_int_equal(type_of(0xbf800000ULL, 8 * MiB), WB);	/* var0 */
	assert_int_equal(type_of(2 * GiB, GiB), WB);
}

/* Without IA32_MTRRCAP.SMRR the SMRR MSRs are not even tried. */
static void test_no_smrr(void **state)
{
	(void)state;
	fake_cpu_set_msr(MSR_MTRRcap, 0x50a);
	fake_cpu_drop_msr(MSR_IA32_SMRR_PHYSBASE);
	fake_cpu_drop_msr(MSR_IA32_SMRR_PHYSMASK);
	assert_int_equal(mtrr_read(&st), 0);
	assert_int_equal(fake_cpu_safe_fault_count(), 0);
	assert_false(st.smrr_present);
	assert_false(st.smrr_unreadable);
	assert_int_equal(type_of(0xbf800000ULL, 8 * MiB), WB);
}

/* SDM 11.11.2.1: E = 0 makes all of physical memory UC, fixed ranges included. */
static void test_disabled_is_uc(void **state)
{
	(void)state;
	fake_cpu_set_msr(MSR_MTRRdefType, 0x406);	/* FE and WB, but not E */
	assert_int_equal(mtrr_read(&st), 0);
	assert_false(st.enabled);
	assert_int_equal(type_of(0, 4 * KiB), UC);
	assert_int_equal(type_of(0, 1ULL << 39), UC);
	assert_int_equal(type_of(GiB, GiB), UC);
}

static void test_fixed_ranges(void **state)
{
	(void)state;
	assert_int_equal(type_of(0, 4 * KiB), WB);
	assert_int_equal(type_of(0x9f000, 4 * KiB), WB);
	assert_int_equal(type_of(0xa0000, 128 * KiB), UC);	/* VGA: both 16K MSRs */
	assert_int_equal(type_of(0xc0000, 32 * KiB), WP);
	assert_int_equal(type_of(0xc8000, 96 * KiB), UC);
	assert_int_equal(type_of(0xe0000, 128 * KiB), WP);	/* four 4K MSRs */
	/* across the 64K and the first 16K MSR, both WB */
	assert_int_equal(type_of(0x70000, 0x30000), WB);
	/* across two fixed entries of different types */
	assert_false(uniform(0x9f000, 8 * KiB));	/* WB | UC */
	assert_false(uniform(0xc7000, 8 * KiB));	/* WP | UC */
	assert_false(uniform(0, MiB));
	assert_false(uniform(0, 2 * MiB));
	/* just above the fixed ranges the variable ranges decide */
	assert_int_equal(type_of(MiB, MiB), WB);
}

/* Each byte of a fixed-range MSR types its own unit, lowest byte first. */
static void test_fixed_range_bytes(void **state)
{
	static const u8 types[8] = { WB, WT, UC, WP, WC, WB, WB, UC };
	u64 v = 0;

	(void)state;
	for (int i = 0; i < 8; i++)
		v |= (u64)types[i] << (8 * i);
	fake_cpu_set_msr(MSR_MTRRfix64K_00000, v);
	fake_cpu_set_msr(MSR_MTRRfix16K_A0000, v);
	fake_cpu_set_msr(MSR_MTRRfix4K_C0000 + 5, v);	/* E8000-EFFFF */
	assert_int_equal(mtrr_read(&st), 0);
	for (int i = 0; i < 8; i++) {
		assert_int_equal(type_of(i * 64 * KiB, 64 * KiB), types[i]);
		assert_int_equal(type_of(0xa0000 + i * 16 * KiB, 16 * KiB), types[i]);
		assert_int_equal(type_of(0xe8000 + i * 4 * KiB, 4 * KiB), types[i]);
	}
	assert_int_equal(type_of(0x50000, 128 * KiB), WB);	/* units 5 and 6 */
	assert_false(uniform(0x40000, 128 * KiB));		/* units 4 and 5 */
	assert_int_equal(type_of(0xe8000 + 20 * KiB, 8 * KiB), WB);
}

/* With FE = 0 the variable ranges cover the first MiB too. */
static void test_fixed_ranges_disabled(void **state)
{
	(void)state;
	fake_cpu_set_msr(MSR_MTRRdefType, MTRR_DEF_TYPE_E);
	assert_int_equal(mtrr_read(&st), 0);
	assert_int_equal(type_of(0xa0000, 4 * KiB), WB);
	assert_int_equal(type_of(0, 2 * MiB), WB);
	assert_int_equal(type_of(0, GiB), WB);
}

static void test_variable_ranges_and_default(void **state)
{
	(void)state;
	assert_int_equal(type_of(GiB, GiB), WB);		/* var0 */
	assert_int_equal(type_of(3 * GiB, GiB), UC);		/* var0 WB + var1 UC */
	assert_int_equal(type_of(0xfee00000ULL, 4 * KiB), UC);	/* the local APIC */
	assert_int_equal(type_of(4 * GiB, 4 * GiB), WB);	/* var2 */
	assert_int_equal(type_of(5 * GiB, 2 * MiB), WB);
	assert_int_equal(type_of(8 * GiB, 8 * GiB), UC);	/* nothing: default */
	assert_int_equal(type_of(256 * GiB, 256 * GiB), UC);
	/* not aligned, not a power of two, but one type */
	assert_int_equal(type_of(GiB + 4 * KiB, 3 * MiB + 8 * KiB), WB);
	/* the default type applies where nothing matches */
	fake_cpu_set_msr(MSR_MTRRdefType, 0xc06);
	assert_int_equal(mtrr_read(&st), 0);
	assert_int_equal(type_of(8 * GiB, 8 * GiB), WB);
	assert_int_equal(type_of(3 * GiB, GiB), UC);
}

/* SMRR (TSEG, BF800000-BFFFFFFF) is UC inside the WB var0. */
static void test_smrr_is_uc(void **state)
{
	(void)state;
	assert_int_equal(type_of(0xbf800000ULL, 8 * MiB), UC);
	assert_int_equal(type_of(0xbfe00000ULL, 2 * MiB), UC);
	assert_int_equal(type_of(0xbf600000ULL, 2 * MiB), WB);
	assert_false(uniform(0xbf000000ULL, 16 * MiB));
	assert_false(uniform(2 * GiB, GiB));
	assert_false(uniform(0, 4 * GiB));
}

/* SDM 11.11.4.1 "MTRR Precedences", var3 over var0's WB at 1-2 GiB. */
static void test_precedence(void **state)
{
	(void)state;
	set_var3(GiB, GiB, UC);
	assert_int_equal(type_of(GiB, GiB), UC);		/* UC wins over WB */
	set_var3(GiB, GiB, WT);
	assert_int_equal(type_of(GiB, GiB), WT);		/* WT + WB: WT */
	set_var3(GiB, GiB, WB);
	assert_int_equal(type_of(GiB, GiB), WB);		/* same type twice */
	set_var3(GiB, GiB, WC);
	assert_int_equal(type_of(GiB, GiB), UC);		/* undefined: UC */
	set_var3(GiB, GiB, WP);
	assert_int_equal(type_of(GiB, GiB), UC);		/* undefined: UC */
	/* WT and WB several times over stay WT */
	set_var3(GiB, GiB, WT);
	fake_cpu_set_msr(MTRRphysBase_MSR(4), GiB | WB);
	fake_cpu_set_msr(MTRRphysMask_MSR(4), VMASK(GiB));
	fake_cpu_set_msr(MTRRphysBase_MSR(5), GiB | WT);
	fake_cpu_set_msr(MTRRphysMask_MSR(5), VMASK(GiB));
	assert_int_equal(mtrr_read(&st), 0);
	assert_int_equal(type_of(GiB, GiB), WT);
	/* an invalid range (V = 0) does not count */
	fake_cpu_set_msr(MTRRphysMask_MSR(3), VMASK(GiB) & ~MTRR_PHYSMASK_V);
	fake_cpu_set_msr(MTRRphysMask_MSR(5), VMASK(GiB) & ~MTRR_PHYSMASK_V);
	assert_int_equal(mtrr_read(&st), 0);
	assert_int_equal(type_of(GiB, GiB), WB);
}

/* A range only partly inside a variable range is not uniform; its parts are. */
static void test_partial_cover(void **state)
{
	(void)state;
	set_var3(GiB + 2 * MiB, 2 * MiB, WT);
	assert_false(uniform(GiB, GiB));
	assert_false(uniform(GiB, 4 * MiB));
	assert_int_equal(type_of(GiB, 2 * MiB), WB);
	assert_int_equal(type_of(GiB + 2 * MiB, 2 * MiB), WT);
	assert_int_equal(type_of(GiB + 3 * MiB, 4 * KiB), WT);
	assert_int_equal(type_of(GiB + 4 * MiB, 2 * MiB), WB);
	/* a range spanning the 4 GiB edge of the hole */
	assert_false(uniform(3 * GiB + GiB / 2, GiB));
	/*
	 * The documented approximation: a partial cover is "not uniform" even where
	 * the types would agree (a WB range inside WB var0).  It only costs page size.
	 */
	set_var3(GiB + 2 * MiB, 2 * MiB, WB);
	assert_false(uniform(GiB, GiB));
	assert_int_equal(type_of(GiB, 2 * MiB), WB);
}

static void test_bad_ranges(void **state)
{
	u8 t;

	(void)state;
	assert_int_equal(mtrr_type(&st, 0, 0, &t), -EINVAL);
	assert_int_equal(mtrr_type(&st, 0x800, 4 * KiB, &t), -EINVAL);
	assert_int_equal(mtrr_type(&st, 0, 0x800, &t), -EINVAL);
	assert_int_equal(mtrr_type(&st, ~0xfffULL, 8 * KiB, &t), -EINVAL);	/* wraps */
	assert_int_equal(mtrr_type(&st, 1ULL << 39, 4 * KiB, &t), -EINVAL);
	assert_int_equal(mtrr_type(&st, (1ULL << 39) - 4 * KiB, 8 * KiB, &t), -EINVAL);
	assert_int_equal(type_of((1ULL << 39) - 4 * KiB, 4 * KiB), UC);
}

static void test_type_names(void **state)
{
	(void)state;
	assert_string_equal(mtrr_type_name(UC), "UC");
	assert_string_equal(mtrr_type_name(WC), "WC");
	assert_string_equal(mtrr_type_name(WT), "WT");
	assert_string_equal(mtrr_type_name(WP), "WP");
	assert_string_equal(mtrr_type_name(WB), "WB");
	assert_string_equal(mtrr_type_name(2), "??");
	assert_string_equal(mtrr_type_name(7), "??");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_read_haswell, setup),
		cmocka_unit_test(test_phys_bits_without_leaf_80000008),
		cmocka_unit_test(test_no_mtrrs),
		cmocka_unit_test_setup(test_too_many_variable_ranges, setup),
		cmocka_unit_test_setup(test_smrr_unreadable, setup),
		cmocka_unit_test_setup(test_no_smrr, setup),
		cmocka_unit_test_setup(test_disabled_is_uc, setup),
		cmocka_unit_test_setup(test_fixed_ranges, setup),
		cmocka_unit_test_setup(test_fixed_range_bytes, setup),
		cmocka_unit_test_setup(test_fixed_ranges_disabled, setup),
		cmocka_unit_test_setup(test_variable_ranges_and_default, setup),
		cmocka_unit_test_setup(test_smrr_is_uc, setup),
		cmocka_unit_test_setup(test_precedence, setup),
		cmocka_unit_test_setup(test_partial_cover, setup),
		cmocka_unit_test_setup(test_bad_ranges, setup),
		cmocka_unit_test(test_type_names),
	};

	return cmocka_run_group_tests_name("mtrr", tests, NULL, NULL);
}
