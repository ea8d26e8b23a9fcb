// SPDX-License-Identifier: GPL-2.0
/*
 * subzero: the hypervisor's log on the Linux side.  Code in VMX root writes each
 * CPU's log ring (core/log.h); this file drains the rings into the kernel log and into
 * the history SUBZERO_IOC_LOG reads: every 200 ms from a work item, and before every
 * ioctl (ioctl.c).
 */
#define pr_fmt(fmt) "subzero: " fmt

#include <linux/cpu.h>
#include <linux/kernel.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <asm/tsc.h>

#include "sz.h"

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
 * Move a vcpu's log ring (written in VMX root) into the kernel log and the history.
 * The ring has one reader: callers hold sz_lock, or are the vcpu's hotplug callback.
 */
void sz_drain(struct vcpu *v)
{
	char line[LOG_LINE];
	u64 tsc;

	while (log_take_tsc(&v->log, line, &tsc)) {
		pr_info("%s\n", line);
		sz_hist_add(v->cpu, tsc, line);
	}
	if (v->log.dropped) {
		snprintf(line, sizeof(line), "CPU %u: %u log lines dropped (ring full)", v->cpu,
			 v->log.dropped);
		pr_warn("%s\n", line);
		sz_hist_add(v->cpu, rdtsc(), line);
		v->log.dropped = 0;
	}
}

static void sz_drain_all(void)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu)
		if (sz_cpus[cpu].vcpu)
			sz_drain(sz_cpus[cpu].vcpu);
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
