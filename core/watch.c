// SPDX-License-Identifier: GPL-2.0
/*
 * Watch and protect (see watch.h): the shared table, the per-CPU event rings, and
 * the root side: applying the table to a CPU's EPT, the EPT-violation exit, and the
 * single step that lets one access complete.
 */
#include "watch.h"
#include "lock_wx.h"
#include "lock_mod.h"
#include "ept.h"
#include "errors.h"
#include "lib.h"
#include "exit.h"
#include "os.h"
#include "vmx.h"
#include "arch/x86.h"
#include <cpu_ops.h>

struct watch watch_table[WATCH_MAX];

static struct watch *watch_find(u64 gpa)
{
	unsigned int i;

	for (i = 0; i < WATCH_MAX; i++)
		if (watch_table[i].kind && watch_table[i].gpa == gpa)
			return &watch_table[i];
	return NULL;
}

int watch_add(u64 gpa, u32 access, u32 kind, bool ram)
{
	unsigned int i;

	if (gpa & (PAGE_SIZE - 1) || !access || access & ~(WATCH_R | WATCH_W | WATCH_X))
		return -EINVAL;
	if (kind != WATCH_KIND_WATCH && (kind != WATCH_KIND_PROTECT || access != WATCH_W))
		return -EINVAL;
	/* Protect copies the page in root: MMIO or a hole cannot be copied (or faults). */
	if (kind == WATCH_KIND_PROTECT && !ram)
		return -ENXIO;
	if (watch_find(gpa))
		return -EEXIST;
	for (i = 0; i < WATCH_MAX; i++) {
		if (watch_table[i].kind)
			continue;
		watch_table[i].gpa = gpa;
		watch_table[i].access = access;
		watch_table[i].ram = ram;
		/* last: root code looks at kind first */
		__atomic_store_n(&watch_table[i].kind, kind, __ATOMIC_RELEASE);
		return 0;
	}
	return -ENOSPC;
}

int watch_del(u64 gpa)
{
	struct watch *w = watch_find(gpa);

	if (!w)
		return -ENOENT;
	__atomic_store_n(&w->kind, 0, __ATOMIC_RELEASE);
	return 0;
}

int ram_map_add(struct ram_map *m, u64 start, u64 end)
{
	unsigned int i;

	start = (start + PAGE_SIZE - 1) & ~(u64)(PAGE_SIZE - 1);
	end &= ~(u64)(PAGE_SIZE - 1);
	if (end <= start)
		return 0;
	for (i = 0; i < m->nr; i++) {
		struct ram_range *r = &m->range[i];

		if (start <= r->end && end >= r->start) {
			r->start = start < r->start ? start : r->start;
			r->end = end > r->end ? end : r->end;
			return 0;
		}
	}
	if (m->nr == RAM_MAP_MAX)
		return -ENOSPC;
	m->range[m->nr++] = (struct ram_range){ start, end };
	return 0;
}

bool ram_map_has(const struct ram_map *m, u64 pa)
{
	unsigned int i, nr = m->nr < RAM_MAP_MAX ? m->nr : RAM_MAP_MAX;

	for (i = 0; i < nr; i++)
		if (pa >= m->range[i].start && pa + PAGE_SIZE <= m->range[i].end &&
		    pa + PAGE_SIZE > pa)
			return true;
	return false;
}

bool watch_peek(const struct watch_ring *r, u32 *cursor, struct watch_event *ev)
{
	u32 tail = r->tail;

	/* Unsigned distances: the indexes wrap. */
	if ((int)(*cursor - tail) < 0)
		*cursor = tail;
	if (*cursor == __atomic_load_n(&r->head, __ATOMIC_ACQUIRE))
		return false;
	*ev = r->ev[*cursor % WATCH_EVENTS];
	(*cursor)++;
	return true;
}

bool watch_take(struct watch_ring *r, struct watch_event *ev)
{
	u32 tail = r->tail;

	if (tail == __atomic_load_n(&r->head, __ATOMIC_ACQUIRE))
		return false;
	*ev = r->ev[tail % WATCH_EVENTS];
	__atomic_store_n(&r->tail, tail + 1, __ATOMIC_RELEASE);
	return true;
}

u32 watch_take_dropped(struct watch_ring *r)
{
	u32 now = __atomic_load_n(&r->dropped, __ATOMIC_RELAXED);
	u32 n = now - r->dropped_seen;

	r->dropped_seen = now;
	return n;
}

/* ---- root side ---- */

/*
 * The EPT permissions a page gets: a watched access is taken away; reading cannot be
 * taken without writing (write without read is a misconfiguration, SDM Vol. 3C,
 * 29.3.3.1), so a read watch also stops writes, which then complete unrecorded.
 */
