// SPDX-License-Identifier: GPL-2.0
/*
 * The per-CPU identity EPT: building it, changing permissions with splits and merges
 * from a preallocated pool, and decoding EPT violations.  Design notes in ept.h.
 */
#include "ept.h"
#include "errors.h"
#include "lib.h"
#include "os.h"
#include "vmx_caps.h"
#include "arch/x86.h"

_Static_assert(EPTP_MEMTYPE_WB == X86_MEMTYPE_WB, "EPTP memory type encoding");


/* ---- entries and levels ---- */

static unsigned int ept_shift(unsigned int level)
{
	return 12 + 9 * (level - 1);
}

u64 ept_leaf_hpa(u64 leaf, unsigned int level, u64 gpa)
{
	u64 size = 1ULL << ept_shift(level);

	return (leaf & EPT_ADDR_MASK & ~(size - 1)) | (gpa & (size - 1));
}

static u64 ept_size(unsigned int level)
{
	return 1ULL << ept_shift(level);
}

u64 ept_level_size(unsigned int level)
{
	return ept_size(level);
}

static unsigned int ept_index(u64 gpa, unsigned int level)
{
	return (gpa >> ept_shift(level)) & (EPT_ENTRIES - 1);
}

static bool ept_is_leaf(u64 entry, unsigned int level)
{
	return level == EPT_LEVEL_4K || (entry & EPT_LARGE);
}

/* May a leaf sit at this level on this CPU?  (29.3.2: 1 GiB and 2 MiB are optional) */
static bool ept_level_has_leaves(const struct ept *e, unsigned int level)
{
	return level == EPT_LEVEL_4K ||
	       (level == EPT_LEVEL_2M && (e->caps & VMX_EPT_2MB_PAGE)) ||
	       (level == EPT_LEVEL_1G && (e->caps & VMX_EPT_1GB_PAGE));
}

static u64 ept_make_leaf(u64 pa, u8 type, unsigned int level, u64 perm)
{
	return pa | perm | ((u64)type << EPT_MEMTYPE_SHIFT) |
	       (level > EPT_LEVEL_4K ? EPT_LARGE : 0);
}

u64 ept_perm_bits(const struct ept *e, unsigned int perm)
{
	u64 b = perm & EPT_RWX;

	if (e->mbec && (perm & EPT_EXEC)) {
		b |= EPT_EXEC_USER;
		if (perm & EPT_NO_KEXEC)
			b &= ~EPT_EXEC;
	}
	return b;
}

/* The permissions of a non-leaf entry: everything (the leaves decide). */
static u64 ept_dir_bits(const struct ept *e)
{
	return EPT_RWX | (e->mbec ? EPT_EXEC_USER : 0);
}

void *ept_phys_to_virt(const struct ept *e, u64 pa)
{
	return (void *)(unsigned long)(e->direct_map + pa);
}

static u64 *ept_table(const struct ept *e, u64 entry)
{
	return ept_phys_to_virt(e, entry & EPT_ADDR_MASK);
}

/* One store, so the processor never sees half an entry. */
static void ept_write(u64 *pe, u64 val)
{
	__atomic_store_n(pe, val, __ATOMIC_RELAXED);
}

/* ---- the pool ---- */

static u64 *ept_take(struct ept *e, u64 *pa)
{
	if (!e->nr_free)
		return NULL;
	*pa = e->free[--e->nr_free];
	return ept_phys_to_virt(e, *pa);
}

static void ept_defer(struct ept *e, u64 pa)
{
	e->deferred[e->nr_deferred++] = pa;
}

void ept_reclaim(struct ept *e)
{
	while (e->nr_deferred)
		e->free[e->nr_free++] = e->deferred[--e->nr_deferred];
}

unsigned int ept_pages_in_use(const struct ept *e)
{
	return e->pool_pages - e->nr_free;
}

unsigned int ept_pool_size(const struct ept *e)
{
	return e->pool_pages;
}

u64 ept_pool_pa(const struct ept *e, unsigned int i)
{
	return i < e->pool_pages ? e->pool[i].pa : 0;
}

unsigned int ept_meta_pages(const struct ept *e)
{
	return e->pool ? 1U << e->meta_order : 0;
}

