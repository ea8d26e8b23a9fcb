// SPDX-License-Identifier: GPL-2.0
/*
 * subzero: Linux module glue.  Module init/exit, the per-CPU calls into core/, and the
 * /dev/subzero misc device.  This is the only place that includes Linux headers.
 */
#define pr_fmt(fmt) "subzero: " fmt

#include <linux/capability.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/nospec.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/uaccess.h>

#include <linux/workqueue.h>
#include <asm/desc.h>

#include "../core/os.h"
#include "os_linux.h"
#include "../core/vmx.h"
#include "../core/vmx_caps.h"
#include "../core/vmx_decode.h"
#include "../include/uapi/subzero.h"

static int fail_on_cpu = -1;
module_param(fail_on_cpu, int, 0444);
MODULE_PARM_DESC(fail_on_cpu, "test only: make virtualizing this CPU fail (-1: none)");
static bool test_hooks;
module_param(test_hooks, bool, 0444);
MODULE_PARM_DESC(test_hooks, "test only: allow the test hypercalls (staying in VMX root)");

/* Per-CPU capabilities as read at load; a CPU offline then has have_caps clear. */
struct sz_cpu {
	struct vmx_caps caps;
	int read_err;
	bool have_caps;
	struct vcpu *vcpu;	/* while the CPU is virtualized */
};

static struct sz_cpu *sz_cpus;
static void *sz_msr_bitmap;
static u64 sz_msr_bitmap_pa;
static void *sz_host_idt;
static u64 sz_host_idt_pa;
static enum cpuhp_state sz_hp_state;
static struct vmx_caps sz_config;	/* what every CPU must match */

/* Move a vcpu's log ring (written in VMX root) into the kernel log. */
static void sz_drain(struct vcpu *v)
{
	char line[LOG_LINE];

	while (log_take(&v->log, line))
		pr_info("%s\n", line);
	if (v->log.dropped) {
		pr_warn("CPU %u: %u log lines dropped (ring full)\n", v->cpu, v->log.dropped);
		v->log.dropped = 0;
	}
}

/* Each ring has one reader at a time: the drain work or an ioctl (see sz_ioctl). */
static DEFINE_MUTEX(sz_drain_lock);

static void sz_drain_all(void)
{
	unsigned int cpu;

	mutex_lock(&sz_drain_lock);
	for_each_possible_cpu(cpu)
		if (sz_cpus[cpu].vcpu)
			sz_drain(sz_cpus[cpu].vcpu);
	mutex_unlock(&sz_drain_lock);
}

static void sz_drain_work_fn(struct work_struct *w);
static DECLARE_DELAYED_WORK(sz_drain_work, sz_drain_work_fn);

static void sz_drain_work_fn(struct work_struct *w)
{
	cpus_read_lock();
	sz_drain_all();
	cpus_read_unlock();
	queue_delayed_work(system_unbound_wq, &sz_drain_work, HZ / 5);
}

/*
 * CPU hotplug "online" callback, run on the CPU itself: also how every CPU is
 * virtualized at load (cpuhp_setup_state calls it for each online CPU, and undoes the
 * ones done if any fails: the load is all or nothing).
 */
static u64 sz_exit_total(const struct vcpu *v)
{
	u64 n = v->exits_other;
	unsigned int i;

	for (i = 0; i < EXIT_REASON_MAX; i++)
		n += v->exits[i];
	return n;
}

static int sz_cpu_online(unsigned int cpu)
{
	struct vmx_caps caps;
	const char *field;
	struct vcpu *v;
	int ret;

	/* A CPU that came online after load must match the others too. */
	ret = vmx_caps_read(&caps);
	if (ret || vmx_caps_compare(&sz_config, &caps, &field)) {
		pr_err("CPU %u: VMX capabilities %s: not virtualizing it\n", cpu,
		       ret ? "missing" : "differ from the other CPUs'");
		return ret ?: -EINVAL;
	}
	v = os_zalloc(sizeof(*v));
	if (!v)
		return -ENOMEM;
	ret = vmx_vcpu_alloc(v, cpu, &sz_config, sz_msr_bitmap_pa);
	if (ret)
		goto err_free;
	local_irq_disable();
	ret = vmx_virtualize_this_cpu(v);
	local_irq_enable();
	sz_drain(v);
	if (ret) {
		pr_err("CPU %u: not virtualized: %d\n", cpu, ret);
		goto err_vcpu;
	}
	sz_cpus[cpu].vcpu = v;
	return 0;

err_vcpu:
	vmx_vcpu_free(v);
err_free:
	os_free(v);
	return ret;
}

