// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for core/ept.c on the fake Haswell (39 physical-address bits, 1 GiB and
 * 2 MiB EPT pages, the MTRR layout in fake_cpu.h) and the fake OS, whose physical
 * addresses are virtual addresses.
 *
 * The identity map of [0, 512 GiB) with 1 GiB pages takes 5 tables:
 *   PML4 -> PDPT -> PD for 0-1G (its first 2 MiB in a PT, for the fixed ranges)
 *                -> PD for 2G-3G (SMRR, BF800000-BFFFFFFF, is UC inside WB)
 * 1G-2G WB, 3G-4G UC (MMIO hole), 4G-8G WB and 8G-512G UC (default) are 1 GiB leaves.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ept.h"
#include "vmx_caps.h"
#include "mtrr.h"
#include "errors.h"
#include "os.h"
#include "arch/x86.h"
#include "fake_cpu.h"
#include "fake_os.h"
#include <cpu_ops.h>

#define KiB	0x400ULL
#define MiB	0x100000ULL
#define GiB	0x40000000ULL
#define LIMIT	(1ULL << 39)

#define UC	X86_MEMTYPE_UC
#define WT	X86_MEMTYPE_WT
#define WP	X86_MEMTYPE_WP
#define WB	X86_MEMTYPE_WB

#define TABLES_1G	5
#define SPARE		8

static struct mtrr_state mtrr;
static u64 caps;
static struct ept e;
static long allocs_before;

static int setup_cpu(void **state)
{
	(void)state;
	fake_cpu_load(&fake_haswell);
	fake_os_fail_alloc_after(-1);
	assert_int_equal(mtrr_read(&mtrr), 0);
	caps = cpu_rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);
	allocs_before = os_alloc_count();
	memset(&e, 0, sizeof(e));
	return 0;
}

/* The fake Haswell's EPT of all 512 GiB, with SPARE pages for splits. */
static int setup(void **state)
{
	setup_cpu(state);
	return ept_init(&e, caps, &mtrr, LIMIT, TABLES_1G + SPARE);
}

static int teardown(void **state)
{
	(void)state;
	ept_destroy(&e);
	assert_int_equal(os_alloc_count(), allocs_before);
	return 0;
}

static u64 *table_of(u64 entry)
{
	return (u64 *)(uintptr_t)(entry & EPT_ADDR_MASK);	/* pa == va */
}

static u8 memtype(u64 entry)
{
	return (entry & EPT_MEMTYPE_MASK) >> EPT_MEMTYPE_SHIFT;
}

static u64 level_size(unsigned int level)
{
	return 1ULL << (12 + 9 * (level - 1));
}

/*
 * Walk the whole map and check what must hold everywhere: tables are plain RWX
 * pointers; every leaf maps its own address (identity), has the MTRR type of its
 * range (which must be uniform), IPAT clear, LARGE iff above 4 KiB, no reserved bit;
 * nothing is mapped at or above map_limit.  Counts tables, leaves per level, and the
 * 4 KiB pages whose permissions are not RWX.
 */
struct walk {
	unsigned int tables;
	unsigned int leaves[EPT_LEVELS + 1];
	u64 restricted_pages;
};

static void walk_table(const u64 *table, unsigned int level, u64 base, struct walk *w)
{
	const u64 known = EPT_ADDR_MASK | EPT_RWX | EPT_MEMTYPE_MASK | EPT_IGNORE_PAT |
			  EPT_LARGE | EPT_ACCESSED | EPT_DIRTY;
	u64 size = level_size(level);
	u8 t;

	w->tables++;
	for (unsigned int i = 0; i < EPT_ENTRIES; i++) {
		u64 a = base + i * size, entry = table[i];

		if (a >= e.map_limit) {
			assert_int_equal(entry, 0);
			continue;
		}
		if (level == EPT_LEVEL_4K || (entry & EPT_LARGE)) {
			assert_true(level <= EPT_LEVEL_1G);
			assert_int_equal(entry & EPT_ADDR_MASK, a);
			assert_int_equal(entry & ~known, 0);
			assert_false(entry & EPT_IGNORE_PAT);
			assert_int_equal(!!(entry & EPT_LARGE), level > EPT_LEVEL_4K);
			assert_int_equal(mtrr_type(&e.mtrr, a, size, &t), 0);
			assert_int_equal(memtype(entry), t);
			w->leaves[level]++;
			if ((entry & EPT_RWX) != EPT_RWX)
				w->restricted_pages += size / (4 * KiB);
			continue;
		}
		assert_true(level > EPT_LEVEL_4K);
		assert_int_equal(entry & ~EPT_ADDR_MASK, EPT_RWX);
		walk_table(table_of(entry), level - 1, a, w);
	}
}

static struct walk walk_map(void)
{
	struct walk w = { 0 };

	walk_table(e.pml4, EPT_LEVELS, 0, &w);
	return w;
}

/* The leaf for gpa: its level, type and permissions. */
static u64 leaf(u64 gpa, unsigned int level, u8 type, u64 perm)
{
	unsigned int l = 0;
	u64 *pe = ept_leaf(&e, gpa, &l);

	assert_non_null(pe);
	assert_int_equal(l, level);
	assert_int_equal(*pe & EPT_ADDR_MASK, gpa & ~(level_size(level) - 1));
	assert_int_equal(memtype(*pe), type);
	assert_int_equal(*pe & EPT_RWX, perm);
	return *pe;
}

/*
 * A copy of the pool's pages, to show that a failed call changed nothing, or that
 * restoring permissions gave back the tables ept_init() built (pool[0] to
 * pool[TABLES_1G - 1], taken in allocation order).
 */
static u8 *snapshot(void)
{
	u8 *s = malloc((size_t)e.pool_pages * 4096);

	assert_non_null(s);
	for (unsigned int i = 0; i < e.pool_pages; i++)
		memcpy(s + (size_t)i * 4096, e.pool[i].va, 4096);
	return s;
}

/* The first n pool pages are as in the snapshot (all: nothing at all changed). */
static void assert_unchanged(u8 *s, unsigned int n)
{
	assert_true(n <= e.pool_pages);
	for (unsigned int i = 0; i < n; i++)
		assert_memory_equal(s + (size_t)i * 4096, e.pool[i].va, 4096);
	free(s);
}

/* ---- capabilities ---- */

