// SPDX-License-Identifier: GPL-2.0
/*
 * The hypervisor's memory by class (seal.h): the one table that says, for each object
 * a vcpu owns, whether the guest may not see it, only read it, or also write it.
 */
#include "seal.h"
#include "ept.h"
#include "errors.h"
#include "arch/x86.h"

const char *const mem_class_names[MEM_CLASSES] = {
	[MEM_HIDDEN] = "hidden",
	[MEM_GUEST_RO] = "guest read-only",
	[MEM_GUEST_RW] = "guest read-write",
};

/*
 * The parts of struct vcpu, in order, each from its first byte to the next part's
 * (vmx.h lays them out page-aligned).  The end of the last is the end of the
 * allocation: what lies past the struct is unused and hidden.
 */
#define VCPU_AT(member)		offsetof(struct vcpu, member)

static const struct {
	const char *name;
	enum mem_class cls;
	size_t start;
} vcpu_parts[] = {
	{ "vcpu root state",		MEM_HIDDEN,	0 },
	{ "vcpu counters",		MEM_GUEST_RO,	VCPU_AT(cpu) },
	{ "log ring consumer",		MEM_GUEST_RW,	VCPU_AT(log) },
	{ "log ring lines",		MEM_GUEST_RO,	VCPU_AT(log.head) },
	{ "event ring consumer",	MEM_GUEST_RW,	VCPU_AT(events_ring) },
	{ "event ring events",		MEM_GUEST_RO,	VCPU_AT(events_ring.head) },
	{ "vcpu non-root flags",	MEM_GUEST_RW,	VCPU_AT(launched) },
	{ "vcpu allocation tail",	MEM_HIDDEN,	sizeof(struct vcpu) },
};

_Static_assert(VCPU_AT(cpu) % PAGE_SIZE == 0 && VCPU_AT(log) % PAGE_SIZE == 0 &&
	       VCPU_AT(log.head) % PAGE_SIZE == 0 && VCPU_AT(events_ring) % PAGE_SIZE == 0 &&
	       VCPU_AT(events_ring.head) % PAGE_SIZE == 0 &&
	       VCPU_AT(launched) % PAGE_SIZE == 0 && sizeof(struct vcpu) % PAGE_SIZE == 0,
	       "every part of struct vcpu starts a page");

/* The objects a vcpu points to: each one class, whole pages. */
enum vcpu_object {
	OBJ_VMXON, OBJ_VMCS, OBJ_HOST_STACK, OBJ_SCRATCH, OBJ_COPIES, OBJ_EPT_TABLES,
	OBJ_EPT_BOOKKEEPING, OBJ_HOST_PT,
	OBJ_NR,
};

static const struct {
	const char *name;
	enum mem_class cls;
} vcpu_objects[OBJ_NR] = {
	[OBJ_VMXON] = { "VMXON region", MEM_HIDDEN },
	[OBJ_VMCS] = { "VMCS", MEM_HIDDEN },
	[OBJ_HOST_STACK] = { "host stack", MEM_HIDDEN },
	[OBJ_SCRATCH] = { "scratch page", MEM_HIDDEN },
	[OBJ_COPIES] = { "protect copies", MEM_HIDDEN },
	[OBJ_EPT_TABLES] = { "EPT tables", MEM_HIDDEN },
	[OBJ_EPT_BOOKKEEPING] = { "EPT pool bookkeeping", MEM_HIDDEN },
	[OBJ_HOST_PT] = { "host page tables", MEM_HIDDEN },
};