static unsigned int watch_perm(const struct watch *w)
{
	/* EPT_NO_KEXEC kept: ANDed with lock_page_perm(), the lock's flag decides */
	unsigned int perm = (EPT_RWX | EPT_NO_KEXEC) & ~w->access;

	if (!(perm & EPT_READ))
		perm &= ~EPT_WRITE;
	return perm;
}

static void invept(struct vcpu *v)
{
	cpu_invept(ept_invept_type(v->caps->ept_vpid), ept_eptp(&v->ept));
	ept_reclaim(&v->ept);
}

static struct watch *watch_find_in(struct watch *t, u64 gpa)
{
	unsigned int i;

	for (i = 0; i < WATCH_MAX; i++)
		if (t[i].kind && t[i].gpa == gpa)
			return &t[i];
	return NULL;
}

int watch_check(struct vcpu *v, const struct watch *w, unsigned int slot)
{
	unsigned int level, i;
	u64 *leaf;

	if (w->gpa & (PAGE_SIZE - 1) || !w->access || w->access & ~(WATCH_R | WATCH_W | WATCH_X))
		return -EINVAL;
	if (w->kind != WATCH_KIND_WATCH &&
	    (w->kind != WATCH_KIND_PROTECT || w->access != WATCH_W))
		return -EINVAL;
	/* one entry per page: the violation handler finds the first */
	for (i = 0; i < slot; i++)
		if (v->wanted[i].kind && v->wanted[i].gpa == w->gpa)
			return -EEXIST;
	if (w->gpa >= v->ept.map_limit)
		return -ERANGE;
	if (!ram_map_has(&v->ram, w->gpa))
		return -EFAULT;		/* MMIO or a hole: never copied, never watched */
	/*
	 * The hypervisor's own pages are exactly those this EPT maps elsewhere (to the
	 * scratch page: private.c hides every one of them in every EPT at load), and the
	 * scratch page itself.  The tables are hidden, so this answer is root's own.
	 */
	leaf = ept_leaf(&v->ept, w->gpa, &level);
	if (!leaf || (*leaf & EPT_ADDR_MASK) != (w->gpa & ~(ept_level_size(level) - 1)) ||
	    w->gpa == v->scratch_pa)
		return -EACCES;
	/*
	 * Nor one the guest may only read (seal.h: counters, rings, the module's text):
	 * a watch would change its permissions, and removing it give write back.
	 */
	if (*leaf & EPT_SEALED)
		return -EACCES;
	return 0;
}

int watch_sync(struct vcpu *v)
{
	unsigned int i;
	int ret = 0, err;

	if (v->step.active)
		return -EBUSY;
	/*
	 * Copy the table (guest memory) into root's own, one field read each, then
	 * check every entry there: what is checked is what is applied.  A refused entry
	 * is dropped and the first refusal returned; the rest is applied.
	 */
	for (i = 0; i < WATCH_MAX; i++) {
		v->wanted[i].gpa = __atomic_load_n(&watch_table[i].gpa, __ATOMIC_RELAXED);
		v->wanted[i].access = __atomic_load_n(&watch_table[i].access, __ATOMIC_RELAXED);
		v->wanted[i].kind = __atomic_load_n(&watch_table[i].kind, __ATOMIC_ACQUIRE);
		/* RAM or not is root's own finding (watch_check: the RAM map), never the table's */
		v->wanted[i].ram = true;
	}
	for (i = 0; i < WATCH_MAX; i++) {
		if (!v->wanted[i].kind)
			continue;
		err = watch_check(v, &v->wanted[i], i);
		if (err) {
			log_printf(&v->log, "CPU %u: watch table entry %u (GPA %llx) refused: %d",
				   v->cpu, i, v->wanted[i].gpa, err);
			v->wanted[i].kind = 0;
			if (!ret)
				ret = err;
		}
	}
	/*
	 * Locked: the table may grow, but a protected page may not leave it (or change):
	 * refuse the whole table, nothing applied (lock.h).
	 */
	for (i = 0; v->lock.on && i < WATCH_MAX; i++) {
		struct watch *a = &v->applied[i];
		struct watch *w;

		if (a->kind != WATCH_KIND_PROTECT)
			continue;
		w = watch_find_in(v->wanted, a->gpa);
		if (!w || w->kind != a->kind || w->access != a->access) {
			v->lock_hc_refused++;
			lock_event(v, LOCK_EV_WATCH, a->gpa, 0, WATCH_EV_REFUSED);
			return -EPERM;
		}
	}
	/* Pages no longer in the table (or changed) get their full access back... */
	for (i = 0; i < WATCH_MAX; i++) {
		struct watch *a = &v->applied[i];
		struct watch *w = watch_find_in(v->wanted, a->gpa);

		if (!a->kind || (w && w->access == a->access && w->kind == a->kind))
			continue;
		/* full access: what the lock leaves it (lock_wx.h) */
		err = ept_set_perm(&v->ept, a->gpa, PAGE_SIZE, lock_page_perm(v, a->gpa));
		if (err)
			ret = err;
		else
			a->kind = 0;
	}
	/* ...and pages in the table lose what is watched. */
	for (i = 0; i < WATCH_MAX; i++) {
		struct watch w = v->wanted[i];

		if (!w.kind)
			continue;
		err = ept_set_perm(&v->ept, w.gpa, PAGE_SIZE,
				   watch_perm(&w) & lock_page_perm(v, w.gpa));
		if (err) {
			ret = err;
			continue;
		}
		v->applied[i] = w;
	}
	invept(v);
	vmx_ept_publish(v);
	return ret;
}

