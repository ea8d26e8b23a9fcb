// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for core/entry_root.c on the fake CPU: the checker on the current VMCS,
 * its log lines, the per-entry check, and the cross-check hook (every break is one the
 * checker names, and finishing puts the VMCS back exactly).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "vmx.h"
#include "entry_root.h"
#include "exit.h"
#include "mtrr.h"
#include "errors.h"
#include "arch/x86.h"
#include "fake_cpu.h"
#include "fake_os.h"
#include <cpu_ops.h>

static struct vmx_caps caps;
static struct vcpu v;
static struct mtrr_state mtrr;

static int setup(void **state)
{
	(void)state;
	fake_cpu_load(&fake_haswell);
	fake_os_fail_alloc_after(-1);
	fake_cpu_set_linux_msrs();
	assert_int_equal(vmx_caps_read(&caps), 0);
	assert_int_equal(caps.phys_bits, 39);
	/*
	 * The fake's "physical" addresses are host pointers (up to 47 bits): the EPT
	 * tables' too.  Loading (which checks the VMCS first) needs a MAXPHYADDR that
	 * holds them; the tests then go back to 39 bits with the EPT pointer moved low.
	 */
	caps.phys_bits = 48;
	assert_int_equal(mtrr_read(&mtrr), 0);
	vmx_ept_setup(&mtrr, 8ULL << 30);
	memset(&v, 0, sizeof(v));
	assert_int_equal(vmx_vcpu_alloc(&v, 1, &caps, 0x5000), 0);
	assert_int_equal(vmx_virtualize_this_cpu(&v), 0);
	fake_vmcs_set(GUEST_RIP, 0xffffffff81234567ULL);
	fake_vmcs_set(GUEST_RSP, 0xffffc90000013f00ULL);
	caps.phys_bits = 39;
	v.caps_copy.phys_bits = 39;	/* root reads its own copy */
	fake_vmcs_set(EPT_POINTER, (fake_vmcs_get(EPT_POINTER) & 0xfff) | 0x3000);
	fake_vmcs_set(HOST_CR3, 0x4000);	/* root's page tables, likewise */
	while (log_take(&v.log, (char[LOG_LINE]){ 0 }))
		;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vmx_vcpu_free(&v);
	entry_checks_on = false;
	return 0;
}

static unsigned int log_count(const char *needle)
{
	char line[LOG_LINE];
	unsigned int n = 0;

	while (log_take(&v.log, line))
		if (strstr(line, needle))
			n++;
	return n;
}

static void test_check_logs_each_violation(void **state)
{
	char line[LOG_LINE];

	(void)state;
	assert_int_equal(entry_root_check(&v, "at load", false), 0);
	assert_false(log_take(&v.log, line));		/* quiet when all is well */
	assert_int_equal(entry_root_check(&v, "at load", true), 0);
	assert_true(log_take(&v.log, line));
	assert_string_equal(line, "CPU 1: VM-entry checks at load: 0 rules broken");
	assert_false(log_take(&v.log, line));

	fake_vmcs_set(HOST_TR_SELECTOR, 0);
	fake_vmcs_set(GUEST_RFLAGS, 0x8002);
	assert_int_equal(entry_root_check(&v, "after VMRESUME failed", false), 2);
	assert_true(log_take(&v.log, line));
	assert_string_equal(line, "CPU 1: VM-entry checks after VMRESUME failed: 2 rules broken");
	assert_true(log_take(&v.log, line));
	assert_non_null(strstr(line, "broken VM-entry rule host_tr_nonzero (SDM 27.2.3, "
				     "VMfailValid 8"));
	assert_non_null(strstr(line, "HOST_TR_SELECTOR=0"));
	assert_true(log_take(&v.log, line));
	assert_non_null(strstr(line, "broken VM-entry rule guest_rflags_reserved"));
	assert_non_null(strstr(line, "GUEST_RFLAGS=8002 (2 would do)"));
}

/*
 * A broken rule is logged at error level, so it reaches the kernel log (the drain prints
 * debug lines with pr_debug, off by default) and the e2e harness's KLOG_BAD sees it:
 * the verdict's lines and the per-entry check's (the refusal before VMLAUNCH:
 * test_vmx.c, test_broken_rule_refuses_launch).
 */
static void test_violations_are_errors(void **state)
{
	char line[LOG_LINE];
	unsigned int lines = 0;
	int level = -1;
	u64 tsc;

	(void)state;
	fake_vmcs_set(GUEST_DR7, 1ULL << 33);
	assert_int_equal(entry_root_check(&v, "after VMRESUME failed", false), 1);
	entry_root_before(&v);
	while (log_take_level(&v.log, line, &tsc, &level)) {
		assert_int_equal(level, LOG_LEVEL_ERR);
		lines++;
	}
	assert_int_equal(lines, 4);	/* two verdicts, each a count and the rule */
}

