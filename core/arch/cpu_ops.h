/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hardware instructions core/ uses, one small inline function each.
 *
 * Every core file reaches the CPU only through this header, included as <cpu_ops.h>:
 * the module build puts core/arch/ on the include path, the host unit tests put
 * tests/unit/fake/ there instead, whose cpu_ops.h declares the same functions and
 * links a fake CPU (MSR and CPUID profiles, a fake VMCS).
 *
 * All of these may run in VMX root.
 */
#ifndef SUBZERO_CPU_OPS_H
#define SUBZERO_CPU_OPS_H

#include "../types.h"

static inline void cpu_cpuid(u32 leaf, u32 subleaf, u32 regs[4])
{
	asm volatile("cpuid"
		     : "=a"(regs[0]), "=b"(regs[1]), "=c"(regs[2]), "=d"(regs[3])
		     : "a"(leaf), "c"(subleaf));
}

/* The caller must know the MSR exists: core/ follows the SDM's enumeration rules. */
static inline u64 cpu_rdmsr(u32 msr)
{
	u32 lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}

static inline void cpu_wrmsr(u32 msr, u64 val)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((u32)val), "d"((u32)(val >> 32)) : "memory");
}

static inline u64 cpu_read_cr0(void)
{
	u64 v;

	asm volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static inline u64 cpu_read_cr4(void)
{
	u64 v;

	asm volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

#endif
