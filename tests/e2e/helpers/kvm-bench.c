// SPDX-License-Identifier: GPL-2.0
/*
 * kvm-bench: what a CPUID exit costs under KVM on the same (emulated) machine, for
 * `make bench`'s comparison with subzero.  A minimal /dev/kvm VM in the manner of the
 * classic kvmtest examples: one memory slot, one vCPU in real mode running
 *
 *       mov esi, N
 *   1:  xor eax, eax ; xor ecx, ecx
 *       cpuid                 (the "empty" run has a 2-byte NOP here)
 *       dec esi ; jnz 1b
 *       out 0x10, al          (back to user space: the run is over)
 *
 * KVM answers CPUID in the kernel, so one KVM_RUN covers the whole loop.  The TSC is
 * read around KVM_RUN on the host side; REPS runs of each kind, the fastest kept (a
 * host interrupt makes a run slower, never faster).  Ticks per exit =
 * (cpuid run - empty run) / N: the round trip guest -> KVM -> guest, less one NOP.
 *
 *   kvm-bench [N [REPS]]    "kvm n=N reps=R cpuid_min=T empty_min=T cpuid_median=T
 *                            empty_median=T runs_per_rep=K per_exit=X"
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <x86intrin.h>

#define MEM_SIZE	0x10000
#define CODE_CPUID	0x1000
#define CODE_EMPTY	0x2000
#define OUT_PORT	0x10

static const unsigned char code[] = {
	0x66, 0xbe, 0, 0, 0, 0,		/* mov esi, imm32 (N, patched in) */
	0x66, 0x31, 0xc0,		/* 1: xor eax, eax */
	0x66, 0x31, 0xc9,		/* xor ecx, ecx */
	0x0f, 0xa2,			/* cpuid (offset 12) */
	0x66, 0x4e,			/* dec esi */
	0x75, 0xf4,			/* jnz 1b */
	0xe6, OUT_PORT,			/* out OUT_PORT, al */
	0xf4,				/* hlt (not reached) */
};

static int kvm, vm, vcpu;
static struct kvm_run *run;

static void die(const char *what)
{
	fprintf(stderr, "kvm-bench: %s: %s\n", what, strerror(errno));
	printf("kvm error=%s errno=%d\n", what, errno);
	exit(1);
}

/* One pass of the loop at @rip; returns its ticks and how many KVM_RUNs it took. */
static unsigned long long one_run(unsigned long rip, unsigned int *runs)
{
	struct kvm_regs regs = { .rip = rip, .rflags = 2 };
	unsigned long long t0, t1;
	unsigned int aux;

	if (ioctl(vcpu, KVM_SET_REGS, &regs))
		die("KVM_SET_REGS");
	*runs = 0;
	t0 = __rdtscp(&aux);
	for (;;) {
		++*runs;
		if (ioctl(vcpu, KVM_RUN, 0) && errno != EINTR)
			die("KVM_RUN");
		if (run->exit_reason == KVM_EXIT_IO && run->io.port == OUT_PORT)
			break;
		if (run->exit_reason == KVM_EXIT_INTR)
			continue;
		errno = 0;
		fprintf(stderr, "kvm-bench: unexpected exit %u\n", run->exit_reason);
		printf("kvm error=unexpected_exit_%u\n", run->exit_reason);
		exit(1);
	}
	t1 = __rdtscp(&aux);
	return t1 - t0;
}

static int cmp_ull(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a, y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	unsigned int n = argc > 1 ? strtoul(argv[1], NULL, 0) : 1000;
	unsigned int reps = argc > 2 ? strtoul(argv[2], NULL, 0) : 20, r, runs = 0, k;
	struct kvm_userspace_memory_region region;
	unsigned long long *tc, *te;
	struct kvm_sregs sregs;
	unsigned char *mem;
	int size;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!n || !reps) {
		fprintf(stderr, "usage: kvm-bench [N [REPS]] (both > 0)\n");
		return 2;
	}
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		die("/dev/kvm");
	if (ioctl(kvm, KVM_GET_API_VERSION, 0) != KVM_API_VERSION)
		die("KVM_GET_API_VERSION");
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		die("KVM_CREATE_VM");
	/* Only used without unrestricted guest (real mode through vm86): harmless. */
	ioctl(vm, KVM_SET_TSS_ADDR, 0xfffbd000UL);
	mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		die("mmap");
	memcpy(mem + CODE_CPUID, code, sizeof(code));
	memcpy(mem + CODE_EMPTY, code, sizeof(code));
	memcpy(mem + CODE_CPUID + 2, &n, 4);
	memcpy(mem + CODE_EMPTY + 2, &n, 4);
	mem[CODE_EMPTY + 12] = 0x66;	/* 66 90: a 2-byte NOP instead of CPUID */
	mem[CODE_EMPTY + 13] = 0x90;
	region = (struct kvm_userspace_memory_region){
		.slot = 0, .guest_phys_addr = 0, .memory_size = MEM_SIZE,
		.userspace_addr = (unsigned long)mem,
	};
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region))
		die("KVM_SET_USER_MEMORY_REGION");
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		die("KVM_CREATE_VCPU");
	size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < (int)sizeof(*run))
		die("KVM_GET_VCPU_MMAP_SIZE");
	run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		die("mmap vcpu");
	if (ioctl(vcpu, KVM_GET_SREGS, &sregs))
		die("KVM_GET_SREGS");
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs))
		die("KVM_SET_SREGS");

	tc = calloc(reps, sizeof(*tc));
	te = calloc(reps, sizeof(*te));
	if (!tc || !te)
		die("calloc");
	one_run(CODE_CPUID, &k);	/* warm up: first entry, page faults in */
	one_run(CODE_EMPTY, &k);
	for (r = 0; r < reps; r++) {
		tc[r] = one_run(CODE_CPUID, &k);
		runs += k;
		te[r] = one_run(CODE_EMPTY, &k);
		runs += k;
	}
	qsort(tc, reps, sizeof(*tc), cmp_ull);
	qsort(te, reps, sizeof(*te), cmp_ull);
	printf("kvm n=%u reps=%u cpuid_min=%llu empty_min=%llu cpuid_median=%llu "
	       "empty_median=%llu runs=%u per_exit=%.1f\n", n, reps, tc[0], te[0],
	       tc[reps / 2], te[reps / 2], runs,
	       ((double)tc[0] - (double)te[0]) / n);
	return 0;
}