static void test_check_caps(void **state)
{
	const char *missing = NULL;

	(void)state;
	assert_int_equal(caps, 0xf0106334141ULL);
	assert_int_equal(ept_check_caps(caps, &missing), 0);
	assert_null(missing);
	assert_int_equal(ept_check_caps(caps & ~VMX_EPT_PAGE_WALK_4, &missing), -EOPNOTSUPP);
	assert_string_equal(missing, "VMX_EPT_PAGE_WALK_4");
	assert_int_equal(ept_check_caps(caps & ~VMX_EPTP_WB, &missing), -EOPNOTSUPP);
	assert_string_equal(missing, "VMX_EPTP_WB");
	assert_int_equal(ept_check_caps(caps & ~VMX_EPT_INVEPT, &missing), -EOPNOTSUPP);
	assert_string_equal(missing, "VMX_EPT_INVEPT");
	assert_int_equal(ept_check_caps(caps & ~(VMX_EPT_EXTENT_CONTEXT |
						 VMX_EPT_EXTENT_GLOBAL), &missing),
			 -EOPNOTSUPP);
	assert_string_equal(missing, "VMX_EPT_EXTENT_CONTEXT or VMX_EPT_EXTENT_GLOBAL");
	/* either INVEPT type is enough; single-context is preferred */
	assert_int_equal(ept_check_caps(caps & ~VMX_EPT_EXTENT_CONTEXT, &missing), 0);
	assert_int_equal(ept_check_caps(caps & ~VMX_EPT_EXTENT_GLOBAL, &missing), 0);
	assert_int_equal(ept_invept_type(caps), INVEPT_SINGLE_CONTEXT);
	assert_int_equal(ept_invept_type(caps & ~VMX_EPT_EXTENT_CONTEXT), INVEPT_ALL_CONTEXT);
	/* what is optional is only reported */
	assert_int_equal(ept_optional_caps(caps), VMX_EPT_EXECUTE_ONLY | VMX_EPT_2MB_PAGE |
						   VMX_EPT_1GB_PAGE | VMX_EPT_AD);
	assert_int_equal(ept_optional_caps(caps & ~(VMX_EPT_1GB_PAGE | VMX_EPT_AD)),
			 VMX_EPT_EXECUTE_ONLY | VMX_EPT_2MB_PAGE);
	assert_int_equal(ept_check_caps(caps & ~EPT_OPTIONAL_CAPS, &missing), 0);
}

/* EPT is used when the control may be set and the capabilities suffice. */
static void test_usable(void **state)
{
	const char *missing = NULL;
	struct vmx_caps c;

	(void)state;
	assert_int_equal(vmx_caps_read(&c), 0);
	assert_true(ept_usable(&c, &missing));
	c.ept_vpid &= ~VMX_EPT_INVEPT;
	assert_false(ept_usable(&c, &missing));
	assert_string_equal(missing, "VMX_EPT_INVEPT");
	c.ept_vpid |= VMX_EPT_INVEPT;
	c.procbased2 &= ~((u64)SECONDARY_EXEC_ENABLE_EPT << 32);
	assert_false(ept_usable(&c, &missing));
	assert_non_null(strstr(missing, "SECONDARY_EXEC_ENABLE_EPT"));
}

/* The map's extent: all of it with 1 GiB pages, else up to what the OS knows. */
static void test_map_limit(void **state)
{
	const u64 gib = 1ULL << 30;
	struct vmx_caps c;

	(void)state;
	assert_int_equal(vmx_caps_read(&c), 0);
	assert_int_equal(ept_map_limit(&c, 39, 0), 1ULL << 39);
	assert_int_equal(ept_map_limit(&c, 39, 5 * gib), 1ULL << 39);
	c.ept_vpid &= ~VMX_EPT_1GB_PAGE;
	assert_int_equal(ept_map_limit(&c, 39, 0), 4 * gib);		/* at least 4 GiB */
	assert_int_equal(ept_map_limit(&c, 39, 3 * gib), 4 * gib);
	assert_int_equal(ept_map_limit(&c, 39, 5 * gib + 1), 6 * gib);	/* rounded up */
	assert_int_equal(ept_map_limit(&c, 39, 6 * gib), 6 * gib);
	assert_int_equal(ept_map_limit(&c, 39, 1ULL << 45), 1ULL << 39);	/* at most all */
	assert_int_equal(ept_map_limit(&c, 39, ~0ULL), 1ULL << 39);
	assert_int_equal(ept_map_limit(&c, 32, 0), 4 * gib);
	assert_int_equal(ept_map_limit(&c, 36, 40 * gib), 40 * gib);
	assert_int_equal(ept_map_limit(&c, 36, 100 * gib), 1ULL << 36);
	/* MAXPHYADDR above 46: up to what is used, never beyond what the walk translates */
	c.ept_vpid |= VMX_EPT_1GB_PAGE;
	assert_int_equal(ept_map_limit(&c, 46, 0), 1ULL << 46);
	assert_int_equal(ept_map_limit(&c, 52, 3000 * gib + 1), 3001 * gib);
	assert_int_equal(ept_map_limit(&c, 52, (1ULL << 50) + 1), 1ULL << 48);	/* < mem_end */
	c.ept_vpid |= VMX_EPT_PAGE_WALK_5;
	assert_int_equal(ept_map_limit(&c, 52, (1ULL << 50) + 1), (1ULL << 50) + gib);
	assert_int_equal(ept_map_limit(&c, 52, ~0ULL), 1ULL << 52);
}

/*
 * Whether to run under EPT at all: only if the map covers every RAM and MMIO range the
 * OS knows; never beyond what the walk translates (4 levels: 2^48).
 */
