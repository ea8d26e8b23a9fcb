// SPDX-License-Identifier: GPL-2.0
/*
 * `subzero lock`: take the lock (one way, until reboot) and show what it holds; the
 * per-CPU lock state `subzero status` shows comes from get_lock() here too.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "subzero.h"

int get_lock(int fd, unsigned int cpu, struct subzero_lock *l)
{
	memset(l, 0, sizeof(*l));
	l->size = sizeof(*l);
	l->cpu = cpu;
	l->op = SUBZERO_LOCK_QUERY;
	return ioctl(fd, SUBZERO_IOC_LOCK, l) ? -errno : 0;
}

int cmd_lock(int argc, char **argv)
{
	struct subzero_lock l = { .size = sizeof(l), .op = SUBZERO_LOCK_TAKE };
	struct subzero_info info;
	bool changed;
	struct opts o;
	int fd, ret;

	fd = cmd_start("lock", argc, argv, OPT_JSON, 0, &o, &info);
	if (fd < 0)
		return o.rc;
	if (ioctl(fd, SUBZERO_IOC_LOCK, &l)) {
		ret = fail(EXIT_FAIL, "lock failed: %s", errno == ENXIO ?
			   "subzero is detached (no CPU in VMX): 'subzero attach' first" :
			   errno == ENOTTY ? "the loaded module has no lock (too old)" :
			   strerror(errno));
		goto out;
	}
	changed = l.flags & SUBZERO_LOCK_CHANGED;
	out_obj(NULL, OUT_INLINE);
	out_bool("locked", l.flags & SUBZERO_LOCK_ANY);
	out_bool_text("changed", changed, "", "already ");
	out_u64("nr_locked", l.nr_locked);
	out_hex("cr0_pinned", l.cr0_pinned);
	out_hex("cr4_pinned", l.cr4_pinned);
	/* the lock can be taken with the W^X refused (README, "The lock"): say which */
	out_bool_text("kernel_text_wx", l.flags & SUBZERO_LOCK_WX, "on",
		      "OFF (see the kernel log: the hypervisor refused it or it is missing)");
	out_text("{changed}locked: {nr_locked} CPUs locked until reboot (CR0 pinned {cr0_pinned}, "
		 "CR4 pinned {cr4_pinned}); rmmod, detach and removing a protection are refused; "
		 "kernel text W^X {kernel_text_wx}\n");
	out_end();
	ret = EXIT_OK;
out:
	close(fd);
	return ret;
}
