/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The two ends of VMX non-root: launching the running kernel as a guest, and the exit
 * stub every VM exit lands on (HOST_RIP).
 *
 * Every offset and encoding used here is named in vmx_stub.h, which the C side
 * checks against struct guest_regs and vmcs_fields.h with _Static_asserts.
 */
#include "vmx_stub.h"

	.text

/* The guest's general registers but RSP, from the struct guest_regs at (%rsp). */
.macro load_guest_gprs
	mov	GUEST_REG_RAX(%rsp), %rax
	mov	GUEST_REG_RCX(%rsp), %rcx
	mov	GUEST_REG_RDX(%rsp), %rdx
	mov	GUEST_REG_RBX(%rsp), %rbx
	mov	GUEST_REG_RBP(%rsp), %rbp
	mov	GUEST_REG_RSI(%rsp), %rsi
	mov	GUEST_REG_RDI(%rsp), %rdi
	mov	GUEST_REG_R8(%rsp), %r8
	mov	GUEST_REG_R9(%rsp), %r9
	mov	GUEST_REG_R10(%rsp), %r10
	mov	GUEST_REG_R11(%rsp), %r11
	mov	GUEST_REG_R12(%rsp), %r12
	mov	GUEST_REG_R13(%rsp), %r13
	mov	GUEST_REG_R14(%rsp), %r14
	mov	GUEST_REG_R15(%rsp), %r15
.endm

/*
 * int vmx_launch(void): with the current VMCS fully set up except GUEST_RSP and
 * GUEST_RIP, VMLAUNCH so that the guest resumes right here, at .Lguest_start, with
 * this stack.  General registers survive VM entry untouched, so the guest simply
 * returns 0 to our caller, now in VMX non-root.  If VMLAUNCH fails, it falls through
 * and we return VMX_FAIL_INVALID (-1) or VMX_FAIL_VALID (-2).
 */
	.globl	vmx_launch
	.type	vmx_launch, @function
vmx_launch:
	push	%rbp
	push	%rbx
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	mov	$VMCS_ENC_GUEST_RSP, %rax
	vmwrite	%rsp, %rax
	jbe	.Lwrite_failed
	lea	.Lguest_start(%rip), %rdx
	mov	$VMCS_ENC_GUEST_RIP, %rax
	vmwrite	%rdx, %rax
	jbe	.Lwrite_failed
	vmlaunch
	/* VMLAUNCH returned: it failed. CF = invalid, ZF = valid (error in the VMCS). */
.Lwrite_failed:
	mov	$-1, %eax
	mov	$-2, %edx
	cmovz	%edx, %eax
	jmp	.Lout
.Lguest_start:
	xor	%eax, %eax
.Lout:
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbx
	pop	%rbp
	ret
	.size	vmx_launch, . - vmx_launch

/*
 * Every VM exit arrives here with RSP = HOST_RSP = the top of this CPU's host stack
 * less 16, and the vcpu pointer HOST_RSP_VCPU bytes above it.  Save the guest's
 * general registers into a struct guest_regs on the stack, each at its named offset,
 * call vmx_exit_handler(regs, vcpu), then VMRESUME, or, if it returned 1, leave VMX:
 * the handler has already done VMXOFF and put RFLAGS and RIP on the guest's stack and
 * the new guest RSP in regs->gpr[REG_RSP].
 */
	.globl	vmx_exit_stub
	.type	vmx_exit_stub, @function
vmx_exit_stub:
	sub	$GUEST_REGS_SIZE, %rsp
	mov	%rax, GUEST_REG_RAX(%rsp)
	mov	%rcx, GUEST_REG_RCX(%rsp)
	mov	%rdx, GUEST_REG_RDX(%rsp)
	mov	%rbx, GUEST_REG_RBX(%rsp)
	mov	%rbp, GUEST_REG_RBP(%rsp)
	mov	%rsi, GUEST_REG_RSI(%rsp)
	mov	%rdi, GUEST_REG_RDI(%rsp)
	mov	%r8, GUEST_REG_R8(%rsp)
	mov	%r9, GUEST_REG_R9(%rsp)
	mov	%r10, GUEST_REG_R10(%rsp)
	mov	%r11, GUEST_REG_R11(%rsp)
	mov	%r12, GUEST_REG_R12(%rsp)
	mov	%r13, GUEST_REG_R13(%rsp)
	mov	%r14, GUEST_REG_R14(%rsp)
	mov	%r15, GUEST_REG_R15(%rsp)
	mov	%rsp, %rdi
	mov	GUEST_REGS_SIZE + HOST_RSP_VCPU(%rsp), %rsi
	call	vmx_exit_handler
	test	%eax, %eax
	jnz	.Lleave_vmx
	load_guest_gprs
	add	$GUEST_REGS_SIZE, %rsp
	vmresume
	/* VMRESUME failed: there is no guest to go back to. */
	call	vmx_resume_failed
	ud2

.Lleave_vmx:
	load_guest_gprs
	mov	GUEST_REG_RSP(%rsp), %rsp	/* the guest's stack: RFLAGS, then RIP */
	popfq
	ret
	.size	vmx_exit_stub, . - vmx_exit_stub

/*
 * Vector 2 of the host IDT: an NMI that arrived in VMX root.  Save what the C ABI
 * lets a callee clobber, let vmx_root_nmi() hold the NMI for the guest, IRET (which
 * also ends the CPU's NMI blocking).  The CPU aligned the stack to 16 bytes and
 * pushed 5 quadwords; 9 more make it 16-byte aligned again for the call.
 */
	.globl	vmx_nmi_stub
	.type	vmx_nmi_stub, @function
vmx_nmi_stub:
	push	%rax
	push	%rcx
	push	%rdx
	push	%rsi
	push	%rdi
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	cld
	call	vmx_root_nmi
	pop	%r11
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rdi
	pop	%rsi
	pop	%rdx
	pop	%rcx
	pop	%rax
	iretq
	.size	vmx_nmi_stub, . - vmx_nmi_stub

	.section .note.GNU-stack, "", @progbits
