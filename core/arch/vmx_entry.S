/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The two ends of VMX non-root: launching the running kernel as a guest, and the exit
 * stub every VM exit lands on (HOST_RIP).
 *
 * Every offset and encoding used here is named in vmx_stub.h, which the C side
 * checks against struct guest_regs and vmcs_fields.h with _Static_asserts.
 */
#include "vmx_stub.h"
#include "objtool_asm.h"

	.text

/*
 * RET as the kernel builds it: with return thunks (the retbleed/SRSO mitigations) a
 * RET in the module is a jump to the thunk, which objtool checks for.  ENDBR64 opens
 * each stub whose address is taken (HOST_RIP, the host IDT's NMI gate): under kernel
 * IBT an NMI delivered through the IDT must land on one.  It is a NOP elsewhere.
 */
#if defined(CONFIG_RETHUNK) || defined(CONFIG_MITIGATION_RETHUNK)
#define SZ_RET	jmp __x86_return_thunk
#else
#define SZ_RET	ret
#endif

/*
 * Overwrite all 32 return stack buffer entries with harmless ones: the kernel's
 * __FILL_RETURN_BUFFER(reg, RSB_CLEAR_LOOPS) for x86-64, two CALLs per loop, each
 * return address dropped at once; LFENCE ends speculation past the loop.  Clobbers RCX.
 */
.macro fill_return_buffer
	mov	$16, %rcx
771:	annotate_intra_call
	call	772f
	int3
772:	annotate_intra_call
	call	773f
	int3
773:	add	$16, %rsp
	dec	%rcx
	jnz	771b
	lfence
.endm

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
	endbr64			/* its address is GUEST_RIP's placeholder (vmx.c) */
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
	SZ_RET
	.size	vmx_launch, . - vmx_launch

/*
 * Every VM exit arrives here with RSP = HOST_RSP = the top of this CPU's host stack
 * less 16, and the vcpu pointer HOST_RSP_VCPU bytes above it.  Save the guest's
 * general registers into a struct guest_regs on the stack, each at its named offset,
 * call vmx_exit_handler(regs, vcpu), then VMRESUME, or, if it returned 1, leave VMX:
 * the handler has already done VMXOFF and put RFLAGS and RIP on the guest's stack and
 * the new guest RSP in regs->gpr[REG_RSP].
 *
 * If VMRESUME fails, RSP is HOST_RSP again: the registers are saved the same way and
 * vmx_resume_failed(regs, vcpu) either stops the CPU or returns 0 to try again (a
 * cross-check put the VMCS back).
 *
 * Three copies: vmx_exit_stub calls vmx_exit_handler; vmx_exit_stub_checked (HOST_RIP
 * with the entry_checks module parameter) calls vmx_exit_handler_checked, which runs
 * the VM-entry checker before each entry; vmx_exit_stub_xcheck (HOST_RIP while a
 * cross-check is in flight) calls vmx_exit_handler_xcheck.  The first is the exit path
 * as it was, to the instruction.
 */
.macro save_guest_gprs
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
.endm

.macro exit_stub name, handler
	.globl	\name
	.type	\name, @function
\name:
	endbr64
	save_guest_gprs
	/* Speculation hygiene before the first RET or indirect branch (vmx.h, v->spec). */
	mov	GUEST_REGS_SIZE + HOST_RSP_VCPU(%rsp), %rax
	testb	$(SPEC_RSB_FILL | SPEC_RSB_LITE | SPEC_CLEAR_BHB), VCPU_SPEC_FLAGS(%rax)
	jnz	.L\name\()_spec_hygiene
.L\name\()_spec_done:
	mov	%rsp, %rdi
	mov	GUEST_REGS_SIZE + HOST_RSP_VCPU(%rsp), %rsi
	call	\handler
	test	%eax, %eax
	jnz	.L\name\()_leave_vmx
.L\name\()_resume:
	load_guest_gprs
	add	$GUEST_REGS_SIZE, %rsp
	vmresume
	/* VMRESUME failed. */
	save_guest_gprs
	mov	%rsp, %rdi
	mov	GUEST_REGS_SIZE + HOST_RSP_VCPU(%rsp), %rsi
	call	vmx_resume_failed
	test	%eax, %eax
	jz	.L\name\()_resume
	ud2