/* CPU hotplug "offline" callback (and unload): leave VMX on this CPU first. */
static int sz_cpu_offline(unsigned int cpu)
{
	struct vcpu *v = sz_cpus[cpu].vcpu;
	int ret;

	if (!v)
		return 0;
	local_irq_disable();
	ret = vmx_devirtualize_this_cpu(v);
	if (!ret)
		invalidate_tss_limit();	/* the VM exit left TR's limit at 0x67 */
	local_irq_enable();
	sz_drain(v);
	if (ret) {
		pr_err("CPU %u: could not leave VMX: %d\n", cpu, ret);
		return ret;
	}
	pr_info("CPU %u: devirtualized after %llu exits\n", cpu, sz_exit_total(v));
	sz_cpus[cpu].vcpu = NULL;
	vmx_vcpu_free(v);
	os_free(v);
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
 * The start of every per-CPU request, whose struct begins { __u32 size; __u32 cpu; }:
 * copy it in, check its size and CPU number, and leave it zeroed but for size and cpu.
 */
static int sz_cpu_request(void __user *uarg, void *req, size_t size, u32 *cpu)
{
	u32 *hdr = req;		/* hdr[0] = size, hdr[1] = cpu */

	if (copy_from_user(req, uarg, size))
		return -EFAULT;
	if (hdr[0] != size || hdr[1] >= nr_cpu_ids)
		return -EINVAL;
	*cpu = array_index_nospec(hdr[1], nr_cpu_ids);
	memset(req, 0, size);
	hdr[0] = size;
	hdr[1] = *cpu;
	return 0;
}

static long sz_ioctl_cpu_stats(void __user *uarg)
{
	struct subzero_cpu_stats st;
	struct vcpu *v;
	u32 cpu, i;
	int ret;

	ret = sz_cpu_request(uarg, &st, sizeof(st), &cpu);
	if (ret)
		return ret;
	st.size = sizeof(st);
	st.cpu = cpu;
	cpus_read_lock();
	v = sz_cpus[cpu].vcpu;
	if (v) {
		st.flags = SUBZERO_CPU_VIRTUALIZED;
		st.vpid = v->vpid;
		st.launch_tsc = v->launch_tsc;
		st.root_tsc = v->root_tsc;
		st.exits_other = v->exits_other;
		for (i = 0; i < SUBZERO_EXIT_REASONS && i < EXIT_REASON_MAX; i++)
			st.exits[i] = v->exits[i];
	}
	cpus_read_unlock();
	return copy_to_user(uarg, &st, sizeof(st)) ? -EFAULT : 0;
}

static_assert(offsetof(struct subzero_caps, cpu) == 4 &&
	      offsetof(struct subzero_cpu_stats, cpu) == 4, "sz_cpu_request's layout");

static long sz_ioctl_info(void __user *uarg)
{
	struct subzero_info info;

	if (copy_from_user(&info, uarg, sizeof(info)))
		return -EFAULT;
	if (info.size != sizeof(info))
		return -EINVAL;
	memset(&info, 0, sizeof(info));
	info.size = sizeof(info);
	info.abi_version = SUBZERO_ABI_VERSION;
	info.nr_cpu_ids = nr_cpu_ids;
	info.nr_cpus_online = num_online_cpus();
	info.alloc_count = os_alloc_count();
	info.alloc_bytes = os_linux_alloc_bytes();
	return copy_to_user(uarg, &info, sizeof(info)) ? -EFAULT : 0;
}

static long sz_ioctl_get_caps(void __user *uarg)
{
	struct subzero_caps uc;
	const struct vmx_caps *c;
	u32 cpu;
	int ret;

	ret = sz_cpu_request(uarg, &uc, sizeof(uc), &cpu);
	if (ret)
		return ret;
	if (!sz_cpus[cpu].have_caps)
		return -ENXIO;
	c = &sz_cpus[cpu].caps;
	uc.cpuid1_ecx = c->cpuid1_ecx;
	uc.have = c->have;
	uc.feature_control = c->feature_control;
	uc.basic = c->basic;
	uc.pinbased = c->pinbased;
	uc.procbased = c->procbased;
	uc.procbased2 = c->procbased2;
	uc.exit = c->exit;
	uc.entry = c->entry;
	uc.true_pinbased = c->true_pinbased;
	uc.true_procbased = c->true_procbased;
	uc.true_exit = c->true_exit;
	uc.true_entry = c->true_entry;
	uc.misc = c->misc;
	uc.cr0_fixed0 = c->cr0_fixed0;
	uc.cr0_fixed1 = c->cr0_fixed1;
	uc.cr4_fixed0 = c->cr4_fixed0;
	uc.cr4_fixed1 = c->cr4_fixed1;
	uc.vmcs_enum = c->vmcs_enum;
	uc.ept_vpid = c->ept_vpid;
	uc.vmfunc = c->vmfunc;
	return copy_to_user(uarg, &uc, sizeof(uc)) ? -EFAULT : 0;
}

static long sz_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	/*
	 * Every call drains the log rings first, so what the hypervisor logged is in the
	 * kernel log when the tool returns, even if the CPU the drain work's timer sits on
	 * has failed closed.
	 */
	cpus_read_lock();
	sz_drain_all();
	cpus_read_unlock();
	switch (cmd) {
	case SUBZERO_IOC_INFO:
		return sz_ioctl_info(uarg);
	case SUBZERO_IOC_GET_CAPS:
		return sz_ioctl_get_caps(uarg);
	case SUBZERO_IOC_CPU_STATS:
		return sz_ioctl_cpu_stats(uarg);
	default:
		return -ENOTTY;
	}
}

