// SPDX-License-Identifier: GPL-2.0
/* Unit tests for core/vmx_decode.c: control settings and names. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "vmx_decode.h"
#include "arch/x86.h"
#include "fake_cpu.h"

static void test_ctl_setting(void **state)
{
	/* allowed-0 (low half) bit 1 => must be 1; allowed-1 (high) bit 0 => may be 1 */
	u64 cap = (0x0000000fULL << 32) | 0x00000005ULL;

	(void)state;
	assert_int_equal(vmx_ctl_setting(cap, 0), VMX_CTL_FIXED1);
	assert_int_equal(vmx_ctl_setting(cap, 1), VMX_CTL_FLEXIBLE);
	assert_int_equal(vmx_ctl_setting(cap, 2), VMX_CTL_FIXED1);
	assert_int_equal(vmx_ctl_setting(cap, 3), VMX_CTL_FLEXIBLE);
	assert_int_equal(vmx_ctl_setting(cap, 4), VMX_CTL_FIXED0);
	assert_int_equal(vmx_ctl_setting(cap, 31), VMX_CTL_FIXED0);
	assert_int_equal(vmx_ctl_setting(cap, 32), VMX_CTL_FIXED0);
	assert_int_equal(vmx_ctl_setting(~0ULL, 200), VMX_CTL_FIXED0);
}

/* A.2: with TRUE controls, the TRUE_ MSRs govern; the default1 bits may then be 0. */
static void test_ctl_cap_prefers_true(void **state)
{
	struct vmx_caps c;

	(void)state;
	fake_cpu_load(&fake_haswell);
	assert_int_equal(vmx_caps_read(&c), 0);
	assert_int_equal(vmx_ctl_cap(&c, VMX_CTL_PROC), c.true_procbased);
	assert_int_equal(vmx_ctl_cap(&c, VMX_CTL_EXIT), c.true_exit);
	/* CR3-load exiting is default1 in the old MSR but may be 0 with TRUE controls */
	assert_int_equal(vmx_ctl_setting(c.procbased, 15), VMX_CTL_FIXED1);
	assert_int_equal(vmx_ctl_setting(vmx_ctl_cap(&c, VMX_CTL_PROC), 15), VMX_CTL_FLEXIBLE);

	c.have &= ~VMX_CAPS_HAVE_TRUE_CTLS;
	assert_int_equal(vmx_ctl_cap(&c, VMX_CTL_PROC), c.procbased);
	assert_int_equal(vmx_ctl_cap(&c, VMX_CTL_PIN), c.pinbased);
	assert_int_equal(vmx_ctl_cap(&c, VMX_CTL_ENTRY), c.entry);
	c.have &= ~VMX_CAPS_HAVE_PROCBASED2;
	assert_int_equal(vmx_ctl_cap(&c, VMX_CTL_PROC2), 0);
	assert_int_equal(vmx_ctl_cap(&c, VMX_CTL_NR), 0);
}

static void test_bit_names(void **state)
{
	(void)state;
	assert_string_equal(vmx_ctl_bit_name(VMX_CTL_PROC2, 1), "ENABLE_EPT");
	assert_string_equal(vmx_ctl_bit_name(VMX_CTL_PROC2, 5), "ENABLE_VPID");
	assert_string_equal(vmx_ctl_bit_name(VMX_CTL_PROC, 31), "ACTIVATE_SECONDARY_CONTROLS");
	assert_string_equal(vmx_ctl_bit_name(VMX_CTL_EXIT, 9), "HOST_ADDR_SPACE_SIZE");
	assert_string_equal(vmx_ctl_bit_name(VMX_CTL_ENTRY, 9), "IA32E_MODE");
	assert_string_equal(vmx_ctl_bit_name(VMX_CTL_PIN, 3), "NMI_EXITING");
	assert_null(vmx_ctl_bit_name(VMX_CTL_PIN, 1));
	assert_null(vmx_ctl_bit_name(VMX_CTL_NR, 0));
	assert_null(vmx_ctl_bit_name((enum vmx_ctl)-1, 0));
}

/* Every table: bits in range, ascending, no name twice. */
static void test_tables_well_formed(void **state)
{
	(void)state;
	for (int w = 0; w < VMX_CTL_NR; w++) {
		const struct vmx_ctl_desc *d = &vmx_ctl_descs[w];

		assert_non_null(d->name);
		assert_true(d->nr_bits > 0);
		for (size_t i = 0; i < d->nr_bits; i++) {
			assert_true(d->bits[i].bit < 32);
			if (i)
				assert_true(d->bits[i].bit > d->bits[i - 1].bit);
			for (size_t j = 0; j < i; j++)
				assert_string_not_equal(d->bits[i].name, d->bits[j].name);
		}
	}
	for (size_t i = 1; i < vmx_ept_vpid_nr_bits; i++)
		assert_true(vmx_ept_vpid_bits[i].bit > vmx_ept_vpid_bits[i - 1].bit);
}

/* A name printed after the wrong prefix: a row in the wrong list of vmx_bits.h. */
static void assert_after_prefix(const char *name, const char *prefix)
{
	size_t n = strlen(prefix);

	assert_memory_equal(name - n, prefix, n);
}

