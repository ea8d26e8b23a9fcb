// SPDX-License-Identifier: GPL-2.0
/*
 * `subzero vmcs --check`: the hypervisor dumps each CPU's VMCS as that CPU reads it in
 * VMX root (SUBZERO_IOC_VMCS); the same checker the hypervisor runs (core/
 * entry_check.c, compiled into the tool) says which VM-entry rules it breaks.
 */
#include <cpuid.h>
#include <stdio.h>

#include "vmcs_check.h"
#include "entry_check.h"
#include "vmcs.h"
#include "output.h"
#include "arch/x86.h"

void vmcs_check_cpuid(struct vmx_caps *caps)
{
	unsigned int a, b, c, d;

	caps->phys_bits = 36;
	caps->virt_bits = 48;
	if (__get_cpuid(0x80000000, &a, &b, &c, &d) && a >= 0x80000008 &&
	    __get_cpuid(0x80000008, &a, &b, &c, &d)) {
		caps->phys_bits = (u8)a;
		caps->virt_bits = (u8)(a >> 8);
	}
	/* as core/vmx_caps.c: LAM lets CR3 bits 62:61 be set (false if leaf 7 is absent) */
	caps->lam = __get_cpuid_count(7, 1, &a, &b, &c, &d) && (a & X86_FEATURE_7_1_EAX_LAM);
}

static bool read_dump(void *ctx, u32 field, u64 *val)
{
	const struct subzero_vmcs *vm = ctx;
	unsigned int i;

	for (i = 0; i < vm->nr_fields && i < SUBZERO_VMCS_MAX_FIELDS; i++) {
		if (vm->fields[i].encoding != field)
			continue;
		*val = vm->fields[i].value;
		return vm->fields[i].flags & SUBZERO_VMCS_FIELD_SUPPORTED;
	}
	return false;
}

unsigned int vmcs_check_print(const struct subzero_vmcs *vm, const struct vmx_caps *caps,
			      double time_s)
{
	struct entry_violation viol[ER_NR];
	struct entry_check_in in = { .caps = caps, .read = read_dump, .ctx = (void *)vm };
	unsigned int n = entry_check(&in, viol, ER_NR), i;

	out_obj(NULL, OUT_LINES);
	out_u64("cpu", vm->cpu);
	out_u64("tsc", vm->tsc);
	out_double("time_s", time_s, 6);
	out_u64("rules", ER_NR);
	out_u64("broken", n);
	out_text("CPU {cpu}: VMCS read in VMX root at {time_s} s (TSC): %s ({broken} of {rules} "
		 "VM-entry rules broken)\n", n ? "BROKEN" : "passes");
	out_arr("violations", OUT_LINES);
	for (i = 0; i < n && i < ER_NR; i++) {
		const struct entry_rule_desc *d = &entry_rules[viol[i].rule];

		out_obj(NULL, OUT_INLINE);
		out_str("rule", d->name);
		out_str("sdm", d->section);
		out_str("kind", entry_kind_name(d->kind));
		out_str("field", vmcs_field_name(viol[i].field) ?: "?");
		out_hex("value", viol[i].value);
		out_hex("expect", viol[i].expect);
		out_str("allows", d->allows);
		out_text("  {rule} (SDM Vol. 3C {sdm}; a CPU: {kind})\n    {field} = {value} ({expect} "
			 "would do): {allows}\n");
		out_end();
	}
	out_end();
	out_end();
	return n;
}