u64 ept_meta_pa(const struct ept *e, unsigned int i)
{
	return i < ept_meta_pages(e) ? e->meta_pa + (u64)i * 4096 : 0;
}

/*
 * Add @n pages to the pool, free for splits.  The arrays are reallocated (nothing in
 * root may be using the EPT's pool now: only before launch).  On -ENOMEM the pool keeps
 * the pages added before the failure.  Not root-safe.
 */
int ept_pool_grow(struct ept *e, unsigned int n)
{
	unsigned int cap = e->pool_pages + n, i, order = 0;
	struct ept_page *pool;
	u64 *free, *deferred;
	size_t bytes;
	void *va;
	u64 pa, meta_pa;

	if (!n)
		return 0;
	/* In whole pages, like ept_init()'s: the bookkeeping is hidden (ept_meta_pa()). */
	bytes = (size_t)cap * (sizeof(*pool) + 2 * sizeof(u64));
	while ((4096UL << order) < bytes)
		order++;
	pool = os_alloc_pages(order, &meta_pa);
	if (!pool)
		return -ENOMEM;
	free = (u64 *)(pool + cap);
	deferred = free + cap;
	sz_memcpy(pool, e->pool, e->pool_pages * sizeof(*pool));
	sz_memcpy(free, e->free, e->nr_free * sizeof(u64));
	sz_memcpy(deferred, e->deferred, e->nr_deferred * sizeof(u64));
	os_free_pages(e->pool, e->meta_order);
	e->meta_order = order;
	e->meta_pa = meta_pa;
	e->pool = pool;
	e->free = free;
	e->deferred = deferred;
	for (i = 0; i < n; i++) {
		va = os_alloc_pages(0, &pa);
		if (!va)
			return -ENOMEM;
		e->pool[e->pool_pages++] = (struct ept_page){ va, pa };
		e->free[e->nr_free++] = pa;
	}
	return 0;
}

unsigned int ept_pool_free(const struct ept *e)
{
	return e->nr_free;
}

/* Shell sort: a few thousand addresses at most, at load. */
static void ept_sort(u64 *a, unsigned int n)
{
	unsigned int gap, i, j;
	u64 x;

	for (gap = n / 2; gap; gap /= 2)
		for (i = gap; i < n; i++)
			for (x = a[i], j = i; j >= gap && a[j - gap] > x; j -= gap) {
				a[j] = a[j - gap];
				a[j - gap] = x;
			}
}

unsigned int ept_hide_cost(struct ept *e, u64 *pas, unsigned int n)
{
	u64 last_2m = ~0ULL, last_1g = ~0ULL, gpa;
	unsigned int i, level, cost = 0;

	ept_sort(pas, n);
	for (i = 0; i < n; i++) {
		gpa = pas[i] & ~0xfffULL;
		if (gpa >= e->map_limit || gpa >> 21 == last_2m)
			continue;
		last_2m = gpa >> 21;
		if (!ept_leaf(e, gpa, &level) || level == EPT_LEVEL_4K)
			continue;
		cost++;			/* the 4 KiB table under this 2 MiB */
		if (level == EPT_LEVEL_1G && gpa >> 30 != last_1g)
			cost++;		/* the 2 MiB table under this 1 GiB, once */
		if (level == EPT_LEVEL_1G)
			last_1g = gpa >> 30;
	}
	return cost;
}

/* ---- building the identity map ---- */

/*
 * The MTRR type of the block of this level at a, or -1 if not uniform.  known >= 0
 * is the type of the block one level up, already found uniform.
 */
static int ept_block_type(const struct ept *e, u64 a, unsigned int level, int known)
{
	u8 t;
	int ret;

	if (known >= 0)
		return known;
	ret = mtrr_type(&e->mtrr, a, ept_size(level), &t);
	if (ret == 0)
		return t;
	/* A 4 KiB block is always uniform; were it not, UC is never wrong. */
	return level == EPT_LEVEL_4K ? X86_MEMTYPE_UC : -1;
}

/*
 * Fill the table of this level that maps from base: a leaf for every block that can
 * be one, a new table for the others.  With table NULL, only count the tables into
 * *tables: ept_tables_needed() and ept_init() must agree exactly.
 */
