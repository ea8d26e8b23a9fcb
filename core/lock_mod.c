// SPDX-License-Identifier: GPL-2.0
/*
 * The lock's W^X for modules (lock_mod.h): pure decisions first, then the LOCK_MOD
 * hypercall in root.
 */
#include "lock_mod.h"
#include "lock.h"
#include "lock_wx.h"
#include "ept.h"
#include "errors.h"
#include "lib.h"
#include "vmx.h"
#include "watch.h"
#include "arch/x86.h"

/* ---- the decisions (pure) ---- */

static bool overlaps(u64 s1, u64 e1, u64 s2, u64 e2)
{
	return s1 < e2 && s2 < e1;
}

static u64 run_end(u64 start, u64 pages)
{
	return start + pages * PAGE_SIZE;
}

int lock_mod_check_add(const struct lock_mods *m, const struct lock_wx *wx,
		       const struct lock_mod_args *a, const struct ram_map *ram, u64 map_limit)
{
	unsigned int i, j, nr = a->nr, have = m->nr < LOCK_MOD_RUNS ? m->nr : LOCK_MOD_RUNS;
	u64 s, e;

	if (a->magic != LOCK_MOD_ARGS_MAGIC || a->op != LOCK_MOD_ADD || !a->id || !nr ||
	    nr > LOCK_MOD_ARG_RUNS)
		return -EINVAL;
	if (!wx->on)
		return -ENOENT;
	if (have + nr > LOCK_MOD_RUNS)
		return -ENOSPC;
	for (i = 0; i < nr; i++) {
		s = a->run[i].start;
		if (s & (PAGE_SIZE - 1) || !a->run[i].pages || a->run[i].pages > LOCK_MOD_RUN_PAGES ||
		    (a->run[i].flags & ~LOCK_MOD_RUN_CODE))
			return -EINVAL;
		/* s below the map (< 2^52) and pages bounded: the end cannot wrap */
		if (s >= map_limit || run_end(s, a->run[i].pages) > map_limit)
			return -ERANGE;
		e = run_end(s, a->run[i].pages);
		if (!lock_wx_ram_covers(ram, s, e))
			return -EFAULT;
		/* never the core kernel's ranges: a module release must not reach them */
		for (j = 0; j < wx->nr && j < LOCK_WX_RANGES; j++)
			if (overlaps(s, e, wx->range[j].start, wx->range[j].end))
				return -EINVAL;
		for (j = 0; j < i; j++)
			if (overlaps(s, e, a->run[j].start, run_end(a->run[j].start, a->run[j].pages)))
				return -EINVAL;
		/* nor another module's: releasing one must not release the other */
		for (j = 0; j < have; j++)
			if (overlaps(s, e, m->run[j].start, run_end(m->run[j].start, m->run[j].pages)))
				return -EEXIST;
	}
	return 0;
}

const struct lock_mod_run *lock_mod_find(const struct lock_mods *m, u64 gpa)
{
	unsigned int i;

	for (i = 0; i < m->nr && i < LOCK_MOD_RUNS; i++)
		if (gpa >= m->run[i].start && gpa < run_end(m->run[i].start, m->run[i].pages))
			return &m->run[i];
	return NULL;
}

bool lock_mod_covers(const struct lock_mods *m, u64 gpa)
{
	return lock_mod_find(m, gpa) != NULL;
}

unsigned int lock_mod_count(const struct lock_mods *m, u32 id)
{
	unsigned int i, n = 0;

	for (i = 0; i < m->nr && i < LOCK_MOD_RUNS; i++)
		n += m->run[i].id == id;
	return n;
}

void lock_mod_insert(struct lock_mods *m, const struct lock_mod_args *a)
{
	unsigned int i;

	for (i = 0; i < a->nr && i < LOCK_MOD_ARG_RUNS && m->nr < LOCK_MOD_RUNS; i++) {
		m->run[m->nr++] = (struct lock_mod_run){
			.start = a->run[i].start, .pages = a->run[i].pages, .id = a->id,
			.code = !!(a->run[i].flags & LOCK_MOD_RUN_CODE),
		};
		m->pages += (u32)a->run[i].pages;
	}
}

