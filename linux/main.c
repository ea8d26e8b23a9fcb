// SPDX-License-Identifier: GPL-2.0
/*
 * subzero: the Linux module's life.  Load (read and compare every CPU's VMX
 * capabilities, set up the hypervisor's memory through mem.c, virtualize every CPU),
 * unload, CPU hotplug, attach/detach through the same hotplug state, and the lock
 * (lock=1 or SUBZERO_IOC_LOCK).  /dev/subzero is ioctl.c and ioctl_watch.c, the log
 * drain logdrain.c, /sys/module/subzero/cpus sysfs.c, reboot/kexec/suspend
 * lifecycle.c; every policy is core/'s.
 */
#define pr_fmt(fmt) "subzero: " fmt

#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/sched.h>
#include <asm/desc.h>

#include "../core/os.h"
#include "../core/vmx_decode.h"
#include "os_linux.h"
#include "sz.h"
#include "lifecycle.h"

#ifdef SZ_TEST_HOOKS
/* Test builds only (Kbuild: SZ_TEST_HOOKS=1): `modinfo` of a production build lists none. */
static int fail_on_cpu = -1;
module_param(fail_on_cpu, int, 0644);
MODULE_PARM_DESC(fail_on_cpu, "test only: make virtualizing this CPU fail (-1: none); read at load and at attach");
static bool test_hooks;
module_param(test_hooks, bool, 0444);
MODULE_PARM_DESC(test_hooks, "test only: allow the test hypercalls (staying in VMX root)");
#endif
static bool lock;
module_param(lock, bool, 0444);
MODULE_PARM_DESC(lock, "take the lock (subzero lock) at load: one way, until reboot");
static bool entry_checks;
module_param(entry_checks, bool, 0444);
MODULE_PARM_DESC(entry_checks, "run the VM-entry checker before every VM entry, in VMX root (broken rules are logged and counted)");

struct sz_cpu *sz_cpus;
struct vcpu **sz_mem;
static void *sz_msr_bitmap;
static u64 sz_msr_bitmap_pa;
static enum cpuhp_state sz_hp_state;
static struct vmx_caps sz_config;	/* what every CPU must match */
DEFINE_MUTEX(sz_lock);			/* see sz.h */
bool sz_attached;
bool sz_locked;


/* Every exit a vcpu counted since its launch, for the line at devirtualization. */
static u64 sz_exit_total(const struct vcpu *v)
{
	u64 n = v->exits_other;
	unsigned int i;

	for (i = 0; i < EXIT_REASON_MAX; i++)
		n += v->exits[i];
	return n;
}

/*
 * The GDT base this CPU loads besides the one loaded now, for the lock to allow too:
 * Linux keeps GDTR at the read-only fixmap alias (get_cpu_gdt_ro()) and loads the
 * per-CPU writable GDT (get_cpu_gdt_rw()) only around LTR (force_reload_TR():
 * load_direct_gdt(), LTR, load_fixmap_gdt()); resume (restore_processor_state())
 * loads the GDTR saved at suspend, one of the two.  From subzero's own code at lock
 * time, before which nothing is enforced anyway.  Interrupts off.
 */
static u64 sz_gdt_alt(unsigned int cpu)
{
	u64 rw = (u64)get_cpu_gdt_rw(cpu), ro = (u64)get_cpu_gdt_ro(cpu);
	struct desc_ptr cur;

	native_store_gdt(&cur);
	return cur.address == rw ? ro : rw;
}

/*
 * CPU hotplug "online" callback, run on the CPU itself: also how every CPU is
 * virtualized at load (cpuhp_setup_state calls it for each online CPU, and undoes the
 * ones done if any fails: the load is all or nothing).
 */
