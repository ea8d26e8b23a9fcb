// SPDX-License-Identifier: GPL-2.0
/*
 * subzero: the hypervisor's log on the Linux side.  Code in VMX root writes each
 * CPU's log ring (core/log.h); this file drains the rings into the kernel log and into
 * the history SUBZERO_IOC_LOG reads: every 200 ms from a work item, and before every
 * ioctl (ioctl.c).  Each line goes to the kernel log at its level (core/log.h: a CPU
 * that failed closed is critical, a refusal an error, routine lines debug), the
 * non-critical ones rate-limited; and to the subzero:subzero_log tracepoint.  The
 * drain also emits each CPU's watch events as subzero:subzero_watch tracepoints
 * (linux/subzero_trace.h), leaving them in the ring for SUBZERO_IOC_EVENTS.
 */
#define pr_fmt(fmt) "subzero: " fmt

#include <linux/atomic.h>
#include <linux/cpu.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/ratelimit.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <asm/tsc.h>

#include "sz.h"
#include "subzero_trace.h"

/* The drained log lines, for SUBZERO_IOC_LOG; sz_hist_lock is innermost. */
static struct log_hist sz_hist;
static DEFINE_SPINLOCK(sz_hist_lock);

static void sz_hist_add(unsigned int cpu, u64 tsc, const char *line)
{
	spin_lock(&sz_hist_lock);
	log_hist_add(&sz_hist, cpu, tsc, line);
	spin_unlock(&sz_hist_lock);
}

size_t sz_log_read(u64 from, struct log_hist_line *out, size_t max, u64 *next,
		   u64 *oldest)
{
	size_t n;

	spin_lock(&sz_hist_lock);
	n = log_hist_read(&sz_hist, from, out, max, next);
	*oldest = log_hist_oldest(&sz_hist);
	spin_unlock(&sz_hist_lock);
	return n;
}

/*
 * The kernel log gets every critical line (the report of a CPU that failed closed is
 * never cut short) and at most a burst of 10 others per 5 s, debug lines counted
 * apart (turning dynamic debug on must not crowd out errors).  What is left out is
 * counted and said once the interval is over; the history and the trace keep it all.
 */
static struct ratelimit_state sz_log_rs =
	RATELIMIT_STATE_INIT_FLAGS(sz_log_rs, 5 * HZ, 10, RATELIMIT_MSG_ON_RELEASE);
static struct ratelimit_state sz_debug_rs =
	RATELIMIT_STATE_INIT_FLAGS(sz_debug_rs, 5 * HZ, 10, RATELIMIT_MSG_ON_RELEASE);
static atomic_t sz_log_suppressed = ATOMIC_INIT(0);
static unsigned long sz_log_suppressed_at;	/* jiffies of the first one not said */

static void sz_print(int level, const char *line)
{
	struct ratelimit_state *rs = level >= LOG_LEVEL_DEBUG ? &sz_debug_rs : &sz_log_rs;

	if (level > LOG_LEVEL_CRIT && !__ratelimit(rs)) {
		if (atomic_inc_return(&sz_log_suppressed) == 1)
			WRITE_ONCE(sz_log_suppressed_at, jiffies);
		return;
	}
	switch (level) {
	case LOG_LEVEL_CRIT:
		pr_crit("%s\n", line);
		break;
	case LOG_LEVEL_ERR:
		pr_err("%s\n", line);
		break;
	case LOG_LEVEL_WARNING:
		pr_warn("%s\n", line);
		break;
	default:
		pr_debug("%s\n", line);
	}
}

/* Say how many lines the rate limit left out, once its interval is over. */
static void sz_print_suppressed(void)
{
	int n;

	if (!atomic_read(&sz_log_suppressed) ||
	    time_before(jiffies, READ_ONCE(sz_log_suppressed_at) + 5 * HZ))
		return;
	n = atomic_xchg(&sz_log_suppressed, 0);
	if (n)
		pr_warn("%d hypervisor log lines not printed (rate limit); `subzero log` has them\n",
			n);
}

/*
 * Move a vcpu's log ring (written in VMX root) into the kernel log, the trace and the
 * history.  The ring has one reader: callers hold sz_lock, or are the vcpu's hotplug
 * callback.
 */
void sz_drain(struct vcpu *v)
{
	char line[LOG_LINE];
	int level;
	u32 dropped;
	u64 tsc;

	while (log_take_level(&v->log, line, &tsc, &level)) {
		sz_print(level, line);
		trace_subzero_log(v->cpu, tsc, level, line);
		sz_hist_add(v->cpu, tsc, line);
	}
	dropped = log_take_dropped(&v->log);
	if (dropped) {
		snprintf(line, sizeof(line), "CPU %u: %u log lines dropped (ring full)", v->cpu,
			 dropped);
		pr_warn("%s\n", line);
		tsc = rdtsc();
		trace_subzero_log(v->cpu, tsc, LOG_LEVEL_WARNING, line);
		sz_hist_add(v->cpu, tsc, line);
	}
}

/*
 * The subzero:subzero_watch tracepoint for each of @cpu's watch events not traced yet.
 * The events stay in the ring for SUBZERO_IOC_EVENTS, which calls this first, so each
 * is traced once before it is taken.  sz_lock held (the rings' one reader).
 */
void sz_trace_events(unsigned int cpu)
{
	struct vcpu *v = sz_mem[cpu];
	struct watch_event ev;

	if (!v || !v->events || !trace_subzero_watch_enabled())
		return;
	while (watch_peek(v->events, &sz_cpus[cpu].watch_traced, &ev))
		trace_subzero_watch(&ev);
}

static void sz_drain_all(void)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		if (sz_cpus[cpu].vcpu)
			sz_drain(sz_cpus[cpu].vcpu);
		sz_trace_events(cpu);
	}
	sz_print_suppressed();
}

void sz_drain_locked(void)
{
	mutex_lock(&sz_lock);
	cpus_read_lock();
	sz_drain_all();
	cpus_read_unlock();
	mutex_unlock(&sz_lock);
}

static void sz_drain_work_fn(struct work_struct *w);
static DECLARE_DELAYED_WORK(sz_drain_work, sz_drain_work_fn);

static void sz_drain_work_fn(struct work_struct *w)
{
	sz_drain_locked();
	/* Unbound: the drain must still run when a CPU has failed closed. */
	queue_delayed_work(system_unbound_wq, &sz_drain_work, HZ / 5);
}

void sz_drain_start(void)
{
	queue_delayed_work(system_unbound_wq, &sz_drain_work, HZ / 5);
}

void sz_drain_stop(void)
{
	cancel_delayed_work_sync(&sz_drain_work);
}