void watch_ring_put(struct watch_ring *r, const struct watch_event *ev)
{
	u32 head = r->head;

	/* Acquire: the reader is done with a slot before it moves tail past it. */
	if (head - __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE) >= WATCH_EVENTS) {
		__atomic_fetch_add(&r->dropped, 1, __ATOMIC_RELAXED);
		return;
	}
	sz_memcpy(&r->ev[head % WATCH_EVENTS], ev, sizeof(*ev));
	__atomic_store_n(&r->head, head + 1, __ATOMIC_RELEASE);
}

static void record(struct vcpu *v, const struct watch *w, u64 gpa, u32 access,
		   const struct ept_violation *d, u32 flags)
{
	struct watch_event ev = {
		.tsc = cpu_rdtsc(),
		.gpa = gpa,
		.gla = d->gla_valid ? vmcs_readn(GUEST_LINEAR_ADDRESS) : 0,
		.rip = vmcs_readn(GUEST_RIP),
		.cpu = v->cpu,
		.access = access,
		.kind = w->kind,
		.flags = flags | (d->gla_valid ? WATCH_EV_GLA : 0),
	};

	watch_ring_put(v->events, &ev);
}

/*
 * The watch this CPU has applied for a page.  Root code looks only at its own copy
 * (v->applied, changed only by watch_sync on this CPU), never at the shared table:
 * between a watch_del or watch_add and this CPU's sync the table may already say
 * something else about the page (nothing, or the other kind in a reused slot), while
 * this CPU's EPT still has what it applied.
 */
const struct watch *watch_applied(const struct vcpu *v, u64 gpa)
{
	unsigned int i;

	for (i = 0; i < WATCH_MAX; i++)
		if (v->applied[i].kind && v->applied[i].gpa == gpa)
			return &v->applied[i];
	return NULL;
}

static void pin_ctl_set(u32 bits, bool on)
{
	u32 pin = vmcs_read32(PIN_BASED_VM_EXEC_CONTROL);

	vmcs_write32(NULL, PIN_BASED_VM_EXEC_CONTROL, on ? pin | bits : pin & ~bits);
}

/*
 * The monitor trap flag on or off.  In v->procbased too: the NMI-window code writes the
 * control from it and must not drop the trap flag (an NMI may hit root right now).
 */
static void mtf_set(struct vcpu *v, bool on)
{
	u32 proc = vmcs_read32(CPU_BASED_VM_EXEC_CONTROL);

	if (on) {
		v->procbased |= CPU_BASED_MONITOR_TRAP_FLAG;
		proc |= CPU_BASED_MONITOR_TRAP_FLAG;
	} else {
		v->procbased &= ~CPU_BASED_MONITOR_TRAP_FLAG;
		proc &= ~CPU_BASED_MONITOR_TRAP_FLAG;
	}
	vmcs_write32(NULL, CPU_BASED_VM_EXEC_CONTROL, proc);
}

/*
 * Run exactly one guest instruction, then exit: the monitor trap flag if the CPU has
 * it, else RFLAGS.TF with exceptions intercepted.
 *
 * Keeping interrupts out of the step (so that it is the instruction that faulted and
 * not an interrupt handler, with the page open):
 *  - MTF: blocking by STI for one instruction, only where VM entry allows it (SDM Vol.
 *    3C, 27.3.1.5): no event being injected (an external interrupt or NMI whose
 *    delivery touched the page is re-injected: the step is then that delivery, and
 *    the MTF exit comes before the handler's first instruction, 27.7.2), RFLAGS.IF
 *    set, no MOV-SS blocking, and the guest not single-stepping itself (TF with STI
 *    blocking needs a pending single-step trap, which would fire before the step).
 *  - TF: with an event being re-injected, the VMX-preemption timer instead (below).
 *    Otherwise never STI blocking (our own TF would need that pending trap, Xen XSA-308,
 *    KVM "Set vmcs.PENDING_DBG.BS on #DB in STI/MOVSS blocking shadow").  External
 *    interrupts exit instead while the step runs, and end it unfinished (watch_
 *    step_interrupted); an exception of the stepped instruction exits too and ends it
 *    before its handler runs (watch_step_exception).
 */