static int sz_cpu_online(unsigned int cpu)
{
	struct vmx_caps caps;
	const char *field;
	struct vcpu *v;
	int ret, stale = 0;

	/* Still virtualized: a devirtualization that failed at detach left it so. */
	if (sz_cpus[cpu].vcpu)
		return 0;
	/* The machine is going down (lifecycle.c): VMX stays off. */
	if (READ_ONCE(sz_going_down))
		return 0;
	/* A CPU that came online after load must match the others too. */
	ret = vmx_caps_read(&caps);
	if (ret || vmx_caps_compare(&sz_config, &caps, &field)) {
		pr_err("CPU %u: VMX capabilities %s: not virtualizing it\n", cpu,
		       ret ? "missing" : "differ from the other CPUs'");
		return ret ?: -EINVAL;
	}
	v = sz_mem[cpu];
	if (!v)
		return -ENOMEM;
	v->devirt = false;
	local_irq_disable();
	ret = vmx_virtualize_this_cpu(v);
	/* The watch table may have changed while this CPU was out. */
	if (!ret && v->ept_on)		/* read-only for us: the rest is hidden now */
		vmx_watch_sync_this_cpu(v);
	/* ...and modules unloaded, whose freed pages may be in use again (lock_mod.c) */
	if (!ret) {
		stale = sz_lock_mod_cpu_reset(v, cpu);
		sz_lock_exec_cpu_reset(cpu);	/* ...and so the executable grants */
	}
	local_irq_enable();
	if (stale > 0)
		pr_info("CPU %u: dropped %d modules and executable grants released while it was offline\n",
			cpu, stale);
	sz_drain(v);
	if (ret) {
		pr_err("CPU %u: not virtualized: %d\n", cpu, ret);
		return ret;
	}
	sz_cpus[cpu].vcpu = v;
	/*
	 * A CPU locked before comes back locked by root itself (lock_relaunch()); one
	 * that was offline when the lock was taken is locked now.
	 */
	if (READ_ONCE(sz_locked) && !v->lock_on) {
		local_irq_disable();
		ret = vmx_lock_this_cpu(v, sz_lock_wx_pa, sz_gdt_alt(cpu));
		local_irq_enable();
		if (!v->lock_on)
			pr_err("CPU %u: the lock was refused: %d\n", cpu, ret);
		else if (ret)
			pr_err("CPU %u: locked, but the hypervisor refused the kernel text W^X arguments (%d): kernel text, rodata and modules are not write-protected on it; the rest of the lock holds\n",
			       cpu, ret);
	}
	if (READ_ONCE(sz_locked)) {
		sz_lock_mod_cpu(cpu);
		sz_lock_exec_cpu(cpu);
		sz_lock_kexec_cpu(cpu);	/* then, and only then, execution restricted */
	}
	return 0;
}

/* CPU hotplug "offline" callback (and unload): leave VMX on this CPU first. */
static int sz_cpu_offline(unsigned int cpu)
{
	struct vcpu *v = sz_cpus[cpu].vcpu;
	int ret;

	if (!v)
		return 0;
	/*
	 * Going offline (no longer active: the scheduler left it) or the machine going
	 * down (lifecycle.c) are the reasons the lock lets a CPU leave VMX; detach and
	 * unload run this on active CPUs.
	 */
	local_irq_disable();
	ret = vmx_devirtualize_this_cpu(v, !cpu_active(cpu) || READ_ONCE(sz_going_down));
	if (!ret)
		invalidate_tss_limit();	/* the VM exit left TR's limit at 0x67 */
	local_irq_enable();
	sz_drain(v);
	if (ret) {
		pr_err("CPU %u: could not leave VMX: %d\n", cpu, ret);
		return ret;
	}
	pr_info("CPU %u: devirtualized after %llu exits; NMIs: %llu arrived in root, %llu injected\n",
		cpu, sz_exit_total(v), v->nmis_in_root, v->nmis_injected);
	if (entry_checks)
		pr_info("CPU %u: VM-entry checks: %llu entries checked, %llu broke a rule\n",
			cpu, v->entry.checks, v->entry.bad_entries);
	sz_cpus[cpu].vcpu = NULL;
	return 0;
}

static void sz_read_caps(void *unused)
{
	struct sz_cpu *c = &sz_cpus[smp_processor_id()];

	c->read_err = vmx_caps_read(&c->caps);
	c->have_caps = true;
}

