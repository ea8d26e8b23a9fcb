// SPDX-License-Identifier: GPL-2.0
/*
 * ioctl-probe: throw malformed requests at /dev/subzero and check each gets the errno
 * the ABI promises, then check who may open the device at all.  Prints one line per
 * case; exits 1 on the first wrong answer.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>

#include "uapi/subzero.h"

static int fd;

static void want(const char *what, int ret, int err)
{
	int got = ret < 0 ? errno : 0;

	if (got != err) {
		printf("FAIL %s: got %s, want %s\n", what, got ? strerror(got) : "success",
		       err ? strerror(err) : "success");
		exit(1);
	}
	printf("ok   %s: %s\n", what, err ? strerror(err) : "success");
}

/* Root without CAP_SYS_ADMIN: the node's mode lets it in, open() must not. */
static void drop_sys_admin(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &h, d)) {
		printf("FAIL capget: %s\n", strerror(errno));
		exit(1);
	}
	d[CAP_SYS_ADMIN / 32].effective &= ~(1U << (CAP_SYS_ADMIN % 32));
	if (syscall(SYS_capset, &h, d)) {
		printf("FAIL capset: %s\n", strerror(errno));
		exit(1);
	}
	want("open without CAP_SYS_ADMIN", open(SUBZERO_DEVICE, O_RDWR), EPERM);
}

/* An unprivileged user: the 0600 node keeps it out. */
static void become_nobody(void)
{
	if (setgid(65534) || setuid(65534)) {
		printf("FAIL setuid: %s\n", strerror(errno));
		exit(1);
	}
	want("open as uid 65534", open(SUBZERO_DEVICE, O_RDWR), EACCES);
}

/* Run fn in a child process; 0 if it exited 0. */
static int child(void (*fn)(void))
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		fn();
		exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 1;
	return !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static int check(int cond, const char *what)
{
	if (!cond)
		printf("FAIL %s\n", what);
	return !cond;
}

/*
 * LOCK (a query: never takes it): its three sizes, each answered as long as asked
 * (a sentinel after the answer stays); any other size refused.
 */
static int probe_lock_sizes(void)
{
	static const unsigned int ok[] = { SUBZERO_LOCK_SIZE_V1, SUBZERO_LOCK_SIZE_V2,
					   sizeof(struct subzero_lock) };
	unsigned char buf[sizeof(struct subzero_lock) + 8];
	struct subzero_lock *l = (struct subzero_lock *)buf;
	unsigned int i;

	for (i = 0; i < 3; i++) {
		memset(buf, 0xa5, sizeof(buf));
		memset(buf, 0, ok[i]);
		l->size = ok[i];
		l->op = SUBZERO_LOCK_QUERY;
		want("LOCK query at one of its sizes", ioctl(fd, SUBZERO_IOC_LOCK, buf), 0);
		if (check(buf[ok[i]] == 0xa5 && l->size == ok[i],
			  "LOCK query: the answer is longer than the question"))
			return 1;
	}
	memset(buf, 0, sizeof(buf));
	l->size = SUBZERO_LOCK_SIZE_V1 + 4;
	want("LOCK with a size between two", ioctl(fd, SUBZERO_IOC_LOCK, buf), EINVAL);
	l->size = sizeof(struct subzero_lock) + 8;
	want("LOCK with an oversized size", ioctl(fd, SUBZERO_IOC_LOCK, buf), EINVAL);
	return 0;
}

