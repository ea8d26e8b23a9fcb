// SPDX-License-Identifier: GPL-2.0
/*
 * Watch and protect (see watch.h): the shared table, the per-CPU event rings, and
 * the root side: applying the table to a CPU's EPT, the EPT-violation exit, and the
 * single step that lets one access complete.
 */
#include "watch.h"
#include "ept.h"
#include "errors.h"
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

u32 watch_take_dropped(struct watch_ring *r)
{
	return __atomic_exchange_n(&r->dropped, 0, __ATOMIC_RELAXED);
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

int watch_sync(struct vcpu *v)
{
	unsigned int i;
	int ret = 0, err;

	if (v->step.active)
		return -EBUSY;
	/* Pages no longer in the table (or changed) get their full access back... */
	for (i = 0; i < WATCH_MAX; i++) {
		struct watch *a = &v->applied[i];
		struct watch *w = watch_find(a->gpa);

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
		struct watch w = watch_table[i];

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
	return ret;
}

static void record(struct vcpu *v, const struct watch *w, u64 gpa, u32 access,
		   const struct ept_violation *d, u32 flags)
{
	struct watch_ring *r = v->events;
	u32 head = r->head;
	struct watch_event *ev;

	/* Acquire: the reader is done with a slot before it moves tail past it. */
	if (head - __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE) >= WATCH_EVENTS) {
		__atomic_fetch_add(&r->dropped, 1, __ATOMIC_RELAXED);
		return;
	}
	ev = &r->ev[head % WATCH_EVENTS];
	ev->tsc = cpu_rdtsc();
	ev->gpa = gpa;
	ev->gla = d->gla_valid ? vmcs_readn(GUEST_LINEAR_ADDRESS) : 0;
	ev->rip = vmcs_readn(GUEST_RIP);
	ev->cpu = v->cpu;
	ev->access = access;
	ev->kind = w->kind;
	ev->flags = flags | (d->gla_valid ? WATCH_EV_GLA : 0);
	__atomic_store_n(&r->head, head + 1, __ATOMIC_RELEASE);
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
	w = watch_find(page);
	leaf = ept_leaf(&v->ept, page, &level);
	if (!w || !leaf || level != EPT_LEVEL_4K || v->step.active) {
		log_printf(&v->log, LOG_CRIT "CPU %u: EPT violation at GPA %llx (GLA %llx%s): %s%s%s attempted, page is %c%c%c, %s",
			   v->cpu, gpa,
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
		__builtin_memcpy(v->scratch, os_phys_to_virt(page), PAGE_SIZE);
		*leaf = (*leaf & ~(EPT_ADDR_MASK | EPT_RWX)) | v->scratch_pa | EPT_RWX;
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
	log_printf(&v->log, LOG_CRIT "CPU %u: EPT misconfiguration at GPA %llx: leaf %llx (level %u)",
		   v->cpu, gpa, leaf ? *leaf : 0, level);
	return -EFAULT;
}
