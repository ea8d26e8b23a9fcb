/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hypervisor's memory, by what the guest may do with it, declared in one place
 * (the table in seal.c).  Three classes:
 *  - hidden: root's own.  In every CPU's EPT the page maps to that CPU's scratch
 *    page: guest reads see junk, guest writes go nowhere;
 *  - guest read-only: what the module's non-root half reads and root alone writes
 *    (counters, the rings' lines and producer indices).  Read-only in every EPT, and
 *    marked EPT_SEALED: a guest write to it is discarded, as a write to a protected
 *    page is (watch.h);
 *  - guest read-write: what root treats as untrusted input (the rings' consumer
 *    indices, the non-root half's own flags), never used as an index or a pointer.
 * Every page of every vcpu is in exactly one class; seal_vcpu_pages() lists them.
 * Not root-safe.
 */
#ifndef SUBZERO_SEAL_H
#define SUBZERO_SEAL_H

#include "types.h"
#include "vmx.h"

enum mem_class {
	MEM_HIDDEN,
	MEM_GUEST_RO,
	MEM_GUEST_RW,
	MEM_CLASSES,
};

extern const char *const mem_class_names[MEM_CLASSES];

/*
 * Call @fn for every page @v owns, with its class and the name of the object it
 * belongs to (the table in seal.c).  The struct vcpu's own pages are listed only if it
 * came from vmx_vcpu_new().
 */
void seal_vcpu_pages(struct vcpu *v,
		     void (*fn)(u64 pa, enum mem_class cls, const char *name, void *ctx),
		     void *ctx);

/* How many of @v's pages are in each class (pages[MEM_CLASSES]). */
void seal_count(struct vcpu *v, unsigned int *pages);

/*
 * Give the page at @pa @perm (EPT_READ, or EPT_READ | EPT_EXEC for the module's text)
 * and EPT_SEALED in @v's EPT, a 4 KiB leaf of its own: the guest cannot write it (a
 * write is discarded).  Only before @v is launched.  0, or ept_set_perm()'s error.
 */
int vmx_ept_seal(struct vcpu *v, u64 pa, unsigned int perm);

/* Call @fn for every page of the module's text and read-only data (@v's copy). */
void seal_text_pages(struct vcpu *v, void (*fn)(u64 pa, void *ctx), void *ctx);

/*
 * Root: may the VMCALL at guest RIP @rip change policy?  Only if @rip lies in the
 * module's text (v->text), and, under EPT (where that text is write-protected), the
 * guest's page tables map @rip to the very page of it captured at load, so that no
 * other code mapped at that address passes.  0 or -EPERM.  Root-safe.
 */
int seal_caller_check(struct vcpu *v, u64 rip, u64 cr3, u64 cr4);

/*
 * Root: walk the guest's page tables (@cr3, 4 or 5 levels by @cr4.LA57) for @va,
 * reading them only where seal_guest_access() allows a read.  0 and *pa, or
 * -EFAULT.  Root-safe.
 */
int seal_guest_walk(struct vcpu *v, u64 cr3, u64 cr4, u64 va, u64 *pa);

/* Guest page-table entry bits (SDM Vol. 3A, 4.5, Tables 4-14 to 4-20). */
#define PTE_PRESENT		BIT_ULL(0)
#define PTE_RW			BIT_ULL(1)
#define PTE_USER		BIT_ULL(2)
#define PTE_LARGE		BIT_ULL(7)

/*
 * The same walk, also giving in *perm the PTE_RW and PTE_USER bits of every level
 * ANDed (what the access rights of the translation are, SDM Vol. 3A, 4.6).  0 and
 * *pa; -ENOENT when an entry is not present (the guest's #PF; *perm: the levels
 * above it); -EFAULT when a table is not ordinary RAM the guest may read (root does
 * not go on).  Accessed and dirty flags are neither checked nor set.  Root-safe.
 */
int seal_guest_walk_perm(struct vcpu *v, u64 cr3, u64 cr4, u64 va, u64 *pa, u64 *perm);

/*
 * Root: may root read (or, @write, write) the guest-physical page of @gpa through
 * v->direct_map on the guest's behalf?  Only ordinary RAM (v->ram), and under EPT
 * only if this CPU's EPT gives the guest that access to that very page (not a
 * hidden page, whose leaf maps the scratch page; not a sealed or protected page for
 * a write).  0, -EFAULT (not RAM, not mapped) or -EACCES (EPT).  Root-safe.
 */
int seal_guest_access(struct vcpu *v, u64 gpa, bool write);

#endif
