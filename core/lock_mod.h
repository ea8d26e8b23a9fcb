/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The lock's W^X for modules (issue 14, point 4: "and each module's, from when it goes
 * live until it is unloaded").  Once a CPU holds the core kernel's W^X (lock_wx.h),
 * the glue hands root each module's text, read-only data and read-only-after-init
 * data as physical runs: at lock time for the modules already live, and from a module
 * notifier for each module that goes live later (MODULE_STATE_LIVE: its own init has
 * run, its ro/nx set up); at MODULE_STATE_GOING, before the loader frees the pages,
 * it asks root to release them.  Root makes the runs read/execute-only in this CPU's
 * EPT exactly as the core kernel's ranges: a write exits, the kernel's own text
 * patching (text_poke(), which patches module text through the same poking_mm
 * window: jump labels, static calls, ftrace, kprobes, livepatch) goes through for
 * one step and is counted, any other write is discarded and is an event
 * (lock_wx_violation() treats both alike, through lock_page_perm()).
 *
 * Module memory is vmalloc'd: one module is many runs of physically contiguous pages,
 * each mostly inside a 2 MiB leaf that it splits (one EPT table page per 2 MiB
 * block touched, returned when the last run in it is released).
 *
 * What root checks, on its own (hidden) copy of the glue's arguments:
 *  ADD: a known op and magic, an id other than 0, 1..LOCK_MOD_ARG_RUNS runs, each
 *  page aligned, not empty, at most LOCK_MOD_RUN_PAGES, wholly RAM and inside the
 *  EPT's map, overlapping neither another run (of this call or already registered)
 *  nor the core kernel's ranges, holding none of the hypervisor's own pages; the
 *  table stays within LOCK_MOD_RUNS runs and the EPT tables the runs take within
 *  LOCK_MOD_EPT_TABLES (else the call is undone: -ENOSPC, -ENOMEM).  The core W^X
 *  must be on (-ENOENT otherwise: without it there is no poke window, and module
 *  text patching would break).  Several ADDs may carry one id (a module with more
 *  runs than one call holds).
 *  Release (its own hypercall, the id in a register: no guest memory): an id root
 *  registered (-ENOENT otherwise, an event): exactly the runs added under it are
 *  released, never anything else, so a release can never touch the core kernel's
 *  ranges, which are not module runs and cannot overlap one.  LOCK_MOD_ALL releases
 *  every module run (a CPU coming back online: the glue then adds the modules live
 *  now; pages freed while it was out may have been reused).
 *
 * What a release means: it is a loosening, and the lock allows it for module runs
 * only.  Root cannot tell an unload from a rootkit that calls subzero's own release
 * path (code reuse: the hypercall is accepted only from subzero's sealed text, but
 * any ring-0 code can call that text): so ring-0 code can release a module's
 * protection, and then write that module's text; it cannot release the core
 * kernel's.  Every release is an event (LOCK_EV_MOD_DEL, allowed), as is every
 * registration (LOCK_EV_MOD_ADD) and every refused call (refused).
 */
#ifndef SUBZERO_LOCK_MOD_H
#define SUBZERO_LOCK_MOD_H

#include "types.h"

#define LOCK_MOD_ARGS_MAGIC	0x646f6d73U	/* "smod" */
#define LOCK_MOD_ADD		1	/* the one op of struct lock_mod_args */
#define LOCK_MOD_ALL		(~0ULL)	/* release: every run, not one id's */
/*
 * Runs per call (the arguments: half a page), and registered at once per CPU (root's
 * table, hidden).  Both sized so that a vcpu stays within its 128 KiB allocation; the
 * EPT budget (32 tables: 32 distinct 2 MiB blocks) binds before the table does.
 */
#define LOCK_MOD_ARG_RUNS	127
#define LOCK_MOD_RUNS		256
/* one run at most: 64 MiB, more than any module's text and read-only data */
#define LOCK_MOD_RUN_PAGES	16384
/* EPT table pages the module runs may take, per CPU (in VMX_EPT_LOCK_RESERVE) */
#define LOCK_MOD_EPT_TABLES	32

struct lock_mod_arg_run {
	u64 start;			/* guest-physical, page aligned */
	u32 pages;
	u32 flags;			/* LOCK_MOD_RUN_CODE */
};

