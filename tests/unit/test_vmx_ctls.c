// SPDX-License-Identifier: GPL-2.0
/* Unit tests for core/vmx_ctls.c: control adjustment against capability MSRs. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "vmx_ctls.h"
#include "errors.h"
#include "arch/x86.h"
#include "fake_cpu.h"

static struct vmx_caps caps;

static int setup_haswell(void **state)
{
	(void)state;
	fake_cpu_load(&fake_haswell);
	return vmx_caps_read(&caps);
}

/* Must-be-1 bits are added even when nobody asked for them. */
static void test_must_be_one_bits_added(void **state)
{
	struct vmx_ctl_choice ch;

	(void)state;
	assert_int_equal(vmx_ctl_adjust(&caps, VMX_CTL_PIN, 0, 0, &ch), 0);
	assert_int_equal(ch.value, (u32)caps.true_pinbased);
	assert_int_equal(ch.value, 0x16);	/* the Haswell's default1 pin bits */
	assert_int_equal(ch.dropped, 0);
}

static void test_required_and_optional(void **state)
{
	struct vmx_ctl_choice ch;
	u32 req = CPU_BASED_ACTIVATE_SECONDARY_CONTROLS | CPU_BASED_USE_MSR_BITMAPS;

	(void)state;
	assert_int_equal(vmx_ctl_adjust(&caps, VMX_CTL_PROC, req, CPU_BASED_USE_TSC_OFFSETTING |
					CPU_BASED_MONITOR_TRAP_FLAG, &ch), 0);
	assert_true((ch.value & req) == req);
	assert_true(ch.value & CPU_BASED_USE_TSC_OFFSETTING);
	/* Bochs' Haswell has no monitor trap flag (TRUE_PROCBASED_CTLS bit 59 is 0) */
	assert_false(ch.value & CPU_BASED_MONITOR_TRAP_FLAG);
	assert_int_equal(ch.dropped, CPU_BASED_MONITOR_TRAP_FLAG);
	/* with TRUE controls, CR3-load/store exiting (default1 otherwise) may be 0 */
	assert_false(ch.value & CPU_BASED_CR3_LOAD_EXITING);
	assert_false(ch.value & CPU_BASED_CR3_STORE_EXITING);
}

/* The emulated Haswell has no XSAVES control: optional, so dropped and reported. */
static void test_optional_dropped(void **state)
{
	struct vmx_ctl_choice ch;

	(void)state;
	assert_int_equal(vmx_ctl_adjust(&caps, VMX_CTL_PROC2, SECONDARY_EXEC_ENABLE_EPT,
					SECONDARY_EXEC_ENABLE_XSAVES | SECONDARY_EXEC_ENABLE_VPID,
					&ch), 0);
	assert_int_equal(ch.dropped, SECONDARY_EXEC_ENABLE_XSAVES);
	assert_int_equal(ch.value, SECONDARY_EXEC_ENABLE_EPT | SECONDARY_EXEC_ENABLE_VPID);
}

static void test_required_missing_is_named(void **state)
{
	struct vmx_ctl_choice ch;

	(void)state;
	assert_int_equal(vmx_ctl_adjust(&caps, VMX_CTL_PROC2, SECONDARY_EXEC_ENABLE_XSAVES, 0,
					&ch), -EOPNOTSUPP);
	assert_int_equal(ch.missing, SECONDARY_EXEC_ENABLE_XSAVES);
	assert_string_equal(vmx_ctl_bit_name(VMX_CTL_PROC2, __builtin_ctz(ch.missing)),
			    "ENABLE_XSAVES");
}

/* Without secondary controls every secondary bit is missing. */
static void test_no_secondary(void **state)
{
	struct vmx_caps c = caps;
	struct vmx_ctl_choice ch;

	(void)state;
	c.have &= ~VMX_CAPS_HAVE_PROCBASED2;
	assert_int_equal(vmx_ctl_adjust(&c, VMX_CTL_PROC2, SECONDARY_EXEC_ENABLE_EPT, 0, &ch),
			 -EOPNOTSUPP);
	assert_int_equal(ch.value, 0);
}

/* Without TRUE controls the old MSR's default1 bits are forced on. */
static void test_no_true_controls_forces_default1(void **state)
{
	struct vmx_caps c = caps;
	struct vmx_ctl_choice ch;

	(void)state;
	c.have &= ~VMX_CAPS_HAVE_TRUE_CTLS;
	assert_int_equal(vmx_ctl_adjust(&c, VMX_CTL_PROC, 0, 0, &ch), 0);
	assert_true(ch.value & CPU_BASED_CR3_LOAD_EXITING);
	assert_true(ch.value & CPU_BASED_CR3_STORE_EXITING);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_must_be_one_bits_added),
		cmocka_unit_test(test_required_and_optional),
		cmocka_unit_test(test_optional_dropped),
		cmocka_unit_test(test_required_missing_is_named),
		cmocka_unit_test(test_no_secondary),
		cmocka_unit_test(test_no_true_controls_forces_default1),
	};

	return cmocka_run_group_tests_name("vmx_ctls", tests, setup_haswell, NULL);
}
