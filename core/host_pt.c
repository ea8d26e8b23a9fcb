// SPDX-License-Identifier: GPL-2.0
/*
 * Root's own address space (vmx.h, struct host_pt): 4-level page tables built at
 * allocation, in hidden pages, mapping only what root touches.  Built once, never
 * changed while the CPU runs as a guest.  Not root-safe.
 */
#include "vmx.h"
#include "errors.h"
#include "lib.h"
#include "os.h"
#include "arch/x86.h"

#define PT_P		BIT_ULL(0)
#define PT_RW		BIT_ULL(1)
#define PT_PS		BIT_ULL(7)
#define PT_NX		BIT_ULL(63)
#define PT_ADDR		0x000ffffffffff000ULL
#define PT_TABLE	(PT_P | PT_RW)	/* non-leaf: the leaves decide */
#define SZ_2M		(1ULL << 21)

static unsigned int pt_index(u64 va, unsigned int level)
{
	return (va >> (12 + 9 * (level - 1))) & 511;
}

/* The table below entry @i of @table, allocated if absent; NULL without memory. */
static u64 *pt_child(struct host_pt *p, u64 *table, unsigned int i)
{
	unsigned int k;
	u64 pa;

	if (table[i] & PT_P) {
		pa = table[i] & PT_ADDR;
		for (k = 0; k < p->nr; k++)
			if (p->pa[k] == pa)
				return p->va[k];
		return NULL;		/* a large leaf, never under our own mappings */
	}
	if (p->nr == HOST_PT_MAX)
		return NULL;
	p->va[p->nr] = os_alloc_pages(0, &pa);
	if (!p->va[p->nr])
		return NULL;
	p->pa[p->nr++] = pa;
	table[i] = pa | PT_TABLE;
	return p->va[p->nr - 1];
}

/* Map @va to @pa: a 4 KiB page, or (@large) a 2 MiB one; @flags beyond P. */
static int pt_map(struct host_pt *p, u64 va, u64 pa, u64 flags, bool large)
{
	u64 *t = p->pml4;
	unsigned int level;

	for (level = 4; level > (large ? 2U : 1U); level--) {
		t = pt_child(p, t, pt_index(va, level));
		if (!t)
			return -ENOMEM;
	}
	t[pt_index(va, level)] = pa | PT_P | flags | (large ? PT_PS : 0);
	return 0;
}

int vmx_host_pt_build(struct vcpu *v)
{
	struct host_pt *p = &v->host_pt;
	const struct seal_text *t = &v->text;
	unsigned int i, r;
	u64 a, end, va;
	int ret = 0;

	/* two pages: one of them has bit 12 clear (the lower one, if 8 KiB aligned) */
	p->pair = os_alloc_pages(1, &p->pair_pa);
	if (!p->pair)
		return -ENOMEM;
	i = (p->pair_pa & PAGE_SIZE) ? 1 : 0;
	p->pml4 = (u64 *)((u8 *)p->pair + i * PAGE_SIZE);
	p->pml4_pa = p->pair_pa + (u64)i * PAGE_SIZE;
	for (i = 0; i < t->nr && i < SEAL_TEXT_PAGES && !ret; i++) {
		va = seal_text_va(t, i);
		ret = pt_map(p, va, t->pa[i], i < seal_text_code_pages(t) ? 0 : PT_NX, false);
	}
	for (i = 0; i < t->data_nr && i < SEAL_DATA_PAGES && !ret; i++)
		ret = pt_map(p, t->data_start + (u64)i * PAGE_SIZE, t->data_pa[i],
			     PT_RW | PT_NX, false);
	for (r = 0; r < v->ram.nr && r < RAM_MAP_MAX && !ret; r++) {
		end = v->ram.range[r].end;
		for (a = v->ram.range[r].start; a < end && !ret;) {
			if (!(a & (SZ_2M - 1)) && a + SZ_2M <= end) {
				ret = pt_map(p, v->direct_map + a, a, PT_RW | PT_NX, true);
				a += SZ_2M;
			} else {
				ret = pt_map(p, v->direct_map + a, a, PT_RW | PT_NX, false);
				a += PAGE_SIZE;
			}
		}
	}
	if (ret)
		vmx_host_pt_free(v);
	return ret;
}

void vmx_host_pt_free(struct vcpu *v)
{
	struct host_pt *p = &v->host_pt;
	unsigned int i;

	for (i = 0; i < p->nr; i++)
		os_free_pages(p->va[i], 0);
	if (p->pair)
		os_free_pages(p->pair, 1);
	p->pair = NULL;
	p->pml4 = NULL;
	p->pair_pa = p->pml4_pa = 0;
	p->nr = 0;
}
