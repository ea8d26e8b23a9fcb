// SPDX-License-Identifier: GPL-2.0
/*
 * sz_test: what only kernel code can check, for the end-to-end tests.  Loading it runs
 * one probe set (parameter "test"), prints one line per check ("sz_test: ok ..." or
 * "sz_test: FAIL ...") and a summary, and fails the load with -EIO if a check failed.
 *
 *   test=vmx     on every online CPU: each VMX instruction raises #UD; CR4 reads and
 *                writes; VMCALL with the right key, a bad key, an unknown number.
 *                expect_hv=1 (subzero loaded) or 0 (not loaded) says what is right.
 *   test=nmi     NMIs reach the guest: one sent while CPU 0 runs the guest, and one
 *                sent while CPU 0 is held in VMX root (subzero test_hooks=1).
 *   test=triple_fault   make this CPU's guest triple-fault (never returns).
 *   test=watch   stay loaded with a data page and a function on a page of its own, and
 *                print their physical addresses; writing N to the parameter "writes"
 *                stores N values into the data page, "calls" calls the function N
 *                times (the e2e test watches those pages meanwhile).
 *   test=multi   stay loaded with two virtually contiguous pages (a, b), a source page
 *                and a destination page, and print their physical addresses; writing N
 *                to "straddle" makes N unaligned 8-byte stores across a and b, to
 *                "movs" one REP MOVSQ of N quadwords from the source page to the
 *                destination page (the e2e test read-watches the source and protects
 *                the destination: the destination must keep what it held).
 *   test=race    stay loaded with a kernel thread on CPU 1 that writes one page without
 *                a pause, and print the page's physical address; the parameter
 *                "race_count" says how many writes it has made (the e2e test adds and
 *                deletes a watch and a protection on that page meanwhile).
 *   test=stack   stay loaded with a kernel thread on CPU 1 that spins with interrupts on,
 *                and print the physical address of its stack page (the e2e test puts
 *                a write watch on it: interrupts are then delivered onto it).
 *   test=poke pa=A     write through a fresh writable mapping of physical page A (a
 *                page of kernel text) and report whether the write took effect.
 *   test=zero pa=A     on CPU 0, zero physical page A through the kernel's direct map
 *                (a page of subzero's EPT: it must not reach the real table).
 *   test=bench   on CPU @cpu with interrupts off: @reps timed runs of a loop of @n
 *                iterations of one operation @op, each printed as
 *                "sz_test: bench cpu=C op=OP n=N rep=R ticks=T" (TSC ticks for the run):
 *                  bare    the loop alone (what the others cost without an exit)
 *                  cpuid   CPUID leaf 0
 *                  rdmsr   RDMSR of IA32_FEATURE_CONTROL (subzero intercepts it)
 *                  vmcall  subzero's ping hypercall (needs subzero: #UD without it,
 *                          so it is refused then)
 *                op=sizes prints the sizes subzero's memory use is made of.
 *                Runs on real VT-x hardware as well (README, "Performance").
 *   test=xcheck  the VM-entry cross-check (subzero test_hooks=1): on CPU @cpu (0 by
 *                default) with interrupts off, each of subzero's rule breaks in turn
 *                (SUBZERO_HC_TEST_XCHECK); one line per rule,
 *                "sz_test: xcheck rule=R kind=K cpu=refused|ACCEPTED how=H checker=named|MISSED
 *                violations=N" (H: VMfailValid:ERROR or exit:REASON); a rule the checker
 *                missed fails the load.
 *
 * Faults are caught through the exception table (EX_TYPE_FAULT leaves the vector in
 * RAX), as KVM does for VMX instructions.
 */
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/vmalloc.h>
#include <linux/module.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <asm/apic.h>
#include <asm/asm.h>
#include <asm/msr.h>
#include <asm/msr-index.h>
#include <asm/nmi.h>
#include <asm/processor-flags.h>
#include <asm/trapnr.h>

#include "../../../core/vmx.h"

static char *test = "vmx";
module_param(test, charp, 0444);
static bool expect_hv = true;
module_param(expect_hv, bool, 0444);
static unsigned long pa;
module_param(pa, ulong, 0444);

#define NO_FAULT (-1L)

