// SPDX-License-Identifier: GPL-2.0
/*
 * The lock's W^X for the core kernel's text and read-only data (lock_wx.h): pure
 * decisions first, then what applies them in root.
 */
#include "lock_wx.h"
#include "lock.h"
#include "lock_mod.h"
#include "ept.h"
#include "errors.h"
#include "exit.h"
#include "lib.h"
#include "log.h"
#include "vmx.h"
#include "watch.h"
#include "arch/x86.h"
#include <cpu_ops.h>

/* ---- the decisions (pure) ---- */

static bool page_aligned(u64 a)
{
	return !(a & (PAGE_SIZE - 1));
}

bool lock_wx_ram_covers(const struct ram_map *ram, u64 start, u64 end)
{
	unsigned int i, nr = ram->nr < RAM_MAP_MAX ? ram->nr : RAM_MAP_MAX;

	for (i = 0; i < nr; i++)
		if (start >= ram->range[i].start && end <= ram->range[i].end)
			return true;
	return false;
}

/* Canonical with 48-bit linear addresses (a 57-bit one is canonical too then). */
static bool canonical(u64 a)
{
	u64 top = a >> 47;	/* bits 63:47 all equal */

	return !top || top == 0x1ffff;
}

int lock_wx_check_args(const struct lock_wx_args *a, const struct ram_map *ram,
		       u64 map_limit, struct lock_wx *wx)
{
	unsigned int i, j, nr = a->nr;

	if (a->magic != LOCK_WX_ARGS_MAGIC || !nr || nr > LOCK_WX_RANGES)
		return -EINVAL;
	if ((a->flags & ~LOCK_WX_KEXEC) || (a->code & ~((1U << nr) - 1)))
		return -EINVAL;
	if (!a->poke_pgd || !page_aligned(a->poke_pgd) || !page_aligned(a->poke_addr) ||
	    !canonical(a->poke_addr) || !canonical(a->poke_addr + LOCK_WX_POKE_PAGES * PAGE_SIZE - 1))
		return -EINVAL;
	for (i = 0; i < nr; i++) {
		const struct lock_wx_range *r = &a->range[i];

		if (!page_aligned(r->start) || !page_aligned(r->end) || r->end <= r->start)
			return -EINVAL;
		for (j = 0; j < i; j++)
			if (r->start < a->range[j].end && a->range[j].start < r->end)
				return -EINVAL;
		if (r->end > map_limit)
			return -ERANGE;
		if (!lock_wx_ram_covers(ram, r->start, r->end))
			return -EFAULT;
	}
	wx->on = false;
	wx->kexec = false;
	wx->kexec_wanted = a->flags & LOCK_WX_KEXEC;
	wx->code = a->code;
	wx->nr = nr;
	for (i = 0; i < nr; i++)
		wx->range[i] = a->range[i];
	wx->poke_pgd = a->poke_pgd;
	wx->poke_addr = a->poke_addr;
	wx->nr_split = 0;
	return 0;
}

/* The index of the range holding @gpa (the W^X on), or -1. */
static int wx_range_of(const struct lock_wx *wx, u64 gpa)
{
	unsigned int i;

	if (!wx->on)
		return -1;
	for (i = 0; i < wx->nr && i < LOCK_WX_RANGES; i++)
		if (gpa >= wx->range[i].start && gpa < wx->range[i].end)
			return (int)i;
	return -1;
}

bool lock_wx_covers(const struct lock_wx *wx, u64 gpa)
{
	return wx_range_of(wx, gpa) >= 0;
}

bool lock_wx_code(const struct lock_wx *wx, u64 gpa)
{
	int i = wx_range_of(wx, gpa);

	return i >= 0 && (wx->code & (1U << i));
}

unsigned int lock_wx_perm(const struct lock_wx *wx, u64 gpa)
{
	unsigned int nokexec = wx->kexec ? EPT_NO_KEXEC : 0;

	if (!lock_wx_covers(wx, gpa))
		return EPT_RWX | nokexec;
	return EPT_READ | EPT_EXEC | (lock_wx_code(wx, gpa) ? 0 : nokexec);
}

/* A range's rights: read and execute, code or not (EPT_NO_KEXEC: only under MBEC). */
static unsigned int wx_range_perm(const struct lock_wx *wx, unsigned int i)
{
	return EPT_READ | EPT_EXEC | (wx->code & (1U << i) ? 0 : EPT_NO_KEXEC);
}

/* CR3's page-table base: bits 51:12 (SDM Vol. 3A, 4.5), less PTI's user-table bit. */
#define LOCK_WX_CR3_BASE	(0x000ffffffffff000ULL & ~X86_CR3_PTI_USER_BIT)

