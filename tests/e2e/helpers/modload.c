// SPDX-License-Identifier: GPL-2.0
/*
 * modload: load a module with exactly one finit_module() call and report its errno.
 * (busybox insmod retries with init_module() after a failure, which runs the module's
 * init twice; a refusal test needs to see what one load attempt does.)
 *
 *   modload FILE [PARAMS]   exit 0 on success, else print the error, exit 1
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int fd;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: modload FILE [PARAMS]\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "modload: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (syscall(SYS_finit_module, fd, argc == 3 ? argv[2] : "", 0)) {
		printf("modload: %s: errno %d (%s)\n", argv[1], errno, strerror(errno));
		return 1;
	}
	return 0;
}
