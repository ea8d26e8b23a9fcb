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
#include <linux/ioport.h>
#include <linux/mutex.h>
#include <linux/nospec.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include <linux/workqueue.h>
#include <asm/desc.h>
#include <asm/msr.h>
#include <asm/tsc.h>

#include "../core/os.h"
#include "os_linux.h"
#include "../core/vmx.h"
#include "../core/vmx_caps.h"
#include "../core/vmx_decode.h"
#include "../include/uapi/subzero.h"

static int fail_on_cpu = -1;
module_param(fail_on_cpu, int, 0644);
MODULE_PARM_DESC(fail_on_cpu, "test only: make virtualizing this CPU fail (-1: none); "
		 "read at load and at attach");
static bool test_hooks;
module_param(test_hooks, bool, 0444);
MODULE_PARM_DESC(test_hooks, "test only: allow the test hypercalls (staying in VMX root)");
static bool entry_checks;
module_param(entry_checks, bool, 0444);
MODULE_PARM_DESC(entry_checks, "run the VM-entry checker before every VM entry, in VMX root "
		 "(broken rules are logged and counted)");

/* Per-CPU capabilities as read at load; a CPU offline then has have_caps clear. */
struct sz_cpu {
	struct vmx_caps caps;
	int read_err;
	bool have_caps;
	struct vcpu *vcpu;	/* while the CPU is virtualized */
	struct vcpu *mem;	/* its hypervisor state, allocated at load for every
				 * possible CPU so that all of it is hidden from every
				 * CPU's guest before any CPU is launched */
};

static struct sz_cpu *sz_cpus;
static void *sz_msr_bitmap;
static u64 sz_msr_bitmap_pa;
static void *sz_host_idt;
static u64 sz_host_idt_pa;
static enum cpuhp_state sz_hp_state;
static struct vmx_caps sz_config;	/* what every CPU must match */

/*
 * Who may change or look at sz_cpus[].vcpu.  The hotplug callbacks set and clear it
 * with the CPU hotplug lock held: for writing when a CPU goes on- or offline, but only
 * for reading when cpuhp_setup_state()/cpuhp_remove_state() run them for every CPU
 * (load, attach, detach, unload).  So attach and detach also hold sz_lock, and
 * everything else that follows a vcpu pointer holds sz_lock and then the hotplug lock
 * for reading.  Order: sz_lock, then the hotplug lock; the callbacks never take
 * sz_lock (attach and detach wait for them while holding it).
 */
static DEFINE_MUTEX(sz_lock);
static bool sz_attached;		/* the hotplug state is installed (not detached) */

/* The drained log lines, for SUBZERO_IOC_LOG; sz_hist_lock is innermost. */
static struct log_hist sz_hist;
static DEFINE_SPINLOCK(sz_hist_lock);

static void sz_hist_add(unsigned int cpu, u64 tsc, const char *line)
{
	spin_lock(&sz_hist_lock);
	log_hist_add(&sz_hist, cpu, tsc, line);
	spin_unlock(&sz_hist_lock);
}

/*
 * Move a vcpu's log ring (written in VMX root) into the kernel log and the history.
 * The ring has one reader: callers hold sz_lock, or are the vcpu's hotplug callback.
 */
static void sz_drain(struct vcpu *v)
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

static void sz_drain_work_fn(struct work_struct *w);
static DECLARE_DELAYED_WORK(sz_drain_work, sz_drain_work_fn);

static void sz_drain_locked(void)
{
	mutex_lock(&sz_lock);
	cpus_read_lock();
	sz_drain_all();
	cpus_read_unlock();
	mutex_unlock(&sz_lock);
}