unsigned int lock_mod_remove(struct lock_mods *m, u32 id, bool all)
{
	unsigned int i = 0, n = 0;

	while (i < m->nr && i < LOCK_MOD_RUNS) {
		if (!all && m->run[i].id != id) {
			i++;
			continue;
		}
		m->pages -= m->run[i].pages;
		m->run[i] = m->run[--m->nr];	/* unordered: the last one moves here */
		n++;
	}
	return n;
}

int lock_mod_refusal(int err)
{
	switch (err) {
	case -ENOSPC:
	case -ENOMEM:
	case -E2BIG:
		return -ENOSPC;
	default:
		return -EPERM;
	}
}

/* ---- in root ---- */

unsigned int lock_page_perm(const struct vcpu *v, u64 gpa)
{
	const struct lock_mod_run *r = v->wx.on ? lock_mod_find(&v->mods, gpa) : NULL;

	if (r)
		return EPT_READ | EPT_EXEC | (r->code || !v->wx.kexec ? 0 : EPT_NO_KEXEC);
	/* what is not RAM keeps kernel-mode execution (firmware: lock_wx.c) */
	if (v->wx.kexec && !ram_map_has(&v->ram, gpa & ~(u64)(PAGE_SIZE - 1)))
		return EPT_RWX;
	return lock_wx_perm(&v->wx, gpa);
}

void lock_reapply_watches(struct vcpu *v, u64 s, u64 e)
{
	unsigned int i, perm;

	for (i = 0; i < WATCH_MAX; i++) {
		const struct watch *w = &v->applied[i];

		if (!w->kind || w->gpa < s || w->gpa >= e)
			continue;
		perm = lock_page_perm(v, w->gpa) & ~w->access;
		if (!(perm & EPT_READ))
			perm &= ~EPT_WRITE;
		ept_set_perm(&v->ept, w->gpa, PAGE_SIZE, perm);
	}
}

/* What a page outside every run gets back: everything but kernel-mode execution, if restricted. */
static unsigned int mod_free_perm(const struct vcpu *v)
{
	return EPT_RWX | (v->wx.kexec ? EPT_NO_KEXEC : 0);
}

/* The EPT table pages in use now, after an INVEPT has let merged tables go. */
static unsigned int mod_flush(struct vcpu *v)
{
	lock_wx_invept(v);
	return ept_pages_in_use(&v->ept);
}

static void mod_publish(struct vcpu *v)
{
	v->lock_mod_runs = v->mods.nr;
	v->lock_mod_pages = v->mods.pages;
	v->lock_mod_tables = v->mods.tables;
	vmx_ept_publish(v);
}

static int mod_add(struct vcpu *v, const struct lock_mod_args *a)
{
	unsigned int i, before, now;
	u64 s, e, pages = 0;
	int ret;

	ret = lock_mod_check_add(&v->mods, &v->wx, a, &v->ram, v->ept.map_limit);
	if (ret)
		return ret;
	for (i = 0; i < a->nr; i++)
		if (lock_wx_holds_hypervisor(v, a->run[i].start,
					     run_end(a->run[i].start, a->run[i].pages)))
			return -EACCES;
	before = ept_pages_in_use(&v->ept);
	for (i = 0; i < a->nr; i++) {
		s = a->run[i].start;
		ret = ept_set_perm(&v->ept, s, (u64)a->run[i].pages * PAGE_SIZE,
				   EPT_READ | EPT_EXEC |
				   (a->run[i].flags & LOCK_MOD_RUN_CODE ? 0 : EPT_NO_KEXEC));
		if (ret)
			break;
		now = ept_pages_in_use(&v->ept);
		/* the budget: the module runs take at most LOCK_MOD_EPT_TABLES tables */
		if (now > before && v->mods.tables + (now - before) > LOCK_MOD_EPT_TABLES) {
			ret = -ENOMEM;
			i++;		/* this one is set: undone below too */
			break;
		}
	}
	if (ret) {
		/* give back what was set: the pool as it was, nothing registered */
		while (i-- > 0) {
			s = a->run[i].start;
			e = run_end(s, a->run[i].pages);
			ept_set_perm(&v->ept, s, e - s, mod_free_perm(v));
			lock_reapply_watches(v, s, e);
		}
		mod_flush(v);
		return ret;
	}
	lock_mod_insert(&v->mods, a);
	for (i = 0; i < a->nr; i++) {
		lock_reapply_watches(v, a->run[i].start, run_end(a->run[i].start, a->run[i].pages));
		pages += a->run[i].pages;
	}
	now = mod_flush(v);
	v->mods.tables += now > before ? now - before : 0;
	lock_event(v, LOCK_EV_MOD_ADD, a->id, pages, WATCH_EV_ALLOWED);
	return 0;
}