static void test_map_covers(void **state)
{
	const u64 gib = 1ULL << 30;
	struct vmx_caps c;
	u64 limit = 0;

	(void)state;
	assert_int_equal(vmx_caps_read(&c), 0);
	/* 1 GiB pages, MAXPHYADDR 39: all of 2^39 */
	assert_true(ept_map_covers(&c, 39, 5 * gib, &limit));
	assert_int_equal(limit, 1ULL << 39);
	assert_true(ept_map_covers(&c, 39, 1ULL << 39, &limit));	/* up to the end exactly */
	assert_false(ept_map_covers(&c, 39, (1ULL << 39) + 1, &limit));
	assert_int_equal(limit, 1ULL << 39);
	/* MAXPHYADDR 52, 4-level walk: memory beyond 2^48 cannot be mapped */
	assert_true(ept_map_covers(&c, 52, 3000 * gib + 1, &limit));
	assert_int_equal(limit, 3001 * gib);
	assert_true(ept_map_covers(&c, 52, 1ULL << 48, &limit));
	assert_int_equal(limit, 1ULL << 48);
	assert_false(ept_map_covers(&c, 52, (1ULL << 48) + 1, &limit));
	assert_int_equal(limit, 1ULL << 48);
	/* ... which a 5-level walk maps */
	c.ept_vpid |= VMX_EPT_PAGE_WALK_5;
	assert_true(ept_map_covers(&c, 52, (1ULL << 48) + 1, &limit));
	assert_int_equal(limit, (1ULL << 48) + gib);
	/* no 1 GiB pages: up to what the OS uses, rounded up, at least 4 GiB */
	c.ept_vpid &= ~(VMX_EPT_1GB_PAGE | VMX_EPT_PAGE_WALK_5);
	assert_true(ept_map_covers(&c, 39, 0, &limit));
	assert_int_equal(limit, 4 * gib);
	assert_true(ept_map_covers(&c, 39, 5 * gib + 1, &limit));
	assert_int_equal(limit, 6 * gib);
}

/* The host-physical address a leaf gives: its frame, and the offset in its size. */
static void test_leaf_hpa(void **state)
{
	(void)state;
	assert_int_equal(ept_leaf_hpa(0x12345000ULL | EPT_RWX, EPT_LEVEL_4K, 0xabc999), 0x12345999);
	assert_int_equal(ept_leaf_hpa(0x40000000ULL | EPT_LARGE | EPT_RWX, EPT_LEVEL_2M,
				      0x1234567), 0x40034567);
	assert_int_equal(ept_leaf_hpa(0x80000000ULL | EPT_LARGE | 0x30 | EPT_READ, EPT_LEVEL_1G,
				      0x12345678), 0x92345678);
	/* bits above 51 and ignored low bits are not part of the address */
	assert_int_equal(ept_leaf_hpa(0x8000000000001007ULL | (7ULL << 60), EPT_LEVEL_4K, 0x10),
			 0x1010);
}

/* ---- building ---- */

static void test_build_with_1g_pages(void **state)
{
	unsigned int needed = 0;
	struct walk w;

	(void)state;
	assert_int_equal(ept_tables_needed(caps, &mtrr, LIMIT, &needed), 0);
	assert_int_equal(needed, TABLES_1G);
	assert_int_equal(ept_pages_in_use(&e), TABLES_1G);
	assert_int_equal(ept_pool_size(&e), TABLES_1G + SPARE);
	w = walk_map();
	assert_int_equal(w.tables, TABLES_1G);
	assert_int_equal(w.leaves[EPT_LEVEL_1G], 512 - 2);
	assert_int_equal(w.leaves[EPT_LEVEL_2M], 511 + 512);
	assert_int_equal(w.leaves[EPT_LEVEL_4K], 512);
	assert_int_equal(w.restricted_pages, 0);

	/* the first 2 MiB in 4 KiB pages, as the fixed ranges say */
	leaf(0, EPT_LEVEL_4K, WB, EPT_RWX);
	leaf(0x9f000, EPT_LEVEL_4K, WB, EPT_RWX);
	leaf(0xa0000, EPT_LEVEL_4K, UC, EPT_RWX);
	leaf(0xc0000, EPT_LEVEL_4K, WP, EPT_RWX);
	leaf(0xc8000, EPT_LEVEL_4K, UC, EPT_RWX);
	leaf(0xf8000, EPT_LEVEL_4K, WP, EPT_RWX);
	leaf(0x100000, EPT_LEVEL_4K, WB, EPT_RWX);
	leaf(0x1ff000, EPT_LEVEL_4K, WB, EPT_RWX);
	/* RAM */
	leaf(2 * MiB, EPT_LEVEL_2M, WB, EPT_RWX);
	leaf(GiB - 2 * MiB, EPT_LEVEL_2M, WB, EPT_RWX);
	leaf(GiB, EPT_LEVEL_1G, WB, EPT_RWX);
	leaf(GiB + 123 * MiB, EPT_LEVEL_1G, WB, EPT_RWX);
	leaf(2 * GiB, EPT_LEVEL_2M, WB, EPT_RWX);
	leaf(0xbf600000ULL, EPT_LEVEL_2M, WB, EPT_RWX);
	leaf(4 * GiB, EPT_LEVEL_1G, WB, EPT_RWX);
	leaf(7 * GiB, EPT_LEVEL_1G, WB, EPT_RWX);
	/* TSEG under SMRR, the MMIO hole, and beyond RAM */
	leaf(0xbf800000ULL, EPT_LEVEL_2M, UC, EPT_RWX);
	leaf(0xbfe00000ULL, EPT_LEVEL_2M, UC, EPT_RWX);
	leaf(3 * GiB, EPT_LEVEL_1G, UC, EPT_RWX);
	leaf(0xfee00000ULL, EPT_LEVEL_1G, UC, EPT_RWX);
	leaf(8 * GiB, EPT_LEVEL_1G, UC, EPT_RWX);
	leaf(LIMIT - 4 * KiB, EPT_LEVEL_1G, UC, EPT_RWX);

	/* nothing above the limit; one PML4 entry, a plain pointer */
	{
		unsigned int l = 99;

		assert_null(ept_leaf(&e, LIMIT, &l));
		assert_null(ept_leaf(&e, ~0ULL, &l));
		assert_int_equal(l, 99);
	}
	assert_int_equal(e.pml4[0] & ~EPT_ADDR_MASK, EPT_RWX);
	assert_int_equal(e.pml4[1], 0);
	/* the PML4 is the pool's first page */
	assert_int_equal(e.pml4_pa, ept_pool_pa(&e, 0));
	assert_int_equal(ept_pool_pa(&e, ept_pool_size(&e)), 0);
}

