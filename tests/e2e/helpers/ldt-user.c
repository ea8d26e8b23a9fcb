// SPDX-License-Identifier: GPL-2.0
/*
 * ldt-user: a process with a Local Descriptor Table (Wine and old runtimes have one),
 * for the test that LDTR survives subzero's load and unload.
 *
 *   ldt-user SECONDS   install a data segment as LDT entry 0 (modify_ldt), then for
 *                      SECONDS keep loading its selector into ES and reading memory
 *                      through it, without sleeping (so that nothing switches this
 *                      process's mm out and back, which would reload LDTR for it).
 *                      Prints "ldt-user: ok N loads" and exits 0, or dies of the
 *                      SIGSEGV a null LDTR gives the load (exit 139 from the shell).
 */
#include <asm/ldt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static unsigned int value = 0x5a5a1234;

int main(int argc, char **argv)
{
	struct user_desc d;
	unsigned long loads = 0;
	struct timespec t0, t;
	unsigned int got;
	double secs;

	if (argc != 2) {
		fprintf(stderr, "usage: ldt-user SECONDS\n");
		return 2;
	}
	secs = atof(argv[1]);
	memset(&d, 0, sizeof(d));
	d.entry_number = 0;
	d.base_addr = 0;
	d.limit = 0xfffff;
	d.seg_32bit = 1;
	d.limit_in_pages = 1;
	d.useable = 1;
	if (syscall(SYS_modify_ldt, 1, &d, sizeof(d))) {
		perror("ldt-user: modify_ldt");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		/* selector 7: LDT entry 0, RPL 3.  Faults if LDTR does not hold our LDT. */
		asm volatile("mov %1, %%es\n\t"
			     "mov %%es:(%2), %0\n\t"
			     "mov %3, %%es"
			     : "=r"(got) : "r"(7), "r"(&value), "r"(0) : "memory");
		if (got != value) {
			fprintf(stderr, "ldt-user: read %#x through the LDT segment\n", got);
			return 1;
		}
		loads++;
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((double)(t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec) / 1e9 < secs);
	printf("ldt-user: ok %lu loads\n", loads);
	return 0;
}