static int sz_open(struct inode *inode, struct file *file)
{
	/* The node is 0600 already; a hypervisor's controls also want the capability. */
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	return 0;
}

static const struct file_operations sz_fops = {
	.owner = THIS_MODULE,
	.open = sz_open,
	.unlocked_ioctl = sz_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice sz_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "subzero",
	.fops = &sz_fops,
	.mode = 0600,
};

static int __init sz_init(void)
{
	int ret;

	sz_cpus = kcalloc(nr_cpu_ids, sizeof(*sz_cpus), GFP_KERNEL);
	if (!sz_cpus)
		return -ENOMEM;
	ret = sz_caps_init();
	if (ret)
		goto err_free;
	sz_config = sz_cpus[cpumask_first(cpu_online_mask)].caps;
	vmx_fail_on_cpu = fail_on_cpu;
	vmx_test_hooks = test_hooks;
	ret = os_linux_init();
	if (ret)
		goto err_free;
	sz_msr_bitmap = os_alloc_pages(0, &sz_msr_bitmap_pa);
	if (!sz_msr_bitmap) {
		ret = -ENOMEM;
		goto err_os;
	}
	vmx_msr_bitmap_init(sz_msr_bitmap);
	sz_host_idt = os_alloc_pages(0, &sz_host_idt_pa);
	if (!sz_host_idt) {
		ret = -ENOMEM;
		goto err_bitmap;
	}
	{
		struct desc_ptr idt;

		/* Linux's IDT is one table shared by every CPU (idt_table). */
		store_idt(&idt);
		vmx_host_idt_init(sz_host_idt, idt.address, idt.size);
	}

	ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "subzero:online", sz_cpu_online,
				sz_cpu_offline);
	if (ret < 0) {
		pr_err("not loading: virtualizing the CPUs failed (%d); every CPU is back "
		       "as it was\n", ret);
		goto err_idt;
	}
	sz_hp_state = ret;
	ret = misc_register(&sz_miscdev);
	if (ret) {
		pr_err("cannot register /dev/subzero: %d\n", ret);
		goto err_hp;
	}
	/* Unbound: the drain must still run when a CPU has failed closed. */
	queue_delayed_work(system_unbound_wq, &sz_drain_work, HZ / 5);
	pr_info("loaded: VMX revision %#x on %u CPUs, all virtualized\n",
		vmx_caps_revision_id(&sz_config), num_online_cpus());
	return 0;

err_hp:
	cpuhp_remove_state(sz_hp_state);
err_idt:
	vmx_host_idt_clear();
	os_free_pages(sz_host_idt, 0);
err_bitmap:
	os_free_pages(sz_msr_bitmap, 0);
err_os:
	os_linux_exit();
err_free:
	kfree(sz_cpus);
	sz_cpus = NULL;
	return ret;
}

static void __exit sz_exit(void)
{
	misc_deregister(&sz_miscdev);
	cancel_delayed_work_sync(&sz_drain_work);
	cpuhp_remove_state(sz_hp_state);
	vmx_host_idt_clear();
	os_free_pages(sz_host_idt, 0);
	os_free_pages(sz_msr_bitmap, 0);
	os_linux_exit();
	kfree(sz_cpus);
	pr_info("unloaded; %ld allocations outstanding\n", os_alloc_count());
}

module_init(sz_init);
module_exit(sz_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("subzero: a thin VT-x hypervisor under the running kernel");
