// SPDX-License-Identifier: GPL-2.0
/*
 * watch-race GPA ROUNDS [COUNTER]: add and delete one page's watch and protection as
 * fast as the device allows (issue 11, item 8), while another CPU writes the page (the
 * test's sz_test test=race).  Each round: watch (write), delete, protect, delete; the
 * slot the page gets is reused each time, with watch and protect semantics alternating.
 * Every request must succeed.  With COUNTER (a file holding the writer's count of
 * writes), each add waits until the writer has written at least twice more, so that
 * every watch and every protection meets its writes whatever the scheduling.
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

static unsigned long long count(const char *path)
{
	unsigned long long n = 0;
	FILE *f = fopen(path, "r");

	if (f) {
		if (fscanf(f, "%llu", &n) != 1)
			n = 0;
		fclose(f);
	}
	return n;
}

/* The writer's count has grown by 2 (within about 10 s of polling), or 0. */
static int writer_moved(const char *path)
{
	unsigned long long n0 = count(path);
	unsigned int i;

	for (i = 0; i < 10000; i++) {
		if (count(path) >= n0 + 2)
			return 1;
		usleep(1000);
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const char *const what[] = { "watch add", "watch del", "protect add",
					    "protect del" };
	unsigned long rounds, r;
	__u64 gpa;
	int fd, i, e;

	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: watch-race GPA ROUNDS [COUNTER]\n");
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
			if (argc == 4 && !(i & 1) && !writer_moved(argv[3])) {
				printf("watch-race: FAIL round %lu: the writer did not write after %s\n",
				       r, what[i]);
				return 1;
			}
		}
	}
	close(fd);
	printf("watch-race: ok %lu rounds\n", rounds);
	return 0;
}
