// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for core/private.c: which pages are the hypervisor's own, hiding them in
 * every CPU's EPT, and refusing watches on them, on the fake CPU.  The vcpus' pages
 * come from an arena mapped low in this process, so that their fake "physical"
 * addresses (which are virtual) lie inside the EPT's map.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "private.h"
#include "vmx.h"
#include "ept.h"
#include "mtrr.h"
#include "errors.h"
#include "os.h"
#include "arch/x86.h"
#include "fake_cpu.h"
#include "fake_os.h"
#include "fake_world.h"
#include "watch.h"

#define OTHER_PAGE	0x200000ULL	/* nobody's */
#define NR		3		/* CPU 1 is not possible: NULL */

static struct vmx_caps caps;
static struct vcpu vc[NR];
static struct ram_map ram;
static struct vcpu *vcpus[NR];
static u8 *bitmap;
static u64 bitmap_pa;

static void alloc_all(void)
{
	unsigned int i;

	memset(vc, 0, sizeof(vc));
	for (i = 0; i < NR; i++) {
		vcpus[i] = i == 1 ? NULL : &vc[i];
		if (vcpus[i])
			assert_int_equal(vmx_vcpu_alloc(vcpus[i], i, &caps, bitmap_pa), 0);
	}
}

static int setup(void **state)
{
	(void)state;
	fake_world_cpu(&caps);
	bitmap = os_alloc_pages(0, &bitmap_pa);
	assert_non_null(bitmap);
	vmx_msr_bitmap_init(bitmap, bitmap_pa);
	return 0;
}

static int teardown(void **state)
{
	unsigned int i;

	(void)state;
	for (i = 0; i < NR; i++)
		if (vcpus[i])
			vmx_vcpu_free(vcpus[i]);
	os_free_pages(bitmap, 0);
	assert_int_equal(os_alloc_count(), 0);
	fake_os_page_arena(NULL, 0);
	return 0;
}

/* Runs first, before any test turns EPT on (vmx_ept_setup() cannot be undone). */
static void test_without_ept(void **state)
{
	(void)state;
	assert_false(vmx_ept_enabled());
	alloc_all();
	assert_null(vc[0].ept.pml4);
	assert_int_equal(vmx_hide_private(vcpus, NR), 0);	/* nothing to hide in */
	assert_int_equal(vmx_watch_check(vcpus, NR, OTHER_PAGE, true), -EOPNOTSUPP);
	assert_int_equal(vmx_watch_check(vcpus, NR, OTHER_PAGE, false), -EOPNOTSUPP);
	/* which pages are private does not depend on EPT */
	assert_true(vmx_is_private(vcpus, NR, vc[2].vmcs_pa));
}

static void ept_on(void)
{
	struct mtrr_state m;

	assert_int_equal(mtrr_read(&m), 0);
	vmx_ept_setup(&m, 1ULL << 39);
	assert_true(vmx_ept_enabled());
	memset(&ram, 0, sizeof(ram));
	assert_int_equal(ram_map_add(&ram, 0, 1ULL << 32), 0);
	vmx_ram_map_setup(&ram);
	alloc_all();
	assert_non_null(vc[0].ept.pml4);
}

/* A protect of @pa, applied by vc[0]'s root: its error (the table is left empty). */
static int watch_sync_refuses(u64 pa)
{
	int ret;

	memset(watch_table, 0, sizeof(watch_table));
	assert_int_equal(watch_add(pa, WATCH_W, WATCH_KIND_PROTECT, true), 0);
	ret = watch_sync(&vc[0]);
	memset(watch_table, 0, sizeof(watch_table));
	assert_int_equal(watch_sync(&vc[0]), 0);
	return ret;
}

struct expect {
	unsigned int n;
};

static void count_one(u64 pa, void *arg)
{
	struct expect *e = arg;

	assert_true(vmx_is_private(vcpus, NR, pa));
	e->n++;
}

/* Every page of every vcpu and both shared pages are private; nothing else is. */
static void test_which_pages(void **state)
{
	struct expect e = { 0 };
	unsigned int i;

	(void)state;
	ept_on();
	for (i = 0; i < NR; i++)
		if (vcpus[i])
			vmx_private_pages(vcpus[i], count_one, &e);
	/* VMXON, VMCS, 4 stack pages, scratch, the protect copies, the EPT pool and its
	 * bookkeeping, the host page tables (a 2-page top and the tables below): of two
	 * vcpus (these are not from vmx_vcpu_new(): their struct is not listed) */
	assert_int_equal(e.n, 2 * (7 + WATCH_STEP_PAGES + ept_pool_size(&vc[0].ept) +
				   ept_meta_pages(&vc[0].ept) + 2 + vc[0].host_pt.nr));
	assert_true(vc[0].host_pt.nr >= 3);	/* the module's text: PDPT, PD, PT */
	assert_true(vmx_is_private(vcpus, NR, vc[2].host_pt.pml4_pa));
	assert_true(vmx_is_private(vcpus, NR, vc[2].host_pt.pa[vc[2].host_pt.nr - 1]));
	assert_true(vmx_is_private(vcpus, NR, ept_meta_pa(&vc[2].ept, 0)));
	assert_true(vmx_is_private(vcpus, NR, vc[2].copies_pa + 3 * PAGE_SIZE));
	assert_true(vmx_is_private(vcpus, NR, vc[0].vmxon_pa));
	assert_true(vmx_is_private(vcpus, NR, vc[2].host_stack_pa + 3 * PAGE_SIZE));
	assert_true(vmx_is_private(vcpus, NR, vc[2].scratch_pa));
	assert_true(vmx_is_private(vcpus, NR, ept_pool_pa(&vc[2].ept, 0)));
	assert_true(vmx_is_private(vcpus, NR, bitmap_pa));
	assert_true(vmx_is_private(vcpus, NR, vc[0].vmcs_pa + 0x10));	/* within the page */
	assert_false(vmx_is_private(vcpus, NR, OTHER_PAGE));
	assert_false(vmx_is_private(vcpus, NR, vc[2].host_stack_pa + 4 * PAGE_SIZE + 0x100000));
	/* a vcpu left out of the array is not asked */
	assert_false(vmx_is_private(vcpus, 1, vc[2].vmcs_pa));
}

