/* SPDX-License-Identifier: GPL-2.0 */
#include "objtool_asm.h"
/*
 * The #GP gate of the host IDT, which makes cpu_rdmsr_safe() and cpu_wrmsr_safe()
 * (msr_safe.c) survive a #GP in VMX root: RDMSR and WRMSR of MSRs a guest asks for
 * that the hypervisor cannot know exist (those outside the MSR bitmap's ranges).
 *
 * Why our own gate and not the kernel's exception table: in root, the guest kernel was
 * stopped at an arbitrary instruction (inside its tracing, RCU or lockdep code, with
 * the wrong GS or CR3 for its entry code's expectations), and the kernel's #GP entry
 * runs irqentry_enter(), context tracking and, on some configurations, tracepoints
 * before it looks at the exception table; and the kernel's code is guest memory.
 * This gate looks only at the faulting RIP: one of the two instructions below goes to
 * its fixup; any other #GP in root is a fault like any other (vmx_root_fault()).
 */
	.text

/*
 * Vector 13 of the host IDT.  Stack: error code, RIP, CS, RFLAGS, RSP, SS.  A #GP at
 * one of the two labelled instructions (msr_safe.c) resumes at its fixup label (IRET;
 * nothing else changes); any other goes to vmx_root_fault().
 */
	.globl	vmx_gp_stub
	.type	vmx_gp_stub, @function
vmx_gp_stub:
	endbr64
	push	%rax
	lea	vmx_rdmsr_insn(%rip), %rax	/* its ENDBR64; RDMSR follows */
	add	$4, %rax
	cmp	%rax, 16(%rsp)
	je	1f
	lea	vmx_wrmsr_insn(%rip), %rax
	add	$4, %rax
	cmp	%rax, 16(%rsp)
	je	2f
	/*
	 * Not ours: a #GP in root like any other exception, to root's own fault path
	 * (root_idt.S), with the frame as the CPU pushed it and the vector above it.
	 */
	pop	%rax
	pushq	$13
	jmp	vmx_root_fault_common
1:	lea	vmx_rdmsr_fixup(%rip), %rax
	jmp	3f
2:	lea	vmx_wrmsr_fixup(%rip), %rax
3:	mov	%rax, 16(%rsp)
	pop	%rax
	add	$8, %rsp		/* the error code */
	iretq
	ud2
	.size	vmx_gp_stub, . - vmx_gp_stub
	/* an exception gate, not a function */
	stack_frame_non_standard vmx_gp_stub

	.section .note.GNU-stack, "", @progbits