bool lock_wx_patch_allowed(const struct lock_wx *wx, u64 cr3, u64 gla, bool gla_ok,
			   unsigned int cpl)
{
	if (!wx->on || !gla_ok || cpl != 0)
		return false;
	if ((cr3 & LOCK_WX_CR3_BASE) != (wx->poke_pgd & LOCK_WX_CR3_BASE))
		return false;
	return gla >= wx->poke_addr && gla - wx->poke_addr < LOCK_WX_POKE_PAGES * PAGE_SIZE;
}

bool lock_wx_record_allowed(u64 n)
{
	return n && !(n & (n - 1));
}

/* ---- in root ---- */

void lock_wx_invept(struct vcpu *v)
{
	cpu_invept(ept_invept_type(v->caps->ept_vpid), ept_eptp(&v->ept));
	ept_reclaim(&v->ept);
}

/*
 * Does [start, end) hold a page of the hypervisor's own?  Those are exactly the pages
 * this EPT does not map identity (hidden: private.c points them elsewhere), those
 * marked sealed (guest read-only), and the scratch page (watch_check() has the same
 * rule); the tables are hidden, so the answer is root's own.  Walked leaf by leaf.
 */
bool lock_wx_holds_hypervisor(struct vcpu *v, u64 start, u64 end)
{
	unsigned int level;
	u64 a = start, size, *leaf;

	while (a < end) {
		leaf = ept_leaf(&v->ept, a, &level);
		if (!leaf)
			return true;
		size = ept_level_size(level);
		if ((*leaf & EPT_ADDR_MASK) != (a & ~(size - 1)) || (*leaf & EPT_SEALED))
			return true;
		a = (a & ~(size - 1)) + size;
	}
	return v->scratch_pa >= start && v->scratch_pa < end;
}

/*
 * The gaps of @ram below @limit (memory the kernel does not own as RAM: firmware,
 * ACPI, EFI runtime services, MMIO), in address order, at most @max.  Pure.
 */
static unsigned int wx_ram_gaps(const struct ram_map *ram, u64 limit,
				struct lock_wx_range *gap, unsigned int max)
{
	unsigned int i, j, n = 0, nr = ram->nr < RAM_MAP_MAX ? ram->nr : RAM_MAP_MAX;
	struct ram_range r[RAM_MAP_MAX], t;
	u64 at = 0;

	for (i = 0; i < nr; i++) {			/* sorted by start (few ranges) */
		r[i] = ram->range[i];
		for (j = i; j > 0 && r[j].start < r[j - 1].start; j--) {
			t = r[j];
			r[j] = r[j - 1];
			r[j - 1] = t;
		}
	}
	for (i = 0; i <= nr && n < max; i++) {
		u64 s = i < nr ? r[i].start : limit;

		if (s > limit)
			s = limit;
		if (s > at)
			gap[n++] = (struct lock_wx_range){ at, s };
		if (i < nr && r[i].end > at)
			at = r[i].end;
	}
	return n;
}

/*
 * Kernel-mode execution restricted (lock_wx.h): supervisor-execute off everywhere but
 * the sealed pages, back on the code ranges and code module runs (set R+X before: no
 * split, so no failure) and on what is not RAM, and the VM-execution control on in this exit
 * (vmcs_setup_controls() keeps it at a relaunch).  Why not RAM keeps it: the kernel
 * allocates code and data from RAM only, but calls firmware where it lies (EFI
 * runtime services: their code is reserved memory, not RAM); the README lists that
 * as a gap.  The splits at the gaps' ends are counted first: if the pool cannot take
 * them and still keep the module runs' reserve, nothing is restricted (-ENOMEM,
 * logged; status says not restricted).
 */
static int wx_restrict_kexec(struct vcpu *v, struct lock_wx *wx)
{
	struct lock_wx_range gap[RAM_MAP_MAX + 1];
	unsigned int i, nr, keep, cost = 0;

	nr = wx_ram_gaps(&v->ram, v->ept.map_limit, gap, RAM_MAP_MAX + 1);
	for (i = 0; i < nr; i++)
		cost += ept_set_perm_cost(&v->ept, gap[i].start, gap[i].end - gap[i].start);
	/* ...and leave the module runs' reserve (lock_mod.h) to them */
	keep = LOCK_MOD_EPT_TABLES - (v->mods.tables < LOCK_MOD_EPT_TABLES ?
				      v->mods.tables : LOCK_MOD_EPT_TABLES);
	if (cost + keep > ept_pool_free(&v->ept)) {
		log_printf(&v->log, LOG_ERR "CPU %u: kernel-mode execution not restricted: the EPT pool has %u free pages, the firmware ranges need %u and the modules keep %u",
			   v->cpu, ept_pool_free(&v->ept), cost, keep);
		return -ENOMEM;
	}
	ept_restrict_kexec(&v->ept);
	for (i = 0; i < wx->nr; i++)
		if (wx->code & (1U << i))
			ept_set_perm(&v->ept, wx->range[i].start,
				     wx->range[i].end - wx->range[i].start, EPT_READ | EPT_EXEC);
	/* the module runs registered so far: set before, so no split either */
	for (i = 0; i < v->mods.nr && i < LOCK_MOD_RUNS; i++)
		if (v->mods.run[i].code)
			ept_set_perm(&v->ept, v->mods.run[i].start,
				     (u64)v->mods.run[i].pages * PAGE_SIZE, EPT_READ | EPT_EXEC);
	for (i = 0; i < nr; i++)
		ept_set_perm(&v->ept, gap[i].start, gap[i].end - gap[i].start, EPT_RWX);
	vmcs_write32(NULL, SECONDARY_VM_EXEC_CONTROL,
		     vmcs_read32(SECONDARY_VM_EXEC_CONTROL) | SECONDARY_EXEC_MODE_BASED_EPT_EXEC);
	wx->kexec = true;
	log_printf(&v->log, "CPU %u: kernel-mode execution restricted to kernel and module text (mode-based execute control)",
		   v->cpu);
	return 0;
}

