// SPDX-License-Identifier: GPL-2.0
/* Unit tests for core/vmx_caps.c against the fake CPU. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "vmx_caps.h"
#include "errors.h"
#include "arch/x86.h"
#include "fake_cpu.h"

static void test_haswell_reads_everything(void **state)
{
	struct vmx_caps c;

	(void)state;
	fake_cpu_load(&fake_haswell);
	assert_int_equal(vmx_caps_read(&c), 0);
	assert_int_equal(fake_cpu_gp_count(), 0);
	assert_int_equal(c.feature_control, 0x5);
	assert_int_equal(c.basic, 0xd810000000002bULL);
	assert_int_equal(c.procbased, 0xf7f9fffe0401e172ULL);
	assert_int_equal(c.procbased2, 0x47fff00000000ULL);
	assert_int_equal(c.ept_vpid, 0xf0106334141ULL);
	assert_int_equal(c.true_procbased, 0xf7f9fffe04006172ULL);
	assert_int_equal(c.have, VMX_CAPS_HAVE_PROCBASED2 | VMX_CAPS_HAVE_EPT_VPID |
				 VMX_CAPS_HAVE_TRUE_CTLS | VMX_CAPS_HAVE_VMFUNC);
}

static void test_no_vmx_touches_no_msr(void **state)
{
	struct vmx_caps c;

	(void)state;
	fake_cpu_load(&fake_no_vmx);
	assert_int_equal(vmx_caps_read(&c), -ENODEV);
	assert_int_equal(fake_cpu_rdmsr_count(), 0);
	assert_int_equal(c.have, 0);
}

/* A.1: without IA32_VMX_BASIC[55] the TRUE_ MSRs do not exist and are not read. */
static void test_no_true_controls(void **state)
{
	struct vmx_caps c;

	(void)state;
	fake_cpu_load(&fake_haswell);
	fake_cpu_set_msr(0x480, 0xd810000000002bULL & ~(1ULL << 55));
	for (unsigned int msr = 0x48d; msr <= 0x490; msr++)
		fake_cpu_drop_msr(msr);
	assert_int_equal(vmx_caps_read(&c), 0);
	assert_int_equal(fake_cpu_gp_count(), 0);
	assert_false(c.have & VMX_CAPS_HAVE_TRUE_CTLS);
	assert_int_equal(c.true_procbased, 0);
}

/* A.3.3: no secondary controls, so no PROCBASED_CTLS2, EPT_VPID_CAP or VMFUNC. */
static void test_no_secondary_controls(void **state)
{
	struct vmx_caps c;

	(void)state;
	fake_cpu_load(&fake_haswell);
	fake_cpu_set_msr(0x482, 0xf7f9fffe0401e172ULL & ~(1ULL << 63));
	fake_cpu_set_msr(0x48e, 0xf7f9fffe04006172ULL & ~(1ULL << 63));
	fake_cpu_drop_msr(0x48b);
	fake_cpu_drop_msr(0x48c);
	fake_cpu_drop_msr(0x491);
	assert_int_equal(vmx_caps_read(&c), 0);
	assert_int_equal(fake_cpu_gp_count(), 0);
	assert_int_equal(c.have, VMX_CAPS_HAVE_TRUE_CTLS);
}

/* A.10: neither EPT nor VPID allowed, so IA32_VMX_EPT_VPID_CAP is not read. */
static void test_no_ept_no_vpid(void **state)
{
	struct vmx_caps c;

	(void)state;
	fake_cpu_load(&fake_haswell);
	fake_cpu_set_msr(0x48b, 0x47fff00000000ULL & ~((1ULL << 33) | (1ULL << 37)));
	fake_cpu_drop_msr(0x48c);
	assert_int_equal(vmx_caps_read(&c), 0);
	assert_int_equal(fake_cpu_gp_count(), 0);
	assert_false(c.have & VMX_CAPS_HAVE_EPT_VPID);
	assert_true(c.have & VMX_CAPS_HAVE_PROCBASED2);
	assert_int_equal(c.ept_vpid, 0);
}