/* The ABI 2 requests: every refusal, and that refusals change nothing. */
static int probe_control_plane(unsigned int nr_cpu_ids)
{
	static struct subzero_vmcs vm;
	static struct subzero_log lg;
	struct subzero_cpu_stats st;
	struct subzero_attach at;
	struct subzero_info info;
	unsigned char *page;
	unsigned int i;

	memset(&info, 0, sizeof(info));
	info.size = sizeof(info);
	info.reserved[1] = 1;
	want("INFO with a reserved field set", ioctl(fd, SUBZERO_IOC_INFO, &info), EINVAL);

	memset(&st, 0, sizeof(st));
	st.size = sizeof(st);
	st.reserved[0] = 1;
	want("CPU_STATS with a reserved field set", ioctl(fd, SUBZERO_IOC_CPU_STATS, &st), EINVAL);
	st.reserved[0] = 0;
	st.cpu = nr_cpu_ids;
	want("CPU_STATS for CPU nr_cpu_ids", ioctl(fd, SUBZERO_IOC_CPU_STATS, &st), EINVAL);
	st.cpu = 0;
	want("CPU_STATS for CPU 0", ioctl(fd, SUBZERO_IOC_CPU_STATS, &st), 0);
	if (check(st.flags == (SUBZERO_CPU_VIRTUALIZED | SUBZERO_CPU_ONLINE) && st.vpid == 1 &&
		  st.now_tsc > st.launch_tsc && st.ept_pages > 0 && st.eptp &&
		  st.ept_pages <= st.ept_pool_pages,
		  "CPU_STATS for CPU 0: not online and virtualized with VPID 1 and an EPT"))
		return 1;
	for (i = 0; i < SUBZERO_EXIT_REASONS; i++) {
		unsigned long long n = 0;
		unsigned int b;

		for (b = 0; b < SUBZERO_EXIT_HIST_BUCKETS; b++)
			n += st.hist[i].log2[b];
		/* read one after the other while CPU 0 exits: the histogram may be ahead */
		if (st.exits[i] && check(n >= st.exits[i] && n <= st.exits[i] + 100 &&
					 st.hist[i].min_root_tsc &&
					 st.hist[i].min_root_tsc <= st.hist[i].max_root_tsc,
					 "CPU_STATS: a reason's histogram does not match its count"))
			return 1;
	}
	/* The struct before the histograms: still answered, and no byte past it written. */
	memset(&st, 0xa5, sizeof(st));
	memset(&st, 0, SUBZERO_CPU_STATS_SIZE_V1);
	st.size = SUBZERO_CPU_STATS_SIZE_V1;
	want("CPU_STATS of the size before the histograms",
	     ioctl(fd, SUBZERO_IOC_CPU_STATS, &st), 0);
	page = (unsigned char *)&st;
	for (i = SUBZERO_CPU_STATS_SIZE_V1; i < sizeof(st); i++)
		if (check(page[i] == 0xa5, "CPU_STATS (old size) wrote past its struct"))
			return 1;
	if (check(st.size == SUBZERO_CPU_STATS_SIZE_V1 && st.cpu == 0 && st.launch_tsc &&
		  (st.flags & SUBZERO_CPU_VIRTUALIZED), "CPU_STATS (old size): not answered"))
		return 1;
	memset(&st, 0, sizeof(st));
	st.size = SUBZERO_CPU_STATS_SIZE_V1 + 8;
	want("CPU_STATS of a size between the two", ioctl(fd, SUBZERO_IOC_CPU_STATS, &st), EINVAL);

	memset(&vm, 0, sizeof(vm));
	vm.size = sizeof(vm);
	vm.cpu = nr_cpu_ids;
	want("VMCS for CPU nr_cpu_ids", ioctl(fd, SUBZERO_IOC_VMCS, &vm), EINVAL);
	vm.cpu = 0xffffffff;
	want("VMCS for CPU 0xffffffff", ioctl(fd, SUBZERO_IOC_VMCS, &vm), EINVAL);
	vm.cpu = 0;
	vm.reserved32 = 1;
	want("VMCS with reserved32 set", ioctl(fd, SUBZERO_IOC_VMCS, &vm), EINVAL);
	vm.reserved32 = 0;
	vm.reserved[3] = 1;
	want("VMCS with a reserved field set", ioctl(fd, SUBZERO_IOC_VMCS, &vm), EINVAL);
	vm.reserved[3] = 0;
	vm.size = sizeof(vm) - 16;
	want("VMCS with a short size", ioctl(fd, SUBZERO_IOC_VMCS, &vm), EINVAL);
	vm.size = sizeof(vm);
	want("VMCS with a NULL pointer", ioctl(fd, SUBZERO_IOC_VMCS, NULL), EFAULT);
	want("VMCS of another size", ioctl(fd, _IOWR(SUBZERO_IOC_MAGIC, 0x03, char[64]), &vm),
	     ENOTTY);
	/* a valid header whose struct runs into an unmapped page */
	page = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (check(page != MAP_FAILED, "mmap"))
		return 1;
	munmap(page + 4096, 4096);
	memcpy(page + 4096 - 64, &vm, 64);
	want("VMCS running off the end of a mapping",
	     ioctl(fd, SUBZERO_IOC_VMCS, page + 4096 - 64), EFAULT);
	munmap(page, 4096);
	want("VMCS for CPU 0", ioctl(fd, SUBZERO_IOC_VMCS, &vm), 0);
	if (check(vm.nr_fields > 100 && vm.nr_fields <= SUBZERO_VMCS_MAX_FIELDS && vm.tsc &&
		  vm.cpu == 0, "VMCS for CPU 0: implausible answer"))
		return 1;

	memset(&lg, 0, sizeof(lg));
	lg.size = sizeof(lg);
	lg.reserved[1] = 1;
	want("LOG with a reserved field set", ioctl(fd, SUBZERO_IOC_LOG, &lg), EINVAL);
	lg.reserved[1] = 0;
	want("LOG with a kernel pointer", ioctl(fd, SUBZERO_IOC_LOG, (void *)0xffffffff81000000UL),
	     EFAULT);
	lg.from_seq = ~0ULL;
	want("LOG from the far future", ioctl(fd, SUBZERO_IOC_LOG, &lg), 0);
	if (check(lg.nr_lines == 0 && lg.next_seq < ~0ULL, "LOG from the far future returned lines"))
		return 1;
	memset(&lg, 0, sizeof(lg));
	lg.size = sizeof(lg);
	want("LOG from 0", ioctl(fd, SUBZERO_IOC_LOG, &lg), 0);
	for (i = 0; i < lg.nr_lines && !strstr(lg.lines[i].text, "CPU 0: VMCS snapshot"); i++)
		;
	if (check(i < lg.nr_lines, "LOG: the VMCS snapshot just taken is not logged"))
		return 1;

	memset(&at, 0, sizeof(at));
	want("DETACH with size 0", ioctl(fd, SUBZERO_IOC_DETACH, &at), EINVAL);
	at.size = sizeof(at);
	at.reserved32 = 1;
	want("DETACH with reserved32 set", ioctl(fd, SUBZERO_IOC_DETACH, &at), EINVAL);
	at.reserved32 = 0;
	at.reserved[1] = 1;
	want("DETACH with a reserved field set", ioctl(fd, SUBZERO_IOC_DETACH, &at), EINVAL);
	want("DETACH with a NULL pointer", ioctl(fd, SUBZERO_IOC_DETACH, NULL), EFAULT);
	want("ATTACH with a wild pointer", ioctl(fd, SUBZERO_IOC_ATTACH, (void *)8), EFAULT);
	memset(&info, 0, sizeof(info));
	info.size = sizeof(info);
	want("INFO", ioctl(fd, SUBZERO_IOC_INFO, &info), 0);
	if (check(info.flags & SUBZERO_INFO_ATTACHED, "a refused DETACH detached"))
		return 1;
	memset(&at, 0, sizeof(at));
	at.size = sizeof(at);
	want("ATTACH while attached", ioctl(fd, SUBZERO_IOC_ATTACH, &at), 0);
	if (check(!(at.flags & SUBZERO_ATTACH_CHANGED) && at.nr_virtualized == info.nr_cpus_online,
		  "ATTACH while attached changed something"))
		return 1;
	return 0;
}

