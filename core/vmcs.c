// SPDX-License-Identifier: GPL-2.0
/*
 * VMCS access: the width-checked accessors, the snapshot (SUBZERO_IOC_VMCS) and the
 * dump into the log (fail closed).  The field table and names are in vmcs_desc.c.
 */
#include "vmcs.h"
#include "lib.h"
#include "vmx.h"
#include <cpu_ops.h>

int vmcs_read(u32 field, u64 *val)
{
	return cpu_vmread(field, val);
}

int vmcs_write(u32 field, u64 val)
{
	return cpu_vmwrite(field, val);
}

unsigned int vmcs_snapshot(struct vmcs_snapshot *s)
{
	unsigned int missing = 0;
	u64 insn_error = 0;
	size_t i;

	cpu_vmread(VM_INSTRUCTION_ERROR, &insn_error);
	for (i = 0; i < VMCS_NR_FIELDS; i++) {
		u32 field = vmcs_field_descs[i].encoding;
		u64 val = 0;

		s->supported[i] = !cpu_vmread(field, &val);
		if (field == VM_INSTRUCTION_ERROR)
			val = insn_error;
		s->val[i] = s->supported[i] ? val : 0;
		missing += !s->supported[i];
	}
	s->tsc = cpu_rdtsc();
	return missing;
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

void vmcs_dump(struct vcpu *v)
{
	char line[LOG_LINE], item[LOG_LINE];
	size_t i, n, len;
	unsigned int g;
	u64 val;

	/* A failed VM entry (exit reason bit 31): first the rules the VMCS breaks. */
	if (!vmcs_read(VM_EXIT_REASON, &val) && (val & BIT(31)))
		entry_root_check(v, "after a failed VM entry", true);

	/* Several "NAME=value" to a line, so a whole VMCS fits in the log ring. */
	for (g = 0; g < VMCS_GROUP_NR; g++) {
		log_printf(&v->log, LOG_CRIT "CPU %u VMCS %s:", v->cpu, vmcs_group_names[g]);
		n = 0;
		for (i = 0; i < vmcs_nr_fields; i++) {
			if (vmcs_field_descs[i].group != g)
				continue;
			if (vmcs_read(vmcs_field_descs[i].encoding, &val))
				continue;	/* not supported by this CPU */
			len = log_format(item, sizeof(item), " %s=%llx",
					 vmcs_field_descs[i].name, val);
			if (n + len >= sizeof(line)) {
				log_printf(&v->log, LOG_CRIT " %s", line);
				n = 0;
			}
			sz_memcpy(line + n, item, len + 1);
			n += len;
		}
		if (n)
			log_printf(&v->log, LOG_CRIT " %s", line);
	}
}
