// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for core/lock_wx.c: the lock's kernel text W^X.  The decisions (the
 * patch gate, the arguments' checks, rate-limited events), then on the fake CPU: the
 * ranges applied to a CPU's EPT at the largest leaves, and the EPT violations of a
 * write to them (text_poke()'s let through for one step, any other discarded), with
 * watch and protect inside the ranges.  Physical addresses are virtual here: the
 * arguments and the kernel "text" sit at fixed low addresses mapped into this process.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "vmx.h"
#include "watch.h"
#include "lock.h"
#include "lock_wx.h"
#include "lock_mod.h"
#include "ept.h"
#include "mtrr.h"
#include "exit.h"
#include "os.h"
#include "errors.h"
#include "arch/x86.h"
#include "fake_cpu.h"
#include "fake_os.h"
#include "fake_world.h"
#include <cpu_ops.h>

#define M2		0x200000ULL
#define G1		0x40000000ULL
#define ARGS_PA		0x300000ULL	/* mapped: the glue's struct lock_wx_args */
#define TEXT_PA		0x400000ULL	/* mapped up to MAPPED_END: "kernel text" */
#define TEXT_END	(0x800000ULL + 0x3000)	/* two 2 MiB leaves, three 4 KiB pages */
#define MAPPED_END	(TEXT_PA + M2 + PAGE_SIZE)
#define RO_PA		(G1 + M2)	/* inside a 1 GiB leaf: split at both ends */
#define RO_END		(G1 + 3 * M2 + 0x1000)
#define BIG_PA		(4 * G1)	/* a whole 1 GiB leaf: stays one */
#define BIG_END		(5 * G1)
#define POKE_PGD	0x1234000ULL
#define POKE_ADDR	0x00007f1234560000ULL
#define RIP		0xffffffff81234567ULL

static struct vmx_caps caps;
static struct vcpu v;
static struct ram_map ram;
static struct guest_regs regs;
static u8 *mem;

/* ---- the decisions ---- */

static struct lock_wx wx_on(void)
{
	struct lock_wx wx = { .on = true, .nr = 1, .range = { { TEXT_PA, TEXT_END } },
			      .poke_pgd = POKE_PGD, .poke_addr = POKE_ADDR };
	return wx;
}

static void test_patch_gate(void **state)
{
	struct lock_wx wx = wx_on(), off = wx_on();

	(void)state;
	off.on = false;
	/* text_poke(): poking_mm's CR3, the poke window, CPL 0 */
	assert_true(lock_wx_patch_allowed(&wx, POKE_PGD, POKE_ADDR, true, 0));
	assert_true(lock_wx_patch_allowed(&wx, POKE_PGD, POKE_ADDR + 0x1fff, true, 0));
	/* PCID bits, bit 63 (never read back, masked anyway), PTI's user-table bit */
	assert_true(lock_wx_patch_allowed(&wx, POKE_PGD | 0x5, POKE_ADDR + 8, true, 0));
	assert_true(lock_wx_patch_allowed(&wx, POKE_PGD | BIT_ULL(63) | 0x801, POKE_ADDR, true, 0));
	assert_true(lock_wx_patch_allowed(&wx, POKE_PGD | X86_CR3_PTI_USER_BIT, POKE_ADDR, true, 0));
	/* another address space: refused */
	assert_false(lock_wx_patch_allowed(&wx, POKE_PGD + 0x2000, POKE_ADDR, true, 0));
	assert_false(lock_wx_patch_allowed(&wx, POKE_PGD | BIT_ULL(40), POKE_ADDR, true, 0));
	assert_false(lock_wx_patch_allowed(&wx, 0, POKE_ADDR, true, 0));
	/* outside the two pages of the window */
	assert_false(lock_wx_patch_allowed(&wx, POKE_PGD, POKE_ADDR - 1, true, 0));
	assert_false(lock_wx_patch_allowed(&wx, POKE_PGD, POKE_ADDR + 0x2000, true, 0));
	assert_false(lock_wx_patch_allowed(&wx, POKE_PGD, 0xffff888000400000ULL, true, 0));
	/* no linear address (or a paging-structure access), CPL 3, W^X off */
	assert_false(lock_wx_patch_allowed(&wx, POKE_PGD, POKE_ADDR, false, 0));
	assert_false(lock_wx_patch_allowed(&wx, POKE_PGD, POKE_ADDR, true, 3));
	assert_false(lock_wx_patch_allowed(&wx, POKE_PGD, POKE_ADDR, true, 1));
	assert_false(lock_wx_patch_allowed(&off, POKE_PGD, POKE_ADDR, true, 0));
}

static void test_covers_and_perm(void **state)
{
	struct lock_wx wx = wx_on(), off = wx_on();

	(void)state;
	off.on = false;
	assert_true(lock_wx_covers(&wx, TEXT_PA));
	assert_true(lock_wx_covers(&wx, TEXT_END - 1));
	assert_false(lock_wx_covers(&wx, TEXT_END));
	assert_false(lock_wx_covers(&wx, TEXT_PA - 1));
	assert_false(lock_wx_covers(&off, TEXT_PA));
	assert_int_equal(lock_wx_perm(&wx, TEXT_PA), EPT_READ | EPT_EXEC);
	assert_int_equal(lock_wx_perm(&wx, TEXT_END), EPT_RWX);
	assert_int_equal(lock_wx_perm(&off, TEXT_PA), EPT_RWX);
}

static void test_record_allowed(void **state)
{
	unsigned int n, recorded = 0;

	(void)state;
	assert_false(lock_wx_record_allowed(0));
	assert_true(lock_wx_record_allowed(1));
	assert_true(lock_wx_record_allowed(2));
	assert_false(lock_wx_record_allowed(3));
	assert_true(lock_wx_record_allowed(1ULL << 40));
	for (n = 1; n <= 100000; n++)
		recorded += lock_wx_record_allowed(n);
	assert_int_equal(recorded, 17);		/* 1, 2, 4 ... 65536 */
}

static struct lock_wx_args good_args(void)
{
	struct lock_wx_args a = {
		.magic = LOCK_WX_ARGS_MAGIC, .nr = 3,
		.range = { { TEXT_PA, TEXT_END }, { RO_PA, RO_END }, { BIG_PA, BIG_END } },
		.poke_pgd = POKE_PGD, .poke_addr = POKE_ADDR,
	};
	return a;
}

static void test_check_args(void **state)
{
	struct lock_wx_args a;
	struct lock_wx wx = { 0 };
	struct ram_map r = { 0 };
	const u64 lim = 1ULL << 39;

	(void)state;
	assert_int_equal(ram_map_add(&r, 0x100000, BIG_END), 0);
	a = good_args();
	assert_int_equal(lock_wx_check_args(&a, &r, lim, &wx), 0);
	assert_int_equal(wx.nr, 3);
	assert_int_equal(wx.range[1].start, RO_PA);
	assert_int_equal(wx.range[1].end, RO_END);
	assert_int_equal(wx.poke_pgd, POKE_PGD);
	assert_int_equal(wx.poke_addr, POKE_ADDR);
	assert_false(wx.on);		/* engage turns it on, once applied */
	memset(&wx, 0x5a, sizeof(wx));
#define REFUSED(field_change, err) do {						\
		a = good_args();						\
		field_change;							\
		assert_int_equal(lock_wx_check_args(&a, &r, lim, &wx), err);	\
		assert_int_equal(wx.nr, 0x5a5a5a5a);	/* untouched */		\
	} while (0)
	REFUSED(a.magic = 0, -EINVAL);
	REFUSED(a.nr = 0, -EINVAL);
	REFUSED(a.nr = LOCK_WX_RANGES + 1, -EINVAL);
	REFUSED(a.range[0].start += 8, -EINVAL);
	REFUSED(a.range[1].end -= 0x800, -EINVAL);
	REFUSED(a.range[0].end = a.range[0].start, -EINVAL);		/* empty */
	REFUSED(a.range[1].end = a.range[1].start - 0x1000, -EINVAL);	/* reversed */
	REFUSED(a.range[1] = a.range[0], -EINVAL);			/* the same twice */
	REFUSED((a.range[1].start = TEXT_END - 0x1000, a.range[1].end = TEXT_END + 0x1000),
		-EINVAL);						/* overlapping */
	REFUSED(a.poke_pgd = 0, -EINVAL);
	REFUSED(a.poke_pgd = POKE_PGD + 8, -EINVAL);
	REFUSED(a.poke_addr = POKE_ADDR + 0x10, -EINVAL);
	REFUSED(a.poke_addr = 0x0000800000000000ULL, -EINVAL);		/* not canonical */
	REFUSED(a.poke_addr = 0x00007ffffffff000ULL, -EINVAL);		/* window is not */
	REFUSED(a.range[2].end = lim + 0x1000, -ERANGE);
	REFUSED((a.range[0].start = 0x0, a.range[0].end = 0x2000), -EFAULT);	/* not RAM */
	REFUSED(a.range[2].end = BIG_END + 0x1000, -EFAULT);		/* beyond RAM */
#undef REFUSED
}

