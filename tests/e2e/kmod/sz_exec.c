// SPDX-License-Identifier: GPL-2.0
/*
 * sz_exec: run-time executable memory under subzero's lock (linux/lock_exec.c).
 * Test only.  At load it makes a vmalloc'd page executable the way the kernel's own
 * users do (filled, then set_memory_ro() and set_memory_x(): not exported in 6.1,
 * found through kallsyms, so the kernel's own functions run, which subzero's kprobes
 * watch) and runs it; writing "attack" to its parameter `step` writes to the page
 * through a writable alias on every CPU (in an IPI) and runs it again; "release"
 * makes the page non-executable and writable again (set_memory_nx(),
 * set_memory_rw(): subzero releases its grant) and writes through the alias again.
 * One line each:
 *   "sz_exec: loaded, page pa 0x..."           after the grant
 *   "sz_exec: PASS|FAIL name cpuN: ..."        an attempt's outcome
 * A refused write is a PASS while granted; a write that goes through is a PASS
 * after the release.
 */
#include <linux/cpu.h>
#include <linux/io.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "sz_kallsyms.h"

#define report(tag, name, cpu, fmt, ...) \
	pr_info("sz_exec: %s %s cpu%u: " fmt "\n", tag, name, cpu, ##__VA_ARGS__)

/* endbr64; mov $0x5a, %eax; ret */
static const u8 sz_code[] = { 0xf3, 0x0f, 0x1e, 0xfa, 0xb8, 0x5a, 0x00, 0x00, 0x00, 0xc3 };
#define SZ_DATA_OFF	0x800	/* where the alias writes: not the code */

static void *page;		/* vmalloc'd, executable */
static void *alias;		/* vmap of its page, writable */
static phys_addr_t pa;
static bool executable;
static int (*sm_x)(unsigned long addr, int n), (*sm_nx)(unsigned long addr, int n);
static int (*sm_ro)(unsigned long addr, int n), (*sm_rw)(unsigned long addr, int n);

struct attempt {
	const char *name;
	bool want_refused;
};

static void sz_exec_write(void *arg)
{
	const struct attempt *a = arg;
	unsigned int cpu = smp_processor_id();
	u64 *via = alias + SZ_DATA_OFF, *direct = page + SZ_DATA_OFF;
	u64 old = READ_ONCE(*direct), want = old ^ (0x1111111111111111ULL * (cpu + 1)), now;
	int (*fn)(void) = page;
	int ran = executable ? fn() : 0;

	WRITE_ONCE(*via, want);		/* a discarded write completes without a fault */
	now = READ_ONCE(*direct);
	if (a->want_refused && now == old)
		report("PASS", a->name, cpu, "write to PA %#llx through an alias discarded, still %#llx%s",
		       (u64)pa, old, ran == 0x5a ? "; the page runs" : "");
	else if (!a->want_refused && now == want)
		report("PASS", a->name, cpu, "write to PA %#llx through an alias went through (released)",
		       (u64)pa);
	else
		report("FAIL", a->name, cpu, "PA %#llx %#llx -> %#llx (wrote %#llx)%s", (u64)pa,
		       old, now, want, executable && ran != 0x5a ? ", and the page did not run" : "");
	if (executable && ran != 0x5a)
		report("FAIL", "exec", cpu, "the granted page returned %#x", ran);
}

static int sz_exec_step(const char *val, const struct kernel_param *kp)
{
	struct attempt a = { .name = "exec_grant_write", .want_refused = true };
	unsigned int cpu;

	if (sysfs_streq(val, "release")) {
		if (executable) {
			sm_nx((unsigned long)page, 1);
			sm_rw((unsigned long)page, 1);
			executable = false;
		}
		a = (struct attempt){ .name = "exec_release_write", .want_refused = false };
	} else if (!sysfs_streq(val, "attack")) {
		return -EINVAL;
	}
	cpus_read_lock();
	for_each_online_cpu(cpu)
		smp_call_function_single(cpu, sz_exec_write, &a, 1);
	cpus_read_unlock();
	return 0;
}

static const struct kernel_param_ops sz_exec_step_ops = { .set = sz_exec_step };
module_param_cb(step, &sz_exec_step_ops, NULL, 0200);
MODULE_PARM_DESC(step, "attack: write to the executable page through an alias on every CPU; release: make it writable again (set_memory_nx, set_memory_rw) and write");

static int __init sz_exec_init(void)
{
	struct page *pg;
	int (*fn)(void);
	int ret;

	ret = find_lookup();
	if (ret)
		return ret;
	sm_x = (void *)lookup("set_memory_x");
	sm_nx = (void *)lookup("set_memory_nx");
	sm_ro = (void *)lookup("set_memory_ro");
	sm_rw = (void *)lookup("set_memory_rw");
	if (!sm_x || !sm_nx || !sm_ro || !sm_rw)
		return -ENOENT;
	page = vmalloc(PAGE_SIZE);
	if (!page)
		return -ENOMEM;
	pg = vmalloc_to_page(page);
	alias = vmap(&pg, 1, VM_MAP, PAGE_KERNEL);
	if (!alias) {
		vfree(page);
		return -ENOMEM;
	}
	pa = page_to_phys(pg);
	memset(page, 0xcc, PAGE_SIZE);
	memcpy(page, sz_code, sizeof(sz_code));
	/* as alloc_insn_page() and the BPF JIT do: read-only first, then executable */
	sm_ro((unsigned long)page, 1);
	sm_x((unsigned long)page, 1);
	executable = true;
	fn = page;
	ret = fn();
	pr_info("sz_exec: loaded, page pa %#llx, it returned %#x\n", (u64)pa, ret);
	return 0;
}

static void __exit sz_exec_exit(void)
{
	if (executable) {
		sm_nx((unsigned long)page, 1);
		sm_rw((unsigned long)page, 1);
	}
	vunmap(alias);
	vfree(page);
}

module_init(sz_exec_init);
module_exit(sz_exec_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("test only: run-time executable memory under subzero's lock");
