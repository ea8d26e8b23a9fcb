// SPDX-License-Identifier: GPL-2.0
/*
 * Names of VMX control and capability bits (SDM Vol. 3C, 25.6-25.8; Vol. 3D, A.10).
 */
#include "vmx_decode.h"
#include "arch/x86.h"

static const struct vmx_bit_name pin_bits[] = {
	{ 0, "EXT_INTR_MASK" }, { 3, "NMI_EXITING" }, { 5, "VIRTUAL_NMIS" },
	{ 6, "VMX_PREEMPTION_TIMER" }, { 7, "POSTED_INTR" },
};

static const struct vmx_bit_name proc_bits[] = {
	{ 2, "INTR_WINDOW_EXITING" }, { 3, "USE_TSC_OFFSETTING" }, { 7, "HLT_EXITING" },
	{ 9, "INVLPG_EXITING" }, { 10, "MWAIT_EXITING" }, { 11, "RDPMC_EXITING" },
	{ 12, "RDTSC_EXITING" }, { 15, "CR3_LOAD_EXITING" }, { 16, "CR3_STORE_EXITING" },
	{ 17, "ACTIVATE_TERTIARY_CONTROLS" }, { 19, "CR8_LOAD_EXITING" },
	{ 20, "CR8_STORE_EXITING" }, { 21, "TPR_SHADOW" }, { 22, "NMI_WINDOW_EXITING" },
	{ 23, "MOV_DR_EXITING" }, { 24, "UNCOND_IO_EXITING" }, { 25, "USE_IO_BITMAPS" },
	{ 27, "MONITOR_TRAP_FLAG" }, { 28, "USE_MSR_BITMAPS" }, { 29, "MONITOR_EXITING" },
	{ 30, "PAUSE_EXITING" }, { 31, "ACTIVATE_SECONDARY_CONTROLS" },
};

static const struct vmx_bit_name proc2_bits[] = {
	{ 0, "VIRTUALIZE_APIC_ACCESSES" }, { 1, "ENABLE_EPT" }, { 2, "DESC" },
	{ 3, "ENABLE_RDTSCP" }, { 4, "VIRTUALIZE_X2APIC_MODE" }, { 5, "ENABLE_VPID" },
	{ 6, "WBINVD_EXITING" }, { 7, "UNRESTRICTED_GUEST" }, { 8, "APIC_REGISTER_VIRT" },
	{ 9, "VIRTUAL_INTR_DELIVERY" }, { 10, "PAUSE_LOOP_EXITING" },
	{ 11, "RDRAND_EXITING" }, { 12, "ENABLE_INVPCID" }, { 13, "ENABLE_VMFUNC" },
	{ 14, "SHADOW_VMCS" }, { 15, "ENCLS_EXITING" }, { 16, "RDSEED_EXITING" },
	{ 17, "ENABLE_PML" }, { 18, "EPT_VIOLATION_VE" }, { 19, "PT_CONCEAL_VMX" },
	{ 20, "ENABLE_XSAVES" }, { 22, "MODE_BASED_EPT_EXEC" },
	{ 23, "SUB_PAGE_PERMISSIONS" }, { 24, "PT_USE_GPA" }, { 25, "TSC_SCALING" },
	{ 26, "ENABLE_USR_WAIT_PAUSE" }, { 27, "ENABLE_PCONFIG" }, { 28, "ENCLV_EXITING" },
	{ 30, "BUS_LOCK_DETECTION" },
};

static const struct vmx_bit_name exit_bits[] = {
	{ 2, "SAVE_DEBUG_CONTROLS" }, { 9, "HOST_ADDR_SPACE_SIZE" },
	{ 12, "LOAD_IA32_PERF_GLOBAL_CTRL" }, { 15, "ACK_INTR_ON_EXIT" },
	{ 18, "SAVE_IA32_PAT" }, { 19, "LOAD_IA32_PAT" }, { 20, "SAVE_IA32_EFER" },
	{ 21, "LOAD_IA32_EFER" }, { 22, "SAVE_VMX_PREEMPTION_TIMER" },
	{ 23, "CLEAR_BNDCFGS" }, { 24, "PT_CONCEAL_PIP" }, { 25, "CLEAR_IA32_RTIT_CTL" },
	{ 28, "LOAD_CET_STATE" },
};

static const struct vmx_bit_name entry_bits[] = {
	{ 2, "LOAD_DEBUG_CONTROLS" }, { 9, "IA32E_MODE" }, { 10, "SMM" },
	{ 11, "DEACT_DUAL_MONITOR" }, { 13, "LOAD_IA32_PERF_GLOBAL_CTRL" },
	{ 14, "LOAD_IA32_PAT" }, { 15, "LOAD_IA32_EFER" }, { 16, "LOAD_BNDCFGS" },
	{ 17, "PT_CONCEAL_PIP" }, { 18, "LOAD_IA32_RTIT_CTL" }, { 20, "LOAD_CET_STATE" },
};