/* WATCH, WATCH_LIST, EVENTS and EPT_QUERY: every malformed request is refused. */
static int probe_watch(unsigned int nr_cpu_ids)
{
	struct subzero_watch w;
	struct subzero_watch_list l;
	struct subzero_events *ev = calloc(1, sizeof(*ev));
	struct subzero_ept_query q;

	if (!ev)
		return 1;
#define W(field, val) do { memset(&w, 0, sizeof(w)); w.size = sizeof(w); \
		w.op = SUBZERO_WATCH_ADD; w.gpa = 0x100000; w.access = SUBZERO_ACCESS_W; \
		w.kind = SUBZERO_KIND_WATCH; field = val; } while (0)
	W(w.size, 8);
	want("WATCH with a short size", ioctl(fd, SUBZERO_IOC_WATCH, &w), EINVAL);
	W(w.reserved[1], 1);
	want("WATCH with a reserved field set", ioctl(fd, SUBZERO_IOC_WATCH, &w), EINVAL);
	W(w.op, 9);
	want("WATCH with an unknown op", ioctl(fd, SUBZERO_IOC_WATCH, &w), EINVAL);
	W(w.gpa, 0x100008);
	want("WATCH of an unaligned address", ioctl(fd, SUBZERO_IOC_WATCH, &w), EINVAL);
	W(w.gpa, 1ULL << 52);
	want("WATCH beyond the EPT's map", ioctl(fd, SUBZERO_IOC_WATCH, &w), EINVAL);
	W(w.access, 8);
	want("WATCH with a bad access", ioctl(fd, SUBZERO_IOC_WATCH, &w), EINVAL);
	W(w.kind, 3);
	want("WATCH with a bad kind", ioctl(fd, SUBZERO_IOC_WATCH, &w), EINVAL);
	W(w.access, SUBZERO_ACCESS_R);
	w.kind = SUBZERO_KIND_PROTECT;
	want("PROTECT of reads", ioctl(fd, SUBZERO_IOC_WATCH, &w), EINVAL);
	W(w.op, SUBZERO_WATCH_DEL);
	want("WATCH del with an access given", ioctl(fd, SUBZERO_IOC_WATCH, &w), EINVAL);
	w.access = w.kind = 0;
	want("WATCH del of a page not watched", ioctl(fd, SUBZERO_IOC_WATCH, &w), ENOENT);
	want("WATCH with a NULL pointer", ioctl(fd, SUBZERO_IOC_WATCH, NULL), EFAULT);
	memset(&l, 0, sizeof(l));
	l.size = sizeof(l) - 1;
	want("WATCH_LIST with a short size", ioctl(fd, SUBZERO_IOC_WATCH_LIST, &l), EINVAL);
	l.size = sizeof(l);
	want("WATCH_LIST", ioctl(fd, SUBZERO_IOC_WATCH_LIST, &l), 0);
	ev->size = sizeof(*ev);
	ev->cpu = nr_cpu_ids;
	want("EVENTS for CPU nr_cpu_ids", ioctl(fd, SUBZERO_IOC_EVENTS, ev), EINVAL);
	ev->cpu = 0;
	ev->nr = 5;
	want("EVENTS with an output field set", ioctl(fd, SUBZERO_IOC_EVENTS, ev), EINVAL);
	free(ev);
	memset(&q, 0, sizeof(q));
	q.size = sizeof(q);
	q.gpa = 1ULL << 52;
	want("EPT_QUERY beyond the map", ioctl(fd, SUBZERO_IOC_EPT_QUERY, &q), ERANGE);
	q.cpu = nr_cpu_ids;
	want("EPT_QUERY for CPU nr_cpu_ids", ioctl(fd, SUBZERO_IOC_EPT_QUERY, &q), EINVAL);
	q.cpu = 0;
	q.gpa = 0x100000;
	want("EPT_QUERY of 1 MiB", ioctl(fd, SUBZERO_IOC_EPT_QUERY, &q), 0);
	if (check(q.hpa == 0x100000 && q.perm == 7 && q.level >= 1 && q.level <= 3,
		  "EPT_QUERY of 1 MiB: not an identity mapping with full access"))
		return 1;
	return 0;
}

