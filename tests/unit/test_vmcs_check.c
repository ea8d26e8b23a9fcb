// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for tools/vmcs_check.c (`subzero vmcs --check`): the verdict on a VMCS as
 * SUBZERO_IOC_VMCS hands it to the tool, in text and JSON.  The VMCS is the one
 * subzero's setup builds on the fake CPU.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vmx.h"
#include "fake_cpu.h"
#include "fake_os.h"
#include <cpu_ops.h>

#include "../../tools/vmcs_check.c"
#include "../../tools/output.c"

static struct vmx_caps caps;
static struct vcpu v;
static struct subzero_vmcs dump;

/* What the module's SUBZERO_IOC_VMCS handler copies out: every field, in table order. */
static void take_dump(void)
{
	static struct vmcs_snapshot s;

	vmcs_snapshot(&s);
	memset(&dump, 0, sizeof(dump));
	dump.cpu = 1;
	dump.tsc = s.tsc;
	dump.nr_fields = VMCS_NR_FIELDS;
	for (size_t i = 0; i < VMCS_NR_FIELDS; i++) {
		dump.fields[i].encoding = vmcs_field_descs[i].encoding;
		dump.fields[i].flags = s.supported[i] ? SUBZERO_VMCS_FIELD_SUPPORTED : 0;
		dump.fields[i].value = s.val[i];
	}
}

static int setup(void **state)
{
	(void)state;
	fake_cpu_load(&fake_haswell);
	fake_os_fail_alloc_after(-1);
	assert_int_equal(vmx_caps_read(&caps), 0);
	memset(&v, 0, sizeof(v));
	assert_int_equal(vmx_vcpu_alloc(&v, 1, &caps, 0x5000), 0);
	/*
	 * The fake's page addresses are host pointers, beyond the fake CPU's 39 bits:
	 * without root's own page tables HOST_CR3 is the fake OS's (low) one.
	 */
	vmx_host_pt_free(&v);
	assert_int_equal(vmx_virtualize_this_cpu(&v), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vmx_vcpu_free(&v);
	return 0;
}

static char *out;
static size_t out_len;
static FILE *saved;

static void capture(void)
{
	saved = stdout;
	stdout = open_memstream(&out, &out_len);
}

static void release(void)
{
	fclose(stdout);
	stdout = saved;
}

static void test_passes_and_names(void **state)
{
	char rules[32];
	unsigned int n;

	(void)state;
	take_dump();
	out_set_mode(OUT_TEXT);
	capture();
	n = vmcs_check_print(&dump, &caps, 1.5);
	release();
	assert_int_equal(n, 0);
	assert_non_null(strstr(out, "CPU 1: VMCS read in VMX root at 1.500000 s (TSC): passes (0 of"));
	free(out);

	fake_vmcs_set(GUEST_IA32_DEBUGCTL, 1ULL << 20);
	fake_vmcs_set(HOST_TR_SELECTOR, 0x43);
	take_dump();
	out_set_mode(OUT_TEXT);
	capture();
	n = vmcs_check_print(&dump, &caps, 1.5);
	release();
	assert_int_equal(n, 2);
	assert_non_null(strstr(out, "BROKEN (2 of"));
	assert_non_null(strstr(out, "  host_sel_rpl_ti (SDM Vol. 3C 27.2.3; a CPU: VMfailValid 8"));
	assert_non_null(strstr(out, "    HOST_TR_SELECTOR = 0x43 (0x40 would do)"));
	assert_non_null(strstr(out, "  guest_debugctl_reserved (SDM Vol. 3C 27.3.1.1"));
	free(out);

	/* as `vmcs --check --json` prints it: one element of the "cpus" array */
	out_set_mode(OUT_JSON);
	capture();
	out_obj(NULL, OUT_LINES);
	out_arr("cpus", OUT_LINES);
	n = vmcs_check_print(&dump, &caps, 1.5);
	out_end();
	out_end();
	release();
	assert_int_equal(n, 2);
	assert_non_null(strstr(out, "\"cpus\": [\n    {\n      \"cpu\": 1,\n"));
	snprintf(rules, sizeof(rules), "\"rules\": %u,\n", (unsigned int)ER_NR);
	assert_non_null(strstr(out, rules));
	assert_non_null(strstr(out, "\"broken\": 2,\n      \"violations\": [\n"
				    "        {\"rule\": \"host_sel_rpl_ti\", \"sdm\": \"27.2.3\", "
				    "\"kind\": \"VMfailValid 8 (invalid host-state field)\", "
				    "\"field\": \"HOST_TR_SELECTOR\", \"value\": \"0x43\", \"expect\": \"0x40\""));
	assert_non_null(strstr(out, "{\"rule\": \"guest_debugctl_reserved\""));
	assert_non_null(strstr(out, "}\n      ]\n    }\n  ]\n}\n"));
	free(out);
}

/* A field the dump marks unsupported reads as 0 (here the VPID: a broken rule). */
static void test_unsupported_in_dump(void **state)
{
	(void)state;
	take_dump();
	for (size_t i = 0; i < VMCS_NR_FIELDS; i++)
		if (dump.fields[i].encoding == VIRTUAL_PROCESSOR_ID)
			dump.fields[i].flags = 0;
	out_set_mode(OUT_TEXT);
	capture();
	assert_int_equal(vmcs_check_print(&dump, &caps, 0), 1);
	release();
	assert_non_null(strstr(out, "vpid_nonzero"));
	free(out);
}

static void test_cpuid_facts(void **state)
{
	struct vmx_caps c = { 0 };

	(void)state;
	vmcs_check_cpuid(&c);	/* the host's own CPUID */
	assert_true(c.phys_bits >= 36 && c.phys_bits <= 52);
	assert_true(c.virt_bits == 48 || c.virt_bits == 57);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_passes_and_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unsupported_in_dump, setup, teardown),
		cmocka_unit_test(test_cpuid_facts),
	};

	return cmocka_run_group_tests_name("vmcs_check", tests, NULL, NULL);
}
