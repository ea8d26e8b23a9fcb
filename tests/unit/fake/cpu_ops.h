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
int cpu_rdmsr_safe(u32 msr, u64 *val);
int cpu_wrmsr_safe(u32 msr, u64 val);
u64 cpu_read_cr0(void);
u64 cpu_read_cr4(void);
void cpu_write_cr0(u64 v);
u64 cpu_read_cr3(void);
void cpu_write_cr3(u64 v);
void cpu_write_cr4(u64 v);
void cpu_write_cr2(u64 v);
u64 cpu_read_dr6(void);
void cpu_write_dr6(u64 v);
u64 cpu_read_dr7(void);
void cpu_write_dr7(u64 v);
u64 cpu_read_rflags(void);

struct cpu_dtr {
	u16 limit;
	u64 base;
} __attribute__((packed));

void cpu_sgdt(struct cpu_dtr *d);
void cpu_sidt(struct cpu_dtr *d);
void cpu_lgdt(const struct cpu_dtr *d);
void cpu_lidt(const struct cpu_dtr *d);

enum cpu_seg { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_LDTR, SEG_TR, SEG_NR };

u16 cpu_read_sel(enum cpu_seg s);
void cpu_write_sel(enum cpu_seg s, u16 v);
void cpu_lldt(u16 sel);
void cpu_ltr(u16 sel);
void cpu_pause(void);
bool cpu_lar(u16 sel, u32 *ar);
u32 cpu_lsl(u16 sel);
u64 cpu_rdtsc(void);
void cpu_xsetbv(u32 index, u64 val);
void cpu_wbinvd(void);
void cpu_lfence(void);
void cpu_unblock_nmis(void);

#define VMX_FAIL_INVALID	(-1)
#define VMX_FAIL_VALID		(-2)

int cpu_vmxon(u64 pa);
int cpu_vmxoff(void);
int cpu_vmclear(u64 pa);
int cpu_vmptrld(u64 pa);
u64 cpu_vmptrst(void);
int cpu_vmread(u64 field, u64 *val);
bool cpu_vmread_ok(u64 field, u64 *val);
int cpu_vmwrite(u64 field, u64 val);
int cpu_invept(u64 type, u64 eptp);
int cpu_invvpid(u64 type, u16 vpid, u64 gva);
u64 cpu_vmcall(u64 nr, u64 key, u64 arg);
u64 cpu_vmcall2(u64 nr, u64 key, u64 arg, u64 arg2);
u64 cpu_vmcall_nop_vmcall(u64 nr, u64 key, u64 arg0, u64 arg1);

#endif
