// SPDX-License-Identifier: GPL-2.0
/*
 * Control adjustment (SDM Vol. 3D, A.3-A.5: a control may be 1 only if its bit in the
 * capability MSR's high half is 1, and must be 1 if its bit in the low half is 1).
 */
#include "vmx_ctls.h"
#include "errors.h"

int vmx_ctl_adjust(const struct vmx_caps *caps, enum vmx_ctl ctl, u32 required,
		   u32 optional, struct vmx_ctl_choice *choice)
{
	u64 cap = vmx_ctl_cap(caps, ctl);
	u32 must_be_1 = (u32)cap, may_be_1 = (u32)(cap >> 32);

	choice->missing = required & ~may_be_1;
	choice->dropped = optional & ~required & ~may_be_1;
	choice->value = ((required | optional) & may_be_1) | must_be_1;
	return choice->missing ? -EOPNOTSUPP : 0;
}
