// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for `subzero check`'s view of the system (tools/sysinfo.c gathers the
 * facts, tools/check.c judges them) against fake /sys and /proc trees: the cases the
 * emulator cannot show (its kernel is 6.1, booted by BIOS, without securityfs).
 *   - Linux 6.12+ with kvm.enable_virt_at_load=Y and kvm_intel loaded: KVM holds VMX
 *     from its load on, with no VM open: a blocker that names the fix;
 *   - kvm_intel loaded on a kernel that turns VMX on only while a VM exists: a warning;
 *     with a VM open: a blocker;
 *   - Secure Boot on, lockdown set, signatures enforced: reported, and a warning that
 *     says to sign the module.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fake_sysroot.h"

/* before cmocka.h, whose fail() macro would take the tool's fail() */
#include "../../tools/sysinfo.c"
#include "../../tools/check.c"
#include "../../tools/output.c"

/* What check.c calls in the rest of the tool; these tests judge the system only. */
const char *prog = "subzero";
unsigned int cpu_count(void) { return 1; }
bool cpu_online(unsigned int cpu) { (void)cpu; return true; }
int cpu_read_caps(unsigned int cpu, struct vmx_caps *c) { (void)cpu; (void)c; return -ENODEV; }
const char *cpu_err_str(int err) { (void)err; return "?"; }
const char *cpu_msr_loaded_by_us(void) { return NULL; }
int fail(int code, const char *fmt, ...) { (void)fmt; return code; }
int parse_opts(const char *cmd, int argc, char **argv, unsigned int allowed, int max_args,
	       struct opts *o)
{
	(void)cmd; (void)argc; (void)argv; (void)allowed; (void)max_args;
	o->rc = EXIT_USAGE;
	return -1;
}

#include <cmocka.h>


/* A process holding a KVM VM open: its fd is a link to anon_inode:kvm-vm. */
static void put_vm(void)
{
	fake_sysroot_put_str("/proc/4242/fd/0", "");
	fake_sysroot_link("/proc/4242/fd/7", "anon_inode:kvm-vm");
}

/* A machine with nothing in the way: BIOS boot, no KVM, no lockdown. */
static int setup(void **state)
{
	(void)state;
	sysinfo_root = fake_sysroot_create();
	nblockers = nwarnings = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sysinfo_root = "";
	fake_sysroot_remove();
	return 0;
}

static bool said(const struct finding *f, unsigned int n, const char *a, const char *b)
{
	for (unsigned int i = 0; i < n; i++)
		if (strstr(f[i].what, a) && (!b || strstr(f[i].fix, b) || strstr(f[i].what, b)))
			return true;
	return false;
}

static void test_clean_system(void **state)
{
	struct sys_check s = { 0 };

	(void)state;
	check_system(&s);
	judge_system(&s);
	assert_false(s.kvm_intel);
	assert_false(s.virt_at_load);
	assert_string_equal(s.secure_boot, "off");	/* no /sys/firmware/efi: BIOS */
	assert_string_equal(s.lockdown, "none");
	assert_true(s.pti);
	assert_false(s.fred);
	assert_int_equal(nblockers, 0);
	assert_int_equal(nwarnings, 0);
}

/* Linux 6.12+: kvm.enable_virt_at_load=Y turns VMX on when kvm_intel loads. */
static void test_kvm_virt_at_load(void **state)
{
	struct sys_check s = { 0 };

	(void)state;
	fake_sysroot_put_str("/sys/module/kvm_intel/parameters/nested", "Y\n");
	fake_sysroot_put_str("/sys/module/kvm/parameters/enable_virt_at_load", "Y\n");
	check_system(&s);
	assert_true(s.kvm_intel);
	assert_true(s.virt_at_load);
	assert_int_equal(s.vms, 0);
	judge_system(&s);
	assert_int_equal(nblockers, 1);
	assert_true(said(blockers, nblockers, "KVM holds VMX", "kvm.enable_virt_at_load=Y"));
	assert_non_null(strstr(blockers[0].fix, "kvm.enable_virt_at_load=0"));
	assert_non_null(strstr(blockers[0].fix, "rmmod kvm_intel"));
}

/* The parameter at N (or absent, before 6.12): only a VM open holds VMX. */
static void test_kvm_without_virt_at_load(void **state)
{
	struct sys_check s = { 0 };

	(void)state;
	fake_sysroot_put_str("/sys/module/kvm_intel/parameters/nested", "Y\n");
	fake_sysroot_put_str("/sys/module/kvm/parameters/enable_virt_at_load", "N\n");
	check_system(&s);
	assert_true(s.kvm_intel);
	assert_false(s.virt_at_load);
	judge_system(&s);
	assert_int_equal(nblockers, 0);
	assert_true(said(warnings, nwarnings, "kvm_intel is loaded; it holds no VMX now", NULL));

	nblockers = nwarnings = 0;
	put_vm();
	check_system(&s);
	assert_int_equal(s.vms, 1);
	judge_system(&s);
	assert_int_equal(nblockers, 1);
	assert_true(said(blockers, nblockers, "KVM holds VMX", "has VMs open"));
}

/* Secure Boot on (the EFI variable: 4 bytes of attributes, then 1), lockdown set. */
static void test_secure_boot_and_lockdown(void **state)
{
	static const unsigned char on[5] = { 6, 0, 0, 0, 1 };
	struct sys_check s = { 0 };

	(void)state;
	fake_sysroot_put("/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c", on,
	    sizeof(on));
	fake_sysroot_put_str("/sys/kernel/security/lockdown", "none [integrity] confidentiality\n");
	fake_sysroot_put_str("/sys/module/module/parameters/sig_enforce", "Y\n");
	check_system(&s);
	assert_string_equal(s.secure_boot, "on");
	assert_string_equal(s.lockdown, "integrity");
	assert_string_equal(s.sig_enforce, "Y");
	judge_system(&s);
	assert_int_equal(nblockers, 0);		/* loadable, once signed */
	assert_int_equal(nwarnings, 1);
	assert_true(said(warnings, nwarnings, "Secure Boot on, lockdown integrity, sig_enforce Y",
			 "mokutil --import"));

	/* each alone is enough for the warning; UEFI with Secure Boot off is "off" */
	nwarnings = 0;
	fake_sysroot_put("/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c",
	    (const unsigned char[5]){ 6, 0, 0, 0, 0 }, 5);
	fake_sysroot_put_str("/sys/module/module/parameters/sig_enforce", "N\n");
	check_system(&s);
	assert_string_equal(s.secure_boot, "off");
	judge_system(&s);
	assert_true(said(warnings, nwarnings, "lockdown integrity", NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_clean_system, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kvm_virt_at_load, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kvm_without_virt_at_load, setup, teardown),
		cmocka_unit_test_setup_teardown(test_secure_boot_and_lockdown, setup, teardown),
	};

	return cmocka_run_group_tests_name("check", tests, NULL, NULL);
}