.L\name\()_leave_vmx:
	load_guest_gprs
	mov	GUEST_REG_RSP(%rsp), %rsp	/* the guest's stack: RFLAGS, then RIP */
	popfq
	SZ_RET

/*
 * The return stack buffer and branch history may hold the guest's targets: overwrite
 * them as the kernel's own VM-exit mitigations would (KVM's __vmx_vcpu_run), here in
 * the hypervisor's own code: root calls nothing in the kernel it hosts (its text is
 * guest memory).  RAX holds the vcpu; RAX and RCX are saved already.
 */
.L\name\()_spec_hygiene:
	testb	$SPEC_RSB_FILL, VCPU_SPEC_FLAGS(%rax)
	jz	1f
	fill_return_buffer
	jmp	2f
1:	testb	$SPEC_RSB_LITE, VCPU_SPEC_FLAGS(%rax)
	jz	2f
	/* eIBRS: one CALL, so that the first RET cannot use a guest-made entry */
	annotate_intra_call
	call	3f
	int3
3:	add	$8, %rsp
	lfence
2:	testb	$SPEC_CLEAR_BHB, VCPU_SPEC_FLAGS(%rax)
	jz	.L\name\()_spec_done
	call	vmx_clear_bhb_loop
	jmp	.L\name\()_spec_done
	.size	\name, . - \name
	/*
	 * For objtool (the kernel's STACK_FRAME_NON_STANDARD): leaving VMX switches to the
	 * guest's stack and returns there: not a path it can follow.
	 */
	.pushsection .discard.func_stack_frame_non_standard, "aw"
	.quad	\name
	.popsection
.endm

	exit_stub vmx_exit_stub, vmx_exit_handler
	exit_stub vmx_exit_stub_checked, vmx_exit_handler_checked
	exit_stub vmx_exit_stub_xcheck, vmx_exit_handler_xcheck

	/* vmx_launch's guest starts at a label only VMLAUNCH jumps to (as above). */
	.pushsection .discard.func_stack_frame_non_standard, "aw"
	.quad	vmx_launch
	.popsection

/*
 * Clear the branch history: the kernel's clear_bhb_loop (the software BHI mitigation
 * for CPUs without BHI_DIS_S), the same sequence of taken branches, in our own text.
 * 5 outer loops of a CALL and 5 inner taken jumps each, the branch targets on their
 * own cache lines.  Clobbers RAX and RCX; the stack is left as it was.
 */
	.globl	vmx_clear_bhb_loop
	.type	vmx_clear_bhb_loop, @function
vmx_clear_bhb_loop:
	push	%rbp
	mov	%rsp, %rbp
	movl	$5, %ecx
	annotate_intra_call
	call	1f
	jmp	5f
	.align	64, 0xcc
1:	annotate_intra_call
	call	2f
	annotate_ret_safe
	ret
	int3
	.align	64, 0xcc
2:	movl	$5, %eax
3:	jmp	4f
	nop
4:	sub	$1, %eax
	jnz	3b
	sub	$1, %ecx
	jnz	1b
	annotate_ret_safe
	ret
	int3
5:	lfence
	pop	%rbp
	annotate_ret_safe
	ret
	int3
	.size	vmx_clear_bhb_loop, . - vmx_clear_bhb_loop
	/* its calls return one level up, on purpose (the kernel's clear_bhb_loop) */
	stack_frame_non_standard vmx_clear_bhb_loop

/*
 * Vector 2 of the host IDT: an NMI that arrived in VMX root.  Save what the C ABI
 * lets a callee clobber, let vmx_root_nmi() hold the NMI for the guest, IRET (which
 * also ends the CPU's NMI blocking).  The CPU aligned the stack to 16 bytes and
 * pushed 5 quadwords; 9 more make it 16-byte aligned again for the call.
 */
	.globl	vmx_nmi_stub
	.type	vmx_nmi_stub, @function
vmx_nmi_stub:
	endbr64
	push	%rax
	push	%rcx
	push	%rdx
	push	%rsi
	push	%rdi
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	/* No CLD: a VM exit clears RFLAGS (DF included), and root code never sets DF. */
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
	ud2			/* objtool takes an IRET in a function for sync_core()'s */
	.size	vmx_nmi_stub, . - vmx_nmi_stub

	.section .note.GNU-stack, "", @progbits