static void test_build_with_2m_pages_only(void **state)
{
	u64 c2m = caps & ~VMX_EPT_1GB_PAGE;
	unsigned int needed = 0;
	struct walk w;

	(void)state;
	/* PML4, PDPT, a PD per GiB, the PT of the first 2 MiB */
	assert_int_equal(ept_tables_needed(c2m, &mtrr, LIMIT, &needed), 0);
	assert_int_equal(needed, 1 + 1 + 512 + 1);
	assert_int_equal(ept_tables_needed(c2m, &mtrr, 16 * GiB, &needed), 0);
	assert_int_equal(needed, 1 + 1 + 16 + 1);

	assert_int_equal(ept_init(&e, c2m, &mtrr, LIMIT, 515), 0);
	assert_int_equal(ept_pages_in_use(&e), 515);
	w = walk_map();
	assert_int_equal(w.tables, 515);
	assert_int_equal(w.leaves[EPT_LEVEL_1G], 0);
	assert_int_equal(w.leaves[EPT_LEVEL_2M], 512 * 512 - 1);
	assert_int_equal(w.leaves[EPT_LEVEL_4K], 512);
	leaf(0xa0000, EPT_LEVEL_4K, UC, EPT_RWX);
	leaf(GiB, EPT_LEVEL_2M, WB, EPT_RWX);
	leaf(0xbf800000ULL, EPT_LEVEL_2M, UC, EPT_RWX);
	leaf(3 * GiB, EPT_LEVEL_2M, UC, EPT_RWX);
	leaf(5 * GiB, EPT_LEVEL_2M, WB, EPT_RWX);
	leaf(LIMIT - 2 * MiB, EPT_LEVEL_2M, UC, EPT_RWX);
	/* a merge stops at 2 MiB: this CPU has no 1 GiB leaves */
	ept_destroy(&e);
	assert_int_equal(ept_init(&e, c2m, &mtrr, 16 * GiB, 19 + 1), 0);
	assert_int_equal(ept_set_perm(&e, 5 * GiB, 4 * KiB, EPT_READ), 0);
	assert_int_equal(ept_set_perm(&e, 5 * GiB, 4 * KiB, EPT_RWX), 0);
	assert_int_equal(e.nr_deferred, 1);
	leaf(5 * GiB, EPT_LEVEL_2M, WB, EPT_RWX);
	assert_int_equal(ept_set_perm(&e, 5 * GiB, GiB, EPT_READ), 0);
	leaf(5 * GiB, EPT_LEVEL_2M, WB, EPT_READ);
	assert_int_equal(walk_map().tables, 19);
}

static void test_build_with_4k_pages_only(void **state)
{
	u64 c4k = caps & ~(VMX_EPT_1GB_PAGE | VMX_EPT_2MB_PAGE);
	struct walk w;

	(void)state;
	assert_int_equal(ept_init(&e, c4k, &mtrr, 64 * MiB, 1 + 1 + 1 + 32), 0);
	w = walk_map();
	assert_int_equal(w.tables, 35);
	assert_int_equal(w.leaves[EPT_LEVEL_4K], 64 * MiB / (4 * KiB));
	leaf(0xa0000, EPT_LEVEL_4K, UC, EPT_RWX);
	leaf(32 * MiB, EPT_LEVEL_4K, WB, EPT_RWX);
	/* splitting is impossible and needless: everything is 4 KiB already */
	assert_int_equal(ept_set_perm(&e, 32 * MiB, 4 * KiB, EPT_READ), 0);
	leaf(32 * MiB, EPT_LEVEL_4K, WB, EPT_READ);
	assert_int_equal(ept_pages_in_use(&e), 35);
}

/* A limit that is no multiple of a large page ends in smaller pages. */
static void test_build_odd_limit(void **state)
{
	u64 limit = GiB + 4 * MiB + 4 * KiB;
	unsigned int l;
	struct walk w;

	(void)state;
	assert_int_equal(ept_init(&e, caps, &mtrr, limit, 6), 0);
	w = walk_map();
	assert_int_equal(w.tables, 6);
	leaf(GiB, EPT_LEVEL_2M, WB, EPT_RWX);
	leaf(GiB + 2 * MiB, EPT_LEVEL_2M, WB, EPT_RWX);
	leaf(GiB + 4 * MiB, EPT_LEVEL_4K, WB, EPT_RWX);
	assert_null(ept_leaf(&e, limit, &l));
	assert_int_equal(ept_set_perm(&e, GiB + 4 * MiB, 8 * KiB, EPT_READ), -EINVAL);
}

/* MTRRs off: UC everywhere, so 1 GiB pages everywhere, even at 0. */
static void test_build_mtrrs_disabled(void **state)
{
	struct walk w;

	(void)state;
	mtrr.enabled = false;
	assert_int_equal(ept_init(&e, caps, &mtrr, LIMIT, 2), 0);
	w = walk_map();
	assert_int_equal(w.tables, 2);
	assert_int_equal(w.leaves[EPT_LEVEL_1G], 512);
	leaf(0, EPT_LEVEL_1G, UC, EPT_RWX);
	leaf(GiB, EPT_LEVEL_1G, UC, EPT_RWX);
	/* 512 identical 1 GiB leaves: but a PML4 entry can never be a leaf */
	assert_int_equal(ept_set_perm(&e, 0, LIMIT, EPT_READ), 0);
	assert_int_equal(e.pml4[0] & ~EPT_ADDR_MASK, EPT_RWX);
	assert_int_equal(walk_map().tables, 2);
	leaf(0, EPT_LEVEL_1G, UC, EPT_READ);
}

static void test_init_refusals(void **state)
{
	unsigned int needed;

	(void)state;
	assert_int_equal(ept_init(&e, caps & ~VMX_EPTP_WB, &mtrr, LIMIT, 64), -EOPNOTSUPP);
	assert_int_equal(ept_init(&e, caps, &mtrr, 0, 64), -EINVAL);
	assert_int_equal(ept_init(&e, caps, &mtrr, GiB + 1, 64), -EINVAL);
	assert_int_equal(ept_init(&e, caps, &mtrr, LIMIT * 2, 64), -EINVAL);	/* > 2^39 */
	mtrr.phys_bits = 52;
	/* > 2^48 without 5-level EPT: out of this CPU's range, said distinctly */
	assert_int_equal(ept_init(&e, caps, &mtrr, 1ULL << 49, 64), -ERANGE);
	assert_int_equal(ept_tables_needed(caps, &mtrr, 1ULL << 49, &needed), -ERANGE);
	assert_int_equal(ept_max_limit(caps), 1ULL << 48);
	assert_int_equal(ept_tables_needed(caps, &mtrr, 1ULL << 48, &needed), 0);
	assert_int_equal(needed, 1 + 512 + 1 + 1 + 1);	/* a PDPT per 512 GiB */
	mtrr.phys_bits = 39;
	/* a pool smaller than the map */
	assert_int_equal(ept_init(&e, caps, &mtrr, LIMIT, TABLES_1G - 1), -ENOMEM);
	assert_int_equal(ept_tables_needed(caps & ~VMX_EPT_INVEPT, &mtrr, LIMIT, &needed),
			 -EOPNOTSUPP);
	assert_int_equal(ept_tables_needed(caps, &mtrr, 4 * KiB + 1, &needed), -EINVAL);
	assert_int_equal(os_alloc_count(), allocs_before);
	assert_null(e.pool);
}

