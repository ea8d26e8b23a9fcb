/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The CPU as the tool sees it from user space: the functions core/vmx_caps.c and
 * core/vmx_ctls.c call (CPUID, RDMSR), run on the CPU chosen with cpu_select() (the
 * process is pinned there, MSRs come from /dev/cpu/N/msr).  It stands in for
 * core/arch/cpu_ops.h by include path, as tests/unit/fake/cpu_ops.h does, so `subzero
 * caps` and `subzero check` apply the module's own capability rules (tools/cpu.c).
 */
#ifndef SUBZERO_TOOL_CPU_OPS_H
#define SUBZERO_TOOL_CPU_OPS_H

#include "types.h"

void cpu_cpuid(u32 leaf, u32 subleaf, u32 regs[4]);

/* An MSR of the selected CPU; 0 if it cannot be read (cpu_msr_error() says why). */
u64 cpu_rdmsr(u32 msr);

#endif