static int ept_build(struct ept *e, u64 *table, unsigned int level, u64 base, int known,
		     unsigned int *tables)
{
	u64 size = ept_size(level);
	unsigned int i;
	u64 a, pa = 0;
	u64 *child;
	int t, ret;

	for (i = 0; i < EPT_ENTRIES; i++) {
		a = base + i * size;
		if (a >= e->map_limit) {
			if (table)
				table[i] = 0;
			continue;
		}
		t = a + size <= e->map_limit ? ept_block_type(e, a, level, known) : -1;
		if (t >= 0 && ept_level_has_leaves(e, level)) {
			if (table)
				table[i] = ept_make_leaf(a, t, level, EPT_RWX);
			continue;
		}
		(*tables)++;
		child = NULL;
		if (table) {
			child = ept_take(e, &pa);
			if (!child)
				return -ENOMEM;
			table[i] = pa | EPT_RWX;
		}
		ret = ept_build(e, child, level - 1, a, t, tables);
		if (ret)
			return ret;
	}
	return 0;
}

/* The walk length for the map, or an error (see ept_init()). */
static int ept_check_limit(u64 ept_vpid_cap, const struct mtrr_state *m, u64 map_limit,
			   unsigned int *levels)
{
	if (!map_limit || (map_limit & 0xfff) || map_limit > EPT_LIMIT_5 ||
	    m->phys_bits > 52 || map_limit > (1ULL << m->phys_bits))
		return -EINVAL;
	if (map_limit > ept_max_limit(ept_vpid_cap))
		return -ERANGE;
	*levels = map_limit > EPT_LIMIT_4 ? EPT_LEVELS_MAX : EPT_LEVELS;
	return 0;
}

int ept_tables_needed(u64 ept_vpid_cap, const struct mtrr_state *m, u64 map_limit,
		      unsigned int *pages)
{
	struct ept e = { .map_limit = map_limit, .caps = ept_vpid_cap, .mtrr = *m };
	const char *missing;
	int ret;

	ret = ept_check_caps(ept_vpid_cap, &missing);
	if (!ret)
		ret = ept_check_limit(ept_vpid_cap, m, map_limit, &e.levels);
	if (ret)
		return ret;
	*pages = 1;		/* the top table */
	return ept_build(&e, NULL, e.levels, 0, -1, pages);
}

int ept_init(struct ept *e, u64 ept_vpid_cap, const struct mtrr_state *m, u64 map_limit,
	     unsigned int pool_pages)
{
	unsigned int needed, built = 1, i;
	size_t bytes;
	void *va;
	u64 pa;
	int ret;

	*e = (struct ept){ 0 };
	ret = ept_tables_needed(ept_vpid_cap, m, map_limit, &needed);
	if (ret)
		return ret;
	if (pool_pages < needed)
		return -ENOMEM;

	e->map_limit = map_limit;
	e->caps = ept_vpid_cap;
	e->mtrr = *m;
	ept_check_limit(ept_vpid_cap, m, map_limit, &e->levels);	/* checked above */
	e->direct_map = (u64)(unsigned long)os_phys_to_virt(0);
	/*
	 * One allocation for the three arrays, in pages of their own: the bookkeeping
	 * says where the tables are, so it is hidden like them (ept_meta_pa()).
	 */
	bytes = (size_t)pool_pages * (sizeof(*e->pool) + 2 * sizeof(u64));
	while ((4096UL << e->meta_order) < bytes)
		e->meta_order++;
	e->pool = os_alloc_pages(e->meta_order, &e->meta_pa);
	if (!e->pool)
		return -ENOMEM;
	e->free = (u64 *)(e->pool + pool_pages);
	e->deferred = e->free + pool_pages;
	for (i = 0; i < pool_pages; i++) {
		va = os_alloc_pages(0, &pa);
		if (!va) {
			ret = -ENOMEM;
			goto err_destroy;
		}
		e->pool[i] = (struct ept_page){ va, pa };
		e->pool_pages++;
	}
	/* The free stack hands out pages in allocation order: the PML4 is pool[0]. */
	for (i = 0; i < pool_pages; i++)
		e->free[i] = e->pool[pool_pages - 1 - i].pa;
	e->nr_free = pool_pages;

	e->pml4 = ept_take(e, &e->pml4_pa);
	ret = ept_build(e, e->pml4, e->levels, 0, -1, &built);
	if (ret)		/* cannot happen: the pool was sized by the same walk */
		goto err_destroy;
	return 0;

err_destroy:
	ept_destroy(e);
	return ret;
}