static void sz_drain_work_fn(struct work_struct *w)
{
	sz_drain_locked();
	/* Unbound: the drain must still run when a CPU has failed closed. */
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

	/* Still virtualized: a devirtualization that failed at detach left it so. */
	if (sz_cpus[cpu].vcpu)
		return 0;
	/* A CPU that came online after load must match the others too. */
	ret = vmx_caps_read(&caps);
	if (ret || vmx_caps_compare(&sz_config, &caps, &field)) {
		pr_err("CPU %u: VMX capabilities %s: not virtualizing it\n", cpu,
		       ret ? "missing" : "differ from the other CPUs'");
		return ret ?: -EINVAL;
	}
	v = sz_cpus[cpu].mem;
	if (!v)
		return -ENOMEM;
	v->devirt = false;
	local_irq_disable();
	ret = vmx_virtualize_this_cpu(v);
	/* The watch table may have changed while this CPU was out. */
	if (!ret && v->ept.pml4)
		vmx_watch_sync_this_cpu(v);
	local_irq_enable();
	sz_drain(v);
	if (ret) {
		pr_err("CPU %u: not virtualized: %d\n", cpu, ret);
		return ret;
	}
	sz_cpus[cpu].vcpu = v;
	return 0;
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

/* The reserved bytes of a request struct, which must come in as zero. */
#define SZ_RESV(type, from) offsetof(type, from), sizeof(type) - offsetof(type, from)
#define SZ_RESV_UPTO(type, from, upto) offsetof(type, from), \
	offsetof(type, upto) - offsetof(type, from)

/*
 * The start of every request, whose struct begins with __u32 size: copy it in, check
 * its size and that its reserved bytes [resv, resv + resv_len) are zero.
 */
static int sz_request(void __user *uarg, void *req, size_t size, size_t resv,
		      size_t resv_len)
{
	if (copy_from_user(req, uarg, size))
		return -EFAULT;
	if (*(u32 *)req != size || memchr_inv((u8 *)req + resv, 0, resv_len))
		return -EINVAL;
	return 0;
}

/*
 * The start of every per-CPU request, whose struct begins { __u32 size; __u32 cpu; }:
 * sz_request(), check the CPU number, and leave it zeroed but for size and cpu.
 */
static int sz_cpu_request(void __user *uarg, void *req, size_t size, size_t resv,
			  size_t resv_len, u32 *cpu)
{
	u32 *hdr = req;		/* hdr[0] = size, hdr[1] = cpu */
	int ret;

	ret = sz_request(uarg, req, size, resv, resv_len);
	if (ret)
		return ret;
	if (hdr[1] >= nr_cpu_ids)
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

	ret = sz_cpu_request(uarg, &st, sizeof(st), SZ_RESV_UPTO(struct subzero_cpu_stats,
			     reserved, exits), &cpu);
	if (ret)
		return ret;
	mutex_lock(&sz_lock);
	cpus_read_lock();
	st.now_tsc = rdtsc();
	if (cpu_online(cpu))
		st.flags |= SUBZERO_CPU_ONLINE;
	v = sz_cpus[cpu].vcpu;
	if (v) {
		/* Counters the CPU bumps in root as we read: each is one aligned load. */
		st.flags |= SUBZERO_CPU_VIRTUALIZED;
		st.vpid = v->vpid;
		st.launch_tsc = v->launch_tsc;
		st.root_tsc = READ_ONCE(v->root_tsc);
		st.exits_other = READ_ONCE(v->exits_other);
		st.root_tsc_other = READ_ONCE(v->root_tsc_other);
		for (i = 0; i < SUBZERO_EXIT_REASONS && i < EXIT_REASON_MAX; i++) {
			st.exits[i] = READ_ONCE(v->exits[i]);
			st.exit_root_tsc[i] = READ_ONCE(v->exit_root_tsc[i]);
		}
		if (v->ept.pml4) {
			st.ept_pages = ept_pages_in_use(&v->ept);
			st.ept_pool_pages = ept_pool_size(&v->ept);
			st.eptp = ept_eptp(&v->ept);
		}
	}
	cpus_read_unlock();
	mutex_unlock(&sz_lock);
	return copy_to_user(uarg, &st, sizeof(st)) ? -EFAULT : 0;
}

static_assert(offsetof(struct subzero_caps, cpu) == 4 &&
	      offsetof(struct subzero_cpu_stats, cpu) == 4 &&
	      offsetof(struct subzero_vmcs, cpu) == 4, "sz_cpu_request's layout");
static_assert(VMCS_NR_FIELDS <= SUBZERO_VMCS_MAX_FIELDS, "struct subzero_vmcs holds them all");
static_assert(SUBZERO_LOG_TEXT == LOG_LINE, "log lines keep their length");

struct sz_snapshot_call {
	struct vcpu *v;
	int ret;
};

/* On the vcpu's CPU, interrupts disabled (an IPI or smp_call_function_single itself). */
static void sz_snapshot_on_cpu(void *arg)
{
	struct sz_snapshot_call *c = arg;

	c->ret = vmx_vmcs_snapshot_this_cpu(c->v);
}

/*
 * SUBZERO_IOC_VMCS: have the CPU read its own VMCS in VMX root (the hypercall), then
 * copy the hypervisor's buffer out.  sz_lock keeps the vcpu, and its one buffer, ours
 * until the copy is made.
 */
static long sz_ioctl_vmcs(void __user *uarg)
{
	struct sz_snapshot_call call = { 0 };
	struct subzero_vmcs *req;
	const struct vmcs_snapshot *snap;
	u32 cpu, i;
	int ret;

	req = os_zalloc(sizeof(*req));
	if (!req)
		return -ENOMEM;
	ret = sz_cpu_request(uarg, req, sizeof(*req), SZ_RESV_UPTO(struct subzero_vmcs,
			     reserved32, tsc), &cpu);
	if (ret)
		goto out_free;
	mutex_lock(&sz_lock);
	cpus_read_lock();
	call.v = sz_cpus[cpu].vcpu;
	if (!cpu_online(cpu) || !call.v) {
		ret = -ENXIO;
		goto out_unlock;
	}
	ret = smp_call_function_single(cpu, sz_snapshot_on_cpu, &call, 1) ?: call.ret;
	if (ret)
		goto out_unlock;
	snap = &call.v->vmcs_snap;
	req->tsc = snap->tsc;
	req->nr_fields = VMCS_NR_FIELDS;
	for (i = 0; i < VMCS_NR_FIELDS; i++) {
		req->fields[i].encoding = vmcs_field_descs[i].encoding;
		req->fields[i].flags = snap->supported[i] ? SUBZERO_VMCS_FIELD_SUPPORTED : 0;
		req->fields[i].value = snap->val[i];
	}
out_unlock:
	cpus_read_unlock();
	mutex_unlock(&sz_lock);
	if (!ret && copy_to_user(uarg, req, sizeof(*req)))
		ret = -EFAULT;
out_free:
	os_free(req);
	return ret;
}

/* SUBZERO_IOC_LOG: drain the rings first, so what root logged just now is there. */
static long sz_ioctl_log(void __user *uarg)
{
	struct {
		struct subzero_log req;
		struct log_hist_line lines[SUBZERO_LOG_BATCH];
	} *b;
	u64 from;
	size_t i, n;
	int ret;

	b = os_zalloc(sizeof(*b));
	if (!b)
		return -ENOMEM;
	ret = sz_request(uarg, &b->req, sizeof(b->req), SZ_RESV_UPTO(struct subzero_log,
			 reserved, lines));
	if (ret)
		goto out;
	from = b->req.from_seq;
	memset(&b->req, 0, sizeof(b->req));
	b->req.size = sizeof(b->req);
	/* sz_ioctl() drained the rings into the history just before this. */
	spin_lock(&sz_hist_lock);
	n = log_hist_read(&sz_hist, from, b->lines, SUBZERO_LOG_BATCH, &b->req.next_seq);
	b->req.oldest_seq = log_hist_oldest(&sz_hist);
	spin_unlock(&sz_hist_lock);
	b->req.nr_lines = n;
	for (i = 0; i < n; i++) {
		b->req.lines[i].seq = b->lines[i].seq;
		b->req.lines[i].tsc = b->lines[i].tsc;
		b->req.lines[i].cpu = b->lines[i].cpu;
		memcpy(b->req.lines[i].text, b->lines[i].text, SUBZERO_LOG_TEXT);
		b->req.lines[i].text[SUBZERO_LOG_TEXT - 1] = '\0';
	}
	if (copy_to_user(uarg, &b->req, sizeof(b->req)))
		ret = -EFAULT;
out:
	os_free(b);
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
	vmx_fail_on_cpu = fail_on_cpu;
	ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "subzero:online", sz_cpu_online,
				sz_cpu_offline);
	if (ret < 0)
		return ret;
	sz_hp_state = ret;
	sz_attached = true;
	return 0;
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

/* SUBZERO_IOC_DETACH and SUBZERO_IOC_ATTACH. */
static long sz_ioctl_attach(void __user *uarg, bool attach)
{
	struct subzero_attach a;
	int ret;

	ret = sz_request(uarg, &a, sizeof(a), SZ_RESV(struct subzero_attach, reserved32));
	if (ret)
		return ret;
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	mutex_lock(&sz_lock);
	if (attach && !sz_attached) {
		ret = sz_attach_locked();
		if (ret)
			pr_err("attach: virtualizing the CPUs failed (%d); every CPU is back as it "
			       "was (detached)\n", ret);
		else
			a.flags = SUBZERO_ATTACH_CHANGED;
	} else if (!attach && sz_attached) {
		sz_detach_locked();
		a.flags = SUBZERO_ATTACH_CHANGED;
	}
	cpus_read_lock();
	a.nr_virtualized = sz_nr_virtualized();
	cpus_read_unlock();
	if (!ret && a.flags)
		pr_info("%s: %u CPUs virtualized\n", attach ? "attached" : "detached",
			a.nr_virtualized);
	/* A CPU whose devirtualizing hypercall failed is still in VMX: say so. */
	if (!ret && !attach && a.nr_virtualized)
		ret = -EIO;
	mutex_unlock(&sz_lock);
	if (ret)
		return ret;
	return copy_to_user(uarg, &a, sizeof(a)) ? -EFAULT : 0;
}

static long sz_ioctl_info(void __user *uarg)
{
	struct subzero_info info;

	int ret;

	ret = sz_request(uarg, &info, sizeof(info), SZ_RESV(struct subzero_info, reserved));
	if (ret)
		return ret;
	memset(&info, 0, sizeof(info));
	info.size = sizeof(info);
	info.abi_version = SUBZERO_ABI_VERSION;
	info.nr_cpu_ids = nr_cpu_ids;
	info.nr_cpus_online = num_online_cpus();
	info.alloc_count = os_alloc_count();
	info.tsc_khz = tsc_khz;
	info.flags = READ_ONCE(sz_attached) ? SUBZERO_INFO_ATTACHED : 0;
	info.alloc_bytes = os_linux_alloc_bytes();
	return copy_to_user(uarg, &info, sizeof(info)) ? -EFAULT : 0;
}

static long sz_ioctl_get_caps(void __user *uarg)
{
	struct subzero_caps uc;
	const struct vmx_caps *c;
	u32 cpu;
	int ret;

	ret = sz_cpu_request(uarg, &uc, sizeof(uc), SZ_RESV(struct subzero_caps, reserved), &cpu);
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

/* ---- EPT: memory types, the map's extent, every CPU's state, self-protection ---- */

static bool sz_ept_on;

/*
 * How much guest-physical space the EPT maps.  With 1 GiB EPT pages all of it (2^MAXPHYADDR
 * costs a few pages); without them one page directory per GiB would cost up to 256 MiB
 * per CPU, so only up to the end of the highest RAM or MMIO resource the kernel knows,
 * and at least 4 GiB.
 */
static u64 sz_ept_limit(const struct mtrr_state *m)
{
	u64 end = 4ULL << 30;
	struct resource *r;

	if (ept_optional_caps(sz_config.ept_vpid) & BIT_ULL(17))
		return 1ULL << m->phys_bits;
	for (r = iomem_resource.child; r; r = r->sibling)
		end = max_t(u64, end, r->end + 1);
	end = round_up(end, 1ULL << 30);
	return min_t(u64, end, 1ULL << m->phys_bits);
}

static int sz_ept_setup(void)
{
	struct mtrr_state m;
	const char *missing = NULL;
	int ret;

	/* allowed-1 of secondary control bit 1, "enable EPT" (SDM Vol. 3D, A.3.3) */
	if (!(sz_config.procbased2 >> 32 & BIT(1)) ||
	    ept_check_caps(sz_config.ept_vpid, &missing)) {
		pr_info("EPT: the CPU lacks %s: running without EPT (no watch or protect)\n",
			missing ?: "the EPT control");
		return 0;
	}
	ret = mtrr_read(&m);
	if (ret) {
		pr_err("EPT: cannot read the MTRRs: %d\n", ret);
		return ret;
	}
	vmx_ept_setup(&m, sz_ept_limit(&m));
	sz_ept_on = true;
	return 0;
}

static void sz_free_all(void)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		if (!sz_cpus[cpu].mem)
			continue;
		vmx_vcpu_free(sz_cpus[cpu].mem);
		os_free(sz_cpus[cpu].mem);
		sz_cpus[cpu].mem = NULL;
	}
}

