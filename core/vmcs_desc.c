// SPDX-License-Identifier: GPL-2.0
/*
 * The VMCS field table, its six groups and the VM-instruction error names: pure data,
 * no hardware access, so the `subzero` tool links it too (to name the fields of a
 * VMCS dump it reads from /dev/subzero).
 */
#include "vmcs.h"

#define W_16 16
#define W_32 32
#define W_64 64
#define W_NAT 0

const struct vmcs_field_desc vmcs_field_descs[] = {
#define VMCS_DESC(name, enc, width, group) { #name, enc, W_##width, VMCS_GROUP_##group },
	VMCS_FIELDS(VMCS_DESC)
#undef VMCS_DESC
};

const size_t vmcs_nr_fields = ARRAY_SIZE(vmcs_field_descs);
_Static_assert(ARRAY_SIZE(vmcs_field_descs) == VMCS_NR_FIELDS, "VMCS_NR_FIELDS counts the table");

const char *const vmcs_group_names[VMCS_GROUP_NR] = {
	[VMCS_GROUP_GUEST] = "guest-state area",
	[VMCS_GROUP_HOST] = "host-state area",
	[VMCS_GROUP_CTRL] = "VM-execution control fields",
	[VMCS_GROUP_EXIT_CTRL] = "VM-exit control fields",
	[VMCS_GROUP_ENTRY_CTRL] = "VM-entry control fields",
	[VMCS_GROUP_EXIT_INFO] = "VM-exit information fields",
};

const char *vmcs_field_name(u32 encoding)
{
	size_t i;

	for (i = 0; i < vmcs_nr_fields; i++)
		if (vmcs_field_descs[i].encoding == encoding)
			return vmcs_field_descs[i].name;
	return NULL;
}

/* SDM Vol. 3C, 31.4, Table 31-1 "VM-Instruction Error Numbers" */
static const char *const insn_errors[] = {
	[1] = "VMCALL executed in VMX root operation",
	[2] = "VMCLEAR with invalid physical address",
	[3] = "VMCLEAR with VMXON pointer",
	[4] = "VMLAUNCH with non-clear VMCS",
	[5] = "VMRESUME with non-launched VMCS",
	[6] = "VMRESUME after VMXOFF",
	[7] = "VM entry with invalid control field(s)",
	[8] = "VM entry with invalid host-state field(s)",
	[9] = "VMPTRLD with invalid physical address",
	[10] = "VMPTRLD with VMXON pointer",
	[11] = "VMPTRLD with incorrect VMCS revision identifier",
	[12] = "VMREAD/VMWRITE from/to unsupported VMCS component",
	[13] = "VMWRITE to read-only VMCS component",
	[15] = "VMXON executed in VMX root operation",
	[16] = "VM entry with invalid executive-VMCS pointer",
	[17] = "VM entry with non-launched executive VMCS",
	[18] = "VM entry with executive-VMCS pointer not VMXON pointer",
	[19] = "VMCALL with non-clear VMCS",
	[20] = "VMCALL with invalid VM-exit control fields",
	[22] = "VMCALL with incorrect MSEG revision identifier",
	[23] = "VMXOFF under dual-monitor treatment of SMIs and SMM",
	[24] = "VMCALL with invalid SMM-monitor features",
	[25] = "VM entry with invalid VM-execution control fields in executive VMCS",
	[26] = "VM entry with events blocked by MOV SS",
	[28] = "Invalid operand to INVEPT/INVVPID",
};

const char *vmcs_insn_error_name(u32 error)
{
	if (error < ARRAY_SIZE(insn_errors) && insn_errors[error])
		return insn_errors[error];
	return "unknown VM-instruction error";
}

static bool name_has(const char *name, const char *word)
{
	size_t i, j;

	for (i = 0; name[i]; i++) {
		for (j = 0; word[j] && name[i + j] == word[j]; j++)
			;
		if (!word[j])
			return true;
	}
	return false;
}

bool vmcs_field_reveals_host(size_t i)
{
	const struct vmcs_field_desc *d;

	if (i >= vmcs_nr_fields)
		return false;
	d = &vmcs_field_descs[i];
	if (d->group == VMCS_GROUP_HOST)
		return d->width != 16;
	if (d->width != 64)
		return false;
	return name_has(d->name, "ADDR") || name_has(d->name, "POINTER") ||
	       name_has(d->name, "IO_BITMAP") || name_has(d->name, "MSR_BITMAP") ||
	       name_has(d->name, "VMREAD_BITMAP") || name_has(d->name, "VMWRITE_BITMAP");
}