int lock_wx_engage(struct vcpu *v, u64 args_pa)
{
	struct lock_wx_args a;
	struct lock_wx wx;
	unsigned int i, before;
	int ret;

	v->lock_wx_mbec = (v->caps->procbased2 >> 32) & SECONDARY_EXEC_MODE_BASED_EPT_EXEC;
	if (v->wx.on || !args_pa)
		return 0;
	if (!v->ept.pml4) {
		/* the rest of the lock holds; status says kernel_text_wx false */
		log_printf(&v->log, LOG_WARNING "CPU %u: no EPT: kernel text W^X not applied",
			   v->cpu);
		return 0;
	}
	/* The arguments are guest memory: RAM, one page, copied once, then checked. */
	if ((args_pa & (PAGE_SIZE - 1)) + sizeof(a) > PAGE_SIZE ||
	    !ram_map_has(&v->ram, args_pa & ~(PAGE_SIZE - 1)) ||
	    lock_wx_holds_hypervisor(v, args_pa & ~(PAGE_SIZE - 1), (args_pa & ~(PAGE_SIZE - 1)) + PAGE_SIZE))
		return -EFAULT;
	sz_memcpy(&a, (const void *)(unsigned long)(v->direct_map + args_pa), sizeof(a));
	ret = lock_wx_check_args(&a, &v->ram, v->ept.map_limit, &wx);
	if (ret)
		return ret;
	for (i = 0; i < wx.nr; i++)
		if (lock_wx_holds_hypervisor(v, wx.range[i].start, wx.range[i].end))
			return -EACCES;
	before = ept_pages_in_use(&v->ept);
	for (i = 0; i < wx.nr; i++) {
		ret = ept_set_perm(&v->ept, wx.range[i].start, wx.range[i].end - wx.range[i].start,
				   wx_range_perm(&wx, i));
		if (ret)
			break;
	}
	if (ret) {
		/* give back what was set: nothing locked, the pool as it was */
		while (i-- > 0)
			ept_set_perm(&v->ept, wx.range[i].start,
				     wx.range[i].end - wx.range[i].start, EPT_RWX);
		lock_wx_invept(v);
		log_printf(&v->log, LOG_ERR "CPU %u: kernel text W^X not applied: %d (EPT pool: %u free)",
			   v->cpu, ret, ept_pool_free(&v->ept));
		return ret;
	}
	wx.on = true;
	wx.tables = ept_pages_in_use(&v->ept) - before;
	v->wx = wx;
	/* applied watches and protections inside keep what they take away */
	for (i = 0; i < wx.nr; i++)
		lock_reapply_watches(v, wx.range[i].start, wx.range[i].end);
	lock_wx_invept(v);
	v->lock_wx_on = true;
	v->lock_wx_tables = wx.tables;
	vmx_ept_publish(v);
	return 0;
}

int lock_kexec_engage(struct vcpu *v)
{
	int ret;

	if (!v->wx.on)
		return -ENOENT;
	if (!v->wx.kexec_wanted || !v->lock_wx_mbec)
		return -EOPNOTSUPP;
	if (v->wx.kexec)
		return 0;
	ret = wx_restrict_kexec(v, &v->wx);
	if (ret)
		return ret;
	/* applied watches and protections keep what they take away (anywhere) */
	lock_reapply_watches(v, 0, v->ept.map_limit);
	lock_wx_invept(v);
	v->lock_kexec = true;
	vmx_ept_publish(v);
	return 0;
}

/* Split the leaf holding @page down to a 4 KiB leaf of its own; *leaf gets it. */
static int wx_split_page(struct vcpu *v, u64 page, u64 **leaf, unsigned int *level)
{
	int ret = ept_split_to_4k(&v->ept, page);

	if (ret)
		return ret;
	*leaf = ept_leaf(&v->ept, page, level);
	return *leaf && *level == EPT_LEVEL_4K ? 0 : -EFAULT;
}

