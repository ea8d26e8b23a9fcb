// SPDX-License-Identifier: GPL-2.0
/*
 * ioctl-fuzz: throw random ioctls at /dev/subzero and check every answer is one the ABI
 * allows: success, or ENOTTY, EINVAL, EFAULT, ENXIO.  Random numbers with subzero's
 * magic and others, random directions and sizes, the real request numbers with random
 * contents (sometimes a right size, a CPU that exists, zero reserved fields, so the
 * deeper checks are reached too), and NULL, unmapped, kernel, non-canonical pointers
 * and structs that run off the end of a mapping.
 *
 * DETACH and ATTACH are only ever sent with an argument that must be refused (wrong
 * size, a non-zero reserved field, a bad pointer): a random detach would make the
 * other tests' view of the system depend on the seed.  Success there is a failure.
 * WATCH is never sent well-formed either: a random protected page could be one the
 * kernel must write.  EPT_QUERY of a random address may also answer ERANGE.
 *
 *   ioctl-fuzz [-n COUNT] [-t SECONDS] [-s SEED]
 *
 * Stops after COUNT ioctls (default 100000) or SECONDS (default 600), whichever is
 * first, and prints one summary line: "ioctl-fuzz: done N ...".  Exits 1 on the first
 * answer the ABI does not allow, 0 otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "uapi/subzero.h"

#define PAGE		4096UL
#define BUF_PAGES	8		/* the buffer; the page after it is unmapped */

static uint64_t rng_state;

/* xorshift64*: small, seedable, good enough to pick cases. */
static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static unsigned int rnd_below(unsigned int n)
{
	return (unsigned int)(rnd() % n);
}

struct req_kind {
	const char *name;
	unsigned long cmd;
	size_t size;
	size_t cpu_off;		/* offset of the cpu field, or 0 if none */
	size_t resv_off, resv_len;
};

static const struct req_kind kinds[] = {
	{ "INFO", SUBZERO_IOC_INFO, sizeof(struct subzero_info), 0,
	  offsetof(struct subzero_info, reserved), sizeof(((struct subzero_info *)0)->reserved) },
	{ "GET_CAPS", SUBZERO_IOC_GET_CAPS, sizeof(struct subzero_caps),
	  offsetof(struct subzero_caps, cpu), offsetof(struct subzero_caps, reserved),
	  sizeof(((struct subzero_caps *)0)->reserved) },
	{ "CPU_STATS", SUBZERO_IOC_CPU_STATS, sizeof(struct subzero_cpu_stats),
	  offsetof(struct subzero_cpu_stats, cpu), offsetof(struct subzero_cpu_stats, reserved),
	  sizeof(((struct subzero_cpu_stats *)0)->reserved) },
	/* the struct before the histograms, which the module still answers */
	{ "CPU_STATS_V1", SUBZERO_IOC_CPU_STATS, SUBZERO_CPU_STATS_SIZE_V1,
	  offsetof(struct subzero_cpu_stats, cpu), offsetof(struct subzero_cpu_stats, reserved),
	  sizeof(((struct subzero_cpu_stats *)0)->reserved) },
	{ "VMCS", SUBZERO_IOC_VMCS, sizeof(struct subzero_vmcs), offsetof(struct subzero_vmcs, cpu),
	  offsetof(struct subzero_vmcs, reserved32),
	  offsetof(struct subzero_vmcs, tsc) - offsetof(struct subzero_vmcs, reserved32) },
	{ "LOG", SUBZERO_IOC_LOG, sizeof(struct subzero_log), 0,
	  offsetof(struct subzero_log, reserved), sizeof(((struct subzero_log *)0)->reserved) },
	{ "WATCH_LIST", SUBZERO_IOC_WATCH_LIST, sizeof(struct subzero_watch_list), 0,
	  offsetof(struct subzero_watch_list, nr),
	  offsetof(struct subzero_watch_list, w) - offsetof(struct subzero_watch_list, nr) },
	{ "EVENTS", SUBZERO_IOC_EVENTS, sizeof(struct subzero_events),
	  offsetof(struct subzero_events, cpu), offsetof(struct subzero_events, nr),
	  offsetof(struct subzero_events, ev) - offsetof(struct subzero_events, nr) },
	{ "EPT_QUERY", SUBZERO_IOC_EPT_QUERY, sizeof(struct subzero_ept_query),
	  offsetof(struct subzero_ept_query, cpu), offsetof(struct subzero_ept_query, leaf),
	  sizeof(struct subzero_ept_query) - offsetof(struct subzero_ept_query, leaf) },
};

