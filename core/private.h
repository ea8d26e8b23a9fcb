/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hypervisor's own pages, and keeping every guest away from them.  Which pages
 * those are is decided here, once: each vcpu's VMXON region, VMCS, host stack, scratch
 * page and EPT tables, and the pages every CPU shares (the MSR bitmap, the host IDT).
 * In every CPU's EPT each of them maps to that CPU's scratch page, so the kernel the
 * hypervisor hosts can neither read nor change them, and no watch may name one.
 *
 * The OS layer keeps the vcpus (one per possible CPU, allocated at load); the
 * functions below take them as an array indexed by CPU number, NULL where there is
 * none.  None of them is root-safe.
 */
#ifndef SUBZERO_PRIVATE_H
#define SUBZERO_PRIVATE_H

#include "types.h"
#include "vmx.h"

/* The pages every CPU shares, recorded by vmx.c as it builds them (0: none). */
enum vmx_shared_page {
	VMX_SHARED_MSR_BITMAP,
	VMX_SHARED_HOST_IDT,
	VMX_SHARED_NR,
};

void vmx_private_shared(enum vmx_shared_page which, u64 pa);

/* Call @fn for every page only the hypervisor may touch that @v owns. */
void vmx_private_pages(struct vcpu *v, void (*fn)(u64 pa, void *ctx), void *ctx);

/* Is @pa one of the hypervisor's own pages: a shared one, or one of any vcpu's? */
bool vmx_is_private(struct vcpu *const *vcpus, unsigned int n, u64 pa);

/*
 * Hide the page at @pa from @v's guest: it maps to @v's scratch page instead, so
 * guest reads see junk and guest writes go nowhere.  Only before @v is launched.
 */
int vmx_ept_hide(struct vcpu *v, u64 pa);

/*
 * In the EPT of every vcpu of @vcpus, hide every one of the hypervisor's own pages:
 * the shared ones and every vcpu's (not only its own: a CPU's guest could otherwise
 * reach another CPU's state).  First each EPT's pool grows by exactly what that takes
 * (ept_hide_cost()), keeping VMX_EPT_WATCH_RESERVE for watch and protect.  Without
 * EPT there is nothing to do.  0, -ENOMEM, or the first error of vmx_ept_hide() (the
 * EPTs are then partly done: free the vcpus).  Only
 * before any of them is launched.
 */
int vmx_hide_private(struct vcpu *const *vcpus, unsigned int n);

/*
 * May user space watch or protect (@add) or stop watching the page at @gpa?  0;
 * -EOPNOTSUPP when the vcpus run without EPT; -EINVAL when @gpa is not page aligned
 * or beyond the EPT's map; -EACCES when adding one of the hypervisor's own pages.
 */
int vmx_watch_check(struct vcpu *const *vcpus, unsigned int n, u64 gpa, bool add);

#endif
