/* SPDX-License-Identifier: GPL-2.0 */
/*
 * core/os.h's os_vmexit_hygiene(): the kernel's own VM-exit speculation macros, which
 * the kernel patches at module load by its mitigation choices, exactly as in KVM's
 * __vmx_vcpu_run (arch/x86/kvm/vmx/vmenter.S): stuff the return stack buffer (all of
 * it, or the one CALL eIBRS CPUs need), then clear the branch history where the CPU
 * needs the software loop.  RCX is free: the caller (the exit stub) has saved it.
 */
#include <linux/linkage.h>
#include <asm/nospec-branch.h>

	.text
SYM_FUNC_START(os_vmexit_hygiene)
	FILL_RETURN_BUFFER %rcx, RSB_CLEAR_LOOPS, X86_FEATURE_RSB_VMEXIT, X86_FEATURE_RSB_VMEXIT_LITE
	CLEAR_BRANCH_HISTORY_VMEXIT
	RET
SYM_FUNC_END(os_vmexit_hygiene)