/*
 * Read every online CPU's VMX capabilities and check that they agree (STYLE.md: one
 * config, every CPU must match it).  Refuse with one clear line if VMX is missing.
 */
static int sz_caps_init(void)
{
	unsigned int cpu, first, missing = 0;
	const char *field;
	int ret = 0;

	cpus_read_lock();
	on_each_cpu(sz_read_caps, NULL, 1);
	first = cpumask_first(cpu_online_mask);
	for_each_online_cpu(cpu)
		if (sz_cpus[cpu].read_err)
			missing++;
	if (missing) {
		pr_err("no VMX on %u of %u CPUs (CPUID.1:ECX.VMX = 0): not loading\n",
		       missing, num_online_cpus());
		ret = -ENODEV;
		goto out;
	}
	for_each_online_cpu(cpu) {
		if (vmx_caps_compare(&sz_cpus[first].caps, &sz_cpus[cpu].caps, &field)) {
			pr_err("CPU %u and CPU %u disagree on VMX capability %s: not loading\n",
			       first, cpu, field);
			ret = -EINVAL;
			goto out;
		}
	}
out:
	cpus_read_unlock();
	return ret;
}

/*
 * Virtualize every online CPU through the hotplug state, whose callbacks do the work
 * and whose installation is all or nothing (cpuhp_setup_state() undoes the CPUs done
 * if one fails).  Holds the hotplug lock throughout; with the state installed, CPUs
 * coming online are virtualized, and without it (detached) they are not.
 */
static int sz_attach_locked(void)
{
	int ret;

	lockdep_assert_held(&sz_lock);
#ifdef SZ_TEST_HOOKS
	vmx_fail_on_cpu = fail_on_cpu;
#endif
	ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "subzero:online", sz_cpu_online,
				sz_cpu_offline);
	if (ret < 0)
		return ret;
	sz_hp_state = ret;
	sz_attached = true;
	return 0;
}

/* What sz_lock_fn() met: the first error of a CPU left unlocked, and of a W^X refused. */
struct sz_lock_result {
	atomic_t err, wx_err;
	atomic_t wx_cpus;		/* CPUs whose W^X was refused */
};

static void sz_lock_fn(void *arg)
{
	struct vcpu *v = sz_cpus[smp_processor_id()].vcpu;
	struct sz_lock_result *r = arg;
	int ret;

	ret = v ? vmx_lock_this_cpu(v, sz_lock_wx_pa,
					  sz_gdt_alt(smp_processor_id())) : -ENXIO;
	/*
	 * Root takes the lock (lock_engage()) before it checks the W^X arguments
	 * (lock_wx_engage()), whose answer ret is: a locked CPU with an error holds
	 * the rest of the lock without the W^X.
	 */
	if (v && v->lock_on && ret) {
		atomic_cmpxchg(&r->wx_err, 0, ret);
		atomic_inc(&r->wx_cpus);
	} else if (!v || !v->lock_on) {
		atomic_cmpxchg(&r->err, 0, ret ?: -EIO);
	}
}

/*
 * Take the lock on every online CPU (and, through sz_locked, every CPU that comes
 * online later): one way.  The module can no longer be unloaded (a reference held for
 * good), detach and removing a watch or protection are refused, and root refuses
 * the rest (core/lock.h).  *changed: it was not locked before.
 */