/*
 * MAXPHYADDR above 48 (large servers): with VMX_EPT_PAGE_WALK_5 the map takes a 5-level
 * walk, the EPTP says so, and lookups and permission changes above 2^48 work.
 */
static void test_five_level_walk(void **state)
{
	const u64 caps5 = caps | VMX_EPT_PAGE_WALK_5, limit = 1ULL << 49;
	const u64 high = (1ULL << 48) + 5 * GiB + 0x3000;
	unsigned int needed, level;
	u64 *pe;

	(void)state;
	mtrr.phys_bits = 52;
	assert_int_equal(ept_max_limit(caps5), 1ULL << 57);
	assert_int_equal(ept_tables_needed(caps5, &mtrr, limit, &needed), 0);
	/* PML5, one PML4 (2^49 < 2^48 * 512), a PDPT per 512 GiB, and below those the
	 * tables where the MTRR types split a GiB (the fake profile's 39-bit masks alias
	 * above 2^39 with phys_bits 52, so a few more than the 4-level map's) */
	assert_true(needed >= 1 + 1 + 1024 + (TABLES_1G - 2) && needed < 1 + 1 + 1024 + 16);
	assert_int_equal(ept_init(&e, caps5, &mtrr, limit, needed + 2), 0);
	assert_int_equal(e.levels, 5);
	assert_int_equal(ept_eptp(&e) & 0x38, 4 << 3);	/* walk length 5, minus one */
	pe = ept_leaf(&e, high, &level);
	assert_non_null(pe);
	assert_int_equal(level, EPT_LEVEL_1G);
	assert_int_equal(*pe & EPT_ADDR_MASK, (1ULL << 48) + 5 * GiB);
	assert_int_equal(ept_set_perm(&e, high & ~0xfffULL, 4096, EPT_READ), 0);
	pe = ept_leaf(&e, high, &level);
	assert_int_equal(level, EPT_LEVEL_4K);
	assert_int_equal(*pe & EPT_RWX, EPT_READ);
	assert_int_equal(*pe & EPT_ADDR_MASK, high & ~0xfffULL);
	ept_destroy(&e);
	/* below 2^48 the walk stays 4 levels even on such a CPU */
	mtrr.phys_bits = 39;
	assert_int_equal(ept_init(&e, caps5, &mtrr, LIMIT, TABLES_1G), 0);
	assert_int_equal(e.levels, 4);
	assert_int_equal(ept_eptp(&e) & 0x38, 3 << 3);
	ept_destroy(&e);
	assert_int_equal(os_alloc_count(), allocs_before);
}

/*
 * ept_hide_cost() counts exactly what hiding pages takes from the pool (the spare pool
 * is sized by it), and ept_pool_grow() adds what is missing.
 */
static void test_hide_cost_and_pool_grow(void **state)
{
	u64 pas[] = { 100 * GiB + 0x5000, 8 * GiB + 0x2000, 8 * GiB + 4 * MiB,
		      8 * GiB + 0x1000, 600 * GiB /* beyond the map */ };
	unsigned int cost, before, i, pool;

	(void)state;
	cost = ept_hide_cost(&e, pas, ARRAY_SIZE(pas));
	/* 8 GiB: a 2 MiB table and two 4 KiB tables; 100 GiB: one of each */
	assert_int_equal(cost, 5);
	assert_true(pas[0] < pas[1] && pas[3] < pas[4]);	/* sorted */
	before = ept_pool_free(&e);
	assert_int_equal(before, SPARE);
	for (i = 0; i < 4; i++)
		assert_int_equal(ept_set_perm(&e, pas[i] & ~0xfffULL, 4096, EPT_READ), 0);
	assert_int_equal(before - ept_pool_free(&e), cost);
	assert_int_equal(ept_hide_cost(&e, pas, ARRAY_SIZE(pas)), 0);	/* done already */

	pool = ept_pool_size(&e);
	assert_int_equal(ept_pool_grow(&e, 3), 0);
	assert_int_equal(ept_pool_size(&e), pool + 3);
	assert_int_equal(ept_pool_free(&e), before - cost + 3);
	/* the tables in use are untouched, the new pages are usable */
	assert_int_equal(ept_set_perm(&e, 200 * GiB, 4096, EPT_READ), 0);
	assert_int_equal(ept_pool_free(&e), before - cost + 3 - 2);
	fake_os_fail_alloc_after(1);
	assert_int_equal(ept_pool_grow(&e, 4), -ENOMEM);
	fake_os_fail_alloc_after(-1);
}

/* Every allocation ept_init() makes may fail; nothing may leak. */
static void test_init_alloc_failures(void **state)
{
	const unsigned int pool = TABLES_1G + 2;

	(void)state;
	/* one os_zalloc() for the arrays, one page each */
	for (int n = 0; n < (int)pool + 1; n++) {
		fake_os_fail_alloc_after(n);
		assert_int_equal(ept_init(&e, caps, &mtrr, LIMIT, pool), -ENOMEM);
		assert_int_equal(os_alloc_count(), allocs_before);
		assert_null(e.pool);
		assert_int_equal(ept_pool_size(&e), 0);
	}
	fake_os_fail_alloc_after(pool + 1);
	assert_int_equal(ept_init(&e, caps, &mtrr, LIMIT, pool), 0);
	assert_int_equal(os_alloc_count(), allocs_before + 1 + pool);
	fake_os_fail_alloc_after(-1);
	ept_destroy(&e);
	assert_int_equal(os_alloc_count(), allocs_before);
	ept_destroy(&e);		/* twice is harmless */
	assert_int_equal(os_alloc_count(), allocs_before);
}

static void test_eptp_and_ad(void **state)
{
	(void)state;
	assert_int_equal(ept_eptp(&e), e.pml4_pa | 0x1e);	/* WB, 4 levels, no A/D */
	assert_int_equal(ept_eptp(&e) & 0xfff, EPTP_MEMTYPE_WB | EPTP_WALK_LENGTH_4);
	assert_int_equal(ept_enable_ad(&e), 0);
	assert_int_equal(ept_eptp(&e), e.pml4_pa | 0x5e);
	e.caps &= ~VMX_EPT_AD;
	e.ad = false;
	assert_int_equal(ept_enable_ad(&e), -EOPNOTSUPP);
	assert_false(ept_eptp(&e) & EPTP_AD_ENABLE);
}

