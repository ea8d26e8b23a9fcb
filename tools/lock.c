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
	if (o.json) {
		jw_obj(NULL, JW_INLINE);
		jw_bool("locked", l.flags & SUBZERO_LOCK_ANY);
		jw_bool("changed", changed);
		jw_u64("nr_locked", l.nr_locked);
		jw_hex("cr0_pinned", l.cr0_pinned);
		jw_hex("cr4_pinned", l.cr4_pinned);
		jw_bool("kernel_text_wx", l.flags & SUBZERO_LOCK_WX);
		jw_end();
	} else {
		printf("%s: %u CPUs locked until reboot (CR0 pinned %#llx, CR4 pinned %#llx); "
		       "rmmod, detach and removing a protection are refused; kernel text W^X %s\n",
		       changed ? "locked" : "already locked", l.nr_locked,
		       (unsigned long long)l.cr0_pinned, (unsigned long long)l.cr4_pinned,
		       l.flags & SUBZERO_LOCK_WX ? "on" :
		       "OFF (see the kernel log: the hypervisor refused it or it is missing)");
	}
	ret = EXIT_OK;
out:
	close(fd);
	return ret;
}