/*
 * Run one instruction; evaluate to NO_FAULT, or to the vector of the exception it
 * raised.  RAX and RDI belong to the probe; the instruction's operands are @...
 */
#define PROBE(insn, ...)						\
({									\
	unsigned long __ax = 0, __faulted = 1;				\
	asm volatile("1: " insn "\n\t"					\
		     "xor %k[f], %k[f]\n"				\
		     "2:\n"						\
		     _ASM_EXTABLE_FAULT(1b, 2b)				\
		     : "+a"(__ax), [f] "+D"(__faulted)			\
		     : __VA_ARGS__					\
		     : "memory", "cc");					\
	__faulted ? (long)__ax : NO_FAULT;				\
})

struct vmx_probe_result {
	long insn[11];
	unsigned long cr4;
	long cr4_set_vmxe;
	long vmcall_fault;
	long ping, bad_key, unknown;
};

static const char *const insn_names[] = {
	"VMXON", "VMXOFF", "VMCLEAR", "VMPTRLD", "VMPTRST", "VMREAD", "VMWRITE",
	"VMLAUNCH", "VMRESUME", "INVEPT", "INVVPID",
};

/* VMCALL, or the vector it raised (*fault); the result comes back in RAX. */
static long hypercall(u64 nr, u64 key, u64 arg, long *fault)
{
	unsigned long ax = nr, faulted = 1;

	asm volatile("1: vmcall\n\t"
		     "xor %k[f], %k[f]\n"
		     "2:\n"
		     _ASM_EXTABLE_FAULT(1b, 2b)
		     : "+a"(ax), [f] "+D"(faulted)
		     : "c"(key), "d"(arg)
		     : "memory", "cc");
	*fault = faulted ? (long)ax : NO_FAULT;
	return (long)ax;
}

static void vmx_probes(void *arg)
{
	struct vmx_probe_result *r = arg;
	u64 mem = 0, field = 0x681e, val = 0, type = 1;
	struct { u64 a, b; } desc = { 0, 0 };
	int i = 0;
	long f;

	r->insn[i++] = PROBE("vmxon %[m]", [m] "m"(mem));
	r->insn[i++] = PROBE("vmxoff");
	r->insn[i++] = PROBE("vmclear %[m]", [m] "m"(mem));
	r->insn[i++] = PROBE("vmptrld %[m]", [m] "m"(mem));
	r->insn[i++] = PROBE("vmptrst %[m]", [m] "m"(mem));
	r->insn[i++] = PROBE("vmread %[fld], %[v]", [fld] "r"(field), [v] "r"(val));
	r->insn[i++] = PROBE("vmwrite %[v], %[fld]", [fld] "r"(field), [v] "r"(val));
	r->insn[i++] = PROBE("vmlaunch");
	r->insn[i++] = PROBE("vmresume");
	r->insn[i++] = PROBE("invept %[d], %[t]", [d] "m"(desc), [t] "r"(type));
	r->insn[i++] = PROBE("invvpid %[d], %[t]", [d] "m"(desc), [t] "r"(type));

	asm volatile("mov %%cr4, %0" : "=r"(r->cr4));
	/* Setting VMXE is only safe to try when a hypervisor must refuse it. */
	r->cr4_set_vmxe = NO_FAULT;
	if (expect_hv)
		r->cr4_set_vmxe = PROBE("mov %[v], %%cr4", [v] "r"(r->cr4 | X86_CR4_VMXE));

	r->ping = hypercall(SUBZERO_HC_PING, SUBZERO_VMCALL_KEY, 0, &r->vmcall_fault);
	r->bad_key = hypercall(SUBZERO_HC_PING, SUBZERO_VMCALL_KEY ^ 1, 0, &f);
	r->unknown = hypercall(0x4242, SUBZERO_VMCALL_KEY, 0, &f);
}

static int failures;

static void check(bool ok, int cpu, const char *what, long got)
{
	pr_info("sz_test: %s CPU %d: %s (got %ld)\n", ok ? "ok" : "FAIL", cpu, what, got);
	if (!ok)
		failures++;
}

