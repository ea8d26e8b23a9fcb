// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for core/lock_mod.c: the lock's W^X for modules.  The decisions (what an
 * ADD may register, the table), then on the fake CPU: a module's runs made
 * read/execute-only, text_poke()'s writes let through and others discarded as for
 * the core kernel, a release giving back exactly one module's runs (and the EPT
 * tables they took), never the core kernel's, refusals recorded, and the EPT budget.
 * Physical addresses are virtual here: the arguments and the module pages a write
 * reaches sit at fixed low addresses mapped into this process.
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
#define WX_ARGS_PA	0x300000ULL	/* the core W^X's struct lock_wx_args */
#define ARGS_PA		0x301000ULL	/* a struct lock_mod_args */
#define TEXT_PA		0x400000ULL	/* the core kernel's "text" */
#define TEXT_END	(TEXT_PA + 0x3000)
#define MOD_PA		0x600000ULL	/* a module's pages, mapped */
#define MAPPED_END	(MOD_PA + 0x4000)
#define FAR_PA		0x10000000ULL	/* 2 MiB blocks of their own, for the budget */
#define RAM_END		0x80000000ULL
#define POKE_PGD	0x1234000ULL
#define POKE_ADDR	0x00007f1234560000ULL
#define RIP		0xffffffffa0001234ULL

static struct vmx_caps caps;
static struct vcpu v;
static struct ram_map ram;
static struct guest_regs regs;
static u8 *mem;

static struct lock_mod_args args1(u32 id, u64 start, u64 pages)
{
	struct lock_mod_args a = {
		.magic = LOCK_MOD_ARGS_MAGIC, .op = LOCK_MOD_ADD, .id = id, .nr = 1,
		.run = { { start, pages } },
	};
	return a;
}

/* ---- the decisions ---- */

