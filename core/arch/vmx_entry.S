/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The two ends of VMX non-root: launching the running kernel as a guest, and the exit
 * stub every VM exit lands on (HOST_RIP).
 *
 * Encodings: GUEST_RSP 0x681c, GUEST_RIP 0x681e (SDM Vol. 3D, B.4.3); they are
 * checked against vmcs_fields.h by a _Static_assert in vmx.c.
 */
	.text

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
	mov	$0x681c, %rax
	vmwrite	%rsp, %rax
	jbe	.Lwrite_failed
	lea	.Lguest_start(%rip), %rdx
	mov	$0x681e, %rax
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
 * less 16, and the vcpu pointer in the 8 bytes above it.  Save the guest's general
 * registers in hardware order (struct guest_regs: RAX at the lowest address), call
 * vmx_exit_handler(regs, vcpu), then VMRESUME, or, if it returned 1, leave VMX: the
 * handler has already done VMXOFF and put RFLAGS and RIP on the guest's stack and the
 * new guest RSP in regs->gpr[REG_RSP].
 *
 * If VMRESUME fails (VMfailValid) the registers are saved again the same way and
 * vmx_resume_failed(regs, vcpu) says whether to try again (0) or not (it stops).
 *
 * Three copies: vmx_exit_stub calls vmx_exit_handler; vmx_exit_stub_checked (HOST_RIP
 * with the entry_checks module parameter) calls vmx_exit_handler_checked, which runs
 * the VM-entry checker before each entry; vmx_exit_stub_xcheck (HOST_RIP during a
 * cross-check) calls vmx_exit_handler_xcheck.  The first is the exit path as it was.
 */
.macro SAVE_GUEST_REGS
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%r11
	push	%r10
	push	%r9
	push	%r8
	push	%rdi
	push	%rsi
	push	%rbp
	sub	$8, %rsp		/* RSP: the guest's is in the VMCS */
	push	%rbx
	push	%rdx
	push	%rcx
	push	%rax
.endm

.macro EXIT_STUB name, handler
	.globl	\name
	.type	\name, @function
\name:
	SAVE_GUEST_REGS
	mov	%rsp, %rdi
	mov	136(%rsp), %rsi		/* 16 registers + the pad above HOST_RSP */
	call	\handler
	test	%eax, %eax
	jnz	.L\name\()_leave_vmx
.L\name\()_resume:
	pop	%rax
	pop	%rcx
	pop	%rdx
	pop	%rbx
	add	$8, %rsp
	pop	%rbp
	pop	%rsi
	pop	%rdi
	pop	%r8
	pop	%r9
	pop	%r10
	pop	%r11
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	vmresume
	/* VMRESUME failed: RSP is HOST_RSP again; save the registers as an exit does. */
	SAVE_GUEST_REGS
	mov	%rsp, %rdi
	mov	136(%rsp), %rsi
	call	vmx_resume_failed
	test	%eax, %eax
	jz	.L\name\()_resume
	ud2

.L\name\()_leave_vmx:
	mov	8(%rsp), %rcx
	mov	16(%rsp), %rdx
	mov	24(%rsp), %rbx
	mov	40(%rsp), %rbp
	mov	48(%rsp), %rsi
	mov	56(%rsp), %rdi
	mov	64(%rsp), %r8
	mov	72(%rsp), %r9
	mov	80(%rsp), %r10
	mov	88(%rsp), %r11
	mov	96(%rsp), %r12
	mov	104(%rsp), %r13
	mov	112(%rsp), %r14
	mov	120(%rsp), %r15
	mov	0(%rsp), %rax
	mov	32(%rsp), %rsp		/* the guest's stack: RFLAGS, then RIP */
	popfq
	ret
	.size	\name, . - \name
.endm

	EXIT_STUB vmx_exit_stub, vmx_exit_handler
	EXIT_STUB vmx_exit_stub_checked, vmx_exit_handler_checked
	EXIT_STUB vmx_exit_stub_xcheck, vmx_exit_handler_xcheck


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