static void test_vmx(void)
{
	struct vmx_probe_result r;
	unsigned int i;
	int cpu;

	for_each_online_cpu(cpu) {
		memset(&r, 0, sizeof(r));
		smp_call_function_single(cpu, vmx_probes, &r, 1);
		for (i = 0; i < ARRAY_SIZE(insn_names); i++) {
			char what[48];

			snprintf(what, sizeof(what), "%s raises #UD", insn_names[i]);
			check(r.insn[i] == X86_TRAP_UD, cpu, what, r.insn[i]);
		}
		check(!(r.cr4 & X86_CR4_VMXE), cpu, "CR4.VMXE reads 0", r.cr4);
		check(r.cr4 & X86_CR4_PAE, cpu, "CR4.PAE reads 1", r.cr4);
		if (!expect_hv) {
			check(r.vmcall_fault == X86_TRAP_UD, cpu, "VMCALL without subzero raises #UD",
			      r.vmcall_fault);
			continue;
		}
		check(r.cr4_set_vmxe == X86_TRAP_GP, cpu, "setting CR4.VMXE raises #GP",
		      r.cr4_set_vmxe);
		check(r.vmcall_fault == NO_FAULT && r.ping == SUBZERO_HC_PONG, cpu,
		      "VMCALL ping answers", r.ping);
		check(r.bad_key == -EPERM, cpu, "VMCALL with a bad key gets -EPERM", r.bad_key);
		check(r.unknown == -EINVAL, cpu, "unknown hypercall gets -EINVAL", r.unknown);
	}
}

/* ---- NMIs ---- */

static atomic_t nmi_armed, nmi_seen;
static u64 nmi_tsc;

static int sz_nmi(unsigned int type, struct pt_regs *regs)
{
	if (smp_processor_id() != 0 || !atomic_add_unless(&nmi_armed, -1, 0))
		return NMI_DONE;
	nmi_tsc = rdtsc();
	atomic_inc(&nmi_seen);
	return NMI_HANDLED;
}

static bool wait_seen(int n)
{
	int i;

	for (i = 0; i < 5000 && atomic_read(&nmi_seen) < n; i++)
		mdelay(1);
	return atomic_read(&nmi_seen) >= n;
}

#define SPIN_TICKS 20000000ULL

static atomic_t spinning;
static u64 spin_start, spin_end;
static long spin_ret;

static void spin_in_root(void *unused)
{
	long fault;

	spin_start = rdtsc();
	atomic_set(&spinning, 1);
	spin_ret = hypercall(SUBZERO_HC_TEST_SPIN, SUBZERO_VMCALL_KEY, SPIN_TICKS, &fault);
	spin_end = rdtsc();
	if (fault != NO_FAULT)
		spin_ret = -1000 - fault;
}

static void test_nmi(void)
{
	u64 sent;
	int i;

	if (smp_processor_id() == 0 || !cpu_online(0)) {
		check(false, 0, "test=nmi must run on a CPU other than 0", 0);
		return;
	}
	if (register_nmi_handler(NMI_LOCAL, sz_nmi, 0, "sz_test")) {
		check(false, 0, "register_nmi_handler", 0);
		return;
	}
	/* 1: CPU 0 runs the guest (idle or not): the NMI exits and is injected. */
	atomic_set(&nmi_armed, 1);
	apic->send_IPI(0, NMI_VECTOR);
	check(wait_seen(1), 0, "an NMI sent to the guest arrives", atomic_read(&nmi_seen));

	/* 2: CPU 0 is held in VMX root: the NMI waits there and arrives after. */
	atomic_set(&nmi_armed, 1);
	atomic_set(&spinning, 0);
	smp_call_function_single(0, spin_in_root, NULL, 0);
	for (i = 0; i < 1000 && !atomic_read(&spinning); i++)
		mdelay(1);
	udelay(100);
	sent = rdtsc();
	apic->send_IPI(0, NMI_VECTOR);
	check(wait_seen(2), 0, "an NMI sent while in VMX root arrives", atomic_read(&nmi_seen));
	pr_info("sz_test: ticks from the spin's start: NMI sent %lld, spin ended %lld, NMI handled %lld, now %lld\n",
		(s64)(sent - spin_start), (s64)(spin_end - spin_start), (s64)(nmi_tsc - spin_start),
		(s64)(rdtsc() - spin_start));
	check(spin_ret == 0, 0, "the test spin hypercall ran", spin_ret);
	check(sent < spin_end && nmi_tsc >= spin_start + SPIN_TICKS, 0,
	      "it was held until root was left (ticks after the spin ended)",
	      (long)(nmi_tsc - (spin_start + SPIN_TICKS)));
	unregister_nmi_handler(NMI_LOCAL, "sz_test");
}

