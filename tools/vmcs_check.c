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
			      double time_s, bool json)
{
	struct entry_violation viol[ER_NR];
	struct entry_check_in in = { .caps = caps, .read = read_dump, .ctx = (void *)vm };
	unsigned int n = entry_check(&in, viol, ER_NR), i;

	if (json) {
		jw_obj(NULL, JW_LINES);
		jw_u64("cpu", vm->cpu);
		jw_u64("tsc", vm->tsc);
		jw_double("time_s", time_s, 6);
		jw_u64("rules", ER_NR);
		jw_u64("broken", n);
		jw_arr("violations", JW_LINES);
	} else {
		printf("CPU %u: VMCS read in VMX root at %.6f s (TSC): %s (%u of %u VM-entry "
		       "rules broken)\n", vm->cpu, time_s, n ? "BROKEN" : "passes", n,
		       (unsigned int)ER_NR);
	}
	for (i = 0; i < n && i < ER_NR; i++) {
		const struct entry_rule_desc *d = &entry_rules[viol[i].rule];
		const char *field = vmcs_field_name(viol[i].field) ?: "?";

		if (json) {
			jw_obj(NULL, JW_INLINE);
			jw_str("rule", d->name);
			jw_str("sdm", d->section);
			jw_str("kind", entry_kind_name(d->kind));
			jw_str("field", field);
			jw_hex("value", viol[i].value);
			jw_hex("expect", viol[i].expect);
			jw_str("allows", d->allows);
			jw_end();
			continue;
		}
		printf("  %s (SDM Vol. 3C %s; a CPU: %s)\n    %s = %#llx (%#llx would do): %s\n",
		       d->name, d->section, entry_kind_name(d->kind), field, viol[i].value,
		       viol[i].expect, d->allows);
	}
	if (json) {
		jw_end();
		jw_end();
	}
	return n;
}
