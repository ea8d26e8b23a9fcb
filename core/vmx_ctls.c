// SPDX-License-Identifier: GPL-2.0
/*
 * Control adjustment (SDM Vol. 3D, A.3-A.5: a control may be 1 only if its bit in the
 * capability MSR's high half is 1, and must be 1 if its bit in the low half is 1).
 */
#include "vmx_ctls.h"
#include "errors.h"
#include "vmcs.h"
#include "arch/x86.h"
#include <cpu_ops.h>

int vmx_ctl_adjust(const struct vmx_caps *caps, enum vmx_ctl ctl, u32 required,
		   u32 optional, struct vmx_ctl_choice *choice)
{
	u64 cap = vmx_ctl_cap(caps, ctl);
	u32 must_be_1 = (u32)cap, may_be_1 = (u32)(cap >> 32);

	choice->missing = required & ~may_be_1;
	choice->dropped = optional & ~required & ~may_be_1;
	choice->value = ((required | optional) & may_be_1) | must_be_1;
	return choice->missing ? -EOPNOTSUPP : 0;
}

enum { CPUID_EAX, CPUID_EBX, CPUID_ECX, CPUID_EDX };

static bool cpuid_bit(u32 leaf, u32 sub, int reg, u32 bit)
{
	u32 r[4], max;

	cpu_cpuid(leaf & 0x80000000, 0, r);
	max = r[0];
	if (leaf > max)
		return false;
	cpu_cpuid(leaf, sub, r);
	return r[reg] & bit;
}

void vmx_ctls_wanted(bool ept, struct vmx_ctl_want want[VMX_CTL_NR])
{
	/*
	 * NMIs exit, and with virtual NMIs the guest's NMI blocking is tracked in the
	 * VMCS, so a held NMI can wait for an NMI-window exit (SDM Vol. 3C, 25.6.1,
	 * 26.3).  NMI-window exiting is required here only to name it when it is
	 * missing; it is switched on when needed (exit.c).
	 */
	want[VMX_CTL_PIN] = (struct vmx_ctl_want){ VMX_CTL_PIN, PIN_BASED_VM_EXEC_CONTROL,
		PIN_BASED_NMI_EXITING | PIN_BASED_VIRTUAL_NMIS, 0 };
	want[VMX_CTL_PROC] = (struct vmx_ctl_want){ VMX_CTL_PROC, CPU_BASED_VM_EXEC_CONTROL,
		CPU_BASED_USE_MSR_BITMAPS | CPU_BASED_ACTIVATE_SECONDARY_CONTROLS |
		CPU_BASED_NMI_WINDOW_EXITING, 0 };
	/* instructions the OS may use: without these controls they raise #UD */
	want[VMX_CTL_PROC2] = (struct vmx_ctl_want){ VMX_CTL_PROC2, SECONDARY_VM_EXEC_CONTROL,
		(cpuid_bit(0x80000001, 0, CPUID_EDX, BIT(27)) ? SECONDARY_EXEC_ENABLE_RDTSCP : 0) |
		(cpuid_bit(7, 0, CPUID_EBX, BIT(10)) ? SECONDARY_EXEC_ENABLE_INVPCID : 0) |
		(cpuid_bit(0xd, 1, CPUID_EAX, BIT(3)) ? SECONDARY_EXEC_ENABLE_XSAVES : 0) |
		(cpuid_bit(7, 0, CPUID_ECX, BIT(5)) ? SECONDARY_EXEC_ENABLE_USR_WAIT_PAUSE : 0) |
		(ept ? SECONDARY_EXEC_ENABLE_EPT : 0),
		SECONDARY_EXEC_ENABLE_VPID };
	want[VMX_CTL_EXIT] = (struct vmx_ctl_want){ VMX_CTL_EXIT, VM_EXIT_CONTROLS,
		VM_EXIT_HOST_ADDR_SPACE_SIZE | VM_EXIT_SAVE_IA32_EFER | VM_EXIT_LOAD_IA32_EFER |
		VM_EXIT_SAVE_IA32_PAT | VM_EXIT_LOAD_IA32_PAT | VM_EXIT_SAVE_DEBUG_CONTROLS, 0 };
	want[VMX_CTL_ENTRY] = (struct vmx_ctl_want){ VMX_CTL_ENTRY, VM_ENTRY_CONTROLS,
		VM_ENTRY_IA32E_MODE | VM_ENTRY_LOAD_IA32_EFER | VM_ENTRY_LOAD_IA32_PAT |
		VM_ENTRY_LOAD_DEBUG_CONTROLS, 0 };
}
