/* SPDX-License-Identifier: GPL-2.0 */
/*
 * EPT: an identity map of guest-physical onto host-physical memory (SDM Vol. 3C, 29.3
 * "The Extended Page Table Mechanism (EPT)") whose permissions can be narrowed, down
 * to one 4 KiB page, so that the guest's accesses to that page cause EPT violations.
 *
 * How it is built, and why:
 *
 *  - One EPT per CPU, never shared.  To let a single access to a watched page
 *    complete, the hypervisor opens the page for a moment on the CPU that faulted.
 *    Were the table shared, every other CPU could use that window too, and its
 *    accesses would go unrecorded.  Other thin hypervisors started with one shared
 *    table and moved to one per CPU for this reason.  The cost is memory times CPUs,
 *    which large pages keep small.
 *
 *  - Every table page comes from a pool that ept_init() allocates up front.
 *    Splitting a large page takes its new table from the pool, so changing
 *    permissions never calls the allocator and is safe in VMX root; and the pool is
 *    one known set of pages the hypervisor can hide from the guest once.
 *    ept_tables_needed() says how big the pool must be for the initial map; what is
 *    left over is what splits can use.
 *
 *  - A table that a merge unlinks is not reused at once: until INVEPT the processor
 *    may still walk it through its paging-structure caches (SDM Vol. 3C, 29.4
 *    "Caching Translation Information").  It waits on a deferred list, and the
 *    caller, after INVEPT, calls ept_reclaim().
 *
 *  - The processor knows tables by physical address; the walk turns those back into
 *    pointers with os_phys_to_virt(), which is arithmetic and root-safe (looking them
 *    up in the pool would cost a search at every level).
 *
 *  - A leaf carries the memory type the MTRRs give its range, with IPAT = 0: the
 *    guest's PAT then combines with it just as the host's PAT combines with the MTRRs
 *    (SDM Vol. 3C, 29.3.7.2 "Memory Type Used for Translated Guest-Physical
 *    Addresses"), so memory stays cached as the guest set it up.  The MTRRs
 *    themselves no longer apply under EPT, hence the copy.  A large page is used only
 *    where the MTRR type of its whole range is uniform.
 *
 *  - Paging-structure entries always allow read, write and execute: permissions live
 *    in the leaves only.
 *
 *  - ept_set_perm() changes a leaf in place when the range covers all of it (a whole
 *    1 GiB page stays one entry) and splits only leaves the range covers in part.
 *    Afterwards, a table whose 512 entries could again be one large leaf (all leaves,
 *    same permissions, memory type and flags, contiguous, and a uniform MTRR type over
 *    the large range) is merged back, so restoring permissions restores the shape
 *    ept_init() built.
 *
 * No locking: an EPT belongs to one CPU, and its owner serializes the calls.  After
 * any successful ept_set_perm() the caller must INVEPT before the guest relies on
 * the new permissions, then call ept_reclaim().
 */
#ifndef SUBZERO_EPT_H
#define SUBZERO_EPT_H

#include "types.h"
#include "mtrr.h"
#include "vmx_bits.h"

/* EPT paging-structure entries (SDM Vol. 3C, 29.3.2 "EPT Translation Mechanism") */
#define EPT_READ		BIT_ULL(0)
#define EPT_WRITE		BIT_ULL(1)
#define EPT_EXEC		BIT_ULL(2)
#define EPT_RWX			(EPT_READ | EPT_WRITE | EPT_EXEC)
#define EPT_MEMTYPE_SHIFT	3		/* leaves only */
#define EPT_MEMTYPE_MASK	(7ULL << EPT_MEMTYPE_SHIFT)
#define EPT_IGNORE_PAT		BIT_ULL(6)	/* leaves only */
#define EPT_LARGE		BIT_ULL(7)	/* a 1 GiB or 2 MiB leaf */
#define EPT_ACCESSED		BIT_ULL(8)	/* if EPTP enables A/D */
#define EPT_DIRTY		BIT_ULL(9)	/* leaves, if EPTP enables A/D */
/*
 * Bit 11 of a leaf is ignored by the processor (SDM Vol. 3C, Table 29-6): ours marks
 * a page of the hypervisor's that the guest may only read (seal.h).  Its leaf never
 * merges with its neighbours', the flags being different.
 */