/* ---- permissions ---- */

/* One 4 KiB page inside a 1 GiB leaf: split twice, only that page changes; restoring
 * merges back to the very same leaf, and the tables return after ept_reclaim(). */
static void test_set_perm_4k_in_1g_and_back(void **state)
{
	const u64 gpa = GiB + 0x5000;
	u64 orig = leaf(GiB, EPT_LEVEL_1G, WB, EPT_RWX);
	u8 *before = snapshot();
	unsigned int l;
	u64 *pdpte = ept_leaf(&e, GiB, &l);
	struct walk w;

	(void)state;
	assert_int_equal(ept_set_perm(&e, gpa, 4 * KiB, EPT_READ), 0);
	assert_int_equal(ept_pages_in_use(&e), TABLES_1G + 2);
	leaf(gpa, EPT_LEVEL_4K, WB, EPT_READ);
	leaf(gpa - 4 * KiB, EPT_LEVEL_4K, WB, EPT_RWX);
	leaf(gpa + 4 * KiB, EPT_LEVEL_4K, WB, EPT_RWX);
	leaf(GiB + 2 * MiB, EPT_LEVEL_2M, WB, EPT_RWX);
	leaf(2 * GiB - 2 * MiB, EPT_LEVEL_2M, WB, EPT_RWX);
	w = walk_map();
	assert_int_equal(w.tables, TABLES_1G + 2);
	assert_int_equal(w.restricted_pages, 1);
	assert_int_equal(*pdpte & ~EPT_ADDR_MASK, EPT_RWX);	/* now a pointer */

	assert_int_equal(ept_set_perm(&e, gpa, 4 * KiB, EPT_RWX), 0);
	assert_int_equal(ept_leaf(&e, gpa, &l), pdpte);
	assert_int_equal(l, EPT_LEVEL_1G);
	assert_int_equal(*pdpte, orig);
	/* the two tables wait for INVEPT, then return */
	assert_int_equal(e.nr_deferred, 2);
	assert_int_equal(ept_pages_in_use(&e), TABLES_1G + 2);
	ept_reclaim(&e);
	assert_int_equal(e.nr_deferred, 0);
	assert_int_equal(ept_pages_in_use(&e), TABLES_1G);
	assert_int_equal(walk_map().tables, TABLES_1G);
	assert_unchanged(before, TABLES_1G);

	/* and the reclaimed pages serve again */
	assert_int_equal(ept_set_perm(&e, gpa, 4 * KiB, 0), 0);
	leaf(gpa, EPT_LEVEL_4K, WB, 0);
	assert_int_equal(ept_pages_in_use(&e), TABLES_1G + 2);
}

/* A range that covers whole leaves changes them in place, whatever their size. */
static void test_set_perm_whole_leaves_in_place(void **state)
{
	(void)state;
	assert_int_equal(ept_set_perm(&e, GiB, GiB, EPT_READ | EPT_EXEC), 0);
	leaf(GiB, EPT_LEVEL_1G, WB, EPT_READ | EPT_EXEC);
	assert_int_equal(ept_set_perm(&e, 4 * MiB, 2 * MiB, EPT_READ), 0);
	leaf(4 * MiB, EPT_LEVEL_2M, WB, EPT_READ);
	leaf(2 * MiB, EPT_LEVEL_2M, WB, EPT_RWX);
	leaf(6 * MiB, EPT_LEVEL_2M, WB, EPT_RWX);
	assert_int_equal(ept_pages_in_use(&e), TABLES_1G);
	assert_int_equal(walk_map().restricted_pages, GiB / (4 * KiB) + 512);
	/* a range of many leaves of several sizes */
	assert_int_equal(ept_set_perm(&e, 0, 8 * GiB, EPT_READ | EPT_WRITE), 0);
	assert_int_equal(walk_map().restricted_pages, 8 * GiB / (4 * KiB));
	assert_int_equal(ept_pages_in_use(&e), TABLES_1G);
	assert_int_equal(e.nr_deferred, 0);
	leaf(0xa0000, EPT_LEVEL_4K, UC, EPT_READ | EPT_WRITE);
	leaf(3 * GiB, EPT_LEVEL_1G, UC, EPT_READ | EPT_WRITE);
	leaf(8 * GiB, EPT_LEVEL_1G, UC, EPT_RWX);
}

/* A range across two large leaves of different sizes, made not present. */
static void test_set_perm_across_leaves(void **state)
{
	u8 *before = snapshot();
	struct walk w;

	(void)state;
	/* the last 2 MiB leaf of 0-1G and the 1 GiB leaf after it: 1 + 2 splits */
	assert_int_equal(ept_set_perm(&e, GiB - 4 * KiB, 8 * KiB, 0), 0);
	assert_int_equal(ept_pages_in_use(&e), TABLES_1G + 3);
	leaf(GiB - 4 * KiB, EPT_LEVEL_4K, WB, 0);	/* no permissions, still found */
	leaf(GiB, EPT_LEVEL_4K, WB, 0);
	leaf(GiB - 8 * KiB, EPT_LEVEL_4K, WB, EPT_RWX);
	leaf(GiB + 4 * KiB, EPT_LEVEL_4K, WB, EPT_RWX);
	w = walk_map();
	assert_int_equal(w.restricted_pages, 2);

	assert_int_equal(ept_set_perm(&e, GiB - 4 * KiB, 8 * KiB, EPT_RWX), 0);
	assert_int_equal(e.nr_deferred, 3);
	ept_reclaim(&e);
	assert_unchanged(before, TABLES_1G);
}

/* A split keeps the memory type and flags; A/D set by the processor do not block the
 * merge, and the merged leaf keeps them. */