/*
 * The cross-check breaks rules on purpose: its lines say "xcheck", are routine (debug)
 * and never read "broken VM-entry rule", so the e2e harness does not take them for a
 * real violation (tests/build/guest_klog.sh checks the pattern side).
 */
static void test_xcheck_lines_are_not_violations(void **state)
{
	struct guest_regs r;
	char line[LOG_LINE];
	unsigned int lines = 0;
	int level = -1;
	u64 tsc;

	(void)state;
	for (unsigned int i = 0; i < entry_xcheck_count(); i++) {
		assert_int_equal(entry_xcheck_start(&v, i), 0);
		entry_root_before(&v);
		memset(&r, 0, sizeof(r));
		entry_xcheck_finish(&v, &r, 0x80000000U | EXIT_REASON_INVALID_STATE, 0);
	}
	while (log_take_level(&v.log, line, &tsc, &level)) {
		assert_null(strstr(line, "broken VM-entry rule"));
		assert_non_null(strstr(line, ": xcheck: cross-check "));
		assert_int_equal(level, LOG_LEVEL_DEBUG);
		lines++;
	}
	assert_int_equal(lines, entry_xcheck_count());
}

/* Counted on every entry; logged up to ENTRY_LOG_MAX lines; quiet when all is well. */
static void test_before_every_entry(void **state)
{
	(void)state;
	entry_root_before(&v);
	assert_int_equal(v.entry.checks, 1);
	assert_int_equal(v.entry.bad_entries, 0);
	assert_int_equal(log_count(""), 0);

	fake_vmcs_set(GUEST_DR7, 1ULL << 33);
	for (int i = 0; i < 100; i++)
		entry_root_before(&v);
	assert_int_equal(v.entry.checks, 101);
	assert_int_equal(v.entry.bad_entries, 100);
	assert_int_equal(log_count("broken VM-entry rule guest_dr7_upper"), ENTRY_LOG_MAX / 2);
}

/* Every break is named by the checker, and finishing restores the VMCS exactly. */
static void test_every_break_is_named_and_undone(void **state)
{
	static struct vmcs_snapshot before, after;
	struct guest_regs r;
	bool seen[ER_NR] = { 0 };
	unsigned int n = entry_xcheck_count(), kinds = 0;

	(void)state;
	assert_true(n >= 25);
	vmcs_snapshot(&before);
	for (unsigned int i = 0; i < n; i++) {
		unsigned int rule = entry_xcheck_rule(i);
		u64 res;

		assert_true(rule < ER_NR);
		assert_false(seen[rule]);	/* one break per rule */
		seen[rule] = true;
		kinds |= 1U << entry_rules[rule].kind;
		assert_int_equal(entry_xcheck_start(&v, i), 0);
		assert_true(v.entry.xc.active);
		assert_true(fake_vmcs_get(PIN_BASED_VM_EXEC_CONTROL) &
			    PIN_BASED_VMX_PREEMPTION_TIMER);
		if (!v.entry.xc.named)
			printf("  break %u (%s) not named\n", i, entry_rule_name(rule));
		assert_true(v.entry.xc.named);
		/* the per-entry check keeps out of it */
		entry_root_before(&v);
		assert_int_equal(v.entry.bad_entries, 0);

		memset(&r, 0, sizeof(r));
		if (entry_rules[rule].kind == ENTRY_KIND_GUEST)
			entry_xcheck_finish(&v, &r, 0x80000000U | EXIT_REASON_INVALID_STATE, 0);
		else
			entry_xcheck_finish(&v, &r, 0, entry_rules[rule].kind == ENTRY_KIND_HOST ? 8 : 7);
		res = r.gpr[REG_RAX];
		assert_true(res & SUBZERO_XCHECK_REFUSED);
		assert_true(res & SUBZERO_XCHECK_NAMED);
		assert_int_equal(SUBZERO_XCHECK_RULE(res), rule);
		assert_true(SUBZERO_XCHECK_NVIOL(res) >= 1);
		if (entry_rules[rule].kind == ENTRY_KIND_GUEST) {
			assert_int_equal(SUBZERO_XCHECK_REASON(res), EXIT_REASON_INVALID_STATE);
			assert_int_equal(SUBZERO_XCHECK_ERROR(res), 0);
		} else {
			assert_int_equal(SUBZERO_XCHECK_REASON(res), 0);
			assert_true(SUBZERO_XCHECK_ERROR(res) == 7 || SUBZERO_XCHECK_ERROR(res) == 8);
		}
		assert_false(v.entry.xc.active);
		vmcs_snapshot(&after);
		/* the timer value field is the only one left changed (it was 0 already) */
		assert_memory_equal(before.val, after.val, sizeof(before.val));
	}
	/* controls, host state and guest state */
	assert_int_equal(kinds & 7, 7);
	assert_int_equal(log_count("the checker named it"), n);
}

