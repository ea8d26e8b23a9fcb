// SPDX-License-Identifier: GPL-2.0
/*
 * sz-bench: the user-space half of `make bench` (tests/e2e/guest/tests/bench.sh).
 * Every figure is a TSC delta: in the emulator, "emulated ticks" (one per emulated
 * instruction, more or less); on real hardware, TSC cycles.  subzero's counters are
 * read straight from /dev/subzero (SUBZERO_IOC_CPU_STATS) before and after, so nothing
 * else runs in between; without the module loaded the exit lines are left out.
 *
 *   sz-bench cpuid N BATCHES   BATCHES timed loops of N CPUID (leaf 0) in user mode:
 *                              "cpuid n=N batches=B min=T median=T max=T" (ticks a loop)
 *   sz-bench run CMD [ARG...]  run CMD: "run ticks=T status=S", then the exits it caused
 *   sz-bench work PHASE N      one workload phase (or "all" of them), in this process:
 *                              "work phase=P ops=N ticks=T ctxt=C pgfault=F forks=K",
 *                              then the exits it caused
 *   sz-bench info              "info alloc_count=N alloc_bytes=B" (the module's memory)
 *
 * Exits are printed per CPU and in total: "exits cpu=C|all root_tsc=T total=N rR=N..."
 * with R the basic exit reason number (SDM Vol. 3D, Appendix C) of each non-zero count.
 *
 * Phases (N operations each): syscall (getppid), pipe (N round trips between two
 * processes on one CPU: 2N context switches), fork (fork, _exit, wait), exec (fork,
 * exec /bin/true, wait), fault (N anonymous pages touched: N page faults), file (N
 * 4 KiB writes and N reads on /tmp), shell (a busybox pipeline, N times).
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <x86intrin.h>

#include "uapi/subzero.h"

#define MAX_CPUS 64

static inline unsigned long long ticks(void)
{
	unsigned int aux;

	/* RDTSCP waits for the instructions before it (real hardware: no early read). */
	return __rdtscp(&aux);
}

