/* SPDX-License-Identifier: GPL-2.0 */
/* `subzero vmcs --check`: the VM-entry checker (core/entry_check.c) on a dumped VMCS. */
#ifndef SUBZERO_TOOLS_VMCS_CHECK_H
#define SUBZERO_TOOLS_VMCS_CHECK_H

#include <stdbool.h>

#include "uapi/subzero.h"
#include "vmx_caps.h"

/* MAXPHYADDR and the linear-address width into @caps, from this CPU's CPUID. */
void vmcs_check_cpuid(struct vmx_caps *caps);

/*
 * Check one CPU's dumped VMCS and print the verdict through the output layer: a line
 * per CPU and one per broken rule; in JSON one element of the open "cpus" array.
 * Returns how many rules the VMCS breaks.
 */
unsigned int vmcs_check_print(const struct subzero_vmcs *vm, const struct vmx_caps *caps,
			      double time_s);

#endif