/*
 * Release the runs of @id (every run if @all): they get every right back but what an
 * applied watch takes.  A loosening, for module runs only (lock_mod.h): an event.
 */
static int mod_del(struct vcpu *v, u32 id, bool all)
{
	unsigned int i, n, before, now, freed, pages = v->mods.pages;
	struct lock_mod_run r;

	if (!all && (!id || !lock_mod_count(&v->mods, id)))
		return -ENOENT;
	if (!v->mods.nr)
		return 0;
	before = ept_pages_in_use(&v->ept);
	for (i = 0; i < v->mods.nr && i < LOCK_MOD_RUNS; i++) {
		r = v->mods.run[i];
		if (!all && r.id != id)
			continue;
		/* the very range set R+X: whole leaves, so no split, no failure */
		ept_set_perm(&v->ept, r.start, (u64)r.pages * PAGE_SIZE, mod_free_perm(v));
	}
	n = lock_mod_remove(&v->mods, id, all);
	/* watches inside: their rights from RWX now (the run is gone from the table) */
	for (i = 0; i < WATCH_MAX; i++)
		if (v->applied[i].kind)
			lock_reapply_watches(v, v->applied[i].gpa, v->applied[i].gpa + PAGE_SIZE);
	now = mod_flush(v);
	freed = before > now ? before - now : 0;
	v->mods.tables = !v->mods.nr || freed >= v->mods.tables ? 0 : v->mods.tables - freed;
	v->lock_mod_released += n;
	lock_event(v, LOCK_EV_MOD_DEL, all ? 0 : id, pages - v->mods.pages, WATCH_EV_ALLOWED);
	return 0;
}

static void mod_refused(struct vcpu *v, enum lock_what what, u64 id, int ret)
{
	v->lock_mod_refused++;
	lock_event(v, what, id, (u64)(s64)ret, WATCH_EV_REFUSED);
}

int lock_mod_hypercall(struct vcpu *v, u64 args_pa)
{
	struct lock_mod_args *a = &v->mod_args;
	u64 page = args_pa & ~(u64)(PAGE_SIZE - 1);
	int ret;

	if (!v->ept.pml4)
		return -EOPNOTSUPP;
	/* The arguments are guest memory: in one RAM page, copied once, then checked. */
	if (args_pa != page || !ram_map_has(&v->ram, page) ||
	    lock_wx_holds_hypervisor(v, page, page + PAGE_SIZE)) {
		mod_refused(v, LOCK_EV_MOD_ADD, 0, -EFAULT);
		return -EFAULT;
	}
	sz_memcpy(a, (const void *)(unsigned long)(v->direct_map + args_pa), sizeof(*a));
	ret = mod_add(v, a);
	if (ret)
		mod_refused(v, LOCK_EV_MOD_ADD, a->id, ret);
	mod_publish(v);
	return ret;
}

int lock_mod_release(struct vcpu *v, u64 id)
{
	bool all = id == LOCK_MOD_ALL;
	int ret;

	if (!all && id > 0xffffffffULL)
		ret = -ENOENT;
	else
		ret = mod_del(v, (u32)id, all);
	if (ret)
		mod_refused(v, LOCK_EV_MOD_DEL, id, ret);
	mod_publish(v);
	return ret;
}
