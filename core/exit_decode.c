// SPDX-License-Identifier: GPL-2.0
/* Pure decoding of VM exits: names and qualification formats (no hardware access). */
#include "exit.h"

/*
 * Generated from EXIT_REASONS (exit.h): a reason's name is its constant less
 * EXIT_REASON_, or its label.  A number given twice is an initializer overridden,
 * which -Wextra (-Woverride-init) makes an error.
 */
#define REASON_NAME(name, number)		[number] = #name + sizeof("EXIT_REASON_") - 1,
#define REASON_LABEL(name, number, label)	[number] = label,
static const char *const reason_names[] = {
	EXIT_REASONS(REASON_NAME, REASON_LABEL)
};

const char *exit_reason_name(u32 basic)
{
	if (basic < ARRAY_SIZE(reason_names) && reason_names[basic])
		return reason_names[basic];
	return "unknown";
}

void exit_decode_cr_access(u64 qual, struct cr_access *out)
{
	out->cr = qual & 0xf;
	out->type = (qual >> 4) & 3;
	out->reg = (qual >> 8) & 0xf;
	out->lmsw_source = (qual >> 16) & 0xffff;
}

void exit_decode_dt(u32 basic, u32 info, u64 qual, struct dt_insn *out)
{
	bool ldtr_tr = basic == EXIT_REASON_LDTR_TR;

	out->op = ((info >> 28) & 3) + (ldtr_tr ? DT_SLDT : DT_SGDT);
	out->scale = info & 3;
	out->addr_size = (info >> 7) & 7;
	out->op32 = !ldtr_tr && (info & BIT(11));
	out->reg_form = ldtr_tr && (info & BIT(10));
	out->reg1 = ldtr_tr ? (info >> 3) & 0xf : 0;
	out->seg = (info >> 15) & 7;
	out->index = (info >> 18) & 0xf;
	out->index_valid = !(info & BIT(22));
	out->base = (info >> 23) & 0xf;
	out->base_valid = !(info & BIT(27));
	out->disp = qual;
}