#define EPT_SEALED		BIT_ULL(11)
#define EPT_ADDR_MASK		0x000ffffffffff000ULL	/* bits 51:12 */
/*
 * Mode-based execute control (SDM Vol. 3C, 29.3.3.2, when the VM-execution control
 * "mode-based execute control for EPT" is 1): bit 2 then allows execution of
 * supervisor-mode linear addresses only, and bit 10 that of user-mode ones; without
 * the control bit 10 is ignored.  An EPT whose `mbec` is set keeps both (ept_perm_bits()).
 */
#define EPT_EXEC_USER		BIT_ULL(10)
#define EPT_PERM_BITS		(EPT_RWX | EPT_EXEC_USER)
/*
 * A permission flag, never an entry bit: with EPT_EXEC, "execute in user mode only"
 * on an EPT with `mbec`; ignored (execute in both) on one without.
 */
#define EPT_NO_KEXEC		(1U << 16)

#define EPT_LEVELS		4	/* the usual walk: 48-bit guest-physical addresses */
#define EPT_LEVELS_MAX		5	/* with VMX_EPT_PAGE_WALK_5: 57 bits */
#define EPT_LIMIT_4		(1ULL << 48)
#define EPT_LIMIT_5		(1ULL << 57)
#define EPT_ENTRIES		512
#define EPT_LEVEL_4K		1
#define EPT_LEVEL_2M		2
#define EPT_LEVEL_1G		3

/* The EPT pointer (SDM Vol. 3C, 25.6.11 "Extended-Page-Table Pointer (EPTP)") */
#define EPTP_MEMTYPE_WB		6ULL
#define EPTP_WALK_LENGTH_4	(3ULL << 3)	/* page-walk length minus one */
#define EPTP_WALK_LENGTH_5	(4ULL << 3)
#define EPTP_AD_ENABLE		BIT_ULL(6)

/* INVEPT types (SDM Vol. 3C, chapter 31, INVEPT) */
#define INVEPT_SINGLE_CONTEXT	1
#define INVEPT_ALL_CONTEXT	2

/* What ept_check_caps() reports as optional: VMX_EPT_* bits of IA32_VMX_EPT_VPID_CAP. */
#define EPT_OPTIONAL_CAPS	((u64)(VMX_EPT_EXECUTE_ONLY | VMX_EPT_2MB_PAGE | VMX_EPT_1GB_PAGE | \
				      VMX_EPT_AD))

struct ept_page {
	void *va;
	u64 pa;
};

struct ept {
	u64 *pml4;		/* the top table (a PML5 with a 5-level walk) */
	u64 pml4_pa;
	unsigned int levels;	/* EPT_LEVELS, or 5 where the map needs it */
	u64 map_limit;		/* [0, map_limit) is mapped */
	u64 caps;		/* IA32_VMX_EPT_VPID_CAP */
	/*
	 * Where the OS maps physical memory (os_phys_to_virt(0)), captured at
	 * ept_init(): root turns table addresses into pointers with it, and never asks
	 * the OS (whose variable holding it the guest could change).
	 */
	u64 direct_map;
	bool ad;		/* EPTP enables accessed and dirty flags */
	/*
	 * Mode-based execute control is on (ept_restrict_kexec()): entries carry bit 10,
	 * and bit 2 of a leaf is supervisor-mode execute.  One way.
	 */
	bool mbec;
	struct mtrr_state mtrr;	/* a copy: merges ask it again */
	struct ept_page *pool;	/* every page, in allocation order */
	u64 *free;		/* PAs of pages ready for use (a stack) */
	u64 *deferred;		/* PAs of unlinked tables waiting for INVEPT */
	u64 meta_pa;		/* the pages holding pool, free and deferred */
	unsigned int meta_order;
	unsigned int pool_pages;
	unsigned int nr_free;
	unsigned int nr_deferred;
};