static void test_check_add(void **state)
{
	static struct lock_mods m;
	struct lock_wx wx = { .on = true, .nr = 1, .range = { { TEXT_PA, TEXT_END } } };
	struct ram_map r = { 0 };
	struct lock_mod_args a;

	(void)state;
	memset(&m, 0, sizeof(m));
	assert_int_equal(ram_map_add(&r, 0x100000, RAM_END), 0);
	a = args1(7, MOD_PA, 3);
	assert_int_equal(lock_mod_check_add(&m, &wx, &a, &r, 1ULL << 39), 0);
	/* the arguments' own shape */
	a.magic ^= 1;
	assert_int_equal(lock_mod_check_add(&m, &wx, &a, &r, 1ULL << 39), -EINVAL);
	a = args1(7, MOD_PA, 3);
	a.op = 2;
	assert_int_equal(lock_mod_check_add(&m, &wx, &a, &r, 1ULL << 39), -EINVAL);
	a = args1(0, MOD_PA, 3);			/* id 0 */
	assert_int_equal(lock_mod_check_add(&m, &wx, &a, &r, 1ULL << 39), -EINVAL);
	a = args1(7, MOD_PA, 3);
	a.nr = 0;
	assert_int_equal(lock_mod_check_add(&m, &wx, &a, &r, 1ULL << 39), -EINVAL);
	a.nr = LOCK_MOD_ARG_RUNS + 1;
	assert_int_equal(lock_mod_check_add(&m, &wx, &a, &r, 1ULL << 39), -EINVAL);
	a = args1(7, MOD_PA + 8, 3);			/* unaligned */
	assert_int_equal(lock_mod_check_add(&m, &wx, &a, &r, 1ULL << 39), -EINVAL);
	a = args1(7, MOD_PA, 0);			/* empty */
	assert_int_equal(lock_mod_check_add(&m, &wx, &a, &r, 1ULL << 39), -EINVAL);
	a = args1(7, MOD_PA, LOCK_MOD_RUN_PAGES + 1);	/* too long */
	assert_int_equal(lock_mod_check_add(&m, &wx, &a, &r, 1ULL << 39), -EINVAL);
	a = args1(7, ~0xfffULL, 2);			/* beyond the map, would wrap */
	assert_int_equal(lock_mod_check_add(&m, &wx, &a, &r, 1ULL << 39), -ERANGE);
	a = args1(7, (1ULL << 39) - 0x1000, 2);
	assert_int_equal(lock_mod_check_add(&m, &wx, &a, &r, 1ULL << 39), -ERANGE);
	a = args1(7, 0xa0000, 1);			/* a hole, not RAM */
	assert_int_equal(lock_mod_check_add(&m, &wx, &a, &r, 1ULL << 39), -EFAULT);
	a = args1(7, RAM_END - 0x1000, 2);		/* half RAM */
	assert_int_equal(lock_mod_check_add(&m, &wx, &a, &r, 1ULL << 39), -EFAULT);
	/* never the core kernel's ranges */
	a = args1(7, TEXT_END - 0x1000, 2);
	assert_int_equal(lock_mod_check_add(&m, &wx, &a, &r, 1ULL << 39), -EINVAL);
	a = args1(7, TEXT_PA - 0x1000, 0x10);
	assert_int_equal(lock_mod_check_add(&m, &wx, &a, &r, 1ULL << 39), -EINVAL);
	/* runs of one call overlapping */
	a = args1(7, MOD_PA, 3);
	a.nr = 2;
	a.run[1] = (struct lock_mod_arg_run){ MOD_PA + 0x2000, 1, 0 };
	assert_int_equal(lock_mod_check_add(&m, &wx, &a, &r, 1ULL << 39), -EINVAL);
	/* the core W^X off: nothing to join */
	a = args1(7, MOD_PA, 3);
	wx.on = false;
	assert_int_equal(lock_mod_check_add(&m, &wx, &a, &r, 1ULL << 39), -ENOENT);
	wx.on = true;
	/* another module's run */
	lock_mod_insert(&m, &a);
	assert_int_equal(m.nr, 1);
	assert_int_equal(m.pages, 3);
	a = args1(8, MOD_PA + 0x2000, 4);
	assert_int_equal(lock_mod_check_add(&m, &wx, &a, &r, 1ULL << 39), -EEXIST);
	a = args1(8, MOD_PA + 0x3000, 4);		/* adjacent: fine */
	assert_int_equal(lock_mod_check_add(&m, &wx, &a, &r, 1ULL << 39), 0);
	/* the table is bounded */
	m.nr = LOCK_MOD_RUNS;
	assert_int_equal(lock_mod_check_add(&m, &wx, &a, &r, 1ULL << 39), -ENOSPC);
}

static void test_table(void **state)
{
	static struct lock_mods m;
	struct lock_mod_args a;

	(void)state;
	memset(&m, 0, sizeof(m));
	a = args1(1, 0x100000, 2);
	a.nr = 2;
	a.run[1] = (struct lock_mod_arg_run){ 0x200000, 1, 0 };
	lock_mod_insert(&m, &a);
	a = args1(2, 0x300000, 5);
	lock_mod_insert(&m, &a);
	a = args1(1, 0x500000, 1);			/* a second call for module 1 */
	lock_mod_insert(&m, &a);
	assert_int_equal(m.nr, 4);
	assert_int_equal(m.pages, 9);
	assert_int_equal(lock_mod_count(&m, 1), 3);
	assert_int_equal(lock_mod_count(&m, 2), 1);
	assert_int_equal(lock_mod_count(&m, 3), 0);
	assert_true(lock_mod_covers(&m, 0x101fff));
	assert_false(lock_mod_covers(&m, 0x102000));
	assert_true(lock_mod_covers(&m, 0x304000));
	assert_false(lock_mod_covers(&m, 0x305000));
	/* a release takes exactly one id's runs */
	assert_int_equal(lock_mod_remove(&m, 1, false), 3);
	assert_int_equal(m.nr, 1);
	assert_int_equal(m.pages, 5);
	assert_false(lock_mod_covers(&m, 0x100000));
	assert_false(lock_mod_covers(&m, 0x500000));
	assert_true(lock_mod_covers(&m, 0x300000));
	assert_int_equal(lock_mod_remove(&m, 1, false), 0);
	assert_int_equal(lock_mod_remove(&m, 0, true), 1);
	assert_int_equal(m.nr, 0);
	assert_int_equal(m.pages, 0);
}