const struct vmx_ctl_desc vmx_ctl_descs[VMX_CTL_NR] = {
	[VMX_CTL_PIN] = { "pin-based", "PIN_BASED_", pin_bits, ARRAY_SIZE(pin_bits) },
	[VMX_CTL_PROC] = { "primary processor-based", "CPU_BASED_", proc_bits,
			   ARRAY_SIZE(proc_bits) },
	[VMX_CTL_PROC2] = { "secondary processor-based", "SECONDARY_EXEC_", proc2_bits,
			    ARRAY_SIZE(proc2_bits) },
	[VMX_CTL_EXIT] = { "VM-exit", "VM_EXIT_", exit_bits, ARRAY_SIZE(exit_bits) },
	[VMX_CTL_ENTRY] = { "VM-entry", "VM_ENTRY_", entry_bits, ARRAY_SIZE(entry_bits) },
};

const struct vmx_bit_name vmx_ept_vpid_bits[] = {
	{ 0, "EPT_EXECUTE_ONLY" }, { 6, "EPT_PAGE_WALK_4" }, { 7, "EPT_PAGE_WALK_5" },
	{ 8, "EPTP_UC" }, { 14, "EPTP_WB" }, { 16, "EPT_2MB_PAGE" }, { 17, "EPT_1GB_PAGE" },
	{ 20, "EPT_INVEPT" }, { 21, "EPT_AD" }, { 22, "EPT_ADVANCED_VIOLATION_INFO" },
	{ 23, "EPT_SUPERVISOR_SHADOW_STACK" }, { 25, "EPT_EXTENT_CONTEXT" },
	{ 26, "EPT_EXTENT_GLOBAL" }, { 32, "VPID_INVVPID" },
	{ 40, "VPID_EXTENT_INDIVIDUAL_ADDR" }, { 41, "VPID_EXTENT_SINGLE_CONTEXT" },
	{ 42, "VPID_EXTENT_ALL_CONTEXT" }, { 43, "VPID_EXTENT_SINGLE_NON_GLOBAL" },
};

const size_t vmx_ept_vpid_nr_bits = ARRAY_SIZE(vmx_ept_vpid_bits);

enum vmx_ctl_setting vmx_ctl_setting(u64 cap_msr, unsigned int bit)
{
	u32 allowed0 = (u32)cap_msr;		/* a 1 here: the control must be 1 */
	u32 allowed1 = (u32)(cap_msr >> 32);	/* a 0 here: the control must be 0 */

	if (bit >= 32 || !(allowed1 & BIT(bit)))
		return VMX_CTL_FIXED0;
	if (allowed0 & BIT(bit))
		return VMX_CTL_FIXED1;
	return VMX_CTL_FLEXIBLE;
}

u64 vmx_ctl_cap(const struct vmx_caps *caps, enum vmx_ctl ctl)
{
	bool use_true = caps->have & VMX_CAPS_HAVE_TRUE_CTLS;

	switch (ctl) {
	case VMX_CTL_PIN:
		return use_true ? caps->true_pinbased : caps->pinbased;
	case VMX_CTL_PROC:
		return use_true ? caps->true_procbased : caps->procbased;
	case VMX_CTL_PROC2:
		/* A.3.3: no allowed-0 settings; every secondary control may be 0. */
		return (caps->have & VMX_CAPS_HAVE_PROCBASED2) ? caps->procbased2 : 0;
	case VMX_CTL_EXIT:
		return use_true ? caps->true_exit : caps->exit;
	case VMX_CTL_ENTRY:
		return use_true ? caps->true_entry : caps->entry;
	default:
		return 0;
	}
}

const char *vmx_ctl_bit_name(enum vmx_ctl ctl, unsigned int bit)
{
	const struct vmx_ctl_desc *d;
	size_t i;

	if ((unsigned int)ctl >= VMX_CTL_NR)
		return NULL;
	d = &vmx_ctl_descs[ctl];
	for (i = 0; i < d->nr_bits; i++)
		if (d->bits[i].bit == bit)
			return d->bits[i].name;
	return NULL;
}

const char *vmx_memtype_name(unsigned int type)
{
	switch (type) {
	case 0:
		return "UC";
	case 1:
		return "WC";
	case 4:
		return "WT";
	case 5:
		return "WP";
	case 6:
		return "WB";
	default:
		return "reserved";
	}
}

u32 vmx_caps_revision_id(const struct vmx_caps *caps)
{
	return caps->basic & VMX_BASIC_REVISION_MASK;
}
