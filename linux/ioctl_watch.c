// SPDX-License-Identifier: GPL-2.0
/*
 * subzero: the /dev/subzero requests about watched and protected pages and EPT
 * (SUBZERO_IOC_WATCH, WATCH_LIST, EVENTS, EPT_QUERY), as ioctl.c's table calls them
 * (sz_ioctl.h): a change to the watch table is applied on every virtualized CPU, all or
 * nothing; events come from each CPU's ring; an EPT query walks a CPU's own EPT in root.
 */
#define pr_fmt(fmt) "subzero: " fmt

#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/smp.h>

#include "../core/private.h"
#include "sz.h"
#include "sz_ioctl.h"
#include "../include/uapi/subzero.h"

static void sz_sync_fn(void *arg)
{
	struct vcpu *v = sz_cpus[smp_processor_id()].vcpu;
	atomic_t *err = arg;
	int ret;

	if (!v)
		return;
	ret = vmx_watch_sync_this_cpu(v);
	if (ret)
		atomic_cmpxchg(err, 0, ret);
}

/* Apply the table on every virtualized CPU.  sz_lock and the hotplug lock held. */
static int sz_sync_all(void)
{
	atomic_t err = ATOMIC_INIT(0);

	on_each_cpu(sz_sync_fn, &err, 1);
	return atomic_read(&err);
}

long sz_ioctl_watch(const void *in, void *out, u32 cpu)
{
	const struct subzero_watch *req = in;
	int ret;

	ret = vmx_watch_check(sz_mem, nr_cpu_ids, req->gpa, req->op == SUBZERO_WATCH_ADD);
	if (ret)
		return ret;
	mutex_lock(&sz_lock);
	cpus_read_lock();
	switch (req->op) {
	case SUBZERO_WATCH_ADD:
		/* the kernel's memory map says whether the page is RAM (protect needs it) */
		ret = watch_add(req->gpa, req->access, req->kind,
				page_is_ram(PHYS_PFN(req->gpa)));
		if (ret)
			break;
		ret = sz_sync_all();
		if (ret) {		/* all or nothing */
			watch_del(req->gpa);
			sz_sync_all();
		}
		break;
	case SUBZERO_WATCH_DEL:
		if (req->access || req->kind) {
			ret = -EINVAL;
			break;
		}
		if (sz_locked) {	/* root refuses it too (watch_sync) */
			pr_warn("removing a watch or protection refused: subzero is locked until reboot\n");
			ret = -EPERM;
			break;
		}
		ret = watch_del(req->gpa);
		if (!ret)
			ret = sz_sync_all();
		break;
	default:
		ret = -EINVAL;
	}
	cpus_read_unlock();
	mutex_unlock(&sz_lock);
	return ret;
}

long sz_ioctl_watch_list(const void *in, void *out, u32 cpu)
{
	struct subzero_watch_list *l = out;
	unsigned int i;

	mutex_lock(&sz_lock);
	for (i = 0; i < WATCH_MAX; i++) {
		if (!watch_table[i].kind)
			continue;
		l->w[l->nr].gpa = watch_table[i].gpa;
		l->w[l->nr].access = watch_table[i].access;
		l->w[l->nr].kind = watch_table[i].kind;
		l->nr++;
	}
	mutex_unlock(&sz_lock);
	return 0;
}

long sz_ioctl_events(const void *in, void *out, u32 cpu)
{
	struct subzero_events *b = out;
	struct watch_event ev;
	struct vcpu *v;

	mutex_lock(&sz_lock);	/* the rings' one reader */
	v = sz_mem[cpu];
	sz_trace_events(cpu);	/* each event is traced before it is taken */
	if (v && v->events) {
		while (b->nr < SUBZERO_EVENTS_BATCH && watch_take(v->events, &ev)) {
			struct subzero_event *e = &b->ev[b->nr++];

			e->tsc = ev.tsc;
			e->gpa = ev.gpa;
			e->gla = ev.gla;
			e->rip = ev.rip;
			e->cpu = ev.cpu;
			e->access = ev.access;
			e->kind = ev.kind;
			e->flags = ev.flags;
		}
		b->dropped = watch_take_dropped(v->events);
	}
	mutex_unlock(&sz_lock);
	return 0;
}

struct sz_query_ctx {
	u64 gpa, leaf;
	unsigned int level;
	int ret;
};

static void sz_query_fn(void *arg)
{
	struct sz_query_ctx *c = arg;
	struct vcpu *v = sz_cpus[smp_processor_id()].vcpu;

	c->ret = v ? vmx_ept_query_this_cpu(v, c->gpa, &c->leaf, &c->level) : -ENXIO;
}

long sz_ioctl_ept_query(const void *in, void *out, u32 cpu)
{
	const struct subzero_ept_query *req = in;
	struct subzero_ept_query *q = out;
	struct sz_query_ctx c = { .gpa = req->gpa, .ret = -ENXIO };

	mutex_lock(&sz_lock);
	cpus_read_lock();
	if (cpu_online(cpu) && sz_cpus[cpu].vcpu)
		smp_call_function_single(cpu, sz_query_fn, &c, 1);
	cpus_read_unlock();
	mutex_unlock(&sz_lock);
	if (c.ret)
		return c.ret;
	q->gpa = c.gpa;
	q->leaf = c.leaf;
	q->hpa = ept_leaf_hpa(c.leaf, c.level, c.gpa);
	q->level = c.level;
	q->memtype = (c.leaf & EPT_MEMTYPE_MASK) >> EPT_MEMTYPE_SHIFT;
	q->perm = c.leaf & EPT_RWX;
	return 0;
}
