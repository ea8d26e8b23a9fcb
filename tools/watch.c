// SPDX-License-Identifier: GPL-2.0
/*
 * The EPT commands: `subzero watch` and `subzero protect` (add, del, list; the
 * recorded events) and `subzero ept ADDR` (how each CPU's EPT maps an address).
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "subzero.h"

#define SZ_STR2(x) #x
#define SZ_STR(x) SZ_STR2(x)

static const char *access_str(u32 a, char *buf)
{
	buf[0] = a & SUBZERO_ACCESS_R ? 'r' : '-';
	buf[1] = a & SUBZERO_ACCESS_W ? 'w' : '-';
	buf[2] = a & SUBZERO_ACCESS_X ? 'x' : '-';
	buf[3] = 0;
	return buf;
}

static const char *watch_errno(int e)
{
	switch (e) {
	case EINVAL: return "not a 4 KiB-aligned guest-physical address inside the EPT's range";
	case EACCES: return "that page is the hypervisor's own memory";
	case ENXIO: return "that page is not ordinary RAM (MMIO or a hole): it cannot be protected";
	case EEXIST: return "that page is already watched or protected";
	case ENOENT: return "that page is not watched or protected";
	case ENOSPC: return "the table is full (" SZ_STR(SUBZERO_WATCH_MAX) " pages)";
	case ENOMEM: return "a CPU's EPT has no table page left for the split";
	case EOPNOTSUPP: return "subzero runs without EPT on this CPU";
	case EPERM: return "refused: subzero is locked until reboot (a watch or protection "
			   "cannot be removed)";
	default: return strerror(e);
	}
}

static int watch_list(int fd, u32 kind)
{
	struct subzero_watch_list l = { .size = sizeof(l) };
	char acc[4];
	u32 i;

	if (ioctl(fd, SUBZERO_IOC_WATCH_LIST, &l))
		return fail(EXIT_FAIL, "list: %s", strerror(errno));
	out_arr(NULL, OUT_LINES);
	for (i = 0; i < l.nr && i < SUBZERO_WATCH_MAX; i++) {
		if (l.w[i].kind != kind)
			continue;
		out_obj(NULL, OUT_INLINE);
		out_u64("gpa", l.w[i].gpa);
		out_str("access", access_str(l.w[i].access, acc));
		out_text("{gpa:#x} {access}\n");
		out_end();
	}
	out_end();
	return EXIT_OK;
}

static const char *const lock_what_names[] = {
	[SUBZERO_LOCK_EV_CR0] = "cr0", [SUBZERO_LOCK_EV_CR4] = "cr4",
	[SUBZERO_LOCK_EV_MSR] = "msr", [SUBZERO_LOCK_EV_GDTR] = "gdtr",
	[SUBZERO_LOCK_EV_IDTR] = "idtr", [SUBZERO_LOCK_EV_DEVIRT] = "devirt",
	[SUBZERO_LOCK_EV_WATCH] = "unprotect", [SUBZERO_LOCK_EV_LOCKED] = "locked",
	[SUBZERO_LOCK_EV_RESTORED] = "restored", [SUBZERO_LOCK_EV_KTEXT] = "ktext",
	[SUBZERO_LOCK_EV_MOD_ADD] = "module_add", [SUBZERO_LOCK_EV_MOD_DEL] = "module_release",
	[SUBZERO_LOCK_EV_KEXEC] = "kexec",
};

static const char *lock_what(u32 what)
{
	return what < sizeof(lock_what_names) / sizeof(lock_what_names[0]) &&
	       lock_what_names[what] ? lock_what_names[what] : "unknown";
}

/* A lock event: what was attempted (target, value) and the outcome. */
static void print_lock_event(const struct subzero_event *e)
{
	out_str("what", lock_what(e->access));
	out_u64("target", e->gla);
	out_u64("value", e->gpa);
	out_u64("rip", e->rip);
	out_u64("tsc", e->tsc);
	out_str("outcome", e->flags & SUBZERO_EVENT_REFUSED ? "refused" :
		e->flags & SUBZERO_EVENT_ALLOWED ? "allowed" : "recorded");
	out_text("cpu {cpu} lock    {what} target {target:#x} value {value:#x} rip {rip:#x} tsc "
		 "{tsc} {outcome}\n");
}

