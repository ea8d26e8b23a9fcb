/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VMX capabilities: what this CPU's VMX implementation allows, read once per CPU from
 * the capability MSRs (SDM Vol. 3D, Appendix A) into one config that every CPU must
 * match.  Everything later (control adjustment, EPT, VPID) asks this config.
 */
#ifndef SUBZERO_VMX_CAPS_H
#define SUBZERO_VMX_CAPS_H

#include "types.h"

/* Which capability MSRs exist on this CPU: the SDM says when each may be read. */
#define VMX_CAPS_HAVE_PROCBASED2	BIT(0)	/* primary ctls allow secondary */
#define VMX_CAPS_HAVE_EPT_VPID		BIT(1)	/* secondary allows EPT or VPID */
#define VMX_CAPS_HAVE_TRUE_CTLS		BIT(2)	/* IA32_VMX_BASIC[55] */
#define VMX_CAPS_HAVE_VMFUNC		BIT(3)	/* secondary allows VM functions */

struct vmx_caps {
	u32 cpuid1_ecx;
	u32 have;			/* VMX_CAPS_HAVE_* */
	u64 feature_control;
	u64 basic;
	u64 pinbased;
	u64 procbased;
	u64 procbased2;
	u64 exit;
	u64 entry;
	u64 true_pinbased;
	u64 true_procbased;
	u64 true_exit;
	u64 true_entry;
	u64 misc;
	u64 cr0_fixed0;
	u64 cr0_fixed1;
	u64 cr4_fixed0;
	u64 cr4_fixed1;
	u64 vmcs_enum;
	u64 ept_vpid;
	u64 vmfunc;
	/* CPUID facts the VM-entry checks need (entry_check.c), not compared per CPU */
	u8 phys_bits;			/* MAXPHYADDR, CPUID.80000008H:EAX[7:0] */
	u8 virt_bits;			/* linear-address width, CPUID.80000008H:EAX[15:8] */
	bool lam;			/* LAM, CPUID.(EAX=07H,ECX=1):EAX[26]: CR3[62:61] */
};

/*
 * Read this CPU's capabilities.  Returns -ENODEV if CPUID says there is no VMX, in
 * which case no VMX MSR was touched (on such a CPU they do not exist).  Runs on the CPU
 * it describes; safe in any context.
 */
int vmx_caps_read(struct vmx_caps *caps);

/*
 * Compare two CPUs' capabilities.  Returns 0 when they agree, else -EINVAL with
 * *field naming the first capability that differs.
 */
int vmx_caps_compare(const struct vmx_caps *a, const struct vmx_caps *b,
		     const char **field);

/*
 * Queries on the config, by the SDM's names, so no caller tests a raw bit.  A control
 * is "had" when its allowed-1 bit is set (SDM Vol. 3D, A.3), in the TRUE_ MSR where the
 * CPU has one; an EPT/VPID capability when its bit of IA32_VMX_EPT_VPID_CAP is (A.10).
 * Pure: safe anywhere.
 */
bool vmx_has_ept(const struct vmx_caps *caps);		/* SECONDARY_EXEC_ENABLE_EPT */
bool vmx_has_vpid(const struct vmx_caps *caps);		/* SECONDARY_EXEC_ENABLE_VPID */
bool vmx_has_mtf(const struct vmx_caps *caps);		/* CPU_BASED_MONITOR_TRAP_FLAG */
bool vmx_has_preemption_timer(const struct vmx_caps *caps);	/* PIN_BASED_VMX_PREEMPTION_TIMER */
bool vmx_has_ept_1gb_pages(const struct vmx_caps *caps);	/* VMX_EPT_1GB_PAGE */

#endif
