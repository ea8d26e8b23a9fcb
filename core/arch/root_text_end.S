/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The end of root's code (see root_text.S): linked last, and padded to a page so that
 * the module's next code section (.text.unlikely, static-call trampolines: patched by
 * the kernel) starts on a page that is not sealed.
 */
	.section .text, "ax"
	.globl sz_root_text_end
	.balign 4096
sz_root_text_end:
	.balign 4096, 0xcc
