// SPDX-License-Identifier: GPL-2.0
/*
 * as-user: run a command as uid 1000 / gid 1000, with no supplementary groups (and so,
 * leaving uid 0, no capabilities).  The test initramfs is busybox without a passwd
 * file, so there is no su to do it.
 *
 *   as-user CMD [ARGS...]   exit 127 if CMD cannot run, 126 if the drop fails
 */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: as-user CMD [ARGS...]\n");
		return 2;
	}
	if (setgroups(0, NULL) || setgid(1000) || setuid(1000)) {
		fprintf(stderr, "as-user: cannot become uid 1000: %s\n", strerror(errno));
		return 126;
	}
	if (getuid() != 1000 || geteuid() != 1000 || !setuid(0)) {
		fprintf(stderr, "as-user: still privileged after the drop\n");
		return 126;
	}
	execvp(argv[1], argv + 1);
	fprintf(stderr, "as-user: %s: %s\n", argv[1], strerror(errno));
	return 127;
}