static void test_split_keeps_type_and_merge_keeps_ad(void **state)
{
	unsigned int l;
	u64 *pe;

	(void)state;
	assert_int_equal(ept_set_perm(&e, 3 * GiB + 0x7000, 4 * KiB, EPT_READ), 0);
	leaf(3 * GiB, EPT_LEVEL_4K, UC, EPT_RWX);
	leaf(3 * GiB + 0x7000, EPT_LEVEL_4K, UC, EPT_READ);
	leaf(3 * GiB + 2 * MiB, EPT_LEVEL_2M, UC, EPT_RWX);
	/* the processor marks pages accessed and dirty */
	*ept_leaf(&e, 3 * GiB + 0x3000, &l) |= EPT_ACCESSED;
	*ept_leaf(&e, 3 * GiB + 0x9000, &l) |= EPT_ACCESSED | EPT_DIRTY;
	*ept_leaf(&e, 3 * GiB + 4 * MiB, &l) |= EPT_ACCESSED;
	assert_int_equal(ept_set_perm(&e, 3 * GiB + 0x7000, 4 * KiB, EPT_RWX), 0);
	pe = ept_leaf(&e, 3 * GiB, &l);
	assert_int_equal(l, EPT_LEVEL_1G);
	assert_int_equal(*pe, 3 * GiB | EPT_RWX | (UC << EPT_MEMTYPE_SHIFT) | EPT_LARGE |
			      EPT_ACCESSED | EPT_DIRTY);
	/* IPAT is a flag like the others: a leaf that differs blocks the merge */
	assert_int_equal(ept_set_perm(&e, 5 * GiB, 4 * KiB, EPT_READ), 0);
	*ept_leaf(&e, 5 * GiB + 0x1000, &l) |= EPT_IGNORE_PAT;
	assert_int_equal(ept_set_perm(&e, 5 * GiB, 4 * KiB, EPT_RWX), 0);
	leaf(5 * GiB, EPT_LEVEL_4K, WB, EPT_RWX);
	leaf(5 * GiB + 2 * MiB, EPT_LEVEL_2M, WB, EPT_RWX);
	/* leaves that are not contiguous (two pages swapped) do not merge either */
	assert_int_equal(ept_set_perm(&e, 6 * GiB, 4 * KiB, EPT_READ), 0);
	{
		u64 *a = ept_leaf(&e, 6 * GiB + 0x1000, &l);
		u64 *b = ept_leaf(&e, 6 * GiB + 0x2000, &l);
		u64 tmp = *a;

		*a = *b;
		*b = tmp;
	}
	assert_int_equal(ept_set_perm(&e, 6 * GiB, 4 * KiB, EPT_RWX), 0);
	leaf(6 * GiB, EPT_LEVEL_4K, WB, EPT_RWX);
	assert_int_equal(*ept_leaf(&e, 6 * GiB + 0x1000, &l) & EPT_ADDR_MASK,
			 6 * GiB + 0x2000);
}

/* Tables whose leaves have different MTRR types are never merged. */
static void test_no_merge_across_types(void **state)
{
	(void)state;
	/* the first 2 MiB (fixed ranges) and 2G-3G (SMRR) all read-only, and back */
	assert_int_equal(ept_set_perm(&e, 0, 2 * MiB, EPT_READ), 0);
	assert_int_equal(ept_set_perm(&e, 2 * GiB, GiB, EPT_READ), 0);
	assert_int_equal(walk_map().restricted_pages, (2 * MiB + GiB) / (4 * KiB));
	leaf(0xa0000, EPT_LEVEL_4K, UC, EPT_READ);
	leaf(0xbf800000ULL, EPT_LEVEL_2M, UC, EPT_READ);
	leaf(2 * GiB, EPT_LEVEL_2M, WB, EPT_READ);
	assert_int_equal(ept_set_perm(&e, 0, 4 * GiB, EPT_RWX), 0);
	assert_int_equal(e.nr_deferred, 0);
	assert_int_equal(walk_map().tables, TABLES_1G);
	assert_int_equal(walk_map().restricted_pages, 0);
}

/*
 * Leaves that agree in everything still stay apart when the MTRRs do not show the
 * large range uniform: the merge asks the MTRRs, as the build did.
 */
static void test_no_merge_without_uniform_mtrr(void **state)
{
	(void)state;
	/* a WB range inside WB var0: mtrr_type() calls 1G-2G "not uniform" */
	fake_cpu_set_msr(MTRRphysBase_MSR(3), (GiB + 2 * MiB) | WB);
	fake_cpu_set_msr(MTRRphysMask_MSR(3), (((1ULL << 39) - 1) & ~(2 * MiB - 1)) |
					       MTRR_PHYSMASK_V);
	assert_int_equal(mtrr_read(&mtrr), 0);
	assert_int_equal(ept_init(&e, caps, &mtrr, LIMIT, TABLES_1G + 1 + 1), 0);
	leaf(GiB, EPT_LEVEL_2M, WB, EPT_RWX);
	assert_int_equal(ept_set_perm(&e, GiB, GiB, EPT_READ), 0);
	assert_int_equal(ept_set_perm(&e, GiB + 4 * MiB, 4 * KiB, EPT_READ | EPT_EXEC), 0);
	assert_int_equal(ept_set_perm(&e, GiB + 4 * MiB, 4 * KiB, EPT_READ), 0);
	/* the PT merged back into a 2 MiB leaf, the PD did not merge into 1 GiB */
	assert_int_equal(e.nr_deferred, 1);
	leaf(GiB, EPT_LEVEL_2M, WB, EPT_READ);
	leaf(GiB + 4 * MiB, EPT_LEVEL_2M, WB, EPT_READ);
}

/* Too few pool pages: -ENOMEM before anything changes, even for a range whose
 * first part would have fitted. */
static void test_pool_exhaustion(void **state)
{
	u8 *before;

	(void)state;
	assert_int_equal(ept_init(&e, caps, &mtrr, LIMIT, TABLES_1G + 2), 0);
	before = snapshot();
	/* needs 1 + 2 */
	assert_int_equal(ept_set_perm(&e, GiB - 4 * KiB, 8 * KiB, EPT_READ), -ENOMEM);
	assert_unchanged(before, e.pool_pages);
	assert_int_equal(ept_pages_in_use(&e), TABLES_1G);

	/* takes both spare pages; then even one more split fails */
	assert_int_equal(ept_set_perm(&e, GiB + 0x5000, 4 * KiB, EPT_READ), 0);
	before = snapshot();
	assert_int_equal(ept_set_perm(&e, 5 * GiB, 2 * MiB, EPT_READ), -ENOMEM);
	assert_int_equal(ept_set_perm(&e, 2 * MiB + 0x1000, 4 * KiB, EPT_READ), -ENOMEM);
	assert_unchanged(before, e.pool_pages);
	/* but whole leaves and already split ranges need no page */
	assert_int_equal(ept_set_perm(&e, 5 * GiB, GiB, EPT_READ), 0);
	assert_int_equal(ept_set_perm(&e, GiB + 0x9000, 4 * KiB, EPT_READ), 0);
	assert_int_equal(ept_set_perm(&e, 0xa0000, 4 * KiB, EPT_READ), 0);

	/* deferred pages are not free pages until ept_reclaim() */
	assert_int_equal(ept_set_perm(&e, GiB, GiB, EPT_RWX), 0);
	assert_int_equal(e.nr_deferred, 2);
	assert_int_equal(ept_set_perm(&e, 6 * GiB, 4 * KiB, EPT_READ), -ENOMEM);
	ept_reclaim(&e);
	assert_int_equal(ept_set_perm(&e, 6 * GiB, 4 * KiB, EPT_READ), 0);
}