#define NR_KINDS (sizeof(kinds) / sizeof(kinds[0]))
/* real_request() fills a struct and 64 bytes more, all inside the mapped buffer */
_Static_assert(sizeof(struct subzero_cpu_stats) + 64 <= BUF_PAGES * PAGE &&
	       sizeof(struct subzero_vmcs) + 64 <= BUF_PAGES * PAGE &&
	       sizeof(struct subzero_log) + 64 <= BUF_PAGES * PAGE &&
	       sizeof(struct subzero_events) + 64 <= BUF_PAGES * PAGE,
	       "the fuzz buffer holds every request");

static unsigned char *buf, *guard;	/* BUF_PAGES mapped pages, then one unmapped */
static unsigned int nr_cpu_ids;
static unsigned long counts[5];		/* ok ENOTTY EINVAL EFAULT ENXIO/ERANGE */
static unsigned long detach_attach;

static void fill_random(void *p, size_t n)
{
	unsigned char *c = p;

	while (n--)
		*c++ = (unsigned char)rnd();
}

/* A pointer for the argument: mostly our buffer, sometimes one that must fault. */
static void *pick_pointer(size_t size, int *must_fault)
{
	static const uintptr_t bad[] = {
		0, 8, 0xfff, 0xffffffff81000000UL, 0xffff888000000000UL, 0x8000000000000000UL,
		0xfffffffffffff000UL, ~0UL,
	};

	*must_fault = 0;
	switch (rnd_below(10)) {
	case 0:
		*must_fault = 1;
		return (void *)bad[rnd_below(sizeof(bad) / sizeof(bad[0]))];
	case 1:
		*must_fault = 1;
		return guard + rnd_below(PAGE);		/* unmapped */
	case 2:
		/* runs off the end of the mapping into the unmapped page */
		if (size > 1 && size <= BUF_PAGES * PAGE) {
			*must_fault = 1;
			return guard - size + 1 + rnd_below(size - 1);
		}
		return buf;
	default:
		return buf + (rnd_below(2) ? 0 : rnd_below(64));
	}
}

/* One of the real requests, random content, made plausible with some probability. */
static unsigned long real_request(size_t *size, int *kind)
{
	const struct req_kind *k;
	uint32_t *cpu;

	*kind = (int)rnd_below(NR_KINDS);
	k = &kinds[*kind];
	*size = k->size;
	fill_random(buf, k->size + 64);
	if (rnd_below(2))
		*(uint32_t *)buf = (uint32_t)k->size;
	if (k->cpu_off && rnd_below(2)) {
		cpu = (uint32_t *)(buf + k->cpu_off);
		*cpu = rnd_below(nr_cpu_ids + 2);
	}
	if (rnd_below(2))
		memset(buf + k->resv_off, 0, k->resv_len);
	if (k->cmd == SUBZERO_IOC_LOG && rnd_below(2))
		((struct subzero_log *)buf)->from_seq = rnd_below(2) ? 0 : rnd();
	return k->cmd;
}

/* DETACH or ATTACH with an argument that must be refused; returns the errno expected. */
static int refused_detach_attach(unsigned long *cmd, void **arg)
{
	struct subzero_attach *a = (struct subzero_attach *)buf;
	int must_fault;

	*cmd = rnd_below(2) ? SUBZERO_IOC_DETACH : SUBZERO_IOC_ATTACH;
	fill_random(a, sizeof(*a));
	*arg = a;
	switch (rnd_below(4)) {
	case 0:
		do
			a->size = (uint32_t)rnd();
		while (a->size == sizeof(*a));
		return EINVAL;
	case 1:
		a->size = sizeof(*a);
		a->reserved32 = 0;
		memset(a->reserved, 0, sizeof(a->reserved));
		((unsigned char *)a->reserved)[rnd_below(sizeof(a->reserved))] |= 1 << rnd_below(8);
		return EINVAL;
	case 2:
		a->size = sizeof(*a);
		a->reserved32 = (uint32_t)rnd() | 1;
		return EINVAL;
	default:
		do
			*arg = pick_pointer(sizeof(*a), &must_fault);
		while (!must_fault);
		return EFAULT;
	}
}

static int vfs_ioctl_type(unsigned int type)
{
	return type == 'T' || type == 'X' || type == 'f' || type == 0x94 || type == 0 ||
	       type == 0x15;
}

