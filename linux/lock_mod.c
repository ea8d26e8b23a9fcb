// SPDX-License-Identifier: GPL-2.0
/*
 * The lock's module W^X (core/lock_mod.h), the Linux side: each live module's text,
 * read-only data and read-only-after-init data, turned into physical runs and handed
 * to root on every CPU; released when the module is unloaded.
 *
 *  - At lock time (sz_lock_mod_walk(), from sz_lock_all()) every module already live
 *    (MODULE_STATE_LIVE) but subzero itself; from then on a module notifier adds each
 *    module as it goes live (its init has run and the loader has set its text
 *    read/execute and its rodata read-only) and releases it at MODULE_STATE_GOING,
 *    which the loader announces before it frees the module's pages.
 *  - The layouts: up to 6.3 one allocation, mod->core_layout, with text, rodata and
 *    ro_after_init first and contiguous ([base, base + ro_after_init_size), page
 *    aligned with CONFIG_STRICT_MODULE_RWX, which the W^X needs); from 6.4 separate
 *    allocations, mod->mem[MOD_TEXT], [MOD_RODATA], [MOD_RO_AFTER_INIT].  Both are
 *    vmalloc'd: each page is translated (vmalloc_to_pfn()) and contiguous frames
 *    make one run.
 *  - A CPU coming back online may hold runs of modules unloaded while it was out,
 *    whose pages the allocator may have handed out again: before anything else runs
 *    on it (interrupts still off after its relaunch) it releases every run
 *    (LOCK_MOD_ALL), then adds the modules live now (sz_lock_mod_cpu()).  In
 *    between, this CPU alone runs without the modules' W^X.
 *
 * Locking: sz_mod_mutex guards the list; it is taken with the hotplug lock held
 * (for reading, or by the hotplug callback), never the other way round.
 */
#define pr_fmt(fmt) "subzero: " fmt

#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/io.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/vmalloc.h>

#include "sz.h"

/* At most this many calls (of LOCK_MOD_ARG_RUNS runs) per module. */
#define SZ_MOD_CHUNKS	4

struct sz_mod {
	struct list_head list;
	struct module *mod;
	char name[MODULE_NAME_LEN];
	u32 id;
	unsigned int nr_args, runs, pages;
	struct lock_mod_args *args[SZ_MOD_CHUNKS];	/* a page each (kmalloc), page aligned */
	cpumask_var_t cpus;		/* the CPUs whose root holds its runs */
};

static DEFINE_MUTEX(sz_mod_mutex);
static LIST_HEAD(sz_mods);
static u32 sz_mod_next_id;
static bool sz_mods_on;			/* the walk is done: the notifier adds modules */
static struct list_head *sz_modules;	/* the kernel's module list (kallsyms) */

static void sz_mod_free(struct sz_mod *m)
{
	unsigned int i;

	for (i = 0; i < m->nr_args; i++)
		kfree(m->args[i]);
	free_cpumask_var(m->cpus);
	kfree(m);
}

/* Is @va mapped page by page (modules' area, vmalloc)?  vmalloc_to_pfn() walks those. */
static bool sz_vmapped(unsigned long va)
{
#ifdef MODULES_VADDR
	if (va >= MODULES_VADDR && va < MODULES_END)
		return true;
#endif
	return is_vmalloc_addr((void *)va);
}

/* Append the pages of [base, base + size) to @m's runs. */
static int sz_mod_runs(struct sz_mod *m, unsigned long base, unsigned long size, gfp_t gfp)
{
	struct lock_mod_args *a = m->nr_args ? m->args[m->nr_args - 1] : NULL;
	unsigned long va, pfn;
	u64 pa;

	for (va = base; va < base + size; va += PAGE_SIZE) {
		if (!sz_vmapped(va))
			return -EFAULT;
		pfn = vmalloc_to_pfn((void *)va);
		if (!pfn)
			return -EFAULT;
		pa = PFN_PHYS(pfn);
		m->pages++;
		if (a && a->nr && a->run[a->nr - 1].start + a->run[a->nr - 1].pages * PAGE_SIZE == pa) {
			a->run[a->nr - 1].pages++;
			continue;
		}
		if (!a || a->nr == LOCK_MOD_ARG_RUNS) {
			if (m->nr_args == SZ_MOD_CHUNKS)
				return -E2BIG;
			a = kzalloc(PAGE_SIZE, gfp);	/* page aligned: root reads it in one page */
			if (!a)
				return -ENOMEM;
			a->magic = LOCK_MOD_ARGS_MAGIC;
			a->op = LOCK_MOD_ADD;
			a->id = m->id;
			m->args[m->nr_args++] = a;
		}
		a->run[a->nr++] = (struct lock_mod_arg_run){ .start = pa, .pages = 1 };
		m->runs++;
	}
	return 0;
}

