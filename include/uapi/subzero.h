/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * subzero's user/kernel ABI: the ioctls of /dev/subzero.
 *
 * Rules: every struct is made of __u64 (or pairs of __u32) with explicit padding, so
 * its layout is the same for every compiler; every struct starts with a __u32 size
 * that the caller sets to sizeof(struct) and the kernel checks, so a mismatched tool
 * gets -EINVAL instead of garbage; reserved fields must be zero on the way in (-EINVAL
 * otherwise: they can get a meaning later) and are zero on the way out; fields marked
 * "out" are ignored on the way in; SUBZERO_ABI_VERSION changes on any incompatible
 * change.
 *
 * Errors: -ENOTTY for an unknown ioctl, -EINVAL for a wrong size, a non-zero reserved
 * field or a CPU number >= nr_cpu_ids, -EFAULT for a bad pointer, -ENXIO for a CPU that
 * is offline or (where the request needs it) not virtualized.
 */
#ifndef _UAPI_SUBZERO_H
#define _UAPI_SUBZERO_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define SUBZERO_DEVICE		"/dev/subzero"
#define SUBZERO_ABI_VERSION	2
#define SUBZERO_IOC_MAGIC	0xB7

/* subzero_info.flags */
#define SUBZERO_INFO_ATTACHED	(1U << 0)	/* CPUs are virtualized (not detached) */

/* SUBZERO_IOC_INFO: what the module is. */
struct subzero_info {
	__u32 size;		/* in: sizeof(struct subzero_info) */
	__u32 abi_version;	/* out: SUBZERO_ABI_VERSION */
	__u32 nr_cpu_ids;	/* out: CPU numbers run from 0 to nr_cpu_ids - 1 */
	__u32 nr_cpus_online;	/* out */
	__s64 alloc_count;	/* out: the module's allocations not yet freed */
	__u32 tsc_khz;		/* out: TSC ticks per millisecond */
	__u32 flags;		/* out: SUBZERO_INFO_* */
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

/*
 * SUBZERO_IOC_CPU_STATS: one CPU's hypervisor state and per-exit-reason counters.  The
 * counters start at 0 each time the CPU is virtualized (load, attach, online).
 *
 * Two sizes are accepted, and the answer is as long as the question:
 * SUBZERO_CPU_STATS_SIZE_V1 (up to exit_root_tsc[], what tools before the histograms
 * ask for) and sizeof(struct subzero_cpu_stats) (with hist[]).
 */
#define SUBZERO_CPU_VIRTUALIZED	(1U << 0)
#define SUBZERO_CPU_ONLINE	(1U << 1)
#define SUBZERO_EXIT_REASONS	80
#define SUBZERO_EXIT_HIST_BUCKETS	32

/* One exit reason's time in root, as a distribution (perf kvm stat's min/max, log2). */
struct subzero_exit_hist {
	__u64 min_root_tsc;	/* out: the shortest exit, TSC cycles in root (0: none) */
	__u64 max_root_tsc;	/* out: the longest */
	/* out: [b]: exits of 2^b to 2^(b+1) - 1 cycles ([0]: 0 or 1; the last: longer) */
	__u64 log2[SUBZERO_EXIT_HIST_BUCKETS];
};

struct subzero_cpu_stats {
	__u32 size;		/* in: sizeof(struct subzero_cpu_stats) */
	__u32 cpu;		/* in: CPU number */
	__u32 flags;		/* out: SUBZERO_CPU_* */
	__u32 vpid;		/* out */
	__u64 launch_tsc;	/* out: TSC when the CPU was virtualized */
	__u64 now_tsc;		/* out: TSC when these numbers were read */
	__u64 ept_pages;	/* out: pages of EPT paging structures in use (0: no EPT) */
	__u64 root_tsc;		/* out: TSC cycles spent in exit handlers, in all */
	__u64 exits_other;	/* out: exits with a reason >= SUBZERO_EXIT_REASONS */
	__u64 root_tsc_other;	/* out: cycles in root for those */
	__u64 eptp;		/* out: the EPT pointer (0: no EPT) */
	__u64 ept_pool_pages;	/* out: pages set aside for this CPU's EPT (in use or not) */
	__u64 reserved[2];
	__u64 exits[SUBZERO_EXIT_REASONS];	/* out: by basic exit reason */
	__u64 exit_root_tsc[SUBZERO_EXIT_REASONS];	/* out: cycles in root, by reason */
	/* from here on only with size == sizeof(struct subzero_cpu_stats) */
	struct subzero_exit_hist hist[SUBZERO_EXIT_REASONS];	/* out: by reason */
};

#define SUBZERO_CPU_STATS_SIZE_V1	1376	/* offsetof(struct subzero_cpu_stats, hist) */

/*
 * SUBZERO_IOC_VMCS: one CPU's VMCS, every field of the SDM's Appendix B, read by that
 * CPU in VMX root (a hypercall from the CPU itself makes the hypervisor VMREAD them
 * into its own buffer) and copied out here.  Fields come in the order of the
 * hypervisor's field table (by encoding); a field the CPU does not support (VMREAD
 * fails) has no SUBZERO_VMCS_FIELD_SUPPORTED and value 0.  -ENXIO if the CPU is not
 * virtualized.
 */
#define SUBZERO_VMCS_MAX_FIELDS		256
#define SUBZERO_VMCS_FIELD_SUPPORTED	(1U << 0)

struct subzero_vmcs_field {
	__u32 encoding;		/* SDM Vol. 3D, Appendix B */
	__u32 flags;		/* SUBZERO_VMCS_FIELD_* */
	__u64 value;
};

struct subzero_vmcs {
	__u32 size;		/* in: sizeof(struct subzero_vmcs) */
	__u32 cpu;		/* in: CPU number */
	__u32 nr_fields;	/* out: entries of fields[] filled */
	__u32 reserved32;
	__u64 reserved[4];
	__u64 tsc;		/* out: TSC when the fields were read */
	struct subzero_vmcs_field fields[SUBZERO_VMCS_MAX_FIELDS];	/* out */
};

/*
 * SUBZERO_IOC_LOG: the hypervisor's log.  Code in VMX root writes per-CPU rings; the
 * module drains them (into the kernel log, and) into a history of the last 64 KiB of
 * lines, each with a sequence number that grows by one per line from 0.  This returns
 * up to SUBZERO_LOG_BATCH lines with a sequence number >= from_seq, oldest first;
 * ask again from next_seq for more.  Lines older than oldest_seq were overwritten.
 */
#define SUBZERO_LOG_BATCH	16
#define SUBZERO_LOG_TEXT	160

struct subzero_log_line {
	__u64 seq;
	__u64 tsc;		/* TSC when the hypervisor wrote it */
	__u32 cpu;
	__u32 reserved;
	char text[SUBZERO_LOG_TEXT];	/* NUL-terminated */
};

struct subzero_log {
	__u32 size;		/* in: sizeof(struct subzero_log) */
	__u32 nr_lines;		/* out: entries of lines[] filled */
	__u64 from_seq;		/* in: the first sequence number wanted */
	__u64 next_seq;		/* out: where to continue */
	__u64 oldest_seq;	/* out: the oldest line still held */
	__u64 reserved[4];
	struct subzero_log_line lines[SUBZERO_LOG_BATCH];	/* out */
};

/*
 * SUBZERO_IOC_DETACH / SUBZERO_IOC_ATTACH: take every online CPU out of VMX without
 * unloading the module, or put them back (all or nothing: a CPU that fails undoes the
 * others).  While detached, CPUs coming online stay detached.  Asking for the state
 * already in force changes nothing and succeeds without SUBZERO_ATTACH_CHANGED.
 */
#define SUBZERO_ATTACH_CHANGED	(1U << 0)

struct subzero_attach {
	__u32 size;		/* in: sizeof(struct subzero_attach) */
	__u32 flags;		/* out: SUBZERO_ATTACH_* */
	__u32 nr_virtualized;	/* out: CPUs virtualized afterwards */
	__u32 reserved32;
	__u64 reserved[2];
};

/*
 * SUBZERO_IOC_WATCH: add or remove a watched or protected guest-physical page.
 *   watch:   the accesses in "access" are recorded as events, and complete;
 *   protect: writes are recorded and discarded (access must be SUBZERO_ACCESS_W).
 * Errors: -EINVAL (unaligned, out of the EPT's range, bad op/kind/access), -EACCES
 * (the page is the hypervisor's own memory), -EEXIST, -ENOENT, -ENOSPC (table full,
 * SUBZERO_WATCH_MAX), -ENOMEM (a CPU's EPT has no table page left to split),
 * -EOPNOTSUPP (running without EPT).
 */
#define SUBZERO_WATCH_ADD	1
#define SUBZERO_WATCH_DEL	2
#define SUBZERO_KIND_WATCH	1
#define SUBZERO_KIND_PROTECT	2
#define SUBZERO_ACCESS_R	(1U << 0)
#define SUBZERO_ACCESS_W	(1U << 1)
#define SUBZERO_ACCESS_X	(1U << 2)
#define SUBZERO_WATCH_MAX	32

struct subzero_watch {
	__u32 size;		/* in: sizeof(struct subzero_watch) */
	__u32 op;		/* in: SUBZERO_WATCH_ADD or _DEL */
	__u64 gpa;		/* in: 4 KiB aligned */
	__u32 access;		/* in (add): SUBZERO_ACCESS_* */
	__u32 kind;		/* in (add): SUBZERO_KIND_* */
	__u64 reserved[2];
};

struct subzero_watch_entry {
	__u64 gpa;
	__u32 access;
	__u32 kind;
};

/* SUBZERO_IOC_WATCH_LIST: the table. */
struct subzero_watch_list {
	__u32 size;		/* in: sizeof(struct subzero_watch_list) */
	__u32 nr;		/* out: entries of w[] filled */
	__u64 reserved[2];
	struct subzero_watch_entry w[SUBZERO_WATCH_MAX];	/* out */
};

/* SUBZERO_IOC_EVENTS: take up to SUBZERO_EVENTS_BATCH events from one CPU's ring. */
#define SUBZERO_EVENTS_BATCH	64
#define SUBZERO_EVENT_GLA	(1U << 0)	/* gla is valid */
#define SUBZERO_EVENT_DISCARDED	(1U << 1)	/* a protected write, not performed */

struct subzero_event {
	__u64 tsc;
	__u64 gpa;
	__u64 gla;
	__u64 rip;		/* the guest's RIP: the accessing instruction */
	__u32 cpu;
	__u32 access;		/* SUBZERO_ACCESS_R, _W or _X: what was attempted */
	__u32 kind;		/* SUBZERO_KIND_* of the page */
	__u32 flags;		/* SUBZERO_EVENT_* */
};

struct subzero_events {
	__u32 size;		/* in: sizeof(struct subzero_events) */
	__u32 cpu;		/* in: CPU number */
	__u32 nr;		/* out: entries of ev[] filled */
	__u32 dropped;		/* out: events lost to a full ring since the last call */
	__u64 reserved[2];
	struct subzero_event ev[SUBZERO_EVENTS_BATCH];	/* out */
};

/*
 * SUBZERO_IOC_EPT_QUERY: how one CPU's EPT maps a guest-physical address, read by that
 * CPU in VMX root.  -ERANGE beyond the map, -EOPNOTSUPP without EPT, -ENXIO if the
 * CPU is not virtualized.
 */
struct subzero_ept_query {
	__u32 size;		/* in: sizeof(struct subzero_ept_query) */
	__u32 cpu;		/* in: CPU number */
	__u64 gpa;		/* in */
	__u64 leaf;		/* out: the leaf entry (SDM Vol. 3C, 29.3.2) */
	__u64 hpa;		/* out: the host-physical address gpa maps to */
	__u32 level;		/* out: 1 = 4 KiB page, 2 = 2 MiB, 3 = 1 GiB */
	__u32 memtype;		/* out: 0 UC, 1 WC, 4 WT, 5 WP, 6 WB */
	__u32 perm;		/* out: SUBZERO_ACCESS_* allowed */
	__u32 reserved32;
	__u64 reserved[2];
};

/*
 * SUBZERO_IOC_LOCK: the lock (one way, until reboot).  op SUBZERO_LOCK_TAKE takes it on
 * every online CPU (and every CPU that comes online later); op SUBZERO_LOCK_QUERY only
 * reads.  Either way the answer is CPU @cpu's lock state and counters, as the hypervisor
 * published them.  Once locked: rmmod fails (the module is in use), detach and
 * removing a watch or protection fail with -EPERM, and the hypervisor refuses with #GP
 * a write clearing a pinned CR0/CR4 bit or changing a locked MSR.  -ENXIO to take it
 * while detached.
 */
#define SUBZERO_LOCK_QUERY	0
#define SUBZERO_LOCK_TAKE	1
#define SUBZERO_LOCK_ON		(1U << 0)	/* flags: this CPU is locked */
#define SUBZERO_LOCK_CHANGED	(1U << 1)	/* flags: TAKE took it (was not locked) */
#define SUBZERO_LOCK_CET	(1U << 2)	/* flags: the CPU has CET: its MSRs locked */
#define SUBZERO_LOCK_ANY	(1U << 3)	/* flags: the module is locked */
#define SUBZERO_LOCK_DT		(1U << 4)	/* flags: descriptor-table exiting on: LGDT/LIDT held */
#define SUBZERO_LOCK_WX		(1U << 5)	/* flags: kernel text/rodata W^X on this CPU */
#define SUBZERO_LOCK_MBEC	(1U << 6)	/* flags: the CPU has mode-based execute
						 * control */
#define SUBZERO_LOCK_KEXEC	(1U << 7)	/* flags: kernel-mode execution restricted
						 * to code on this CPU (MBEC used) */
/*
 * Three sizes are accepted, and the answer is as long as the question:
 * SUBZERO_LOCK_SIZE_V1 (up to wx_refused, what tools before the kernel text W^X ask
 * for; wx_tables and wx_allowed were reserved there, zero), SUBZERO_LOCK_SIZE_V2 (up
 * to kexec_refused: tools before kernel-mode execution control) and
 * sizeof(struct subzero_lock).
 */
#define SUBZERO_LOCK_SIZE_V1	104	/* offsetof(struct subzero_lock, wx_refused) */
#define SUBZERO_LOCK_SIZE_V2	112	/* offsetof(struct subzero_lock, kexec_refused) */

struct subzero_lock {
	__u32 size;		/* in: sizeof(struct subzero_lock) */
	__u32 cpu;		/* in: the CPU whose state is returned */
	__u32 op;		/* in: SUBZERO_LOCK_QUERY or _TAKE */
	__u32 flags;		/* out: SUBZERO_LOCK_* */
	__u64 cr0_pinned;	/* out: the CR0 bits pinned */
	__u64 cr4_pinned;	/* out: the CR4 bits pinned */
	__u64 cr_refused;	/* out: CR writes refused (#GP) */
	__u64 msr_refused;	/* out: WRMSRs refused (#GP) */
	__u64 msr_kept;		/* out: WRMSRs to a locked MSR keeping its value (allowed) */
	__u64 hc_refused;	/* out: hypercalls refused (devirtualize, loosening a table) */
	__u64 devirt_offline;	/* out: CPU offlines that left VMX (allowed) */
	__u64 restored;		/* out: locked values put back when the CPU came back */
	__u32 nr_locked;	/* out: online CPUs locked */
	__u32 wx_tables;	/* out: EPT table pages the W^X ranges took on this CPU */
	__u64 dt_refused;	/* out: LGDT/LIDT to a base the lock does not allow (#GP) */
	__u64 wx_allowed;	/* out: writes to kernel text/rodata by text_poke() (allowed) */
	__u64 wx_refused;	/* out: other writes to kernel text/rodata (discarded) */
	__u64 kexec_refused;	/* out: kernel-mode fetches outside code refused (MBEC) */
};

/*
 * Lock events (SUBZERO_IOC_EVENTS, kind SUBZERO_KIND_LOCK): access is what was
 * attempted (SUBZERO_LOCK_EV_*), gla the target (CR: the pinned bits the write would
 * clear; MSR: its number; DEVIRT: the hypercall's argument; WATCH: the page; GDTR,
 * IDTR: 0), gpa the value written (CR, MSR; GDTR, IDTR: the base) or 0; flags say the
 * outcome.
 */
#define SUBZERO_KIND_LOCK	3
#define SUBZERO_EVENT_REFUSED	(1U << 2)
#define SUBZERO_EVENT_ALLOWED	(1U << 3)	/* by an exception, or the lock taken */
#define SUBZERO_LOCK_EV_CR0	1
#define SUBZERO_LOCK_EV_CR4	2
#define SUBZERO_LOCK_EV_MSR	3
#define SUBZERO_LOCK_EV_GDTR	4
#define SUBZERO_LOCK_EV_IDTR	5
#define SUBZERO_LOCK_EV_DEVIRT	6
#define SUBZERO_LOCK_EV_WATCH	7
#define SUBZERO_LOCK_EV_LOCKED	8
#define SUBZERO_LOCK_EV_RESTORED 9
#define SUBZERO_LOCK_EV_KTEXT	10	/* gla: the GPA's page written, gpa: its linear address */
/* a module's text/rodata registered (W^X from then on) or released; gla: its id, gpa: pages */
#define SUBZERO_LOCK_EV_MOD_ADD	11
#define SUBZERO_LOCK_EV_MOD_DEL	12
/* a kernel-mode fetch outside code refused (MBEC); gla: the page (GPA), gpa: the linear address */
#define SUBZERO_LOCK_EV_KEXEC	13

#define SUBZERO_IOC_INFO	_IOWR(SUBZERO_IOC_MAGIC, 0x00, struct subzero_info)
#define SUBZERO_IOC_GET_CAPS	_IOWR(SUBZERO_IOC_MAGIC, 0x01, struct subzero_caps)
/* The number keeps the first struct's size: the struct grew, the request did not change. */
#define SUBZERO_IOC_CPU_STATS	_IOC(_IOC_READ | _IOC_WRITE, SUBZERO_IOC_MAGIC, 0x02, \
				     SUBZERO_CPU_STATS_SIZE_V1)
