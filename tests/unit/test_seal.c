// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for core/seal.c: the hypervisor's memory by class.  Every page of a vcpu
 * is in exactly one class; after vmx_hide_private() the hidden ones map to the scratch
 * page in every vcpu's EPT, the read-only ones are read-only (and sealed), the
 * read-write ones keep their identity mapping; a guest write to a read-only page is
 * discarded.  The pages come from an arena mapped low in this process, so that their
 * fake "physical" addresses lie inside the EPT's map.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "seal.h"
#include "private.h"
#include "vmx.h"
#include "ept.h"
#include "exit.h"
#include "mtrr.h"
#include "watch.h"
#include "errors.h"
#include "os.h"
#include "arch/x86.h"
#include "fake_cpu.h"
#include "fake_os.h"
#include "fake_world.h"

#define NR		2

static struct vmx_caps caps;
static struct vcpu *vcpus[NR];

/* The module's text: two pages at TEXT_VA, and guest page tables mapping them. */
#define TEXT_VA		0xffffffffc0200000ULL
static u8 *text[2], *other;
static u64 text_pa[2], other_pa;
static u64 *pt[4];		/* PML4, PDPT, PD, PT */
static u64 pt_pa[4];

static void *page(u64 *pa)
{
	void *p = os_alloc_pages(0, pa);

	assert_non_null(p);
	return p;
}

/* Guest page tables: TEXT_VA and the next page to text[0], text[1] (4 KiB pages). */
static void map_text(void)
{
	unsigned int i;

	for (i = 0; i < 4; i++)
		pt[i] = page(&pt_pa[i]);
	pt[0][(TEXT_VA >> 39) & 511] = pt_pa[1] | 3;
	pt[1][(TEXT_VA >> 30) & 511] = pt_pa[2] | 3;
	pt[2][(TEXT_VA >> 21) & 511] = pt_pa[3] | 3;
	pt[3][(TEXT_VA >> 12) & 511] = text_pa[0] | 1;
	pt[3][((TEXT_VA >> 12) + 1) & 511] = text_pa[1] | 1;
}

static int setup(void **state)
{
	unsigned int i;

	(void)state;
	fake_world_ept(&caps);
	text[0] = page(&text_pa[0]);
	text[1] = page(&text_pa[1]);
	other = page(&other_pa);
	map_text();
	{
		struct seal_text t = { .text_start = TEXT_VA, .text_end = TEXT_VA + 0x1800,
				       .ro_end = TEXT_VA + 0x2000, .nr = 2,
				       .pa = { text_pa[0], text_pa[1] } };

		assert_int_equal(vmx_text_setup(&t), 0);
		t.nr = 3;				/* does not match the range */
		assert_int_equal(vmx_text_setup(&t), -EINVAL);
	}
	for (i = 0; i < NR; i++) {
		vcpus[i] = vmx_vcpu_new();
		assert_non_null(vcpus[i]);
		assert_int_equal(vmx_vcpu_alloc(vcpus[i], i, &caps, 0), 0);
	}
	return 0;
}

static int teardown(void **state)
{
	unsigned int i;

	(void)state;
	for (i = 0; i < NR; i++) {
		vmx_vcpu_free(vcpus[i]);
		vmx_vcpu_delete(vcpus[i]);
	}
	for (i = 0; i < 4; i++)
		os_free_pages(pt[i], 0);
	os_free_pages(text[0], 0);
	os_free_pages(text[1], 0);
	os_free_pages(other, 0);
	assert_int_equal(os_alloc_count(), 0);
	fake_os_page_arena(NULL, 0);
	return 0;
}

/* Every page listed once, in one class; the struct's pages are all listed. */
#define MAX_PAGES	512

struct seen {
	u64 pa[MAX_PAGES];
	enum mem_class cls[MAX_PAGES];
	unsigned int n;
};

