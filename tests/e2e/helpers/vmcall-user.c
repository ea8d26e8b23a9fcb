// SPDX-License-Identifier: GPL-2.0
/* vmcall-user: execute VMCALL at CPL 3 with subzero's key; the hypervisor must answer
 * with #UD, which Linux delivers as SIGILL.  Exits 0 if SIGILL arrived. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void on_sigill(int sig)
{
	(void)sig;
	printf("SIGILL\n");
	fflush(stdout);
	_exit(0);
}

int main(void)
{
	unsigned long rax = 0;

	signal(SIGILL, on_sigill);
	asm volatile("vmcall" : "+a"(rax) : "c"(0x7375627a65726f21UL), "d"(0) : "memory");
	printf("VMCALL returned %#lx at CPL 3: no #UD\n", rax);
	return 1;
}
