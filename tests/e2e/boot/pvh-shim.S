/*
 * pvh-shim: from multiboot to the Linux PVH entry point.
 *
 * GRUB enters here in 32-bit protected mode with paging off, EAX = 0x2BADB002 and EBX
 * pointing at the multiboot information (Multiboot Specification 0.6.96, section 3.2).
 * The kernel's PVH entry (arch/x86/platform/pvh/head.S) wants the same CPU state and EBX
 * pointing at a struct hvm_start_info (Xen's public/arch-x86/hvm/start_info.h, version 1,
 * which carries the memory map).  We translate: command line (minus the image path, if
 * the loader put it first), the first module as the initramfs, and the memory map.  Multiboot does not
 * promise a stack, so none is used.  Linked at 0xfff000: the page below the kernel's
 * physical start (CONFIG_PHYSICAL_START = 16 MiB); mkkernel.py checks that.
 */
	.code32
	.text
	.globl _start

#define BASE		0xfff000
#define START_INFO	(BASE + 0x800)
#define MODLIST		(BASE + 0x840)
#define MEMMAP		(BASE + 0x860)
#define MEMMAP_MAX	40
#define PVH_ENTRY	(BASE + 0xfe0)	/* written by mkkernel.py */

#define MBI_FLAG_CMDLINE	(1 << 2)
#define MBI_FLAG_MODS		(1 << 3)
#define MBI_FLAG_MMAP		(1 << 6)

_start:
	cli
	cld
	movl	$START_INFO, %edi
	movl	$0x336ec578, 0(%edi)		/* XEN_HVM_START_MAGIC_VALUE */
	movl	$1, 4(%edi)			/* version 1: memmap fields valid */

	testl	$MBI_FLAG_CMDLINE, 0(%ebx)
	jz	.Lmods
	movl	16(%ebx), %esi
	cmpb	$'/', (%esi)			/* some loaders put the image path first */
	jne	.Lcmd
.Lword:	movb	(%esi), %al			/* skip it */
	testb	%al, %al
	jz	.Lcmd
	cmpb	$' ', %al
	je	.Lspace
	incl	%esi
	jmp	.Lword
.Lspace:
	incl	%esi
	cmpb	$' ', (%esi)
	je	.Lspace
.Lcmd:	movl	%esi, 24(%edi)			/* cmdline_paddr */

.Lmods:
	testl	$MBI_FLAG_MODS, 0(%ebx)
	jz	.Lmmap
	cmpl	$0, 20(%ebx)			/* mods_count */
	je	.Lmmap
	movl	$1, 12(%edi)			/* nr_modules: the initramfs */
	movl	$MODLIST, 16(%edi)		/* modlist_paddr */
	movl	24(%ebx), %esi			/* first multiboot module */
	movl	0(%esi), %eax
	movl	%eax, MODLIST			/* paddr */
	movl	4(%esi), %eax
	subl	0(%esi), %eax
	movl	%eax, MODLIST + 8		/* size */

.Lmmap:
	testl	$MBI_FLAG_MMAP, 0(%ebx)
	jz	.Lgo
	movl	48(%ebx), %esi			/* mmap_addr */
	movl	44(%ebx), %ecx			/* mmap_length */
	addl	%esi, %ecx
	movl	$MEMMAP, %edx
	movl	%edx, 40(%edi)			/* memmap_paddr */
.Lentry:
	cmpl	%ecx, %esi
	jae	.Lgo
	cmpl	$MEMMAP_MAX, 48(%edi)
	jae	.Lgo
	/* multiboot entry: size, base_addr(8), length(8), type; size excludes itself */
	movl	4(%esi), %eax
	movl	%eax, 0(%edx)
	movl	8(%esi), %eax
	movl	%eax, 4(%edx)
	movl	12(%esi), %eax
	movl	%eax, 8(%edx)
	movl	16(%esi), %eax
	movl	%eax, 12(%edx)
	movl	20(%esi), %eax
	movl	%eax, 16(%edx)
	addl	$24, %edx
	incl	48(%edi)			/* memmap_entries */
	addl	0(%esi), %esi
	addl	$4, %esi
	jmp	.Lentry

.Lgo:
	movl	%edi, %ebx
	jmp	*PVH_ENTRY