static void note(u64 pa, enum mem_class cls, const char *name, void *arg)
{
	struct seen *s = arg;
	unsigned int i;

	assert_non_null(name);
	assert_true(cls < MEM_CLASSES);
	assert_int_equal(pa & (PAGE_SIZE - 1), 0);
	for (i = 0; i < s->n; i++)
		assert_int_not_equal(s->pa[i], pa);	/* in exactly one class */
	assert_true(s->n < MAX_PAGES);
	s->pa[s->n] = pa;
	s->cls[s->n++] = cls;
}

static enum mem_class class_of(struct seen *s, u64 pa)
{
	unsigned int i;

	for (i = 0; i < s->n; i++)
		if (s->pa[i] == (pa & ~(u64)(PAGE_SIZE - 1)))
			return s->cls[i];
	fail_msg("page %llx not classified", (unsigned long long)pa);
	return MEM_CLASSES;
}

static void test_every_page_one_class(void **state)
{
	static struct seen s;
	struct vcpu *v = vcpus[0];
	u64 self = v->self_pa;
	unsigned int pages[MEM_CLASSES];
	size_t off;

	(void)state;
	memset(&s, 0, sizeof(s));
	seal_vcpu_pages(v, note, &s);
	/* the whole allocation of the struct is classified */
	for (off = 0; off < (size_t)PAGE_SIZE << v->self_order; off += PAGE_SIZE)
		class_of(&s, self + off);
	/* root's state hidden; what non-root reads read-only; consumer indices writable */
	assert_int_equal(class_of(&s, self + offsetof(struct vcpu, scratch_pa)), MEM_HIDDEN);
	assert_int_equal(class_of(&s, self + offsetof(struct vcpu, ept)), MEM_HIDDEN);
	assert_int_equal(class_of(&s, self + offsetof(struct vcpu, step)), MEM_HIDDEN);
	assert_int_equal(class_of(&s, self + offsetof(struct vcpu, procbased)), MEM_HIDDEN);
	assert_int_equal(class_of(&s, self + offsetof(struct vcpu, nmi_pending)), MEM_HIDDEN);
	assert_int_equal(class_of(&s, self + offsetof(struct vcpu, applied)), MEM_HIDDEN);
	assert_int_equal(class_of(&s, self + offsetof(struct vcpu, wanted)), MEM_HIDDEN);
	assert_int_equal(class_of(&s, self + offsetof(struct vcpu, caps_copy)), MEM_HIDDEN);
	assert_int_equal(class_of(&s, self + offsetof(struct vcpu, spec)), MEM_HIDDEN);
	/* root's own GDT, TSS, IDT and IST stacks, every page of them */
	for (off = 0; off < sizeof(v->host); off += PAGE_SIZE)
		assert_int_equal(class_of(&s, self + offsetof(struct vcpu, host) + off),
				 MEM_HIDDEN);
	assert_int_equal(class_of(&s, self + offsetof(struct vcpu, host.tss)), MEM_HIDDEN);
	assert_int_equal(class_of(&s, self + offsetof(struct vcpu, copies_pa)), MEM_HIDDEN);
	assert_int_equal(class_of(&s, v->copies_pa + 3 * PAGE_SIZE), MEM_HIDDEN);
	assert_int_equal(class_of(&s, self + offsetof(struct vcpu, exits)), MEM_GUEST_RO);
	assert_int_equal(class_of(&s, self + offsetof(struct vcpu, events)), MEM_GUEST_RO);
	assert_int_equal(class_of(&s, self + offsetof(struct vcpu, log.head)), MEM_GUEST_RO);
	assert_int_equal(class_of(&s, self + offsetof(struct vcpu, log.lines[LOG_LINES - 1])),
			 MEM_GUEST_RO);
	assert_int_equal(class_of(&s, self + offsetof(struct vcpu, events_ring.head)),
			 MEM_GUEST_RO);
	assert_int_equal(class_of(&s, self + offsetof(struct vcpu, log.tail)), MEM_GUEST_RW);
	assert_int_equal(class_of(&s, self + offsetof(struct vcpu, events_ring.tail)),
			 MEM_GUEST_RW);
	assert_int_equal(class_of(&s, self + offsetof(struct vcpu, launched)), MEM_GUEST_RW);
	assert_int_equal(class_of(&s, v->vmcs_pa), MEM_HIDDEN);
	assert_int_equal(class_of(&s, v->scratch_pa), MEM_HIDDEN);
	assert_int_equal(class_of(&s, ept_pool_pa(&v->ept, 0)), MEM_HIDDEN);
	assert_int_equal(class_of(&s, ept_meta_pa(&v->ept, 0)), MEM_HIDDEN);
	/* root follows no pointer the guest can write: v->events is read-only */
	assert_ptr_equal(v->events, &v->events_ring);
	/* the counts add up */
	seal_count(v, pages);
	assert_int_equal(pages[MEM_HIDDEN] + pages[MEM_GUEST_RO] + pages[MEM_GUEST_RW], s.n);
	assert_int_equal(pages[MEM_GUEST_RW], 3);
	print_message("vcpu pages: %u hidden, %u guest read-only, %u guest read-write\n",
		      pages[MEM_HIDDEN], pages[MEM_GUEST_RO], pages[MEM_GUEST_RW]);
}

