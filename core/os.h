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

struct log_ring;

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

/*
 * Send this CPU an NMI through its local APIC (an NMI held for the guest, handed to
 * the OS once VMX is off on this CPU).  Interrupts disabled; after VMXOFF.
 */
void os_self_nmi(void);

/*
 * The page-table root VMX root runs on: the kernel half of the kernel's tables, valid
 * on every CPU.  Bit 12 is clear: with page-table isolation the kernel's entry code
 * takes a CR3 with bit 12 set for a user CR3 and switches away from it (an NMI or
 * machine check taken in root goes through that code).  Root-safe.
 */
u64 os_host_cr3(void);

/*
 * Fail closed, loudly: an exit subzero cannot handle has taken this CPU out of VMX
 * operation (core/exit.c).  Write what @log still holds (the VMCS dump) where the user
 * sees it even with a quiet console, then stop the machine with @why, the way the OS
 * stops for a fatal error (Linux: panic(), so kdump and panic= reboots work).  Never
 * returns (not declared noreturn: objtool would not know it across objects, so callers
 * follow the call with __builtin_trap()).  Called after VMXOFF, on the host stack, interrupts off: not in VMX root
 * any more, but not in any OS task's context either.
 */
void os_vmx_failed(struct log_ring *log, const char *why);

/*
 * An INIT signal reached this CPU while it was a guest, and it has left VMX since
 * (core/exit.c, handle_init).  Send INIT to this CPU again through its local APIC and
 * wait for it: outside VMX it resets the CPU, which then waits for SIPI as the sender
 * intended.  Never returns.  Same context as os_vmx_failed().
 */
void os_init_self(void);

/* Log a line at once (the kernel log).  Not root-safe: root code uses vcpu_log(). */
__printf(1, 2) void os_log(const char *fmt, ...);

#endif