/*
 * Can this CPU's EPT do what we need: 4-level walks, write-back paging structures,
 * and INVEPT with a single-context or all-context type?  Returns 0, or -EOPNOTSUPP
 * with *missing naming the first capability that is not there.
 */
int ept_check_caps(u64 ept_vpid_cap, const char **missing);

/* The most guest-physical space this CPU's EPT can map: 2^48, or 2^57 with 5 levels. */
u64 ept_max_limit(u64 ept_vpid_cap);

/* Which of EPT_OPTIONAL_CAPS (execute-only, 2 MiB and 1 GiB pages, A/D) the CPU has. */
u64 ept_optional_caps(u64 ept_vpid_cap);

struct vmx_caps;

/*
 * Can the hypervisor run its CPUs under EPT: the "enable EPT" control may be set and
 * ept_check_caps() passes?  If not, false with *missing naming what is not there.
 */
bool ept_usable(const struct vmx_caps *caps, const char **missing);

/*
 * How much guest-physical space to map, [0, limit).  With 1 GiB EPT pages and
 * MAXPHYADDR up to 46 all of 2^phys_bits (at most 128 table pages).  Else (no 1 GiB
 * pages: a page directory per GiB would cost up to 256 MiB per CPU; or a MAXPHYADDR of
 * up to 52: 2^52 costs 32 MiB per CPU even in 1 GiB pages) only up to @mem_end (the end
 * of the highest RAM or MMIO range the OS knows), rounded up to 1 GiB, at least 4 GiB
 * and at most 2^phys_bits.  Never more than the CPU's EPT walk translates
 * (ept_max_limit(): 2^48, or 2^57 with 5 levels): a limit below @mem_end means the
 * memory the OS uses cannot all be mapped, and ept_map_covers() says to run without EPT.  Pure:
 * safe anywhere.
 */
#define EPT_ALL_BITS_1G		46
u64 ept_map_limit(const struct vmx_caps *caps, unsigned int phys_bits, u64 mem_end);

/*
 * Whether to run under EPT with this memory: the map must cover [0, @mem_end), all the
 * RAM and MMIO the OS uses, or a guest access beyond it would be an EPT violation root
 * cannot resolve.  True with *limit = ept_map_limit(); false (run without EPT, no watch
 * or protect) when @mem_end lies beyond what this CPU's EPT walk translates, with
 * *limit still the most it could map.  Pure: safe anywhere.
 */
bool ept_map_covers(const struct vmx_caps *caps, unsigned int phys_bits, u64 mem_end,
		    u64 *limit);

/*
 * The host-physical address that the leaf @leaf at @level (EPT_LEVEL_*) gives @gpa:
 * the leaf's frame and the offset of @gpa inside a page of that level's size.
 */
u64 ept_leaf_hpa(u64 leaf, unsigned int level, u64 gpa);

/* The INVEPT type to use after changing one EPT: single-context if there is one. */
unsigned int ept_invept_type(u64 ept_vpid_cap);

/*
 * How many table pages ept_init() needs for the identity map of [0, map_limit) on
 * this CPU.  Returns 0 and *pages, or ept_init()'s -EOPNOTSUPP or -EINVAL.
 */
int ept_tables_needed(u64 ept_vpid_cap, const struct mtrr_state *m, u64 map_limit,
		      unsigned int *pages);

/*
 * Allocate a pool of pool_pages table pages and build in it the identity map of
 * [0, map_limit), readable, writable and executable, with MTRR memory types: each
 * block of the map is one 1 GiB leaf if the CPU allows and the type is uniform, else
 * 2 MiB likewise, else 4 KiB.  map_limit is normally 2^m->phys_bits; it must be a
 * multiple of 4 KiB and at most 2^m->phys_bits.  Up to 2^48 a 4-level walk maps it;
 * beyond (MAXPHYADDR > 48: large servers) a 5-level walk, where the CPU has one.
 *
 * Returns 0; -EOPNOTSUPP (see ept_check_caps()); -EINVAL for a bad map_limit;
 * -ERANGE for a map_limit above 2^48 on a CPU without 5-level EPT (the caller may map
 * less: ept_max_limit());
 * -ENOMEM if pool_pages is less than ept_tables_needed() or an allocation failed.
 * On error nothing is left allocated.  *e is overwritten: it must not hold a live
 * EPT (ept_destroy() it first).  Not root-safe (allocates).
 */