struct check_ctx {
	struct vcpu *in;
	unsigned int n[MEM_CLASSES];
};

static void check_ept(u64 pa, enum mem_class cls, const char *name, void *arg)
{
	struct check_ctx *c = arg;
	unsigned int level;
	u64 *leaf = ept_leaf(&c->in->ept, pa, &level);

	(void)name;
	assert_non_null(leaf);
	if (cls == MEM_HIDDEN) {
		assert_int_equal(level, EPT_LEVEL_4K);
		assert_int_equal(*leaf & EPT_ADDR_MASK, c->in->scratch_pa);
	} else if (cls == MEM_GUEST_RO) {
		assert_int_equal(level, EPT_LEVEL_4K);
		assert_int_equal(*leaf & EPT_ADDR_MASK, pa);
		assert_int_equal(*leaf & EPT_RWX, EPT_READ);
		assert_true(*leaf & EPT_SEALED);
	} else {
		assert_int_equal(*leaf & EPT_ADDR_MASK, pa & ~(ept_level_size(level) - 1));
		assert_int_equal(*leaf & EPT_RWX, EPT_RWX);
		assert_false(*leaf & EPT_SEALED);
	}
	c->n[cls]++;
}

/* In each vcpu's EPT, every vcpu's pages get their class's access. */
static void test_classes_in_every_ept(void **state)
{
	unsigned int i, j;

	(void)state;
	assert_int_equal(vmx_hide_private(vcpus, NR), 0);
	for (i = 0; i < NR; i++) {
		struct check_ctx c = { vcpus[i], { 0 } };

		for (j = 0; j < NR; j++)
			seal_vcpu_pages(vcpus[j], check_ept, &c);
		assert_true(c.n[MEM_HIDDEN] > 0 && c.n[MEM_GUEST_RO] > 0 && c.n[MEM_GUEST_RW] > 0);
		/* what the non-root half shows is what root published */
		assert_int_equal(vcpus[i]->ept_pages_used, ept_pages_in_use(&vcpus[i]->ept));
	}
}

