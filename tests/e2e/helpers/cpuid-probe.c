// SPDX-License-Identifier: GPL-2.0
/*
 * cpuid-probe: print what CPUID tells this task on the CPU it runs on, one fact per
 * line, for the in-guest tests (run it under taskset to pick the CPU).
 *   cpu=N vmx=0|1 hypervisor=0|1 signature=STRING max=0x...
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
	unsigned int a, b, c, d, hv;
	char sig[13];

	__cpuid(1, a, b, c, d);
	hv = c >> 31;
	printf("cpu=%d vmx=%u hypervisor=%u", sched_getcpu(), (c >> 5) & 1, hv);
	if (!hv) {
		/* No hypervisor: leaves 0x4000xxxx answer as the highest basic leaf. */
		printf(" signature=none\n");
		return 0;
	}
	__cpuid(0x40000000, a, b, c, d);
	memcpy(sig, &b, 4);
	memcpy(sig + 4, &c, 4);
	memcpy(sig + 8, &d, 4);
	sig[12] = '\0';
	printf(" signature=%s max=%#x\n", sig[0] ? sig : "none", a);
	return 0;
}