static void step_start(struct vcpu *v)
{
	u64 rflags = vmcs_readn(GUEST_RFLAGS);
	u32 intr = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO);
	bool injecting = vmcs_read32(VM_ENTRY_INTR_INFO_FIELD) & INTR_INFO_VALID;

	v->step.active = true;
	if (v->mtf) {
		if (!injecting && (rflags & X86_EFLAGS_IF) && !(rflags & X86_EFLAGS_TF) &&
		    !(intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS)))
			vmcs_write32(NULL, GUEST_INTERRUPTIBILITY_INFO,
				     intr | GUEST_INTR_STATE_STI);
		mtf_set(v, true);
		return;
	}
	if (injecting && v->preemption_timer) {
		/*
		 * The step is the delivery of the event being re-injected.  TF would not
		 * trap before the handler's first instruction (the delivery clears it),
		 * and would sit in the handler's frame: a VMX-preemption timer of 0 makes
		 * the VM exit right after the delivery instead (SDM Vol. 3C, 26.7.4).
		 */
		vmcs_write32(NULL, VMX_PREEMPTION_TIMER_VALUE, 0);
		pin_ctl_set(PIN_BASED_VMX_PREEMPTION_TIMER, true);
		v->step.timer = true;
		return;
	}
	v->step.tf = !(rflags & X86_EFLAGS_TF);
	v->step.rsp = vmcs_readn(GUEST_RSP);
	v->step.rflags = rflags | X86_EFLAGS_TF;
	vmcs_writen(NULL, GUEST_RFLAGS, rflags | X86_EFLAGS_TF);
	/*
	 * TF with the guest's own STI or MOV-SS blocking: VM entry then wants the single
	 * step pending in BS (27.3.1.5).  Under MOV SS a pending #DB waits for the next
	 * instruction to complete: it is the step's own trap.  Under STI it would be
	 * delivered before the instruction, so the STI shadow goes instead (it holds off
	 * interrupts for this one instruction, which the interrupt exiting below covers).
	 */
	if (intr & GUEST_INTR_STATE_MOV_SS)
		vmcs_writen(NULL, GUEST_PENDING_DBG_EXCEPTIONS,
			    vmcs_readn(GUEST_PENDING_DBG_EXCEPTIONS) | DR6_BS);
	else if (intr & GUEST_INTR_STATE_STI)
		vmcs_write32(NULL, GUEST_INTERRUPTIBILITY_INFO, intr & ~GUEST_INTR_STATE_STI);
	/* every exception but #MC, which goes to the guest's handler as it always does */
	vmcs_write32(NULL, EXCEPTION_BITMAP, ~(u32)BIT(X86_VEC_MC));
	v->step.irq_exit = (rflags & X86_EFLAGS_IF) && !injecting;
	if (v->step.irq_exit)
		pin_ctl_set(PIN_BASED_EXT_INTR_MASK, true);
}

/*
 * Open one page for the step: its own leaf gets full access, or a copy to write to.
 * @quiet: record no event (a sealed page's discarded write).
 */
static int step_open(struct vcpu *v, const struct watch *w, u64 page, u64 *leaf,
		     const struct ept_violation *d, u64 gpa, bool quiet, unsigned int open)
{
	unsigned int n = v->step.nr, i;
	u32 access = d->fetch ? WATCH_X : d->write ? WATCH_W : WATCH_R;
	bool retry = vmcs_readn(GUEST_RIP) == v->step.retry_rip;
	bool again = retry && gpa == v->step.retry_gpa;

	/*
	 * The retry of an interrupted step records none of the pages that step had
	 * opened: they were recorded then (an instruction on two pages, cut short after
	 * both had faulted, would otherwise record the second twice).
	 */
	for (i = 0; retry && i < v->step.retry_nr && i < WATCH_STEP_PAGES && !again; i++)
		again = page == v->step.retry_page[i];

	if (n >= WATCH_STEP_PAGES)
		return -E2BIG;
	v->step.page[n].gpa = page;
	v->step.page[n].leaf = *leaf;
	if (!n) {
		v->step.fault_gpa = gpa;
		/* a PUSHF's store, maybe: where step_untrace() may look (RAM only) */
		v->step.push = w->kind == WATCH_KIND_WATCH && w->ram && d->write && d->gla_valid;
		v->step.push_gla = v->step.push ? vmcs_readn(GUEST_LINEAR_ADDRESS) : 0;
	}
	v->step.nr = n + 1;
	if (w->kind == WATCH_KIND_PROTECT && d->write) {
		/* The write goes to a copy of the page, which is then dropped. */
		u8 *copy = (u8 *)v->copies + n * PAGE_SIZE;

		sz_memcpy(copy, ept_phys_to_virt(&v->ept, page), PAGE_SIZE);
		*leaf = (*leaf & ~(EPT_ADDR_MASK | EPT_READ | EPT_WRITE)) |
			(v->copies_pa + n * PAGE_SIZE) | EPT_READ | EPT_WRITE;
		if (!again && !quiet)
			record(v, w, gpa, access, d, WATCH_EV_DISCARDED);
	} else {
		*leaf |= ept_perm_bits(&v->ept, open);
		if ((access & w->access) && !again && !quiet)
			record(v, w, gpa, access, d, 0);
	}
	return 0;
}