struct sz_hide_ctx {
	struct vcpu *in;
	int ret;
};

static void sz_hide_one(u64 pa, void *arg)
{
	struct sz_hide_ctx *c = arg;
	int ret = vmx_ept_hide(c->in, pa);

	if (ret && !c->ret)
		c->ret = ret;
}

/* Is pa one of the pages only the hypervisor may touch? */
struct sz_find_ctx {
	u64 pa;
	bool found;
};

static void sz_find_one(u64 pa, void *arg)
{
	struct sz_find_ctx *c = arg;

	if (pa == c->pa)
		c->found = true;
}

static bool sz_is_private(u64 pa)
{
	struct sz_find_ctx c = { pa, pa == sz_msr_bitmap_pa || pa == sz_host_idt_pa };
	unsigned int cpu;

	for_each_possible_cpu(cpu)
		if (sz_cpus[cpu].mem && !c.found)
			vmx_private_pages(sz_cpus[cpu].mem, sz_find_one, &c);
	return c.found;
}

/*
 * Every possible CPU's state, and then, in every CPU's EPT, every page only the
 * hypervisor may touch mapped away (to that CPU's scratch page): VMXON regions,
 * VMCSs, host stacks, scratch pages, all EPT tables, the MSR bitmap and the host IDT.
 */
static int sz_alloc_all(void)
{
	struct sz_hide_ctx c = { NULL, 0 };
	unsigned int cpu, other;
	struct vcpu *v;
	int ret;

	for_each_possible_cpu(cpu) {
		v = os_zalloc(sizeof(*v));
		if (!v)
			goto err_nomem;
		ret = vmx_vcpu_alloc(v, cpu, &sz_config, sz_msr_bitmap_pa);
		if (ret) {
			os_free(v);
			goto err;
		}
		sz_cpus[cpu].mem = v;
	}
	if (!sz_ept_on)
		return 0;
	for_each_possible_cpu(cpu) {
		c.in = sz_cpus[cpu].mem;
		for_each_possible_cpu(other)
			vmx_private_pages(sz_cpus[other].mem, sz_hide_one, &c);
		sz_hide_one(sz_msr_bitmap_pa, &c);
		sz_hide_one(sz_host_idt_pa, &c);
	}
	if (c.ret) {
		ret = c.ret;
		pr_err("EPT: hiding the hypervisor's pages failed: %d\n", ret);
		goto err;
	}
	return 0;

err_nomem:
	ret = -ENOMEM;
err:
	sz_free_all();
	return ret;
}

/* ---- watch and protect ---- */

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

static long sz_ioctl_watch(void __user *uarg)
{
	struct subzero_watch req;
	u64 limit;
	int ret;

	ret = sz_request(uarg, &req, sizeof(req), SZ_RESV(struct subzero_watch, reserved));
	if (ret)
		return ret;
	if (!sz_ept_on)
		return -EOPNOTSUPP;
	limit = sz_cpus[cpumask_first(cpu_possible_mask)].mem->ept.map_limit;
	if (req.gpa & (PAGE_SIZE - 1) || req.gpa >= limit)
		return -EINVAL;
	if (req.op == SUBZERO_WATCH_ADD && sz_is_private(req.gpa))
		return -EACCES;
	mutex_lock(&sz_lock);
	cpus_read_lock();
	switch (req.op) {
	case SUBZERO_WATCH_ADD:
		ret = watch_add(req.gpa, req.access, req.kind);
		if (ret)
			break;
		ret = sz_sync_all();
		if (ret) {		/* all or nothing */
			watch_del(req.gpa);
			sz_sync_all();
		}
		break;
	case SUBZERO_WATCH_DEL:
		if (req.access || req.kind) {
			ret = -EINVAL;
			break;
		}
		ret = watch_del(req.gpa);
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

static long sz_ioctl_watch_list(void __user *uarg)
{
	struct subzero_watch_list *l;
	unsigned int i;
	int ret;

	l = kzalloc(sizeof(*l), GFP_KERNEL);
	if (!l)
		return -ENOMEM;
	ret = sz_request(uarg, l, sizeof(*l), SZ_RESV_UPTO(struct subzero_watch_list, nr, w));
	if (ret)
		goto out;
	memset(l, 0, sizeof(*l));
	l->size = sizeof(*l);
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
	ret = copy_to_user(uarg, l, sizeof(*l)) ? -EFAULT : 0;
out:
	kfree(l);
	return ret;
}

static long sz_ioctl_events(void __user *uarg)
{
	struct subzero_events *b;
	struct watch_event ev;
	struct vcpu *v;
	u32 cpu;
	int ret;

	b = kzalloc(sizeof(*b), GFP_KERNEL);
	if (!b)
		return -ENOMEM;
	ret = sz_cpu_request(uarg, b, sizeof(*b), SZ_RESV_UPTO(struct subzero_events, nr, ev),
			     &cpu);
	if (ret)
		goto out;
	b->size = sizeof(*b);
	b->cpu = cpu;
	mutex_lock(&sz_lock);	/* the rings' one reader */
	v = sz_cpus[cpu].mem;
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
		b->dropped = xchg(&v->events->dropped, 0);
	}
	mutex_unlock(&sz_lock);
	ret = copy_to_user(uarg, b, sizeof(*b)) ? -EFAULT : 0;
out:
	kfree(b);
	return ret;
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

static long sz_ioctl_ept_query(void __user *uarg)
{
	struct subzero_ept_query q;
	struct sz_query_ctx c = { .ret = -ENXIO };
	u64 size;
	u32 cpu;
	int ret;

	ret = sz_cpu_request(uarg, &q, sizeof(q), SZ_RESV_UPTO(struct subzero_ept_query, leaf,
			     reserved) + sizeof(q.reserved), &cpu);
	if (ret)
		return ret;
	if (copy_from_user(&c.gpa, &((struct subzero_ept_query __user *)uarg)->gpa,
			   sizeof(c.gpa)))
		return -EFAULT;
	mutex_lock(&sz_lock);
	cpus_read_lock();
	if (cpu_online(cpu) && sz_cpus[cpu].vcpu)
		smp_call_function_single(cpu, sz_query_fn, &c, 1);
	cpus_read_unlock();
	mutex_unlock(&sz_lock);
	if (c.ret)
		return c.ret;
	size = 1ULL << (12 + 9 * (c.level - 1));
	q.gpa = c.gpa;
	q.leaf = c.leaf;
	q.hpa = (c.leaf & 0x000ffffffffff000ULL & ~(size - 1)) | (c.gpa & (size - 1));
	q.level = c.level;
	q.memtype = (c.leaf >> 3) & 7;
	q.perm = c.leaf & 7;
	return copy_to_user(uarg, &q, sizeof(q)) ? -EFAULT : 0;
}

static long sz_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	/*
	 * Every call drains the log rings first, so what the hypervisor logged is in the
	 * kernel log when the tool returns, even if the CPU the drain work's timer sits on
	 * has failed closed.
	 */
	sz_drain_locked();
	switch (cmd) {
	case SUBZERO_IOC_INFO:
		return sz_ioctl_info(uarg);
	case SUBZERO_IOC_GET_CAPS:
		return sz_ioctl_get_caps(uarg);
	case SUBZERO_IOC_CPU_STATS:
		return sz_ioctl_cpu_stats(uarg);
	case SUBZERO_IOC_VMCS:
		return sz_ioctl_vmcs(uarg);
	case SUBZERO_IOC_LOG:
		return sz_ioctl_log(uarg);
	case SUBZERO_IOC_DETACH:
		return sz_ioctl_attach(uarg, false);
	case SUBZERO_IOC_ATTACH:
		return sz_ioctl_attach(uarg, true);
	case SUBZERO_IOC_WATCH:
		return sz_ioctl_watch(uarg);
	case SUBZERO_IOC_WATCH_LIST:
		return sz_ioctl_watch_list(uarg);
	case SUBZERO_IOC_EVENTS:
		return sz_ioctl_events(uarg);
	case SUBZERO_IOC_EPT_QUERY:
		return sz_ioctl_ept_query(uarg);
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
	vmx_test_hooks = test_hooks;
	entry_checks_on = entry_checks;
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
	ret = sz_ept_setup();
	if (!ret)
		ret = sz_alloc_all();
	if (ret)
		goto err_idt;

	mutex_lock(&sz_lock);
	ret = sz_attach_locked();
	mutex_unlock(&sz_lock);
	if (ret) {
		pr_err("not loading: virtualizing the CPUs failed (%d); every CPU is back "
		       "as it was\n", ret);
		goto err_vcpus;
	}
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
	mutex_lock(&sz_lock);
	sz_detach_locked();
	mutex_unlock(&sz_lock);
err_vcpus:
	sz_free_all();
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
	mutex_lock(&sz_lock);
	if (sz_attached)
		sz_detach_locked();
	mutex_unlock(&sz_lock);
	sz_free_all();
	memset(watch_table, 0, sizeof(watch_table));
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
