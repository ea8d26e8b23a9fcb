/* SPDX-License-Identifier: GPL-2.0 */
/*
 * objtool's annotations for root's assembly, as <linux/objtool.h> and
 * <asm/nospec-branch.h> write them (core/ includes no Linux header).  objtool checks
 * the module, core/ included; these tell it what root's speculation code means.
 */
#ifndef SUBZERO_CORE_ARCH_OBJTOOL_ASM_H
#define SUBZERO_CORE_ARCH_OBJTOOL_ASM_H

/* ANNOTATE_INTRA_FUNCTION_CALL: the next CALL is to a label in the same function. */
.macro annotate_intra_call
.Lintra_\@:
	.pushsection .discard.intra_function_calls
	.long	.Lintra_\@
	.popsection
.endm

/* ANNOTATE_UNRET_SAFE: the next RET is meant as it is (root has no return thunk). */
.macro annotate_ret_safe
.Lret_\@:
	.pushsection .discard.retpoline_safe
	.long	.Lret_\@
	.popsection
.endm

/* ANNOTATE_NOENDBR: the next label's address is taken, yet it is no branch target. */
.macro annotate_noendbr
.Lnoendbr_\@:
	.pushsection .discard.noendbr
	.long	.Lnoendbr_\@
	.popsection
.endm

/*
 * STACK_FRAME_NON_STANDARD: objtool does not follow @func's stack (an exception gate,
 * a thunk that returns to another address, a loop of calls that never return).
 */
.macro stack_frame_non_standard func
	.pushsection .discard.func_stack_frame_non_standard, "aw"
	.quad	\func
	.popsection
.endm

#endif