void ept_destroy(struct ept *e)
{
	unsigned int i;

	for (i = 0; i < e->pool_pages; i++)
		os_free_pages(e->pool[i].va, 0);
	if (e->pool)
		os_free_pages(e->pool, e->meta_order);
	*e = (struct ept){ 0 };
}

int ept_enable_ad(struct ept *e)
{
	if (!(e->caps & VMX_EPT_AD))
		return -EOPNOTSUPP;
	e->ad = true;
	return 0;
}

u64 ept_eptp(const struct ept *e)
{
	return e->pml4_pa | (e->levels == EPT_LEVELS_MAX ? EPTP_WALK_LENGTH_5 : EPTP_WALK_LENGTH_4) |
	       EPTP_MEMTYPE_WB |
	       (e->ad ? EPTP_AD_ENABLE : 0);
}

u64 *ept_leaf(struct ept *e, u64 gpa, unsigned int *level)
{
	u64 *table = e->pml4;
	unsigned int l;
	u64 *pe;

	if (!table || gpa >= e->map_limit)
		return NULL;
	for (l = e->levels; l >= EPT_LEVEL_4K; l--) {
		pe = &table[ept_index(gpa, l)];
		if (ept_is_leaf(*pe, l)) {
			*level = l;
			return pe;
		}
		if (!(*pe & EPT_RWX))
			return NULL;
		table = ept_table(e, *pe);
	}
	return NULL;
}

/*
 * Map one page at or above map_limit, identity, with its MTRR memory type and full
 * access: memory hot-added or MMIO moved after load, which the guest may touch and
 * the map was never built for.  Tables from the pool.  Root-safe.
 */
int ept_map_page(struct ept *e, u64 gpa, u64 **leaf)
{
	u64 *table = e->pml4, *pe, pa, *child;
	unsigned int l;
	u8 type;

	gpa &= ~(u64)(PAGE_SIZE - 1);
	if (!table || gpa < e->map_limit || gpa >> (EPT_LEVELS * 9 + 12))
		return -ERANGE;
	for (l = EPT_LEVELS; l > EPT_LEVEL_4K; l--) {
		pe = &table[ept_index(gpa, l)];
		if (ept_is_leaf(*pe, l) && (*pe & EPT_RWX))
			return -EEXIST;		/* mapped already, by a large leaf */
		if (!(*pe & EPT_RWX)) {
			child = ept_take(e, &pa);
			if (!child)
				return -ENOMEM;
			sz_memset(child, 0, PAGE_SIZE);	/* pool pages are reused */
			ept_write(pe, pa | ept_dir_bits(e));
		}
		table = ept_table(e, *pe);
	}
	pe = &table[ept_index(gpa, EPT_LEVEL_4K)];
	if (mtrr_type(&e->mtrr, gpa, PAGE_SIZE, &type))
		type = X86_MEMTYPE_UC;
	/* not code: with MBEC, executable in user mode only */
	ept_write(pe, ept_make_leaf(gpa, type, EPT_LEVEL_4K,
				    ept_perm_bits(e, EPT_RWX | EPT_NO_KEXEC)));
	*leaf = pe;
	return 0;
}

/* ---- permission changes ---- */

static u64 ept_min(u64 a, u64 b)
{
	return a < b ? a : b;
}

static u64 ept_max(u64 a, u64 b)
{
	return a > b ? a : b;
}

/*
 * 29.3.3.1 "EPT Misconfigurations": write without read is one, and so is execute
 * alone unless the CPU supports execute-only translations.
 */
static bool ept_perm_valid(const struct ept *e, unsigned int perm)
{
	if (perm & ~(EPT_RWX | EPT_NO_KEXEC))
		return false;
	if ((perm & EPT_WRITE) && !(perm & EPT_READ))
		return false;
	if ((perm & EPT_RWX) == EPT_EXEC && !(e->caps & VMX_EPT_EXECUTE_ONLY))
		return false;
	return true;
}

/*
 * How many splits it takes to give [s, t) its own leaves inside the leaf of this
 * level at a: none if the range covers the leaf, else one for the leaf and as many
 * for each of its children the range covers in part (at most the two at its ends).
 */
static unsigned int ept_leaf_splits(unsigned int level, u64 a, u64 s, u64 t)
{
	unsigned int n = 1;
	u64 c, csize;

	if (s == a && t == a + ept_size(level))
		return 0;		/* always so for 4 KiB */
	csize = ept_size(level - 1);
	for (c = s & ~(csize - 1); c < t; c += csize)
		n += ept_leaf_splits(level - 1, c, ept_max(s, c), ept_min(t, c + csize));
	return n;
}

/* The splits ept_apply() will make for [lo, hi) below this table. */
static unsigned int ept_splits(const struct ept *e, u64 *table, unsigned int level,
			       u64 lo, u64 hi)
{
	u64 size = ept_size(level);
	unsigned int n = 0;
	u64 a, s, t, entry;

	for (a = lo & ~(size - 1); a < hi; a += size) {
		entry = table[ept_index(a, level)];
		s = ept_max(lo, a);
		t = ept_min(hi, a + size);
		if (ept_is_leaf(entry, level))
			n += ept_leaf_splits(level, a, s, t);
		else
			n += ept_splits(e, ept_table(e, entry), level - 1, s, t);
	}
	return n;
}

/*
 * Replace the leaf *pe of this level by a table of 512 leaves one level down with the
 * same permissions, memory type and flags, mapping the same memory.
 */
static int ept_split(struct ept *e, u64 *pe, unsigned int level)
{
	u64 old = *pe, csize = ept_size(level - 1);
	u64 flags = old & ~(EPT_ADDR_MASK | EPT_LARGE);
	u64 *child, pa;
	unsigned int i;

	if (level - 1 > EPT_LEVEL_4K)
		flags |= EPT_LARGE;
	child = ept_take(e, &pa);
	if (!child)
		return -ENOMEM;
	for (i = 0; i < EPT_ENTRIES; i++)
		child[i] = ((old & EPT_ADDR_MASK) + i * csize) | flags;
	ept_write(pe, pa | ept_dir_bits(e));
	return 0;
}

int ept_split_to_4k(struct ept *e, u64 gpa)
{
	unsigned int level;
	u64 *pe = ept_leaf(e, gpa, &level);
	int ret;

	if (!pe)
		return -EINVAL;
	if (e->nr_free < level - EPT_LEVEL_4K)
		return -ENOMEM;		/* checked first: nothing changes */
	while (level > EPT_LEVEL_4K) {
		ret = ept_split(e, pe, level);
		if (ret)
			return ret;
		level--;
		pe = &ept_table(e, *(pe))[ept_index(gpa, level)];
	}
	return 0;
}

/*
 * If the table under *pe (of this level) could be one leaf of this level again,
 * make it so and defer the table: all 512 entries leaves with the same permissions,
 * memory type and flags (A/D aside: the processor sets those on its own, and the
 * merged leaf keeps their union), mapping contiguous memory, at a level that allows
 * leaves, over a range whose MTRR type is uniform and is that type.
 */
static void ept_try_merge(struct ept *e, u64 *pe, unsigned int level)
{
	const u64 ad = EPT_ACCESSED | EPT_DIRTY;
	u64 *child = ept_table(e, *pe);
	u64 csize = ept_size(level - 1);
	u64 base, flags, ad_union = 0;
	unsigned int i;
	u8 t;

	if (!ept_level_has_leaves(e, level) || !ept_is_leaf(child[0], level - 1))
		return;
	base = child[0] & EPT_ADDR_MASK;
	flags = child[0] & ~(EPT_ADDR_MASK | ad);
	if (base & (ept_size(level) - 1))
		return;
	for (i = 0; i < EPT_ENTRIES; i++) {
		if ((child[i] & ~(EPT_ADDR_MASK | ad)) != flags ||
		    (child[i] & EPT_ADDR_MASK) != base + i * csize)
			return;
		ad_union |= child[i] & ad;
	}
	if (mtrr_type(&e->mtrr, base, ept_size(level), &t) ||
	    t != (flags & EPT_MEMTYPE_MASK) >> EPT_MEMTYPE_SHIFT)
		return;
	ept_defer(e, *pe & EPT_ADDR_MASK);
	ept_write(pe, base | flags | ad_union | EPT_LARGE);
}

