/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fixture the unit tests of whole-vcpu behaviour share (fake_world.c): a fake
 * Haswell, its VMX capabilities, pages for os_alloc_pages() from an arena mapped at
 * its own address (the fake OS's virtual address is its physical one), and if asked
 * the EPT set up for RAM [0, 4 GiB).
 */
#ifndef SUBZERO_FAKE_WORLD_H
#define SUBZERO_FAKE_WORLD_H

#include "vmx_caps.h"
#include "watch.h"

struct vcpu;
struct guest_regs;
struct ram_map;

#define FAKE_ARENA	0x40000000ULL	/* 1 GiB: inside the 2^39 map */
#define FAKE_ARENA_SIZE	(8ULL << 20)

/* The fake Haswell with its capabilities in @caps, and an empty, zeroed arena. */
void fake_world_cpu(struct vmx_caps *caps);

/* fake_world_cpu(), then EPT from the fake MTRRs (a 2^39 map) and RAM [0, 4 GiB). */
void fake_world_ept(struct vmx_caps *caps);

/*
 * The fake Haswell as the lock's tests take it: no page arena (their own fixed
 * mappings lie where it would), EPT from the fake MTRRs (a 2^39 map), and RAM
 * [0, 640 KiB) and [1 MiB, @ram_end) in @ram, handed to vmx_ram_map_setup().
 */
void fake_world_ept_ram(struct vmx_caps *caps, struct ram_map *ram, u64 ram_end);

/*
 * The current VMCS's guest as those tests take it: ring 0 at @rip, interrupts on,
 * nothing blocking or exiting, some process's CR3.
 */
void fake_world_guest_kernel(u64 rip);

/* The next event in @v's ring (there must be one). */
struct watch_event fake_world_next_event(struct vcpu *v);

/*
 * The module's text as root sees it (struct seal_text): one page at @va, at a fresh
 * arena page, and 4-level guest page tables (from the arena too) mapping it read-only.
 * Install it into @v->text and GUEST_CR3/GUEST_CR4 with fake_world_text_use(), so a
 * policy hypercall from [@va, @va + 4 KiB) passes seal_caller_check() under EPT.
 * The arena must be on (fake_world_cpu()); fake_world_text_free() gives the pages back.
 */
struct fake_text {
	u64 va, pa;			/* the text page */
	u64 *pt[4];			/* PML4, PDPT, PD, PT */
	u64 pt_pa[4];
	void *page;
};

void fake_world_text(struct fake_text *ft, u64 va);
void fake_world_text_use(const struct fake_text *ft, struct vcpu *v);
void fake_world_text_free(struct fake_text *ft);

/*
 * Driving @v's exit handler as the CPU would (the exits the watch, W^X and module-lock
 * tests take): an exit of @reason with qualification @qual and no event in flight; an
 * EPT violation of @gpa (qualification bits 0-2 the @attempted access, 3-5 the page's
 * permissions in @v's EPT, 7-8 a valid linear address when @gla is not 0); the #DB of
 * a single step.
 */
int fake_world_exit(struct vcpu *v, struct guest_regs *r, u32 reason, u64 qual);
int fake_world_violation(struct vcpu *v, struct guest_regs *r, u64 gpa, u64 attempted,
			 u64 gla);
int fake_world_single_step(struct vcpu *v, struct guest_regs *r);
/* The R/W/X bits of @gpa's leaf in @v's EPT (which must map it). */
unsigned int fake_world_perm(struct vcpu *v, u64 gpa);

#endif
