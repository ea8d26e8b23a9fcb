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

/*
 * RDMSR/WRMSR of an MSR that may not exist (arch/msr_safe.c): 0, or -EIO if the CPU
 * raised #GP, which the host IDT's #GP gate (arch/root_gp.S) turns into that return.  VMX root only (the
 * gate is in the host IDT, loaded by every VM exit).
 */
int cpu_rdmsr_safe(u32 msr, u64 *val);
int cpu_wrmsr_safe(u32 msr, u64 val);

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

static inline void cpu_write_cr0(u64 v)
{
	asm volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}

static inline u64 cpu_read_cr3(void)
{
	u64 v;

	asm volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

static inline void cpu_write_cr3(u64 v)
{
	asm volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}

static inline void cpu_write_cr4(u64 v)
{
	asm volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

/* CR2 and DR6 are not switched by VM entry and exit: in root they are the guest's. */
static inline void cpu_write_cr2(u64 v)
{
	asm volatile("mov %0, %%cr2" : : "r"(v) : "memory");
}

static inline u64 cpu_read_dr6(void)
{
	u64 v;

	asm volatile("mov %%dr6, %0" : "=r"(v));
	return v;
}

static inline void cpu_write_dr6(u64 v)
{
	asm volatile("mov %0, %%dr6" : : "r"(v));
}

static inline u64 cpu_read_dr7(void)
{
	u64 v;

	asm volatile("mov %%dr7, %0" : "=r"(v));
	return v;
}

static inline void cpu_write_dr7(u64 v)
{
	asm volatile("mov %0, %%dr7" : : "r"(v));
}

static inline u64 cpu_read_rflags(void)
{
	u64 v;

	asm volatile("pushfq; popq %0" : "=r"(v));
	return v;
}

struct cpu_dtr {
	u16 limit;
	u64 base;
} __packed;

static inline void cpu_sgdt(struct cpu_dtr *d)
{
	asm volatile("sgdt %0" : "=m"(*d));
}

static inline void cpu_sidt(struct cpu_dtr *d)
{
	asm volatile("sidt %0" : "=m"(*d));
}

static inline void cpu_lgdt(const struct cpu_dtr *d)
{
	asm volatile("lgdt %0" : : "m"(*d));
}

static inline void cpu_lidt(const struct cpu_dtr *d)
{
	asm volatile("lidt %0" : : "m"(*d));
}

/* Segment registers, by the index the SDM uses (ES, CS, SS, DS, FS, GS, LDTR, TR). */
enum cpu_seg { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_LDTR, SEG_TR, SEG_NR };

static inline u16 cpu_read_sel(enum cpu_seg s)
{
	u16 v = 0;

	switch (s) {
	case SEG_ES:
		asm volatile("mov %%es, %0" : "=r"(v));
		break;
	case SEG_CS:
		asm volatile("mov %%cs, %0" : "=r"(v));
		break;
	case SEG_SS:
		asm volatile("mov %%ss, %0" : "=r"(v));
		break;
	case SEG_DS:
		asm volatile("mov %%ds, %0" : "=r"(v));
		break;
	case SEG_FS:
		asm volatile("mov %%fs, %0" : "=r"(v));
		break;
	case SEG_GS:
		asm volatile("mov %%gs, %0" : "=r"(v));
		break;
	case SEG_LDTR:
		asm volatile("sldt %0" : "=r"(v));
		break;
	case SEG_TR:
		asm volatile("str %0" : "=r"(v));
		break;
	default:
		break;
	}
	return v;
}

/* Reload a data segment register (not CS, LDTR or TR). */
static inline void cpu_write_sel(enum cpu_seg s, u16 v)
{
	switch (s) {
	case SEG_ES:
		asm volatile("mov %0, %%es" : : "r"(v));
		break;
	case SEG_SS:
		asm volatile("mov %0, %%ss" : : "r"(v));
		break;
	case SEG_DS:
		asm volatile("mov %0, %%ds" : : "r"(v));
		break;
	case SEG_FS:
		asm volatile("mov %0, %%fs" : : "r"(v));
		break;
	case SEG_GS:
		asm volatile("mov %0, %%gs" : : "r"(v));
		break;
	default:
		break;
	}
}

/* LLDT: the LDT register, from a selector of the current GDT (0: no LDT). */
static inline void cpu_lldt(u16 sel)
{
	asm volatile("lldt %0" : : "rm"(sel));
}

/* PAUSE: a spin-wait hint. */
static inline void cpu_pause(void)
{
	asm volatile("pause" : : : "memory");
}

/* LTR: the task register, from an available TSS descriptor of the current GDT. */
static inline void cpu_ltr(u16 sel)
{
	asm volatile("ltr %0" : : "rm"(sel) : "memory");
}

/* LAR: the access-rights bytes of a selector's descriptor; ZF clear if invalid. */
static inline bool cpu_lar(u16 sel, u32 *ar)
{
	u32 v;
	bool ok;

	asm volatile("lar %2, %0\n\tsetz %1" : "=r"(v), "=qm"(ok) : "rm"((u32)sel) : "cc");
	*ar = v;
	return ok;
}

static inline u32 cpu_lsl(u16 sel)
{
	u32 v = 0;

	asm volatile("lsl %1, %0" : "+r"(v) : "rm"((u32)sel) : "cc");
	return v;
}

static inline u64 cpu_rdtsc(void)
{
	u32 lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

static inline void cpu_xsetbv(u32 index, u64 val)
{
	asm volatile("xsetbv" : : "c"(index), "a"((u32)val), "d"((u32)(val >> 32)));
}

/* A speculation barrier: later instructions do not start before it completes. */
static inline void cpu_lfence(void)
{
	asm volatile("lfence" : : : "memory");
}

static inline void cpu_wbinvd(void)
{
	asm volatile("wbinvd" : : : "memory");
}

/*
 * IRET to the next instruction, on the same stack: the one way to end the blocking of
 * NMIs that an NMI leaves behind when nothing else will IRET (SDM Vol. 3A, 6.7.1).
 */
static inline void cpu_unblock_nmis(void)
{
	unsigned long tmp;

	asm volatile("mov %%rsp, %0\n\t"
		     "push $0\n\t"		/* SS slot, filled below */
		     "push %0\n\t"
		     "pushfq\n\t"
		     "push $0\n\t"		/* CS slot */
		     "push $0\n\t"		/* RIP slot */
		     "mov %%ss, %k0\n\t"
		     "mov %0, 32(%%rsp)\n\t"
		     "mov %%cs, %k0\n\t"
		     "mov %0, 8(%%rsp)\n\t"
		     "lea 1f(%%rip), %0\n\t"
		     "mov %0, (%%rsp)\n\t"
		     "iretq\n"
		     "1:"
		     : "=&r"(tmp) : : "memory", "cc");
}

/*
 * VMX instructions (SDM Vol. 3C, chapter 31).  They report failure in RFLAGS:
 * CF = VMfailInvalid (no current VMCS), ZF = VMfailValid (error number in the current
 * VMCS's VM-instruction error field).  Each returns 0, -1 (invalid) or -2 (valid).
 */
#define VMX_FAIL_INVALID	(-1)
#define VMX_FAIL_VALID		(-2)

#define VMX_STATUS(cf, zf) ((cf) ? VMX_FAIL_INVALID : (zf) ? VMX_FAIL_VALID : 0)

static inline int cpu_vmxon(u64 pa)
{
	bool cf, zf;

	asm volatile("vmxon %2" : "=@ccc"(cf), "=@ccz"(zf) : "m"(pa) : "memory");
	return VMX_STATUS(cf, zf);
}

static inline int cpu_vmxoff(void)
{
	bool cf, zf;

	asm volatile("vmxoff" : "=@ccc"(cf), "=@ccz"(zf) : : "memory");
	return VMX_STATUS(cf, zf);
}

static inline int cpu_vmclear(u64 pa)
{
	bool cf, zf;

	asm volatile("vmclear %2" : "=@ccc"(cf), "=@ccz"(zf) : "m"(pa) : "memory");
	return VMX_STATUS(cf, zf);
}

static inline int cpu_vmptrld(u64 pa)
{
	bool cf, zf;

	asm volatile("vmptrld %2" : "=@ccc"(cf), "=@ccz"(zf) : "m"(pa) : "memory");
	return VMX_STATUS(cf, zf);
}

static inline u64 cpu_vmptrst(void)
{
	u64 pa = 0;

	asm volatile("vmptrst %0" : "=m"(pa) : : "memory");
	return pa;
}

static inline int cpu_vmread(u64 field, u64 *val)
{
	bool cf, zf;

	asm volatile("vmread %3, %2" : "=@ccc"(cf), "=@ccz"(zf), "=rm"(*val) : "r"(field));
	return VMX_STATUS(cf, zf);
}

/*
 * VMREAD for the exit path, where only success matters: one branch on CF or ZF
 * (either failure) instead of telling them apart.  True if it succeeded.
 */
static inline bool cpu_vmread_ok(u64 field, u64 *val)
{
	bool fail;

	asm volatile("vmread %2, %1" : "=@ccbe"(fail), "=rm"(*val) : "r"(field));
	return !fail;
}

static inline int cpu_vmwrite(u64 field, u64 val)
{
	bool cf, zf;

	asm volatile("vmwrite %3, %2" : "=@ccc"(cf), "=@ccz"(zf) : "r"(field), "rm"(val));
	return VMX_STATUS(cf, zf);
}

struct cpu_inv_desc {
	u64 a, b;
};

static inline int cpu_invept(u64 type, u64 eptp)
{
	struct cpu_inv_desc d = { eptp, 0 };
	bool cf, zf;

	asm volatile("invept %2, %3" : "=@ccc"(cf), "=@ccz"(zf) : "m"(d), "r"(type) : "memory");
	return VMX_STATUS(cf, zf);
}

static inline int cpu_invvpid(u64 type, u16 vpid, u64 gva)
{
	struct cpu_inv_desc d = { vpid, gva };
	bool cf, zf;

	asm volatile("invvpid %2, %3" : "=@ccc"(cf), "=@ccz"(zf) : "m"(d), "r"(type) : "memory");
	return VMX_STATUS(cf, zf);
}

/* VMCALL from the guest side: the hypercall ABI is in vmx.h. */
static inline u64 cpu_vmcall(u64 nr, u64 key, u64 arg)
{
	u64 ret;

	asm volatile("vmcall" : "=a"(ret) : "a"(nr), "c"(key), "d"(arg) : "memory");
	return ret;
}

/* The same with a second argument in RSI. */
static inline u64 cpu_vmcall2(u64 nr, u64 key, u64 arg, u64 arg2)
{
	u64 ret;

	asm volatile("vmcall" : "=a"(ret) : "a"(nr), "c"(key), "d"(arg), "S"(arg2) : "memory");
	return ret;
}

/*
 * Hypercall @nr with RDX = @arg0, one NOP, then @nr again with RDX = @arg1; the second
 * one's RAX is returned.  The probe of the monitor trap flag (vmx.c): its VM exit must
 * come after the NOP, the one instruction between the two VMCALLs.
 */
static inline u64 cpu_vmcall_nop_vmcall(u64 nr, u64 key, u64 arg0, u64 arg1)
{
	u64 rax = nr, rdx = arg0;

	/*
	 * The second call's number and argument in fixed registers of their own: with "r"
	 * the compiler may hand over the first call's RAX (the same value going in),
	 * which the first VMCALL has replaced by then.
	 */
	asm volatile("vmcall\n\t"
		     "nop\n\t"
		     "mov %%rsi, %%rax\n\t"
		     "mov %%rdi, %%rdx\n\t"
		     "vmcall"
		     : "+a"(rax), "+d"(rdx)
		     : "c"(key), "S"(nr), "D"(arg1)
		     : "memory");
	return rax;
}

#endif