/*
 * A kernel-mode fetch outside code: refused with #GP(0), or #DF(0) when it was the
 * delivery of an event (a gate pointing outside code; a contributory fault during
 * delivery would be one, SDM Vol. 3A, Table 6-5).  The guest's kernel then oopses in
 * that context; the page keeps its rights.
 */
static int wx_kexec_refused(struct vcpu *v, const struct ept_violation *d, u64 page)
{
	u64 gla = d->gla_valid ? vmcs_readn(GUEST_LINEAR_ADDRESS) : 0;

	v->lock_kexec_refused++;
	lock_event(v, LOCK_EV_KEXEC, page, gla, WATCH_EV_REFUSED);
	if (vmcs_read32(IDT_VECTORING_INFO_FIELD) & INTR_INFO_VALID)
		exit_inject_exception(X86_VEC_DF, true, 0);
	else
		exit_inject_exception(X86_VEC_GP, true, 0);
	return 0;
}

int lock_wx_violation(struct vcpu *v, const struct ept_violation *d, u64 gpa, u64 *leaf,
		      unsigned int level)
{
	static const struct watch discard = {
		.access = WATCH_W, .kind = WATCH_KIND_PROTECT, .ram = true,
	};
	static const struct watch open = { .access = 0, .kind = WATCH_KIND_WATCH, .ram = true };
	u64 page = gpa & ~(u64)(PAGE_SIZE - 1);
	u64 rip = vmcs_readn(GUEST_RIP), gla = 0;
	bool gla_ok = d->gla_valid && d->gla_translation;
	bool again = rip == v->step.retry_rip && gpa == v->step.retry_gpa;
	const struct watch *w;
	unsigned int cpl;
	int ret;

	if (d->fetch && v->wx.kexec && exit_guest_cpl() < 3 &&
	    (lock_page_perm(v, page) & EPT_NO_KEXEC))
		return wx_kexec_refused(v, d, page);
	/* the core kernel's ranges and the module runs alike (lock_mod.h) */
	if (!d->write || (lock_page_perm(v, page) & EPT_WRITE))
		return 1;
	if (gla_ok)
		gla = vmcs_readn(GUEST_LINEAR_ADDRESS);
	cpl = exit_guest_cpl();
	w = watch_applied(v, page);
	if (lock_wx_patch_allowed(&v->wx, vmcs_readn(GUEST_CR3), gla, gla_ok, cpl) &&
	    (!w || w->kind != WATCH_KIND_PROTECT)) {
		/* the kernel's own patching: open the leaf (any size) for one step */
		if (!again) {
			v->lock_wx_allowed++;
			if (lock_wx_record_allowed(v->lock_wx_allowed))
				lock_event(v, LOCK_EV_KTEXT, page, gla, WATCH_EV_ALLOWED);
		}
		return watch_step_page(v, w ? w : &open, page, leaf, d, gpa, false, EPT_RWX);
	}
	/*
	 * Refused (or a protected page: its protection wins over the patching
	 * exception).  The write goes to a copy for one step: that needs a 4 KiB leaf.
	 */
	if (level != EPT_LEVEL_4K) {
		ret = wx_split_page(v, page, &leaf, &level);
		if (ret) {
			log_printf(&v->log, LOG_CRIT "CPU %u: a refused write to kernel text at GPA %llx cannot be discarded: splitting its leaf failed (%d)",
				   v->cpu, gpa, ret);
			return ret;
		}
		/* remembered to merge back (watch.c opens at most WATCH_STEP_PAGES) */
		if (v->wx.nr_split < WATCH_STEP_PAGES)
			v->wx.split[v->wx.nr_split++] = page;
	}
	if (!again) {
		v->lock_wx_refused++;
		lock_event(v, LOCK_EV_KTEXT, page, gla, WATCH_EV_REFUSED);
	}
	if (w && w->kind == WATCH_KIND_PROTECT)		/* its own event too */
		return watch_step_page(v, w, page, leaf, d, gpa, false, EPT_RWX);
	return watch_step_page(v, &discard, page, leaf, d, gpa, true, EPT_RWX);
}

void lock_wx_step_end(struct vcpu *v)
{
	unsigned int i;

	/* The leaves are back as they were (R+X): setting them again merges the tables. */
	for (i = 0; v->wx.on && i < v->wx.nr_split && i < WATCH_STEP_PAGES; i++)
		if (!watch_applied(v, v->wx.split[i]))
			ept_set_perm(&v->ept, v->wx.split[i], PAGE_SIZE,
				     lock_page_perm(v, v->wx.split[i]));
	v->wx.nr_split = 0;
}
