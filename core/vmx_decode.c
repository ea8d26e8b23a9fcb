// SPDX-License-Identifier: GPL-2.0
/*
 * Names of VMX control and capability bits (SDM Vol. 3C, 25.6-25.8; Vol. 3D, A.10).
 */
#include "vmx_decode.h"
#include "arch/x86.h"

/*
 * The name tables, generated from the bit lists in vmx_bits.h.  A name is the
 * constant's name less its control word's prefix (the prefix stays in front of it in
 * the string, which test_vmx_decode checks against vmx_ctl_descs[].prefix).
 */
#define BIT_NAME(prefix, name, bit)	{ bit, #name + sizeof(prefix) - 1 },
#define PIN_NAME(name, bit)		BIT_NAME("PIN_BASED_", name, bit)
#define PROC_NAME(name, bit)		BIT_NAME("CPU_BASED_", name, bit)
#define PROC2_NAME(name, bit)		BIT_NAME("SECONDARY_EXEC_", name, bit)
#define EXIT_NAME(name, bit)		BIT_NAME("VM_EXIT_", name, bit)
#define ENTRY_NAME(name, bit)		BIT_NAME("VM_ENTRY_", name, bit)
#define CAP_NAME(name, bit)		BIT_NAME("VMX_", name, bit)

static const struct vmx_bit_name pin_bits[] = { VMX_PIN_BASED_CTLS(PIN_NAME) };
static const struct vmx_bit_name proc_bits[] = { VMX_CPU_BASED_CTLS(PROC_NAME) };
static const struct vmx_bit_name proc2_bits[] = { VMX_SECONDARY_EXEC_CTLS(PROC2_NAME) };
static const struct vmx_bit_name exit_bits[] = { VMX_VM_EXIT_CTLS(EXIT_NAME) };
static const struct vmx_bit_name entry_bits[] = { VMX_VM_ENTRY_CTLS(ENTRY_NAME) };

const struct vmx_ctl_desc vmx_ctl_descs[VMX_CTL_NR] = {
	[VMX_CTL_PIN] = { "pin-based", "PIN_BASED_", pin_bits, ARRAY_SIZE(pin_bits) },
	[VMX_CTL_PROC] = { "primary processor-based", "CPU_BASED_", proc_bits,
			   ARRAY_SIZE(proc_bits) },
	[VMX_CTL_PROC2] = { "secondary processor-based", "SECONDARY_EXEC_", proc2_bits,
			    ARRAY_SIZE(proc2_bits) },
	[VMX_CTL_EXIT] = { "VM-exit", "VM_EXIT_", exit_bits, ARRAY_SIZE(exit_bits) },
	[VMX_CTL_ENTRY] = { "VM-entry", "VM_ENTRY_", entry_bits, ARRAY_SIZE(entry_bits) },
};

const struct vmx_bit_name vmx_ept_vpid_bits[] = { VMX_EPT_VPID_CAPS(CAP_NAME) };
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
