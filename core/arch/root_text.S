/* SPDX-License-Identifier: GPL-2.0 */
#include "objtool_asm.h"
/*
 * The start of root's code.  core/ is linked after linux/ (Kbuild), this object
 * first: everything of core/ in .text lies between this label and sz_root_text_end,
 * on pages of its own, which are sealed (struct seal_text).  The module's other code
 * is the kernel's to patch after load (jump labels, static calls).
 */
	.section .text, "ax"
	.balign 4096
	.globl sz_root_text_start
	annotate_noendbr		/* an address, not code */
sz_root_text_start:
