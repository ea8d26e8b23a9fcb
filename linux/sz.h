/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the parts of the Linux glue share: main.c (load, unload, CPU hotplug, attach
 * and detach, the lock), mem.c (the hypervisor's memory at load), ioctl.c and
 * ioctl_watch.c (/dev/subzero), logdrain.c (the hypervisor's log), sysfs.c
 * (/sys/module/subzero/cpus) and lifecycle.c (reboot, kexec, suspend; lifecycle.h).
 * Policy lives in core/; these files only call it, per CPU, under the right locks.
 */
#ifndef SUBZERO_LINUX_SZ_H
#define SUBZERO_LINUX_SZ_H

#include <linux/cpumask.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/types.h>

#include "../core/vmx.h"
#include "../core/vmx_caps.h"

/* Per-CPU capabilities as read at load; a CPU offline then has have_caps clear. */
struct sz_cpu {
	struct vmx_caps caps;
	int read_err;
	bool have_caps;
	struct vcpu *vcpu;	/* while the CPU is virtualized */
	u32 watch_traced;	/* logdrain.c: the watch ring's index traced up to */
};

/* nr_cpu_ids of them, from load to unload. */
extern struct sz_cpu *sz_cpus;
/*
 * Every possible CPU's hypervisor state (NULL for the others), allocated at load so
 * that all of it is hidden from every CPU's guest before any CPU is launched; the
 * array core/private.h takes.
 */
extern struct vcpu **sz_mem;

/*
 * Who may change or look at sz_cpus[].vcpu.  The hotplug callbacks set and clear it
 * with the CPU hotplug lock held: for writing when a CPU goes on- or offline, but only
 * for reading when cpuhp_setup_state()/cpuhp_remove_state() run them for every CPU
 * (load, attach, detach, unload).  So attach and detach also hold sz_lock, and
 * everything else that follows a vcpu pointer holds sz_lock and then the hotplug lock
 * for reading.  Order: sz_lock, then the hotplug lock; the callbacks never take
 * sz_lock (attach and detach wait for them while holding it).
 */
extern struct mutex sz_lock;
extern bool sz_attached;	/* the hotplug state is installed (not detached) */
/* The lock was taken (set once, never cleared; root keeps its own per CPU). */
extern bool sz_locked;
int sz_lock_all(bool *changed, unsigned int *nr_locked);
/*
 * lock_wx.c: the core kernel's text and rodata ranges and text_poke()'s poking_mm and
 * poking_addr for root (core/lock_wx.h), computed by sz_lock_wx_prepare() (may sleep;
 * once) into a kmalloc'd struct lock_wx_args at physical address sz_lock_wx_pa (0 if
 * they could not be found: the lock then has no W^X, and says so).
 */
extern u64 sz_lock_wx_pa;
void sz_lock_wx_prepare(void);
/* A kernel symbol's address (kallsyms_lookup_name(), found by prepare), or 0. */
unsigned long sz_kallsyms(const char *name);

/*
 * lock_mod.c: the modules' text and read-only data W^X (core/lock_mod.h).  prepare
 * (before the lock, no lock held: it registers a module notifier), walk (after the
 * lock, hotplug lock held: registers the modules live now; the notifier takes each
 * later one from COMING, refusing one it cannot hold), and for a CPU coming
 * online: reset (just relaunched, interrupts off: drops every run its root held) then
 * sz_lock_mod_cpu() (locked, on the CPU, may sleep: adds the modules live now).
 */
void sz_lock_mod_prepare(void);
void sz_lock_mod_walk(void);
int sz_lock_mod_cpu_reset(struct vcpu *v, unsigned int cpu);
void sz_lock_mod_cpu(unsigned int cpu);

/* At most this many calls (of LOCK_MOD_ARG_RUNS runs) per module or grant. */
#define SZ_MOD_CHUNKS	4
/* A module's runs (or an executable grant's, lock_exec.c): the calls that add them. */
struct sz_mod {
	struct list_head list;
	struct module *mod;		/* NULL: a grant */
	char name[MODULE_NAME_LEN];
	u32 id;
	unsigned int nr_args, max_args, runs, pages;
	bool fresh;			/* the next run starts a call: the last one was made */
	struct lock_mod_args *args[SZ_MOD_CHUNKS];	/* a page each, page aligned */
	cpumask_var_t cpus;		/* the CPUs whose root holds its runs */
};
u32 sz_lock_mod_new_id(void);
bool sz_lock_mod_core(unsigned long va);
bool sz_lock_mod_core_known(void);
bool sz_vmapped(unsigned long va);
int sz_mod_runs(struct sz_mod *m, unsigned long base, unsigned long size, u32 flags, gfp_t gfp);
void sz_mod_free(struct sz_mod *m);
/* After @m was released on the online CPUs: the offline ones holding it, later. */
void sz_mod_stale(const struct sz_mod *m, gfp_t gfp);
/* CPUs that dropped every run coming back (a lost record): they take all again. */
extern struct cpumask sz_mod_readd, sz_exec_readd;

/*
 * lock_exec.c: memory the kernel makes executable at run time (BPF JIT packs,
 * kprobe slots, ftrace trampolines, modules' init text), granted to root as runs of
 * code while the kernel holds it executable; only where root restricts kernel-mode
 * execution (MBEC), or a test build asks.  prepare (before the lock, no lock held:
 * registers kprobes), walk (after the module walk, hotplug lock held), finish (after
 * the lock, nothing held: drops the kprobes if nothing restricts), and for a CPU
 * coming online: reset (relaunched, interrupts off) then sz_lock_exec_cpu().
 */
extern bool sz_lock_exec;	/* lock_wx.c's module parameter lock_exec */
void sz_lock_exec_prepare(void);
void sz_lock_exec_walk(void);
void sz_lock_exec_finish(void);
void sz_lock_exec_cpu_reset(unsigned int cpu);
void sz_lock_exec_cpu(unsigned int cpu);
/*
 * The second step (core/lock_wx.h): restrict kernel-mode execution where root can,
 * once the modules and run-time code are registered: on every CPU at lock time
 * (hotplug lock held), or on one CPU coming online after its adds.
 */
void sz_lock_kexec_all(void);
void sz_lock_kexec_cpu(unsigned int cpu);

/*
 * main.c: attach (virtualize every online CPU, all or nothing) or detach (take every
 * CPU out of VMX), unless already so; *changed says whether anything was done, and
 * *nr_virtualized how many CPUs are virtualized afterwards.  0, the error of a failed
 * attach, or -EIO when a CPU could not leave VMX at detach.
 */
int sz_set_attached(bool attach, bool *changed, unsigned int *nr_virtualized);

/*
 * mem.c, at load in this order (each 0 or a negative errno, having said why):
 * the module's code and data as root seals them, the RAM map, EPT (or none: a line
 * says why), then every possible CPU's state, hidden from every guest (sz_mem).
 * sz_free_all() frees that state (at unload, or after a failed load).
 */
int sz_text_setup(void);
int sz_ram_setup(void);
int sz_ept_setup(const struct vmx_caps *config);
int sz_alloc_all(const struct vmx_caps *config, u64 msr_bitmap_pa);
void sz_free_all(void);

/* logdrain.c */
void sz_drain(struct vcpu *v);
void sz_drain_locked(void);
void sz_trace_events(unsigned int cpu);
void sz_drain_start(void);
void sz_drain_stop(void);
size_t sz_log_read(u64 from, struct log_hist_line *out, size_t max, u64 *next,
		   u64 *oldest);

/* sysfs.c: /sys/module/subzero/cpus/cpuN/ (neither with sz_lock held) */
int sz_sysfs_init(void);
void sz_sysfs_exit(void);

/* ioctl.c: /dev/subzero */
int sz_dev_register(void);
void sz_dev_unregister(void);

#endif