#define SUBZERO_IOC_VMCS	_IOWR(SUBZERO_IOC_MAGIC, 0x03, struct subzero_vmcs)
#define SUBZERO_IOC_LOG		_IOWR(SUBZERO_IOC_MAGIC, 0x04, struct subzero_log)
#define SUBZERO_IOC_DETACH	_IOWR(SUBZERO_IOC_MAGIC, 0x05, struct subzero_attach)
#define SUBZERO_IOC_ATTACH	_IOWR(SUBZERO_IOC_MAGIC, 0x06, struct subzero_attach)
#define SUBZERO_IOC_WATCH	_IOWR(SUBZERO_IOC_MAGIC, 0x07, struct subzero_watch)
#define SUBZERO_IOC_WATCH_LIST	_IOWR(SUBZERO_IOC_MAGIC, 0x08, struct subzero_watch_list)
#define SUBZERO_IOC_EVENTS	_IOWR(SUBZERO_IOC_MAGIC, 0x09, struct subzero_events)
#define SUBZERO_IOC_EPT_QUERY	_IOWR(SUBZERO_IOC_MAGIC, 0x0a, struct subzero_ept_query)
#define SUBZERO_IOC_LOCK	_IOC(_IOC_READ | _IOC_WRITE, SUBZERO_IOC_MAGIC, 0x0b, \
				     SUBZERO_LOCK_SIZE_V1)

#endif