int sz_lock_all(bool *changed, unsigned int *nr_locked)
{
	struct sz_lock_result r = {
		.err = ATOMIC_INIT(0), .wx_err = ATOMIC_INIT(0), .wx_cpus = ATOMIC_INIT(0),
	};
	unsigned int cpu, wx = 0;

	/* before any lock: it registers a kprobe (lock_wx.c); once, kept for CPUs to come */
	sz_lock_wx_prepare();
	/* ...and a module notifier (lock_mod.c), and kprobes for executable memory (lock_exec.c) */
	sz_lock_mod_prepare();
	sz_lock_exec_prepare();
	mutex_lock(&sz_lock);
	cpus_read_lock();
	if (!sz_attached) {
		cpus_read_unlock();
		mutex_unlock(&sz_lock);
		pr_err("lock: detached (no CPU is virtualized): attach first\n");
		return -ENXIO;
	}
	if (!sz_locked) {
		__module_get(THIS_MODULE);	/* never put: rmmod says "in use" */
		WRITE_ONCE(sz_locked, true);
		*changed = true;
	}
	on_each_cpu(sz_lock_fn, &r, 1);
	*nr_locked = 0;
	for_each_online_cpu(cpu) {
		*nr_locked += sz_cpus[cpu].vcpu && sz_cpus[cpu].vcpu->lock_on;
		wx += sz_cpus[cpu].vcpu && sz_cpus[cpu].vcpu->lock_wx_on;
	}
	if (*changed)
		pr_info("locked on %u CPUs until reboot: no unload, no detach, pinned CR bits and system-call MSRs held%s\n",
			*nr_locked, !wx ? "; kernel text W^X off" : wx < *nr_locked ?
			"; kernel text W^X on some CPUs only" : ", kernel text and rodata W^X");
	/* Say exactly what happened: the lock is taken, the W^X is not (sz_lock_fn()). */
	if (atomic_read(&r.wx_err))
		pr_err("locked, but the hypervisor refused the kernel text W^X arguments on %d CPUs (%d): kernel text, rodata and modules are not write-protected there; the rest of the lock holds\n",
		       atomic_read(&r.wx_cpus), atomic_read(&r.wx_err));
	sz_lock_mod_walk();
	sz_lock_exec_walk();
	sz_lock_kexec_all();
	cpus_read_unlock();
	mutex_unlock(&sz_lock);
	sz_lock_exec_finish();
	return atomic_read(&r.err);
}

static void sz_detach_locked(void)
{
	lockdep_assert_held(&sz_lock);
	cpuhp_remove_state(sz_hp_state);
	sz_attached = false;
}

static unsigned int sz_nr_virtualized(void)
{
	unsigned int cpu, n = 0;

	for_each_possible_cpu(cpu)
		n += sz_cpus[cpu].vcpu != NULL;
	return n;
}

int sz_set_attached(bool attach, bool *changed, unsigned int *nr_virtualized)
{
	int ret = 0;

	mutex_lock(&sz_lock);
	if (attach && READ_ONCE(sz_going_down)) {
		ret = -ESHUTDOWN;	/* lifecycle.c: the machine is going down */
	} else if (attach && !sz_attached) {
		ret = sz_attach_locked();
		if (ret)
			pr_err("attach: virtualizing the CPUs failed (%d); every CPU is back as it was (detached)\n",
			       ret);
		else
			*changed = true;
	} else if (!attach && sz_attached && sz_locked && !READ_ONCE(sz_going_down)) {
		pr_warn("detach refused: subzero is locked until reboot\n");
		ret = -EPERM;
	} else if (!attach && sz_attached) {
		sz_detach_locked();
		*changed = true;
	}
	cpus_read_lock();
	*nr_virtualized = sz_nr_virtualized();
	cpus_read_unlock();
	if (!ret && *changed)
		pr_info("%s: %u CPUs virtualized\n", attach ? "attached" : "detached",
			*nr_virtualized);
	/* A CPU whose devirtualizing hypercall failed is still in VMX: say so. */
	if (!ret && !attach && *nr_virtualized)
		ret = -EIO;
	mutex_unlock(&sz_lock);
	return ret;
}

