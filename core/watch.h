/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Watch and protect: guest-physical pages whose accesses the hypervisor sees, through
 * the EPT permissions of each CPU's own map (ept.h).
 *
 *  - watch: the chosen accesses (read, write, execute) to a page are recorded (CPU,
 *    GPA, GLA, guest RIP, access, TSC) into that CPU's event ring, and then complete:
 *    the page is opened on this CPU only, the guest runs exactly one instruction, and
 *    the page is closed again.
 *  - protect: writes to a page are recorded and discarded.  The writing instruction
 *    runs once against a private copy of the page (so it completes, without a fault
 *    and with the value it read being the page's real content), and the copy is
 *    dropped afterwards: the guest's next read sees the page unchanged.
 *
 * One instruction is single-stepped with the monitor trap flag where the CPU has it,
 * else with RFLAGS.TF and a #DB intercept (Bochs has no MTF).  In both cases the entry
 * that starts the step holds back interrupts for that one instruction (blocking by
 * STI, when RFLAGS.IF is set) so that the step is the watched instruction and not an
 * interrupt handler; NMIs held meanwhile are delivered when the step ends.
 *
 * The list of pages is one table shared by every CPU: user space changes it from normal
 * context (one writer, serialized by the OS layer), then asks every CPU to apply it to
 * its own EPT in root (watch_sync) and INVEPT.  Root code only reads it.
 */
#ifndef SUBZERO_WATCH_H
#define SUBZERO_WATCH_H

#include "types.h"
#include "log.h"

#define WATCH_MAX		32
#define WATCH_EVENTS		256		/* per CPU, a power of two */
/* Watched pages one instruction may touch (the step opens them all). */
#define WATCH_STEP_PAGES	4

#define WATCH_KIND_WATCH	1
#define WATCH_KIND_PROTECT	2
#define WATCH_KIND_LOCK		3	/* a lock event (lock.h): not a table entry */

/* Access bits: the EPT permission bits (EPT_READ, EPT_WRITE, EPT_EXEC). */
#define WATCH_R			1U
#define WATCH_W			2U
#define WATCH_X			4U

struct watch {
	u64 gpa;			/* page aligned */
	u32 access;			/* WATCH_R/W/X: what is recorded */
	u32 kind;			/* WATCH_KIND_*, 0 = free slot */
	bool ram;			/* ordinary RAM (watch_add's @ram) */
};

struct watch_event {
	u64 tsc;
	u64 gpa;
	u64 gla;			/* valid if flags & WATCH_EV_GLA */
	u64 rip;
	u32 cpu;
	u32 access;			/* the attempted access: WATCH_R, _W or _X */
	u32 kind;
	u32 flags;
};

#define WATCH_EV_GLA		BIT(0)	/* gla is valid */
#define WATCH_EV_DISCARDED	BIT(1)	/* a write to a protected page, not performed */
/*
 * Lock events (kind WATCH_KIND_LOCK): access is an enum lock_what, gla the target
 * (the CR bits, MSR number...), gpa the value attempted; one of these says the outcome.
 */
#define WATCH_EV_REFUSED	BIT(2)	/* refused (#GP, -EPERM) */
#define WATCH_EV_ALLOWED	BIT(3)	/* allowed by an exception, or the lock taken */

/*
 * One CPU's events: written in root, read by the OS (one reader).  As in the log ring
 * (log.h): head and tail are each written by one side and read by the other with
 * __atomic loads and stores; dropped only grows (see log.h).
 */
struct watch_ring {
	/* the reader's page (guest read-write), as in struct log_ring */
	u32 tail;
	u32 dropped_seen;		/* drops the reader has reported */
	u8 reader_pad[RING_READER_BYTES - 2 * sizeof(u32)];
	/* the writer's (root): guest read-only */
	u32 head;
	u32 dropped;			/* events the writer found no room for, ever */
	struct watch_event ev[WATCH_EVENTS];
};

_Static_assert(__builtin_offsetof(struct watch_ring, head) == RING_READER_BYTES,
	       "the event ring's reader part is one page");

/*
 * The physical ranges that are RAM, as the OS reported them at load ([start, end),
 * page aligned).  Each vcpu keeps its own copy in its hidden state: root checks a page
 * to watch or protect against it (never MMIO: protecting copies the page).
 */
#define RAM_MAP_MAX		64

struct ram_range {
	u64 start, end;
};

struct ram_map {
	unsigned int nr;
	struct ram_range range[RAM_MAP_MAX];
};

/*
 * Add [start, end) (rounded inward to whole pages) to @m, merging it with a range it
 * touches.  -ENOSPC when @m is full.  Not root-safe (the OS layer calls it at load).
 */
int ram_map_add(struct ram_map *m, u64 start, u64 end);
/* Does @m hold the whole page at @pa? */
bool ram_map_has(const struct ram_map *m, u64 pa);

/*
 * The table every CPU applies; only watch_add/watch_del change it.  It is guest
 * memory: root never applies it as it stands, but copies it into the vcpu's hidden
 * state and checks every entry first (watch_sync()).
 */
extern struct watch watch_table[WATCH_MAX];

/*
 * Add a page to the table (not yet applied to any EPT: call watch_sync on every CPU
 * next).  @ram: the OS's memory map says the page is ordinary RAM (not MMIO, not a
 * hole).  -EINVAL for an unaligned gpa, a kind or access outside the definitions, or
 * a protect with access other than WATCH_W; -ENXIO for a protect of a page that is
 * not RAM; -EEXIST if the page is already there; -ENOSPC when the table is full.  Not
 * root-safe; one caller at a time.
 */
int watch_add(u64 gpa, u32 access, u32 kind, bool ram);
/* Remove a page: -ENOENT if absent.  Same rules as watch_add. */
int watch_del(u64 gpa);

struct vcpu;

/*
 * Root: may @v's EPT apply @w, the entry in slot @slot of its checked copy
 * (v->wanted)?  0; -EINVAL for an unaligned page, or a kind or access outside the
 * definitions (as watch_add() would say); -EEXIST if an earlier slot has the page;
 * -ERANGE beyond the EPT's map; -EFAULT if the page is not RAM by v->ram (MMIO);
 * -EACCES if it is one of the hypervisor's own pages (hidden in this EPT, or
 * read-only and sealed) or the scratch page.  Root-safe.
 */
int watch_check(struct vcpu *v, const struct watch *w, unsigned int slot);

/* Root: add @ev to @r (dropped, and counted, when the ring is full).  One writer. */
void watch_ring_put(struct watch_ring *r, const struct watch_event *ev);

/* Take the oldest event; false if the ring is empty.  One reader at a time. */
bool watch_take(struct watch_ring *r, struct watch_event *ev);
/*
 * Look at the next event after *cursor without taking it (the tracepoint's view: the
 * events stay for watch_take), and move *cursor past it; false when there is none.
 * An event already taken is skipped.  The same reader as watch_take.
 */
bool watch_peek(const struct watch_ring *r, u32 *cursor, struct watch_event *ev);
/* Events dropped since the last call.  The same reader. */
u32 watch_take_dropped(struct watch_ring *r);

struct vcpu;
struct guest_regs;

/*
 * Root side (watch.c): apply watch_table to @v's EPT, and the exits of a watched
 * access, with exit.c's handler contract (0 resume, negative errno: fail closed).
 */
int watch_sync(struct vcpu *v);
int handle_ept_violation(struct vcpu *v, struct guest_regs *r);
int handle_ept_misconfig(struct vcpu *v, struct guest_regs *r);
int handle_monitor_trap(struct vcpu *v, struct guest_regs *r);
/*
 * Exits only a step asks for: any exception (TF step), an external interrupt (TF
 * step with interrupt exiting), the VMX-preemption timer (a step over a delivery).
 */
int watch_step_exception(struct vcpu *v, struct guest_regs *r);
int watch_step_interrupted(struct vcpu *v, struct guest_regs *r);
int watch_step_timer(struct vcpu *v, struct guest_regs *r);
/*
 * The monitor trap flag probe (SUBZERO_HC_MTF_PROBE, hypercall context): @phase 0 arms
 * the control, 1 answers whether its exit came (1) or not (0: this CPU steps with
 * RFLAGS.TF from now on, and says so in its log).  -EINVAL without MTF or for another
 * phase, -EBUSY while a step is active.
 */
int watch_mtf_probe(struct vcpu *v, u64 phase);
struct ept_violation;
/* Root: the watch this CPU has applied for @gpa (its own copy), or NULL. */
const struct watch *watch_applied(const struct vcpu *v, u64 gpa);
/*
 * Root: let the faulting access to @page (leaf @leaf, any level) complete by stepping
 * one instruction: @w's kind says how (a protected page's write goes to a copy, 4 KiB
 * leaves only; else the leaf gains @open, EPT_* rights), recorded as @w's event
 * unless @quiet.  0 or a negative errno (exit.c's contract).
 */
int watch_step_page(struct vcpu *v, const struct watch *w, u64 page, u64 *leaf,
		    const struct ept_violation *d, u64 gpa, bool quiet, unsigned int open);
/* A GPA above the map limit: map that page identity (0) or fail. */
int watch_map_beyond(struct vcpu *v, u64 page);

#endif