/* ---- bench ---- */

static char *op = "cpuid";
module_param(op, charp, 0444);
static unsigned int n = 10000;
module_param(n, uint, 0444);
static unsigned int reps = 3;
module_param(reps, uint, 0444);
static int cpu = -1;
module_param(cpu, int, 0444);

enum bench_op { BENCH_BARE, BENCH_CPUID, BENCH_RDMSR, BENCH_VMCALL };

struct bench_run {
	enum bench_op op;
	unsigned int n;
	u64 ticks;
	long bad;		/* a VMCALL that did not answer the ping */
};

/*
 * Every loop has the same shape (RAX and RCX set, one instruction, count down), so
 * the bare loop's cost is what the others would cost if their instruction were free.
 */
static void bench_loop(void *arg)
{
	struct bench_run *b = arg;
	unsigned int i = b->n;
	unsigned long ax, cx;
	u64 t0, t1;

	t0 = rdtsc_ordered();
	switch (b->op) {
	case BENCH_BARE:
		for (; i; i--) {
			ax = 0;
			cx = 0;
			asm volatile("" : "+a"(ax), "+c"(cx) : : "rbx", "rdx", "memory");
		}
		break;
	case BENCH_CPUID:
		for (; i; i--) {
			ax = 0;
			cx = 0;
			asm volatile("cpuid" : "+a"(ax), "+c"(cx) : : "rbx", "rdx", "memory");
		}
		break;
	case BENCH_RDMSR:
		for (; i; i--) {
			ax = 0;
			cx = MSR_IA32_FEAT_CTL;
			asm volatile("rdmsr" : "+a"(ax), "+c"(cx) : : "rbx", "rdx", "memory");
		}
		break;
	case BENCH_VMCALL:
		for (; i; i--) {
			ax = SUBZERO_HC_PING;
			cx = SUBZERO_VMCALL_KEY;
			asm volatile("vmcall" : "+a"(ax), "+c"(cx) : "d"(0) : "rbx", "memory");
			if (ax != SUBZERO_HC_PONG)
				b->bad = ax;
		}
		break;
	}
	t1 = rdtsc_ordered();
	b->ticks = t1 - t0;
}

/* CPUID 0x40000000 on @c says "subzero": VMCALL will be answered there. */
static void bench_has_subzero(void *arg)
{
	unsigned int a = 0x40000000, b, c = 0, d;

	native_cpuid(&a, &b, &c, &d);
	*(bool *)arg = b == 0x7a627573 && c == 0x006f7265;
}

static void test_bench(void)
{
	static const char *const names[] = { "bare", "cpuid", "rdmsr", "vmcall" };
	struct bench_run b = { .n = n };
	bool hv = false;
	unsigned int r;
	int c = cpu < 0 ? raw_smp_processor_id() : cpu;

	if (!strcmp(op, "sizes")) {
		pr_info("sz_test: bench sizes vcpu=%zu log_ring=%zu host_stack=%u page=%lu\n",
			sizeof(struct vcpu), sizeof(struct log_ring), VCPU_HOST_STACK_SIZE,
			PAGE_SIZE);
		return;
	}
	for (b.op = 0; b.op < ARRAY_SIZE(names) && strcmp(op, names[b.op]); b.op++)
		;
	if (b.op == ARRAY_SIZE(names) || c >= nr_cpu_ids || !cpu_online(c)) {
		check(false, c, "bench: unknown op or CPU not online", b.op);
		return;
	}
	smp_call_function_single(c, bench_has_subzero, &hv, 1);
	if (b.op == BENCH_VMCALL && !hv) {
		check(false, c, "bench: op=vmcall needs subzero loaded (VMCALL raises #UD)", 0);
		return;
	}
	for (r = 0; r < reps; r++) {
		smp_call_function_single(c, bench_loop, &b, 1);
		pr_info("sz_test: bench cpu=%d op=%s n=%u rep=%u ticks=%llu subzero=%d\n", c,
			names[b.op], b.n, r, b.ticks, hv);
	}
	if (b.bad)
		check(false, c, "bench: a VMCALL ping got no pong", b.bad);
}

