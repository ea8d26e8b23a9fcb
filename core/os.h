/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The operating-system layer: everything core/ needs from the OS it runs under, and
 * nothing more.  linux/os_linux.c implements it for Linux; tests/unit/fake/fake_os.c
 * for the host unit tests (with allocation-failure injection).  Both include this
 * header, so a signature that drifts is a compile error.
 *
 * "root-safe" says whether a function may be called in VMX root, inside an exit
 * handler, where nothing may sleep, take a lock the guest can hold, or printk.
 */
#ifndef SUBZERO_OS_H
#define SUBZERO_OS_H

#include "types.h"

/*
 * 2^order zeroed, physically contiguous, page-aligned pages; *pa gets their physical
 * address.  NULL when out of memory.  Not root-safe (may sleep).
 */
void *os_alloc_pages(unsigned int order, u64 *pa);
void os_free_pages(void *va, unsigned int order);

/* Zeroed memory of any size; NULL when out of memory.  Not root-safe. */
void *os_zalloc(size_t size);
void os_free(void *p);

/* Allocations made through this layer and not yet freed.  Root-safe. */
long os_alloc_count(void);

/*
 * The kernel virtual address of a physical address returned by os_alloc_pages(), for
 * walking tables the CPU knows only by physical address (EPT).  Pure arithmetic:
 * root-safe.
 */
void *os_phys_to_virt(u64 pa);

/*
 * RDMSR that survives a #GP: 0 and *val, or -EIO if the MSR faulted (*val is then
 * left alone).  For MSRs the SDM enumerates but some CPUs still refuse, such as the
 * SMRR pair outside SMM.  Root-safe: nothing sleeps, locks or traces; a fault is
 * fixed up through the kernel's exception table (the host IDT is the kernel's).
 */
int os_rdmsr_safe(u32 msr, u64 *val);

/* The page-table root VMX root runs on: the kernel's own, valid on every CPU. */
u64 os_host_cr3(void);

/* Log a line at once (the kernel log).  Not root-safe: root code uses vcpu_log(). */
__printf(1, 2) void os_log(const char *fmt, ...);

#endif
