/* SPDX-License-Identifier: GPL-2.0 */
/* The system facts `subzero check` reports besides the CPUs (tools/sysinfo.c). */
#ifndef SUBZERO_TOOL_SYSINFO_H
#define SUBZERO_TOOL_SYSINFO_H

#include <stdbool.h>

struct sys_check {
	bool subzero_loaded, kvm_intel, other_hv, virt_at_load, pti, ibt, fred;
	unsigned int vms;
	const char *secure_boot, *lockdown, *sig_enforce;
	char lockdown_buf[32], meltdown[128], sig_buf[8];
};

/* Gather them: sysfs, securityfs, efivars, /proc/cpuinfo, /proc/N/fd.  Needs root for
 * the VMs of other users' processes. */
void check_system(struct sys_check *s);

/*
 * Where /sys and /proc are: "" (the running system's), or a directory holding a fake
 * sys/ and proc/ tree, which is how the unit test (tests/unit/test_check.c) gives
 * check_system() a Linux 6.12 KVM, Secure Boot and lockdown.
 */
extern const char *sysinfo_root;

#endif
