// SPDX-License-Identifier: GPL-2.0
/*
 * `subzero stats`: each CPU's VM exits by reason with the time spent in VMX root (as
 * perf kvm stat shows them), once or as rates every interval; and reading a CPU's
 * stats (get_stats(), total_exits()), which `subzero status` shares.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "subzero.h"
#include "exit.h"

/*
 * One CPU's stats, with the time histograms; from a module that predates them (which
 * takes only SUBZERO_CPU_STATS_SIZE_V1) without: st->size says which.
 */
int get_stats(int fd, unsigned int cpu, struct subzero_cpu_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	st->cpu = cpu;
	if (!ioctl(fd, SUBZERO_IOC_CPU_STATS, st))
		return 0;
	if (errno != EINVAL)
		return -errno;
	memset(st, 0, sizeof(*st));
	st->size = SUBZERO_CPU_STATS_SIZE_V1;
	st->cpu = cpu;
	return ioctl(fd, SUBZERO_IOC_CPU_STATS, st) ? -errno : 0;
}

static bool has_hist(const struct subzero_cpu_stats *st)
{
	return st->size >= sizeof(*st);
}

/* A power of two as the histogram labels it: 512, 4K, 2M, 1G. */
static const char *pow2_label(unsigned int b, char *buf, size_t n)
{
	static const char unit[] = " KMGT";
	unsigned int u = b / 10 < sizeof(unit) - 1 ? b / 10 : sizeof(unit) - 2;

	snprintf(buf, n, "%llu%c", 1ULL << (b - 10 * u), unit[u]);
	if (!u)
		buf[strlen(buf) - 1] = '\0';
	return buf;
}

/*
 * The min/max and the log2 histogram of one reason's time in root: its text ends the
 * reason's row and adds a line under it ([32, 64) 680, ...; empty buckets left out).
 */
static void print_hist(const struct subzero_exit_hist *h)
{
	char lo[16], hi[16];
	unsigned int b, last = SUBZERO_EXIT_HIST_BUCKETS - 1;
	bool first = true;

	out_u64("min_root_tsc", h->min_root_tsc);
	out_u64("max_root_tsc", h->max_root_tsc);
	out_text(" {min_root_tsc:12} {max_root_tsc:12}\n      cycles in root:");
	/* [from, to) in TSC cycles and the exits that took that long */
	out_arr("hist_log2", OUT_INLINE);
	for (b = 0; b < SUBZERO_EXIT_HIST_BUCKETS; b++) {
		if (!h->log2[b])
			continue;
		out_obj(NULL, OUT_INLINE);
		out_u64("from", b ? 1ULL << b : 0);
		if (b < last)
			out_u64("to", 1ULL << (b + 1));
		else
			out_null("to");
		out_u64("count", h->log2[b]);
		out_text("%s [%s, %s) {count}", first ? "" : ",",
			 b ? pow2_label(b, lo, sizeof(lo)) : "0",
			 b < last ? pow2_label(b + 1, hi, sizeof(hi)) : "...");
		out_end();
		first = false;
	}
	out_end();
	out_text("\n");
}

unsigned long long total_exits(const struct subzero_cpu_stats *st)
{
	unsigned long long total = st->exits_other;
	unsigned int i;

	for (i = 0; i < SUBZERO_EXIT_REASONS; i++)
		total += st->exits[i];
	return total;
}

/* An exit reason's name, or REASON_<n> for one without a name (JSON keys stay unique). */
static const char *reason_key(unsigned int r, char *buf, size_t n)
{
	const char *name = exit_reason_name(r);

	if (strcmp(name, "unknown"))
		return name;
	snprintf(buf, n, "REASON_%u", r);
	return buf;
}