/*
 * A page this CPU does not watch faulted: a watch deleted here before this CPU's sync
 * reaches it cannot be one (watch_applied), so this is a page whose permissions are
 * not ours to keep.  Give it full access back and let the guest go on; counted.
 */
static int unmatched(struct vcpu *v, u64 *leaf, u64 page)
{
	v->ept_unmatched++;
	/* never write to a locked page, nor execute kernel code outside code (MBEC) */
	*leaf |= ept_perm_bits(&v->ept, lock_page_perm(v, page));
	invept(v);
	return 0;
}

int watch_step_page(struct vcpu *v, const struct watch *w, u64 page, u64 *leaf,
		    const struct ept_violation *d, u64 gpa, bool quiet, unsigned int open)
{
	int ret;

	/*
	 * While stepping: the same instruction touches a second watched page (an
	 * unaligned store across two, REP MOVS from one to another, XSAVE): open it
	 * too; the step closes every page it opened.
	 */
	ret = step_open(v, w, page, leaf, d, gpa, quiet, open);
	if (ret) {
		log_printf(&v->log, "CPU %u: EPT violation at GPA %llx: one instruction touches more than %u watched pages", v->cpu, gpa, WATCH_STEP_PAGES);
		return ret;
	}
	invept(v);
	if (!v->step.active)
		step_start(v);
	return 0;
}

/*
 * An EPT violation is fault-like: the instruction did not complete, so no single-step
 * trap (nor data breakpoint) of it can be pending, and the CPU saves the pending debug
 * exceptions field clear for this exit unless there is MOV-SS blocking (SDM Vol. 3C,
 * 28.3.4).  Bochs 2.7 saves there what it scheduled before the instruction ran: with
 * RFLAGS.TF set, BS.  The VM entry then delivers that #DB before the instruction, and
 * again at every retry: a program single-stepping over its watched store got its trap
 * at the store, for ever (92,000 EPT violations at one RIP on CPU 1); our own TF step
 * would do the same on an instruction's second watched page.  So clear it, as the CPU
 * does (a no-op on hardware).  Not under STI blocking: there VM entry wants BS as it is
 * whenever RFLAGS.TF is set (27.3.1.5), and a TF step drops that shadow (step_start).
 */
static void violation_pending_dbg(void)
{
	if (vmcs_read32(GUEST_INTERRUPTIBILITY_INFO) &
	    (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS))
		return;
	if (vmcs_readn(GUEST_PENDING_DBG_EXCEPTIONS))
		vmcs_writen(NULL, GUEST_PENDING_DBG_EXCEPTIONS, 0);
}