static void die(const char *what)
{
	fprintf(stderr, "sz-bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* ---- subzero's counters ---- */

struct snap {
	int ncpus;		/* 0: module not loaded */
	struct subzero_cpu_stats cpu[MAX_CPUS];
};

static int sz_fd = -2;

static void snap_take(struct snap *s)
{
	struct subzero_info info = { .size = sizeof(info) };
	int c;

	s->ncpus = 0;
	if (sz_fd == -2)
		sz_fd = open(SUBZERO_DEVICE, O_RDWR | O_CLOEXEC);
	if (sz_fd < 0 || ioctl(sz_fd, SUBZERO_IOC_INFO, &info))
		return;
	for (c = 0; c < (int)info.nr_cpu_ids && c < MAX_CPUS; c++) {
		memset(&s->cpu[c], 0, sizeof(s->cpu[c]));
		s->cpu[c].size = sizeof(s->cpu[c]);
		s->cpu[c].cpu = c;
		if (ioctl(sz_fd, SUBZERO_IOC_CPU_STATS, &s->cpu[c]))
			die("SUBZERO_IOC_CPU_STATS");
	}
	s->ncpus = c;
}

static void print_exits(const char *who, const unsigned long long *by,
			unsigned long long other, unsigned long long root)
{
	unsigned long long total = other;
	int r;

	for (r = 0; r < SUBZERO_EXIT_REASONS; r++)
		total += by[r];
	printf("exits cpu=%s root_tsc=%llu total=%llu", who, root, total);
	for (r = 0; r < SUBZERO_EXIT_REASONS; r++)
		if (by[r])
			printf(" r%d=%llu", r, by[r]);
	if (other)
		printf(" other=%llu", other);
	printf("\n");
}

static void snap_print_delta(const struct snap *a, const struct snap *b)
{
	unsigned long long all[SUBZERO_EXIT_REASONS] = { 0 }, d[SUBZERO_EXIT_REASONS];
	unsigned long long all_other = 0, all_root = 0;
	char who[16];
	int c, r;

	if (!a->ncpus || a->ncpus != b->ncpus)
		return;
	for (c = 0; c < a->ncpus; c++) {
		for (r = 0; r < SUBZERO_EXIT_REASONS; r++) {
			d[r] = b->cpu[c].exits[r] - a->cpu[c].exits[r];
			all[r] += d[r];
		}
		all_other += b->cpu[c].exits_other - a->cpu[c].exits_other;
		all_root += b->cpu[c].root_tsc - a->cpu[c].root_tsc;
		snprintf(who, sizeof(who), "%d", c);
		print_exits(who, d, b->cpu[c].exits_other - a->cpu[c].exits_other,
			    b->cpu[c].root_tsc - a->cpu[c].root_tsc);
	}
	print_exits("all", all, all_other, all_root);
}

/* ---- the kernel's own counts of what a phase did ---- */

struct kcounts {
	unsigned long long ctxt, forks, pgfault;
};

static unsigned long long field(const char *path, const char *key)
{
	char line[256];
	size_t n = strlen(key);
	unsigned long long v = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ' ') {
			v = strtoull(line + n + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

static void kcounts_take(struct kcounts *k)
{
	k->ctxt = field("/proc/stat", "ctxt");
	k->forks = field("/proc/stat", "processes");
	k->pgfault = field("/proc/vmstat", "pgfault");
}

/* ---- phases ---- */

static void wait_child(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		die("child");
}

static long phase_syscall(long n)
{
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	return n;
}

static long phase_pipe(long n)
{
	int a[2], b[2];
	cpu_set_t set;
	char c = 0;
	pid_t pid;

	/* Both ends on this CPU: every round trip is two context switches. */
	CPU_ZERO(&set);
	CPU_SET(sched_getcpu(), &set);
	if (sched_setaffinity(0, sizeof(set), &set) || pipe(a) || pipe(b))
		die("pipe set-up");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid) {
		for (long i = 0; i < n; i++)
			if (read(a[0], &c, 1) != 1 || write(b[1], &c, 1) != 1)
				_exit(1);
		_exit(0);
	}
	for (long i = 0; i < n; i++)
		if (write(a[1], &c, 1) != 1 || read(b[0], &c, 1) != 1)
			die("pipe");
	wait_child(pid);
	close(a[0]);
	close(a[1]);
	close(b[0]);
	close(b[1]);
	return 2 * n;
}

static long phase_fork(long n)
{
	for (long i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork");
		if (!pid)
			_exit(0);
		wait_child(pid);
	}
	return n;
}

static long phase_exec(long n)
{
	for (long i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork");
		if (!pid) {
			execl("/bin/true", "true", (char *)NULL);
			_exit(127);
		}
		wait_child(pid);
	}
	return n;
}

static long phase_fault(long n)
{
	const long chunk = 256;
	long done = 0;

	while (done < n) {
		long pages = n - done < chunk ? n - done : chunk;
		volatile char *p = mmap(NULL, pages * 4096, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			die("mmap");
		for (long i = 0; i < pages; i++)
			p[i * 4096] = 1;
		munmap((void *)p, pages * 4096);
		done += pages;
	}
	return n;
}

static long phase_file(long n)
{
	static char buf[4096];
	const char *path = "/tmp/sz-bench.file";
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);

	if (fd < 0)
		die(path);
	memset(buf, 'z', sizeof(buf));
	for (long i = 0; i < n; i++)
		if (write(fd, buf, sizeof(buf)) != sizeof(buf))
			die("write");
	if (lseek(fd, 0, SEEK_SET))
		die("lseek");
	for (long i = 0; i < n; i++)
		if (read(fd, buf, sizeof(buf)) != sizeof(buf))
			die("read");
	close(fd);
	unlink(path);
	return 2 * n;
}

/* The busybox tools the e2e workload uses: fork/exec, pipes, sort, checksums. */
static long phase_shell(long n)
{
	for (long i = 0; i < n; i++)
		if (system("seq 1 3000 | sort -rn | md5sum > /dev/null; "
			   "dd if=/dev/zero bs=4096 count=64 2>/dev/null | tr '\\0' z | "
			   "md5sum > /dev/null; for j in 1 2 3 4 5; do /bin/true; done"))
			die("system");
	return n;
}

static const struct phase {
	const char *name;
	long (*run)(long n);
	long scale;		/* operations per unit of N given to "all" */
} phases[] = {
	{ "syscall", phase_syscall, 200 },
	{ "pipe", phase_pipe, 20 },
	{ "fork", phase_fork, 1 },
	{ "exec", phase_exec, 1 },
	{ "fault", phase_fault, 20 },
	{ "file", phase_file, 20 },
	{ "shell", phase_shell, 0 },	/* once whatever N */
};

static unsigned long long run_phase(const struct phase *p, long n)
{
	struct kcounts k0, k1;
	struct snap s0, s1;
	unsigned long long t0, t1;
	long ops;

	fflush(stdout);
	kcounts_take(&k0);
	snap_take(&s0);
	t0 = ticks();
	ops = p->run(n);
	t1 = ticks();
	snap_take(&s1);
	kcounts_take(&k1);
	printf("work phase=%s ops=%ld ticks=%llu ctxt=%llu pgfault=%llu forks=%llu\n", p->name,
	       ops, t1 - t0, k1.ctxt - k0.ctxt, k1.pgfault - k0.pgfault, k1.forks - k0.forks);
	snap_print_delta(&s0, &s1);
	return t1 - t0;
}

static int cmd_work(const char *name, long n)
{
	unsigned long long t0, t1, sum = 0;
	struct snap s0, s1;
	size_t i;

	if (strcmp(name, "all")) {
		for (i = 0; i < sizeof(phases) / sizeof(phases[0]); i++)
			if (!strcmp(name, phases[i].name)) {
				run_phase(&phases[i], n);
				return 0;
			}
		fprintf(stderr, "sz-bench: no phase %s\n", name);
		return 2;
	}
	snap_take(&s0);
	t0 = ticks();
	for (i = 0; i < sizeof(phases) / sizeof(phases[0]); i++)
		sum += run_phase(&phases[i], phases[i].scale ? n * phases[i].scale : 1);
	t1 = ticks();
	snap_take(&s1);
	/* sum: the phases alone; ticks: with the counter reads and printing between them */
	printf("work phase=all n=%ld sum=%llu ticks=%llu\n", n, sum, t1 - t0);
	snap_print_delta(&s0, &s1);
	return 0;
}

/* ---- CPUID from user mode ---- */

static int cmp_ull(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a, y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

static int cmd_cpuid(long n, long batches)
{
	unsigned long long *t = calloc(batches, sizeof(*t));
	unsigned int a, b, c, d;

	if (!t || n <= 0 || batches <= 0)
		return 2;
	/*
	 * Short batches, the fastest kept: a timer interrupt landing in a batch makes it
	 * slower, never faster, so the minimum is the loop alone.
	 */
	for (long k = 0; k < batches; k++) {
		unsigned long long t0 = ticks();

		for (long i = 0; i < n; i++)
			__cpuid_count(0, 0, a, b, c, d);
		t[k] = ticks() - t0;
	}
	(void)a; (void)b; (void)c; (void)d;
	qsort(t, batches, sizeof(*t), cmp_ull);
	printf("cpuid n=%ld batches=%ld min=%llu median=%llu max=%llu\n", n, batches, t[0],
	       t[batches / 2], t[batches - 1]);
	return 0;
}

static int cmd_run(char **argv)
{
	unsigned long long t0, t1;
	struct snap s0, s1;
	pid_t pid;
	int st;

	snap_take(&s0);
	/* An open /dev/subzero would keep CMD from unloading the module. */
	if (sz_fd >= 0)
		close(sz_fd);
	sz_fd = -2;
	t0 = ticks();
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid) {
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) != pid)
		die("waitpid");
	t1 = ticks();
	snap_take(&s1);		/* none if CMD loaded or unloaded the module */
	printf("run ticks=%llu status=%d\n", t1 - t0, WIFEXITED(st) ? WEXITSTATUS(st) : 128);
	snap_print_delta(&s0, &s1);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

static int cmd_info(void)
{
	struct subzero_info info = { .size = sizeof(info) };
	int fd = open(SUBZERO_DEVICE, O_RDWR | O_CLOEXEC);

	if (fd < 0 || ioctl(fd, SUBZERO_IOC_INFO, &info))
		die(SUBZERO_DEVICE);
	printf("info cpus=%u alloc_count=%lld alloc_bytes=%llu\n", info.nr_cpus_online,
	       (long long)info.alloc_count, (unsigned long long)info.alloc_bytes);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 4 && !strcmp(argv[1], "cpuid"))
		return cmd_cpuid(atol(argv[2]), atol(argv[3]));
	if (argc >= 3 && !strcmp(argv[1], "run"))
		return cmd_run(argv + 2);
	if (argc == 4 && !strcmp(argv[1], "work"))
		return cmd_work(argv[2], atol(argv[3]));
	if (argc == 2 && !strcmp(argv[1], "info"))
		return cmd_info();
	fprintf(stderr, "usage: sz-bench cpuid N BATCHES | run CMD... | work PHASE|all N | info\n");
	return 2;
}