int ept_init(struct ept *e, u64 ept_vpid_cap, const struct mtrr_state *m, u64 map_limit,
	     unsigned int pool_pages);

/*
 * Add @n pages to the pool, free for splits (see ept.c).  0 or -ENOMEM.  Only while no
 * CPU runs under @e.  Not root-safe.
 */
int ept_pool_grow(struct ept *e, unsigned int n);
/* Pool pages free for splits now. */
unsigned int ept_pool_free(const struct ept *e);

/*
 * How many table pages giving each of the @n pages at @pas (sorted in place) a 4 KiB
 * leaf of its own would take from the pool: one per 2 MiB leaf they fall in, and one
 * more per 1 GiB leaf.  Pages beyond the map cost nothing.  What hiding the
 * hypervisor's own pages needs, counted exactly instead of guessed.
 */
unsigned int ept_hide_cost(struct ept *e, u64 *pas, unsigned int n);

/* Free the pool (and so every table).  Safe on a zeroed or destroyed struct ept. */
void ept_destroy(struct ept *e);

/*
 * Have the EPTP enable accessed and dirty flags (off by default: with them on, the
 * processor writes to the tables on every first access).  -EOPNOTSUPP if the CPU
 * lacks them.  Call before the EPTP is first used.
 */
int ept_enable_ad(struct ept *e);

/* The EPT pointer for the VMCS: WB, 4-level walk, A/D if enabled, the PML4. */
u64 ept_eptp(const struct ept *e);

/*
 * The entry bits of permission @perm (EPT_READ, EPT_WRITE, EPT_EXEC, EPT_NO_KEXEC) on
 * @e: without `mbec` the low three as they are; with it EPT_EXEC gives bit 10 too, and
 * bit 2 only without EPT_NO_KEXEC.  Whatever writes permissions into an entry goes
 * through this.  Pure.
 */
u64 ept_perm_bits(const struct ept *e, unsigned int perm);

/*
 * The pool pages ept_set_perm() of [gpa, gpa + size) would take now (its splits);
 * 0 for a range it would refuse.  Pure.
 */
unsigned int ept_set_perm_cost(const struct ept *e, u64 gpa, u64 size);

/*
 * Turn on the entries' side of mode-based execute control: every present entry gets
 * bit 10 where it has bit 2 (non-leaf entries always), and every leaf but a sealed
 * one (the hypervisor's text among them, seal.h) loses bit 2: nothing is executable
 * in kernel mode any more until given back with ept_set_perm(..., EPT_EXEC).  Sets
 * `mbec`; no allocation, no failure.  The caller sets the VM-execution control in
 * the same exit and INVEPTs.  Root-safe.
 */
void ept_restrict_kexec(struct ept *e);

/*
 * Set the permissions of the guest-physical range [gpa, gpa + size) to perm, a
 * combination of EPT_READ, EPT_WRITE and EPT_EXEC, with EPT_NO_KEXEC (ept_perm_bits();
 * 0 makes the range not present).
 * Splits large leaves the range covers in part, changes whole leaves in place, then
 * merges what can be merged (see the top of this file).
 *
 * Returns 0; -EINVAL if gpa or size is not a multiple of 4 KiB, size is 0, the range
 * leaves [0, map_limit), or perm is one the SDM calls a misconfiguration (write
 * without read; execute alone on a CPU without execute-only support; SDM Vol. 3C,
 * 29.3.3.1 "EPT Misconfigurations"); -ENOMEM if the pool has too few free pages for
 * the splits, checked before anything changes: the map is then untouched.  Root-safe.
 */
