/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fake CPU for host unit tests: the same functions as core/arch/cpu_ops.h, backed
 * by a profile of CPUID and MSR values (fake_cpu.c).  Reading an MSR the profile does
 * not have counts as a #GP, which tests check never happens: core/ must follow the
 * SDM's rules for which MSRs exist.
 */
#ifndef SUBZERO_FAKE_CPU_OPS_H
#define SUBZERO_FAKE_CPU_OPS_H

#include "types.h"

void cpu_cpuid(u32 leaf, u32 subleaf, u32 regs[4]);
u64 cpu_rdmsr(u32 msr);
void cpu_wrmsr(u32 msr, u64 val);
u64 cpu_read_cr0(void);
u64 cpu_read_cr4(void);

#endif
