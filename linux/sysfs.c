// SPDX-License-Identifier: GPL-2.0
/*
 * Each CPU's state in sysfs, for scripts and monitoring that read files rather than
 * call /dev/subzero: /sys/module/subzero/cpus/cpuN/, one value per file,
 *
 *   online virtualized vpid exits root_tsc launch_tsc ept_pages
 *   lock_mod_runs lock_mod_pages lock_mod_tables lock_mod_released lock_mod_refused
 *
 * the numbers SUBZERO_IOC_CPU_STATS gives (`subzero status`), read under the same
 * locks, and the lock's module W^X (core/lock_mod.h): runs and pages registered now,
 * the EPT table pages they take, runs released (unloads), hypercalls refused.  A directory for every possible CPU, from load to unload.
 */
#include <linux/cpu.h>
#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#include "sz.h"

enum sz_attr_id {
	SZ_ATTR_ONLINE,
	SZ_ATTR_VIRTUALIZED,
	SZ_ATTR_VPID,
	SZ_ATTR_EXITS,
	SZ_ATTR_ROOT_TSC,
	SZ_ATTR_LAUNCH_TSC,
	SZ_ATTR_EPT_PAGES,
	SZ_ATTR_LOCK_MOD_RUNS,
	SZ_ATTR_LOCK_MOD_PAGES,
	SZ_ATTR_LOCK_MOD_TABLES,
	SZ_ATTR_LOCK_MOD_RELEASED,
	SZ_ATTR_LOCK_MOD_REFUSED,
};

struct sz_attr {
	struct attribute attr;
	enum sz_attr_id id;
};

struct sz_cpu_kobj {
	struct kobject kobj;
	unsigned int cpu;
};

static struct kobject *sz_cpus_kobj;
static struct sz_cpu_kobj **sz_cpu_kobjs;

static u64 sz_cpu_value(unsigned int cpu, enum sz_attr_id id)
{
	struct vcpu *v = sz_cpus[cpu].vcpu;
	u64 n;
	u32 i;

	switch (id) {
	case SZ_ATTR_ONLINE:
		return cpu_online(cpu);
	case SZ_ATTR_VIRTUALIZED:
		return !!v;
	default:
		break;
	}
	if (!v)
		return 0;
	switch (id) {
	case SZ_ATTR_VPID:
		return v->vpid;
	case SZ_ATTR_EXITS:
		/* Counters the CPU bumps in root as we read: each is one aligned load. */
		n = READ_ONCE(v->exits_other);
		for (i = 0; i < EXIT_REASON_MAX; i++)
			n += READ_ONCE(v->exits[i]);
		return n;
	case SZ_ATTR_ROOT_TSC:
		return READ_ONCE(v->root_tsc);
	case SZ_ATTR_LAUNCH_TSC:
		return v->launch_tsc;
	case SZ_ATTR_EPT_PAGES:
		/* root's published figure: the EPT itself is hidden (core/seal.h) */
		return v->ept_on ? READ_ONCE(v->ept_pages_used) : 0;
	case SZ_ATTR_LOCK_MOD_RUNS:
		return READ_ONCE(v->lock_mod_runs);
	case SZ_ATTR_LOCK_MOD_PAGES:
		return READ_ONCE(v->lock_mod_pages);
	case SZ_ATTR_LOCK_MOD_TABLES:
		return READ_ONCE(v->lock_mod_tables);
	case SZ_ATTR_LOCK_MOD_RELEASED:
		return READ_ONCE(v->lock_mod_released);
	case SZ_ATTR_LOCK_MOD_REFUSED:
		return READ_ONCE(v->lock_mod_refused);
	default:
		return 0;
	}
}

static ssize_t sz_cpu_show(struct kobject *kobj, struct attribute *attr, char *buf)
{
	unsigned int cpu = container_of(kobj, struct sz_cpu_kobj, kobj)->cpu;
	enum sz_attr_id id = container_of(attr, struct sz_attr, attr)->id;
	u64 val;

	/* sz.h's order: sz_lock, then the hotplug lock (the vcpu pointer stays put). */
	mutex_lock(&sz_lock);
	cpus_read_lock();
	val = sz_cpu_value(cpu, id);
	cpus_read_unlock();
	mutex_unlock(&sz_lock);
	return sysfs_emit(buf, "%llu\n", val);
}