static int ept_apply(struct ept *e, u64 *table, unsigned int level, u64 lo, u64 hi,
		     unsigned int perm)
{
	u64 size = ept_size(level);
	u64 a, s, t;
	u64 *pe;
	int ret;

	for (a = lo & ~(size - 1); a < hi; a += size) {
		pe = &table[ept_index(a, level)];
		s = ept_max(lo, a);
		t = ept_min(hi, a + size);
		if (ept_is_leaf(*pe, level)) {
			if (s == a && t == a + size) {
				ept_write(pe, (*pe & ~EPT_PERM_BITS) | ept_perm_bits(e, perm));
				continue;
			}
			ret = ept_split(e, pe, level);
			if (ret)
				return ret;
		}
		ret = ept_apply(e, ept_table(e, *pe), level - 1, s, t, perm);
		if (ret)
			return ret;
		ept_try_merge(e, pe, level);
	}
	return 0;
}

static void ept_restrict_table(struct ept *e, u64 *table, unsigned int level)
{
	unsigned int i;
	u64 *pe, v;

	for (i = 0; i < EPT_ENTRIES; i++) {
		pe = &table[i];
		if (!(*pe & EPT_RWX))
			continue;
		if (!ept_is_leaf(*pe, level)) {
			ept_write(pe, *pe | EPT_EXEC_USER);
			ept_restrict_table(e, ept_table(e, *pe), level - 1);
			continue;
		}
		v = *pe;
		if (v & EPT_EXEC)
			v |= EPT_EXEC_USER;
		if (!(v & EPT_SEALED))
			v &= ~EPT_EXEC;
		ept_write(pe, v);
	}
}

void ept_restrict_kexec(struct ept *e)
{
	if (e->mbec || !e->pml4)
		return;
	ept_restrict_table(e, e->pml4, e->levels);
	e->mbec = true;
}

unsigned int ept_set_perm_cost(const struct ept *e, u64 gpa, u64 size)
{
	u64 end = gpa + size;

	if (!size || ((gpa | size) & 0xfff) || end < gpa || end > e->map_limit || !e->pml4)
		return 0;
	return ept_splits(e, e->pml4, e->levels, gpa, end);
}

int ept_set_perm(struct ept *e, u64 gpa, u64 size, unsigned int perm)
{
	u64 end = gpa + size;

	if (!ept_perm_valid(e, perm) || !size || ((gpa | size) & 0xfff) || end < gpa ||
	    end > e->map_limit || !e->pml4)
		return -EINVAL;
	/*
	 * Count first, so that running out of pages changes nothing.  (Merges during
	 * the change free no page that splits could use: those wait for INVEPT.)
	 */
	if (ept_splits(e, e->pml4, e->levels, gpa, end) > e->nr_free)
		return -ENOMEM;
	return ept_apply(e, e->pml4, e->levels, gpa, end, perm);
}

/* ---- exits ---- */

void ept_decode_violation(u64 qual, struct ept_violation *v)
{
	v->read = qual & EPT_VIOLATION_ACC_READ;
	v->write = qual & EPT_VIOLATION_ACC_WRITE;
	v->fetch = qual & EPT_VIOLATION_ACC_INSTR;
	v->readable = qual & EPT_VIOLATION_READABLE;
	v->writable = qual & EPT_VIOLATION_WRITABLE;
	v->executable = qual & EPT_VIOLATION_EXECUTABLE;
	v->gla_valid = qual & EPT_VIOLATION_GVA_IS_VALID;
	/* Table 28-7: bit 8 means something only when bit 7 is set. */
	v->gla_translation = v->gla_valid && (qual & EPT_VIOLATION_GVA_TRANSLATED);
	v->nmi_unblocking = qual & EPT_VIOLATION_NMI_UNBLOCKING;
}