int handle_ept_violation(struct vcpu *v, struct guest_regs *r)
{
	u64 qual = vmcs_readn(EXIT_QUALIFICATION);
	u64 gpa = vmcs_read64(GUEST_PHYSICAL_ADDRESS);
	u64 page = gpa & ~(u64)(PAGE_SIZE - 1);
	struct ept_violation d;
	const struct watch *w;
	bool sealed = false;
	unsigned int level;
	u64 *leaf;
	int ret;

	(void)r;
	ept_decode_violation(qual, &d);
	violation_pending_dbg();
	/* A fault in IRET that unblocked NMIs: block them again (SDM Vol. 3C, 28.2.3). */
	if (d.nmi_unblocking && !(vmcs_read32(IDT_VECTORING_INFO_FIELD) & INTR_INFO_VALID))
		vmcs_write32(NULL, GUEST_INTERRUPTIBILITY_INFO,
			     vmcs_read32(GUEST_INTERRUPTIBILITY_INFO) | GUEST_INTR_STATE_NMI);
	leaf = ept_leaf(&v->ept, page, &level);
	if (!leaf)
		return watch_map_beyond(v, page);
	/* A write to the kernel's locked text or read-only data: the lock decides. */
	ret = lock_wx_violation(v, &d, gpa, leaf, level);
	if (ret <= 0)
		return ret;
	w = watch_applied(v, page);	/* root's copy, never the guest's table */
	/*
	 * One of the hypervisor's read-only pages (seal.h), never given access back as
	 * an unmatched page is.  A write is discarded, as a write to a protected page
	 * is, and counted; never a watch event (the event ring is such a page).  Any
	 * other access it does not allow (a fetch from read-only data) fails closed.
	 */
	if (!w && level == EPT_LEVEL_4K && (*leaf & EPT_SEALED)) {
		static const struct watch sealed_page = {
			.access = WATCH_W, .kind = WATCH_KIND_PROTECT, .ram = true,
		};

		if (!d.write || d.fetch) {
			log_printf(&v->log, LOG_CRIT "CPU %u: EPT violation at GPA %llx (GLA %llx%s): %s%s%s attempted on a sealed page (%c%c%c)",
				   v->cpu, gpa, d.gla_valid ? vmcs_readn(GUEST_LINEAR_ADDRESS) : 0,
				   d.gla_valid ? "" : ", not valid", d.read ? "read " : "",
				   d.write ? "write " : "", d.fetch ? "fetch " : "",
				   d.readable ? 'r' : '-', d.writable ? 'w' : '-',
				   d.executable ? 'x' : '-');
			return -EFAULT;
		}
		v->sealed_writes++;
		w = &sealed_page;
		sealed = true;
	}
	if (!w || level != EPT_LEVEL_4K)
		return unmatched(v, leaf, page);
	/* a watched page the lock covers opens for reading and executing only */
	return watch_step_page(v, w, page, leaf, &d, gpa, sealed, lock_page_perm(v, page));
}

/* The step is over (done, or cut short): close every page it opened. */
static void step_end(struct vcpu *v)
{
	unsigned int level, i;
	u64 *leaf;

	for (i = v->step.nr; i-- > 0;) {
		leaf = ept_leaf(&v->ept, v->step.page[i].gpa, &level);
		if (leaf)
			*leaf = v->step.page[i].leaf;
	}
	v->step.nr = 0;
	/* a step over (done, or cut short: watch_step_interrupted() sets it anew) */
	v->step.retry_rip = 0;
	v->step.retry_nr = 0;
	lock_wx_step_end(v);	/* a leaf split for a refused write merges back */
	invept(v);
	if (v->step.irq_exit)
		pin_ctl_set(PIN_BASED_EXT_INTR_MASK, false);
	v->step.irq_exit = false;
	if (v->step.timer) {
		pin_ctl_set(PIN_BASED_VMX_PREEMPTION_TIMER, false);
		v->step.timer = false;
	} else if (!v->mtf) {
		vmcs_write32(NULL, EXCEPTION_BITMAP, 0);
		if (v->step.tf)
			vmcs_writen(NULL, GUEST_RFLAGS,
				    vmcs_readn(GUEST_RFLAGS) & ~(u64)X86_EFLAGS_TF);
		v->step.tf = false;
	}
	vmx_ept_publish(v);
	v->step.active = false;
}

int handle_monitor_trap(struct vcpu *v, struct guest_regs *r)
{
	bool probe = v->mtf_probe == VCPU_MTF_PROBE_ARMED;

	(void)r;
	if (!v->step.active && !probe)
		return -EINVAL;
	if (probe)
		v->mtf_probe = VCPU_MTF_PROBE_TRAPPED;
	mtf_set(v, false);
	if (v->step.active)
		step_end(v);
	return 0;
}

/*
 * A CPU can advertise the monitor trap flag (allowed-1 in IA32_VMX_PROCBASED_CTLS) and
 * never deliver its exit: Bochs 2.7 does exactly that on its "tigerlake" model (the
 * control is accepted at VM entry but nothing reads it: only an injected "pending MTF"
 * event, interruption type 7, makes an MTF exit there).  A watch step would then leave
 * its page open for good, record nothing more, and keep `watch del` busy.  So every
 * CPU tries it once, right after VMLAUNCH: arm it, run one NOP, ask (vmx.c,
 * cpu_vmcall_nop_vmcall()).
 * Any CPU that really has it exits after the NOP (SDM Vol. 3C, 26.5.2), before the
 * second VMCALL; without that exit the step falls back to RFLAGS.TF on this CPU.
 */