static void print_event(const struct subzero_event *e)
{
	bool gla = e->flags & SUBZERO_EVENT_GLA;
	char acc[4];

	out_obj(NULL, OUT_INLINE);
	out_u64("cpu", e->cpu);
	out_str("kind", e->kind == SUBZERO_KIND_LOCK ? "lock" :
		e->kind == SUBZERO_KIND_PROTECT ? "protect" : "watch");
	if (e->kind == SUBZERO_KIND_LOCK) {
		print_lock_event(e);
		out_end();
		return;
	}
	out_str("access", access_str(e->access, acc));
	out_u64("gpa", e->gpa);
	if (gla) {
		out_u64("gla", e->gla);
	} else {
		out_null("gla");
		out_u64("gla_raw", e->gla);
	}
	out_u64("rip", e->rip);
	out_u64("tsc", e->tsc);
	out_bool_text("discarded", e->flags & SUBZERO_EVENT_DISCARDED, " discarded", "");
	out_text("cpu {cpu} {kind:-7} {access} gpa {gpa:#x} gla %s rip {rip:#x} tsc {tsc}"
		 "{discarded}\n", gla ? "0x{gla:x}" : "(none) {gla_raw:x}");
	out_end();
}

/*
 * A one-shot read stops after this many full batches from a CPU: 8 x 64 events, twice
 * what a CPU's ring holds (256, core/watch.h).
 */
#define EVENTS_ONESHOT_PASSES	8

/* One pass over the CPUs' event rings; *more if a ring may hold more at once. */
static int drain_events(int fd, const struct opts *o, struct subzero_events *b,
			unsigned long long *dropped, bool *more)
{
	unsigned int cpu, i;

	*more = false;
	for (cpu = o->first; cpu < o->end; cpu++) {
		memset(b, 0, sizeof(*b));
		b->size = sizeof(*b);
		b->cpu = cpu;
		if (ioctl(fd, SUBZERO_IOC_EVENTS, b)) {
			if (errno == EINVAL && !o->one)
				continue;	/* not a possible CPU */
			return fail(EXIT_FAIL, "events: CPU %u: %s", cpu, strerror(errno));
		}
		*dropped += b->dropped;
		for (i = 0; i < b->nr && i < SUBZERO_EVENTS_BATCH; i++)
			print_event(&b->ev[i]);
		if (b->nr == SUBZERO_EVENTS_BATCH)
			*more = true;
	}
	return 0;
}

/* `subzero watch events` and `subzero events`: argv[0] names the command. */
int cmd_events(int argc, char **argv)
{
	struct subzero_events *b;
	struct subzero_info info;
	unsigned long long dropped = 0;
	double deadline = 0;
	unsigned int passes;
	bool more;
	struct opts o;
	int fd, ret;

	fd = cmd_start(argv[0], argc, argv, OPT_JSON | OPT_CPU | OPT_FOLLOW, 0, &o,
		       &info);
	if (fd < 0)
		return o.rc;
	b = malloc(sizeof(*b));
	if (!b) {
		close(fd);
		return fail(EXIT_FAIL, "events: out of memory");
	}
	deadline = follow_start(&o);
	/* One JSON document, or with -f one JSON object per line as they come. */
	if (!o.follow) {
		out_obj(NULL, OUT_LINES);
		out_arr("events", OUT_LINES);
	}
	for (passes = 1;; passes++) {
		ret = drain_events(fd, &o, b, &dropped, &more);
		if (ret)
			goto out;
		/*
		 * A ring still full: read on at once.  Without -f only up to
		 * EVENTS_ONESHOT_PASSES batches a CPU, and with -f only until the
		 * timeout or a signal: a CPU that records as fast as we read (a hot
		 * watched page) would otherwise keep it going for ever.
		 */
		if (more && (o.follow ? !follow_over(&o, deadline) :
			     passes < EVENTS_ONESHOT_PASSES))
			continue;
		if (follow_over(&o, deadline))
			break;
		fflush(stdout);
		sleep_s(0.2);
	}
	if (!o.follow) {
		out_end();
		out_u64("dropped", dropped);
		out_end();
	}
	if (dropped)
		out_text("-- %llu events were lost to a full ring --\n", dropped);
	ret = EXIT_OK;
out:
	free(b);
	close(fd);
	return ret;
}

static const char *memtype_name(u32 t)
{
	static const char *const names[8] = { "UC", "WC", "?2", "?3", "WT", "WP", "WB", "?7" };

	return names[t & 7];
}