int ept_set_perm(struct ept *e, u64 gpa, u64 size, unsigned int perm);

/*
 * Give the page of @gpa a 4 KiB leaf of its own, splitting the large leaf (1 GiB,
 * then 2 MiB) that maps it; rights, memory type and flags stay.  0 (also when it has
 * one already); -EINVAL beyond the map; -ENOMEM if the pool has too few free pages,
 * checked before anything changes.  The caller INVEPTs.  A later ept_set_perm() on
 * the page merges the tables back when their leaves agree again.  Root-safe.
 */
int ept_split_to_4k(struct ept *e, u64 gpa);

/*
 * Return the tables that merges unlinked to the pool.  Only after an INVEPT that
 * followed the last ept_set_perm().  Root-safe.
 */
void ept_reclaim(struct ept *e);

/*
 * The leaf entry that maps gpa, and its level (EPT_LEVEL_4K, _2M or _1G); a leaf
 * with no permissions is still returned.  NULL if gpa is not mapped (at or above
 * map_limit).  Root-safe.
 */
u64 *ept_leaf(struct ept *e, u64 gpa, unsigned int *level);

/* The pages of the pool's bookkeeping (its arrays), to hide them too. */
unsigned int ept_meta_pages(const struct ept *e);
u64 ept_meta_pa(const struct ept *e, unsigned int i);

/* The size a leaf of @level maps (4 KiB, 2 MiB, 1 GiB). */
u64 ept_level_size(unsigned int level);

/*
 * Map the page of @gpa (at or above map_limit: not in the map) identity, with its
 * MTRR type and full access; *leaf gets its entry.  0; -ERANGE below map_limit or
 * beyond what the tables can map; -EEXIST if a large leaf maps it already; -ENOMEM
 * when the pool is empty.  INVEPT is not needed (the entry was not present).
 * Root-safe.
 */
int ept_map_page(struct ept *e, u64 gpa, u64 **leaf);

/* Pool pages holding tables, including those waiting for ept_reclaim(). */
unsigned int ept_pages_in_use(const struct ept *e);
unsigned int ept_pool_size(const struct ept *e);
/* The physical address of pool page i (< ept_pool_size()), e.g. to hide it. */
u64 ept_pool_pa(const struct ept *e, unsigned int i);

/* The OS's pointer to physical address @pa, from the captured direct map.  Root-safe. */
void *ept_phys_to_virt(const struct ept *e, u64 pa);

/* EPT-violation exit qualification (SDM Vol. 3C, 28.2.1, Table 28-7) */
#define EPT_VIOLATION_ACC_READ		BIT_ULL(0)
#define EPT_VIOLATION_ACC_WRITE		BIT_ULL(1)
#define EPT_VIOLATION_ACC_INSTR		BIT_ULL(2)
#define EPT_VIOLATION_READABLE		BIT_ULL(3)
#define EPT_VIOLATION_WRITABLE		BIT_ULL(4)
#define EPT_VIOLATION_EXECUTABLE	BIT_ULL(5)
#define EPT_VIOLATION_GVA_IS_VALID	BIT_ULL(7)
#define EPT_VIOLATION_GVA_TRANSLATED	BIT_ULL(8)
#define EPT_VIOLATION_NMI_UNBLOCKING	BIT_ULL(12)

struct ept_violation {
	bool read;		/* the access was a data read */
	bool write;		/* a data write */
	bool fetch;		/* an instruction fetch */
	bool readable;		/* the guest-physical address was readable */
	bool writable;		/* ... writable */
	bool executable;	/* ... executable */
	bool gla_valid;		/* the guest-linear-address field is valid */
	/* with gla_valid: the access was to the linear address itself, not to a guest
	 * paging-structure entry
	 */
	bool gla_translation;
	bool nmi_unblocking;	/* NMI unblocking due to IRET */
};

void ept_decode_violation(u64 qual, struct ept_violation *v);

#endif