/* A guest write to a read-only page of the hypervisor: discarded and counted. */
static void test_sealed_write_discarded(void **state)
{
	struct vcpu *v = vcpus[0];
	u64 page = (v->self_pa + offsetof(struct vcpu, exits)) & ~(u64)(PAGE_SIZE - 1);
	struct guest_regs regs = { { 0 } };
	struct watch_event ev;
	unsigned int level;

	(void)state;
	assert_int_equal(vmx_hide_private(vcpus, NR), 0);
	v->mtf = false;
	fake_cpu.current_vmcs = 0x1000;
	fake_vmcs_set(GUEST_RIP, 0xffffffff81000000ULL);
	fake_vmcs_set(GUEST_RFLAGS, 0x202);
	fake_vmcs_set(GUEST_INTERRUPTIBILITY_INFO, 0);
	fake_vmcs_set(IDT_VECTORING_INFO_FIELD, 0);
	fake_vmcs_set(GUEST_PHYSICAL_ADDRESS, page + 8);
	fake_vmcs_set(EXIT_QUALIFICATION, EPT_VIOLATION_ACC_WRITE | EPT_VIOLATION_READABLE);
	assert_int_equal(handle_ept_violation(v, &regs), 0);
	assert_int_equal(v->sealed_writes, 1);
	/* the write goes to a protect copy, for one step */
	assert_int_equal(*ept_leaf(&v->ept, page, &level) & EPT_ADDR_MASK, v->copies_pa);
	assert_false(watch_take(v->events, &ev));		/* not an event */
	fake_vmcs_set(VM_EXIT_INTR_INFO, X86_VEC_DB | INTR_INFO_VALID |
		      (INTR_TYPE_HARD_EXCEPTION << INTR_INFO_TYPE_SHIFT));
	fake_vmcs_set(EXIT_QUALIFICATION, DR6_BS);
	assert_int_equal(watch_step_exception(v, &regs), 0);
	assert_int_equal(*ept_leaf(&v->ept, page, &level) & (EPT_ADDR_MASK | EPT_RWX | EPT_SEALED),
			 page | EPT_READ | EPT_SEALED);
	/* a fetch from it is not a write: it still fails closed */
	fake_vmcs_set(EXIT_QUALIFICATION, EPT_VIOLATION_ACC_INSTR | EPT_VIOLATION_READABLE);
	assert_int_equal(handle_ept_violation(v, &regs), -EFAULT);
	assert_int_equal(*ept_leaf(&v->ept, page, &level) & (EPT_RWX | EPT_SEALED),
			 EPT_READ | EPT_SEALED);	/* never given access back */
	assert_int_equal(v->ept_unmatched, 0);
	/* an ordinary page nobody watches gets its access back (unmatched), not sealed */
	fake_vmcs_set(GUEST_PHYSICAL_ADDRESS, 0x200000);
	fake_vmcs_set(EXIT_QUALIFICATION, EPT_VIOLATION_ACC_WRITE | EPT_VIOLATION_READABLE);
	assert_int_equal(handle_ept_violation(v, &regs), 0);
	assert_int_equal(v->sealed_writes, 1);
	assert_int_equal(v->ept_unmatched, 1);
}

/* Root's page tables, walked: 0 and the leaf's flags (NX, RW), or -1 if not mapped. */
static int host_walk(struct vcpu *v, u64 va, u64 *pa, u64 *flags)
{
	u64 *t = v->host_pt.pml4, e = 0;
	int level;

	*flags = 0;
	for (level = 4; level >= 1; level--) {
		e = t[(va >> (12 + 9 * (level - 1))) & 511];
		if (!(e & 1))
			return -1;
		*flags |= e & (1ULL << 63);
		if (level == 1 || (e & 0x80))
			break;
		t = os_phys_to_virt(e & 0x000ffffffffff000ULL);
	}
	*pa = (e & 0x000ffffffffff000ULL & ~((1ULL << (12 + 9 * (level - 1))) - 1)) |
	      (va & ((1ULL << (12 + 9 * (level - 1))) - 1));
	*flags |= e & 2;
	return 0;
}

/*
 * Root's own page tables: the module's code read/execute, RAM through the direct map
 * read/write and not executable, nothing else (the kernel's text, beyond RAM); the top
 * page has bit 12 clear; every table page is hidden.
 */
