// SPDX-License-Identifier: GPL-2.0
/*
 * subzero: /dev/subzero, the ioctl layer.  One table row per request: its struct's
 * size, which of its bytes are reserved (must come in as zero), whether it names a
 * CPU, whether the struct is copied back, and its handler.  sz_ioctl() does every
 * check the rows describe, once; the handlers only answer.  Who may open the device
 * is decided in sz_open(), the one permission check.  The watch, protect, event and EPT
 * handlers are ioctl_watch.c's.
 */
#define pr_fmt(fmt) "subzero: " fmt

#include <linux/capability.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/nospec.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <asm/tsc.h>

#include "../core/os.h"
#include "../core/private.h"
#include "os_linux.h"
#include "sz.h"
#include "sz_ioctl.h"
#include "../include/uapi/subzero.h"

static_assert(offsetof(struct subzero_caps, cpu) == 4 &&
	      offsetof(struct subzero_cpu_stats, cpu) == 4 &&
	      offsetof(struct subzero_vmcs, cpu) == 4 &&
	      offsetof(struct subzero_events, cpu) == 4 &&
	      offsetof(struct subzero_ept_query, cpu) == 4, "per-CPU requests' layout");
static_assert(VMCS_NR_FIELDS <= SUBZERO_VMCS_MAX_FIELDS, "struct subzero_vmcs holds them all");
static_assert(SUBZERO_LOG_TEXT == LOG_LINE, "log lines keep their length");
static_assert(offsetof(struct subzero_cpu_stats, hist) == SUBZERO_CPU_STATS_SIZE_V1,
	      "CPU_STATS before the histograms");
static_assert(SUBZERO_EXIT_HIST_BUCKETS == EXIT_HIST_BUCKETS, "the histogram's buckets");
/* The lock events' numbers are the ABI's: root's enum lock_what is copied out as is. */
static_assert(LOCK_EV_KTEXT == SUBZERO_LOCK_EV_KTEXT && LOCK_EV_MOD_ADD == SUBZERO_LOCK_EV_MOD_ADD &&
	      LOCK_EV_MOD_DEL == SUBZERO_LOCK_EV_MOD_DEL && LOCK_EV_KEXEC == SUBZERO_LOCK_EV_KEXEC);
static_assert(offsetof(struct subzero_lock, wx_refused) == SUBZERO_LOCK_SIZE_V1 &&
	      offsetof(struct subzero_lock, kexec_refused) == SUBZERO_LOCK_SIZE_V2 &&
	      sizeof(struct subzero_lock) == SUBZERO_LOCK_SIZE_V2 + 8,
	      "struct subzero_lock: the first size, wx_refused, the second, kexec_refused");

struct sz_ioctl_desc {
	unsigned int cmd;
	u32 size;		/* the struct's size, which its first __u32 must say */
	u32 size_v1;		/* or this older, shorter one (0: none); the answer is as long */
	u32 size_v2;		/* or this one, between the two (0: none) */
	u32 resv, resv_len;	/* its reserved bytes [resv, resv + resv_len) */
	bool per_cpu;		/* it goes on with __u32 cpu */
	bool copy_out;		/* the answer is the struct, copied back */
	sz_ioctl_fn fn;
};

/* Reserved: from member @from to the end, or up to member @upto, or none. */
#define SZ_RESV(type, from) offsetof(type, from), sizeof(type) - offsetof(type, from)
#define SZ_RESV_UPTO(type, from, upto) offsetof(type, from), \
	offsetof(type, upto) - offsetof(type, from)
#define SZ_RESV_NONE(type) sizeof(type), 0


/*
 * Whether to keep the hypervisor's addresses (host-physical addresses, the EPTP, host
 * RIP/RSP/CR3) from this caller: when the kernel is locked down, or would print a
 * pointer as %pK zero for it (kptr_restrict: 2, or 1 without CAP_SYSLOG).  kptr_restrict
 * is not exported; %pK applies its policy to the current task.
 */
static bool sz_hide_addresses(void)
{
	char buf[24];

	if (security_locked_down(LOCKDOWN_DEV_MEM))
		return true;
	snprintf(buf, sizeof(buf), "%pK", (void *)sz_hide_addresses);
	return !strcmp(buf, "0000000000000000") || !strcmp(buf, "(null)");
}

static long sz_ioctl_info(const void *in, void *out, u32 cpu)
{
	struct subzero_info *info = out;

	info->abi_version = SUBZERO_ABI_VERSION;
	info->nr_cpu_ids = nr_cpu_ids;
	info->nr_cpus_online = num_online_cpus();
	info->alloc_count = os_alloc_count();
	info->tsc_khz = tsc_khz;
	info->flags = READ_ONCE(sz_attached) ? SUBZERO_INFO_ATTACHED : 0;
	info->alloc_bytes = os_linux_alloc_bytes();
	return 0;
}