static const char *ept_vpid_bit_name(unsigned int bit)
{
	for (size_t i = 0; i < vmx_ept_vpid_nr_bits; i++)
		if (vmx_ept_vpid_bits[i].bit == bit)
			return vmx_ept_vpid_bits[i].name;
	return NULL;
}

/*
 * The tables generated from vmx_bits.h: every row of the SDM tables we list is there
 * (5 + 22 + 29 + 13 + 11 controls, 18 EPT/VPID bits), each name sits in its own word,
 * and a constant and its name come from the same row.
 */
static void test_generated_tables(void **state)
{
	static const size_t nr_bits[VMX_CTL_NR] = {
		[VMX_CTL_PIN] = 5, [VMX_CTL_PROC] = 22, [VMX_CTL_PROC2] = 29,
		[VMX_CTL_EXIT] = 13, [VMX_CTL_ENTRY] = 11,
	};
	static const struct {
		enum vmx_ctl ctl;
		u64 mask;
		const char *name;
	} known[] = {
		{ VMX_CTL_PIN, PIN_BASED_VIRTUAL_NMIS, "VIRTUAL_NMIS" },
		{ VMX_CTL_PROC, CPU_BASED_MONITOR_TRAP_FLAG, "MONITOR_TRAP_FLAG" },
		{ VMX_CTL_PROC, CPU_BASED_ACTIVATE_SECONDARY_CONTROLS, "ACTIVATE_SECONDARY_CONTROLS" },
		{ VMX_CTL_PROC2, SECONDARY_EXEC_BUS_LOCK_DETECTION, "BUS_LOCK_DETECTION" },
		{ VMX_CTL_EXIT, VM_EXIT_LOAD_IA32_EFER, "LOAD_IA32_EFER" },
		{ VMX_CTL_ENTRY, VM_ENTRY_LOAD_CET_STATE, "LOAD_CET_STATE" },
	};
	size_t total = 0;

	(void)state;
	for (int w = 0; w < VMX_CTL_NR; w++) {
		const struct vmx_ctl_desc *d = &vmx_ctl_descs[w];

		assert_int_equal(d->nr_bits, nr_bits[w]);
		total += d->nr_bits;
		for (size_t i = 0; i < d->nr_bits; i++)
			assert_after_prefix(d->bits[i].name, d->prefix);
	}
	assert_int_equal(total, 80);
	for (size_t i = 0; i < ARRAY_SIZE(known); i++)
		assert_string_equal(vmx_ctl_bit_name(known[i].ctl, __builtin_ctzll(known[i].mask)),
				    known[i].name);

	/* SDM values, so that a bit number typed wrong in the list is caught */
	assert_int_equal(PIN_BASED_NMI_EXITING, 0x8);
	assert_int_equal(CPU_BASED_ACTIVATE_SECONDARY_CONTROLS, 0x80000000ULL);
	assert_int_equal(SECONDARY_EXEC_ENABLE_EPT | SECONDARY_EXEC_ENABLE_VPID, 0x22);
	assert_int_equal(VM_EXIT_HOST_ADDR_SPACE_SIZE, 0x200);
	assert_int_equal(VM_ENTRY_IA32E_MODE, 0x200);

	assert_int_equal(vmx_ept_vpid_nr_bits, 18);
	for (size_t i = 0; i < vmx_ept_vpid_nr_bits; i++) {
		assert_true(vmx_ept_vpid_bits[i].bit < 64);
		assert_after_prefix(vmx_ept_vpid_bits[i].name, "VMX_");
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(vmx_ept_vpid_bits[i].name, vmx_ept_vpid_bits[j].name);
	}
	assert_string_equal(ept_vpid_bit_name(__builtin_ctzll(VMX_EPTP_WB)), "EPTP_WB");
	assert_string_equal(ept_vpid_bit_name(__builtin_ctzll(VMX_VPID_INVVPID)), "VPID_INVVPID");
	assert_int_equal(VMX_EPT_EXECUTE_ONLY, 1);
	assert_int_equal(VMX_EPT_INVEPT, 1ULL << 20);
	assert_int_equal(VMX_VPID_EXTENT_SINGLE_NON_GLOBAL, 1ULL << 43);
	assert_null(ept_vpid_bit_name(1));
}

static void test_revision_and_memtype(void **state)
{
	struct vmx_caps c = { .basic = 0xd810000000002bULL };

	(void)state;
	assert_int_equal(vmx_caps_revision_id(&c), 0x2b);
	c.basic |= 1ULL << 31;		/* bit 31 is not part of the revision id */
	assert_int_equal(vmx_caps_revision_id(&c), 0x2b);
	assert_string_equal(vmx_memtype_name(6), "WB");
	assert_string_equal(vmx_memtype_name(0), "UC");
	assert_string_equal(vmx_memtype_name(2), "reserved");
	assert_string_equal(vmx_memtype_name(99), "reserved");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ctl_setting),
		cmocka_unit_test(test_ctl_cap_prefers_true),
		cmocka_unit_test(test_bit_names),
		cmocka_unit_test(test_tables_well_formed),
		cmocka_unit_test(test_generated_tables),
		cmocka_unit_test(test_revision_and_memtype),
	};

	return cmocka_run_group_tests_name("vmx_decode", tests, NULL, NULL);
}
