// SPDX-License-Identifier: GPL-2.0
/*
 * `subzero status` and `subzero stats`: each CPU's state, and its VM exits by reason
 * with the time spent in VMX root, once or as rates every interval.
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
static int get_stats(int fd, unsigned int cpu, struct subzero_cpu_stats *st)
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

/* The log2 histogram of one reason's time in root, as perf kvm stat's min/max and more. */
static void print_hist(const struct subzero_exit_hist *h)
{
	char lo[16], hi[16];
	unsigned int b;
	bool first = true;

	printf("      cycles in root:");
	for (b = 0; b < SUBZERO_EXIT_HIST_BUCKETS; b++) {
		if (!h->log2[b])
			continue;
		if (b == SUBZERO_EXIT_HIST_BUCKETS - 1)
			printf("%s [%s, ...) %llu", first ? "" : ",", pow2_label(b, lo, sizeof(lo)),
			       (unsigned long long)h->log2[b]);
		else
			printf("%s [%s, %s) %llu", first ? "" : ",", b ? pow2_label(b, lo, sizeof(lo)) : "0",
			       pow2_label(b + 1, hi, sizeof(hi)), (unsigned long long)h->log2[b]);
		first = false;
	}
	printf("\n");
}

static void json_hist(const struct subzero_exit_hist *h)
{
	unsigned int b;

	jw_u64("min_root_tsc", h->min_root_tsc);
	jw_u64("max_root_tsc", h->max_root_tsc);
	/* [from, to) in TSC cycles and the exits that took that long; empty buckets left out */
	jw_arr("hist_log2", JW_INLINE);
	for (b = 0; b < SUBZERO_EXIT_HIST_BUCKETS; b++) {
		if (!h->log2[b])
			continue;
		jw_obj(NULL, JW_INLINE);
		jw_u64("from", b ? 1ULL << b : 0);
		if (b < SUBZERO_EXIT_HIST_BUCKETS - 1)
			jw_u64("to", 1ULL << (b + 1));
		else
			jw_null("to");
		jw_u64("count", h->log2[b]);
		jw_end();
	}
	jw_end();
}

static unsigned long long total_exits(const struct subzero_cpu_stats *st)
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

/* The lock's line, or its JSON object (l NULL: the module has no lock ioctl). */
static void print_lock(const struct subzero_lock *l, bool json)
{
	bool on = l && (l->flags & SUBZERO_LOCK_ON);

	if (json) {
		jw_obj("lock", JW_INLINE);
		jw_bool("locked", on);
		if (l) {
			jw_hex("cr0_pinned", l->cr0_pinned);
			jw_hex("cr4_pinned", l->cr4_pinned);
			jw_bool("cet_msrs", l->flags & SUBZERO_LOCK_CET);
			jw_u64("cr_refused", l->cr_refused);
			jw_u64("msr_refused", l->msr_refused);
			jw_u64("msr_kept", l->msr_kept);
			jw_u64("hc_refused", l->hc_refused);
			jw_u64("devirt_offline", l->devirt_offline);
			jw_u64("restored", l->restored);
			jw_u64("dt_refused", l->dt_refused);
			jw_u64("wx_allowed", l->wx_allowed);
			jw_u64("wx_refused", l->wx_refused);
			jw_u64("wx_ept_tables", l->wx_tables);
			jw_bool("mbec", l->flags & SUBZERO_LOCK_MBEC);
			/* MBEC is not used, even where the CPU has it (README) */
			jw_bool("kernel_exec_restricted", false);
		}
		/* each only where the CPU allows it (README, "The lock") */
		jw_bool("descriptor_tables", on && (l->flags & SUBZERO_LOCK_DT));
		jw_bool("kernel_text_wx", l && (l->flags & SUBZERO_LOCK_WX));
		jw_end();
		return;
	}
	if (!on) {
		printf("  lock: off\n");
		return;
	}
	printf("  lock: on (CR0 pinned %#llx, CR4 pinned %#llx%s%s); refused: %llu CR, %llu MSR, "
	       "%llu GDTR/IDTR, %llu hypercall; allowed: %llu MSR writes keeping the value, "
	       "%llu offline, %llu restored\n",
	       (unsigned long long)l->cr0_pinned, (unsigned long long)l->cr4_pinned,
	       l->flags & SUBZERO_LOCK_CET ? ", CET MSRs" : "",
	       l->flags & SUBZERO_LOCK_DT ? ", GDTR/IDTR bases" : "",
	       (unsigned long long)l->cr_refused, (unsigned long long)l->msr_refused,
	       (unsigned long long)l->dt_refused,
	       (unsigned long long)l->hc_refused, (unsigned long long)l->msr_kept,
	       (unsigned long long)l->devirt_offline, (unsigned long long)l->restored);
	if (l->flags & SUBZERO_LOCK_WX)
		printf("  kernel text W^X: on (%u EPT tables); writes refused %llu, by text_poke() "
		       "%llu; mode-based execute control: %s\n", l->wx_tables,
		       (unsigned long long)l->wx_refused, (unsigned long long)l->wx_allowed,
		       l->flags & SUBZERO_LOCK_MBEC ? "the CPU has it, not used" : "no (not on this CPU)");
	else
		printf("  kernel text W^X: off\n");
	/* MBEC is never used (README, "The lock"): kernel-mode execution is not restricted */
	printf("  not enforced:%s kernel-mode execution outside kernel and module text (%s)\n",
	       l->flags & SUBZERO_LOCK_DT ? "" :
	       " descriptor tables (no descriptor-table exiting on this CPU);",
	       l->flags & SUBZERO_LOCK_MBEC ? "the CPU has MBEC, not used" :
	       "no MBEC on this CPU");
}