/* One exit reason's row; the header before the first (@shown). */
static void print_reason(const struct subzero_cpu_stats *st, unsigned int i, bool shown)
{
	unsigned long long n = st->exits[i], t = st->exit_root_tsc[i];
	unsigned long long all = total_exits(st);
	/* perf kvm stat's columns: the share of exits and of the time in root */
	double share = all ? (double)n / all : 0;
	double tshare = st->root_tsc ? (double)t / st->root_tsc : 0;
	char buf[32];
	const char *key = reason_key(i, buf, sizeof(buf));

	out_obj(key, OUT_INLINE);
	out_u64("reason", i);
	out_u64("count", n);
	out_u64("root_tsc", t);
	out_u64("mean_root_tsc", t / n);
	out_double("exits_share", share, 6);
	out_double("root_share", tshare, 6);
	if (!shown)
		out_text("  %-24s %12s %16s %12s %8s %8s %12s %12s\n", "exit reason", "exits",
			 "root cycles", "mean cycles", "exits%", "root%", "min cycles",
			 "max cycles");
	out_text("  %-24s {count:12} {root_tsc:16} {mean_root_tsc:12} %7.2f%% %7.2f%%", key,
		 share * 100, tshare * 100);
	if (has_hist(st))
		print_hist(&st->hist[i]);
	else
		out_text(" %12s %12s\n", "-", "-");	/* a module without the histograms */
	out_end();
}

static void print_stats(const struct subzero_cpu_stats *st)
{
	bool virt = st->flags & SUBZERO_CPU_VIRTUALIZED;
	unsigned int i, shown = 0;

	/* the counters on the object's first line, the reasons one a line */
	out_obj(NULL, OUT_LINES);
	out_u64("cpu", st->cpu);
	out_bool("online", st->flags & SUBZERO_CPU_ONLINE);
	out_bool_text("virtualized", virt, "virtualized", "not virtualized");
	out_u64("vpid", st->vpid);
	out_u64("exits", total_exits(st));
	out_u64("root_tsc", st->root_tsc);
	out_u64("exits_other", st->exits_other);
	out_u64("root_tsc_other", st->root_tsc_other);
	if (virt)
		out_text("CPU {cpu}: {virtualized}, VPID {vpid}, {exits} exits, {root_tsc} TSC "
			 "cycles in root\n");
	else
		out_text("CPU {cpu}: {virtualized}\n");
	out_obj("reasons", OUT_LINES);
	for (i = 0; i < SUBZERO_EXIT_REASONS; i++)
		if (st->exits[i])
			print_reason(st, i, shown++);
	out_end();
	if (st->exits_other)
		out_text("  %-24s {exits_other:12} {root_tsc_other:16} %12llu\n", "(other)",
			 (unsigned long long)(st->root_tsc_other / st->exits_other));
	out_end();
}

/*
 * One interval's rates: what changed between @a and @b, per second of TSC time.  A CPU
 * virtualized again in between (new launch TSC) counts from its launch.
 */
static void print_rates(const struct subzero_cpu_stats *a, const struct subzero_cpu_stats *b,
			const struct subzero_info *info)
{
	bool virt = b->flags & SUBZERO_CPU_VIRTUALIZED;
	bool fresh = !(a->flags & SUBZERO_CPU_VIRTUALIZED) || a->launch_tsc != b->launch_tsc;
	unsigned long long t0 = fresh ? b->launch_tsc : a->now_tsc;
	double secs = tsc_seconds(b->now_tsc - t0, info), all = 0, root;
	unsigned long long dn, dt;
	unsigned int i;
	const char *key;
	char buf[32];

	if (secs <= 0)
		secs = 1e-9;
	dn = total_exits(b) - (fresh ? 0 : total_exits(a));
	dt = b->root_tsc - (fresh ? 0 : a->root_tsc);
	all = virt ? dn / secs : 0;
	root = virt && b->now_tsc > t0 ? (double)dt / (b->now_tsc - t0) : 0;
	out_obj(NULL, OUT_INLINE);
	out_u64("cpu", b->cpu);
	out_bool("virtualized", virt);
	out_double("exits_per_s", all, 3);
	out_double("root_fraction", root, 6);
	if (virt)
		out_text("CPU {cpu}: {exits_per_s:.1f} exits/s, %.4f%% of the time in VMX root\n",
			 root * 100);
	else
		out_text("CPU {cpu}: not virtualized\n");
	out_obj("reasons", OUT_INLINE);
	for (i = 0; virt && i < SUBZERO_EXIT_REASONS; i++) {
		dn = b->exits[i] - (fresh ? 0 : a->exits[i]);
		dt = b->exit_root_tsc[i] - (fresh ? 0 : a->exit_root_tsc[i]);
		if (!dn)
			continue;
		key = reason_key(i, buf, sizeof(buf));
		out_obj(key, OUT_INLINE);
		out_double("per_s", dn / secs, 3);
		out_u64("mean_root_tsc", dt / dn);
		out_text("  %-24s {per_s:12.1f}/s {mean_root_tsc:12} mean cycles\n", key);
		out_end();
	}
	out_end();
	out_end();
}

