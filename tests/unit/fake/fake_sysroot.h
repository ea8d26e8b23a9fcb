/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A fake / for the tool's system facts (tools/sysinfo.c reads below sysinfo_root): a
 * temporary directory holding sys/ and proc/ files (fake_sysroot.c).
 */
#ifndef SUBZERO_FAKE_SYSROOT_H
#define SUBZERO_FAKE_SYSROOT_H

#include <stddef.h>

/*
 * Make it, holding a machine with nothing in the way: BIOS boot, no KVM, no lockdown,
 * signatures not enforced, PTI on.  Returns its path (what sysinfo_root takes).
 */
const char *fake_sysroot_create(void);

/* Write @len bytes to @path (absolute, as on the real system), making its directories. */
void fake_sysroot_put(const char *path, const void *data, size_t len);
void fake_sysroot_put_str(const char *path, const char *text);

/* A symlink at @path to @target. */
void fake_sysroot_link(const char *path, const char *target);

void fake_sysroot_remove(void);

#endif
