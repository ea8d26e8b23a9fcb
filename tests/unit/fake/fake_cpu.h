/* SPDX-License-Identifier: GPL-2.0 */
/* Profiles and inspection for the fake CPU (see cpu_ops.h beside this file). */
#ifndef SUBZERO_FAKE_CPU_H
#define SUBZERO_FAKE_CPU_H

#include "types.h"

#define FAKE_MAX_MSRS 80

struct fake_msr {
	u32 msr;
	u64 val;
};

struct fake_cpu_profile {
	const char *name;
	u32 cpuid1_ecx;
	u32 cpuid1_edx;
	u32 cpuid_ext_max;		/* CPUID.80000000H:EAX; 0: no extended leaves */
	u32 cpuid_ext8_eax;		/* CPUID.80000008H:EAX (address sizes) */
	struct fake_msr msrs[FAKE_MAX_MSRS];	/* ends at the first msr == 0 */
};

/*
 * Bochs 2.7 corei7_haswell_4770: the VMX MSRs exactly as the emulated guest reads them
 * (e2e caps.json); CPUID.1:ECX/EDX are representative values with VMX and MTRR set,
 * and the CPU has 39 physical-address bits like a real i7-4770.
 *
 * Its MTRRs are a typical firmware layout, not what the emulator's boot leaves:
 *   MTRRCAP 10 variable ranges, fixed ranges, WC, SMRR; default type UC;
 *   fixed: WB 0-9FFFF, UC A0000-BFFFF (VGA), WP C0000-C7FFF (video ROM),
 *          UC C8000-DFFFF, WP E0000-FFFFF (system ROM);
 *   var0 WB 0-4G, var1 UC C0000000-FFFFFFFF (MMIO hole), var2 WB 4G-8G;
 *   SMRR: TSEG BF800000-BFFFFFFF (8 MiB).
 */
extern const struct fake_cpu_profile fake_haswell;
/* An x86-64 CPU without VMX (CPUID.1:ECX.VMX = 0, no VMX MSRs). */
extern const struct fake_cpu_profile fake_no_vmx;

/* What each cpu_rdtsc() adds to the fake TSC (100 unless a test changes it). */
extern u64 fake_tsc_step;

/* Make @p the current CPU, with fresh counters. */
void fake_cpu_load(const struct fake_cpu_profile *p);
/* Change (or add) one MSR of the current CPU. */
void fake_cpu_set_msr(u32 msr, u64 val);
/* Remove one MSR: reading it will count as a #GP. */
void fake_cpu_drop_msr(u32 msr);
/*
 * RDMSR as the OS's rdmsr_safe() does it: 0 and *val, or -1 (and no #GP counted) if
 * the CPU does not have the MSR.
 */
int fake_cpu_rdmsr_safe(u32 msr, u64 *val);
/* How many safe RDMSRs faulted (and were fixed up). */
unsigned int fake_cpu_safe_fault_count(void);
/* How many RDMSRs hit an MSR the CPU does not have. */
unsigned int fake_cpu_gp_count(void);
/* How many RDMSRs were made in all. */
unsigned int fake_cpu_rdmsr_count(void);

/* Registers and VMX state of the fake CPU, for tests to set up and inspect. */
struct fake_cpu_state {
	u64 cr0, cr2, cr3, cr4, xcr0, dr6;
	bool vmx_on;			/* between VMXON and VMXOFF */
	u64 current_vmcs;		/* VMPTRLD'd address, ~0 if none */
	int vmxon_result;		/* what the next VMXON returns */
	int launch_result;		/* what vmx_launch() returns */
	unsigned int mtf_probes;	/* cpu_vmcall_nop_vmcall() calls (the MTF probe) */
	unsigned int invvpid_calls;
	unsigned int invvpid_last_type;
	unsigned int vpid0_flushes;	/* CR4.PGE toggled outside VMX operation */
	unsigned int wbinvd_calls;
	unsigned int unblock_nmi_calls;	/* IRETs to end NMI blocking */
	/*
	 * The order of operations: every register load below bumps seq and records it,
	 * so a test can check what happened before what.
	 */
	unsigned int seq;
	u16 sel[10];			/* selectors loaded, by enum cpu_seg (LDTR too) */
	unsigned int seq_sel[10];	/* when (0: never) */
	unsigned int seq_lidt, seq_vmxoff, seq_gs_base;
	u64 idt_base;			/* the last LIDT */
	u64 gdt_base;			/* the last LGDT */
	unsigned int seq_lgdt;
	unsigned int lfences;
	u64 spec_ctrl_writes[8];	/* WRMSRs of IA32_SPEC_CTRL, in order */
	unsigned int nr_spec_ctrl_writes;
	u32 cpuid_max;			/* CPUID.0:EAX, the highest basic leaf (0 at load) */
	u32 cpuid_d1_eax;		/* CPUID.(EAX=0DH,ECX=1):EAX (XSAVES: bit 3) */
	u32 cpuid_7_1_eax;		/* CPUID.(EAX=07H,ECX=1):EAX (LAM: bit 26) */
	u64 xcr0_supported;		/* CPUID.(EAX=0DH,ECX=0):EDX:EAX, 7 at load */
	unsigned int root_faults;	/* instructions that would have faulted in root */
	unsigned int self_nmis;		/* NMIs sent to self through the local APIC */
};
extern struct fake_cpu_state fake_cpu;

/* The fake VMCS: every field of vmcs_fields.h; writes to read-only fields fail. */
void fake_vmcs_reset(void);
u64 fake_vmcs_get(u32 field);
void fake_vmcs_set(u32 field, u64 val);	/* also read-only ones, as hardware would */
/* Whether @field was VMWRITten since the last reset. */
bool fake_vmcs_written(u32 field);
/* Make @field one this CPU does not support: VMREAD/VMWRITE fail with error 12. */
void fake_vmcs_unsupport(u32 field);

void fake_cpu_set_linux_msrs(void);

#endif
