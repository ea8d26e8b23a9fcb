/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VM-entry checker: given a VMCS's fields and the CPU's capabilities, every rule
 * of SDM Vol. 3C, 27.2 and 27.3 that the state breaks, each by its stable name (the
 * table is entry_rules.h), the field, its value and what the rule allows.
 *
 * Pure: no allocation, no hardware access of its own (the VMCS comes through a read
 * function), no logging.  Root-safe when the read function is.  Compiled into the
 * module (run on the live VMCS in VMX root), into the tool (run on the fields of
 * `subzero vmcs`) and into the unit tests (run on the fake VMCS).
 *
 * It assumes the processor doing the VM entry is in IA-32e mode (a 64-bit hypervisor)
 * and outside SMM, which is where subzero runs.
 */
#ifndef SUBZERO_ENTRY_CHECK_H
#define SUBZERO_ENTRY_CHECK_H

#include "types.h"
#include "vmcs.h"
#include "vmx_caps.h"
#include "entry_rules.h"

enum entry_rule {
#define ENTRY_RULE_ENUM(name, kind, section, field, allows) ER_##name,
	ENTRY_RULES(ENTRY_RULE_ENUM)
#undef ENTRY_RULE_ENUM
	ER_NR,
};

/* What a CPU does on a broken rule (see entry_rules.h). */
enum entry_kind {
	ENTRY_KIND_CTRL,	/* VMfailValid, error 7 */
	ENTRY_KIND_HOST,	/* VMfailValid, error 8 */
	ENTRY_KIND_GUEST,	/* VM-entry failure, exit reason 33 */
	ENTRY_KIND_MSR,		/* VM-entry failure, exit reason 34 */
};

struct entry_rule_desc {
	const char *name;
	const char *section;	/* SDM Vol. 3C */
	const char *allows;
	u32 field;
	u8 kind;		/* enum entry_kind */
};

extern const struct entry_rule_desc entry_rules[ER_NR];

/* One broken rule. */
struct entry_violation {
	u16 rule;		/* enum entry_rule */
	u32 field;		/* the VMCS field whose value breaks it */
	u64 value;		/* that field's value */
	u64 expect;		/* a value the rule accepts there, or the bound it sets */
};

/*
 * Read one VMCS field: true and *val, or false for a field the CPU does not have
 * (the checker then takes it as 0).
 */
typedef bool (*entry_read_fn)(void *ctx, u32 field, u64 *val);

struct entry_check_in {
	const struct vmx_caps *caps;	/* incl. phys_bits/virt_bits (CPUID facts) */
	entry_read_fn read;
	void *ctx;
};

/*
 * Check the VMCS @in->read gives against every rule.  Writes the first @max
 * violations found to @out (in table order within each area) and returns how many
 * there are in all (0: the VM entry passes every implemented check).  Root-safe.
 */
unsigned int entry_check(const struct entry_check_in *in, struct entry_violation *out,
			 unsigned int max);

/* A read function over a struct vmcs_snapshot (@ctx), as the dump fills it. */
bool entry_read_snapshot(void *ctx, u32 field, u64 *val);

/* The rule's name, or "?" for a number out of range. */
const char *entry_rule_name(unsigned int rule);

/* The name of what a CPU does for a rule of this kind ("VMfailValid 7" ...). */
const char *entry_kind_name(unsigned int kind);

#endif
