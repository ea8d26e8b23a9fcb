/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Root's own exception entries (vmx.h, struct vcpu_host): every vector of the host IDT
 * but NMI (vmx_nmi_stub) and #GP (vmx_gp_stub, root_gp.S) lands on one of the 256
 * stubs below, which makes the frame a struct root_fault (the vector, an error code,
 * 0 where the CPU pushes none, then the CPU's frame) and calls vmx_root_fault(), which
 * reports and fails closed: an exception in root is a bug or an attack, and never goes
 * to the kernel's handlers (they are guest memory).
 */
#include "vmx_stub.h"
#include "objtool_asm.h"

	.text

/*
 * The vectors for which the CPU pushes an error code (SDM Vol. 3A, Table 6-1): #DF,
 * #TS, #NP, #SS, #GP, #PF, #AC, #CP, #VC, #SX.
 */
#define HAS_ERROR(v)	((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || \
			 (v) == 21 || (v) == 29 || (v) == 30)

	.globl	vmx_root_fault_common
	.type	vmx_root_fault_common, @function
vmx_root_fault_common:
	mov	%rsp, %rdi		/* struct root_fault */
	and	$-16, %rsp		/* the C ABI's alignment for the call */
	call	vmx_root_fault		/* never returns */
	ud2
	.size	vmx_root_fault_common, . - vmx_root_fault_common
	stack_frame_non_standard vmx_root_fault_common	/* exception gates */

/* Where each vector's stub is, for the gates (vmx_host_tables_init()). */
	.pushsection .rodata
	.align	8
	.globl	vmx_root_vector_stubs
	.type	vmx_root_vector_stubs, @object
vmx_root_vector_stubs:
	.popsection

	.align	16
	.globl	vmx_root_vectors
	.type	vmx_root_vectors, @function
vmx_root_vectors:
	vector = 0
	.rept	256
	.align	16
1:	endbr64
	.if	!HAS_ERROR(vector)
	pushq	$0
	.endif
	pushq	$vector
	jmp	vmx_root_fault_common
	.pushsection .rodata
	.quad	1b
	.popsection
	vector = vector + 1
	.endr
	.size	vmx_root_vectors, . - vmx_root_vectors
	stack_frame_non_standard vmx_root_vectors
	.pushsection .rodata
	.size	vmx_root_vector_stubs, . - vmx_root_vector_stubs
	.popsection

	.section .note.GNU-stack, "", @progbits
