// SPDX-License-Identifier: GPL-2.0
/*
 * The hypervisor's own pages: which they are, hiding them in every CPU's EPT, and
 * refusing watches on them.  See private.h.
 */
#include "private.h"
#include "seal.h"
#include "errors.h"
#include "os.h"
#include "arch/x86.h"

static u64 vmx_shared_pa[VMX_SHARED_NR];

void vmx_private_shared(enum vmx_shared_page which, u64 pa)
{
	if (which < VMX_SHARED_NR)
		vmx_shared_pa[which] = pa;
}

struct private_ctx {
	void (*fn)(u64 pa, void *ctx);
	void *ctx;
	enum mem_class cls;
};

static void private_one(u64 pa, enum mem_class cls, const char *name, void *arg)
{
	struct private_ctx *c = arg;

	(void)name;
	if (cls == c->cls)
		c->fn(pa, c->ctx);
}

void vmx_private_pages(struct vcpu *v, void (*fn)(u64 pa, void *ctx), void *ctx)
{
	struct private_ctx c = { fn, ctx, MEM_HIDDEN };

	seal_vcpu_pages(v, private_one, &c);
}

/* Call @fn for every page of @v the guest may only read (seal.h). */
static void readonly_pages(struct vcpu *v, void (*fn)(u64 pa, void *ctx), void *ctx)
{
	struct private_ctx c = { fn, ctx, MEM_GUEST_RO };

	seal_vcpu_pages(v, private_one, &c);
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

static void text_one(u64 pa, void *arg)
{
	struct hide_ctx *c = arg;
	int ret = vmx_ept_seal(c->in, pa, EPT_READ | EPT_EXEC);

	if (ret && !c->ret)
		c->ret = ret;
}

static void readonly_one(u64 pa, void *arg)
{
	struct hide_ctx *c = arg;
	int ret = vmx_ept_seal(c->in, pa, EPT_READ);

	if (ret && !c->ret)
		c->ret = ret;
}

struct pa_list {
	u64 *pas;
	unsigned int n;
};

static void pa_add(u64 pa, void *arg)
{
	struct pa_list *l = arg;

	if (l->pas)
		l->pas[l->n] = pa;
	l->n++;
}

/*
 * Every page that gets a 4 KiB leaf of its own in every EPT: the private (hidden)
 * pages, the guest read-only ones and the module's text (seal.h).
 */
static void sealed_pages_all(struct vcpu *const *vcpus, unsigned int n,
			     void (*fn)(u64 pa, void *ctx), void *ctx)
{
	unsigned int i;

	private_pages_all(vcpus, n, fn, ctx);
	for (i = 0; i < n; i++) {
		if (!vcpus[i])
			continue;
		readonly_pages(vcpus[i], fn, ctx);
		seal_text_pages(vcpus[i], fn, ctx);
	}
}

/*
 * Size every vcpu's EPT pool for hiding: count exactly what hiding all the private
 * pages (and sealing the read-only ones and the text) costs in each EPT (ept_hide_cost()), and grow the pools that would be left
 * with less than VMX_EPT_WATCH_RESERVE.  Grown pools are more private pages, so count
 * again until nothing grows (new pages mostly land in 2 MiB blocks already split: one
 * or two rounds).  Instead of a constant spare: hiding every CPU's pages in every
 * CPU's EPT grows with the square of the CPUs.
 */
static int private_size_pools(struct vcpu *const *vcpus, unsigned int n)
{
	unsigned int i, round, cost, avail;
	struct pa_list l;
	bool grown;
	int ret = 0;

	for (round = 0; round < 8; round++) {
		l = (struct pa_list){ NULL, 0 };
		sealed_pages_all(vcpus, n, pa_add, &l);
		l.pas = os_zalloc((size_t)l.n * sizeof(u64));
		if (!l.pas)
			return -ENOMEM;
		l.n = 0;
		sealed_pages_all(vcpus, n, pa_add, &l);
		grown = false;
		for (i = 0; i < n && !ret; i++) {
			if (!vcpus[i] || !vcpus[i]->ept.pml4)
				continue;
			cost = ept_hide_cost(&vcpus[i]->ept, l.pas, l.n) + VMX_EPT_WATCH_RESERVE;
			avail = ept_pool_free(&vcpus[i]->ept);
			if (avail < cost) {
				ret = ept_pool_grow(&vcpus[i]->ept, cost - avail);
				grown = true;
			}
		}
		os_free(l.pas);
		if (ret || !grown)
			return ret;
	}
	return -ENOMEM;		/* did not settle: never seen */
}

int vmx_hide_private(struct vcpu *const *vcpus, unsigned int n)
{
	struct hide_ctx c = { NULL, 0 };
	unsigned int i, j;

	if (!vmx_ept_enabled())
		return 0;
	c.ret = private_size_pools(vcpus, n);
	for (i = 0; i < n && !c.ret; i++) {
		c.in = vcpus[i];
		if (!c.in)
			continue;
		private_pages_all(vcpus, n, hide_one, &c);
		for (j = 0; j < n && !c.ret; j++)
			if (vcpus[j])
				readonly_pages(vcpus[j], readonly_one, &c);
		/* the module's code and read-only data: read/execute only */
		if (!c.ret)
			seal_text_pages(c.in, text_one, &c);
		vmx_ept_publish(c.in);
	}
	return c.ret;
}

int vmx_watch_check(struct vcpu *const *vcpus, unsigned int n, u64 gpa, bool add)
{
	(void)vcpus;
	(void)n;
	(void)add;
	if (!vmx_ept_enabled())
		return -EOPNOTSUPP;
	/*
	 * Only what needs no vcpu: once launched, a vcpu's state is hidden from this
	 * (non-root) caller.  Whether the page is one of the hypervisor's own, RAM, and
	 * so on, root decides from its own copy when it applies the table
	 * (watch_check()), and the sync that follows WATCH_ADD returns its refusal.
	 */
	if (gpa & (PAGE_SIZE - 1) || gpa >= vmx_ept_map_limit())
		return -EINVAL;
	return 0;
}
