/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Root's own return and indirect-branch thunks.  The C in core/ is built with the
 * kernel's external thunks (-mfunction-return=thunk-extern, -mindirect-branch=
 * thunk-extern), and root_thunks.h renames the thunks it calls to these: root calls
 * nothing in the kernel it hosts (the kernel's thunks are in its text, guest memory,
 * and the kernel patches them at boot and its call sites at module load).
 *
 * Each is a retpoline: a CALL puts a harmless target in the return stack buffer (a
 * speculation trap), then the real target replaces the return address and RET goes
 * there.  That is what -mfunction-return=thunk-inline and -mindirect-branch=
 * thunk-inline write at every RET and indirect branch, once per function; here it is
 * written once, where objtool can be told what it is (GCC's inline copies are
 * "unannotated intra-function calls" to it, which stops it checking the module).
 */
#include "objtool_asm.h"

	.text

/* The stack holds the return address; RET to it without trusting the predictors. */
	.globl	sz_root_return_thunk
	.type	sz_root_return_thunk, @function
sz_root_return_thunk:
	annotate_intra_call
	call	1f
2:	pause
	lfence
	jmp	2b
1:	lea	8(%rsp), %rsp
	annotate_ret_safe
	ret
	int3
	.size	sz_root_return_thunk, . - sz_root_return_thunk
	/* the trap after the CALL is reached only speculatively */
	stack_frame_non_standard sz_root_return_thunk

/* JMP *%reg (a CALL *%reg is a CALL to this). */
.macro indirect_thunk reg
	.globl	sz_root_indirect_thunk_\reg
	.type	sz_root_indirect_thunk_\reg, @function
sz_root_indirect_thunk_\reg:
	annotate_intra_call
	call	1f
2:	pause
	lfence
	jmp	2b
1:	mov	%\reg, (%rsp)
	annotate_ret_safe
	ret
	int3
	.size	sz_root_indirect_thunk_\reg, . - sz_root_indirect_thunk_\reg
	/* it returns with the target in place of its return address */
	stack_frame_non_standard sz_root_indirect_thunk_\reg
.endm

	indirect_thunk rax
	indirect_thunk rbx
	indirect_thunk rcx
	indirect_thunk rdx
	indirect_thunk rsi
	indirect_thunk rdi
	indirect_thunk rbp
	indirect_thunk r8
	indirect_thunk r9
	indirect_thunk r10
	indirect_thunk r11
	indirect_thunk r12
	indirect_thunk r13
	indirect_thunk r14
	indirect_thunk r15
