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
