/* SPDX-License-Identifier: GPL-2.0 */
/* Controls of the fake OS layer (fake_os.c). */
#ifndef SUBZERO_FAKE_OS_H
#define SUBZERO_FAKE_OS_H

/* Let n more allocations succeed, then fail one; -1 turns injection off. */
void fake_os_fail_alloc_after(int n);

#endif