static void test_set_perm_refusals(void **state)
{
	u8 *before = snapshot();

	(void)state;
	/* SDM 29.3.3.1: write without read is a misconfiguration */
	assert_int_equal(ept_set_perm(&e, GiB, 4 * KiB, EPT_WRITE), -EINVAL);
	assert_int_equal(ept_set_perm(&e, GiB, 4 * KiB, EPT_WRITE | EPT_EXEC), -EINVAL);
	assert_int_equal(ept_set_perm(&e, GiB, 4 * KiB, 8), -EINVAL);
	assert_int_equal(ept_set_perm(&e, GiB, 4 * KiB, EPT_RWX | EPT_LARGE), -EINVAL);
	/* ranges */
	assert_int_equal(ept_set_perm(&e, GiB + 1, 4 * KiB, EPT_READ), -EINVAL);
	assert_int_equal(ept_set_perm(&e, GiB, 4 * KiB + 1, EPT_READ), -EINVAL);
	assert_int_equal(ept_set_perm(&e, GiB, 0, EPT_READ), -EINVAL);
	assert_int_equal(ept_set_perm(&e, LIMIT - 4 * KiB, 8 * KiB, EPT_READ), -EINVAL);
	assert_int_equal(ept_set_perm(&e, LIMIT, 4 * KiB, EPT_READ), -EINVAL);
	assert_int_equal(ept_set_perm(&e, ~0xfffULL, 8 * KiB, EPT_READ), -EINVAL);
	assert_unchanged(before, e.pool_pages);
	/* execute-only: fine where the CPU has it, a misconfiguration where not */
	assert_int_equal(ept_set_perm(&e, GiB, GiB, EPT_EXEC), 0);
	leaf(GiB, EPT_LEVEL_1G, WB, EPT_EXEC);
	e.caps &= ~VMX_EPT_EXECUTE_ONLY;
	assert_int_equal(ept_set_perm(&e, 4 * GiB, GiB, EPT_EXEC), -EINVAL);
	leaf(4 * GiB, EPT_LEVEL_1G, WB, EPT_RWX);
	/* an EPT that does not exist */
	ept_destroy(&e);
	assert_int_equal(ept_set_perm(&e, GiB, 4 * KiB, EPT_READ), -EINVAL);
}

/* ---- EPT violations ---- */

static void test_decode_violation(void **state)
{
	struct ept_violation v;

	(void)state;
	/* a write to a read-only page through a valid linear address */
	ept_decode_violation(0x18a, &v);
	assert_false(v.read);
	assert_true(v.write);
	assert_false(v.fetch);
	assert_true(v.readable);
	assert_false(v.writable);
	assert_false(v.executable);
	assert_true(v.gla_valid);
	assert_true(v.gla_translation);
	assert_false(v.nmi_unblocking);

	/* a read from a not-present page during a guest page walk, after IRET */
	ept_decode_violation(0x1081, &v);
	assert_true(v.read);
	assert_false(v.write);
	assert_false(v.readable || v.writable || v.executable);
	assert_true(v.gla_valid);
	assert_false(v.gla_translation);
	assert_true(v.nmi_unblocking);

	/* a fetch from a readable, writable page; bit 8 without bit 7 means nothing */
	ept_decode_violation(0x11c, &v);
	assert_true(v.fetch);
	assert_false(v.read || v.write);
	assert_true(v.readable);
	assert_true(v.writable);
	assert_false(v.executable);
	assert_false(v.gla_valid);
	assert_false(v.gla_translation);

	ept_decode_violation(0x20, &v);
	assert_true(v.executable);
	assert_false(v.readable || v.writable || v.read || v.write || v.fetch);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_check_caps, setup_cpu, teardown),
		cmocka_unit_test_setup_teardown(test_usable, setup_cpu, teardown),
		cmocka_unit_test_setup_teardown(test_map_limit, setup_cpu, teardown),
		cmocka_unit_test_setup_teardown(test_map_covers, setup_cpu, teardown),
		cmocka_unit_test(test_leaf_hpa),
		cmocka_unit_test_setup_teardown(test_build_with_1g_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_build_with_2m_pages_only, setup_cpu,
						teardown),
		cmocka_unit_test_setup_teardown(test_build_with_4k_pages_only, setup_cpu,
						teardown),
		cmocka_unit_test_setup_teardown(test_build_odd_limit, setup_cpu, teardown),
		cmocka_unit_test_setup_teardown(test_build_mtrrs_disabled, setup_cpu, teardown),
		cmocka_unit_test_setup_teardown(test_five_level_walk, setup_cpu, teardown),
		cmocka_unit_test_setup_teardown(test_hide_cost_and_pool_grow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_init_refusals, setup_cpu, teardown),
		cmocka_unit_test_setup_teardown(test_init_alloc_failures, setup_cpu, teardown),
		cmocka_unit_test_setup_teardown(test_eptp_and_ad, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_perm_4k_in_1g_and_back, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_set_perm_whole_leaves_in_place, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_set_perm_across_leaves, setup, teardown),
		cmocka_unit_test_setup_teardown(test_split_keeps_type_and_merge_keeps_ad, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_no_merge_across_types, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_merge_without_uniform_mtrr, setup_cpu,
						teardown),
		cmocka_unit_test_setup_teardown(test_pool_exhaustion, setup_cpu, teardown),
		cmocka_unit_test_setup_teardown(test_set_perm_refusals, setup, teardown),
		cmocka_unit_test(test_decode_violation),
	};

	return cmocka_run_group_tests_name("ept", tests, NULL, NULL);
}
