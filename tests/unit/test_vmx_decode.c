// SPDX-License-Identifier: GPL-2.0
/* Unit tests for core/vmx_decode.c: control settings and names. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "vmx_decode.h"
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
		cmocka_unit_test(test_revision_and_memtype),
	};

	return cmocka_run_group_tests_name("vmx_decode", tests, NULL, NULL);
}
