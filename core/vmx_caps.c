// SPDX-License-Identifier: GPL-2.0
/*
 * Reading and comparing VMX capability MSRs (SDM Vol. 3D, Appendix A).
 */
#include "vmx_caps.h"
#include "errors.h"
#include "vmx_decode.h"
#include "arch/x86.h"
#include <cpu_ops.h>

/* The allowed-1 half of a control MSR says whether a control may be set to 1. */
static bool allowed1(u64 ctl_msr, u32 bit)
{
	return (ctl_msr >> 32) & bit;
}

int vmx_caps_read(struct vmx_caps *caps)
{
	u32 regs[4];

	*caps = (struct vmx_caps){ 0 };
	cpu_cpuid(1, 0, regs);
	caps->cpuid1_ecx = regs[2];
	if (!(caps->cpuid1_ecx & X86_FEATURE_ECX_VMX))
		return -ENODEV;
	/* SDM Vol. 2A, CPUID leaf 80000008H; without it: 36 physical, 48 linear bits. */
	caps->phys_bits = 36;
	caps->virt_bits = 48;
	cpu_cpuid(0x80000000, 0, regs);
	if (regs[0] >= 0x80000008) {
		cpu_cpuid(0x80000008, 0, regs);
		caps->phys_bits = (u8)regs[0];
		caps->virt_bits = (u8)(regs[0] >> 8);
	}
	/* LAM makes CR3 bits 62:61 legal (VM entry checks them: entry_check.c) */
	cpu_cpuid(0, 0, regs);
	if (regs[0] >= 7) {
		cpu_cpuid(7, 1, regs);
		caps->lam = regs[0] & X86_FEATURE_7_1_EAX_LAM;
	}

	/* SDM Vol. 3C, 23.7: IA32_FEATURE_CONTROL exists on every CPU with VMX. */
	caps->feature_control = cpu_rdmsr(MSR_IA32_FEATURE_CONTROL);
	caps->basic = cpu_rdmsr(MSR_IA32_VMX_BASIC);
	caps->pinbased = cpu_rdmsr(MSR_IA32_VMX_PINBASED_CTLS);
	caps->procbased = cpu_rdmsr(MSR_IA32_VMX_PROCBASED_CTLS);
	caps->exit = cpu_rdmsr(MSR_IA32_VMX_EXIT_CTLS);
	caps->entry = cpu_rdmsr(MSR_IA32_VMX_ENTRY_CTLS);
	caps->misc = cpu_rdmsr(MSR_IA32_VMX_MISC);
	caps->cr0_fixed0 = cpu_rdmsr(MSR_IA32_VMX_CR0_FIXED0);
	caps->cr0_fixed1 = cpu_rdmsr(MSR_IA32_VMX_CR0_FIXED1);
	caps->cr4_fixed0 = cpu_rdmsr(MSR_IA32_VMX_CR4_FIXED0);
	caps->cr4_fixed1 = cpu_rdmsr(MSR_IA32_VMX_CR4_FIXED1);
	caps->vmcs_enum = cpu_rdmsr(MSR_IA32_VMX_VMCS_ENUM);

	/* A.1: the TRUE_ MSRs exist iff IA32_VMX_BASIC[55] is 1. */
	if (caps->basic & VMX_BASIC_TRUE_CTLS) {
		caps->have |= VMX_CAPS_HAVE_TRUE_CTLS;
		caps->true_pinbased = cpu_rdmsr(MSR_IA32_VMX_TRUE_PINBASED_CTLS);
		caps->true_procbased = cpu_rdmsr(MSR_IA32_VMX_TRUE_PROCBASED_CTLS);
		caps->true_exit = cpu_rdmsr(MSR_IA32_VMX_TRUE_EXIT_CTLS);
		caps->true_entry = cpu_rdmsr(MSR_IA32_VMX_TRUE_ENTRY_CTLS);
	}

	/* A.3.3: IA32_VMX_PROCBASED_CTLS2 exists iff secondary controls may be 1. */
	if (!allowed1(caps->procbased, CPU_BASED_ACTIVATE_SECONDARY_CONTROLS))
		return 0;
	caps->have |= VMX_CAPS_HAVE_PROCBASED2;
	caps->procbased2 = cpu_rdmsr(MSR_IA32_VMX_PROCBASED_CTLS2);

	/* A.10: IA32_VMX_EPT_VPID_CAP exists iff EPT or VPID may be enabled. */
	if (allowed1(caps->procbased2, SECONDARY_EXEC_ENABLE_EPT | SECONDARY_EXEC_ENABLE_VPID)) {
		caps->have |= VMX_CAPS_HAVE_EPT_VPID;
		caps->ept_vpid = cpu_rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);
	}
	/* A.11: IA32_VMX_VMFUNC exists iff VM functions may be enabled. */
	if (allowed1(caps->procbased2, SECONDARY_EXEC_ENABLE_VMFUNC)) {
		caps->have |= VMX_CAPS_HAVE_VMFUNC;
		caps->vmfunc = cpu_rdmsr(MSR_IA32_VMX_VMFUNC);
	}
	return 0;
}