int watch_mtf_probe(struct vcpu *v, u64 phase)
{
	bool trapped;

	if (!v->mtf || phase > 1)
		return -EINVAL;
	if (v->step.active)
		return -EBUSY;
	if (phase == 0) {
		v->mtf_probe = VCPU_MTF_PROBE_ARMED;
		mtf_set(v, true);
		return 0;
	}
	trapped = v->mtf_probe == VCPU_MTF_PROBE_TRAPPED;
	v->mtf_probe = 0;
	if (trapped)
		return 1;
	mtf_set(v, false);
	v->mtf = false;
	log_printf(&v->log, LOG_WARNING "CPU %u: the monitor trap flag is advertised but did not trap: watch steps use RFLAGS.TF",
		   v->cpu);
	return 0;
}

/*
 * An external interrupt arrived during a TF step (external-interrupt exiting is on only
 * then, without acknowledging it, so it is still pending in the local APIC).  The
 * instruction has not run: close the pages, and let the guest take the interrupt as
 * it would have; the instruction faults again when the handler returns, and that
 * second fault of the same access is not recorded again.
 */
int watch_step_interrupted(struct vcpu *v, struct guest_regs *r)
{
	u64 page[WATCH_STEP_PAGES], gpa = v->step.fault_gpa;
	unsigned int i, nr = v->step.nr;

	(void)r;
	if (!v->step.active || !v->step.irq_exit)
		return -EINVAL;
	for (i = 0; i < nr && i < WATCH_STEP_PAGES; i++)
		page[i] = v->step.page[i].gpa;
	step_end(v);		/* which forgets the retry before */
	v->step.retry_rip = vmcs_readn(GUEST_RIP);
	v->step.retry_gpa = gpa;
	for (i = 0; i < nr && i < WATCH_STEP_PAGES; i++)
		v->step.retry_page[i] = page[i];
	v->step.retry_nr = i;
	return 0;
}

/* The VMX-preemption timer of a step over an event's delivery has fired: done. */
int watch_step_timer(struct vcpu *v, struct guest_regs *r)
{
	(void)r;
	if (!v->step.active || !v->step.timer)
		return -EINVAL;
	step_end(v);
	return 0;
}

/*
 * The guest's DR6 (live in root: VMX does not switch it) gets what a #DB that exited
 * did not write there (SDM Vol. 3C, 28.1: the exit qualification has it instead).
 */
static void dr6_from_exit(u64 qual)
{
	cpu_write_dr6((cpu_read_dr6() & ~(u64)DR6_TRAP_BITS) | (qual & DR6_TRAP_BITS));
}

/*
 * Our RFLAGS.TF, where the stepped instruction saved it for the guest to find later
 * (the TF step only; MTF leaves RFLAGS alone).  Taken back when the step's #DB says the
 * instruction completed.  Without decoding the instruction (its bytes are behind the
 * guest's page tables), by what it did:
 *  - PUSHF/PUSHFD/PUSHFQ: the step began with its store to watched RAM at the linear
 *    address that RSP now has, RSP went down by that operand size (2, 4 or 8), and the
 *    bytes there are RFLAGS as PUSHF stores it (RF and VM clear) with our TF.  Left
 *    there, a later POPF (local_irq_restore) would single-step the guest: in the kernel
 *    a WARNING and a spurious #DB, in a program a SIGTRAP.  A PUSH of a value that
 *    matches all this too (a guest building RFLAGS|TF to POPF it itself) is taken for
 *    a PUSHF: the one case this gets wrong, costing that guest its own single step.
 *  - SYSCALL: RIP is now the guest's IA32_LSTAR or IA32_CSTAR (not switched by VMX:
 *    live in root) and R11 holds RFLAGS with our TF, which SYSRET would load.
 * The stack store goes through the OS's direct map, to a page known to be RAM.
 */
static void step_untrace(struct vcpu *v, struct guest_regs *r)
{
	u64 image = v->step.rflags & ~(u64)(X86_EFLAGS_RF | X86_EFLAGS_VM);
	u64 rsp = vmcs_readn(GUEST_RSP), rip = vmcs_readn(GUEST_RIP);
	u64 n = v->step.rsp - rsp, off = v->step.fault_gpa & (PAGE_SIZE - 1);

	if (v->step.push && (n == 2 || n == 4 || n == 8) && v->step.push_gla == rsp &&
	    off + n <= PAGE_SIZE) {
		u8 *p = (u8 *)(unsigned long)(v->direct_map + v->step.fault_gpa);
		u64 val = 0, mask = n == 8 ? ~0ULL : (1ULL << (n * 8)) - 1;

		sz_memcpy(&val, p, n);
		if (val == (image & mask))
			p[1] &= (u8)~(X86_EFLAGS_TF >> 8);
	}
	if ((r->gpr[REG_R11] & ~(u64)X86_EFLAGS_RF) == image &&
	    (rip == cpu_rdmsr(MSR_LSTAR) || rip == cpu_rdmsr(MSR_CSTAR)))
		r->gpr[REG_R11] &= ~(u64)X86_EFLAGS_TF;
}

