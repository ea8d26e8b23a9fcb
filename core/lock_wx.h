/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The lock's W^X for the core kernel (issue 14, point 4): once locked, the kernel's
 * text and read-only data are read/execute-only in every locked CPU's EPT, and a
 * write to them exits.  The write is let through, once, when it is the kernel's own
 * text patching, and discarded (as `protect` discards one) otherwise.
 *
 * What "the kernel's own patching" is.  On x86-64 Linux every run-time write to
 * kernel text (static keys and jump labels, static calls, ftrace, kprobes, the
 * SMP alternatives, the BPF JIT's text_poke_copy()) goes through __text_poke()
 * (arch/x86/kernel/alternative.c), which maps the target page(s) at `poking_addr` in
 * a private mm, `poking_mm`, switches CR3 to it with interrupts off, and writes
 * there.  So a write is allowed iff, at the time of the exit:
 *  - GUEST_CR3's page-table base (PCID bits 11:0, the PTI user-table bit 12 and bit
 *    63 masked) is poking_mm's PGD (its physical address as the CPU sees it: with
 *    SME's encryption bit, __sme_pa()),
 *  - the linear address written is in [poking_addr, poking_addr + 2 pages) (a poke
 *    may cross into a second page) and is the access itself, not a guest
 *    paging-structure update,
 *  - and the guest is at CPL 0.
 * Both values are read once, when the lock is taken, by the module's Linux glue, and
 * kept in root's hidden state (struct lock_wx).  What this does not stop: ring-0 code
 * that calls text_poke() itself, or builds the same situation (switches to poking_mm
 * and maps its target at poking_addr): code reuse, said in the README.
 *
 * The ranges: the glue computes the core kernel's physical text [_stext, _etext),
 * page-rounded, and read-only data [__start_rodata, __end_rodata): not up to the 2 MiB
 * aligned end, as mark_rodata_ro() gives the gaps after _etext and __end_rodata back
 * to the page allocator.  Root copies them (guest memory, struct lock_wx_args) and
 * checks them (lock_wx_check_args(): page aligned, disjoint, RAM; lock_wx_engage():
 * none of the hypervisor's own pages).  Each range is set R+X with ept_set_perm(),
 * which keeps whole large leaves (2 MiB, 1 GiB) and splits only the leaves at its
 * ends: the range is covered at the largest EPT page size that fits (lock_split()
 * says how).  Watched and protected pages inside keep their own (narrower) rights.
 *
 * A refused write lands in a large leaf, mostly: that one leaf is split down to the
 * written 4 KiB page for the step (the write goes to a copy that is dropped, watch.c)
 * and merged back when the step ends, so refused writes cost no pool page for good.
 *
 * Events (kind WATCH_KIND_LOCK, what LOCK_EV_KTEXT): target = the GPA written, value
 * = the linear address (0 if the CPU gave none), RIP the writer's.  A refused write
 * is always an event.  Allowed writes are counted exactly, but recorded only when the
 * count reaches a power of two (1, 2, 4, 8...): enabling the function tracer patches
 * tens of thousands of sites, which would flood the ring and push out the refusals
 * that matter (lock_wx_record_allowed()).
 */
#ifndef SUBZERO_LOCK_WX_H
#define SUBZERO_LOCK_WX_H

#include "types.h"
#include "watch.h"

#define LOCK_WX_RANGES		4
#define LOCK_WX_ARGS_MAGIC	0x78777a73U	/* "szwx" */
/* The poke window: __text_poke() maps two pages (a write may cross one boundary). */
#define LOCK_WX_POKE_PAGES	2

struct lock_wx_range {
	u64 start, end;			/* guest-physical, [start, end), page aligned */
};

/* What the glue passes in the LOCK hypercall (by physical address): guest memory. */
struct lock_wx_args {
	u32 magic;			/* LOCK_WX_ARGS_MAGIC */
	u32 nr;				/* ranges used */
	struct lock_wx_range range[LOCK_WX_RANGES];
	u64 poke_pgd;			/* __sme_pa(poking_mm->pgd) */
	u64 poke_addr;			/* poking_addr */
	u32 code;			/* bit i: range i is code, executable in kernel mode */
	u32 flags;			/* LOCK_WX_KEXEC */
};

/*
 * lock_wx_args.flags: where the CPU has mode-based execute control, restrict
 * kernel-mode execution to code (the ranges in `code`, module runs flagged
 * LOCK_MOD_RUN_CODE); see "Kernel-mode execution" below.
 */
#define LOCK_WX_KEXEC		1U

/* Root's own (hidden) copy, checked. */
struct lock_wx {
	bool on;
	bool kexec_wanted;		/* the glue asked for LOCK_WX_KEXEC */
	bool kexec;			/* kernel-mode execution restricted on this CPU */
	unsigned int nr;
	u32 code;			/* bit i: range i is code */
	struct lock_wx_range range[LOCK_WX_RANGES];
	u64 poke_pgd, poke_addr;
	unsigned int tables;		/* EPT table pages the ranges took at engage */
	/* pages split for refused writes in the current step, merged back at its end */
	u64 split[WATCH_STEP_PAGES];
	unsigned int nr_split;
};

struct ram_map;

/*
 * Check @a (root's copy of the glue's arguments) and fill @wx from it: -EINVAL for a
 * bad magic, no range or too many, a range not page aligned or empty, overlapping
 * ranges, a PGD not page aligned or 0, a poke address not page aligned or not
 * canonical; -ERANGE for a range beyond @map_limit; -EFAULT for one not wholly RAM by
 * @ram.  @wx is changed only on success (then on = false: engage sets it).  Pure.
 */
int lock_wx_check_args(const struct lock_wx_args *a, const struct ram_map *ram,
		       u64 map_limit, struct lock_wx *wx);

/* Is @gpa in one of @wx's ranges (and the W^X on)?  Pure. */
bool lock_wx_covers(const struct lock_wx *wx, u64 gpa);

/* Is @gpa in one of @wx's code ranges (and the W^X on)?  Pure. */
bool lock_wx_code(const struct lock_wx *wx, u64 gpa);

/*
 * The EPT rights the core kernel's ranges leave @gpa: read and execute inside a range,
 * all outside; with kernel-mode execution restricted, EPT_NO_KEXEC on all but code.
 * (Module runs: lock_page_perm().)  Pure.
 */
unsigned int lock_wx_perm(const struct lock_wx *wx, u64 gpa);

/*
 * Is a write with guest CR3 @cr3, to linear address @gla (@gla_ok: the CPU gave it
 * and it is the access itself, not a paging-structure update), at CPL @cpl, the
 * kernel's own text patching (see the top of this file)?  Pure.
 */
bool lock_wx_patch_allowed(const struct lock_wx *wx, u64 cr3, u64 gla, bool gla_ok,
			   unsigned int cpl);

/* Record the @n-th allowed write as an event?  A power of two.  Pure. */
bool lock_wx_record_allowed(u64 n);

struct vcpu;
struct ept_violation;

/*
 * Kernel-mode execution (issue 14, point 4: "where the CPU has mode-based execute
 * control, kernel-mode execution outside kernel and module text is refused too").
 * When the glue asks (LOCK_WX_KEXEC) and the CPU has the control (IA32_VMX_PROCBASED_
 * CTLS2 bit 22 allowed-1), it is turned on in a second step, the LOCK_KEXEC hypercall
 * (lock_kexec_engage()), which the glue makes on each CPU once that CPU's root holds
 * the modules' runs and the kernel's run-time code (lock_mod.h): turning it on at
 * engage would leave module code not executable until those are registered.  It then
 * takes supervisor-execute from every RAM leaf but the hypervisor's own sealed text,
 * and gives it back to the code ranges (`code`: the kernel's text) and the module runs
 * flagged LOCK_MOD_RUN_CODE (their text, and the glue's grants of what the kernel made
 * executable at run time); runs added later get it by the same flag.  Memory that is
 * not RAM keeps it (firmware: EFI runtime services).  User-mode execution is
 * unchanged (bit 10 wherever bit 2 was).  A fetch at CPL 0-2 from a page without it
 * is refused: #GP(0) (#DF if it was an event's delivery), an event LOCK_EV_KEXEC
 * (target the page, value the linear address) and a count.  Why CPL and not the
 * page's U/S: with SMEP pinned a CPL-0 fetch from a user-mode address faults in the
 * guest's own paging before any EPT check, so a kernel fetch that reaches EPT is a
 * supervisor-mode one.  Without the control nothing changes and `kexec` stays false
 * (status says so); the code flags are then only W^X.
 */

/*
 * Root, the LOCK hypercall: copy the arguments at guest-physical @args_pa (0: no
 * W^X, nothing done), check them, refuse ranges holding any of the hypervisor's own
 * pages (-EACCES: hidden, sealed, or the scratch page), and set the ranges R+X in
 * this CPU's EPT, keeping narrower rights of applied watches.  0 (also when already
 * on: one way, nothing changes; and without EPT, logged); -ENOMEM if the pool is
 * short (nothing changed).
 * Root-safe.
 */
int lock_wx_engage(struct vcpu *v, u64 args_pa);

/*
 * Root, the LOCK_KEXEC hypercall: restrict kernel-mode execution on this CPU (above).
 * 0 (also when restricted already: one way); -ENOENT without the W^X; -EOPNOTSUPP
 * when the glue did not ask (lock_exec=0) or the CPU has no MBEC; -ENOMEM when the
 * pool cannot take the splits (nothing changed, logged).  Root-safe.
 */
int lock_kexec_engage(struct vcpu *v);

/*
 * Root, an EPT violation at @gpa whose leaf is @leaf (of @level): a write to a locked
 * range is the lock's, and so is a kernel-mode fetch outside code (kernel-mode
 * execution restricted, above).  Returns 1 when it is not (the caller goes on), else 0 (the
 * write is let through or discarded for one step) or a negative errno (fail closed).
 * Root-safe.
 */
int lock_wx_violation(struct vcpu *v, const struct ept_violation *d, u64 gpa, u64 *leaf,
		      unsigned int level);

/* Root, a step ends (watch.c): merge back the leaf a refused write split.  Root-safe. */
void lock_wx_step_end(struct vcpu *v);

/* Is [@start, @end) wholly inside one range of @ram (whose ranges are merged)?  Pure. */
bool lock_wx_ram_covers(const struct ram_map *ram, u64 start, u64 end);

/*
 * Root: does [@start, @end) hold a page of the hypervisor's own (hidden, sealed, the
 * scratch page), by @v's EPT?  Root-safe.
 */
bool lock_wx_holds_hypervisor(struct vcpu *v, u64 start, u64 end);

/* Root: INVEPT this CPU's EPT and reclaim the tables merges freed.  Root-safe. */
void lock_wx_invept(struct vcpu *v);

#endif
