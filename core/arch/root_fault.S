/* SPDX-License-Identifier: GPL-2.0 */
/*
 * RDMSR and WRMSR that survive a #GP in VMX root, for MSRs a guest asks for that the
 * hypervisor cannot know exist (those outside the MSR bitmap's ranges), and the #GP
 * gate of the host IDT that makes them survive.
 *
 * Why our own gate and not the kernel's exception table: in root, the guest kernel was
 * stopped at an arbitrary instruction (inside its tracing, RCU or lockdep code, with
 * the wrong GS or CR3 for its entry code's expectations), and the kernel's #GP entry
 * runs irqentry_enter(), context tracking and, on some configurations, tracepoints
 * before it looks at the exception table.  This gate looks only at the faulting RIP:
 * one of the two instructions below goes to its fixup; any other #GP in root goes on to
 * the kernel's own handler exactly as before (a bug: it oopses there).
 */
	.text

/* int cpu_rdmsr_safe(u32 msr, u64 *val): 0 and *val, or -EIO (5) if RDMSR faulted. */
	.globl	cpu_rdmsr_safe
	.type	cpu_rdmsr_safe, @function
cpu_rdmsr_safe:
	endbr64
	mov	%edi, %ecx
	.globl	vmx_rdmsr_insn
vmx_rdmsr_insn:
	rdmsr
	shl	$32, %rdx
	or	%rdx, %rax
	mov	%rax, (%rsi)
	xor	%eax, %eax
	ret
	.globl	vmx_rdmsr_fixup
vmx_rdmsr_fixup:
	mov	$-5, %eax
	ret
	.size	cpu_rdmsr_safe, . - cpu_rdmsr_safe

/* int cpu_wrmsr_safe(u32 msr, u64 val): 0, or -EIO if WRMSR faulted. */
	.globl	cpu_wrmsr_safe
	.type	cpu_wrmsr_safe, @function
cpu_wrmsr_safe:
	endbr64
	mov	%edi, %ecx
	mov	%rsi, %rax
	mov	%rsi, %rdx
	shr	$32, %rdx
	.globl	vmx_wrmsr_insn
vmx_wrmsr_insn:
	wrmsr
	xor	%eax, %eax
	ret
	.globl	vmx_wrmsr_fixup
vmx_wrmsr_fixup:
	mov	$-5, %eax
	ret
	.size	cpu_wrmsr_safe, . - cpu_wrmsr_safe

/*
 * Vector 13 of the host IDT.  Stack: error code, RIP, CS, RFLAGS, RSP, SS.  A #GP at
 * one of the two instructions above resumes at its fixup (IRET; nothing else changes);
 * any other goes to the OS's handler (vmx_os_gp_handler) with the frame untouched.
 */
	.globl	vmx_gp_stub
	.type	vmx_gp_stub, @function
vmx_gp_stub:
	endbr64
	push	%rax
	lea	vmx_rdmsr_insn(%rip), %rax
	cmp	%rax, 16(%rsp)
	je	1f
	lea	vmx_wrmsr_insn(%rip), %rax
	cmp	%rax, 16(%rsp)
	je	2f
	pop	%rax
	jmp	*vmx_os_gp_handler(%rip)
1:	lea	vmx_rdmsr_fixup(%rip), %rax
	jmp	3f
2:	lea	vmx_wrmsr_fixup(%rip), %rax
3:	mov	%rax, 16(%rsp)
	pop	%rax
	add	$8, %rsp		/* the error code */
	iretq
	.size	vmx_gp_stub, . - vmx_gp_stub

	.section .note.GNU-stack, "", @progbits