static long sz_ioctl_get_caps(const void *in, void *out, u32 cpu)
{
	struct subzero_caps *uc = out;
	const struct vmx_caps *c;

	if (!sz_cpus[cpu].have_caps)
		return -ENXIO;
	c = &sz_cpus[cpu].caps;
	uc->cpuid1_ecx = c->cpuid1_ecx;
	uc->have = c->have;
	uc->feature_control = c->feature_control;
	uc->basic = c->basic;
	uc->pinbased = c->pinbased;
	uc->procbased = c->procbased;
	uc->procbased2 = c->procbased2;
	uc->exit = c->exit;
	uc->entry = c->entry;
	uc->true_pinbased = c->true_pinbased;
	uc->true_procbased = c->true_procbased;
	uc->true_exit = c->true_exit;
	uc->true_entry = c->true_entry;
	uc->misc = c->misc;
	uc->cr0_fixed0 = c->cr0_fixed0;
	uc->cr0_fixed1 = c->cr0_fixed1;
	uc->cr4_fixed0 = c->cr4_fixed0;
	uc->cr4_fixed1 = c->cr4_fixed1;
	uc->vmcs_enum = c->vmcs_enum;
	uc->ept_vpid = c->ept_vpid;
	uc->vmfunc = c->vmfunc;
	return 0;
}

static long sz_ioctl_cpu_stats(const void *in, void *out, u32 cpu)
{
	struct subzero_cpu_stats *st = out;
	struct vcpu *v;
	u32 i;

	mutex_lock(&sz_lock);
	cpus_read_lock();
	st->now_tsc = rdtsc();
	if (cpu_online(cpu))
		st->flags |= SUBZERO_CPU_ONLINE;
	v = sz_cpus[cpu].vcpu;
	if (v) {
		/* Counters the CPU bumps in root as we read: each is one aligned load. */
		st->flags |= SUBZERO_CPU_VIRTUALIZED;
		st->vpid = v->vpid;
		st->launch_tsc = v->launch_tsc;
		st->root_tsc = READ_ONCE(v->root_tsc);
		st->exits_other = READ_ONCE(v->exits_other);
		st->root_tsc_other = READ_ONCE(v->root_tsc_other);
		for (i = 0; i < SUBZERO_EXIT_REASONS && i < EXIT_REASON_MAX; i++) {
			const struct exit_hist *h = &v->exit_hist[i];
			struct subzero_exit_hist *uh = &st->hist[i];
			u32 b;

			st->exits[i] = READ_ONCE(v->exits[i]);
			st->exit_root_tsc[i] = READ_ONCE(v->exit_root_tsc[i]);
			if (!st->exits[i])
				continue;
			uh->min_root_tsc = READ_ONCE(h->min_tsc);
			uh->max_root_tsc = READ_ONCE(h->max_tsc);
			for (b = 0; b < SUBZERO_EXIT_HIST_BUCKETS && b < EXIT_HIST_BUCKETS; b++)
				uh->log2[b] = READ_ONCE(h->bucket[b]);
		}
		/* what root published (the EPT itself is hidden) */
		if (v->ept_on) {
			st->ept_pages = READ_ONCE(v->ept_pages_used);
			st->ept_pool_pages = v->ept_pool_pages;
			st->eptp = sz_hide_addresses() ? 0 : v->eptp;
		}
	}
	cpus_read_unlock();
	mutex_unlock(&sz_lock);
	return 0;
}

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
static long sz_ioctl_vmcs(const void *in, void *out, u32 cpu)
{
	struct sz_snapshot_call call = { 0 };
	struct subzero_vmcs *req = out;
	const struct vmcs_snapshot *snap;
	bool hide = sz_hide_addresses();
	u32 i;
	int ret;

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
		req->fields[i].value = hide && vmcs_field_reveals_host(i) ? 0 : snap->val[i];
	}
out_unlock:
	cpus_read_unlock();
	mutex_unlock(&sz_lock);
	return ret;
}

/* SUBZERO_IOC_LOG: sz_ioctl() drained the rings into the history just before this. */
static long sz_ioctl_log(const void *in, void *out, u32 cpu)
{
	const struct subzero_log *req = in;
	struct subzero_log *ans = out;
	struct log_hist_line *lines;
	size_t i, n;

	lines = kcalloc(SUBZERO_LOG_BATCH, sizeof(*lines), GFP_KERNEL);
	if (!lines)
		return -ENOMEM;
	n = sz_log_read(req->from_seq, lines, SUBZERO_LOG_BATCH, &ans->next_seq,
			&ans->oldest_seq);
	ans->nr_lines = n;
	for (i = 0; i < n; i++) {
		ans->lines[i].seq = lines[i].seq;
		ans->lines[i].tsc = lines[i].tsc;
		ans->lines[i].cpu = lines[i].cpu;
		memcpy(ans->lines[i].text, lines[i].text, SUBZERO_LOG_TEXT);
		ans->lines[i].text[SUBZERO_LOG_TEXT - 1] = '\0';
	}
	kfree(lines);
	return 0;
}