/* Which errno refuses a module's load: a budget is -ENOSPC, any other refusal -EPERM. */
static void test_refusal(void **state)
{
	(void)state;
	assert_int_equal(lock_mod_refusal(-ENOSPC), -ENOSPC);	/* root's run table */
	assert_int_equal(lock_mod_refusal(-ENOMEM), -ENOSPC);	/* root's EPT tables */
	assert_int_equal(lock_mod_refusal(-E2BIG), -ENOSPC);	/* the glue's calls */
	assert_int_equal(lock_mod_refusal(-EFAULT), -EPERM);
	assert_int_equal(lock_mod_refusal(-EINVAL), -EPERM);
	assert_int_equal(lock_mod_refusal(-EEXIST), -EPERM);
	assert_int_equal(lock_mod_refusal(-EACCES), -EPERM);
	assert_int_equal(lock_mod_refusal(-ENOENT), -EPERM);
	assert_int_equal(lock_mod_refusal(-ENXIO), -EPERM);
}

/* ---- on the fake CPU ---- */

static int setup(void **state)
{
	struct lock_wx_args wa = {
		.magic = LOCK_WX_ARGS_MAGIC, .nr = 1, .range = { { TEXT_PA, TEXT_END } },
		.poke_pgd = POKE_PGD, .poke_addr = POKE_ADDR,
	};

	(void)state;
	fake_world_ept_ram(&caps, &ram, RAM_END);
	memset(&v, 0, sizeof(v));
	memset(&regs, 0, sizeof(regs));
	memset(watch_table, 0, sizeof(watch_table));
	if (!mem) {
		mem = mmap((void *)WX_ARGS_PA, MAPPED_END - WX_ARGS_PA, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		assert_ptr_equal(mem, (void *)WX_ARGS_PA);
	}
	memset(mem, 0x11, MAPPED_END - WX_ARGS_PA);
	*(struct lock_wx_args *)WX_ARGS_PA = wa;
	assert_int_equal(vmx_vcpu_alloc(&v, 0, &caps, 0x5000), 0);
	v.mtf = false;
	fake_cpu.current_vmcs = 0x1000;
	fake_world_guest_kernel(RIP);
	assert_int_equal(lock_wx_engage(&v, WX_ARGS_PA), 0);
	assert_true(v.wx.on);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vmx_vcpu_free(&v);
	assert_int_equal(os_alloc_count(), 0);
	return 0;
}

static unsigned int perm_of(u64 gpa)
{
	return fake_world_perm(&v, gpa);
}

static int do_exit(u32 reason, u64 qual)
{
	fake_vmcs_set(VM_EXIT_INSTRUCTION_LEN, 3);
	return fake_world_exit(&v, &regs, reason, qual);
}

static int write_violation(u64 gpa, u64 gla)
{
	fake_vmcs_set(VM_EXIT_INSTRUCTION_LEN, 3);
	return fake_world_violation(&v, &regs, gpa, EPT_VIOLATION_ACC_WRITE, gla);
}

static int single_step_trap(void)
{
	fake_vmcs_set(VM_EXIT_INSTRUCTION_LEN, 3);
	return fake_world_single_step(&v, &regs);
}

static struct watch_event next_event(void)
{
	return fake_world_next_event(&v);
}

static void drain(void)
{
	struct watch_event ev;

	while (watch_take(v.events, &ev))
		;
}

static int add(struct lock_mod_args a)
{
	*(struct lock_mod_args *)ARGS_PA = a;
	return lock_mod_hypercall(&v, ARGS_PA);
}

/* A module's runs: R+X, writes refused but text_poke()'s; released: RWX, tables back. */
static void test_add_write_release(void **state)
{
	unsigned int before = ept_pages_in_use(&v.ept);
	struct lock_mod_args a = args1(5, MOD_PA, 2);
	struct watch_event ev;

	(void)state;
	drain();
	a.nr = 2;
	a.run[1] = (struct lock_mod_arg_run){ MOD_PA + 0x3000, 1, 0 };
	assert_int_equal(add(a), 0);
	assert_int_equal(perm_of(MOD_PA), EPT_READ | EPT_EXEC);
	assert_int_equal(perm_of(MOD_PA + 0x1000), EPT_READ | EPT_EXEC);
	assert_int_equal(perm_of(MOD_PA + 0x2000), EPT_RWX);	/* a gap between runs */
	assert_int_equal(perm_of(MOD_PA + 0x3000), EPT_READ | EPT_EXEC);
	assert_int_equal(lock_page_perm(&v, MOD_PA + 0x3000), EPT_READ | EPT_EXEC);
	assert_int_equal(v.lock_mod_runs, 2);
	assert_int_equal(v.lock_mod_pages, 3);
	assert_int_equal(v.lock_mod_tables, 1);		/* one 2 MiB leaf split */
	assert_int_equal(ept_pages_in_use(&v.ept), before + 1);
	ev = next_event();
	assert_int_equal(ev.access, LOCK_EV_MOD_ADD);
	assert_int_equal(ev.gla, 5);
	assert_int_equal(ev.gpa, 3);
	assert_int_equal(ev.flags, WATCH_EV_ALLOWED);

	/* a write from anywhere but text_poke(): discarded, an event */
	mem[MOD_PA + 0x10 - WX_ARGS_PA] = 0x22;
	assert_int_equal(write_violation(MOD_PA + 0x10, 0xffffc90000001010ULL), 0);
	assert_int_equal(v.lock_wx_refused, 1);
	ev = next_event();
	assert_int_equal(ev.access, LOCK_EV_KTEXT);
	assert_int_equal(ev.gla, MOD_PA);
	assert_int_equal(ev.flags, WATCH_EV_REFUSED);
	assert_int_equal(single_step_trap(), 0);
	assert_int_equal(perm_of(MOD_PA), EPT_READ | EPT_EXEC);
	/* text_poke() patching the module (a jump label): let through for one step */
	fake_vmcs_set(GUEST_CR3, POKE_PGD | 1);
	assert_int_equal(write_violation(MOD_PA + 0x3008, POKE_ADDR + 8), 0);
	assert_int_equal(v.lock_wx_allowed, 1);
	assert_int_equal(perm_of(MOD_PA + 0x3000), EPT_RWX);
	assert_int_equal(single_step_trap(), 0);
	assert_int_equal(perm_of(MOD_PA + 0x3000), EPT_READ | EPT_EXEC);
	drain();

	/* released: every right back, the split merged, an (allowed) event */
	assert_int_equal(lock_mod_release(&v, 5), 0);
	assert_int_equal(perm_of(MOD_PA), EPT_RWX);
	assert_int_equal(perm_of(MOD_PA + 0x3000), EPT_RWX);
	assert_int_equal(lock_page_perm(&v, MOD_PA), EPT_RWX);
	assert_int_equal(v.lock_mod_runs, 0);
	assert_int_equal(v.lock_mod_pages, 0);
	assert_int_equal(v.lock_mod_tables, 0);
	assert_int_equal(v.lock_mod_released, 2);
	assert_int_equal(ept_pages_in_use(&v.ept), before);
	ev = next_event();
	assert_int_equal(ev.access, LOCK_EV_MOD_DEL);
	assert_int_equal(ev.gla, 5);
	assert_int_equal(ev.gpa, 3);
	assert_int_equal(ev.flags, WATCH_EV_ALLOWED);
	/* the core kernel's text holds throughout */
	assert_int_equal(perm_of(TEXT_PA), EPT_READ | EPT_EXEC);
	/* loaded again at the same pages: registered again */
	assert_int_equal(add(args1(6, MOD_PA, 1)), 0);
	assert_int_equal(perm_of(MOD_PA), EPT_READ | EPT_EXEC);
}

/* A release names a registered module: nothing else, never the core kernel's text. */
static void test_release_refusals(void **state)
{
	struct watch_event ev;

	(void)state;
	assert_int_equal(add(args1(5, MOD_PA, 1)), 0);
	assert_int_equal(add(args1(9, MOD_PA + 0x1000, 1)), 0);
	drain();
	assert_int_equal(lock_mod_release(&v, 4), -ENOENT);	/* never registered */
	assert_int_equal(lock_mod_release(&v, 0), -ENOENT);
	assert_int_equal(lock_mod_release(&v, 1ULL << 32 | 5), -ENOENT);
	assert_int_equal(v.lock_mod_refused, 3);
	ev = next_event();
	assert_int_equal(ev.access, LOCK_EV_MOD_DEL);
	assert_int_equal(ev.gla, 4);
	assert_int_equal(ev.gpa, (u64)-ENOENT);
	assert_int_equal(ev.flags, WATCH_EV_REFUSED);
	assert_int_equal(perm_of(MOD_PA), EPT_READ | EPT_EXEC);
	/* the core kernel's text cannot be registered, so it cannot be released */
	assert_int_equal(add(args1(10, TEXT_PA, 1)), -EINVAL);
	assert_int_equal(lock_mod_release(&v, 10), -ENOENT);
	/* one module's release leaves the other's */
	assert_int_equal(lock_mod_release(&v, 5), 0);
	assert_int_equal(perm_of(MOD_PA), EPT_RWX);
	assert_int_equal(perm_of(MOD_PA + 0x1000), EPT_READ | EPT_EXEC);
	/* every module run (a CPU coming back online): the core kernel's stay */
	assert_int_equal(lock_mod_release(&v, LOCK_MOD_ALL), 0);
	assert_int_equal(perm_of(MOD_PA + 0x1000), EPT_RWX);
	assert_int_equal(perm_of(TEXT_PA), EPT_READ | EPT_EXEC);
	assert_int_equal(perm_of(TEXT_END - 0x1000), EPT_READ | EPT_EXEC);
	assert_int_equal(v.lock_mod_runs, 0);
	/* with nothing registered, releasing every run is no change and no refusal */
	assert_int_equal(lock_mod_release(&v, LOCK_MOD_ALL), 0);
	assert_int_equal(v.lock_mod_refused, 5);	/* the 4 releases and the ADD */
}

/* Arguments root must not take: outside RAM, unaligned, in the hypervisor's pages. */
static void test_add_refusals(void **state)
{
	unsigned int level;
	u64 *leaf;

	(void)state;
	drain();
	assert_int_equal(lock_mod_hypercall(&v, ARGS_PA + 8), -EFAULT);
	assert_int_equal(lock_mod_hypercall(&v, 0xa0000), -EFAULT);	/* a hole */
	assert_int_equal(lock_mod_hypercall(&v, v.scratch_pa), -EFAULT);
	assert_int_equal(next_event().flags, WATCH_EV_REFUSED);
	assert_int_equal(add(args1(5, 0xa0000, 1)), -EFAULT);
	/* a page of the hypervisor's own (sealed: guest read-only) */
	assert_int_equal(ept_set_perm(&v.ept, MOD_PA + 0x2000, PAGE_SIZE, EPT_READ), 0);
	leaf = ept_leaf(&v.ept, MOD_PA + 0x2000, &level);
	*leaf |= EPT_SEALED;
	assert_int_equal(add(args1(5, MOD_PA + 0x1000, 2)), -EACCES);
	assert_int_equal(perm_of(MOD_PA + 0x1000), EPT_RWX);
	/* ...and as the arguments' page */
	assert_int_equal(ept_set_perm(&v.ept, ARGS_PA, PAGE_SIZE, EPT_READ), 0);
	leaf = ept_leaf(&v.ept, ARGS_PA, &level);
	*leaf |= EPT_SEALED;
	assert_int_equal(lock_mod_hypercall(&v, ARGS_PA), -EFAULT);
	*leaf = (*leaf & ~EPT_SEALED) | EPT_RWX;
	assert_int_equal(v.lock_mod_refused, 6);
	assert_int_equal(v.lock_mod_runs, 0);
	/* the guest's copy changing afterwards changes nothing: root keeps its own */
	assert_int_equal(add(args1(5, MOD_PA, 1)), 0);
	((struct lock_mod_args *)ARGS_PA)->run[0].start = TEXT_PA;
	assert_int_equal(v.mods.run[0].start, MOD_PA);
	assert_int_equal(lock_mod_release(&v, 5), 0);
	assert_int_equal(perm_of(TEXT_PA), EPT_READ | EPT_EXEC);
}

/* The runs take at most LOCK_MOD_EPT_TABLES table pages; beyond, an ADD is undone. */
static void test_ept_budget(void **state)
{
	unsigned int i, used;

	(void)state;
	assert_true(ept_pool_free(&v.ept) >= LOCK_MOD_EPT_TABLES);
	for (i = 0; i < LOCK_MOD_EPT_TABLES; i++)
		assert_int_equal(add(args1(i + 1, FAR_PA + i * M2, 1)), 0);
	assert_int_equal(v.lock_mod_tables, LOCK_MOD_EPT_TABLES);
	used = ept_pages_in_use(&v.ept);
	/* one more 2 MiB block: refused, nothing left of it */
	assert_int_equal(add(args1(100, FAR_PA + i * M2, 1)), -ENOMEM);
	assert_int_equal(ept_pages_in_use(&v.ept), used);
	assert_int_equal(perm_of(FAR_PA + i * M2), EPT_RWX);
	assert_int_equal(lock_mod_count(&v.mods, 100), 0);
	/* a page in a block already split costs nothing: taken */
	assert_int_equal(add(args1(101, FAR_PA + 0x5000, 1)), 0);
	assert_int_equal(ept_pages_in_use(&v.ept), used);
	/* releasing gives the tables back */
	assert_int_equal(lock_mod_release(&v, LOCK_MOD_ALL), 0);
	assert_int_equal(v.lock_mod_tables, 0);
	assert_int_equal(ept_pages_in_use(&v.ept), used - LOCK_MOD_EPT_TABLES);
}

/*
 * The glue's two steps for one module (linux/lock_mod.c): text and rodata at COMING,
 * then its ro_after_init data at LIVE, a second ADD under the same id.  A refused
 * second ADD leaves the first one's runs held; one release drops both.
 */
static void test_live_adds_under_one_id(void **state)
{
	struct lock_mod_args a = args1(7, FAR_PA, 1);
	unsigned int i;

	(void)state;
	/* COMING: text and rodata, one page in each of LOCK_MOD_EPT_TABLES 2 MiB blocks */
	a.nr = LOCK_MOD_EPT_TABLES;
	for (i = 0; i < LOCK_MOD_EPT_TABLES; i++)
		a.run[i] = (struct lock_mod_arg_run){ FAR_PA + i * M2, 1, 0 };
	assert_int_equal(add(a), 0);
	assert_int_equal(lock_mod_count(&v.mods, 7), LOCK_MOD_EPT_TABLES);
	/* LIVE: ro_after_init in a block already split: taken under the same id */
	assert_int_equal(add(args1(7, FAR_PA + 0x1000, 1)), 0);
	assert_int_equal(lock_mod_count(&v.mods, 7), LOCK_MOD_EPT_TABLES + 1);
	assert_int_equal(perm_of(FAR_PA + 0x1000), EPT_READ | EPT_EXEC);
	/* ...but not over its own text (a run once) */
	assert_int_equal(add(args1(7, FAR_PA, 1)), -EEXIST);
	/* a LIVE ADD beyond the budget: refused (the glue warns), COMING's runs stay */
	assert_int_equal(add(args1(7, FAR_PA + LOCK_MOD_EPT_TABLES * M2, 1)), -ENOMEM);
	assert_int_equal(lock_mod_refusal(-ENOMEM), -ENOSPC);
	assert_int_equal(perm_of(FAR_PA + LOCK_MOD_EPT_TABLES * M2), EPT_RWX);
	assert_int_equal(lock_mod_count(&v.mods, 7), LOCK_MOD_EPT_TABLES + 1);
	assert_int_equal(perm_of(FAR_PA), EPT_READ | EPT_EXEC);
	assert_int_equal(perm_of(FAR_PA + 0x1000), EPT_READ | EPT_EXEC);
	/* GOING (after an init that failed, or an unload): one release drops both steps */
	assert_int_equal(lock_mod_release(&v, 7), 0);
	assert_int_equal(v.lock_mod_runs, 0);
	assert_int_equal(v.lock_mod_tables, 0);
	assert_int_equal(perm_of(FAR_PA), EPT_RWX);
	assert_int_equal(perm_of(FAR_PA + 0x1000), EPT_RWX);
	assert_int_equal(lock_mod_release(&v, 7), -ENOENT);
}

/* A watch inside a module's run keeps what it takes, before and after the release. */
static void test_watch_inside(void **state)
{
	(void)state;
	watch_table[0] = (struct watch){ .gpa = MOD_PA + 0x1000, .access = WATCH_X,
					 .kind = WATCH_KIND_WATCH, .ram = true };
	assert_int_equal(watch_sync(&v), 0);
	assert_int_equal(perm_of(MOD_PA + 0x1000), EPT_READ | EPT_WRITE);
	assert_int_equal(add(args1(5, MOD_PA, 2)), 0);
	assert_int_equal(perm_of(MOD_PA + 0x1000), EPT_READ);
	assert_int_equal(perm_of(MOD_PA), EPT_READ | EPT_EXEC);
	assert_int_equal(lock_mod_release(&v, 5), 0);
	assert_int_equal(perm_of(MOD_PA + 0x1000), EPT_READ | EPT_WRITE);
	assert_int_equal(perm_of(MOD_PA), EPT_RWX);
}

/* The two hypercalls are policy hypercalls: refused from outside subzero's text. */
static void test_policy_hypercalls(void **state)
{
	(void)state;
	assert_int_equal(add(args1(5, MOD_PA, 1)), 0);
	fake_vmcs_set(GUEST_RIP, 0xffffffffc0001000ULL);	/* not subzero's */
	regs.gpr[REG_RAX] = SUBZERO_HC_LOCK_MOD_RELEASE;
	regs.gpr[REG_RCX] = SUBZERO_VMCALL_KEY;
	regs.gpr[REG_RDX] = 5;
	assert_int_equal(do_exit(EXIT_REASON_VMCALL, 0), 0);
	assert_int_equal(regs.gpr[REG_RAX], (u64)-EPERM);
	assert_int_equal(perm_of(MOD_PA), EPT_READ | EPT_EXEC);
	regs.gpr[REG_RAX] = SUBZERO_HC_LOCK_MOD;
	regs.gpr[REG_RDX] = ARGS_PA;
	*(struct lock_mod_args *)ARGS_PA = args1(6, MOD_PA + 0x1000, 1);
	assert_int_equal(do_exit(EXIT_REASON_VMCALL, 0), 0);
	assert_int_equal(regs.gpr[REG_RAX], (u64)-EPERM);
	assert_int_equal(perm_of(MOD_PA + 0x1000), EPT_RWX);
	assert_int_equal(v.lock_mod_runs, 1);
	/* restricting kernel-mode execution is one too (a tightening, still policy) */
	regs.gpr[REG_RAX] = SUBZERO_HC_LOCK_KEXEC;
	regs.gpr[REG_RDX] = 0;
	assert_int_equal(do_exit(EXIT_REASON_VMCALL, 0), 0);
	assert_int_equal(regs.gpr[REG_RAX], (u64)-EPERM);
	assert_false(v.lock_kexec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_add),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_refusal),
		cmocka_unit_test_setup_teardown(test_add_write_release, setup, teardown),
		cmocka_unit_test_setup_teardown(test_release_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_add_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ept_budget, setup, teardown),
		cmocka_unit_test_setup_teardown(test_live_adds_under_one_id, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watch_inside, setup, teardown),
		cmocka_unit_test_setup_teardown(test_policy_hypercalls, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
