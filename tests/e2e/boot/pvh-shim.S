/*
 * pvh-shim entry: multiboot header and the first instructions.
 *
 * GRUB loads this file (the shim followed by the LZ4-compressed kernel image) at
 * SHIM_BASE with the "a.out kludge" addresses of the header below, and enters _start
 * in 32-bit protected mode, paging off, EAX = 0x2BADB002, EBX = the multiboot
 * information (Multiboot Specification 0.6.96, 3.2).  Multiboot promises no stack, so
 * the first thing we do is take our own.  shim.c does the rest and returns the address
 * of the PVH start_info, which the kernel's PVH entry wants in EBX.
 */
	.code32
	.section .text.head, "ax"
	.globl _start, shim_params, shim_base

#define MB_MAGIC	0x1badb002
#define MB_FLAGS	((1 << 1) | (1 << 16))	/* memory map; a.out kludge addresses */

shim_base:
mb_header:
	.long	MB_MAGIC
	.long	MB_FLAGS
	.long	-(MB_MAGIC + MB_FLAGS)
	.long	0, 0, 0, 0, 0	/* header/load/load_end/bss_end/entry: mkkernel.py */

/* struct shim_params (shim.c), filled in by mkkernel.py */
shim_params:
	.long	0, 0, 0, 0, 0, 0

_start:
	cli
	cld
	movl	$shim_stack_top, %esp
	pushl	%ebx
	pushl	%eax
	call	shim_main
	movl	%eax, %ebx
	jmp	*shim_params + 16	/* pvh_entry */

	.section .bss
	.balign	16
	.space	8192
shim_stack_top:

	.section .note.GNU-stack, "", @progbits