/* ---- fail closed ---- */

static void test_triple_fault(void)
{
	struct desc_ptr none = { .size = 0, .address = 0 };

	pr_info("sz_test: CPU %d: loading an empty IDT and raising #UD\n", smp_processor_id());
	local_irq_disable();
	asm volatile("lidt %0; ud2" : : "m"(none));
	/* #UD -> #GP -> #DF cannot be delivered: triple fault */
	unreachable();
}

/* ---- watch targets ---- */

static u64 *watch_data;

/*
 * Alone on its page, so that an execute watch on the page sees its calls only.  In a
 * section of its own: page-aligned inside .text, the assembler would fill the gap with
 * a jump over the padding, which objtool reports as an unreachable instruction.
 */
static noinline __aligned(4096) __section(".text.sz_exec_target") int sz_exec_target(int x)
{
	return x * 3 + 1;
}

static int writes_set(const char *val, const struct kernel_param *kp)
{
	unsigned long rip = 0;
	unsigned int n, i, bad = 0;
	u64 t0;

	if (kstrtouint(val, 0, &n) || !watch_data || n > 4096)
		return -EINVAL;
	t0 = rdtsc_ordered();
	for (i = 0; i < n; i++) {
		u64 v = 0x5a00000000ULL + i;

		asm volatile("1: movq %[v], (%[p])\n\t"
			     "lea 1b(%%rip), %[rip]"
			     : [rip] "=r"(rip) : [v] "r"(v), [p] "r"(&watch_data[i % 512])
			     : "memory");
		if (READ_ONCE(watch_data[i % 512]) != v)
			bad++;
	}
	t0 = rdtsc_ordered() - t0;
	pr_info("sz_test: %s: %u writes at pa=%llx from rip=%lx, %u read back wrong, ticks=%llu\n",
		bad ? "FAIL" : "ok", n, (u64)virt_to_phys(watch_data), rip, bad, t0);
	return bad ? -EIO : 0;
}

static int calls_set(const char *val, const struct kernel_param *kp)
{
	unsigned int n, i;
	int sum = 0;

	if (kstrtouint(val, 0, &n) || n > 4096)
		return -EINVAL;
	for (i = 0; i < n; i++)
		sum += sz_exec_target(i);
	pr_info("sz_test: ok: %u calls of %px, sum %d\n", n, sz_exec_target, sum);
	return 0;
}

static const struct kernel_param_ops writes_ops = { .set = writes_set };
static const struct kernel_param_ops calls_ops = { .set = calls_set };
module_param_cb(writes, &writes_ops, NULL, 0200);
module_param_cb(calls, &calls_ops, NULL, 0200);

static int test_watch(void)
{
	watch_data = (u64 *)get_zeroed_page(GFP_KERNEL);
	if (!watch_data)
		return -ENOMEM;
	pr_info("sz_test: watch data pa=%llx exec pa=%llx exec rip=%px\n",
		(u64)virt_to_phys(watch_data),
		(u64)page_to_phys(vmalloc_to_page(sz_exec_target)), sz_exec_target);
	return 0;
}

/* ---- one instruction on two watched pages ---- */

static u8 *multi_pair;			/* two pages: a store across them */
static u64 *multi_src, *multi_dst;
#define MULTI_DST_FILL	0xd5d5d5d5d5d5d5d5ULL
#define MULTI_SRC(i)	(0x5300000000ULL + (i))