#define CAP_FIELD(f) { #f, offsetof(struct vmx_caps, f) }

static const struct {
	const char *name;
	size_t offset;
} vmx_caps_fields[] = {
	CAP_FIELD(feature_control), CAP_FIELD(basic), CAP_FIELD(pinbased),
	CAP_FIELD(procbased), CAP_FIELD(procbased2), CAP_FIELD(exit), CAP_FIELD(entry),
	CAP_FIELD(true_pinbased), CAP_FIELD(true_procbased), CAP_FIELD(true_exit),
	CAP_FIELD(true_entry), CAP_FIELD(misc), CAP_FIELD(cr0_fixed0),
	CAP_FIELD(cr0_fixed1), CAP_FIELD(cr4_fixed0), CAP_FIELD(cr4_fixed1),
	CAP_FIELD(vmcs_enum), CAP_FIELD(ept_vpid), CAP_FIELD(vmfunc),
};

int vmx_caps_compare(const struct vmx_caps *a, const struct vmx_caps *b,
		     const char **field)
{
	size_t i;

	*field = NULL;
	/* The hypervisor-present bit and APIC IDs may differ; VMX support may not. */
	if ((a->cpuid1_ecx ^ b->cpuid1_ecx) & X86_FEATURE_ECX_VMX) {
		*field = "cpuid1_ecx.vmx";
		return -EINVAL;
	}
	if (a->have != b->have) {
		*field = "have";
		return -EINVAL;
	}
	for (i = 0; i < ARRAY_SIZE(vmx_caps_fields); i++) {
		const u64 *va = (const u64 *)((const char *)a + vmx_caps_fields[i].offset);
		const u64 *vb = (const u64 *)((const char *)b + vmx_caps_fields[i].offset);

		if (*va != *vb) {
			*field = vmx_caps_fields[i].name;
			return -EINVAL;
		}
	}
	return 0;
}

bool vmx_has_ept(const struct vmx_caps *caps)
{
	return allowed1(vmx_ctl_cap(caps, VMX_CTL_PROC2), SECONDARY_EXEC_ENABLE_EPT);
}

bool vmx_has_vpid(const struct vmx_caps *caps)
{
	return allowed1(vmx_ctl_cap(caps, VMX_CTL_PROC2), SECONDARY_EXEC_ENABLE_VPID);
}

bool vmx_has_mtf(const struct vmx_caps *caps)
{
	return allowed1(vmx_ctl_cap(caps, VMX_CTL_PROC), CPU_BASED_MONITOR_TRAP_FLAG);
}

bool vmx_has_preemption_timer(const struct vmx_caps *caps)
{
	return allowed1(vmx_ctl_cap(caps, VMX_CTL_PIN), PIN_BASED_VMX_PREEMPTION_TIMER);
}

bool vmx_has_ept_1gb_pages(const struct vmx_caps *caps)
{
	return vmx_has_ept(caps) && (caps->ept_vpid & VMX_EPT_1GB_PAGE);
}