#define SZ_ATTR(file, ID) \
	static struct sz_attr sz_attr_##file = { { .name = #file, .mode = 0444 }, ID }

SZ_ATTR(online, SZ_ATTR_ONLINE);
SZ_ATTR(virtualized, SZ_ATTR_VIRTUALIZED);
SZ_ATTR(vpid, SZ_ATTR_VPID);
SZ_ATTR(exits, SZ_ATTR_EXITS);
SZ_ATTR(root_tsc, SZ_ATTR_ROOT_TSC);
SZ_ATTR(launch_tsc, SZ_ATTR_LAUNCH_TSC);
SZ_ATTR(ept_pages, SZ_ATTR_EPT_PAGES);
SZ_ATTR(lock_mod_runs, SZ_ATTR_LOCK_MOD_RUNS);
SZ_ATTR(lock_mod_pages, SZ_ATTR_LOCK_MOD_PAGES);
SZ_ATTR(lock_mod_tables, SZ_ATTR_LOCK_MOD_TABLES);
SZ_ATTR(lock_mod_released, SZ_ATTR_LOCK_MOD_RELEASED);
SZ_ATTR(lock_mod_refused, SZ_ATTR_LOCK_MOD_REFUSED);

static struct attribute *sz_cpu_attrs[] = {
	&sz_attr_online.attr,
	&sz_attr_virtualized.attr,
	&sz_attr_vpid.attr,
	&sz_attr_exits.attr,
	&sz_attr_root_tsc.attr,
	&sz_attr_launch_tsc.attr,
	&sz_attr_ept_pages.attr,
	&sz_attr_lock_mod_runs.attr,
	&sz_attr_lock_mod_pages.attr,
	&sz_attr_lock_mod_tables.attr,
	&sz_attr_lock_mod_released.attr,
	&sz_attr_lock_mod_refused.attr,
	NULL,
};
ATTRIBUTE_GROUPS(sz_cpu);

static const struct sysfs_ops sz_cpu_sysfs_ops = {
	.show = sz_cpu_show,
};

static void sz_cpu_release(struct kobject *kobj)
{
	kfree(container_of(kobj, struct sz_cpu_kobj, kobj));
}

static const struct kobj_type sz_cpu_ktype = {
	.sysfs_ops = &sz_cpu_sysfs_ops,
	.release = sz_cpu_release,
	.default_groups = sz_cpu_groups,
};

void sz_sysfs_exit(void)
{
	unsigned int cpu;

	if (sz_cpu_kobjs) {
		for_each_possible_cpu(cpu)
			if (sz_cpu_kobjs[cpu])
				kobject_put(&sz_cpu_kobjs[cpu]->kobj);
		kfree(sz_cpu_kobjs);
		sz_cpu_kobjs = NULL;
	}
	kobject_put(sz_cpus_kobj);
	sz_cpus_kobj = NULL;
}

/* Not with sz_lock held: a reader of these files takes it, and removal waits for them. */
int sz_sysfs_init(void)
{
	struct sz_cpu_kobj *k;
	unsigned int cpu;
	int ret;

	sz_cpus_kobj = kobject_create_and_add("cpus", &THIS_MODULE->mkobj.kobj);
	if (!sz_cpus_kobj)
		return -ENOMEM;
	sz_cpu_kobjs = kcalloc(nr_cpu_ids, sizeof(*sz_cpu_kobjs), GFP_KERNEL);
	if (!sz_cpu_kobjs)
		goto err;
	for_each_possible_cpu(cpu) {
		k = kzalloc(sizeof(*k), GFP_KERNEL);
		if (!k)
			goto err;
		k->cpu = cpu;
		ret = kobject_init_and_add(&k->kobj, &sz_cpu_ktype, sz_cpus_kobj, "cpu%u", cpu);
		if (ret) {
			kobject_put(&k->kobj);	/* frees k */
			goto err;
		}
		sz_cpu_kobjs[cpu] = k;
	}
	return 0;
err:
	sz_sysfs_exit();
	return -ENOMEM;
}