static void print_status_cpu(const struct subzero_cpu_stats *st,
			     const struct subzero_info *info, const struct subzero_lock *l,
			     bool json)
{
	bool virt = st->flags & SUBZERO_CPU_VIRTUALIZED;
	bool online = st->flags & SUBZERO_CPU_ONLINE;
	double up = tsc_seconds(st->now_tsc - st->launch_tsc, info);

	if (json) {
		jw_obj(NULL, JW_INLINE);
		jw_u64("cpu", st->cpu);
		jw_bool("online", online);
		jw_bool("virtualized", virt);
		if (virt) {
			jw_u64("vpid", st->vpid);
			jw_u64("exits", total_exits(st));
			jw_u64("launch_tsc", st->launch_tsc);
			jw_double("uptime_s", up, 6);
		}
		jw_u64("ept_pages", st->ept_pages);
		jw_u64("ept_pool_pages", st->ept_pool_pages);
		jw_u64("eptp", st->eptp);
		print_lock(l, true);
		jw_end();
	} else if (virt) {
		printf("CPU %u: virtualized, VPID %u, %llu exits, up %.3f s, EPT pages %llu\n",
		       st->cpu, st->vpid, total_exits(st), up, (unsigned long long)st->ept_pages);
		print_lock(l, false);
	} else {
		printf("CPU %u: not virtualized%s\n", st->cpu, online ? "" : " (offline)");
	}
}

