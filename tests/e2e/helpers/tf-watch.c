// SPDX-License-Identifier: GPL-2.0
/*
 * tf-watch: what a program sees of a watch step on its own pages (the step by
 * RFLAGS.TF where the CPU has no monitor trap flag).  It prints the physical addresses
 * of a data page and of a code page of its own, waits for a line on standard input
 * (the test adds the watches meanwhile), then:
 *  - single-steps itself (RFLAGS.TF, SIGTRAP handler) over a store to the data page:
 *    the trap must arrive right after the store, as on bare metal, with si_code
 *    TRAP_TRACE (the kernel sends no signal at all for a #DB without DR6.BS);
 *  - executes ICEBP (INT1) on the code page: one SIGTRAP after it, and the program
 *    goes on (the step must hand the INT1 to the guest, not stop the CPU).
 *   tf-watch: data=0x... code=0x...   then, after the line:
 *   tf-watch: ok ...                  (exit 0)
 *   tf-watch: FAIL ...                (exit 1)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

extern void tf_store(uint64_t *p);
extern char tf_store_insn[], tf_after_store[], tf_after_nop[], tf_store_end[];
extern void tf_icebp(void);
extern char tf_after_icebp[];

/* POPF sets TF: the store is the first instruction that traps after it. */
asm(".text\n"
    ".globl tf_store\n"
    "tf_store:\n\t"
    "pushfq\n\t"
    "orq $0x100, (%rsp)\n\t"
    "popfq\n"
    ".globl tf_store_insn\n"
    "tf_store_insn:\n\t"
    "movq %rdi, (%rdi)\n"
    ".globl tf_after_store\n"
    "tf_after_store:\n\t"
    "nop\n"
    ".globl tf_after_nop\n"
    "tf_after_nop:\n\t"
    "pushfq\n\t"
    "andq $~0x100, (%rsp)\n\t"
    "popfq\n"
    ".globl tf_store_end\n"
    "tf_store_end:\n\t"
    "ret\n");

/* ICEBP alone on a page of its own, so that an execute watch sees only it. */
asm(".section .text.tf_icebp, \"ax\"\n\t"
    ".balign 4096\n"
    ".globl tf_icebp\n"
    "tf_icebp:\n\t"
    ".byte 0xf1\n"
    ".globl tf_after_icebp\n"
    "tf_after_icebp:\n\t"
    "ret\n\t"
    ".balign 4096\n\t"
    ".text\n");

static volatile unsigned long rips[64];
static volatile int codes[64];
static volatile int nr;

static void on_trap(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;

	(void)sig;
	if (nr < 64) {
		codes[nr] = si->si_code;
		rips[nr++] = uc->uc_mcontext.gregs[REG_RIP];
	}
	/* an INT1 reported as a fault would repeat for ever: step over it (and fail) */
	if (uc->uc_mcontext.gregs[REG_RIP] == (greg_t)(unsigned long)tf_icebp)
		uc->uc_mcontext.gregs[REG_RIP] = (greg_t)(unsigned long)tf_after_icebp;
}

static uint64_t phys(const void *va)
{
	uint64_t e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		return 0;
	if (pread(fd, &e, sizeof(e), ((uintptr_t)va / 4096) * sizeof(e)) != sizeof(e))
		e = 0;
	close(fd);
	if (!(e & (1ULL << 63)))
		return 0;
	return (e & ((1ULL << 55) - 1)) * 4096;
}

int main(void)
{
	uint64_t *data = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	volatile char touch = *(volatile char *)tf_icebp;
	struct sigaction sa;
	char line[16];

	(void)touch;
	if (data == MAP_FAILED || mlock(data, 4096) || mlock((void *)tf_icebp, 4096)) {
		printf("tf-watch: FAIL no locked pages\n");
		return 1;
	}
	data[0] = 1;
	if (!phys(data) || !phys((void *)tf_icebp)) {
		printf("tf-watch: FAIL no physical address (not root?)\n");
		return 1;
	}
	printf("tf-watch: data=%#llx code=%#llx store_rip=%p\n",
	       (unsigned long long)phys(data), (unsigned long long)phys((void *)tf_icebp),
	       (void *)tf_store_insn);
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return 1;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_trap;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGTRAP, &sa, NULL);

	tf_store(data);
	if (data[0] != (uintptr_t)data) {
		printf("tf-watch: FAIL the store did not land\n");
		return 1;
	}
	if (nr < 2 || rips[0] != (unsigned long)tf_after_store ||
	    rips[1] != (unsigned long)tf_after_nop || codes[0] != TRAP_TRACE) {
		printf("tf-watch: FAIL single step over the watched store: %d traps, first at %#lx (want %p) si_code %d (want TRAP_TRACE %d)\n",
		       nr, nr ? rips[0] : 0, (void *)tf_after_store, nr ? codes[0] : 0,
		       TRAP_TRACE);
		return 1;
	}
	if (rips[nr - 1] != (unsigned long)tf_store_end) {
		printf("tf-watch: FAIL last single-step trap at %#lx, not at the end\n",
		       rips[nr - 1]);
		return 1;
	}

	nr = 0;
	tf_icebp();
	if (nr != 1 || rips[0] != (unsigned long)tf_after_icebp) {
		printf("tf-watch: FAIL ICEBP on the watched page: %d traps, first at %#lx (want %p)\n",
		       nr, nr ? rips[0] : 0, (void *)tf_after_icebp);
		return 1;
	}
	printf("tf-watch: ok, single step over the watched store traps after it (TRAP_TRACE), ICEBP on the watched page traps once\n");
	return 0;
}
