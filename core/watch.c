// SPDX-License-Identifier: GPL-2.0
/*
 * Watch and protect (see watch.h): the shared table, the per-CPU event rings, and
 * the root side: applying the table to a CPU's EPT, the EPT-violation exit, and the
 * single step that lets one access complete.
 */
#include "watch.h"
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

int watch_add(u64 gpa, u32 access, u32 kind)
{
	unsigned int i;

	if (gpa & (PAGE_SIZE - 1) || !access || access & ~(WATCH_R | WATCH_W | WATCH_X))
		return -EINVAL;
	if (kind != WATCH_KIND_WATCH && (kind != WATCH_KIND_PROTECT || access != WATCH_W))
		return -EINVAL;
	if (watch_find(gpa))
		return -EEXIST;
	for (i = 0; i < WATCH_MAX; i++) {
		if (watch_table[i].kind)
			continue;
		watch_table[i].gpa = gpa;
		watch_table[i].access = access;
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
	unsigned int perm = EPT_RWX & ~w->access;

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
		err = ept_set_perm(&v->ept, a->gpa, PAGE_SIZE, EPT_RWX);
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
		err = ept_set_perm(&v->ept, w.gpa, PAGE_SIZE, watch_perm(&w));
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

	if (head - r->tail >= WATCH_EVENTS) {
		r->dropped++;
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
 * Run exactly one guest instruction, then exit (watch_step_done): the monitor trap
 * flag if the CPU has it, else RFLAGS.TF with #DB intercepted.  Interrupts are held
 * off for that instruction with blocking by STI (allowed only with RFLAGS.IF set,
 * SDM Vol. 3C, 27.3.1.5), so the step is the instruction that faulted.
 */
static void step_start(struct vcpu *v)
{
	u64 rflags = vmcs_readn(GUEST_RFLAGS);
	u32 intr = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO);

	if ((rflags & X86_EFLAGS_IF) && !(intr & GUEST_INTR_STATE_MOV_SS))
		vmcs_write32(NULL, GUEST_INTERRUPTIBILITY_INFO, intr | GUEST_INTR_STATE_STI);
	if (v->mtf) {
		/*
		 * In v->procbased too: the NMI-window code writes the control from it and
		 * must not drop the trap flag (an NMI may hit root right now).
		 */
		v->procbased |= CPU_BASED_MONITOR_TRAP_FLAG;
		vmcs_write32(NULL, CPU_BASED_VM_EXEC_CONTROL,
			     vmcs_read32(CPU_BASED_VM_EXEC_CONTROL) | CPU_BASED_MONITOR_TRAP_FLAG);
	} else {
		v->step.tf = !(rflags & X86_EFLAGS_TF);
		vmcs_writen(NULL, GUEST_RFLAGS, rflags | X86_EFLAGS_TF);
		vmcs_write32(NULL, EXCEPTION_BITMAP, BIT(X86_VEC_DB));
	}
	v->step.active = true;
}

int handle_ept_violation(struct vcpu *v, struct guest_regs *r)
{
	u64 qual = vmcs_readn(EXIT_QUALIFICATION);
	u64 gpa = vmcs_read64(GUEST_PHYSICAL_ADDRESS);
	u64 page = gpa & ~(u64)(PAGE_SIZE - 1);
	struct ept_violation d;
	bool sealed_write = false;
	struct watch *w;
	unsigned int level;
	u32 access;
	u64 *leaf;

	(void)r;
	ept_decode_violation(qual, &d);
	/* A fault in IRET that unblocked NMIs: block them again (SDM Vol. 3C, 28.2.3). */
	if (d.nmi_unblocking && !(vmcs_read32(IDT_VECTORING_INFO_FIELD) & INTR_INFO_VALID))
		vmcs_write32(NULL, GUEST_INTERRUPTIBILITY_INFO,
			     vmcs_read32(GUEST_INTERRUPTIBILITY_INFO) | GUEST_INTR_STATE_NMI);
	w = watch_find_in(v->applied, page);	/* root's copy, never the guest's table */
	leaf = ept_leaf(&v->ept, page, &level);
	/*
	 * A write to one of the hypervisor's read-only pages (seal.h): discarded, as a
	 * write to a protected page is, and counted; never a watch event (the event
	 * ring is such a page).
	 */
	if (!w && leaf && level == EPT_LEVEL_4K && (*leaf & EPT_SEALED) && d.write &&
	    !d.fetch && !v->step.active) {
		static const struct watch sealed = { 0, WATCH_W, WATCH_KIND_PROTECT };

		v->sealed_writes++;
		w = (struct watch *)&sealed;
		sealed_write = true;
	}
	if (!w || !leaf || level != EPT_LEVEL_4K || v->step.active) {
		log_printf(&v->log, "CPU %u: EPT violation at GPA %llx (GLA %llx%s): %s%s%s "
			   "attempted, page is %c%c%c, %s", v->cpu, gpa,
			   d.gla_valid ? vmcs_readn(GUEST_LINEAR_ADDRESS) : 0,
			   d.gla_valid ? "" : ", not valid", d.read ? "read " : "",
			   d.write ? "write " : "", d.fetch ? "fetch " : "",
			   d.readable ? 'r' : '-', d.writable ? 'w' : '-',
			   d.executable ? 'x' : '-', w ? "while stepping" : "not a watched page");
		return -EFAULT;
	}
	access = d.fetch ? WATCH_X : d.write ? WATCH_W : WATCH_R;
	v->step.gpa = page;
	v->step.leaf = *leaf;
	if (w->kind == WATCH_KIND_PROTECT && d.write) {
		/* The write goes to a copy of the page, which is then dropped. */
		sz_memcpy(v->scratch, ept_phys_to_virt(&v->ept, page), PAGE_SIZE);
		*leaf = (*leaf & ~(EPT_ADDR_MASK | EPT_RWX)) | v->scratch_pa | EPT_RWX;
		if (!sealed_write)
			record(v, w, gpa, access, &d, WATCH_EV_DISCARDED);
	} else {
		*leaf |= EPT_RWX;
		if (access & w->access)
			record(v, w, gpa, access, &d, 0);
	}
	invept(v);
	step_start(v);
	return 0;
}

/* The stepped instruction has run: close the page again. */
static void step_done(struct vcpu *v)
{
	unsigned int level;
	u64 *leaf = ept_leaf(&v->ept, v->step.gpa, &level);

	*leaf = v->step.leaf;
	invept(v);
	vmx_ept_publish(v);
	v->step.active = false;
}

int handle_monitor_trap(struct vcpu *v, struct guest_regs *r)
{
	(void)r;
	if (!v->step.active)
		return -EINVAL;
	v->procbased &= ~CPU_BASED_MONITOR_TRAP_FLAG;
	vmcs_write32(NULL, CPU_BASED_VM_EXEC_CONTROL,
		     vmcs_read32(CPU_BASED_VM_EXEC_CONTROL) & ~CPU_BASED_MONITOR_TRAP_FLAG);
	step_done(v);
	return 0;
}

/*
 * A #DB exit (only intercepted while stepping with TF).  The trap was ours if it is a
 * single step (DR6.BS in the exit qualification, SDM Vol. 3C, Table 28-1).  If the
 * guest had TF set itself, the #DB is its own too and goes on to it.
 */
int handle_debug_exception(struct vcpu *v, struct guest_regs *r)
{
	u64 qual = vmcs_readn(EXIT_QUALIFICATION);

	(void)r;
	if (!v->step.active || !(qual & DR6_BS))
		return -EINVAL;
	vmcs_write32(NULL, EXCEPTION_BITMAP, 0);
	if (v->step.tf)
		vmcs_writen(NULL, GUEST_RFLAGS, vmcs_readn(GUEST_RFLAGS) & ~X86_EFLAGS_TF);
	else
		vmcs_write32(NULL, VM_ENTRY_INTR_INFO_FIELD, X86_VEC_DB | INTR_INFO_VALID |
			     (INTR_TYPE_HARD_EXCEPTION << INTR_INFO_TYPE_SHIFT));
	step_done(v);
	return 0;
}

/* An EPT misconfiguration is a bug in our tables: say where, then fail closed. */
int handle_ept_misconfig(struct vcpu *v, struct guest_regs *r)
{
	u64 gpa = vmcs_read64(GUEST_PHYSICAL_ADDRESS);
	unsigned int level = 0;
	u64 *leaf = ept_leaf(&v->ept, gpa, &level);

	(void)r;
	log_printf(&v->log, "CPU %u: EPT misconfiguration at GPA %llx: leaf %llx (level %u)",
		   v->cpu, gpa, leaf ? *leaf : 0, level);
	return -EFAULT;
}
