// SPDX-License-Identifier: GPL-2.0
/* VMCS accessors (the field table and names are in vmcs_desc.c). */
#include "vmcs.h"
#include <cpu_ops.h>

int vmcs_read(u32 field, u64 *val)
{
	return cpu_vmread(field, val);
}

int vmcs_write(u32 field, u64 val)
{
	return cpu_vmwrite(field, val);
}

u64 __vmcs_read_or0(u32 field)
{
	u64 v = 0;

	if (cpu_vmread(field, &v))
		return 0;
	return v;
}

void __vmcs_write_track(struct vmcs_error *e, u32 field, u64 val, const char *caller)
{
	int st = cpu_vmwrite(field, val);
	u64 err = 0;

	if (!st || (e && e->status))
		return;
	if (st == VMX_FAIL_VALID)
		cpu_vmread(VM_INSTRUCTION_ERROR, &err);
	if (e) {
		e->field = field;
		e->status = st;
		e->insn_error = (u32)err;
		e->caller = caller;
	}
}