/* ---- on the fake CPU ---- */

static int setup(void **state)
{
	(void)state;
	fake_world_ept_ram(&caps, &ram, BIG_END);
	memset(&v, 0, sizeof(v));
	memset(&regs, 0, sizeof(regs));
	memset(watch_table, 0, sizeof(watch_table));
	if (!mem) {
		mem = mmap((void *)ARGS_PA, MAPPED_END - ARGS_PA, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		assert_ptr_equal(mem, (void *)ARGS_PA);
		/* rodata's last page, which a refused write copies */
		assert_ptr_equal(mmap((void *)(RO_END - PAGE_SIZE), PAGE_SIZE,
				      PROT_READ | PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0),
				 (void *)(RO_END - PAGE_SIZE));
	}
	memset(mem, 0x11, MAPPED_END - ARGS_PA);
	*(struct lock_wx_args *)ARGS_PA = good_args();
	assert_int_equal(vmx_vcpu_alloc(&v, 0, &caps, 0x5000), 0);
	v.mtf = false;
	fake_cpu.current_vmcs = 0x1000;
	fake_world_guest_kernel(RIP);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vmx_vcpu_free(&v);
	assert_int_equal(os_alloc_count(), 0);
	return 0;
}

static u64 leaf_of(u64 gpa, unsigned int *level)
{
	u64 *leaf = ept_leaf(&v.ept, gpa, level);

	assert_non_null(leaf);
	return *leaf;
}

static unsigned int perm_of(u64 gpa)
{
	return fake_world_perm(&v, gpa);
}

static unsigned int level_of(u64 gpa)
{
	unsigned int level;

	leaf_of(gpa, &level);
	return level;
}

/* An EPT violation with a linear address (the access itself) unless gla is 0. */
static int violation(u64 gpa, u64 attempted, u64 gla)
{
	return fake_world_violation(&v, &regs, gpa, attempted, gla);
}

static int single_step_trap(void)
{
	return fake_world_single_step(&v, &regs);
}

static struct watch_event next_event(void)
{
	return fake_world_next_event(&v);
}

static void engage(void)
{
	assert_int_equal(lock_wx_engage(&v, ARGS_PA), 0);
	assert_true(v.wx.on);
}

/* The ranges at the largest leaves that fit: only the leaves at their ends split. */
static void test_engage_largest_pages(void **state)
{
	unsigned int before = ept_pages_in_use(&v.ept);

	(void)state;
	assert_int_equal(level_of(TEXT_PA), EPT_LEVEL_2M);
	assert_int_equal(level_of(RO_PA), EPT_LEVEL_1G);
	assert_int_equal(level_of(BIG_PA), EPT_LEVEL_1G);
	/* no arguments: the lock without W^X, nothing changes */
	assert_int_equal(lock_wx_engage(&v, 0), 0);
	assert_false(v.wx.on);
	assert_false(v.lock_wx_on);
	engage();
	assert_true(v.lock_wx_on);
	/* text: two whole 2 MiB leaves, then 4 KiB leaves from the split third */
	assert_int_equal(level_of(TEXT_PA), EPT_LEVEL_2M);
	assert_int_equal(perm_of(TEXT_PA), EPT_READ | EPT_EXEC);
	assert_int_equal(level_of(TEXT_PA + M2), EPT_LEVEL_2M);
	assert_int_equal(perm_of(TEXT_PA + M2), EPT_READ | EPT_EXEC);
	assert_int_equal(level_of(TEXT_END - 0x1000), EPT_LEVEL_4K);
	assert_int_equal(perm_of(TEXT_END - 0x1000), EPT_READ | EPT_EXEC);
	assert_int_equal(perm_of(TEXT_END), EPT_RWX);
	assert_int_equal(perm_of(TEXT_PA - 0x1000), EPT_RWX);
	/* rodata: its 1 GiB leaf split into 2 MiB, the last of them into 4 KiB */
	assert_int_equal(level_of(RO_PA), EPT_LEVEL_2M);
	assert_int_equal(perm_of(RO_PA), EPT_READ | EPT_EXEC);
	assert_int_equal(perm_of(RO_PA + M2), EPT_READ | EPT_EXEC);
	assert_int_equal(level_of(RO_END - 0x1000), EPT_LEVEL_4K);
	assert_int_equal(perm_of(RO_END - 0x1000), EPT_READ | EPT_EXEC);
	assert_int_equal(perm_of(RO_END), EPT_RWX);
	assert_int_equal(perm_of(RO_PA - 0x1000), EPT_RWX);
	/* a whole GiB stays one leaf */
	assert_int_equal(level_of(BIG_PA), EPT_LEVEL_1G);
	assert_int_equal(perm_of(BIG_PA), EPT_READ | EPT_EXEC);
	/* the pool: one table for text's end, two for rodata's (1 GiB, then 2 MiB) */
	assert_int_equal(ept_pages_in_use(&v.ept) - before, 3);
	assert_int_equal(v.lock_wx_tables, 3);
	assert_int_equal(v.ept_pages_used, ept_pages_in_use(&v.ept));	/* published */
	/* one way: a second call (other arguments) changes nothing */
	((struct lock_wx_args *)ARGS_PA)->range[0].end = TEXT_END + 0x1000;
	assert_int_equal(lock_wx_engage(&v, ARGS_PA), 0);
	assert_int_equal(perm_of(TEXT_END), EPT_RWX);
	assert_int_equal(v.wx.range[0].end, TEXT_END);
}

/* The pool keeps room for the lock: a fresh vcpu's covers its reserve. */
static void test_pool_reserve(void **state)
{
	(void)state;
	assert_true(ept_pool_free(&v.ept) >= VMX_EPT_LOCK_RESERVE + 2 * WATCH_MAX);
	assert_true(VMX_EPT_LOCK_RESERVE >= LOCK_WX_RANGES * 4 + 2);
}

static void test_engage_refusals(void **state)
{
	struct lock_wx_args *a = (struct lock_wx_args *)ARGS_PA;
	unsigned int level, before = ept_pages_in_use(&v.ept), n;
	u64 *leaf, saved;

	(void)state;
	/* a CPU without EPT: the lock holds without W^X (not refused), nothing set */
	leaf = v.ept.pml4;
	v.ept.pml4 = NULL;
	assert_int_equal(lock_wx_engage(&v, ARGS_PA), 0);
	assert_false(v.wx.on);
	assert_false(v.lock_wx_on);
	v.ept.pml4 = leaf;
	/* arguments not in RAM, or across a page: -EFAULT */
	assert_int_equal(lock_wx_engage(&v, 0xa0000), -EFAULT);
	assert_int_equal(lock_wx_engage(&v, ARGS_PA + PAGE_SIZE - 16), -EFAULT);
	/* checked: a bad magic */
	a->magic = 0;
	assert_int_equal(lock_wx_engage(&v, ARGS_PA), -EINVAL);
	*a = good_args();
	/* a range holding one of the hypervisor's pages (mapped elsewhere: hidden) */
	assert_int_equal(ept_set_perm(&v.ept, TEXT_PA + 0x5000, PAGE_SIZE, EPT_RWX), 0);
	leaf = ept_leaf(&v.ept, TEXT_PA + 0x5000, &level);
	assert_int_equal(level, EPT_LEVEL_2M);	/* merged back: split it for real */
	assert_int_equal(ept_split_to_4k(&v.ept, TEXT_PA + 0x5000), 0);
	leaf = ept_leaf(&v.ept, TEXT_PA + 0x5000, &level);
	assert_int_equal(level, EPT_LEVEL_4K);
	saved = *leaf;
	*leaf = (saved & ~EPT_ADDR_MASK) | v.scratch_pa;
	assert_int_equal(lock_wx_engage(&v, ARGS_PA), -EACCES);
	/* ...or sealed (guest read-only) */
	*leaf = saved | EPT_SEALED;
	assert_int_equal(lock_wx_engage(&v, ARGS_PA), -EACCES);
	*leaf = saved;
	assert_false(v.wx.on);
	assert_int_equal(perm_of(TEXT_PA), EPT_RWX);	/* nothing applied */
	/* a pool too small (3 tables needed): nothing applied, the pool as it was */
	ept_reclaim(&v.ept);	/* the merge above (no INVEPT in the fake) */
	for (n = 0; ept_pool_free(&v.ept) > 2; n++)
		assert_int_equal(ept_set_perm(&v.ept, 6 * G1 + n * M2, PAGE_SIZE, EPT_READ), 0);
	before = ept_pages_in_use(&v.ept);
	assert_int_equal(lock_wx_engage(&v, ARGS_PA), -ENOMEM);
	assert_false(v.wx.on);
	assert_false(v.lock_wx_on);
	assert_int_equal(perm_of(TEXT_END - 0x1000), EPT_RWX);
	assert_int_equal(perm_of(RO_PA), EPT_RWX);
	/* as before, less the table of TEXT_PA's split above: the undo merged it */
	assert_int_equal(ept_pages_in_use(&v.ept), before - 1);
	assert_int_equal(level_of(TEXT_PA), EPT_LEVEL_2M);
}

/* text_poke()'s write: let through for one step (the leaf, 2 MiB, opened), counted. */
static void test_poke_allowed(void **state)
{
	struct watch_event ev;
	unsigned int i;

	(void)state;
	engage();
	fake_vmcs_set(GUEST_CR3, POKE_PGD | 3);		/* poking_mm, a PCID */
	assert_int_equal(violation(TEXT_PA + 0x100005, EPT_VIOLATION_ACC_WRITE, POKE_ADDR + 5), 0);
	assert_true(v.step.active);
	assert_int_equal(level_of(TEXT_PA + 0x100000), EPT_LEVEL_2M);
	assert_int_equal(perm_of(TEXT_PA + 0x100000), EPT_RWX);
	assert_int_equal(v.lock_wx_allowed, 1);
	assert_int_equal(v.lock_wx_refused, 0);
	ev = next_event();
	assert_int_equal(ev.kind, WATCH_KIND_LOCK);
	assert_int_equal(ev.access, LOCK_EV_KTEXT);
	assert_int_equal(ev.gla, TEXT_PA + 0x100000);	/* target: the page */
	assert_int_equal(ev.gpa, POKE_ADDR + 5);	/* value: the linear address */
	assert_int_equal(ev.flags, WATCH_EV_ALLOWED);
	assert_int_equal(single_step_trap(), 0);
	assert_false(v.step.active);
	assert_int_equal(perm_of(TEXT_PA + 0x100000), EPT_READ | EPT_EXEC);
	assert_int_equal(level_of(TEXT_PA + 0x100000), EPT_LEVEL_2M);
	/* a storm: counted every time, recorded at 2, 4, 8 */
	for (i = 0; i < 7; i++) {
		assert_int_equal(violation(TEXT_PA + 0x10, EPT_VIOLATION_ACC_WRITE,
					   POKE_ADDR + PAGE_SIZE + 0x10), 0);
		assert_int_equal(single_step_trap(), 0);
	}
	assert_int_equal(v.lock_wx_allowed, 8);
	for (i = 0; i < 3; i++)
		assert_int_equal(next_event().flags, WATCH_EV_ALLOWED);
	assert_false(watch_take(v.events, &ev));
	assert_int_equal(v.lock_wx_refused, 0);
}

/* Any other write: discarded through a copy of the page, recorded; the leaf merges back. */
static void test_other_write_refused(void **state)
{
	unsigned int used;
	struct watch_event ev;
	u64 *leaf;
	unsigned int level;

	(void)state;
	engage();
	used = ept_pages_in_use(&v.ept);
	fake_vmcs_set(GUEST_RIP, 0xffffffffc0001234ULL);	/* a rootkit's */
	/* through an alias (vmap, the direct map): the usual CR3 */
	assert_int_equal(violation(TEXT_PA + 0x1008, EPT_VIOLATION_ACC_WRITE,
				   0xffffc90000001008ULL), 0);
	assert_true(v.step.active);
	/* its leaf split down to 4 KiB for the step, to a copy */
	leaf = ept_leaf(&v.ept, TEXT_PA + 0x1000, &level);
	assert_int_equal(level, EPT_LEVEL_4K);
	assert_int_equal(*leaf & EPT_ADDR_MASK, v.copies_pa);
	assert_int_equal(*leaf & EPT_RWX, EPT_RWX);
	assert_int_equal(perm_of(TEXT_PA + 0x2000), EPT_READ | EPT_EXEC);
	assert_int_equal(v.lock_wx_refused, 1);
	ev = next_event();
	assert_int_equal(ev.access, LOCK_EV_KTEXT);
	assert_int_equal(ev.gla, TEXT_PA + 0x1000);
	assert_int_equal(ev.gpa, 0xffffc90000001008ULL);
	assert_int_equal(ev.rip, 0xffffffffc0001234ULL);
	assert_int_equal(ev.flags, WATCH_EV_REFUSED);
	assert_false(watch_take(v.events, &ev));	/* no protect event besides */
	/* the instruction writes the copy, which is dropped */
	((u8 *)v.copies)[8] = 0xcc;
	assert_int_equal(single_step_trap(), 0);
	assert_false(v.step.active);
	assert_int_equal(mem[TEXT_PA + 0x1008 - ARGS_PA], 0x11);
	assert_int_equal(level_of(TEXT_PA + 0x1000), EPT_LEVEL_2M);	/* merged back */
	assert_int_equal(perm_of(TEXT_PA + 0x1000), EPT_READ | EPT_EXEC);
	assert_int_equal(ept_pages_in_use(&v.ept), used);
	/* the refusals of the gate, one each: PTI-less poking_mm CR3 but elsewhere... */
	fake_vmcs_set(GUEST_CR3, POKE_PGD);
	assert_int_equal(violation(TEXT_PA + 0x10, EPT_VIOLATION_ACC_WRITE, POKE_ADDR + 0x2000), 0);
	assert_int_equal(single_step_trap(), 0);
	/* ...no linear address... */
	assert_int_equal(violation(TEXT_PA + 0x10, EPT_VIOLATION_ACC_WRITE, 0), 0);
	assert_int_equal(single_step_trap(), 0);
	/* ...CPL 3 */
	fake_vmcs_set(GUEST_SS_AR_BYTES, 0xc0f3);
	assert_int_equal(violation(TEXT_PA + 0x10, EPT_VIOLATION_ACC_WRITE, POKE_ADDR), 0);
	assert_int_equal(single_step_trap(), 0);
	assert_int_equal(v.lock_wx_refused, 4);
	assert_int_equal(v.lock_wx_allowed, 0);
	assert_int_equal(mem[TEXT_PA + 0x10 - ARGS_PA], 0x11);
	/* rodata too, and a 4 KiB leaf at a range's end needs no split */
	assert_int_equal(violation(RO_END - 0x1000, EPT_VIOLATION_ACC_WRITE, 0), 0);
	assert_int_equal(*ept_leaf(&v.ept, RO_END - 0x1000, &level) & EPT_ADDR_MASK, v.copies_pa);
	assert_int_equal(single_step_trap(), 0);
	assert_int_equal(perm_of(RO_END - 0x1000), EPT_READ | EPT_EXEC);
	assert_int_equal(v.lock_wx_refused, 5);
	/* a write outside the ranges is not the lock's (nothing watched: unmatched) */
	assert_int_equal(violation(TEXT_END, EPT_VIOLATION_ACC_WRITE, 0), 0);
	assert_int_equal(v.lock_wx_refused, 5);
}

/* One instruction writing two large leaves (REP MOVS): both split, both merged back. */
static void test_refused_across_leaves(void **state)
{
	unsigned int used;

	(void)state;
	engage();
	used = ept_pages_in_use(&v.ept);
	assert_int_equal(violation(TEXT_PA + M2 - 8, EPT_VIOLATION_ACC_WRITE, 0), 0);
	assert_int_equal(violation(TEXT_PA + M2, EPT_VIOLATION_ACC_WRITE, 0), 0);
	assert_int_equal(level_of(TEXT_PA), EPT_LEVEL_4K);
	assert_int_equal(level_of(TEXT_PA + M2), EPT_LEVEL_4K);
	assert_int_equal(v.lock_wx_refused, 2);
	assert_int_equal(single_step_trap(), 0);
	assert_int_equal(level_of(TEXT_PA), EPT_LEVEL_2M);
	assert_int_equal(level_of(TEXT_PA + M2), EPT_LEVEL_2M);
	assert_int_equal(perm_of(TEXT_PA + M2), EPT_READ | EPT_EXEC);
	assert_int_equal(ept_pages_in_use(&v.ept), used);
}

/* An exit on a locked page that is not a write never opens it for writing. */
static void test_unmatched_keeps_wx(void **state)
{
	(void)state;
	engage();
	assert_int_equal(violation(TEXT_PA + 0x3000, EPT_VIOLATION_ACC_READ, 0), 0);
	assert_int_equal(v.ept_unmatched, 1);
	assert_int_equal(perm_of(TEXT_PA + 0x3000), EPT_READ | EPT_EXEC);
}

/* Watch and protect inside a range: narrower rights kept, never write opened by them. */
static void test_watch_inside(void **state)
{
	struct watch_event ev;

	(void)state;
	/* applied before the lock: kept by engage */
	assert_int_equal(watch_add(TEXT_PA + 0x4000, WATCH_X, WATCH_KIND_WATCH, true), 0);
	assert_int_equal(watch_sync(&v), 0);
	assert_int_equal(perm_of(TEXT_PA + 0x4000), EPT_READ | EPT_WRITE);
	engage();
	assert_int_equal(perm_of(TEXT_PA + 0x4000), EPT_READ);
	/* its execution is recorded and stepped with read+execute, not write */
	assert_int_equal(violation(TEXT_PA + 0x4000, EPT_VIOLATION_ACC_INSTR, 0), 0);
	assert_int_equal(perm_of(TEXT_PA + 0x4000), EPT_READ | EPT_EXEC);
	ev = next_event();
	assert_int_equal(ev.kind, WATCH_KIND_WATCH);
	assert_int_equal(single_step_trap(), 0);
	assert_int_equal(perm_of(TEXT_PA + 0x4000), EPT_READ);
	/* applied after: the same */
	assert_int_equal(watch_add(TEXT_PA + 0x6000, WATCH_R, WATCH_KIND_WATCH, true), 0);
	assert_int_equal(watch_sync(&v), 0);
	assert_int_equal(perm_of(TEXT_PA + 0x6000), EPT_EXEC);
	/* removed: back to the lock's rights, not all */
	assert_int_equal(watch_del(TEXT_PA + 0x4000), 0);
	assert_int_equal(watch_del(TEXT_PA + 0x6000), 0);
	assert_int_equal(watch_sync(&v), 0);
	assert_int_equal(perm_of(TEXT_PA + 0x4000), EPT_READ | EPT_EXEC);
	assert_int_equal(perm_of(TEXT_PA + 0x6000), EPT_READ | EPT_EXEC);
	assert_int_equal(level_of(TEXT_PA + 0x4000), EPT_LEVEL_2M);	/* merged back */
	/* a protected page: even text_poke()'s write is discarded (protect wins) */
	assert_int_equal(watch_add(TEXT_PA + 0x7000, WATCH_W, WATCH_KIND_PROTECT, true), 0);
	assert_int_equal(watch_sync(&v), 0);
	fake_vmcs_set(GUEST_CR3, POKE_PGD);
	assert_int_equal(violation(TEXT_PA + 0x7000, EPT_VIOLATION_ACC_WRITE, POKE_ADDR), 0);
	assert_int_equal(*ept_leaf(&v.ept, TEXT_PA + 0x7000, &(unsigned int){ 0 }) &
			 EPT_ADDR_MASK, v.copies_pa);
	ev = next_event();
	assert_int_equal(ev.kind, WATCH_KIND_LOCK);
	assert_int_equal(ev.flags, WATCH_EV_REFUSED);
	ev = next_event();
	assert_int_equal(ev.kind, WATCH_KIND_PROTECT);
	assert_int_equal(single_step_trap(), 0);
	assert_int_equal(v.lock_wx_allowed, 0);
	assert_int_equal(perm_of(TEXT_PA + 0x7000), EPT_READ | EPT_EXEC);
}

/* ---- kernel-mode execution (MBEC) ---- */

#define MOD_ARGS_PA	(ARGS_PA + PAGE_SIZE)	/* mapped: a struct lock_mod_args */
#define DATA_PA		(TEXT_END + 0x10000)	/* ordinary RAM: "kmalloc'd" */
#define MOD_TEXT_PA	0x10000000ULL		/* a module's text, then its rodata */

static u64 raw_leaf(u64 gpa)
{
	unsigned int level;

	return leaf_of(gpa, &level);
}

/* The CPU allows the control (IA32_VMX_PROCBASED_CTLS2 bit 22, allowed-1). */
static void give_mbec(void)
{
	caps.procbased2 |= (u64)SECONDARY_EXEC_MODE_BASED_EPT_EXEC << 32;
	v.caps_copy.procbased2 = caps.procbased2;
}

/* A firmware page inside RAM (an EFI runtime region, say): this vcpu's map has a hole. */
#define FW_PA		0x20001000ULL

static void firmware_hole(void)
{
	memset(&v.ram, 0, sizeof(v.ram));
	assert_int_equal(ram_map_add(&v.ram, 0, 0xa0000), 0);
	assert_int_equal(ram_map_add(&v.ram, 0x100000, FW_PA), 0);
	assert_int_equal(ram_map_add(&v.ram, FW_PA + PAGE_SIZE, BIG_END), 0);
}

static void engage_kexec(void)
{
	struct lock_wx_args *a = (struct lock_wx_args *)ARGS_PA;

	a->code = 1;		/* range 0, the text */
	a->flags = LOCK_WX_KEXEC;
	engage();
	assert_false(v.lock_kexec);	/* the second step is the glue's */
}

/* Every present non-leaf entry of the walk to @gpa carries bit 10. */
static void assert_walk_user_exec(u64 gpa)
{
	u64 *table = v.ept.pml4, e;
	unsigned int l;

	for (l = v.ept.levels; l > EPT_LEVEL_4K; l--) {
		e = table[(gpa >> (12 + 9 * (l - 1))) & 511];
		if (e & EPT_LARGE)
			return;
		assert_true(e & EPT_EXEC_USER);
		table = ept_phys_to_virt(&v.ept, e & EPT_ADDR_MASK);
	}
}

static void test_kexec_args(void **state)
{
	struct lock_wx_args a = good_args();
	struct lock_wx wx = { 0 };
	struct ram_map r = { 0 };

	(void)state;
	assert_int_equal(ram_map_add(&r, 0x100000, BIG_END), 0);
	a.code = 1;
	a.flags = LOCK_WX_KEXEC;
	assert_int_equal(lock_wx_check_args(&a, &r, 1ULL << 39, &wx), 0);
	assert_true(wx.kexec_wanted);
	assert_false(wx.kexec);			/* engage decides, by the CPU */
	assert_int_equal(wx.code, 1);
	a.code = 1U << 3;			/* a fourth range: there are three */
	assert_int_equal(lock_wx_check_args(&a, &r, 1ULL << 39, &wx), -EINVAL);
	a.code = 1;
	a.flags = 2;				/* unknown */
	assert_int_equal(lock_wx_check_args(&a, &r, 1ULL << 39, &wx), -EINVAL);
	/* the rights, restricted: code read+execute; data without kernel execution */
	wx.on = true;
	wx.kexec = true;
	assert_int_equal(lock_wx_perm(&wx, TEXT_PA), EPT_READ | EPT_EXEC);
	assert_int_equal(lock_wx_perm(&wx, RO_PA), EPT_READ | EPT_EXEC | EPT_NO_KEXEC);
	assert_int_equal(lock_wx_perm(&wx, DATA_PA), EPT_RWX | EPT_NO_KEXEC);
}

/* The CPU has MBEC, the glue asks: supervisor-execute on code only, user unchanged. */
static void test_kexec_restricted(void **state)
{
	struct lock_mod_args *m = (struct lock_mod_args *)MOD_ARGS_PA;
	u64 sealed_pa, e;
	struct watch_event ev;

	(void)state;
	give_mbec();
	firmware_hole();
	/* one of the hypervisor's sealed (text) pages keeps kernel execution */
	sealed_pa = DATA_PA + 0x20000;
	assert_int_equal(ept_set_perm(&v.ept, sealed_pa, PAGE_SIZE, EPT_READ | EPT_EXEC), 0);
	*ept_leaf(&v.ept, sealed_pa, &(unsigned int){ 0 }) |= EPT_SEALED;
	engage_kexec();
	assert_false(v.ept.mbec);
	/* a module registered between the two steps (the glue's walk): code and data runs */
	memset(m, 0, sizeof(*m));
	m->magic = LOCK_MOD_ARGS_MAGIC;
	m->op = LOCK_MOD_ADD;
	m->id = 3;
	m->nr = 2;
	m->run[0] = (struct lock_mod_arg_run){ MOD_TEXT_PA + 4 * M2, 1, LOCK_MOD_RUN_CODE };
	m->run[1] = (struct lock_mod_arg_run){ MOD_TEXT_PA + 4 * M2 + 0x1000, 1, 0 };
	assert_int_equal(lock_mod_hypercall(&v, MOD_ARGS_PA), 0);
	assert_int_equal(next_event().access, LOCK_EV_MOD_ADD);
	/* the second step: the LOCK_KEXEC hypercall */
	fake_vmcs_set(GUEST_RIP, RIP);
	assert_int_equal(lock_kexec_engage(&v), 0);
	assert_true(v.wx.kexec);
	assert_true(v.lock_kexec);
	assert_true(v.ept.mbec);
	assert_int_equal(lock_kexec_engage(&v), 0);		/* again: nothing changes */
	/* the module's text kept kernel execution through it; its data did not get it */
	e = raw_leaf(MOD_TEXT_PA + 4 * M2);
	assert_true((e & EPT_EXEC) && (e & EPT_EXEC_USER) && !(e & EPT_WRITE));
	e = raw_leaf(MOD_TEXT_PA + 4 * M2 + 0x1000);
	assert_true(!(e & EPT_EXEC) && (e & EPT_EXEC_USER) && !(e & EPT_WRITE));
	assert_true(fake_vmcs_get(SECONDARY_VM_EXEC_CONTROL) & SECONDARY_EXEC_MODE_BASED_EPT_EXEC);
	/* text: both; rodata and data: user-mode only; the 1 GiB range too (no split) */
	e = raw_leaf(TEXT_PA);
	assert_true((e & EPT_EXEC) && (e & EPT_EXEC_USER));
	e = raw_leaf(TEXT_END - 0x1000);
	assert_true((e & EPT_EXEC) && (e & EPT_EXEC_USER));
	e = raw_leaf(RO_PA);
	assert_true(!(e & EPT_EXEC) && (e & EPT_EXEC_USER) && !(e & EPT_WRITE));
	e = raw_leaf(DATA_PA);
	assert_true(!(e & EPT_EXEC) && (e & EPT_EXEC_USER) && (e & EPT_WRITE));
	e = raw_leaf(0x100000);
	assert_true(!(e & EPT_EXEC) && (e & EPT_EXEC_USER));
	assert_int_equal(level_of(BIG_PA), EPT_LEVEL_1G);
	assert_false(raw_leaf(BIG_PA) & EPT_EXEC);
	assert_true(raw_leaf(sealed_pa) & EPT_EXEC);
	/* not RAM (firmware below 1 MiB, above the RAM's end): kernel execution kept */
	assert_true(raw_leaf(0xf0000) & EPT_EXEC);
	assert_true(raw_leaf(0xff000) & EPT_EXEC);
	assert_false(raw_leaf(0x100000) & EPT_EXEC);
	assert_true(raw_leaf(BIG_END) & EPT_EXEC);
	assert_int_equal(lock_page_perm(&v, 0xf0000), EPT_RWX);
	assert_true(raw_leaf(FW_PA) & EPT_EXEC);
	assert_false(raw_leaf(FW_PA - PAGE_SIZE) & EPT_EXEC);
	assert_false(raw_leaf(FW_PA + PAGE_SIZE) & EPT_EXEC);
	assert_int_equal(level_of(FW_PA), EPT_LEVEL_4K);
	assert_walk_user_exec(DATA_PA);
	assert_walk_user_exec(TEXT_END - 0x1000);
	assert_int_equal(lock_page_perm(&v, DATA_PA), EPT_RWX | EPT_NO_KEXEC);

	/* a kernel-mode fetch from data: refused, #GP(0), an event; the page unchanged */
	fake_vmcs_set(GUEST_RIP, DATA_PA + 0x10);
	assert_int_equal(violation(DATA_PA + 0x10, EPT_VIOLATION_ACC_INSTR, 0xffff888000000010ULL), 0);
	assert_int_equal(fake_vmcs_get(VM_ENTRY_INTR_INFO_FIELD),
			 X86_VEC_GP | (INTR_TYPE_HARD_EXCEPTION << INTR_INFO_TYPE_SHIFT) |
			 INTR_INFO_DELIVER_CODE | INTR_INFO_VALID);
	assert_int_equal(fake_vmcs_get(VM_ENTRY_EXCEPTION_ERROR_CODE), 0);
	assert_false(v.step.active);
	assert_int_equal(v.lock_kexec_refused, 1);
	ev = next_event();
	assert_int_equal(ev.kind, WATCH_KIND_LOCK);
	assert_int_equal(ev.access, LOCK_EV_KEXEC);
	assert_int_equal(ev.gla, DATA_PA);			/* target: the page */
	assert_int_equal(ev.gpa, 0xffff888000000010ULL);	/* value: the GLA */
	assert_int_equal(ev.flags, WATCH_EV_REFUSED);
	assert_false(raw_leaf(DATA_PA) & EPT_EXEC);
	assert_int_equal(v.ept_unmatched, 0);
	/*
	 * During an event's delivery (a gate outside code): #DF(0).  The fake's exits
	 * clear the vectoring field, so the lock's handler is called as the exit
	 * dispatch does, after re-injection has put the event back.
	 */
	{
		struct ept_violation d = { .fetch = true, .readable = true };
		unsigned int level;
		u64 *leaf = ept_leaf(&v.ept, RO_PA, &level);

		fake_vmcs_set(IDT_VECTORING_INFO_FIELD, 14 | INTR_INFO_DELIVER_CODE |
			      INTR_INFO_VALID | (INTR_TYPE_HARD_EXCEPTION << INTR_INFO_TYPE_SHIFT));
		fake_vmcs_set(VM_ENTRY_INTR_INFO_FIELD, fake_vmcs_get(IDT_VECTORING_INFO_FIELD));
		assert_int_equal(lock_wx_violation(&v, &d, RO_PA, leaf, level), 0);
		assert_int_equal(fake_vmcs_get(VM_ENTRY_INTR_INFO_FIELD),
				 X86_VEC_DF | (INTR_TYPE_HARD_EXCEPTION << INTR_INFO_TYPE_SHIFT) |
				 INTR_INFO_DELIVER_CODE | INTR_INFO_VALID);
		assert_int_equal(v.lock_kexec_refused, 2);
		assert_int_equal(next_event().access, LOCK_EV_KEXEC);
		fake_vmcs_set(IDT_VECTORING_INFO_FIELD, 0);
		fake_vmcs_set(VM_ENTRY_INTR_INFO_FIELD, 0);
	}
	/* a fetch from text is none of the lock's (it cannot exit; if it did: unmatched) */
	assert_int_equal(violation(TEXT_PA, EPT_VIOLATION_ACC_INSTR, 0), 0);
	assert_int_equal(v.lock_kexec_refused, 2);
	assert_int_equal(fake_vmcs_get(VM_ENTRY_INTR_INFO_FIELD), 0);
	/* CPL 3 (user-mode addresses: SMEP keeps CPL 0 off them): not the lock's */
	fake_vmcs_set(GUEST_SS_AR_BYTES, 0xc0f3);
	assert_int_equal(violation(DATA_PA, EPT_VIOLATION_ACC_INSTR, 0), 0);
	assert_int_equal(v.lock_kexec_refused, 2);
	fake_world_guest_kernel(RIP);

	/* a module: its text run is code, its rodata run is not */
	memset(m, 0, sizeof(*m));
	m->magic = LOCK_MOD_ARGS_MAGIC;
	m->op = LOCK_MOD_ADD;
	m->id = 7;
	m->nr = 2;
	m->run[0] = (struct lock_mod_arg_run){ MOD_TEXT_PA, 2, LOCK_MOD_RUN_CODE };
	m->run[1] = (struct lock_mod_arg_run){ MOD_TEXT_PA + 0x2000, 1, 0 };
	assert_int_equal(lock_mod_hypercall(&v, MOD_ARGS_PA), 0);
	e = raw_leaf(MOD_TEXT_PA + 0x1000);
	assert_true((e & EPT_EXEC) && (e & EPT_EXEC_USER) && !(e & EPT_WRITE));
	e = raw_leaf(MOD_TEXT_PA + 0x2000);
	assert_true(!(e & EPT_EXEC) && (e & EPT_EXEC_USER) && !(e & EPT_WRITE));
	assert_int_equal(lock_page_perm(&v, MOD_TEXT_PA), EPT_READ | EPT_EXEC);
	assert_int_equal(violation(MOD_TEXT_PA + 0x2000, EPT_VIOLATION_ACC_INSTR, 0), 0);
	assert_int_equal(v.lock_kexec_refused, 3);
	/* unknown run flags: refused */
	m->id = 8;
	m->nr = 1;
	m->run[0] = (struct lock_mod_arg_run){ MOD_TEXT_PA + M2, 1, 2 };
	assert_int_equal(lock_mod_hypercall(&v, MOD_ARGS_PA), -EINVAL);
	/* released (an unload): data again, never kernel-executable */
	assert_int_equal(lock_mod_release(&v, 7), 0);
	e = raw_leaf(MOD_TEXT_PA);
	assert_true(!(e & EPT_EXEC) && (e & EPT_EXEC_USER) && (e & EPT_WRITE));

	/* an execute watch on data takes user execution too; deleted, data again */
	assert_int_equal(watch_add(DATA_PA + 0x3000, WATCH_X, WATCH_KIND_WATCH, true), 0);
	assert_int_equal(watch_sync(&v), 0);
	e = raw_leaf(DATA_PA + 0x3000);
	assert_true(!(e & EPT_EXEC) && !(e & EPT_EXEC_USER) && (e & EPT_WRITE));
	/* a read watch keeps user execution, never gives kernel execution */
	assert_int_equal(watch_add(DATA_PA + 0x4000, WATCH_R, WATCH_KIND_WATCH, true), 0);
	assert_int_equal(watch_sync(&v), 0);
	e = raw_leaf(DATA_PA + 0x4000);
	assert_true(!(e & EPT_EXEC) && (e & EPT_EXEC_USER) && !(e & EPT_READ));
	/* its read is stepped with the data rights: still no kernel execution */
	assert_int_equal(violation(DATA_PA + 0x4000, EPT_VIOLATION_ACC_READ, 0), 0);
	e = raw_leaf(DATA_PA + 0x4000);
	assert_true(!(e & EPT_EXEC) && (e & EPT_READ));
	assert_int_equal(single_step_trap(), 0);
	assert_int_equal(watch_del(DATA_PA + 0x3000), 0);
	assert_int_equal(watch_del(DATA_PA + 0x4000), 0);
	assert_int_equal(watch_sync(&v), 0);
	e = raw_leaf(DATA_PA + 0x3000);
	assert_true(!(e & EPT_EXEC) && (e & EPT_EXEC_USER) && (e & EPT_WRITE));
	e = raw_leaf(DATA_PA + 0x4000);
	assert_true(!(e & EPT_EXEC) && (e & EPT_EXEC_USER) && (e & EPT_READ));

	/* a text_poke() write to text: opened for one step, supervisor-execute kept */
	fake_vmcs_set(GUEST_CR3, POKE_PGD);
	assert_int_equal(violation(TEXT_PA + 0x8000, EPT_VIOLATION_ACC_WRITE, POKE_ADDR), 0);
	assert_int_equal(single_step_trap(), 0);
	e = raw_leaf(TEXT_PA + 0x8000);
	assert_true((e & EPT_EXEC) && !(e & EPT_WRITE));
	/* a relaunch (resume, a CPU back online) builds the control in again */
	fake_vmcs_set(SECONDARY_VM_EXEC_CONTROL, 0);
	v.caps_copy.phys_bits = 48;	/* the fake's table addresses are host pointers */
	assert_int_equal(vmx_virtualize_this_cpu(&v), 0);
	assert_true(fake_vmcs_get(SECONDARY_VM_EXEC_CONTROL) & SECONDARY_EXEC_MODE_BASED_EPT_EXEC);
}

/* The glue asks, the CPU has no MBEC (every Bochs 2.7 model): nothing restricted. */
static void test_kexec_without_mbec(void **state)
{
	unsigned int n;
	u64 e;

	(void)state;
	assert_int_equal(lock_kexec_engage(&v), -ENOENT);	/* no W^X yet */
	engage_kexec();
	assert_int_equal(lock_kexec_engage(&v), -EOPNOTSUPP);
	assert_false(v.wx.kexec);
	assert_false(v.lock_kexec);
	assert_false(v.ept.mbec);
	assert_false(fake_vmcs_get(SECONDARY_VM_EXEC_CONTROL) & SECONDARY_EXEC_MODE_BASED_EPT_EXEC);
	e = raw_leaf(DATA_PA);
	assert_true((e & EPT_EXEC) && !(e & EPT_EXEC_USER));
	e = raw_leaf(RO_PA);
	assert_true((e & EPT_EXEC) && !(e & EPT_EXEC_USER));
	assert_int_equal(lock_page_perm(&v, DATA_PA), EPT_RWX);
	/* the pool cannot take the firmware ranges' splits: not restricted, logged */
	teardown(state);
	setup(state);
	give_mbec();
	firmware_hole();	/* its split is what the pool cannot give */
	/* the three tables the ranges take, and the modules' reserve */
	for (n = 0; ept_pool_free(&v.ept) > 3 + LOCK_MOD_EPT_TABLES; n++)
		assert_int_equal(ept_set_perm(&v.ept, 6 * G1 + n * M2, PAGE_SIZE, EPT_READ), 0);
	engage_kexec();
	assert_true(v.wx.on);				/* the W^X holds */
	assert_int_equal(lock_kexec_engage(&v), -ENOMEM);
	assert_false(v.lock_kexec);
	assert_false(v.ept.mbec);
	assert_true(raw_leaf(DATA_PA) & EPT_EXEC);
	/* the CPU has it, the glue does not ask (lock_exec=0): not restricted either */
	teardown(state);
	setup(state);
	give_mbec();
	engage();
	assert_int_equal(lock_kexec_engage(&v), -EOPNOTSUPP);
	assert_false(v.lock_kexec);
	assert_true(raw_leaf(DATA_PA) & EPT_EXEC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_patch_gate),
		cmocka_unit_test(test_covers_and_perm),
		cmocka_unit_test(test_record_allowed),
		cmocka_unit_test(test_check_args),
		cmocka_unit_test_setup_teardown(test_engage_largest_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pool_reserve, setup, teardown),
		cmocka_unit_test_setup_teardown(test_engage_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_poke_allowed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_write_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_across_leaves, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unmatched_keeps_wx, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watch_inside, setup, teardown),
		cmocka_unit_test(test_kexec_args),
		cmocka_unit_test_setup_teardown(test_kexec_restricted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kexec_without_mbec, setup, teardown),
	};

	return cmocka_run_group_tests_name("lock_wx", tests, NULL, NULL);
}