/* An entry the CPU accepted: the timer exit says so, and nothing is "refused". */
static void test_accepted_entry(void **state)
{
	struct guest_regs r = { 0 };

	(void)state;
	assert_int_equal(entry_xcheck_start(&v, 0), 0);
	entry_xcheck_finish(&v, &r, EXIT_REASON_PREEMPTION_TIMER, 0);
	assert_false(r.gpr[REG_RAX] & SUBZERO_XCHECK_REFUSED);
	assert_int_equal(SUBZERO_XCHECK_REASON(r.gpr[REG_RAX]), EXIT_REASON_PREEMPTION_TIMER);
	assert_int_equal(log_count("ACCEPTED the entry"), 1);
}

static void test_start_refusals(void **state)
{
	u64 pin = fake_vmcs_get(PIN_BASED_VM_EXEC_CONTROL);

	(void)state;
	assert_int_equal(entry_xcheck_start(&v, entry_xcheck_count()), -ERANGE);
	assert_int_equal(entry_xcheck_start(&v, 0), 0);
	assert_int_equal(entry_xcheck_start(&v, 1), -ERANGE);	/* one at a time */
	v.entry.xc.active = false;
	fake_vmcs_set(PIN_BASED_VM_EXEC_CONTROL, pin);
	v.caps_copy.true_pinbased &= ~((u64)PIN_BASED_VMX_PREEMPTION_TIMER << 32);
	assert_int_equal(entry_xcheck_start(&v, 0), -EOPNOTSUPP);
	assert_int_equal(fake_vmcs_get(PIN_BASED_VM_EXEC_CONTROL), pin);
	assert_int_equal(entry_xcheck_rule(entry_xcheck_count()), ER_NR);
}

/* Make an exit happen, as the exit stub would: reason, length, the C exit path. */
static int do_exit(struct guest_regs *r, u32 reason, u32 len)
{
	fake_vmcs_set(VM_EXIT_REASON, reason);
	fake_vmcs_set(VM_EXIT_INSTRUCTION_LEN, len);
	return vmx_exit_handler_checked(r, &v);
}

/* An exit through vmx_exit_stub_xcheck, HOST_RIP during a cross-check. */
static int xcheck_exit(struct guest_regs *r, u32 reason)
{
	fake_vmcs_set(VM_EXIT_REASON, reason);
	fake_vmcs_set(VM_EXIT_INSTRUCTION_LEN, 2);
	return vmx_exit_handler_xcheck(r, &v);
}

static int xcheck_call(struct guest_regs *r, u64 arg)
{
	memset(r, 0, sizeof(*r));
	r->gpr[REG_RAX] = SUBZERO_HC_TEST_XCHECK;
	r->gpr[REG_RCX] = SUBZERO_VMCALL_KEY;
	r->gpr[REG_RDX] = arg;
	return do_exit(r, EXIT_REASON_VMCALL, 3);
}

static unsigned int break_of_kind(unsigned int kind)
{
	for (unsigned int i = 0; i < entry_xcheck_count(); i++)
		if (entry_rules[entry_xcheck_rule(i)].kind == kind)
			return i;
	fail();
	return 0;
}

/*
 * The whole round trip through exit.c: the hypercall breaks a rule; the CPU's answer
 * (a failed-entry exit, VMfailValid, or the preemption-timer exit of an accepted
 * entry) puts the VMCS back and answers in RAX.
 */
