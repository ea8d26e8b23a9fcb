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
#include <linux/nospec.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/uaccess.h>

#include "../core/vmx_caps.h"
#include "../core/vmx_decode.h"
#include "../include/uapi/subzero.h"

/* Per-CPU capabilities as read at load; a CPU offline then has have_caps clear. */
struct sz_cpu {
	struct vmx_caps caps;
	int read_err;
	bool have_caps;
};

static struct sz_cpu *sz_cpus;

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
	return copy_to_user(uarg, &info, sizeof(info)) ? -EFAULT : 0;
}

static long sz_ioctl_get_caps(void __user *uarg)
{
	struct subzero_caps uc;
	const struct vmx_caps *c;
	u32 cpu;

	if (copy_from_user(&uc, uarg, sizeof(uc)))
		return -EFAULT;
	if (uc.size != sizeof(uc))
		return -EINVAL;
	if (uc.cpu >= nr_cpu_ids)
		return -EINVAL;
	cpu = array_index_nospec(uc.cpu, nr_cpu_ids);
	if (!sz_cpus[cpu].have_caps)
		return -ENXIO;
	c = &sz_cpus[cpu].caps;
	memset(&uc, 0, sizeof(uc));
	uc.size = sizeof(uc);
	uc.cpu = cpu;
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

	switch (cmd) {
	case SUBZERO_IOC_INFO:
		return sz_ioctl_info(uarg);
	case SUBZERO_IOC_GET_CAPS:
		return sz_ioctl_get_caps(uarg);
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
	ret = misc_register(&sz_miscdev);
	if (ret) {
		pr_err("cannot register /dev/subzero: %d\n", ret);
		goto err_free;
	}
	pr_info("loaded: VMX revision %#x on %u CPUs\n",
		vmx_caps_revision_id(&sz_cpus[cpumask_first(cpu_online_mask)].caps),
		num_online_cpus());
	return 0;

err_free:
	kfree(sz_cpus);
	sz_cpus = NULL;
	return ret;
}

static void __exit sz_exit(void)
{
	misc_deregister(&sz_miscdev);
	kfree(sz_cpus);
	pr_info("unloaded\n");
}

module_init(sz_init);
module_exit(sz_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("subzero: a thin VT-x hypervisor under the running kernel");
