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

#define FAKE_ARENA	0x40000000ULL	/* 1 GiB: inside the 2^39 map */
#define FAKE_ARENA_SIZE	(8ULL << 20)

/* The fake Haswell with its capabilities in @caps, and an empty, zeroed arena. */
void fake_world_cpu(struct vmx_caps *caps);

/* fake_world_cpu(), then EPT from the fake MTRRs (a 2^39 map) and RAM [0, 4 GiB). */
void fake_world_ept(struct vmx_caps *caps);

#endif