static void test_xcheck_round_trip(void **state)
{
	static struct vmcs_snapshot before, after;
	struct guest_regs regs, *sr = &regs;
	struct guest_regs r;
	u64 rip = fake_vmcs_get(GUEST_RIP);
	unsigned int g = break_of_kind(ENTRY_KIND_GUEST), h = break_of_kind(ENTRY_KIND_HOST);

	(void)state;
	v.test_hooks = false;
	assert_int_equal(xcheck_call(&r, 0), 0);
	assert_int_equal((s64)r.gpr[REG_RAX], -EINVAL);
	v.test_hooks = true;
	assert_int_equal(xcheck_call(&r, ~0ULL), 0);
	assert_int_equal(r.gpr[REG_RAX], entry_xcheck_count());
	assert_int_equal(fake_vmcs_get(GUEST_RIP), rip + 6);
	vmcs_snapshot(&before);

	/* a guest-state rule: the CPU answers with exit 33 */
	assert_int_equal(xcheck_call(sr, g), 0);
	assert_true(v.entry.xc.active);
	assert_int_equal(fake_vmcs_get(HOST_RIP), (u64)vmx_exit_stub_xcheck);
	assert_int_equal(xcheck_exit(sr, 0x80000000U | EXIT_REASON_INVALID_STATE), 0);
	assert_int_equal(fake_vmcs_get(HOST_RIP), (u64)vmx_exit_stub);
	assert_false(v.entry.xc.active);
	assert_true(sr->gpr[REG_RAX] & SUBZERO_XCHECK_REFUSED);
	assert_true(sr->gpr[REG_RAX] & SUBZERO_XCHECK_NAMED);
	assert_int_equal(SUBZERO_XCHECK_RULE(sr->gpr[REG_RAX]), entry_xcheck_rule(g));
	vmcs_snapshot(&after);
	/* all as before but RIP (past the VMCALL) and the exit information */
	for (size_t i = 0; i < VMCS_NR_FIELDS; i++)
		if (vmcs_field_descs[i].encoding != GUEST_RIP &&
		    vmcs_field_descs[i].group != VMCS_GROUP_EXIT_INFO)
			assert_int_equal(before.val[i], after.val[i]);

	/* a host-state rule: VMRESUME fails with error 8, and is tried again */
	assert_int_equal(xcheck_call(&r, h), 0);
	fake_vmcs_set(VM_INSTRUCTION_ERROR, 8);
	assert_int_equal(vmx_resume_failed(&r, &v), 0);
	assert_int_equal(SUBZERO_XCHECK_ERROR(r.gpr[REG_RAX]), 8);
	assert_true(r.gpr[REG_RAX] & SUBZERO_XCHECK_REFUSED);
	assert_false(v.entry.xc.active);

	/* accepted: the preemption-timer exit ends it */
	assert_int_equal(xcheck_call(sr, g), 0);
	/* an exit in between is an exit like any other */
	sr->gpr[REG_RAX] = 0x40000000;
	assert_int_equal(xcheck_exit(sr, EXIT_REASON_CPUID), 0);
	assert_true(v.entry.xc.active);
	assert_int_equal(sr->gpr[REG_RCX], 0x006f7265);	/* "ero": subzero's signature */
	assert_int_equal(xcheck_exit(sr, EXIT_REASON_PREEMPTION_TIMER), 0);
	assert_false(sr->gpr[REG_RAX] & SUBZERO_XCHECK_REFUSED);
	assert_int_equal(SUBZERO_XCHECK_REASON(sr->gpr[REG_RAX]), EXIT_REASON_PREEMPTION_TIMER);
	assert_false(fake_vmcs_get(PIN_BASED_VM_EXEC_CONTROL) & PIN_BASED_VMX_PREEMPTION_TIMER);
	/* the per-entry checks never counted the broken VMCSs */
	assert_int_equal(v.entry.bad_entries, 0);
	v.test_hooks = false;
}

/* vmx_exit_handler_checked(): one check per entry, and what it finds is logged. */
static void test_checked_exit_path(void **state)
{
	struct guest_regs r = { 0 };

	(void)state;
	r.gpr[REG_RAX] = 0;
	assert_int_equal(do_exit(&r, EXIT_REASON_CPUID, 2), 0);
	assert_int_equal(v.entry.checks, 1);
	fake_vmcs_set(VIRTUAL_PROCESSOR_ID, 0);
	assert_int_equal(do_exit(&r, EXIT_REASON_CPUID, 2), 0);
	assert_int_equal(v.entry.checks, 2);
	assert_int_equal(v.entry.bad_entries, 1);
	assert_int_equal(log_count("broken VM-entry rule vpid_nonzero"), 1);
}

/* Failing closed after a failed VM entry: the broken rules come before the dump. */
static void test_dump_after_failed_entry(void **state)
{
	char line[LOG_LINE];

	(void)state;
	fake_vmcs_set(GUEST_TR_SELECTOR, 0x44);
	fake_vmcs_set(VM_EXIT_REASON, 0x80000000U | EXIT_REASON_INVALID_STATE);
	vmcs_dump(&v);
	assert_true(log_take(&v.log, line));
	assert_string_equal(line, "CPU 1: VM-entry checks after a failed VM entry: 1 rule broken");
	assert_true(log_take(&v.log, line));
	assert_non_null(strstr(line, "broken VM-entry rule guest_tr_ti (SDM 27.3.1.2, exit 33"));
	assert_true(log_take(&v.log, line));
	assert_string_equal(line, "CPU 1 VMCS guest-state area:");
	/* an ordinary exit's dump has no verdict */
	fake_vmcs_set(VM_EXIT_REASON, EXIT_REASON_TRIPLE_FAULT);
	vmcs_dump(&v);
	assert_int_equal(log_count("VM-entry checks"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_check_logs_each_violation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_before_every_entry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_violations_are_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_xcheck_lines_are_not_violations, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_every_break_is_named_and_undone, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_accepted_entry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_start_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_xcheck_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checked_exit_path, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dump_after_failed_entry, setup, teardown),
	};

	return cmocka_run_group_tests_name("entry_root", tests, NULL, NULL);
}
