/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Included first in every C file of core/ (Kbuild: -include): the kernel's thunk
 * names, which GCC writes at every RET and indirect branch under the kernel's
 * retpoline and return-thunk flags, become root's own thunks (root_thunks.S).  An
 * assembler equate: a reference to the left-hand name is a relocation against the
 * right-hand one, so core/ objects import neither __x86_return_thunk nor
 * __x86_indirect_thunk_* (scripts/root-symbols.sh checks) and the kernel, which
 * patches the call sites of its own thunks in a module it loads, finds none here.
 */
#ifndef SUBZERO_ROOT_THUNKS_H
#define SUBZERO_ROOT_THUNKS_H

#define SZ_THUNK_ALIAS(reg) \
	".set __x86_indirect_thunk_" #reg ", sz_root_indirect_thunk_" #reg "\n\t"

asm(".set __x86_return_thunk, sz_root_return_thunk\n\t"
	SZ_THUNK_ALIAS(rax) SZ_THUNK_ALIAS(rbx) SZ_THUNK_ALIAS(rcx) SZ_THUNK_ALIAS(rdx)
	SZ_THUNK_ALIAS(rsi) SZ_THUNK_ALIAS(rdi) SZ_THUNK_ALIAS(rbp) SZ_THUNK_ALIAS(r8)
	SZ_THUNK_ALIAS(r9) SZ_THUNK_ALIAS(r10) SZ_THUNK_ALIAS(r11) SZ_THUNK_ALIAS(r12)
	SZ_THUNK_ALIAS(r13) SZ_THUNK_ALIAS(r14) SZ_THUNK_ALIAS(r15));

#endif
