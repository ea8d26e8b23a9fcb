// SPDX-License-Identifier: GPL-2.0
/* Unit tests for core/vmx_ctls.c: control adjustment against capability MSRs. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "vmx_ctls.h"
#include "vmcs.h"
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

/*
 * What subzero asks for (vmx_ctls_wanted(), shared by vmx.c and `subzero check`): in
 * VMX_CTL_* order, EPT required only when it is on, and the emulated Haswell has all
 * of it.  The fake CPU's CPUID has no RDTSCP/INVPCID/XSAVES/WAITPKG: none required.
 */
static void test_wanted_fits_haswell(void **state)
{
	struct vmx_ctl_want w[VMX_CTL_NR], no_ept[VMX_CTL_NR];
	struct vmx_ctl_choice ch;
	int i;

	(void)state;
	vmx_ctls_wanted(true, w);
	vmx_ctls_wanted(false, no_ept);
	for (i = 0; i < VMX_CTL_NR; i++) {
		assert_int_equal(w[i].ctl, i);
		assert_int_equal(vmx_ctl_adjust(&caps, w[i].ctl, w[i].required, w[i].optional,
						&ch), 0);
		assert_int_equal(ch.missing, 0);
	}
	assert_int_equal(w[VMX_CTL_PROC2].field, SECONDARY_VM_EXEC_CONTROL);
	assert_int_equal(w[VMX_CTL_PROC2].required, SECONDARY_EXEC_ENABLE_EPT);
	assert_int_equal(w[VMX_CTL_PROC2].optional, SECONDARY_EXEC_ENABLE_VPID);
	assert_int_equal(no_ept[VMX_CTL_PROC2].required, 0);
	assert_true(w[VMX_CTL_PIN].required & PIN_BASED_VIRTUAL_NMIS);
	assert_true(w[VMX_CTL_ENTRY].required & VM_ENTRY_IA32E_MODE);
}

/* A CPU without virtual NMIs cannot run subzero: the pin-based word names it. */
static void test_wanted_without_virtual_nmis(void **state)
{
	struct vmx_ctl_want w[VMX_CTL_NR];
	struct vmx_caps c = caps;
	struct vmx_ctl_choice ch;

	(void)state;
	c.true_pinbased &= ~((u64)PIN_BASED_VIRTUAL_NMIS << 32);
	vmx_ctls_wanted(true, w);
	assert_int_equal(vmx_ctl_adjust(&c, VMX_CTL_PIN, w[VMX_CTL_PIN].required,
					w[VMX_CTL_PIN].optional, &ch), -EOPNOTSUPP);
	assert_string_equal(vmx_ctl_bit_name(VMX_CTL_PIN, __builtin_ctz(ch.missing)),
			    "VIRTUAL_NMIS");
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
		cmocka_unit_test(test_wanted_fits_haswell),
		cmocka_unit_test(test_wanted_without_virtual_nmis),
	};

	return cmocka_run_group_tests_name("vmx_ctls", tests, setup_haswell, NULL);
}