static int straddle_set(const char *val, const struct kernel_param *kp)
{
	u8 *p = multi_pair + PAGE_SIZE - 4;	/* 4 bytes on each page */
	unsigned long rip = 0;
	unsigned int n, i, bad = 0;

	if (kstrtouint(val, 0, &n) || !multi_pair || n > 4096)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		u64 v = 0x1122334400000000ULL + i, got;

		asm volatile("1: movq %[v], (%[p])\n\t"
			     "lea 1b(%%rip), %[rip]"
			     : [rip] "=r"(rip) : [v] "r"(v), [p] "r"(p) : "memory");
		memcpy(&got, p, sizeof(got));	/* unaligned */
		if (got != v)
			bad++;
	}
	pr_info("sz_test: %s: %u straddling stores at pa=%llx+%llx from rip=%lx, %u read back wrong\n",
		bad ? "FAIL" : "ok", n, (u64)virt_to_phys(multi_pair),
		(u64)virt_to_phys(multi_pair + PAGE_SIZE), rip, bad);
	return bad ? -EIO : 0;
}

static int movs_set(const char *val, const struct kernel_param *kp)
{
	unsigned long rip = 0, cnt;
	unsigned int n, i, changed = 0;
	void *d = multi_dst, *s = multi_src;

	if (kstrtouint(val, 0, &n) || !multi_src || n > PAGE_SIZE / 8)
		return -EINVAL;
	cnt = n;
	asm volatile("1: rep movsq\n\t"
		     "lea 1b(%%rip), %[rip]"
		     : [rip] "=r"(rip), "+D"(d), "+S"(s), "+c"(cnt) : : "memory");
	/* not the source: it is read-watched, and every read of it would be an event */
	for (i = 0; i < PAGE_SIZE / 8; i++)
		changed += READ_ONCE(multi_dst[i]) != MULTI_DST_FILL;
	pr_info("sz_test: movs: %u quadwords from pa=%llx to pa=%llx at rip=%lx, %lu left, %u destination quadwords changed\n",
		n, (u64)virt_to_phys(multi_src), (u64)virt_to_phys(multi_dst), rip, cnt, changed);
	return cnt ? -EIO : 0;
}

static const struct kernel_param_ops straddle_ops = { .set = straddle_set };
static const struct kernel_param_ops movs_ops = { .set = movs_set };
module_param_cb(straddle, &straddle_ops, NULL, 0200);
module_param_cb(movs, &movs_ops, NULL, 0200);

static int test_multi(void)
{
	unsigned int i;

	multi_pair = (u8 *)__get_free_pages(GFP_KERNEL | __GFP_ZERO, 1);
	multi_src = (u64 *)get_zeroed_page(GFP_KERNEL);
	multi_dst = (u64 *)get_zeroed_page(GFP_KERNEL);
	if (!multi_pair || !multi_src || !multi_dst) {
		free_pages((unsigned long)multi_pair, 1);
		free_page((unsigned long)multi_src);
		free_page((unsigned long)multi_dst);
		return -ENOMEM;
	}
	for (i = 0; i < PAGE_SIZE / 8; i++) {
		multi_src[i] = MULTI_SRC(i);
		multi_dst[i] = MULTI_DST_FILL;
	}
	pr_info("sz_test: multi a=%llx b=%llx src=%llx dst=%llx\n",
		(u64)virt_to_phys(multi_pair), (u64)virt_to_phys(multi_pair + PAGE_SIZE),
		(u64)virt_to_phys(multi_src), (u64)virt_to_phys(multi_dst));
	return 0;
}

/* ---- a page written without a pause while its watch comes and goes ---- */

static struct task_struct *race_thread;
static u64 *race_page;
static unsigned long race_count;
module_param(race_count, ulong, 0444);

static int race_fn(void *unused)
{
	unsigned long i = 0;

	while (!kthread_should_stop()) {
		WRITE_ONCE(race_page[i % 512], i);
		WRITE_ONCE(race_count, ++i);
		if (!(i % 256))
			cond_resched();
	}
	return 0;
}

static int test_race(void)
{
	race_page = (u64 *)get_zeroed_page(GFP_KERNEL);
	if (!race_page)
		return -ENOMEM;
	race_thread = kthread_create(race_fn, NULL, "sz_test_race");
	if (IS_ERR(race_thread)) {
		int ret = PTR_ERR(race_thread);

		race_thread = NULL;
		free_page((unsigned long)race_page);
		return ret;
	}
	kthread_bind(race_thread, 1);
	wake_up_process(race_thread);
	pr_info("sz_test: race pa=%llx cpu=1\n", (u64)virt_to_phys(race_page));
	return 0;
}

