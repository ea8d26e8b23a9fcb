/* SPDX-License-Identifier: GPL-2.0 */
/* Controls of the fake OS layer (fake_os.c). */
#ifndef SUBZERO_FAKE_OS_H
#define SUBZERO_FAKE_OS_H

#include <stddef.h>

/* Let n more allocations succeed, then fail one; -1 turns injection off. */
void fake_os_fail_alloc_after(int n);

/*
 * Take pages from [base, base + size) from now on, in order and never reused (so
 * their "physical" addresses are low enough to lie inside an EPT's map); NULL: from
 * the C library again.
 */
void fake_os_page_arena(void *base, size_t size);

#endif
