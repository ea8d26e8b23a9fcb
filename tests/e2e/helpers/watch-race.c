// SPDX-License-Identifier: GPL-2.0
/*
 * watch-race GPA ROUNDS: add and delete one page's watch and protection as fast as the
 * device allows (issue 11, item 8), while another CPU writes the page (the test's
 * sz_test test=race).  Each round: watch (write), delete, protect, delete; the slot the
 * page gets is reused each time, with watch and protect semantics alternating.  Every
 * request must succeed.
 *   watch-race: ok N rounds          (exit 0)
 *   watch-race: FAIL round R ...     (exit 1)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "uapi/subzero.h"

static int req(int fd, __u32 op, __u64 gpa, __u32 kind)
{
	struct subzero_watch w = { .size = sizeof(w), .op = op, .gpa = gpa };

	if (op == SUBZERO_WATCH_ADD) {
		w.kind = kind;
		w.access = SUBZERO_ACCESS_W;
	}
	return ioctl(fd, SUBZERO_IOC_WATCH, &w) ? errno : 0;
}

int main(int argc, char **argv)
{
	static const char *const what[] = { "watch add", "watch del", "protect add",
					    "protect del" };
	unsigned long rounds, r;
	__u64 gpa;
	int fd, i, e;

	if (argc != 3) {
		fprintf(stderr, "usage: watch-race GPA ROUNDS\n");
		return 2;
	}
	gpa = strtoull(argv[1], NULL, 0);
	rounds = strtoul(argv[2], NULL, 0);
	fd = open(SUBZERO_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		printf("watch-race: FAIL open %s: %s\n", SUBZERO_DEVICE, strerror(errno));
		return 1;
	}
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < 4; i++) {
			e = req(fd, i & 1 ? SUBZERO_WATCH_DEL : SUBZERO_WATCH_ADD, gpa,
				i < 2 ? SUBZERO_KIND_WATCH : SUBZERO_KIND_PROTECT);
			if (e) {
				printf("watch-race: FAIL round %lu: %s %#llx: %s\n", r, what[i],
				       (unsigned long long)gpa, strerror(e));
				return 1;
			}
		}
	}
	close(fd);
	printf("watch-race: ok %lu rounds\n", rounds);
	return 0;
}
