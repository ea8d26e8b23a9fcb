/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * subzero's user/kernel ABI: the ioctls of /dev/subzero.
 *
 * Rules: every struct is made of __u64 (or pairs of __u32) with explicit padding, so
 * its layout is the same for every compiler; every struct starts with a __u32 size
 * that the caller sets to sizeof(struct) and the kernel checks, so a mismatched tool
 * gets -EINVAL instead of garbage; SUBZERO_ABI_VERSION changes on any incompatible
 * change.
 */
#ifndef _UAPI_SUBZERO_H
#define _UAPI_SUBZERO_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define SUBZERO_DEVICE		"/dev/subzero"
#define SUBZERO_ABI_VERSION	1
#define SUBZERO_IOC_MAGIC	0xB7

/* SUBZERO_IOC_INFO: what the module is. */
struct subzero_info {
	__u32 size;		/* in: sizeof(struct subzero_info) */
	__u32 abi_version;	/* out: SUBZERO_ABI_VERSION */
	__u32 nr_cpu_ids;	/* out: CPU numbers run from 0 to nr_cpu_ids - 1 */
	__u32 nr_cpus_online;	/* out */
	__s64 alloc_count;	/* out: the module's allocations not yet freed */
	__u64 alloc_bytes;	/* out: their size in bytes (as allocated: whole pages,
				 * slab objects rounded up to their size class) */
	__u64 reserved[2];
};

/* subzero_caps.have: which capability MSRs exist on the CPU (SDM Vol. 3D, App. A) */
#define SUBZERO_CAPS_HAVE_PROCBASED2	(1U << 0)
#define SUBZERO_CAPS_HAVE_EPT_VPID	(1U << 1)
#define SUBZERO_CAPS_HAVE_TRUE_CTLS	(1U << 2)
#define SUBZERO_CAPS_HAVE_VMFUNC	(1U << 3)

/* SUBZERO_IOC_GET_CAPS: one CPU's VMX capability MSRs, as read at module load. */
struct subzero_caps {
	__u32 size;		/* in: sizeof(struct subzero_caps) */
	__u32 cpu;		/* in: CPU number; -ENXIO if it was offline at load */
	__u32 cpuid1_ecx;	/* out: CPUID.1:ECX */
	__u32 have;		/* out: SUBZERO_CAPS_HAVE_* */
	__u64 feature_control;	/* IA32_FEATURE_CONTROL */
	__u64 basic;		/* IA32_VMX_BASIC */
	__u64 pinbased;		/* IA32_VMX_PINBASED_CTLS */
	__u64 procbased;	/* IA32_VMX_PROCBASED_CTLS */
	__u64 procbased2;	/* IA32_VMX_PROCBASED_CTLS2 */
	__u64 exit;		/* IA32_VMX_EXIT_CTLS */
	__u64 entry;		/* IA32_VMX_ENTRY_CTLS */
	__u64 true_pinbased;	/* IA32_VMX_TRUE_PINBASED_CTLS */
	__u64 true_procbased;	/* IA32_VMX_TRUE_PROCBASED_CTLS */
	__u64 true_exit;	/* IA32_VMX_TRUE_EXIT_CTLS */
	__u64 true_entry;	/* IA32_VMX_TRUE_ENTRY_CTLS */
	__u64 misc;		/* IA32_VMX_MISC */
	__u64 cr0_fixed0;	/* IA32_VMX_CR0_FIXED0 */
	__u64 cr0_fixed1;	/* IA32_VMX_CR0_FIXED1 */
	__u64 cr4_fixed0;	/* IA32_VMX_CR4_FIXED0 */
	__u64 cr4_fixed1;	/* IA32_VMX_CR4_FIXED1 */
	__u64 vmcs_enum;	/* IA32_VMX_VMCS_ENUM */
	__u64 ept_vpid;		/* IA32_VMX_EPT_VPID_CAP */
	__u64 vmfunc;		/* IA32_VMX_VMFUNC */
	__u64 reserved[4];
};

/* SUBZERO_IOC_CPU_STATS: one CPU's hypervisor state and per-exit-reason counters. */
#define SUBZERO_CPU_VIRTUALIZED	(1U << 0)
#define SUBZERO_EXIT_REASONS	80

struct subzero_cpu_stats {
	__u32 size;		/* in: sizeof(struct subzero_cpu_stats) */
	__u32 cpu;		/* in: CPU number */
	__u32 flags;		/* out: SUBZERO_CPU_* */
	__u32 vpid;		/* out */
	__u64 launch_tsc;	/* out: TSC when the CPU was virtualized */
	__u64 root_tsc;		/* out: TSC cycles spent in exit handlers */
	__u64 exits_other;	/* out: exits with a reason >= SUBZERO_EXIT_REASONS */
	__u64 exits[SUBZERO_EXIT_REASONS];	/* out: by basic exit reason */
	__u64 reserved[4];
};

#define SUBZERO_IOC_INFO	_IOWR(SUBZERO_IOC_MAGIC, 0x00, struct subzero_info)
#define SUBZERO_IOC_GET_CAPS	_IOWR(SUBZERO_IOC_MAGIC, 0x01, struct subzero_caps)
#define SUBZERO_IOC_CPU_STATS	_IOWR(SUBZERO_IOC_MAGIC, 0x02, struct subzero_cpu_stats)

#endif
