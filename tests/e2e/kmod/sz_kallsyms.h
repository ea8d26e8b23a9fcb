/* SPDX-License-Identifier: GPL-2.0 */
/*
 * For the test modules that find subzero's and the kernel's unexported objects as an
 * attacker would (sz_attack.c, sz_lock.c): kallsyms_lookup_name() is not exported to
 * modules, so a kprobe on it tells where it is.
 */
#ifndef SZ_KALLSYMS_H
#define SZ_KALLSYMS_H

#include <linux/kprobes.h>

static unsigned long (*lookup)(const char *name);

/* Set lookup: 0, or why not. */
static int find_lookup(void)
{
	struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };
	int ret = register_kprobe(&kp);

	if (ret)
		return ret;
	lookup = (void *)kp.addr;
	unregister_kprobe(&kp);
	return lookup ? 0 : -ENOENT;
}

#endif