static void test_host_page_tables(void **state)
{
	struct vcpu *v = vcpus[0];
	static struct seen s;
	u64 pa, fl;
	unsigned int i;

	(void)state;
	assert_non_null(v->host_pt.pml4);
	assert_int_equal(v->host_pt.pml4_pa & 0x1000, 0);
	assert_int_equal(host_walk(v, TEXT_VA + 0x10, &pa, &fl), 0);
	assert_int_equal(pa, text_pa[0] + 0x10);
	assert_int_equal(fl, 0);				/* not writable, executable */
	assert_int_equal(host_walk(v, TEXT_VA + 0x1234, &pa, &fl), 0);
	assert_int_equal(pa, text_pa[1] + 0x234);
	assert_int_equal(host_walk(v, v->direct_map + 0x12345678, &pa, &fl), 0);
	assert_int_equal(pa, 0x12345678);
	assert_int_equal(fl, 2 | (1ULL << 63));		/* writable, not executable */
	assert_int_equal(host_walk(v, v->direct_map + (u64)v->host_stack_pa + 8, &pa, &fl), 0);
	assert_int_equal(pa, v->host_stack_pa + 8);
	assert_int_equal(host_walk(v, 0xffffffff81000000ULL, &pa, &fl), -1);	/* kernel text */
	assert_int_equal(host_walk(v, TEXT_VA + 0x2000, &pa, &fl), -1);	/* past the module */
	assert_int_equal(host_walk(v, v->direct_map + (5ULL << 30), &pa, &fl), -1);
	memset(&s, 0, sizeof(s));
	seal_vcpu_pages(v, note, &s);
	assert_int_equal(class_of(&s, v->host_pt.pml4_pa), MEM_HIDDEN);
	for (i = 0; i < v->host_pt.nr; i++)
		assert_int_equal(class_of(&s, v->host_pt.pa[i]), MEM_HIDDEN);
}

/* The module's text and read-only data: read/execute only, sealed, in every EPT. */
static void count_page(u64 pa, void *ctx)
{
	u64 *seen = ctx;

	seen[seen[0] < 3 ? ++seen[0] : 0] = pa;
}

/*
 * Only root's own code (struct seal_text's root range) is sealed and accepted for a
 * policy hypercall: the rest of the module's code is the kernel's to patch (jump
 * labels, static calls); a sealed patch site would make text_poke() BUG.
 */
static void test_root_range(void **state)
{
	struct vcpu *v = vcpus[0];
	struct seal_text saved = v->text;
	u64 seen[4] = { 0 };

	(void)state;
	seal_text_pages(v, count_page, seen);
	assert_int_equal(seen[0], 2);		/* no root range: all of the code */
	v->text.root_start = TEXT_VA;
	v->text.root_end = TEXT_VA + 0x1000;
	memset(seen, 0, sizeof(seen));
	seal_text_pages(v, count_page, seen);
	assert_int_equal(seen[0], 1);
	assert_int_equal(seen[1], text_pa[0]);
	assert_int_equal(seal_caller_check(v, TEXT_VA + 0x10, pt_pa[0], 0), 0);
	assert_int_equal(seal_caller_check(v, TEXT_VA + 0x1010, pt_pa[0], 0), -EPERM);
	assert_int_equal(seal_caller_check(v, TEXT_VA + 0xffe, pt_pa[0], 0), -EPERM);
	v->text = saved;
	{
		struct seal_text t = v->text;

		t.root_start = TEXT_VA + 0x10;		/* not page aligned */
		t.root_end = TEXT_VA + 0x1000;
		assert_int_equal(vmx_text_setup(&t), -EINVAL);
		t.root_start = TEXT_VA;
		t.root_end = TEXT_VA + 0x2000;		/* past the code */
		assert_int_equal(vmx_text_setup(&t), -EINVAL);
	}
}

/*
 * From Linux 6.4 the read-only data lies apart from the code (struct seal_text's
 * ro_start): root's page tables map each page at its own address, the read-only data
 * not executable, and the seal covers it as it covers data that follows the code.
 */
#define RO_VA	(TEXT_VA + 0x200000)

