// SPDX-License-Identifier: GPL-2.0
/*
 * What the EPT needs from the CPU and what it may use (SDM Vol. 3D, A.10): pure
 * functions of IA32_VMX_EPT_VPID_CAP and the secondary controls, apart from ept.c so
 * that `subzero check` applies the module's own rules before the module is loaded.
 */
#include "ept.h"
#include "errors.h"
#include "vmx_decode.h"
#include "arch/x86.h"

static const struct {
	u64 cap;
	const char *name;
} ept_required[] = {
	{ VMX_EPT_PAGE_WALK_4, "VMX_EPT_PAGE_WALK_4" },
	{ VMX_EPTP_WB, "VMX_EPTP_WB" },
	{ VMX_EPT_INVEPT, "VMX_EPT_INVEPT" },
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

u64 ept_optional_caps(u64 ept_vpid_cap)
{
	return ept_vpid_cap & EPT_OPTIONAL_CAPS;
}

unsigned int ept_invept_type(u64 ept_vpid_cap)
{
	return ept_vpid_cap & VMX_EPT_EXTENT_CONTEXT ? INVEPT_SINGLE_CONTEXT :
						       INVEPT_ALL_CONTEXT;
}

int ept_usable(const struct vmx_caps *caps, const char **missing)
{
	/* allowed-1 of the secondary control "enable EPT" (A.3.3) */
	*missing = NULL;
	if (!(vmx_ctl_cap(caps, VMX_CTL_PROC2) >> 32 & SECONDARY_EXEC_ENABLE_EPT)) {
		*missing = "SECONDARY_EXEC_ENABLE_EPT";
		return -EOPNOTSUPP;
	}
	return ept_check_caps(caps->ept_vpid, missing);
}