int cmd_status(int argc, char **argv)
{
	struct subzero_cpu_stats st;
	struct subzero_info info;
	struct subzero_lock l;
	unsigned int cpu, nvirt = 0;
	bool attached;
	struct opts o;
	int fd, ret;

	fd = cmd_start("status", argc, argv, OPT_JSON | OPT_CPU, 0, &o, &info);
	if (fd < 0)
		return o.rc;
	attached = info.flags & SUBZERO_INFO_ATTACHED;
	if (o.json) {
		jw_obj(NULL, JW_LINES);
		jw_u64("abi_version", info.abi_version);
		jw_bool("attached", attached);
		jw_u64("tsc_khz", info.tsc_khz);
		jw_s64("alloc_count", info.alloc_count);
		jw_u64("nr_cpu_ids", info.nr_cpu_ids);
		jw_u64("nr_cpus_online", info.nr_cpus_online);
		jw_arr("cpus", JW_LINES);
	} else {
		printf("subzero: %s, ABI %u, TSC %u kHz, %u of %u CPUs online, %lld module "
		       "allocations\n", attached ? "attached" : "detached (module loaded, no CPU "
		       "in VMX)", info.abi_version, info.tsc_khz, info.nr_cpus_online,
		       info.nr_cpu_ids, (long long)info.alloc_count);
	}
	for (cpu = o.first; cpu < o.end; cpu++) {
		ret = get_stats(fd, cpu, &st);
		if (ret) {
			ret = fail(EXIT_FAIL, "status: CPU %u: %s", cpu, strerror(-ret));
			goto out;
		}
		nvirt += !!(st.flags & SUBZERO_CPU_VIRTUALIZED);
		print_status_cpu(&st, &info, get_lock(fd, cpu, &l) ? NULL : &l, o.json);
	}
	if (o.json) {
		jw_end();
		jw_u64("nr_virtualized", nvirt);
		jw_end();
	}
	ret = EXIT_OK;
out:
	close(fd);
	return ret;
}

static void print_stats(const struct subzero_cpu_stats *st, bool json)
{
	bool virt = st->flags & SUBZERO_CPU_VIRTUALIZED;
	unsigned long long all = total_exits(st), n, t;
	double share, tshare;
	unsigned int i, shown = 0;
	char buf[32];

	if (json) {
		jw_obj(NULL, JW_LINES);
		/* the counters on the object's first line, the reasons one a line */
		jw_u64("cpu", st->cpu);
	} else {
		printf("CPU %u: %s", st->cpu, virt ? "virtualized" : "not virtualized");
		if (virt)
			printf(", VPID %u, %llu exits, %llu TSC cycles in root", st->vpid,
			       total_exits(st), (unsigned long long)st->root_tsc);
		printf("\n");
	}
	if (json) {
		jw_bool("online", st->flags & SUBZERO_CPU_ONLINE);
		jw_bool("virtualized", virt);
		jw_u64("vpid", st->vpid);
		jw_u64("exits", total_exits(st));
		jw_u64("root_tsc", st->root_tsc);
		jw_u64("exits_other", st->exits_other);
		jw_u64("root_tsc_other", st->root_tsc_other);
		jw_obj("reasons", JW_LINES);
	}
	for (i = 0; i < SUBZERO_EXIT_REASONS; i++) {
		n = st->exits[i];
		t = st->exit_root_tsc[i];
		if (!n)
			continue;
		/* perf kvm stat's columns: the share of exits and of the time in root */
		share = all ? (double)n / all : 0;
		tshare = st->root_tsc ? (double)t / st->root_tsc : 0;
		if (json) {
			jw_obj(reason_key(i, buf, sizeof(buf)), JW_INLINE);
			jw_u64("reason", i);
			jw_u64("count", n);
			jw_u64("root_tsc", t);
			jw_u64("mean_root_tsc", t / n);
			jw_double("exits_share", share, 6);
			jw_double("root_share", tshare, 6);
			if (has_hist(st))
				json_hist(&st->hist[i]);
			jw_end();
			continue;
		}
		if (!shown++)
			printf("  %-24s %12s %16s %12s %8s %8s %12s %12s\n", "exit reason", "exits",
			       "root cycles", "mean cycles", "exits%", "root%", "min cycles",
			       "max cycles");
		printf("  %-24s %12llu %16llu %12llu %7.2f%% %7.2f%%", reason_key(i, buf, sizeof(buf)),
		       n, t, t / n, share * 100, tshare * 100);
		if (has_hist(st)) {
			printf(" %12llu %12llu\n", (unsigned long long)st->hist[i].min_root_tsc,
			       (unsigned long long)st->hist[i].max_root_tsc);
			print_hist(&st->hist[i]);
		} else {
			printf(" %12s %12s\n", "-", "-");
		}
	}
	if (json) {
		jw_end();
		jw_end();
	} else if (st->exits_other) {
		printf("  %-24s %12llu %16llu %12llu\n", "(other)",
		       (unsigned long long)st->exits_other,
		       (unsigned long long)st->root_tsc_other,
		       (unsigned long long)(st->root_tsc_other / st->exits_other));
	}
}