/* ---- a kernel stack to watch ---- */

static struct task_struct *stack_thread;
static DECLARE_COMPLETION(stack_known);
/* PUSHFs the thread made on its (watched) stack, and how many saw RFLAGS.TF */
static atomic_t stack_pushfs, stack_tf_seen;


static int stack_fn(void *unused)
{
	unsigned long sp = current_stack_pointer & PAGE_MASK;
	phys_addr_t pa_sp = is_vmalloc_addr((void *)sp) ?
			    page_to_phys(vmalloc_to_page((void *)sp)) : virt_to_phys((void *)sp);

	pr_info("sz_test: stack pa=%llx cpu=%d\n", (u64)pa_sp, raw_smp_processor_id());
	complete(&stack_known);
	/*
	 * Spin with interrupts on and few calls of its own: what lands on the watched
	 * page is mostly the frames of interrupts delivered while it runs (each write
	 * there costs two exits; a busier stack would slow CPU 1 to a crawl in Bochs).
	 */
	while (!kthread_should_stop()) {
		unsigned long fl;
		unsigned int i;

		for (i = 0; i < 200000; i++)
			cpu_relax();
		/*
		 * A PUSHF onto the watched page: stepped like any store there.  Nobody
		 * single-steps this thread, so RFLAGS.TF in what it read is the step's
		 * own TF leaking out (local_irq_restore() would then POPF it).
		 */
		asm volatile("pushfq; popq %0" : "=r"(fl) : : "memory");
		atomic_inc(&stack_pushfs);
		if (fl & X86_EFLAGS_TF)
			atomic_inc(&stack_tf_seen);
		cond_resched();
	}
	return 0;
}

static int test_stack(void)
{
	stack_thread = kthread_create(stack_fn, NULL, "sz_test_stack");
	if (IS_ERR(stack_thread)) {
		int ret = PTR_ERR(stack_thread);

		stack_thread = NULL;
		return ret;
	}
	kthread_bind(stack_thread, 1);
	wake_up_process(stack_thread);
	wait_for_completion(&stack_known);
	return 0;
}

/* Write to physical page pa through a mapping of our own; the value must not stick. */
static void test_poke(void)
{
	struct page *page = pfn_to_page(pa >> PAGE_SHIFT);
	u64 *alias = vmap(&page, 1, VM_MAP, PAGE_KERNEL);
	u64 old, now;

	if (!alias) {
		check(false, 0, "vmap", 0);
		return;
	}
	old = READ_ONCE(alias[32]);
	WRITE_ONCE(alias[32], ~old);
	now = READ_ONCE(alias[32]);
	if (now != old)
		WRITE_ONCE(alias[32], old);	/* not protected: undo at once */
	check(now == old, smp_processor_id(), "a write to the protected page did not stick",
	      (long)(now ^ old));
	vunmap(alias);
}

static void zero_page_fn(void *unused)
{
	u64 *p = phys_to_virt(pa);
	u64 first = READ_ONCE(p[0]);

	pr_info("sz_test: CPU %d: EPT page %lx reads %llx before zeroing\n",
		smp_processor_id(), pa, first);
	memset(p, 0, PAGE_SIZE);
}

/* ---- xcheck ---- */

static const char *const xc_rule_names[] = {
#define XC_RULE_NAME(name, kind, section, field, allows) #name,
	ENTRY_RULES(XC_RULE_NAME)
#undef XC_RULE_NAME
};

static const char *const xc_rule_kinds[] = {
#define XC_RULE_KIND(name, kind, section, field, allows) #kind,
	ENTRY_RULES(XC_RULE_KIND)
#undef XC_RULE_KIND
};

struct xc_run {
	long count;
	long res[128];
};

static void xcheck_fn(void *arg)
{
	struct xc_run *x = arg;
	unsigned long flags;
	long f, i;

	x->count = hypercall(SUBZERO_HC_TEST_XCHECK, SUBZERO_VMCALL_KEY, ~0ULL, &f);
	if (f != NO_FAULT || x->count < 0) {
		x->count = f != NO_FAULT ? -EFAULT : x->count;
		return;
	}
	for (i = 0; i < x->count && i < ARRAY_SIZE(x->res); i++) {
		local_irq_save(flags);
		x->res[i] = hypercall(SUBZERO_HC_TEST_XCHECK, SUBZERO_VMCALL_KEY, i, &f);
		local_irq_restore(flags);
	}
}