/* SUBZERO_IOC_ATTACH and SUBZERO_IOC_DETACH. */
static long sz_attach_ioctl(struct subzero_attach *a, bool attach)
{
	bool changed = false;
	int ret;

	ret = sz_set_attached(attach, &changed, &a->nr_virtualized);
	a->flags = changed ? SUBZERO_ATTACH_CHANGED : 0;
	return ret;
}

static long sz_ioctl_attach(const void *in, void *out, u32 cpu)
{
	return sz_attach_ioctl(out, true);
}

static long sz_ioctl_detach(const void *in, void *out, u32 cpu)
{
	return sz_attach_ioctl(out, false);
}

static long sz_ioctl_lock(const void *in, void *out, u32 cpu)
{
	const struct subzero_lock *req = in;
	struct subzero_lock *l = out;
	bool changed = false;
	unsigned int n = 0;
	struct vcpu *v;
	int ret = 0;

	if (req->op > SUBZERO_LOCK_TAKE)
		return -EINVAL;
	if (req->op == SUBZERO_LOCK_TAKE) {
		ret = sz_lock_all(&changed, &n);
		if (ret)
			return ret;
	}
	mutex_lock(&sz_lock);
	cpus_read_lock();
	v = sz_cpus[cpu].vcpu;
	if (v && READ_ONCE(v->lock_on)) {
		l->flags |= SUBZERO_LOCK_ON | (v->lock_cet ? SUBZERO_LOCK_CET : 0) |
			    (v->lock_dt ? SUBZERO_LOCK_DT : 0);
		l->cr0_pinned = v->lock_cr0;
		l->cr4_pinned = v->lock_cr4;
	}
	if (v && READ_ONCE(v->lock_wx_on))
		l->flags |= SUBZERO_LOCK_WX;
	if (v && READ_ONCE(v->lock_wx_mbec))
		l->flags |= SUBZERO_LOCK_MBEC;
	if (v && READ_ONCE(v->lock_kexec))
		l->flags |= SUBZERO_LOCK_KEXEC;
	if (v) {
		l->cr_refused = READ_ONCE(v->lock_cr_refused);
		l->msr_refused = READ_ONCE(v->lock_msr_refused);
		l->msr_kept = READ_ONCE(v->lock_msr_kept);
		l->hc_refused = READ_ONCE(v->lock_hc_refused);
		l->devirt_offline = READ_ONCE(v->lock_devirt_offline);
		l->restored = READ_ONCE(v->lock_restored);
		l->dt_refused = READ_ONCE(v->lock_dt_refused);
		l->wx_tables = READ_ONCE(v->lock_wx_tables);
		l->wx_allowed = READ_ONCE(v->lock_wx_allowed);
		l->wx_refused = READ_ONCE(v->lock_wx_refused);
		l->kexec_refused = READ_ONCE(v->lock_kexec_refused);
	}
	for_each_online_cpu(n)
		l->nr_locked += sz_cpus[n].vcpu && READ_ONCE(sz_cpus[n].vcpu->lock_on);
	if (sz_locked)
		l->flags |= SUBZERO_LOCK_ANY;
	cpus_read_unlock();
	mutex_unlock(&sz_lock);
	if (changed)
		l->flags |= SUBZERO_LOCK_CHANGED;
	return 0;
}

