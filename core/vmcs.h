/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VMCS fields and width-checked accessors.  The field enum, the names and the six
 * groups of the seed (guest state, host state, VM-execution, VM-exit and VM-entry
 * controls, VM-exit information) all come from the one list in vmcs_fields.h.
 */
#ifndef SUBZERO_VMCS_H
#define SUBZERO_VMCS_H

#include "types.h"
#include "vmcs_fields.h"

enum vmcs_field {
#define VMCS_ENUM(name, enc, width, group) name = enc,
	VMCS_FIELDS(VMCS_ENUM)
#undef VMCS_ENUM
};

enum vmcs_group {
	VMCS_GROUP_GUEST,
	VMCS_GROUP_HOST,
	VMCS_GROUP_CTRL,
	VMCS_GROUP_EXIT_CTRL,
	VMCS_GROUP_ENTRY_CTRL,
	VMCS_GROUP_EXIT_INFO,
	VMCS_GROUP_NR,
};

struct vmcs_field_desc {
	const char *name;
	u32 encoding;
	u8 width;		/* 16, 32, 64, or 0 for natural width */
	u8 group;		/* enum vmcs_group */
};

/* How many rows vmcs_fields.h has, as a constant expression. */
#define VMCS_COUNT_ONE(name, enc, width, group) + 1
#define VMCS_NR_FIELDS	(0 VMCS_FIELDS(VMCS_COUNT_ONE))

extern const struct vmcs_field_desc vmcs_field_descs[];
extern const size_t vmcs_nr_fields;
extern const char *const vmcs_group_names[VMCS_GROUP_NR];

/* The name of a field, or NULL. */
const char *vmcs_field_name(u32 encoding);
/* The name of a VM-instruction error number (SDM Vol. 3C, 31.4), never NULL. */
const char *vmcs_insn_error_name(u32 error);

/*
 * Raw access: 0, or VMX_FAIL_INVALID / VMX_FAIL_VALID from cpu_ops.h.  Use the
 * width-checked forms below: their field width is checked at compile time against
 * bits 14:13 of the encoding (SDM Vol. 3D, B: 0 = 16-bit, 1 = 64, 2 = 32, 3 = natural).
 */
int vmcs_read(u32 field, u64 *val);
int vmcs_write(u32 field, u64 val);

#define VMCS_WIDTH_CHECK(f, w, what) \
	_Static_assert((((f) >> 13) & 3) == (w), #f " is not a " what " field")

#define vmcs_read16(f) ({ VMCS_WIDTH_CHECK(f, 0, "16-bit"); (u16)__vmcs_read_or0(f); })
#define vmcs_read32(f) ({ VMCS_WIDTH_CHECK(f, 2, "32-bit"); (u32)__vmcs_read_or0(f); })
#define vmcs_read64(f) ({ VMCS_WIDTH_CHECK(f, 1, "64-bit"); __vmcs_read_or0(f); })
#define vmcs_readn(f)  ({ VMCS_WIDTH_CHECK(f, 3, "natural-width"); __vmcs_read_or0(f); })

#define vmcs_write16(e, f, v) ({ VMCS_WIDTH_CHECK(f, 0, "16-bit"); \
				__vmcs_write_track(e, f, (u16)(v), __func__); })
#define vmcs_write32(e, f, v) ({ VMCS_WIDTH_CHECK(f, 2, "32-bit"); \
				__vmcs_write_track(e, f, (u32)(v), __func__); })
#define vmcs_write64(e, f, v) ({ VMCS_WIDTH_CHECK(f, 1, "64-bit"); \
				__vmcs_write_track(e, f, (u64)(v), __func__); })
#define vmcs_writen(e, f, v)  ({ VMCS_WIDTH_CHECK(f, 3, "natural-width"); \
				__vmcs_write_track(e, f, (u64)(v), __func__); })

/* The first failed VMWRITE of a sequence: which field, which error, which caller. */
struct vmcs_error {
	u32 field;
	u32 insn_error;
	int status;
	const char *caller;
};

/*
 * Every field of the current VMCS as VMREAD returns it, indexed like vmcs_field_descs[]:
 * supported[i] is 0 for a field this CPU does not have (VMREAD failed) and val[i] 0.
 */
struct vmcs_snapshot {
	u64 tsc;			/* when it was taken */
	u64 val[VMCS_NR_FIELDS];
	u8 supported[VMCS_NR_FIELDS];
};

/*
 * Fill @s from the current VMCS; returns how many fields are not supported.  Root-safe
 * (VMREADs only; VM_INSTRUCTION_ERROR is read first, before a failing VMREAD of an
 * unsupported field overwrites it).
 */
unsigned int vmcs_snapshot(struct vmcs_snapshot *s);

struct vcpu;

/*
 * Log every field of the current VMCS this CPU supports into @v's log ring, by the
 * six groups, several "NAME=value" to a line.  Root only (what fail-closed logs).
 */
void vmcs_dump(struct vcpu *v);

u64 __vmcs_read_or0(u32 field);
void __vmcs_write_track(struct vmcs_error *e, u32 field, u64 val, const char *caller);

#endif