static void test_xcheck(void)
{
	static struct xc_run x;
	int c = cpu < 0 ? 0 : cpu;
	long i, missed = 0, lenient = 0;

	memset(&x, 0, sizeof(x));
	if (smp_call_function_single(c, xcheck_fn, &x, 1) || x.count <= 0) {
		check(false, c, "the cross-check hypercall answers (subzero test_hooks=1)",
		      x.count);
		return;
	}
	for (i = 0; i < x.count && i < ARRAY_SIZE(x.res); i++) {
		u64 r = x.res[i];
		unsigned int rule = SUBZERO_XCHECK_RULE(r);
		char how[32];

		if (x.res[i] < 0 || rule >= ARRAY_SIZE(xc_rule_names)) {
			check(false, c, "cross-check answer", x.res[i]);
			continue;
		}
		if (SUBZERO_XCHECK_ERROR(r))
			snprintf(how, sizeof(how), "VMfailValid:%llu", SUBZERO_XCHECK_ERROR(r));
		else
			snprintf(how, sizeof(how), "exit:%llu", SUBZERO_XCHECK_REASON(r));
		pr_info("sz_test: xcheck rule=%s kind=%s cpu=%s how=%s checker=%s violations=%llu\n",
			xc_rule_names[rule], xc_rule_kinds[rule],
			(r & SUBZERO_XCHECK_REFUSED) ? "refused" : "ACCEPTED", how,
			(r & SUBZERO_XCHECK_NAMED) ? "named" : "MISSED", SUBZERO_XCHECK_NVIOL(r));
		missed += !(r & SUBZERO_XCHECK_NAMED);
		lenient += !(r & SUBZERO_XCHECK_REFUSED);
	}
	pr_info("sz_test: xcheck done: %ld rules, %ld missed by the checker, %ld accepted by the CPU\n",
		x.count, missed, lenient);
	check(!missed, c, "the checker names every rule the cross-check breaks", missed);
}

static int __init sz_test_init(void)
{
	failures = 0;
	if (!strcmp(test, "vmx"))
		test_vmx();
	else if (!strcmp(test, "nmi"))
		test_nmi();
	else if (!strcmp(test, "triple_fault"))
		test_triple_fault();
	else if (!strcmp(test, "watch"))
		return test_watch();
	else if (!strcmp(test, "stack"))
		return test_stack();
	else if (!strcmp(test, "multi"))
		return test_multi();
	else if (!strcmp(test, "race"))
		return test_race();
	else if (!strcmp(test, "poke") && pa)
		test_poke();
	else if (!strcmp(test, "zero") && pa)
		smp_call_function_single(0, zero_page_fn, NULL, 1);
	else if (!strcmp(test, "bench"))
		test_bench();
	else if (!strcmp(test, "xcheck"))
		test_xcheck();
	else
		return -EINVAL;
	pr_info("sz_test: %s: %d failed\n", test, failures);
	return failures ? -EIO : 0;
}

static void __exit sz_test_exit(void)
{
	if (stack_thread) {
		kthread_stop(stack_thread);
		pr_info("sz_test: %s: stack thread: %d PUSHF, %d saw RFLAGS.TF\n",
			atomic_read(&stack_tf_seen) ? "FAIL" : "ok", atomic_read(&stack_pushfs),
			atomic_read(&stack_tf_seen));
	}
	if (watch_data)
		free_page((unsigned long)watch_data);
	if (race_thread) {
		kthread_stop(race_thread);
		pr_info("sz_test: race thread: %lu writes\n", READ_ONCE(race_count));
	}
	free_page((unsigned long)race_page);
	free_pages((unsigned long)multi_pair, 1);
	free_page((unsigned long)multi_src);
	free_page((unsigned long)multi_dst);
}

module_init(sz_test_init);
module_exit(sz_test_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("subzero end-to-end test probes");