/* Page @i of object @o of @v (0 past its end or when it is not allocated). */
static u64 object_page(struct vcpu *v, enum vcpu_object o, unsigned int i)
{
	switch (o) {
	case OBJ_VMXON:
		return i == 0 && v->vmxon ? v->vmxon_pa : 0;
	case OBJ_VMCS:
		return i == 0 && v->vmcs ? v->vmcs_pa : 0;
	case OBJ_HOST_STACK:
		return i < VCPU_HOST_STACK_SIZE / PAGE_SIZE && v->host_stack ?
		       v->host_stack_pa + (u64)i * PAGE_SIZE : 0;
	case OBJ_SCRATCH:
		return i == 0 && v->scratch ? v->scratch_pa : 0;
	case OBJ_COPIES:
		return i < WATCH_STEP_PAGES && v->copies ? v->copies_pa + (u64)i * PAGE_SIZE : 0;
	case OBJ_EPT_TABLES:
		return v->ept.pml4 ? ept_pool_pa(&v->ept, i) : 0;
	case OBJ_EPT_BOOKKEEPING:
		return ept_meta_pa(&v->ept, i);
	case OBJ_HOST_PT:	/* the top-level pair, then the tables below it */
		if (!v->host_pt.pair)
			return 0;
		if (i < 2)
			return v->host_pt.pair_pa + (u64)i * PAGE_SIZE;
		return i - 2 < v->host_pt.nr ? v->host_pt.pa[i - 2] : 0;
	default:
		return 0;
	}
}

void seal_vcpu_pages(struct vcpu *v,
		     void (*fn)(u64 pa, enum mem_class cls, const char *name, void *ctx),
		     void *ctx)
{
	size_t off, end = (size_t)PAGE_SIZE << v->self_order;
	unsigned int o, i, p = 0;
	u64 pa;

	for (o = 0; o < OBJ_NR; o++)
		for (i = 0; (pa = object_page(v, o, i)); i++)
			fn(pa, vcpu_objects[o].cls, vcpu_objects[o].name, ctx);
	if (!v->self_pa)
		return;
	for (off = 0; off < end; off += PAGE_SIZE) {
		while (p + 1 < ARRAY_SIZE(vcpu_parts) && off >= vcpu_parts[p + 1].start)
			p++;
		fn(v->self_pa + off, vcpu_parts[p].cls, vcpu_parts[p].name, ctx);
	}
}

static void count_one(u64 pa, enum mem_class cls, const char *name, void *ctx)
{
	unsigned int *pages = ctx;

	(void)pa;
	(void)name;
	pages[cls]++;
}

void seal_count(struct vcpu *v, unsigned int *pages)
{
	unsigned int c;

	for (c = 0; c < MEM_CLASSES; c++)
		pages[c] = 0;
	seal_vcpu_pages(v, count_one, pages);
}

int vmx_ept_seal(struct vcpu *v, u64 pa, unsigned int perm)
{
	unsigned int level;
	u64 *leaf;
	int ret;

	if (!v->ept.pml4)
		return 0;
	ret = ept_set_perm(&v->ept, pa, PAGE_SIZE, perm);
	if (ret)
		return ret;
	leaf = ept_leaf(&v->ept, pa, &level);
	if (!leaf || level != EPT_LEVEL_4K)
		return -EINVAL;
	*leaf |= EPT_SEALED;
	return 0;
}

unsigned int seal_text_code_pages(const struct seal_text *t)
{
	return (unsigned int)((t->text_end - t->text_start + PAGE_SIZE - 1) / PAGE_SIZE);
}

u64 seal_text_va(const struct seal_text *t, unsigned int i)
{
	unsigned int code = seal_text_code_pages(t);

	if (!t->ro_start || i < code)
		return t->text_start + (u64)i * PAGE_SIZE;
	return t->ro_start + (u64)(i - code) * PAGE_SIZE;
}

/* Root's code: [*lo, *hi) (struct seal_text). */
static void seal_root_range(const struct seal_text *t, u64 *lo, u64 *hi)
{
	*lo = t->root_end ? t->root_start : t->text_start;
	*hi = t->root_end ? t->root_end : t->text_end;
}

void seal_text_pages(struct vcpu *v, void (*fn)(u64 pa, void *ctx), void *ctx)
{
	const struct seal_text *t = &v->text;
	unsigned int i;
	u64 lo, hi, va;

	seal_root_range(t, &lo, &hi);
	for (i = 0; i < t->nr && i < SEAL_TEXT_PAGES; i++) {
		va = seal_text_va(t, i);
		/* root's code and all read-only data; the kernel's patch sites stay open */
		if ((va >= lo && va < hi) || i >= seal_text_code_pages(t))
			fn(t->pa[i], ctx);
	}
}