/* Every CPU's stats into @st[0..n), or say which CPU failed. */
static int get_all(int fd, const struct opts *o, struct subzero_cpu_stats *st)
{
	unsigned int n = o->end - o->first, i;
	int err;

	for (i = 0; i < n; i++) {
		err = get_stats(fd, o->first + i, &st[i]);
		if (err)
			return fail(EXIT_FAIL, "stats: CPU %u: %s", o->first + i, strerror(-err));
	}
	return 0;
}

static int stats_interval(int fd, const struct opts *o, const struct subzero_info *info)
{
	unsigned int n = o->end - o->first, i;
	struct subzero_cpu_stats *prev, *cur;
	unsigned long k;
	int ret = EXIT_OK;

	prev = calloc(n, sizeof(*prev));
	cur = calloc(n, sizeof(*cur));
	if (!prev || !cur) {
		ret = fail(EXIT_FAIL, "stats: out of memory");
		goto out;
	}
	catch_signals();
	ret = get_all(fd, o, prev);
	for (k = 1; !ret && (!o->count || k <= o->count); k++) {
		sleep_s(o->interval);
		if (stop)
			break;
		ret = get_all(fd, o, cur);
		if (ret)
			break;
		out_obj(NULL, OUT_INLINE);
		out_u64("interval", k);
		out_double("seconds", o->interval, 3);
		out_text("--- interval {interval} ({seconds} s)\n");
		out_arr("cpus", OUT_INLINE);
		for (i = 0; i < n; i++)
			print_rates(&prev[i], &cur[i], info);
		out_end();
		out_end();
		fflush(stdout);
		memcpy(prev, cur, n * sizeof(*cur));
	}
out:
	free(prev);
	free(cur);
	return ret;
}

int cmd_stats(int argc, char **argv)
{
	struct subzero_cpu_stats st;
	struct subzero_info info;
	struct opts o;
	unsigned int cpu;
	int fd, ret;

	fd = cmd_start("stats", argc, argv, OPT_JSON | OPT_CPU | OPT_INTERVAL, 0, &o, &info);
	if (fd < 0)
		return o.rc;
	if (o.interval) {
		ret = stats_interval(fd, &o, &info);
		goto out;
	}
	out_obj(NULL, OUT_LINES);
	out_u64("abi_version", info.abi_version);
	out_u64("tsc_khz", info.tsc_khz);
	out_s64("alloc_count", info.alloc_count);
	out_u64("alloc_bytes", info.alloc_bytes);
	out_arr("cpus", OUT_LINES);
	for (cpu = o.first; cpu < o.end; cpu++) {
		ret = get_stats(fd, cpu, &st);
		if (ret) {
			ret = fail(EXIT_FAIL, "stats: CPU %u: %s", cpu, strerror(-ret));
			goto out;
		}
		print_stats(&st);
	}
	out_end();
	out_text("module allocations outstanding: {alloc_count} ({alloc_bytes} bytes)\n");
	out_end();
	ret = EXIT_OK;
out:
	close(fd);
	return ret;
}