int main(void)
{
	struct subzero_info info;
	struct subzero_caps caps;
	char big[4096];

	fd = open(SUBZERO_DEVICE, O_RDWR);
	if (fd < 0) {
		printf("FAIL open %s: %s\n", SUBZERO_DEVICE, strerror(errno));
		return 1;
	}
	want("unknown ioctl number", ioctl(fd, _IO(SUBZERO_IOC_MAGIC, 0x7f)), ENOTTY);
	want("foreign ioctl magic", ioctl(fd, _IOR('T', 0x01, int)), ENOTTY);

	memset(&info, 0, sizeof(info));
	want("INFO with size 0", ioctl(fd, SUBZERO_IOC_INFO, &info), EINVAL);
	info.size = sizeof(info) - 8;
	want("INFO with a short size", ioctl(fd, SUBZERO_IOC_INFO, &info), EINVAL);
	info.size = sizeof(info) + 8;
	want("INFO with an oversized size", ioctl(fd, SUBZERO_IOC_INFO, &info), EINVAL);
	want("INFO with a NULL pointer", ioctl(fd, SUBZERO_IOC_INFO, NULL), EFAULT);
	want("INFO with a wild pointer", ioctl(fd, SUBZERO_IOC_INFO, (void *)8), EFAULT);
	want("INFO with a kernel pointer",
	     ioctl(fd, SUBZERO_IOC_INFO, (void *)0xffffffff81000000UL), EFAULT);
	info.size = sizeof(info);
	want("INFO", ioctl(fd, SUBZERO_IOC_INFO, &info), 0);
	if (info.abi_version != SUBZERO_ABI_VERSION || info.nr_cpu_ids < 1) {
		printf("FAIL INFO answered abi %u, %u CPUs\n", info.abi_version, info.nr_cpu_ids);
		return 1;
	}

	memset(&caps, 0, sizeof(caps));
	caps.size = sizeof(caps);
	caps.cpu = info.nr_cpu_ids;
	want("GET_CAPS for CPU nr_cpu_ids", ioctl(fd, SUBZERO_IOC_GET_CAPS, &caps), EINVAL);
	caps.cpu = 0xffffffff;
	want("GET_CAPS for CPU 0xffffffff", ioctl(fd, SUBZERO_IOC_GET_CAPS, &caps), EINVAL);
	caps.cpu = 0;
	caps.size = 1;
	want("GET_CAPS with size 1", ioctl(fd, SUBZERO_IOC_GET_CAPS, &caps), EINVAL);
	memset(big, 0xff, sizeof(big));
	want("GET_CAPS with all-ones input", ioctl(fd, SUBZERO_IOC_GET_CAPS, big), EINVAL);
	caps.size = sizeof(caps);
	want("GET_CAPS for CPU 0", ioctl(fd, SUBZERO_IOC_GET_CAPS, &caps), 0);
	if (probe_lock_sizes())
		return 1;
	if (caps.basic == 0 || caps.cpu != 0) {
		printf("FAIL GET_CAPS answered cpu %u basic %#llx\n", caps.cpu,
		       (unsigned long long)caps.basic);
		return 1;
	}
	if (probe_control_plane(info.nr_cpu_ids))
		return 1;
	if (probe_watch(info.nr_cpu_ids))
		return 1;
	close(fd);

	if (child(drop_sys_admin) || child(become_nobody))
		return 1;
	return 0;
}