/* The vmx_has_*() queries read the allowed-1 halves and the EPT/VPID capability bits. */
static void test_has_queries(void **state)
{
	struct vmx_caps c;

	(void)state;
	fake_cpu_load(&fake_haswell);
	assert_int_equal(vmx_caps_read(&c), 0);
	assert_true(vmx_has_ept(&c));
	assert_true(vmx_has_vpid(&c));
	assert_true(vmx_has_ept_1gb_pages(&c));
	assert_false(vmx_has_mtf(&c));		/* Bochs has no monitor trap flag */

	c.ept_vpid &= ~VMX_EPT_1GB_PAGE;
	assert_false(vmx_has_ept_1gb_pages(&c));
	c.ept_vpid |= VMX_EPT_1GB_PAGE;
	c.procbased2 &= ~((u64)SECONDARY_EXEC_ENABLE_EPT << 32);
	assert_false(vmx_has_ept(&c));
	assert_false(vmx_has_ept_1gb_pages(&c));	/* no EPT, no EPT pages */
	assert_true(vmx_has_vpid(&c));
	c.procbased2 &= ~((u64)SECONDARY_EXEC_ENABLE_VPID << 32);
	assert_false(vmx_has_vpid(&c));

	/* MTF from the TRUE_ MSR where there is one, else from the plain one */
	c.true_procbased |= (u64)CPU_BASED_MONITOR_TRAP_FLAG << 32;
	assert_true(vmx_has_mtf(&c));
	c.have &= ~VMX_CAPS_HAVE_TRUE_CTLS;
	assert_false(vmx_has_mtf(&c));
	c.procbased |= (u64)CPU_BASED_MONITOR_TRAP_FLAG << 32;
	assert_true(vmx_has_mtf(&c));

	/* the VMX-preemption timer: from the TRUE_ MSR where there is one */
	assert_int_equal(vmx_caps_read(&c), 0);
	assert_true(vmx_has_preemption_timer(&c));	/* Haswell has it */
	c.true_pinbased &= ~((u64)PIN_BASED_VMX_PREEMPTION_TIMER << 32);
	assert_false(vmx_has_preemption_timer(&c));
	c.have &= ~VMX_CAPS_HAVE_TRUE_CTLS;
	assert_true(vmx_has_preemption_timer(&c));	/* the plain MSR allows it */
	c.pinbased &= ~((u64)PIN_BASED_VMX_PREEMPTION_TIMER << 32);
	assert_false(vmx_has_preemption_timer(&c));

	/* without secondary controls there is neither EPT nor VPID, whatever the MSR said */
	assert_int_equal(vmx_caps_read(&c), 0);
	c.have &= ~VMX_CAPS_HAVE_PROCBASED2;
	assert_false(vmx_has_ept(&c));
	assert_false(vmx_has_vpid(&c));
}

/* LAM (CR3 bits 62:61 legal) from CPUID.(7,1):EAX[26], only where leaf 7 exists. */
static void test_lam_from_cpuid(void **state)
{
	struct vmx_caps c;

	(void)state;
	fake_cpu_load(&fake_haswell);
	assert_int_equal(vmx_caps_read(&c), 0);
	assert_false(c.lam);
	fake_cpu.cpuid_7_1_eax = X86_FEATURE_7_1_EAX_LAM;
	assert_int_equal(vmx_caps_read(&c), 0);
	assert_false(c.lam);			/* the highest basic leaf is below 7 */
	fake_cpu.cpuid_max = 7;
	assert_int_equal(vmx_caps_read(&c), 0);
	assert_true(c.lam);
	fake_cpu.cpuid_7_1_eax = ~(u32)X86_FEATURE_7_1_EAX_LAM;
	assert_int_equal(vmx_caps_read(&c), 0);
	assert_false(c.lam);
}

static void test_compare_equal(void **state)
{
	struct vmx_caps a, b;
	const char *field = "unset";

	(void)state;
	fake_cpu_load(&fake_haswell);
	vmx_caps_read(&a);
	vmx_caps_read(&b);
	assert_int_equal(vmx_caps_compare(&a, &b, &field), 0);
	assert_null(field);
}

static void test_compare_names_the_difference(void **state)
{
	struct vmx_caps a, b;
	const char *field;

	(void)state;
	fake_cpu_load(&fake_haswell);
	vmx_caps_read(&a);
	fake_cpu_set_msr(0x48c, 0xf0106334141ULL & ~(1ULL << 17));	/* no 1 GiB pages */
	vmx_caps_read(&b);
	assert_int_equal(vmx_caps_compare(&a, &b, &field), -EINVAL);
	assert_string_equal(field, "ept_vpid");

	b = a;
	b.cr4_fixed1 ^= 1ULL << 22;
	assert_int_equal(vmx_caps_compare(&a, &b, &field), -EINVAL);
	assert_string_equal(field, "cr4_fixed1");

	b = a;
	b.have &= ~VMX_CAPS_HAVE_VMFUNC;
	assert_int_equal(vmx_caps_compare(&a, &b, &field), -EINVAL);
	assert_string_equal(field, "have");
}

/* CPUID.1:ECX differs between CPUs in harmless ways; only the VMX bit matters. */
static void test_compare_cpuid_only_vmx_bit(void **state)
{
	struct vmx_caps a, b;
	const char *field;

	(void)state;
	fake_cpu_load(&fake_haswell);
	vmx_caps_read(&a);
	b = a;
	b.cpuid1_ecx ^= 1U << 31;	/* hypervisor present */
	assert_int_equal(vmx_caps_compare(&a, &b, &field), 0);
	b.cpuid1_ecx ^= 1U << 5;	/* VMX */
	assert_int_equal(vmx_caps_compare(&a, &b, &field), -EINVAL);
	assert_string_equal(field, "cpuid1_ecx.vmx");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_haswell_reads_everything),
		cmocka_unit_test(test_no_vmx_touches_no_msr),
		cmocka_unit_test(test_no_true_controls),
		cmocka_unit_test(test_no_secondary_controls),
		cmocka_unit_test(test_no_ept_no_vpid),
		cmocka_unit_test(test_has_queries),
		cmocka_unit_test(test_lam_from_cpuid),
		cmocka_unit_test(test_compare_equal),
		cmocka_unit_test(test_compare_names_the_difference),
		cmocka_unit_test(test_compare_cpuid_only_vmx_bit),
	};

	return cmocka_run_group_tests_name("vmx_caps", tests, NULL, NULL);
}
