/* SPDX-License-Identifier: GPL-2.0 */
/* Controls of the fake OS layer (fake_os.c). */
#ifndef SUBZERO_FAKE_OS_H
#define SUBZERO_FAKE_OS_H

#include <stddef.h>

/* Let n more allocations succeed, then fail one; -1 turns injection off. */
void fake_os_fail_alloc_after(int n);

#include <setjmp.h>
#include "types.h"

/* What os_host_cr3() returns (default 0x1234000). */
void fake_os_set_host_cr3(u64 cr3);

/*
 * os_vmx_failed() and os_init_self() never return: they count, keep the reason, and
 * longjmp to fake_os_stop (a test arms it with setjmp), or abort if it is not armed.
 */
struct fake_os_stops {
	bool armed;
	jmp_buf jmp;
	unsigned int vmx_failed, init_self;
	unsigned int lines;		/* log lines os_vmx_failed() wrote out */
	char why[160];
};
extern struct fake_os_stops fake_os_stop;
/*
 * Take pages from [base, base + size) from now on, in order and never reused (so
 * their "physical" addresses are low enough to lie inside an EPT's map); NULL: from
 * the C library again.
 */
void fake_os_page_arena(void *base, size_t size);

#endif
