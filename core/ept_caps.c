// SPDX-License-Identifier: GPL-2.0
/*
 * What the EPT needs from the CPU and what it may use (SDM Vol. 3D, A.10), and how much
 * it maps: pure functions of the capabilities, apart from ept.c (which allocates) so
 * that `subzero check` compiles the module's own rules before the module is loaded.
 */
#include "ept.h"
#include "errors.h"
#include "vmx_caps.h"
#include "arch/x86.h"

#define EPT_REQUIRED(cap)	{ cap, #cap }

static const struct {
	u64 cap;
	const char *name;
} ept_required[] = {
	EPT_REQUIRED(VMX_EPT_PAGE_WALK_4),
	EPT_REQUIRED(VMX_EPTP_WB),
	EPT_REQUIRED(VMX_EPT_INVEPT),
};

int ept_check_caps(u64 ept_vpid_cap, const char **missing)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ept_required); i++) {
		if (!(ept_vpid_cap & ept_required[i].cap)) {
			*missing = ept_required[i].name;
			return -EOPNOTSUPP;
		}
	}
	if (!(ept_vpid_cap & (VMX_EPT_EXTENT_CONTEXT | VMX_EPT_EXTENT_GLOBAL))) {
		*missing = "VMX_EPT_EXTENT_CONTEXT or VMX_EPT_EXTENT_GLOBAL";
		return -EOPNOTSUPP;
	}
	return 0;
}

u64 ept_max_limit(u64 ept_vpid_cap)
{
	return ept_vpid_cap & VMX_EPT_PAGE_WALK_5 ? EPT_LIMIT_5 : EPT_LIMIT_4;
}

u64 ept_optional_caps(u64 ept_vpid_cap)
{
	return ept_vpid_cap & EPT_OPTIONAL_CAPS;
}

bool ept_usable(const struct vmx_caps *caps, const char **missing)
{
	if (!vmx_has_ept(caps)) {
		*missing = "the EPT control (SECONDARY_EXEC_ENABLE_EPT)";
		return false;
	}
	return !ept_check_caps(caps->ept_vpid, missing);
}

u64 ept_map_limit(const struct vmx_caps *caps, unsigned int phys_bits, u64 mem_end)
{
	const u64 gib = 1ULL << 30, all = 1ULL << phys_bits;
	const u64 max = ept_max_limit(caps->ept_vpid);
	u64 end = mem_end > 4 * gib ? mem_end : 4 * gib;

	/* all of it: a table per 512 GiB, at most 128 of them up to 2^46 */
	if (vmx_has_ept_1gb_pages(caps) && phys_bits <= EPT_ALL_BITS_1G)
		return all;
	/* rounded up to 1 GiB without overflowing when mem_end is near 2^64 */
	end = end > all - gib ? all : (end + gib - 1) & ~(gib - 1);
	end = end < all ? end : all;
	/* no more than the walk translates: ept_map_covers() says no if mem_end is beyond */
	return end < max ? end : max;
}

bool ept_map_covers(const struct vmx_caps *caps, unsigned int phys_bits, u64 mem_end,
		    u64 *limit)
{
	*limit = ept_map_limit(caps, phys_bits, mem_end);
	return mem_end <= *limit;
}

unsigned int ept_invept_type(u64 ept_vpid_cap)
{
	return ept_vpid_cap & VMX_EPT_EXTENT_CONTEXT ? INVEPT_SINGLE_CONTEXT :
						       INVEPT_ALL_CONTEXT;
}
