// SPDX-License-Identifier: GPL-2.0
/*
 * tf-cpuid: single-step (RFLAGS.TF) over CPUID with a SIGTRAP handler, and check that
 * a trap arrives after every instruction, the one right after CPUID included: on bare
 * metal CPUID raises its single-step #DB like any instruction, and a hypervisor that
 * performs CPUID for the guest and skips it must raise that #DB itself.
 *   tf-cpuid: ok, N traps      (exit 0)
 *   tf-cpuid: FAIL ...         (exit 1)
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

extern void tf_seq(void);
extern char tf_after_popf[], tf_cpuid[], tf_after_cpuid[], tf_after_nop[], tf_end[];

/* popfq sets TF; each instruction after the next traps, up to the popfq clearing it. */
asm(".text\n"
    ".globl tf_seq\n"
    "tf_seq:\n\t"
    "push %rbx\n\t"
    "pushfq\n\t"
    "orq $0x100, (%rsp)\n\t"
    "popfq\n"
    ".globl tf_after_popf\n"
    "tf_after_popf:\n\t"
    "xor %eax, %eax\n"
    ".globl tf_cpuid\n"
    "tf_cpuid:\n\t"
    "cpuid\n"
    ".globl tf_after_cpuid\n"
    "tf_after_cpuid:\n\t"
    "nop\n"
    ".globl tf_after_nop\n"
    "tf_after_nop:\n\t"
    "pushfq\n\t"
    "andq $~0x100, (%rsp)\n\t"
    "popfq\n"
    ".globl tf_end\n"
    "tf_end:\n\t"
    "pop %rbx\n\t"
    "ret\n");

static volatile unsigned long rips[64];
static volatile int nr;

static void on_trap(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;

	(void)sig;
	(void)si;
	if (nr < 64)
		rips[nr++] = uc->uc_mcontext.gregs[REG_RIP];
}

static const char *name(unsigned long rip)
{
	static char buf[32];

	if (rip == (unsigned long)tf_after_popf)
		return "after_popf";
	if (rip == (unsigned long)tf_cpuid)
		return "cpuid";
	if (rip == (unsigned long)tf_after_cpuid)
		return "after_cpuid";
	if (rip == (unsigned long)tf_after_nop)
		return "after_nop";
	if (rip == (unsigned long)tf_end)
		return "end";
	snprintf(buf, sizeof(buf), "%#lx", rip);
	return buf;
}

int main(void)
{
	/* TF set by POPF takes effect from the next instruction (the XOR) on */
	const unsigned long want[] = {
		(unsigned long)tf_cpuid, (unsigned long)tf_after_cpuid,
		(unsigned long)tf_after_nop,
	};
	struct sigaction sa;
	int i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_trap;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGTRAP, &sa, NULL);
	tf_seq();
	for (i = 0; i < 3; i++) {
		if (i >= nr || rips[i] != want[i]) {
			printf("tf-cpuid: FAIL trap %d at %s, expected %s; traps:", i,
			       i < nr ? name(rips[i]) : "(none)", name(want[i]));
			for (int j = 0; j < nr; j++)
				printf(" %s", name(rips[j]));
			printf("\n");
			return 1;
		}
	}
	if (rips[nr - 1] != (unsigned long)tf_end) {
		printf("tf-cpuid: FAIL last trap at %s, not at the end\n", name(rips[nr - 1]));
		return 1;
	}
	printf("tf-cpuid: ok, %d traps\n", nr);
	return 0;
}