struct hidden_ctx {
	struct vcpu *in;
	unsigned int n;
};

static void check_hidden(u64 pa, void *arg)
{
	struct hidden_ctx *c = arg;
	unsigned int level;
	u64 *leaf = ept_leaf(&c->in->ept, pa, &level);

	assert_non_null(leaf);
	assert_int_equal(level, EPT_LEVEL_4K);
	assert_int_equal(*leaf & EPT_ADDR_MASK, c->in->scratch_pa);
	assert_int_equal(*leaf & EPT_RWX, EPT_READ | EPT_WRITE);
	c->n++;
}

/* In each vcpu's EPT every private page, its own and the others', goes to its scratch. */
static void test_hide_everything_everywhere(void **state)
{
	unsigned int i, j, level;
	u64 *leaf;

	(void)state;
	ept_on();
	assert_int_equal(vmx_hide_private(vcpus, NR), 0);
	for (i = 0; i < NR; i++) {
		struct hidden_ctx c = { vcpus[i], 0 };

		if (!vcpus[i])
			continue;
		for (j = 0; j < NR; j++)
			if (vcpus[j])
				vmx_private_pages(vcpus[j], check_hidden, &c);
		check_hidden(bitmap_pa, &c);
		assert_true(c.n > 2 * 7);
		/* an ordinary page keeps its identity mapping */
		leaf = ept_leaf(&vcpus[i]->ept, OTHER_PAGE, &level);
		assert_int_equal(*leaf & EPT_ADDR_MASK & ~((1ULL << 30) - 1), 0);
		assert_int_equal(*leaf & EPT_RWX, EPT_RWX);
	}
}

/*
 * The pools are sized from the pages to hide (ept_hide_cost()), not a constant: each
 * grows by what hiding takes from it, and after hiding every EPT still has the whole
 * watch reserve.  (With a fixed spare the hiding ate into the reserve.)
 */
static void test_hide_sizes_pools(void **state)
{
	unsigned int i, pool[NR] = { 0 };

	(void)state;
	ept_on();
	for (i = 0; i < NR; i++) {
		if (!vcpus[i])
			continue;
		assert_int_equal(ept_pool_free(&vcpus[i]->ept), VMX_EPT_WATCH_RESERVE);
		pool[i] = ept_pool_size(&vcpus[i]->ept);
	}
	assert_int_equal(vmx_hide_private(vcpus, NR), 0);
	for (i = 0; i < NR; i++) {
		if (!vcpus[i])
			continue;
		assert_true(ept_pool_size(&vcpus[i]->ept) > pool[i]);
		assert_true(ept_pool_free(&vcpus[i]->ept) >= VMX_EPT_WATCH_RESERVE);
	}
}

/* Hiding fails when a page lies beyond the map; the error comes back. */
static void test_hide_error_returned(void **state)
{
	(void)state;
	ept_on();
	vc[2].vmcs_pa = 1ULL << 40;		/* beyond the 2^39 map */
	assert_int_not_equal(vmx_hide_private(vcpus, NR), 0);
	vc[2].vmcs_pa = (u64)vc[2].vmcs;
}

/* Watches: page aligned, inside the map, and never on the hypervisor's own pages. */
static void test_watch_check(void **state)
{
	(void)state;
	ept_on();
	assert_int_equal(vmx_watch_check(vcpus, NR, OTHER_PAGE, true), 0);
	assert_int_equal(vmx_watch_check(vcpus, NR, OTHER_PAGE + 8, true), -EINVAL);
	assert_int_equal(vmx_watch_check(vcpus, NR, 1ULL << 39, true), -EINVAL);
	assert_int_equal(vmx_watch_check(vcpus, NR, (1ULL << 39) - PAGE_SIZE, true), 0);
	/*
	 * The hypervisor's own pages: the non-root check cannot tell (a launched vcpu's
	 * state is hidden from it); root refuses them when it applies the table.
	 */
	assert_int_equal(vmx_watch_check(vcpus, NR, vc[0].vmcs_pa, true), 0);
	assert_int_equal(vmx_hide_private(vcpus, NR), 0);
	assert_int_equal(watch_sync_refuses(vc[0].vmcs_pa), -EACCES);
	assert_int_equal(watch_sync_refuses(bitmap_pa), -EACCES);
	assert_int_equal(watch_sync_refuses(ept_pool_pa(&vc[2].ept, 1)), -EACCES);
	assert_int_equal(watch_sync_refuses(ept_meta_pa(&vc[2].ept, 0)), -EACCES);
	assert_int_equal(watch_sync_refuses(vc[0].scratch_pa), -EACCES);	/* its own */
	assert_int_equal(watch_sync_refuses(vc[2].scratch_pa), -EACCES);
	assert_int_equal(watch_sync_refuses(OTHER_PAGE), 0);
	/* removing is not refused: there is nothing to remove, which watch_del says */
	assert_int_equal(vmx_watch_check(vcpus, NR, vc[0].vmcs_pa, false), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_without_ept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_which_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hide_everything_everywhere, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hide_sizes_pools, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hide_error_returned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watch_check, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