static int account(int ret, int err)
{
	if (ret == 0) {
		counts[0]++;
		return 0;
	}
	switch (err) {
	case ENOTTY:
		counts[1]++;
		return 0;
	case EINVAL:
		counts[2]++;
		return 0;
	case EFAULT:
		counts[3]++;
		return 0;
	case ENXIO:
	case ERANGE:
		counts[4]++;
		return 0;
	default:
		return -1;
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	unsigned long count = 100000, n, cmd;
	double limit = 600, t0;
	struct subzero_info info = { .size = sizeof(info) };
	int fd, opt, ret, err, kind, must_fault, want;
	size_t size;
	void *arg;

	rng_state = 0x5eed5eed5eed5eedULL;
	while ((opt = getopt(argc, argv, "n:t:s:")) != -1) {
		if (opt == 'n')
			count = strtoul(optarg, NULL, 0);
		else if (opt == 't')
			limit = strtod(optarg, NULL);
		else if (opt == 's')
			rng_state = strtoull(optarg, NULL, 0) | 1;
		else
			return 2;
	}
	fd = open(SUBZERO_DEVICE, O_RDWR);
	if (fd < 0 || ioctl(fd, SUBZERO_IOC_INFO, &info)) {
		printf("ioctl-fuzz: FAIL: cannot open %s or read INFO: %s\n", SUBZERO_DEVICE,
		       strerror(errno));
		return 1;
	}
	nr_cpu_ids = info.nr_cpu_ids;
	buf = mmap(NULL, (BUF_PAGES + 1) * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED) {
		printf("ioctl-fuzz: FAIL: mmap: %s\n", strerror(errno));
		return 1;
	}
	guard = buf + BUF_PAGES * PAGE;
	munmap(guard, PAGE);

	t0 = now();
	for (n = 0; n < count; n++) {
		if ((n & 255) == 0 && now() - t0 > limit)
			break;
		want = 0;
		kind = -1;
		size = rnd_below(BUF_PAGES * PAGE);
		switch (rnd_below(20)) {
		case 0 ... 7:
			cmd = real_request(&size, &kind);
			break;
		case 8 ... 12:	/* subzero's magic, any direction, number, size */
			cmd = _IOC(rnd_below(4), SUBZERO_IOC_MAGIC, rnd_below(64), rnd_below(1 << 14));
			break;
		case 13 ... 15:	/* anything at all */
			cmd = (uint32_t)rnd();
			break;
		case 16 ... 17:	/* other magics, subzero's numbers */
			cmd = _IOC(_IOC_READ | _IOC_WRITE, rnd_below(256), rnd_below(8),
				   rnd_below(1 << 14));
			break;
		default:
			want = refused_detach_attach(&cmd, &arg);
			detach_attach++;
			break;
		}
		if (!want) {
			/* Never a well-formed DETACH or ATTACH by chance. */
			if (cmd == SUBZERO_IOC_DETACH || cmd == SUBZERO_IOC_ATTACH ||
			    cmd == SUBZERO_IOC_WATCH)
				cmd ^= 1 << _IOC_NRSHIFT << 4;
			/*
			 * Nor one of the file ioctls the VFS answers before any driver
			 * (FIONBIO, FIOASYNC, FIFREEZE, FICLONE, FS_IOC_*...): they are
			 * not subzero's to check, and FIFREEZE would freeze /dev.
			 */
			if (vfs_ioctl_type(_IOC_TYPE(cmd)))
				cmd = _IOC(_IOC_DIR(cmd), SUBZERO_IOC_MAGIC, 0x3f, _IOC_SIZE(cmd));
			if (kind < 0)
				fill_random(buf, size + 64 < BUF_PAGES * PAGE ? size + 64 : size);
			arg = pick_pointer(size, &must_fault);
			if (must_fault && kind >= 0)
				want = EFAULT;	/* a real request with a bad pointer */
		}
		ret = ioctl(fd, cmd, arg);
		err = errno;
		if (account(ret, err) || (want && (ret == 0 || err != want))) {
			printf("ioctl-fuzz: FAIL: ioctl %lu: cmd %#lx arg %p (%s) returned %d errno "
			       "%d (%s), want %s\n", n, cmd, arg, kind >= 0 ? kinds[kind].name : "-",
			       ret, ret ? err : 0, ret ? strerror(err) : "success",
			       want ? strerror(want) : "success or ENOTTY/EINVAL/EFAULT/ENXIO");
			return 1;
		}
	}
	printf("ioctl-fuzz: done %lu of %lu in %.1f s: ok %lu ENOTTY %lu EINVAL %lu EFAULT %lu "
	       "ENXIO %lu (refused detach/attach %lu)\n", n, count, now() - t0, counts[0],
	       counts[1], counts[2], counts[3], counts[4], detach_attach);
	close(fd);
	return 0;
}
