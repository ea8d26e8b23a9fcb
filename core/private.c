// SPDX-License-Identifier: GPL-2.0
/*
 * The hypervisor's own pages: which they are, hiding them in every CPU's EPT, and
 * refusing watches on them.  See private.h.
 */
#include "private.h"
#include "errors.h"
#include "arch/x86.h"

static u64 vmx_shared_pa[VMX_SHARED_NR];

void vmx_private_shared(enum vmx_shared_page which, u64 pa)
{
	if (which < VMX_SHARED_NR)
		vmx_shared_pa[which] = pa;
}

void vmx_private_pages(struct vcpu *v, void (*fn)(u64 pa, void *ctx), void *ctx)
{
	unsigned int i;

	fn(v->vmxon_pa, ctx);
	fn(v->vmcs_pa, ctx);
	for (i = 0; i < VCPU_HOST_STACK_SIZE / PAGE_SIZE; i++)
		fn(v->host_stack_pa + i * PAGE_SIZE, ctx);
	if (v->scratch)
		fn(v->scratch_pa, ctx);
	for (i = 0; v->ept.pml4 && i < ept_pool_size(&v->ept); i++)
		fn(ept_pool_pa(&v->ept, i), ctx);
}

/* Every private page: the shared ones, then each vcpu's. */
static void private_pages_all(struct vcpu *const *vcpus, unsigned int n,
			      void (*fn)(u64 pa, void *ctx), void *ctx)
{
	unsigned int i;

	for (i = 0; i < VMX_SHARED_NR; i++)
		if (vmx_shared_pa[i])
			fn(vmx_shared_pa[i], ctx);
	for (i = 0; i < n; i++)
		if (vcpus[i])
			vmx_private_pages(vcpus[i], fn, ctx);
}

struct find_ctx {
	u64 pa;
	bool found;
};

static void find_one(u64 pa, void *arg)
{
	struct find_ctx *c = arg;

	if (pa == c->pa)
		c->found = true;
}

bool vmx_is_private(struct vcpu *const *vcpus, unsigned int n, u64 pa)
{
	struct find_ctx c = { pa & ~(PAGE_SIZE - 1), false };

	private_pages_all(vcpus, n, find_one, &c);
	return c.found;
}

int vmx_ept_hide(struct vcpu *v, u64 pa)
{
	unsigned int level;
	u64 *leaf;
	int ret;

	if (!v->ept.pml4)
		return 0;
	/* Different permissions make the page a 4 KiB leaf of its own, never merged. */
	ret = ept_set_perm(&v->ept, pa, PAGE_SIZE, EPT_READ | EPT_WRITE);
	if (ret)
		return ret;
	leaf = ept_leaf(&v->ept, pa, &level);
	if (!leaf || level != EPT_LEVEL_4K)
		return -EINVAL;
	*leaf = (*leaf & ~EPT_ADDR_MASK) | v->scratch_pa;
	return 0;
}

struct hide_ctx {
	struct vcpu *in;
	int ret;
};

static void hide_one(u64 pa, void *arg)
{
	struct hide_ctx *c = arg;
	int ret = vmx_ept_hide(c->in, pa);

	if (ret && !c->ret)
		c->ret = ret;
}

int vmx_hide_private(struct vcpu *const *vcpus, unsigned int n)
{
	struct hide_ctx c = { NULL, 0 };
	unsigned int i;

	if (!vmx_ept_enabled())
		return 0;
	for (i = 0; i < n && !c.ret; i++) {
		c.in = vcpus[i];
		if (c.in)
			private_pages_all(vcpus, n, hide_one, &c);
	}
	return c.ret;
}

int vmx_watch_check(struct vcpu *const *vcpus, unsigned int n, u64 gpa, bool add)
{
	u64 limit = 0;
	unsigned int i;

	if (!vmx_ept_enabled())
		return -EOPNOTSUPP;
	/* Every vcpu's EPT maps the same extent (vmx_ept_setup()). */
	for (i = 0; i < n && !limit; i++)
		if (vcpus[i])
			limit = vcpus[i]->ept.map_limit;
	if (gpa & (PAGE_SIZE - 1) || gpa >= limit)
		return -EINVAL;
	if (add && vmx_is_private(vcpus, n, gpa))
		return -EACCES;
	return 0;
}