/* A record of @mod's runs (0, or why not: then *out is NULL). */
static int sz_mod_build(struct module *mod, gfp_t gfp, struct sz_mod **out)
{
	struct sz_mod *m;
	int ret = 0;

	*out = NULL;
	m = kzalloc(sizeof(*m), gfp);
	if (!m)
		return -ENOMEM;
	if (!zalloc_cpumask_var(&m->cpus, gfp)) {
		kfree(m);
		return -ENOMEM;
	}
	m->mod = mod;
	strscpy(m->name, mod->name, sizeof(m->name));
	m->id = ++sz_mod_next_id ?: ++sz_mod_next_id;
#ifdef for_each_mod_mem_type
	{
		static const enum mod_mem_type types[] = {
			MOD_TEXT, MOD_RODATA, MOD_RO_AFTER_INIT,
		};
		unsigned int i;

		/* each its own allocation of whole pages */
		for (i = 0; i < ARRAY_SIZE(types) && !ret; i++)
			if (mod->mem[types[i]].size)
				ret = sz_mod_runs(m, (unsigned long)mod->mem[types[i]].base,
						  PAGE_ALIGN(mod->mem[types[i]].size), gfp);
	}
#else
	/* text, rodata, ro_after_init: the layout's first ro_after_init_size bytes */
	ret = sz_mod_runs(m, (unsigned long)mod->core_layout.base,
			  mod->core_layout.ro_after_init_size & PAGE_MASK, gfp);
#endif
	if (!ret && !m->runs)
		ret = -ENOENT;
	if (ret) {
		sz_mod_free(m);
		return ret;
	}
	*out = m;
	return 0;
}

struct sz_mod_call {
	struct sz_mod *m;
	atomic_t err;
};

/* On each CPU: hand root the module's runs (all its calls, or none stays). */
static void sz_mod_add_fn(void *arg)
{
	struct sz_mod_call *c = arg;
	unsigned int cpu = smp_processor_id(), i;
	struct vcpu *v = sz_cpus[cpu].vcpu;
	int ret = 0;

	if (!v || !READ_ONCE(v->lock_wx_on))
		return;		/* no W^X on this CPU: nothing to join (status says so) */
	for (i = 0; i < c->m->nr_args && !ret; i++)
		ret = vmx_lock_mod_this_cpu(v, virt_to_phys(c->m->args[i]));
	if (ret && i > 1)	/* a later call was refused: release the earlier ones */
		vmx_lock_mod_release_this_cpu(v, c->m->id);
	if (ret)
		atomic_cmpxchg(&c->err, 0, ret);
	else
		cpumask_set_cpu(cpu, c->m->cpus);
}

static void sz_mod_del_fn(void *arg)
{
	struct sz_mod *m = arg;
	unsigned int cpu = smp_processor_id();
	struct vcpu *v = sz_cpus[cpu].vcpu;
	int ret;

	if (!v || !cpumask_test_cpu(cpu, m->cpus))
		return;
	ret = vmx_lock_mod_release_this_cpu(v, m->id);
	if (ret)
		pr_err("CPU %u: releasing module %s's W^X failed: %d\n", cpu, m->name, ret);
	cpumask_clear_cpu(cpu, m->cpus);
}

/* Register @m on every online CPU, and keep it. */
static void sz_mod_register(struct sz_mod *m)
{
	struct sz_mod_call c = { .m = m, .err = ATOMIC_INIT(0) };
	struct vcpu *v;

	on_each_cpu(sz_mod_add_fn, &c, 1);
	/* one CPU's figure: every CPU takes about the same */
	v = cpumask_empty(m->cpus) ? NULL : sz_cpus[cpumask_first(m->cpus)].vcpu;
	if (atomic_read(&c.err))
		pr_warn("lock: module %s: text and read-only data W^X refused on %u of %u CPUs: %d (%u pages in %u runs)\n",
			m->name, num_online_cpus() - cpumask_weight(m->cpus), num_online_cpus(),
			atomic_read(&c.err), m->pages, m->runs);
	else
		pr_info("lock: module %s: text and read-only data W^X, %u pages in %u runs (modules' EPT tables now %u)\n",
			m->name, m->pages, m->runs, v ? READ_ONCE(v->lock_mod_tables) : 0);
	list_add_tail(&m->list, &sz_mods);
}

static struct sz_mod *sz_mod_find(struct module *mod)
{
	struct sz_mod *m;

	list_for_each_entry(m, &sz_mods, list)
		if (m->mod == mod)
			return m;
	return NULL;
}

static int sz_mod_notify(struct notifier_block *nb, unsigned long state, void *data)
{
	struct module *mod = data;
	struct sz_mod *m;
	int ret;

	if (mod == THIS_MODULE ||
	    (state != MODULE_STATE_LIVE && state != MODULE_STATE_GOING))
		return NOTIFY_DONE;
	cpus_read_lock();
	mutex_lock(&sz_mod_mutex);
	m = sz_mod_find(mod);
	if (state == MODULE_STATE_LIVE && sz_mods_on && !m) {
		ret = sz_mod_build(mod, GFP_KERNEL, &m);
		if (ret)
			pr_warn("lock: module %s: not W^X: %d\n", mod->name, ret);
		else
			sz_mod_register(m);
	} else if (state == MODULE_STATE_GOING && m) {
		/* a loosening, for module runs only (core/lock_mod.h): root records it */
		on_each_cpu(sz_mod_del_fn, m, 1);
		pr_info("lock: module %s unloading: its W^X released (%u pages)\n", m->name,
			m->pages);
		list_del(&m->list);
		sz_mod_free(m);
	}
	mutex_unlock(&sz_mod_mutex);
	cpus_read_unlock();
	return NOTIFY_DONE;
}

