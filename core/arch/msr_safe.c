// SPDX-License-Identifier: GPL-2.0
/*
 * RDMSR and WRMSR of an MSR that may not exist, in VMX root (see cpu_ops.h).  The
 * instruction sits at a global label the host IDT's #GP gate (root_gp.S) knows: a #GP
 * there resumes at the next label, with the error already in place, so the fixup is
 * no code of its own (nothing unreachable for objtool) and the result is -EIO.  Each
 * label is on an ENDBR64 (a NOP without CET), so that the gate may take their addresses
 * under kernel IBT; the instruction proper is 4 bytes further on.
 * Never inlined or cloned: each label must exist exactly once.
 */
#include <cpu_ops.h>

#define MSR_SAFE_EIO	(-5)

noinline __noclone int cpu_rdmsr_safe(u32 msr, u64 *val)
{
	u32 lo = 0, hi = 0;
	int err;

	asm volatile("mov %[eio], %[err]\n\t"
		     ".globl vmx_rdmsr_insn\n"
		     "vmx_rdmsr_insn:\n\t"
		     "endbr64\n\t"
		     "rdmsr\n\t"
		     "xor %[err], %[err]\n"
		     ".globl vmx_rdmsr_fixup\n"
		     "vmx_rdmsr_fixup:\n\t"
		     "endbr64"
		     : [err] "=&r"(err), "+a"(lo), "+d"(hi)
		     : "c"(msr), [eio] "i"(MSR_SAFE_EIO)
		     : "cc");
	if (!err)
		*val = ((u64)hi << 32) | lo;
	return err;
}

noinline __noclone int cpu_wrmsr_safe(u32 msr, u64 val)
{
	int err;

	asm volatile("mov %[eio], %[err]\n\t"
		     ".globl vmx_wrmsr_insn\n"
		     "vmx_wrmsr_insn:\n\t"
		     "endbr64\n\t"
		     "wrmsr\n\t"
		     "xor %[err], %[err]\n"
		     ".globl vmx_wrmsr_fixup\n"
		     "vmx_wrmsr_fixup:\n\t"
		     "endbr64"
		     : [err] "=&r"(err)
		     : "c"(msr), "a"((u32)val), "d"((u32)(val >> 32)), [eio] "i"(MSR_SAFE_EIO)
		     : "cc", "memory");
	return err;
}