static void test_text_apart(void **state)
{
	struct seal_text t = { .text_start = TEXT_VA, .text_end = TEXT_VA + 0x1000,
			       .root_start = TEXT_VA, .root_end = TEXT_VA + 0x1000,
			       .ro_start = RO_VA, .ro_end = RO_VA + 0x800, .nr = 2,
			       .pa = { text_pa[0], text_pa[1] } };
	struct seal_text bad;
	struct vcpu *v;
	u64 seen[4] = { 0 }, pa, fl;

	(void)state;
	bad = t;
	bad.ro_start = RO_VA + 0x10;			/* not page aligned */
	assert_int_equal(vmx_text_setup(&bad), -EINVAL);
	bad = t;
	bad.text_end = TEXT_VA + 0x800;			/* the code must end on a page */
	assert_int_equal(vmx_text_setup(&bad), -EINVAL);
	bad = t;
	bad.nr = 3;					/* 1 + 1 pages */
	assert_int_equal(vmx_text_setup(&bad), -EINVAL);
	assert_int_equal(vmx_text_setup(&t), 0);
	v = vmx_vcpu_new();
	assert_non_null(v);
	assert_int_equal(vmx_vcpu_alloc(v, 0, &caps, 0), 0);
	assert_int_equal(seal_text_va(&v->text, 1), RO_VA);
	assert_int_equal(host_walk(v, TEXT_VA + 0x10, &pa, &fl), 0);
	assert_int_equal(pa, text_pa[0] + 0x10);
	assert_int_equal(fl, 0);				/* executable */
	assert_int_equal(host_walk(v, RO_VA + 0x7f8, &pa, &fl), 0);
	assert_int_equal(pa, text_pa[1] + 0x7f8);
	assert_int_equal(fl, 1ULL << 63);			/* read-only, not executable */
	assert_int_equal(host_walk(v, TEXT_VA + 0x1000, &pa, &fl), -1);
	seal_text_pages(v, count_page, seen);
	assert_int_equal(seen[0], 2);
	assert_int_equal(seen[1], text_pa[0]);
	assert_int_equal(seen[2], text_pa[1]);
	vmx_vcpu_free(v);
	vmx_vcpu_delete(v);
	/* back to the layout the other tests' CPUs were built with */
	t = (struct seal_text){ .text_start = TEXT_VA, .text_end = TEXT_VA + 0x1800,
				.ro_end = TEXT_VA + 0x2000, .nr = 2,
				.pa = { text_pa[0], text_pa[1] } };
	assert_int_equal(vmx_text_setup(&t), 0);
}

static void test_text_read_execute_only(void **state)
{
	unsigned int i, j, level;
	u64 *leaf;

	(void)state;
	assert_int_equal(vmx_hide_private(vcpus, NR), 0);
	for (i = 0; i < NR; i++) {
		for (j = 0; j < 2; j++) {
			leaf = ept_leaf(&vcpus[i]->ept, text_pa[j], &level);
			assert_int_equal(level, EPT_LEVEL_4K);
			assert_int_equal(*leaf & (EPT_ADDR_MASK | EPT_RWX | EPT_SEALED),
					 text_pa[j] | EPT_READ | EPT_EXEC | EPT_SEALED);
		}
	}
}

/*
 * Under EPT the caller check walks the guest's page tables: a VMCALL at an address in
 * the text passes only if that address maps to the page captured at load.
 */