/* ---- root ---- */

#define PTE_ADDR_MASK		0x000ffffffffff000ULL

int seal_guest_access(struct vcpu *v, u64 gpa, bool write)
{
	unsigned int level;
	u64 *leaf, e;

	if (!ram_map_has(&v->ram, gpa & ~(u64)(PAGE_SIZE - 1)))
		return -EFAULT;		/* MMIO, or nothing: never touched from root */
	if (!v->ept.pml4)
		return 0;		/* no EPT: the guest reaches all of RAM itself */
	leaf = ept_leaf(&v->ept, gpa, &level);
	if (!leaf)
		return -EFAULT;
	e = *leaf;
	/*
	 * The guest's own access: the leaf grants it, and to this very page.  A hidden
	 * page is mapped to the scratch page (another frame) and a sealed or protected
	 * one lacks EPT_WRITE: root must not do for the guest what its EPT forbids.
	 */
	if (!(e & EPT_READ) || (write && (!(e & EPT_WRITE) || (e & EPT_SEALED))))
		return -EACCES;
	if (ept_leaf_hpa(e, level, gpa) != gpa)
		return -EACCES;
	return 0;
}

int seal_guest_walk_perm(struct vcpu *v, u64 cr3, u64 cr4, u64 va, u64 *pa, u64 *perm)
{
	unsigned int level = (cr4 & X86_CR4_LA57) ? 5 : 4;
	u64 table = cr3 & PTE_ADDR_MASK, e, size, and = PTE_RW | PTE_USER;

	for (; level >= 1; level--) {
		/*
		 * Never read MMIO as a table, nor a page the guest's own walk could not
		 * read through its EPT (a hidden page of ours: what root found there would
		 * tell the guest what it holds).
		 */
		if (seal_guest_access(v, table, false))
			return -EFAULT;
		/* one read of the entry: the guest may be changing it */
		e = __atomic_load_n(&((const u64 *)(unsigned long)(v->direct_map + table))
				    [(va >> (12 + 9 * (level - 1))) & 511], __ATOMIC_RELAXED);
		if (!(e & PTE_PRESENT)) {
			*perm = and;
			return -ENOENT;
		}
		and &= e;
		size = 1ULL << (12 + 9 * (level - 1));
		if (level == 1 || (level <= 3 && (e & PTE_LARGE))) {
			*pa = (e & PTE_ADDR_MASK & ~(size - 1)) | (va & (size - 1));
			*perm = and;
			return 0;
		}
		table = e & PTE_ADDR_MASK;
	}
	return -EFAULT;
}

int seal_guest_walk(struct vcpu *v, u64 cr3, u64 cr4, u64 va, u64 *pa)
{
	u64 perm;

	return seal_guest_walk_perm(v, cr3, cr4, va, pa, &perm) ? -EFAULT : 0;
}

int seal_caller_check(struct vcpu *v, u64 rip, u64 cr3, u64 cr4)
{
	const struct seal_text *t = &v->text;
	u64 page, pa, lo, hi;

	seal_root_range(t, &lo, &hi);
	if (!t->nr || rip < lo || rip + 2 >= hi)
		return -EPERM;
	page = (rip - t->text_start) / PAGE_SIZE;
	if (page >= t->nr || page >= SEAL_TEXT_PAGES)
		return -EPERM;
	/* Without EPT nothing write-protects the text: the address is all there is. */
	if (!v->ept.pml4)
		return 0;
	/*
	 * The instruction's last byte too: a VMCALL is 3 bytes and may straddle a page.
	 * Both pages must be the module's own, as captured at load.
	 */
	if (seal_guest_walk(v, cr3, cr4, rip, &pa) ||
	    (pa & ~(u64)(PAGE_SIZE - 1)) != t->pa[page])
		return -EPERM;
	page = (rip + 2 - t->text_start) / PAGE_SIZE;
	if (page >= t->nr || page >= SEAL_TEXT_PAGES ||
	    seal_guest_walk(v, cr3, cr4, rip + 2, &pa) ||
	    (pa & ~(u64)(PAGE_SIZE - 1)) != t->pa[page])
		return -EPERM;
	return 0;
}