int cmd_ept(int argc, char **argv)
{
	struct subzero_ept_query q;
	struct subzero_info info;
	unsigned long long addr;
	unsigned int cpu;
	struct opts o;
	char acc[4];
	int fd, ret = EXIT_OK;

	if (parse_opts("ept", argc, argv, OPT_JSON | OPT_CPU, 1, &o))
		return o.rc;
	if (o.nargs < 1 || parse_addr(o.args[0], &addr))
		return usage_error("ept", "needs a guest-physical address (e.g. 0xfee00000)");
	fd = device_start("ept", &o, &info);
	if (fd < 0)
		return o.rc;
	out_arr(NULL, OUT_LINES);
	for (cpu = o.first; cpu < o.end; cpu++) {
		memset(&q, 0, sizeof(q));
		q.size = sizeof(q);
		q.cpu = cpu;
		q.gpa = addr;
		if (ioctl(fd, SUBZERO_IOC_EPT_QUERY, &q)) {
			if (errno == ENXIO && !o.one)
				continue;		/* not virtualized */
			ret = fail(EXIT_FAIL, "ept: CPU %u: %s", cpu,
				   errno == ERANGE ? "beyond the EPT's map" :
				   errno == EOPNOTSUPP ? "no EPT" :
				   errno == ENXIO ? "not virtualized" : strerror(errno));
			break;
		}
		out_obj(NULL, OUT_INLINE);
		out_u64("cpu", cpu);
		out_u64("gpa", addr);
		out_u64("hpa", q.hpa);
		out_u64("page_size", 1ULL << (12 + 9 * (q.level - 1)));
		out_str("memtype", memtype_name(q.memtype));
		out_str("perm", access_str(q.perm, acc));
		out_u64("leaf", q.leaf);
		out_text("CPU {cpu}: gpa {gpa:#x} -> hpa {hpa:#x}, %s page, {memtype}, {perm} (leaf "
			 "{leaf:#x})\n", q.level == 3 ? "1 GiB" : q.level == 2 ? "2 MiB" : "4 KiB");
		out_end();
	}
	out_end();
	close(fd);
	return ret;
}

/* watch add|del|list|events, protect add|del|list: argv[0] says which. */
int cmd_watch(int argc, char **argv)
{
	const char *cmd = argv[0];
	u32 kind = strcmp(cmd, "protect") ? SUBZERO_KIND_WATCH : SUBZERO_KIND_PROTECT;
	struct subzero_watch w = { .size = sizeof(w) };
	const char *sub = argc > 1 ? argv[1] : NULL;
	bool events_ok = kind == SUBZERO_KIND_WATCH;
	unsigned long long addr;
	struct subzero_info info;
	char name[32];
	struct opts o;
	int fd, ret;

	if (sub && (!strcmp(sub, "--help") || !strcmp(sub, "-h")))
		return parse_opts(cmd, argc, argv, 0, 0, &o) ? o.rc : EXIT_OK;
	if (!sub)
		return usage_error(cmd, "%s?", events_ok ? "add, del, list or events" :
				   "add, del or list");
	snprintf(name, sizeof(name), "%s %s", cmd, sub);
	if (!strcmp(sub, "list")) {
		fd = cmd_start(name, argc - 1, argv + 1, OPT_JSON, 0, &o, &info);
		if (fd < 0)
			return o.rc;
		ret = watch_list(fd, kind);
		close(fd);
		return ret;
	}
	if (!strcmp(sub, "events") && events_ok)
		return cmd_events(argc - 1, argv + 1);
	if (strcmp(sub, "add") && strcmp(sub, "del"))
		return usage_error(cmd, "unknown subcommand '%s'", sub);
	w.op = strcmp(sub, "add") ? SUBZERO_WATCH_DEL : SUBZERO_WATCH_ADD;
	if (parse_opts(name, argc - 1, argv + 1, events_ok && w.op == SUBZERO_WATCH_ADD ?
		       OPT_ACCESS : 0, 1, &o))
		return o.rc;
	if (o.nargs < 1 || parse_addr(o.args[0], &addr))
		return usage_error(name, "needs a guest-physical address (e.g. 0x1000)");
	w.gpa = addr;
	if (w.op == SUBZERO_WATCH_ADD) {
		w.kind = kind;
		w.access = o.access ? o.access : SUBZERO_ACCESS_W;
	}
	fd = open_device();
	if (fd < 0)
		return -fd;
	ret = get_info(fd, &info);
	if (!ret && ioctl(fd, SUBZERO_IOC_WATCH, &w))
		ret = fail(EXIT_FAIL, "%s %#llx: %s", name, addr, watch_errno(errno));
	close(fd);
	return ret;
}
