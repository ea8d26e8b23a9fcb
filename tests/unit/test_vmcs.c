// SPDX-License-Identifier: GPL-2.0
/* Unit tests for core/vmcs.c: the VMCS snapshot and dump, on the fake CPU's VMCS. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "vmcs.h"
#include "vmx.h"
#include "fake_cpu.h"

static struct vcpu v;

static int setup(void **state)
{
	(void)state;
	fake_cpu_load(&fake_haswell);
	memset(&v, 0, sizeof(v));
	fake_cpu.current_vmcs = 0x1000;
	fake_vmcs_set(GUEST_RIP, 0xffffffff81000000ULL);
	return 0;
}

/* The fail-closed VMCS dump: all six groups, every field, and it fits in the ring. */
static void test_vmcs_dump_fits_the_ring(void **state)
{
	char line[LOG_LINE], all[LOG_LINES * LOG_LINE] = "";
	unsigned int lines = 0, g;
	int level;
	u64 tsc;

	(void)state;
	vmcs_dump(&v);
	while (log_take_level(&v.log, line, &tsc, &level)) {
		strcat(all, line);
		strcat(all, "\n");
		lines++;
		assert_int_equal(level, LOG_LEVEL_CRIT);	/* only a CPU failing closed dumps */
	}
	assert_int_equal(v.log.dropped, 0);
	assert_true(lines < LOG_LINES);
	for (g = 0; g < VMCS_GROUP_NR; g++)
		assert_non_null(strstr(all, vmcs_group_names[g]));
	assert_non_null(strstr(all, " GUEST_RIP=ffffffff81000000"));
	assert_non_null(strstr(all, " VM_EXIT_REASON="));
	assert_non_null(strstr(all, " HOST_RIP="));
}

/* The snapshot marks the fields this CPU lacks and keeps the VM-instruction error. */
static void test_snapshot(void **state)
{
	static struct vmcs_snapshot s;
	size_t i;

	(void)state;
	fake_vmcs_set(VM_INSTRUCTION_ERROR, 8);
	fake_vmcs_unsupport(GUEST_PML_INDEX);
	assert_int_equal(vmcs_snapshot(&s), 1);
	for (i = 0; i < VMCS_NR_FIELDS; i++) {
		if (vmcs_field_descs[i].encoding == GUEST_PML_INDEX)
			assert_false(s.supported[i]);
		if (vmcs_field_descs[i].encoding == VM_INSTRUCTION_ERROR)
			assert_int_equal(s.val[i], 8);
		if (vmcs_field_descs[i].encoding == GUEST_RIP)
			assert_int_equal(s.val[i], 0xffffffff81000000ULL);
	}
}

static bool reveals(u32 encoding)
{
	size_t i;

	for (i = 0; i < vmcs_nr_fields; i++)
		if (vmcs_field_descs[i].encoding == encoding)
			return vmcs_field_reveals_host(i);
	fail_msg("no field %x", encoding);
	return false;
}

/* What status output hides under kptr_restrict or lockdown: where the hypervisor is. */
static void test_fields_that_reveal_the_host(void **state)
{
	(void)state;
	assert_true(reveals(HOST_RIP));
	assert_true(reveals(HOST_RSP));
	assert_true(reveals(HOST_CR3));
	assert_true(reveals(HOST_GDTR_BASE));
	assert_true(reveals(HOST_IDTR_BASE));
	assert_true(reveals(HOST_TR_BASE));
	assert_true(reveals(EPT_POINTER));
	assert_true(reveals(MSR_BITMAP));
	assert_true(reveals(IO_BITMAP_A));
	assert_true(reveals(VM_EXIT_MSR_LOAD_ADDR));
	assert_true(reveals(VIRTUAL_APIC_PAGE_ADDR));
	assert_true(reveals(VMCS_LINK_POINTER));
	assert_false(reveals(HOST_CS_SELECTOR));
	assert_false(reveals(LAST_PID_POINTER_INDEX));	/* 16-bit: an index */
	assert_false(reveals(GUEST_RIP));
	assert_false(reveals(GUEST_CR3));
	assert_false(reveals(CPU_BASED_VM_EXEC_CONTROL));
	assert_false(reveals(TSC_OFFSET));
	assert_false(vmcs_field_reveals_host(vmcs_nr_fields));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_vmcs_dump_fits_the_ring, setup),
		cmocka_unit_test_setup(test_snapshot, setup),
		cmocka_unit_test(test_fields_that_reveal_the_host),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