/*
 * An exception exit during a TF step (every vector is intercepted then).  Our own
 * single-step trap ends the step.  Anything else is the guest's: the step ends first
 * (pages closed, our TF gone, so the handler's frame has the guest's own RFLAGS and
 * the handler runs unwatched-open), and the exception goes on to the guest as the CPU
 * would have delivered it: CR2 for a page fault, DR6 for a debug exception, the
 * instruction length for INT3, INTO and ICEBP (INT1).
 */
int watch_step_exception(struct vcpu *v, struct guest_regs *r)
{
	u32 info = vmcs_read32(VM_EXIT_INTR_INFO);
	u32 type = (info & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT;
	u32 vector = info & INTR_INFO_VECTOR_MASK;
	u64 qual = vmcs_readn(EXIT_QUALIFICATION);
	bool db = vector == X86_VEC_DB && type == INTR_TYPE_HARD_EXCEPTION;

	if (!v->step.active || v->mtf || v->step.timer)
		return -EINVAL;
	/*
	 * A #DB: the single step is ours unless the guest had TF set itself; a data or
	 * instruction breakpoint of the guest's that hit on the same instruction is its
	 * own and goes on to it.  Our single step means the instruction completed.
	 */
	if (db) {
		qual &= DR6_TRAP_BITS;
		if (v->step.tf && (qual & DR6_BS))
			step_untrace(v, r);
		if (v->step.tf)
			qual &= ~(u64)DR6_BS;
	}
	step_end(v);
	if (db && !qual)
		return 0;	/* our step, done */
	if (info & INTR_INFO_NMI_UNBLOCK)	/* a fault in IRET: NMIs stay blocked */
		vmcs_write32(NULL, GUEST_INTERRUPTIBILITY_INFO,
			     vmcs_read32(GUEST_INTERRUPTIBILITY_INFO) | GUEST_INTR_STATE_NMI);
	/* An event whose delivery faulted is re-injected already: the CPU repeats it. */
	if (vmcs_read32(VM_ENTRY_INTR_INFO_FIELD) & INTR_INFO_VALID)
		return 0;
	if (vector == X86_VEC_PF && type == INTR_TYPE_HARD_EXCEPTION)
		cpu_write_cr2(qual);
	if (db)
		dr6_from_exit(qual);
	if (info & INTR_INFO_DELIVER_CODE)
		vmcs_write32(NULL, VM_ENTRY_EXCEPTION_ERROR_CODE,
			     vmcs_read32(VM_EXIT_INTR_ERROR_CODE));
	if (type == INTR_TYPE_SOFT_EXCEPTION || type == INTR_TYPE_PRIV_SW_EXCEPTION)
		vmcs_write32(NULL, VM_ENTRY_INSTRUCTION_LEN,
			     vmcs_read32(VM_EXIT_INSTRUCTION_LEN));
	vmcs_write32(NULL, VM_ENTRY_INTR_INFO_FIELD, info & ~INTR_INFO_NMI_UNBLOCK);
	return 0;
}

/*
 * A GPA above the map limit (memory hot-added or MMIO moved after load): map that
 * page identity, as bare metal would reach it, rather than stop the CPU.
 */
int watch_map_beyond(struct vcpu *v, u64 page)
{
	u64 *leaf;
	int ret = ept_map_page(&v->ept, page, &leaf);

	if (ret == -EEXIST)
		return 0;
	if (ret) {
		log_printf(&v->log, "CPU %u: EPT violation at GPA %llx, beyond the map (limit %llx), and it cannot be mapped: %d", v->cpu, page,
			   v->ept.map_limit, ret);
		return ret;
	}
	v->ept_mapped_beyond++;
	vmx_ept_publish(v);
	return 0;
}

/* An EPT misconfiguration is a bug in our tables: say where, then fail closed. */
int handle_ept_misconfig(struct vcpu *v, struct guest_regs *r)
{
	u64 gpa = vmcs_read64(GUEST_PHYSICAL_ADDRESS);
	unsigned int level = 0;
	u64 *leaf = ept_leaf(&v->ept, gpa, &level);

	(void)r;
	log_printf(&v->log, LOG_CRIT "CPU %u: EPT misconfiguration at GPA %llx: leaf %llx (level %u)",
		   v->cpu, gpa, leaf ? *leaf : 0, level);
	return -EFAULT;
}