#define SZ_IOCTL(name, type, resv, per_cpu, copy_out, fn) \
	{ SUBZERO_IOC_##name, sizeof(type), 0, 0, resv, per_cpu, copy_out, fn }
#define SZ_IOCTL_V1(name, type, size_v1, size_v2, resv, per_cpu, copy_out, fn) \
	{ SUBZERO_IOC_##name, sizeof(type), size_v1, size_v2, resv, per_cpu, copy_out, fn }

static const struct sz_ioctl_desc sz_ioctls[] = {
	SZ_IOCTL(INFO, struct subzero_info, SZ_RESV(struct subzero_info, reserved),
		 false, true, sz_ioctl_info),
	SZ_IOCTL(GET_CAPS, struct subzero_caps, SZ_RESV(struct subzero_caps, reserved),
		 true, true, sz_ioctl_get_caps),
	SZ_IOCTL_V1(CPU_STATS, struct subzero_cpu_stats, SUBZERO_CPU_STATS_SIZE_V1, 0,
		    SZ_RESV_UPTO(struct subzero_cpu_stats, reserved, exits),
		    true, true, sz_ioctl_cpu_stats),
	SZ_IOCTL(VMCS, struct subzero_vmcs, SZ_RESV_UPTO(struct subzero_vmcs, reserved32, tsc),
		 true, true, sz_ioctl_vmcs),
	SZ_IOCTL(LOG, struct subzero_log, SZ_RESV_UPTO(struct subzero_log, reserved, lines),
		 false, true, sz_ioctl_log),
	SZ_IOCTL(DETACH, struct subzero_attach, SZ_RESV(struct subzero_attach, reserved32),
		 false, true, sz_ioctl_detach),
	SZ_IOCTL(ATTACH, struct subzero_attach, SZ_RESV(struct subzero_attach, reserved32),
		 false, true, sz_ioctl_attach),
	SZ_IOCTL(WATCH, struct subzero_watch, SZ_RESV(struct subzero_watch, reserved),
		 false, false, sz_ioctl_watch),
	SZ_IOCTL(WATCH_LIST, struct subzero_watch_list,
		 SZ_RESV_UPTO(struct subzero_watch_list, nr, w), false, true,
		 sz_ioctl_watch_list),
	SZ_IOCTL(EVENTS, struct subzero_events, SZ_RESV_UPTO(struct subzero_events, nr, ev),
		 true, true, sz_ioctl_events),
	SZ_IOCTL(EPT_QUERY, struct subzero_ept_query, SZ_RESV(struct subzero_ept_query, leaf),
		 true, true, sz_ioctl_ept_query),
	/* no reserved field left: every field after op is "out" */
	SZ_IOCTL_V1(LOCK, struct subzero_lock, SUBZERO_LOCK_SIZE_V1, SUBZERO_LOCK_SIZE_V2,
		    SZ_RESV_NONE(struct subzero_lock), true, true, sz_ioctl_lock),
};

/*
 * Every request: copy its struct in, check that it says its own size (or its older
 * one), that its reserved bytes are zero and that a CPU it names exists; call the
 * handler with a zeroed answer (always of the full size); copy out as much of the
 * answer as the caller's struct holds.  A pointer to less than the struct it names
 * is -EFAULT before anything else (the full struct, when the size is wrong).
 */
static long sz_ioctl_call(const struct sz_ioctl_desc *d, void __user *uarg)
{
	size_t stride = ALIGN(d->size, 8), first = d->size_v1 ?: d->size;
	u32 *in, *out, size, cpu = 0;
	long ret;

	in = kzalloc(2 * stride, GFP_KERNEL);
	if (!in)
		return -ENOMEM;
	out = (u32 *)((u8 *)in + stride);
	ret = -EFAULT;
	if (copy_from_user(in, uarg, first))
		goto out;
	size = in[0];
	if (size != d->size && size != first && (!d->size_v2 || size != d->size_v2)) {
		if (first < d->size &&
		    copy_from_user((u8 *)in + first, (u8 __user *)uarg + first, d->size - first))
			goto out;	/* -EFAULT */
		ret = -EINVAL;
		goto out;
	}
	if (size > first &&
	    copy_from_user((u8 *)in + first, (u8 __user *)uarg + first, size - first))
		goto out;		/* -EFAULT */
	ret = -EINVAL;
	if (memchr_inv((u8 *)in + d->resv, 0, d->resv_len))
		goto out;
	out[0] = size;
	if (d->per_cpu) {		/* { __u32 size; __u32 cpu; ... } */
		if (in[1] >= nr_cpu_ids)
			goto out;
		cpu = array_index_nospec(in[1], nr_cpu_ids);
		out[1] = cpu;
	}
	ret = d->fn(in, out, cpu);
	if (!ret && d->copy_out && copy_to_user(uarg, out, size))
		ret = -EFAULT;
out:
	kfree(in);
	return ret;
}

static long sz_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	size_t i;

	/*
	 * Every call drains the log rings first, so what the hypervisor logged is in the
	 * kernel log when the tool returns, even if the CPU the drain work's timer sits on
	 * has failed closed.
	 */
	sz_drain_locked();
	for (i = 0; i < ARRAY_SIZE(sz_ioctls); i++)
		if (sz_ioctls[i].cmd == cmd)
			return sz_ioctl_call(&sz_ioctls[i], (void __user *)arg);
	return -ENOTTY;
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

int sz_dev_register(void)
{
	return misc_register(&sz_miscdev);
}

void sz_dev_unregister(void)
{
	misc_deregister(&sz_miscdev);
}