/* lock_mod_arg_run.flags: the run is code, executable in kernel mode (MBEC) */
#define LOCK_MOD_RUN_CODE	1U

/* What the glue passes in the LOCK_MOD hypercall (by physical address): guest memory. */
struct lock_mod_args {
	u32 magic;			/* LOCK_MOD_ARGS_MAGIC */
	u32 op;				/* LOCK_MOD_ADD */
	u32 id;				/* the module's, given by the glue; not 0 */
	u32 nr;				/* runs used (ADD) */
	struct lock_mod_arg_run run[LOCK_MOD_ARG_RUNS];
};
_Static_assert(sizeof(struct lock_mod_args) == 2048, "half a page");

struct lock_mod_run {
	u64 start;
	u32 pages : 31;
	u32 code : 1;			/* LOCK_MOD_RUN_CODE */
	u32 id;
};

/* Root's table (hidden): the runs registered on this CPU, unordered. */
struct lock_mods {
	unsigned int nr;
	struct lock_mod_run run[LOCK_MOD_RUNS];
	unsigned int tables;		/* EPT table pages the runs took */
	unsigned int pages;		/* pages registered */
};

struct lock_wx;
struct ram_map;

/*
 * Check an ADD (@a: root's copy) against the table @m, the core W^X @wx (on, and
 * not overlapped), @ram and @map_limit (see the top of this file for the rules).
 * 0 or the refusal's errno.  Pure.
 */
int lock_mod_check_add(const struct lock_mods *m, const struct lock_wx *wx,
		       const struct lock_mod_args *a, const struct ram_map *ram, u64 map_limit);

/* Is @gpa in a registered module run?  Pure. */
bool lock_mod_covers(const struct lock_mods *m, u64 gpa);

/* The registered run holding @gpa, or NULL.  Pure. */
const struct lock_mod_run *lock_mod_find(const struct lock_mods *m, u64 gpa);

/* How many runs @id has in @m.  Pure. */
unsigned int lock_mod_count(const struct lock_mods *m, u32 id);

/* Append @a's runs under its id (after lock_mod_check_add()).  Pure. */
void lock_mod_insert(struct lock_mods *m, const struct lock_mod_args *a);

/* Drop the runs of @id (every run if @all); the number dropped.  Pure. */
unsigned int lock_mod_remove(struct lock_mods *m, u32 id, bool all);

/*
 * The errno that refuses a module's load when its text and read-only data cannot be
 * held (the glue's COMING notifier): @err is root's answer to a LOCK_MOD call, or the
 * glue's -E2BIG (more runs than its calls for one module carry).  A budget (root's
 * run table or EPT tables full: -ENOSPC, -ENOMEM; -E2BIG) is -ENOSPC; any other
 * refusal is -EPERM, the errno of the kernel's own policy refusals of a load
 * (modules_disabled, lockdown): the lock does not permit a module it cannot hold.
 * Pure.
 */
int lock_mod_refusal(int err);

struct vcpu;

/*
 * The EPT rights the lock leaves @gpa on @v: read and execute inside the core
 * kernel's ranges or a module run, all outside; with kernel-mode execution restricted
 * (lock_wx.h) EPT_NO_KEXEC on all RAM but code.  Root-safe (pure on @v).
 */
unsigned int lock_page_perm(const struct vcpu *v, u64 gpa);

/*
 * Root: applied watches and protections inside [@s, @e) get the rights the lock now
 * leaves their page, less what they watch (write without read is a misconfiguration).
 * Root-safe.
 */
void lock_reapply_watches(struct vcpu *v, u64 s, u64 e);

/*
 * Root, the LOCK_MOD hypercall: copy the arguments at guest-physical @args_pa into
 * the vcpu's hidden buffer, check them and apply them to this CPU's EPT (INVEPT
 * included).  0 or a negative errno; nothing is changed on an error.  Root-safe.
 */
int lock_mod_hypercall(struct vcpu *v, u64 args_pa);

/*
 * Root, the LOCK_MOD_RELEASE hypercall: release the runs of module @id (LOCK_MOD_ALL:
 * every run).  0, or -ENOENT for an id not registered (an event).  Root-safe.
 */
int lock_mod_release(struct vcpu *v, u64 id);

#endif