static void test_caller_check_walks_guest_tables(void **state)
{
	struct vcpu *v = vcpus[0];
	u64 pa;

	(void)state;
	assert_int_equal(seal_guest_walk(v, pt_pa[0], 0, TEXT_VA + 0x123, &pa), 0);
	assert_int_equal(pa, text_pa[0] + 0x123);
	assert_int_equal(seal_caller_check(v, TEXT_VA + 0x10, pt_pa[0], 0), 0);
	assert_int_equal(seal_caller_check(v, TEXT_VA + 0x1010, pt_pa[0], 0), 0);
	/* in the read-only data, or past it: not code */
	assert_int_equal(seal_caller_check(v, TEXT_VA + 0x1800, pt_pa[0], 0), -EPERM);
	assert_int_equal(seal_caller_check(v, TEXT_VA - 3, pt_pa[0], 0), -EPERM);
	/* the guest maps other code at the module's address: refused */
	pt[3][(TEXT_VA >> 12) & 511] = other_pa | 1;
	assert_int_equal(seal_caller_check(v, TEXT_VA + 0x10, pt_pa[0], 0), -EPERM);
	/* a VMCALL straddling into a page that is not the module's */
	pt[3][(TEXT_VA >> 12) & 511] = text_pa[0] | 1;
	pt[3][((TEXT_VA >> 12) + 1) & 511] = other_pa | 1;
	assert_int_equal(seal_caller_check(v, TEXT_VA + 0xffe, pt_pa[0], 0), -EPERM);
	assert_int_equal(seal_caller_check(v, TEXT_VA + 0xff0, pt_pa[0], 0), 0);
	/* not present, and tables outside RAM, are refusals */
	pt[3][(TEXT_VA >> 12) & 511] = 0;
	assert_int_equal(seal_caller_check(v, TEXT_VA + 0x10, pt_pa[0], 0), -EPERM);
	assert_int_equal(seal_guest_walk(v, 1ULL << 33, 0, TEXT_VA, &pa), -EFAULT);
	/* a 2 MiB page mapping the text's frame range is walked too */
	pt[2][(TEXT_VA >> 21) & 511] = (text_pa[0] & ~0x1fffffULL) | 0x81;
	assert_int_equal(seal_guest_walk(v, pt_pa[0], 0, TEXT_VA + 0x10, &pa), 0);
	assert_int_equal(pa, (text_pa[0] & ~0x1fffffULL) | 0x10);
}

/*
 * Watching a read-only page of the hypervisor's (a counter page, the module's text)
 * would change its permissions, and removing the watch make it writable: refused.
 */
static void test_no_watch_on_sealed_pages(void **state)
{
	struct vcpu *v = vcpus[0];
	u64 counters = (v->self_pa + offsetof(struct vcpu, exits)) & ~(u64)(PAGE_SIZE - 1);
	unsigned int level;

	(void)state;
	assert_int_equal(vmx_hide_private(vcpus, NR), 0);
	memset(watch_table, 0, sizeof(watch_table));
	watch_table[0] = (struct watch){ counters, WATCH_W, WATCH_KIND_PROTECT, true };
	watch_table[1] = (struct watch){ text_pa[1], WATCH_X, WATCH_KIND_WATCH, true };
	watch_table[2] = (struct watch){ other_pa, WATCH_W, WATCH_KIND_WATCH, true };
	assert_int_equal(watch_sync(v), -EACCES);
	assert_int_equal(v->applied[0].kind, 0);
	assert_int_equal(v->applied[1].kind, 0);
	assert_int_equal(v->applied[2].kind, WATCH_KIND_WATCH);
	assert_int_equal(*ept_leaf(&v->ept, counters, &level) & (EPT_RWX | EPT_SEALED),
			 EPT_READ | EPT_SEALED);
	assert_int_equal(*ept_leaf(&v->ept, text_pa[1], &level) & (EPT_RWX | EPT_SEALED),
			 EPT_READ | EPT_EXEC | EPT_SEALED);
	memset(watch_table, 0, sizeof(watch_table));
	assert_int_equal(watch_sync(v), 0);
}

/* Root's copy of the capabilities: changing the caller's afterwards changes nothing. */
static void test_caps_copied(void **state)
{
	u64 before = vcpus[0]->caps->ept_vpid;

	(void)state;
	assert_ptr_equal(vcpus[0]->caps, &vcpus[0]->caps_copy);
	caps.ept_vpid = 0;
	assert_int_equal(vcpus[0]->caps->ept_vpid, before);
}

/* Allocation failures leave nothing behind. */
static void test_new_fails_cleanly(void **state)
{
	(void)state;
	fake_os_fail_alloc_after(0);
	assert_null(vmx_vcpu_new());
	fake_os_fail_alloc_after(-1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_every_page_one_class, setup, teardown),
		cmocka_unit_test_setup_teardown(test_classes_in_every_ept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sealed_write_discarded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_caps_copied, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_watch_on_sealed_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_text_read_execute_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_page_tables, setup, teardown),
		cmocka_unit_test_setup_teardown(test_caller_check_walks_guest_tables, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_root_range, setup, teardown),
		cmocka_unit_test_setup_teardown(test_text_apart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_new_fails_cleanly, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