static struct notifier_block sz_mod_nb = {
	.notifier_call = sz_mod_notify,
};

/*
 * Before the lock is taken, without sz_lock or the hotplug lock (registering a
 * notifier waits for running ones, which take the hotplug lock): find the module
 * list and start listening.  Once; never unregistered (a locked module stays).
 */
void sz_lock_mod_prepare(void)
{
	static bool done;
	int ret;

	if (done || !sz_lock_wx_pa)
		return;
	if (!IS_ENABLED(CONFIG_STRICT_MODULE_RWX)) {
		pr_warn("lock: no CONFIG_STRICT_MODULE_RWX: modules' text is not W^X\n");
		return;
	}
	sz_modules = (struct list_head *)sz_kallsyms("modules");
	if (!sz_modules) {
		pr_warn("lock: no module list: modules' text is not W^X\n");
		return;
	}
	ret = register_module_notifier(&sz_mod_nb);
	if (ret) {
		pr_warn("lock: no module notifier (%d): modules' text is not W^X\n", ret);
		return;
	}
	done = true;
}

/*
 * After the lock, with the hotplug lock held: add every module live now, and let the
 * notifier add those that go live later.  Under RCU the records are built (no sleep:
 * GFP_ATOMIC), then handed to root; a module going away meanwhile waits in its GOING
 * notifier for sz_mod_mutex, so it is released after it is added.
 */
void sz_lock_mod_walk(void)
{
	struct sz_mod *m, *tmp;
	struct module *mod;
	LIST_HEAD(found);
	unsigned int cpu, wx = 0, n = 0;
	bool self = false;
	int ret;

	if (!sz_modules)
		return;
	for_each_online_cpu(cpu)
		wx += sz_cpus[cpu].vcpu && READ_ONCE(sz_cpus[cpu].vcpu->lock_wx_on);
	mutex_lock(&sz_mod_mutex);
	if (sz_mods_on || !wx) {
		if (!wx)
			pr_warn("lock: no CPU holds the kernel text W^X: modules' text is not W^X either\n");
		goto out;
	}
	rcu_read_lock();
	list_for_each_entry_rcu(mod, sz_modules, list) {
		self |= mod == THIS_MODULE;
		if (mod == THIS_MODULE || READ_ONCE(mod->state) != MODULE_STATE_LIVE)
			continue;
		ret = sz_mod_build(mod, GFP_ATOMIC, &m);
		if (ret) {
			pr_warn("lock: module %s: not W^X: %d\n", mod->name, ret);
			continue;
		}
		list_add_tail(&m->list, &found);
	}
	rcu_read_unlock();
	list_for_each_entry_safe(m, tmp, &found, list) {
		list_del(&m->list);
		/* "modules" was the module list if subzero was on it */
		if (!self) {
			sz_mod_free(m);
			continue;
		}
		sz_mod_register(m);
		n++;
	}
	if (!self) {
		pr_warn("lock: the kernel symbol \"modules\" is not the module list: modules' text is not W^X\n");
		goto out;
	}
	sz_mods_on = true;
	pr_info("lock: %u modules live at lock time registered; modules going live later follow\n", n);
out:
	mutex_unlock(&sz_mod_mutex);
}

/*
 * A CPU just (re)launched, interrupts off, before anything else runs on it: drop
 * every module run its root may still hold (see the top of this file).
 */
void sz_lock_mod_cpu_reset(struct vcpu *v)
{
	if (READ_ONCE(sz_mods_on) && READ_ONCE(v->lock_wx_on))
		vmx_lock_mod_release_this_cpu(v, LOCK_MOD_ALL);
}

/* Then, locked, on the CPU itself (its hotplug callback): add the modules live now. */
void sz_lock_mod_cpu(unsigned int cpu)
{
	struct sz_mod_call c = { .err = ATOMIC_INIT(0) };
	struct vcpu *v = sz_cpus[cpu].vcpu;
	unsigned int refused = 0;

	if (!v || !READ_ONCE(v->lock_wx_on))
		return;
	mutex_lock(&sz_mod_mutex);
	list_for_each_entry(c.m, &sz_mods, list) {
		cpumask_clear_cpu(cpu, c.m->cpus);
		local_irq_disable();
		sz_mod_add_fn(&c);
		local_irq_enable();
		refused += !cpumask_test_cpu(cpu, c.m->cpus);
	}
	mutex_unlock(&sz_mod_mutex);
	if (refused)
		pr_warn("CPU %u: %u modules' W^X refused coming online: %d\n", cpu, refused,
			atomic_read(&c.err));
}