static int __init sz_init(void)
{
	int ret;

	sz_cpus = kcalloc(nr_cpu_ids, sizeof(*sz_cpus), GFP_KERNEL);
	sz_mem = kcalloc(nr_cpu_ids, sizeof(*sz_mem), GFP_KERNEL);
	if (!sz_cpus || !sz_mem) {
		ret = -ENOMEM;
		goto err_free;
	}
	ret = sz_caps_init();
	if (ret)
		goto err_free;
	sz_config = sz_cpus[cpumask_first(cpu_online_mask)].caps;
#ifdef SZ_TEST_HOOKS
	vmx_test_hooks = test_hooks;
#endif
	entry_checks_on = entry_checks;
	ret = os_linux_init();
	if (ret)
		goto err_free;
	sz_msr_bitmap = os_alloc_pages(0, &sz_msr_bitmap_pa);
	if (!sz_msr_bitmap) {
		ret = -ENOMEM;
		goto err_os;
	}
	vmx_msr_bitmap_init(sz_msr_bitmap, sz_msr_bitmap_pa);
	ret = sz_text_setup();
	/* the RAM map: root's page tables map its direct map; EPT checks watches by it */
	if (!ret)
		ret = sz_ram_setup();
	if (!ret)
		ret = sz_ept_setup(&sz_config);
	if (!ret)
		ret = sz_alloc_all(&sz_config, sz_msr_bitmap_pa);
	if (ret)
		goto err_bitmap;

	sz_lifecycle_register();
	mutex_lock(&sz_lock);
	ret = sz_attach_locked();
	mutex_unlock(&sz_lock);
	if (ret) {
		pr_err("not loading: virtualizing the CPUs failed (%d); every CPU is back as it was\n",
		       ret);
		goto err_lifecycle;
	}
	ret = sz_dev_register();
	if (ret) {
		pr_err("cannot register /dev/subzero: %d\n", ret);
		goto err_hp;
	}
	ret = sz_sysfs_init();
	if (ret) {
		pr_err("cannot create /sys/module/subzero/cpus: %d\n", ret);
		goto err_dev;
	}
	sz_drain_start();
	pr_info("loaded: VMX revision %#x on %u CPUs, all virtualized\n",
		vmx_caps_revision_id(&sz_config), num_online_cpus());
	if (lock) {
		bool changed = false;
		unsigned int n;

		/* Loaded either way: a CPU the lock failed on says so in the log. */
		if (sz_lock_all(&changed, &n))
			pr_err("lock=1: the lock was not taken on every CPU\n");
	}
	return 0;

err_dev:
	sz_dev_unregister();
err_hp:
	mutex_lock(&sz_lock);
	sz_detach_locked();
	mutex_unlock(&sz_lock);
err_lifecycle:
	sz_lifecycle_unregister();
	sz_free_all();
err_bitmap:
	os_free_pages(sz_msr_bitmap, 0);
err_os:
	os_linux_exit();
err_free:
	kfree(sz_mem);
	kfree(sz_cpus);
	sz_mem = NULL;
	sz_cpus = NULL;
	return ret;
}

static void __exit sz_exit(void)
{
	/*
	 * Locked, the module holds a reference to itself, so only a forced unload
	 * (rmmod -f, CONFIG_MODULE_FORCE_UNLOAD) gets here.  Going on would free the
	 * hypervisor's code and memory under CPUs that stay in VMX (root refuses to
	 * devirtualize them): never return instead.  The rmmod sleeps until reboot.
	 */
	if (READ_ONCE(sz_locked)) {
		pr_err("locked: a forced unload was refused; this rmmod will not return\n");
		for (;;)
			schedule_timeout_idle(MAX_SCHEDULE_TIMEOUT);	/* TASK_IDLE: no hung-task report */
	}
	sz_sysfs_exit();
	sz_dev_unregister();
	sz_drain_stop();
	mutex_lock(&sz_lock);
	if (sz_attached)
		sz_detach_locked();
	mutex_unlock(&sz_lock);
	sz_lifecycle_unregister();
	sz_free_all();
	memset(watch_table, 0, sizeof(watch_table));
	os_free_pages(sz_msr_bitmap, 0);
	os_linux_exit();
	kfree(sz_mem);
	kfree(sz_cpus);
	pr_info("unloaded; %ld allocations outstanding\n", os_alloc_count());
}

module_init(sz_init);
module_exit(sz_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("subzero: a thin VT-x hypervisor under the running kernel");
MODULE_VERSION("0.2");	/* the tool's is SUBZERO_TOOL_VERSION (tools/subzero.h) */