/*
 * One interval's rates: what changed between @a and @b, per second of TSC time.  A CPU
 * virtualized again in between (new launch TSC) counts from its launch.
 */
static void print_rates(const struct subzero_cpu_stats *a, const struct subzero_cpu_stats *b,
			const struct subzero_info *info, bool json)
{
	bool virt = b->flags & SUBZERO_CPU_VIRTUALIZED;
	bool fresh = !(a->flags & SUBZERO_CPU_VIRTUALIZED) || a->launch_tsc != b->launch_tsc;
	unsigned long long t0 = fresh ? b->launch_tsc : a->now_tsc;
	double secs = tsc_seconds(b->now_tsc - t0, info), rate, all = 0, root;
	unsigned long long dn, dt;
	unsigned int i;
	char buf[32];

	if (secs <= 0)
		secs = 1e-9;
	dn = total_exits(b) - (fresh ? 0 : total_exits(a));
	dt = b->root_tsc - (fresh ? 0 : a->root_tsc);
	all = virt ? dn / secs : 0;
	root = virt && b->now_tsc > t0 ? (double)dt / (b->now_tsc - t0) : 0;
	if (json) {
		jw_obj(NULL, JW_INLINE);
		jw_u64("cpu", b->cpu);
		jw_bool("virtualized", virt);
		jw_double("exits_per_s", all, 3);
		jw_double("root_fraction", root, 6);
		jw_obj("reasons", JW_INLINE);
	} else if (virt) {
		printf("CPU %u: %.1f exits/s, %.4f%% of the time in VMX root\n", b->cpu, all,
		       root * 100);
	} else {
		printf("CPU %u: not virtualized\n", b->cpu);
	}
	for (i = 0; virt && i < SUBZERO_EXIT_REASONS; i++) {
		dn = b->exits[i] - (fresh ? 0 : a->exits[i]);
		dt = b->exit_root_tsc[i] - (fresh ? 0 : a->exit_root_tsc[i]);
		if (!dn)
			continue;
		rate = dn / secs;
		if (json) {
			jw_obj(reason_key(i, buf, sizeof(buf)), JW_INLINE);
			jw_double("per_s", rate, 3);
			jw_u64("mean_root_tsc", dt / dn);
			jw_end();
		} else {
			printf("  %-24s %12.1f/s %12llu mean cycles\n",
			       reason_key(i, buf, sizeof(buf)), rate, dt / dn);
		}
	}
	if (json) {
		jw_end();
		jw_end();
	}
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
		if (o->json) {
			jw_obj(NULL, JW_INLINE);
			jw_u64("interval", k);
			jw_double("seconds", o->interval, 3);
			jw_arr("cpus", JW_INLINE);
		} else {
			printf("--- interval %lu (%.3f s)\n", k, o->interval);
		}
		for (i = 0; i < n; i++)
			print_rates(&prev[i], &cur[i], info, o->json);
		if (o->json) {
			jw_end();
			jw_end();
		}
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
	if (o.json) {
		jw_obj(NULL, JW_LINES);
		jw_u64("abi_version", info.abi_version);
		jw_u64("tsc_khz", info.tsc_khz);
		jw_s64("alloc_count", info.alloc_count);
		jw_u64("alloc_bytes", info.alloc_bytes);
		jw_arr("cpus", JW_LINES);
	}
	for (cpu = o.first; cpu < o.end; cpu++) {
		ret = get_stats(fd, cpu, &st);
		if (ret) {
			ret = fail(EXIT_FAIL, "stats: CPU %u: %s", cpu, strerror(-ret));
			goto out;
		}
		print_stats(&st, o.json);
	}
	if (o.json) {
		jw_end();
		jw_end();
	} else {
		printf("module allocations outstanding: %lld (%llu bytes)\n",
		       (long long)info.alloc_count, (unsigned long long)info.alloc_bytes);
	}
	ret = EXIT_OK;
out:
	close(fd);
	return ret;
}
