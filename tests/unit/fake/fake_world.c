// SPDX-License-Identifier: GPL-2.0
/* The shared fixture of fake_world.h. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "fake_world.h"
#include "fake_cpu.h"
#include "fake_os.h"
#include "mtrr.h"
#include "private.h"
#include "vmx.h"
#include "vmcs.h"
#include "os.h"
#include "ept.h"
#include "exit.h"
#include "arch/x86.h"

void fake_world_cpu(struct vmx_caps *caps)
{
	static void *arena;

	fake_cpu_load(&fake_haswell);
	fake_os_fail_alloc_after(-1);
	vmx_caps_read(caps);
	if (!arena) {
		arena = mmap((void *)FAKE_ARENA, FAKE_ARENA_SIZE, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		assert_ptr_equal(arena, (void *)FAKE_ARENA);
	}
	memset(arena, 0, FAKE_ARENA_SIZE);
	fake_os_page_arena(arena, FAKE_ARENA_SIZE);
}

void fake_world_ept(struct vmx_caps *caps)
{
	static struct ram_map ram;
	struct mtrr_state m;

	fake_world_cpu(caps);
	assert_int_equal(mtrr_read(&m), 0);
	vmx_ept_setup(&m, 1ULL << 39);
	memset(&ram, 0, sizeof(ram));
	assert_int_equal(ram_map_add(&ram, 0, 1ULL << 32), 0);
	vmx_ram_map_setup(&ram);
}

void fake_world_ept_ram(struct vmx_caps *caps, struct ram_map *ram, u64 ram_end)
{
	struct mtrr_state m;

	fake_cpu_load(&fake_haswell);
	fake_os_fail_alloc_after(-1);
	vmx_caps_read(caps);
	assert_int_equal(mtrr_read(&m), 0);
	vmx_ept_setup(&m, 1ULL << 39);
	memset(ram, 0, sizeof(*ram));
	assert_int_equal(ram_map_add(ram, 0, 0xa0000), 0);
	assert_int_equal(ram_map_add(ram, 0x100000, ram_end), 0);
	vmx_ram_map_setup(ram);
}

void fake_world_guest_kernel(u64 rip)
{
	fake_vmcs_set(GUEST_RIP, rip);
	fake_vmcs_set(GUEST_RFLAGS, 0x202);
	fake_vmcs_set(GUEST_INTERRUPTIBILITY_INFO, 0);
	fake_vmcs_set(EXCEPTION_BITMAP, 0);
	fake_vmcs_set(CPU_BASED_VM_EXEC_CONTROL, 0);
	fake_vmcs_set(GUEST_SS_AR_BYTES, 0xc093);	/* DPL 0 */
	fake_vmcs_set(GUEST_CR3, 0x5000000);		/* some process's */
}

struct watch_event fake_world_next_event(struct vcpu *v)
{
	struct watch_event ev;

	assert_true(watch_take(v->events, &ev));
	return ev;
}

static void *arena_page(u64 *pa)
{
	void *p = os_alloc_pages(0, pa);

	assert_non_null(p);
	/* inside RAM [0, 4 GiB), so root's walk may read it (seal_guest_access()) */
	assert_true(*pa >= FAKE_ARENA && *pa < FAKE_ARENA + FAKE_ARENA_SIZE);
	return p;
}

void fake_world_text(struct fake_text *ft, u64 va)
{
	unsigned int i;

	memset(ft, 0, sizeof(*ft));
	ft->va = va;
	ft->page = arena_page(&ft->pa);
	for (i = 0; i < 4; i++)
		ft->pt[i] = arena_page(&ft->pt_pa[i]);
	ft->pt[0][(va >> 39) & 511] = ft->pt_pa[1] | 3;
	ft->pt[1][(va >> 30) & 511] = ft->pt_pa[2] | 3;
	ft->pt[2][(va >> 21) & 511] = ft->pt_pa[3] | 3;
	ft->pt[3][(va >> 12) & 511] = ft->pa | 1;	/* present, read-only, supervisor */
}

void fake_world_text_use(const struct fake_text *ft, struct vcpu *v)
{
	v->text = (struct seal_text){ .text_start = ft->va, .text_end = ft->va + PAGE_SIZE,
				      .ro_end = ft->va + PAGE_SIZE, .nr = 1,
				      .pa = { ft->pa } };
	fake_vmcs_set(GUEST_CR3, ft->pt_pa[0]);
	fake_vmcs_set(GUEST_CR4, 0);			/* 4-level paging */
}

void fake_world_text_free(struct fake_text *ft)
{
	unsigned int i;

	for (i = 0; i < 4; i++)
		os_free_pages(ft->pt[i], 0);
	os_free_pages(ft->page, 0);
	memset(ft, 0, sizeof(*ft));
}

int fake_world_exit(struct vcpu *v, struct guest_regs *r, u32 reason, u64 qual)
{
	fake_vmcs_set(VM_EXIT_REASON, reason);
	fake_vmcs_set(EXIT_QUALIFICATION, qual);
	fake_vmcs_set(VM_ENTRY_INTR_INFO_FIELD, 0);
	fake_vmcs_set(IDT_VECTORING_INFO_FIELD, 0);
	return vmx_exit_handler(r, v);
}

unsigned int fake_world_perm(struct vcpu *v, u64 gpa)
{
	unsigned int level;
	u64 *leaf = ept_leaf(&v->ept, gpa, &level);

	assert_non_null(leaf);
	return *leaf & EPT_RWX;
}

int fake_world_violation(struct vcpu *v, struct guest_regs *r, u64 gpa, u64 attempted,
			 u64 gla)
{
	fake_vmcs_set(GUEST_PHYSICAL_ADDRESS, gpa);
	fake_vmcs_set(GUEST_LINEAR_ADDRESS, gla);
	return fake_world_exit(v, r, EXIT_REASON_EPT_VIOLATION,
			       attempted | (gla ? BIT(7) | BIT(8) : 0) |
			       ((u64)fake_world_perm(v, gpa & ~0xfffULL) << 3));
}

int fake_world_single_step(struct vcpu *v, struct guest_regs *r)
{
	fake_vmcs_set(VM_EXIT_INTR_INFO, X86_VEC_DB | INTR_INFO_VALID |
		      (INTR_TYPE_HARD_EXCEPTION << INTR_INFO_TYPE_SHIFT));
	return fake_world_exit(v, r, EXIT_REASON_EXCEPTION_NMI, DR6_BS);
}
