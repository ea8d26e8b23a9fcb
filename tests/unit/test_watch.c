// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for core/watch.c: the watch table, applying it to a CPU's EPT, and the
 * exits of a watched or protected access (EPT violation, the single step by RFLAGS.TF
 * or by the monitor trap flag), on the fake CPU, whose physical addresses are virtual.
 * The watched pages sit at a fixed low address mapped into this process, so that the
 * fake "physical" page exists (protect copies it).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "vmx.h"
#include "watch.h"
#include "log.h"
#include "private.h"
#include "ept.h"
#include "mtrr.h"
#include "exit.h"
#include "errors.h"
#include "os.h"
#include "arch/x86.h"
#include "fake_cpu.h"
#include "fake_os.h"
#include "fake_world.h"
#include <cpu_ops.h>

#define PAGE_A	0x200000ULL		/* mapped into this process by setup */
#define PAGE_B	0x201000ULL
#define RIP	0xffffffff81234567ULL
#define TEXT_VA	0xffffffffc0200000ULL	/* the module's text (fake_world_text()) */

static struct vmx_caps caps;
static struct vcpu v;
static struct ram_map ram;
static struct guest_regs regs;
static u8 *mem;
static struct fake_text text;

static int setup(void **state)
{
	struct mtrr_state m;

	(void)state;
	/* pages from the arena, inside RAM: the probe's guest page tables must be (TEXT_VA) */
	fake_world_cpu(&caps);
	assert_int_equal(mtrr_read(&m), 0);
	vmx_ept_setup(&m, 1ULL << 39);
	/* RAM: [0, 640 KiB) and [1 MiB, 4 GiB) less an MMIO hole at PAGE_B + 1 page */
	memset(&ram, 0, sizeof(ram));
	assert_int_equal(ram_map_add(&ram, 0, 0xa0000), 0);
	assert_int_equal(ram_map_add(&ram, 0x100000, PAGE_B + PAGE_SIZE), 0);
	assert_int_equal(ram_map_add(&ram, PAGE_B + 2 * PAGE_SIZE, 1ULL << 32), 0);
	vmx_ram_map_setup(&ram);
	memset(&v, 0, sizeof(v));
	memset(&regs, 0, sizeof(regs));
	memset(watch_table, 0, sizeof(watch_table));
	if (!mem) {
		mem = mmap((void *)PAGE_A, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		assert_ptr_equal(mem, (void *)PAGE_A);
	}
	memset(mem, 0x11, 2 * PAGE_SIZE);
	assert_int_equal(vmx_vcpu_alloc(&v, 0, &caps, 0x5000), 0);
	fake_cpu.current_vmcs = 0x1000;
	fake_vmcs_set(GUEST_RIP, RIP);
	fake_vmcs_set(GUEST_RFLAGS, 0x202);		/* IF */
	fake_vmcs_set(GUEST_INTERRUPTIBILITY_INFO, 0);
	fake_vmcs_set(EXCEPTION_BITMAP, 0);
	fake_vmcs_set(CPU_BASED_VM_EXEC_CONTROL, 0);
	fake_vmcs_set(GUEST_SS_AR_BYTES, 0xc093);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (text.page)
		fake_world_text_free(&text);
	vmx_vcpu_free(&v);
	assert_int_equal(os_alloc_count(), 0);
	fake_os_page_arena(NULL, 0);
	return 0;
}

static unsigned int perm_of(u64 gpa)
{
	return fake_world_perm(&v, gpa);
}

static int do_exit(u32 reason, u64 qual)
{
	return fake_world_exit(&v, &regs, reason, qual);
}

/* An EPT violation: qualification bits 0-2 attempted access, 3-5 the page's R/W/X,
 * 7-8 a valid linear address (given when gla is not 0). */
static int violation(u64 gpa, u64 attempted, u64 gla)
{
	return fake_world_violation(&v, &regs, gpa, attempted, gla);
}

static int single_step_trap(void)
{
	return fake_world_single_step(&v, &regs);
}

static void test_table_rules(void **state)
{
	(void)state;
	assert_int_equal(watch_add(PAGE_A + 8, WATCH_W, WATCH_KIND_WATCH, true), -EINVAL);
	assert_int_equal(watch_add(PAGE_A, 0, WATCH_KIND_WATCH, true), -EINVAL);
	assert_int_equal(watch_add(PAGE_A, 8, WATCH_KIND_WATCH, true), -EINVAL);
	assert_int_equal(watch_add(PAGE_A, WATCH_W, 7, true), -EINVAL);
	assert_int_equal(watch_add(PAGE_A, WATCH_R, WATCH_KIND_PROTECT, true), -EINVAL);
	/* protect copies the page: not RAM (MMIO, a hole) is refused; a watch is fine */
	assert_int_equal(watch_add(PAGE_A, WATCH_W, WATCH_KIND_PROTECT, false), -ENXIO);
	assert_int_equal(watch_add(PAGE_B, WATCH_W, WATCH_KIND_WATCH, false), 0);
	assert_int_equal(watch_del(PAGE_B), 0);
	assert_int_equal(watch_add(PAGE_A, WATCH_W, WATCH_KIND_WATCH, true), 0);
	assert_int_equal(watch_add(PAGE_A, WATCH_R, WATCH_KIND_WATCH, true), -EEXIST);
	assert_int_equal(watch_del(PAGE_B), -ENOENT);
	assert_int_equal(watch_del(PAGE_A), 0);
	for (u64 i = 0; i < WATCH_MAX; i++)
		assert_int_equal(watch_add(i * PAGE_SIZE, WATCH_X, WATCH_KIND_WATCH, true), 0);
	assert_int_equal(watch_add(PAGE_B, WATCH_X, WATCH_KIND_WATCH, true), -ENOSPC);
}

/* Sync takes the watched access away on this CPU's EPT, and gives it back on removal. */
static void test_sync_applies_and_restores(void **state)
{
	unsigned int in_use = ept_pages_in_use(&v.ept);

	(void)state;
	assert_int_equal(perm_of(PAGE_A), EPT_RWX);
	watch_add(PAGE_A, WATCH_W, WATCH_KIND_WATCH, true);
	watch_add(PAGE_B, WATCH_R, WATCH_KIND_WATCH, true);
	assert_int_equal(watch_sync(&v), 0);
	assert_int_equal(perm_of(PAGE_A), EPT_READ | EPT_EXEC);
	assert_int_equal(perm_of(PAGE_B), EPT_EXEC);	/* no read means no write either */
	assert_int_equal(perm_of(PAGE_A + 2 * PAGE_SIZE), EPT_RWX);
	assert_true(ept_pages_in_use(&v.ept) > in_use);	/* split down to 4 KiB */
	watch_del(PAGE_A);
	watch_del(PAGE_B);
	assert_int_equal(watch_sync(&v), 0);
	assert_int_equal(perm_of(PAGE_A), EPT_RWX);
	assert_int_equal(perm_of(PAGE_B), EPT_RWX);
	assert_int_equal(ept_pages_in_use(&v.ept), in_use);	/* merged back */
}

/* A watched write: recorded once, the page opened for one TF step, then closed. */
static void test_watched_write_steps_with_tf(void **state)
{
	struct watch_event ev;

	(void)state;
	v.mtf = false;
	watch_add(PAGE_A, WATCH_W, WATCH_KIND_WATCH, true);
	watch_sync(&v);
	assert_int_equal(violation(PAGE_A + 0x18, EPT_VIOLATION_ACC_WRITE, 0xffff888000200018ULL), 0);
	assert_true(v.step.active);
	assert_int_equal(perm_of(PAGE_A), EPT_RWX);
	assert_true(fake_vmcs_get(GUEST_RFLAGS) & X86_EFLAGS_TF);
	/* every exception exits while stepping; interrupts exit instead of STI blocking,
	 * which TF would make a VM-entry failure without a pending BS */
	assert_int_equal(fake_vmcs_get(EXCEPTION_BITMAP), 0xffffffff & ~BIT(X86_VEC_MC));
	assert_false(fake_vmcs_get(GUEST_INTERRUPTIBILITY_INFO) & GUEST_INTR_STATE_STI);
	assert_true(fake_vmcs_get(PIN_BASED_VM_EXEC_CONTROL) & PIN_BASED_EXT_INTR_MASK);
	assert_int_equal(fake_vmcs_get(GUEST_RIP), RIP);	/* the write runs again */
	assert_true(watch_take(v.events, &ev));
	assert_int_equal(ev.gpa, PAGE_A + 0x18);
	assert_int_equal(ev.gla, 0xffff888000200018ULL);
	assert_int_equal(ev.rip, RIP);
	assert_int_equal(ev.access, WATCH_W);
	assert_int_equal(ev.kind, WATCH_KIND_WATCH);
	assert_true(ev.flags & WATCH_EV_GLA);
	assert_false(watch_take(v.events, &ev));
	/* the step's #DB: closed again, TF and the intercept gone, nothing injected */
	assert_int_equal(single_step_trap(), 0);
	assert_false(v.step.active);
	assert_int_equal(perm_of(PAGE_A), EPT_READ | EPT_EXEC);
	assert_false(fake_vmcs_get(GUEST_RFLAGS) & X86_EFLAGS_TF);
	assert_int_equal(fake_vmcs_get(EXCEPTION_BITMAP), 0);
	assert_false(fake_vmcs_get(PIN_BASED_VM_EXEC_CONTROL) & PIN_BASED_EXT_INTR_MASK);
	assert_int_equal(fake_vmcs_get(VM_ENTRY_INTR_INFO_FIELD), 0);
}

/* Only the watched access is recorded: a write to a page watched for reads (which
 * loses write access too) completes unrecorded. */
static void test_unwatched_access_not_recorded(void **state)
{
	struct watch_event ev;

	(void)state;
	v.mtf = false;
	watch_add(PAGE_B, WATCH_R, WATCH_KIND_WATCH, true);
	watch_sync(&v);
	assert_int_equal(violation(PAGE_B, EPT_VIOLATION_ACC_WRITE, 0), 0);
	assert_false(watch_take(v.events, &ev));
	assert_int_equal(single_step_trap(), 0);
	assert_int_equal(violation(PAGE_B + 8, EPT_VIOLATION_ACC_READ, 0), 0);
	assert_true(watch_take(v.events, &ev));
	assert_int_equal(ev.access, WATCH_R);
	assert_false(ev.flags & WATCH_EV_GLA);
	assert_int_equal(single_step_trap(), 0);
}

/* The guest's own TF: the #DB is its too, and TF stays. */
static void test_guest_tf_kept(void **state)
{
	(void)state;
	v.mtf = false;
	fake_vmcs_set(GUEST_RFLAGS, 0x302);
	watch_add(PAGE_A, WATCH_X, WATCH_KIND_WATCH, true);
	watch_sync(&v);
	assert_int_equal(violation(PAGE_A, EPT_VIOLATION_ACC_INSTR, 0), 0);
	assert_int_equal(single_step_trap(), 0);
	assert_true(fake_vmcs_get(GUEST_RFLAGS) & X86_EFLAGS_TF);
	assert_int_equal(fake_vmcs_get(VM_ENTRY_INTR_INFO_FIELD) & 0x7ff,
			 X86_VEC_DB | (INTR_TYPE_HARD_EXCEPTION << INTR_INFO_TYPE_SHIFT));
	/* the guest's #DB says single step in its DR6, as on bare metal */
	assert_true(fake_cpu.dr6 & DR6_BS);
}

/* With MTF the step needs no TF and no #DB intercept. */
static void test_mtf_step(void **state)
{
	(void)state;
	v.mtf = true;
	watch_add(PAGE_A, WATCH_X, WATCH_KIND_WATCH, true);
	watch_sync(&v);
	assert_int_equal(violation(PAGE_A, EPT_VIOLATION_ACC_INSTR, 0), 0);
	assert_true(fake_vmcs_get(CPU_BASED_VM_EXEC_CONTROL) & CPU_BASED_MONITOR_TRAP_FLAG);
	assert_false(fake_vmcs_get(GUEST_RFLAGS) & X86_EFLAGS_TF);
	assert_int_equal(fake_vmcs_get(EXCEPTION_BITMAP), 0);
	/* an NMI window opened meanwhile keeps the trap flag on */
	assert_true(v.procbased & CPU_BASED_MONITOR_TRAP_FLAG);
	assert_int_equal(do_exit(EXIT_REASON_MONITOR_TRAP_FLAG, 0), 0);
	assert_false(fake_vmcs_get(CPU_BASED_VM_EXEC_CONTROL) & CPU_BASED_MONITOR_TRAP_FLAG);
	assert_false(v.procbased & CPU_BASED_MONITOR_TRAP_FLAG);
	assert_int_equal(perm_of(PAGE_A), EPT_READ | EPT_WRITE);
}

/*
 * The MTF probe's hypercall (vmx.c makes it right after VMLAUNCH), phase 0 or 1, from
 * @rip: a policy call, accepted only from the module's own text (seal_caller_check()).
 */
static u64 mtf_probe_at(u64 rip, u64 phase)
{
	if (!text.page) {
		fake_world_text(&text, TEXT_VA);
		fake_world_text_use(&text, &v);
	}
	fake_vmcs_set(GUEST_RIP, rip);
	regs.gpr[REG_RAX] = SUBZERO_HC_MTF_PROBE;
	regs.gpr[REG_RCX] = SUBZERO_VMCALL_KEY;
	regs.gpr[REG_RDX] = phase;
	fake_vmcs_set(VM_EXIT_INSTRUCTION_LEN, 3);
	assert_int_equal(do_exit(EXIT_REASON_VMCALL, 0), 0);
	assert_int_equal(fake_vmcs_get(GUEST_RIP), rip + 3);
	return regs.gpr[REG_RAX];
}

/* From the module's text, as vmx.c's cpu_vmcall_nop_vmcall() makes it. */
static u64 mtf_probe(u64 phase)
{
	return mtf_probe_at(TEXT_VA + 0x100 + 4 * phase, phase);
}

/* A CPU whose monitor trap flag traps: the probe says so, and steps keep using it. */
static void test_mtf_probe_traps(void **state)
{
	(void)state;
	v.mtf = true;
	assert_int_equal(mtf_probe(0), 0);
	assert_true(fake_vmcs_get(CPU_BASED_VM_EXEC_CONTROL) & CPU_BASED_MONITOR_TRAP_FLAG);
	assert_true(v.procbased & CPU_BASED_MONITOR_TRAP_FLAG);
	/* the NOP between the two hypercalls traps */
	assert_int_equal(do_exit(EXIT_REASON_MONITOR_TRAP_FLAG, 0), 0);
	assert_false(fake_vmcs_get(CPU_BASED_VM_EXEC_CONTROL) & CPU_BASED_MONITOR_TRAP_FLAG);
	assert_false(v.procbased & CPU_BASED_MONITOR_TRAP_FLAG);
	assert_int_equal(mtf_probe(1), 1);
	assert_true(v.mtf);
	/* a later MTF exit with no step and no probe is still unexpected (fail closed) */
	assert_int_equal(handle_monitor_trap(&v, &regs), -EINVAL);
	/* and a watched write steps with MTF */
	watch_add(PAGE_A, WATCH_W, WATCH_KIND_WATCH, true);
	watch_sync(&v);
	assert_int_equal(violation(PAGE_A, EPT_VIOLATION_ACC_WRITE, 0), 0);
	assert_true(fake_vmcs_get(CPU_BASED_VM_EXEC_CONTROL) & CPU_BASED_MONITOR_TRAP_FLAG);
	assert_false(fake_vmcs_get(GUEST_RFLAGS) & X86_EFLAGS_TF);
}

/*
 * A CPU that advertises the monitor trap flag and never delivers its exit (Bochs 2.7's
 * tigerlake): no MTF exit between the probe's two hypercalls, so the control goes off,
 * the CPU says so in its log, and a watched write then steps with RFLAGS.TF and
 * finishes at its #DB (with MTF it would have left the page open for good).
 */
static void test_mtf_probe_silent_falls_back_to_tf(void **state)
{
	char line[LOG_LINE];
	bool said = false;

	(void)state;
	v.mtf = true;
	assert_int_equal(mtf_probe(0), 0);
	assert_int_equal(mtf_probe(1), 0);
	assert_false(v.mtf);
	assert_false(fake_vmcs_get(CPU_BASED_VM_EXEC_CONTROL) & CPU_BASED_MONITOR_TRAP_FLAG);
	assert_false(v.procbased & CPU_BASED_MONITOR_TRAP_FLAG);
	while (log_take(&v.log, line))
		said |= strstr(line, "monitor trap flag is advertised but did not trap") != NULL;
	assert_true(said);
	/* asked again: no MTF to probe any more */
	assert_int_equal(mtf_probe(0), (u64)-EINVAL);
	watch_add(PAGE_A, WATCH_W, WATCH_KIND_WATCH, true);
	watch_sync(&v);
	assert_int_equal(violation(PAGE_A, EPT_VIOLATION_ACC_WRITE, 0), 0);
	assert_false(fake_vmcs_get(CPU_BASED_VM_EXEC_CONTROL) & CPU_BASED_MONITOR_TRAP_FLAG);
	assert_true(fake_vmcs_get(GUEST_RFLAGS) & X86_EFLAGS_TF);
	assert_int_equal(single_step_trap(), 0);
	assert_false(v.step.active);
	assert_int_equal(perm_of(PAGE_A), EPT_READ | EPT_EXEC);
}

/*
 * The probe is a policy call: from code outside the module's text (any other ring-0
 * code, with the public key) it is refused and changes nothing.  Unrefused, phase 1
 * alone would end the probe untrapped, and this CPU's watch steps would use RFLAGS.TF
 * for good; phase 0 would arm the trap flag for an exit nobody expects.
 */
static void test_mtf_probe_foreign_refused(void **state)
{
	u64 leaf;

	(void)state;
	v.mtf = true;
	assert_int_equal(mtf_probe_at(RIP, 1), (u64)-EPERM);
	assert_int_equal(mtf_probe_at(RIP, 0), (u64)-EPERM);
	/* one byte before the text, so the VMCALL's last byte is inside it */
	assert_int_equal(mtf_probe_at(TEXT_VA - 1, 1), (u64)-EPERM);
	/* the text's address, but in page tables that map it to another page */
	leaf = text.pt[3][(TEXT_VA >> 12) & 511];
	text.pt[3][(TEXT_VA >> 12) & 511] = text.pt_pa[3] | 1;
	assert_int_equal(mtf_probe_at(TEXT_VA + 0x100, 1), (u64)-EPERM);
	text.pt[3][(TEXT_VA >> 12) & 511] = leaf;
	assert_int_equal(v.policy_refused, 4);
	assert_true(v.mtf);
	assert_int_equal(v.mtf_probe, 0);
	assert_false(fake_vmcs_get(CPU_BASED_VM_EXEC_CONTROL) & CPU_BASED_MONITOR_TRAP_FLAG);
	assert_false(v.procbased & CPU_BASED_MONITOR_TRAP_FLAG);
	/* a watched write still steps with the monitor trap flag */
	watch_add(PAGE_A, WATCH_W, WATCH_KIND_WATCH, true);
	watch_sync(&v);
	assert_int_equal(violation(PAGE_A, EPT_VIOLATION_ACC_WRITE, 0), 0);
	assert_true(fake_vmcs_get(CPU_BASED_VM_EXEC_CONTROL) & CPU_BASED_MONITOR_TRAP_FLAG);
	assert_false(fake_vmcs_get(GUEST_RFLAGS) & X86_EFLAGS_TF);
	/* and the module's own probe is still accepted */
	assert_int_equal(do_exit(EXIT_REASON_MONITOR_TRAP_FLAG, 0), 0);
	assert_int_equal(mtf_probe(0), 0);
	assert_int_equal(v.mtf_probe, VCPU_MTF_PROBE_ARMED);
}

/* The probe does not start while a step is active (an execute watch on its code). */
static void test_mtf_probe_busy_during_step(void **state)
{
	(void)state;
	v.mtf = true;
	watch_add(PAGE_A, WATCH_W, WATCH_KIND_WATCH, true);
	watch_sync(&v);
	assert_int_equal(violation(PAGE_A, EPT_VIOLATION_ACC_WRITE, 0), 0);
	assert_int_equal(mtf_probe(0), (u64)-EBUSY);
	assert_int_equal(mtf_probe(2), (u64)-EINVAL);
	assert_int_equal(do_exit(EXIT_REASON_MONITOR_TRAP_FLAG, 0), 0);
	assert_false(v.step.active);
	assert_true(v.mtf);
}

/* A protected page: the write runs against a copy, then the real page is back. */
static void test_protect_discards_write(void **state)
{
	struct watch_event ev;
	unsigned int level;
	u64 *leaf;

	(void)state;
	v.mtf = false;
	watch_add(PAGE_A, WATCH_W, WATCH_KIND_PROTECT, true);
	watch_sync(&v);
	assert_int_equal(violation(PAGE_A + 0x40, EPT_VIOLATION_ACC_WRITE, 0), 0);
	leaf = ept_leaf(&v.ept, PAGE_A, &level);
	assert_int_equal(*leaf & EPT_ADDR_MASK, v.copies_pa);	/* the copy */
	assert_memory_equal(v.copies, mem, PAGE_SIZE);
	((u8 *)v.copies)[0x40] = 0x99;				/* "the guest writes" */
	assert_true(watch_take(v.events, &ev));
	assert_true(ev.flags & WATCH_EV_DISCARDED);
	assert_int_equal(ev.kind, WATCH_KIND_PROTECT);
	assert_int_equal(single_step_trap(), 0);
	leaf = ept_leaf(&v.ept, PAGE_A, &level);
	assert_int_equal(*leaf & EPT_ADDR_MASK, PAGE_A);
	assert_int_equal(*leaf & EPT_RWX, EPT_READ | EPT_EXEC);
	assert_int_equal(mem[0x40], 0x11);			/* never written */
}

/*
 * Locked (lock.h): the table may grow, but a table without an applied protected page
 * (or with it changed) is refused whole, with an event, and nothing changes.
 */
static void test_locked_sync_keeps_protection(void **state)
{
	struct watch_event ev;

	(void)state;
	watch_add(PAGE_A, WATCH_W, WATCH_KIND_PROTECT, true);
	assert_int_equal(watch_sync(&v), 0);
	v.lock.on = true;
	while (watch_take(v.events, &ev))
		;
	/* tightening: another page protected */
	watch_add(PAGE_B, WATCH_W, WATCH_KIND_WATCH, true);
	assert_int_equal(watch_sync(&v), 0);
	assert_int_equal(perm_of(PAGE_B), EPT_READ | EPT_EXEC);
	/* the protected page dropped (a guest write to the table, or watch_del) */
	watch_del(PAGE_A);
	assert_int_equal(watch_sync(&v), -EPERM);
	assert_int_equal(perm_of(PAGE_A), EPT_READ | EPT_EXEC);		/* still protected */
	assert_int_equal(v.lock_hc_refused, 1);
	assert_true(watch_take(v.events, &ev));
	assert_int_equal(ev.kind, WATCH_KIND_LOCK);
	assert_int_equal(ev.access, LOCK_EV_WATCH);
	assert_int_equal(ev.gla, PAGE_A);
	assert_true(ev.flags & WATCH_EV_REFUSED);
	/* turned into a mere watch of reads: a change, refused too */
	watch_add(PAGE_A, WATCH_R, WATCH_KIND_WATCH, true);
	assert_int_equal(watch_sync(&v), -EPERM);
	/* a watch (not a protection) may go */
	watch_del(PAGE_A);
	watch_add(PAGE_A, WATCH_W, WATCH_KIND_PROTECT, true);
	watch_del(PAGE_B);
	assert_int_equal(watch_sync(&v), 0);
	assert_int_equal(perm_of(PAGE_B), EPT_RWX);
	/* unlocked, the same removal is applied */
	v.lock.on = false;
	watch_del(PAGE_A);
	assert_int_equal(watch_sync(&v), 0);
	assert_int_equal(perm_of(PAGE_A), EPT_RWX);
}

/*
 * An EPT violation on a page this CPU does not watch gets the page's full access back
 * and the guest goes on (counted), never a stopped CPU; a misconfiguration is a bug
 * in our tables and fails closed; a stray MTF exit is not ours.
 */
static void test_unexpected_violation_and_misconfig(void **state)
{
	(void)state;
	assert_int_equal(ept_set_perm(&v.ept, PAGE_B, PAGE_SIZE, EPT_READ), 0);
	assert_int_equal(violation(PAGE_B, EPT_VIOLATION_ACC_WRITE, 0), 0);
	assert_int_equal(perm_of(PAGE_B), EPT_RWX);
	assert_int_equal(v.ept_unmatched, 1);
	assert_false(v.step.active);
	assert_int_equal(handle_ept_misconfig(&v, &regs), -EFAULT);
	assert_int_equal(handle_monitor_trap(&v, &regs), -EINVAL);
}

/*
 * watch del before this CPU synced: the CPU still has the watch applied, and a fault
 * on it is handled by what it applied (recorded and stepped), not by the table, which
 * no longer has it, or has the page again as the other kind in a reused slot.
 */
static void test_del_and_reuse_before_sync(void **state)
{
	struct watch_event ev;
	unsigned int level;

	(void)state;
	v.mtf = true;
	watch_add(PAGE_A, WATCH_W, WATCH_KIND_WATCH, true);
	watch_sync(&v);
	watch_del(PAGE_A);
	assert_int_equal(violation(PAGE_A, EPT_VIOLATION_ACC_WRITE, 0), 0);
	assert_true(watch_take(v.events, &ev));
	assert_int_equal(ev.kind, WATCH_KIND_WATCH);
	assert_int_equal(do_exit(EXIT_REASON_MONITOR_TRAP_FLAG, 0), 0);
	/* the same slot, now a protect: still the watch this CPU applied */
	watch_add(PAGE_A, WATCH_W, WATCH_KIND_PROTECT, true);
	assert_int_equal(violation(PAGE_A, EPT_VIOLATION_ACC_WRITE, 0), 0);
	assert_int_equal(*ept_leaf(&v.ept, PAGE_A, &level) & EPT_ADDR_MASK, PAGE_A);
	assert_true(watch_take(v.events, &ev));
	assert_int_equal(ev.kind, WATCH_KIND_WATCH);
	assert_false(ev.flags & WATCH_EV_DISCARDED);
	assert_int_equal(do_exit(EXIT_REASON_MONITOR_TRAP_FLAG, 0), 0);
	/* after the sync, the protect */
	assert_int_equal(watch_sync(&v), 0);
	assert_int_equal(violation(PAGE_A, EPT_VIOLATION_ACC_WRITE, 0), 0);
	assert_int_equal(*ept_leaf(&v.ept, PAGE_A, &level) & EPT_ADDR_MASK, v.copies_pa);
	assert_int_equal(do_exit(EXIT_REASON_MONITOR_TRAP_FLAG, 0), 0);
	assert_int_equal(v.ept_unmatched, 0);
}

/*
 * One instruction touching two watched pages (an unaligned store across them): the
 * second fault during the step opens the second page too, both are recorded, and the
 * step's end closes both.  Two protected pages each get their own copy.
 */
static void test_one_instruction_two_pages(void **state)
{
	struct watch_event ev;
	unsigned int level;

	(void)state;
	v.mtf = true;
	watch_add(PAGE_A, WATCH_W, WATCH_KIND_WATCH, true);
	watch_add(PAGE_B, WATCH_W, WATCH_KIND_PROTECT, true);
	watch_sync(&v);
	assert_int_equal(violation(PAGE_A + 0xffc, EPT_VIOLATION_ACC_WRITE, 0), 0);
	assert_int_equal(violation(PAGE_B, EPT_VIOLATION_ACC_WRITE, 0), 0);
	assert_true(v.step.active);
	assert_int_equal(perm_of(PAGE_A), EPT_RWX);
	assert_int_equal(*ept_leaf(&v.ept, PAGE_B, &level) & EPT_ADDR_MASK,
			 v.copies_pa + PAGE_SIZE);
	assert_true(watch_take(v.events, &ev));
	assert_int_equal(ev.gpa, PAGE_A + 0xffc);
	assert_true(watch_take(v.events, &ev));
	assert_int_equal(ev.gpa, PAGE_B);
	assert_true(ev.flags & WATCH_EV_DISCARDED);
	assert_int_equal(do_exit(EXIT_REASON_MONITOR_TRAP_FLAG, 0), 0);
	assert_false(v.step.active);
	assert_int_equal(perm_of(PAGE_A), EPT_READ | EPT_EXEC);
	assert_int_equal(perm_of(PAGE_B), EPT_READ | EPT_EXEC);
	assert_int_equal(*ept_leaf(&v.ept, PAGE_B, &level) & EPT_ADDR_MASK, PAGE_B);
}

/*
 * An interrupt whose delivery touched a watched page (a write watch on the kernel
 * stack) is re-injected, and then the step must not add blocking by STI: VM entry
 * refuses STI/MOV-SS blocking with an external interrupt to inject (SDM Vol. 3C,
 * 27.3.1.5).  With MTF the step is the delivery itself.  With TF no interrupt exiting
 * either (the one to deliver is the one being injected).
 */
static void test_reinjected_interrupt_no_sti(void **state)
{
	const u32 irq = 0xec | INTR_INFO_VALID | (INTR_TYPE_EXT_INTR << INTR_INFO_TYPE_SHIFT);

	(void)state;
	watch_add(PAGE_A, WATCH_W, WATCH_KIND_WATCH, true);
	watch_sync(&v);
	for (int tf = 0; tf < 2; tf++) {
		v.mtf = !tf;
		fake_vmcs_set(GUEST_INTERRUPTIBILITY_INFO, 0);
		fake_vmcs_set(GUEST_PHYSICAL_ADDRESS, PAGE_A + 0xf00);
		fake_vmcs_set(GUEST_LINEAR_ADDRESS, 0);
		fake_vmcs_set(VM_EXIT_REASON, EXIT_REASON_EPT_VIOLATION);
		fake_vmcs_set(EXIT_QUALIFICATION, EPT_VIOLATION_ACC_WRITE | (5 << 3));
		fake_vmcs_set(VM_ENTRY_INTR_INFO_FIELD, 0);
		fake_vmcs_set(IDT_VECTORING_INFO_FIELD, irq);
		assert_int_equal(vmx_exit_handler(&regs, &v), 0);
		assert_int_equal(fake_vmcs_get(VM_ENTRY_INTR_INFO_FIELD), irq);
		assert_int_equal(fake_vmcs_get(GUEST_INTERRUPTIBILITY_INFO) &
				 (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS), 0);
		assert_false(fake_vmcs_get(PIN_BASED_VM_EXEC_CONTROL) & PIN_BASED_EXT_INTR_MASK);
		if (tf) {
			/* no TF (it would sit in the handler's frame): a timer of 0 ends
			 * the step right after the delivery */
			assert_false(fake_vmcs_get(GUEST_RFLAGS) & X86_EFLAGS_TF);
			assert_true(fake_vmcs_get(PIN_BASED_VM_EXEC_CONTROL) &
				    PIN_BASED_VMX_PREEMPTION_TIMER);
			assert_int_equal(fake_vmcs_get(VMX_PREEMPTION_TIMER_VALUE), 0);
			assert_int_equal(do_exit(EXIT_REASON_PREEMPTION_TIMER, 0), 0);
			assert_false(fake_vmcs_get(PIN_BASED_VM_EXEC_CONTROL) &
				     PIN_BASED_VMX_PREEMPTION_TIMER);
		} else {
			assert_int_equal(do_exit(EXIT_REASON_MONITOR_TRAP_FLAG, 0), 0);
		}
		assert_false(v.step.active);
		assert_int_equal(perm_of(PAGE_A), EPT_READ | EPT_EXEC);
	}
	/* a stray timer exit is not ours */
	assert_int_equal(watch_step_timer(&v, &regs), -EINVAL);
}

/*
 * A re-injected NMI: blocking by NMI, which its cut-short delivery left set, is
 * cleared (injecting an NMI with it set fails VM entry; KVM __vmx_complete_interrupts).
 */
static void test_reinjected_nmi_unblocked(void **state)
{
	const u32 nmi = X86_VEC_NMI | INTR_INFO_VALID | (INTR_TYPE_NMI << INTR_INFO_TYPE_SHIFT);

	(void)state;
	v.mtf = true;
	watch_add(PAGE_A, WATCH_W, WATCH_KIND_WATCH, true);
	watch_sync(&v);
	fake_vmcs_set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_NMI);
	fake_vmcs_set(GUEST_PHYSICAL_ADDRESS, PAGE_A);
	fake_vmcs_set(VM_EXIT_REASON, EXIT_REASON_EPT_VIOLATION);
	fake_vmcs_set(EXIT_QUALIFICATION, EPT_VIOLATION_ACC_WRITE | (5 << 3));
	fake_vmcs_set(VM_ENTRY_INTR_INFO_FIELD, 0);
	fake_vmcs_set(IDT_VECTORING_INFO_FIELD, nmi);
	assert_int_equal(vmx_exit_handler(&regs, &v), 0);
	assert_int_equal(fake_vmcs_get(VM_ENTRY_INTR_INFO_FIELD), nmi);
	assert_int_equal(fake_vmcs_get(GUEST_INTERRUPTIBILITY_INFO) &
			 (GUEST_INTR_STATE_NMI | GUEST_INTR_STATE_STI), 0);
}

/*
 * MTF and the guest's own TF: no STI blocking (with TF it would need a pending
 * single-step trap, SDM 27.3.1.5, which would fire before the stepped instruction).
 * Without TF, STI blocking keeps interrupts out of the step.
 */
static void test_mtf_guest_tf_no_sti(void **state)
{
	(void)state;
	v.mtf = true;
	watch_add(PAGE_A, WATCH_W, WATCH_KIND_WATCH, true);
	watch_sync(&v);
	fake_vmcs_set(GUEST_RFLAGS, 0x302);
	assert_int_equal(violation(PAGE_A, EPT_VIOLATION_ACC_WRITE, 0), 0);
	assert_false(fake_vmcs_get(GUEST_INTERRUPTIBILITY_INFO) & GUEST_INTR_STATE_STI);
	assert_int_equal(do_exit(EXIT_REASON_MONITOR_TRAP_FLAG, 0), 0);
	fake_vmcs_set(GUEST_RFLAGS, 0x202);
	assert_int_equal(violation(PAGE_A, EPT_VIOLATION_ACC_WRITE, 0), 0);
	assert_true(fake_vmcs_get(GUEST_INTERRUPTIBILITY_INFO) & GUEST_INTR_STATE_STI);
	assert_int_equal(do_exit(EXIT_REASON_MONITOR_TRAP_FLAG, 0), 0);
}

/*
 * TF step cut short by an external interrupt: pages closed, our TF and the interrupt
 * exiting gone, nothing injected (the interrupt is still pending in the APIC); the
 * same access faulting again after the handler is not recorded twice.
 */
static void test_tf_step_interrupted(void **state)
{
	struct watch_event ev;

	(void)state;
	v.mtf = false;
	watch_add(PAGE_A, WATCH_W, WATCH_KIND_WATCH, true);
	watch_sync(&v);
	assert_int_equal(violation(PAGE_A + 8, EPT_VIOLATION_ACC_WRITE, 0), 0);
	assert_true(watch_take(v.events, &ev));
	fake_vmcs_set(GUEST_PHYSICAL_ADDRESS, PAGE_A + 8);
	assert_int_equal(do_exit(EXIT_REASON_EXTERNAL_INTERRUPT, 0), 0);
	assert_false(v.step.active);
	assert_int_equal(perm_of(PAGE_A), EPT_READ | EPT_EXEC);
	assert_false(fake_vmcs_get(GUEST_RFLAGS) & X86_EFLAGS_TF);
	assert_false(fake_vmcs_get(PIN_BASED_VM_EXEC_CONTROL) & PIN_BASED_EXT_INTR_MASK);
	assert_int_equal(fake_vmcs_get(EXCEPTION_BITMAP), 0);
	assert_int_equal(fake_vmcs_get(VM_ENTRY_INTR_INFO_FIELD), 0);
	assert_int_equal(violation(PAGE_A + 8, EPT_VIOLATION_ACC_WRITE, 0), 0);
	assert_false(watch_take(v.events, &ev));	/* the same access, once */
	assert_int_equal(single_step_trap(), 0);
	assert_int_equal(violation(PAGE_A + 8, EPT_VIOLATION_ACC_WRITE, 0), 0);
	assert_true(watch_take(v.events, &ev));		/* a new one */
	assert_int_equal(single_step_trap(), 0);
}

/*
 * One instruction on two watched pages (a REP MOVS iteration, a store across them),
 * its step cut short by an interrupt after both faulted: the retry records neither
 * again (seen in e2e ept_multi: the second page's write was recorded twice); the
 * next execution of the same instruction records both once more.
 */
static void test_interrupted_two_page_step_recorded_once(void **state)
{
	struct watch_event ev;
	unsigned int round, n;

	(void)state;
	v.mtf = false;
	watch_add(PAGE_A, WATCH_R, WATCH_KIND_WATCH, true);
	watch_add(PAGE_B, WATCH_W, WATCH_KIND_PROTECT, true);
	watch_sync(&v);
	assert_int_equal(violation(PAGE_A + 0x28, EPT_VIOLATION_ACC_READ, 0), 0);
	assert_int_equal(violation(PAGE_B + 0x28, EPT_VIOLATION_ACC_WRITE, 0), 0);
	fake_vmcs_set(GUEST_PHYSICAL_ADDRESS, PAGE_B + 0x28);
	assert_int_equal(do_exit(EXIT_REASON_EXTERNAL_INTERRUPT, 0), 0);
	assert_false(v.step.active);
	for (round = 0; round < 2; round++) {
		/* round 0: the retry after the interrupt; round 1: the next iteration */
		assert_int_equal(violation(PAGE_A + 0x28, EPT_VIOLATION_ACC_READ, 0), 0);
		assert_int_equal(violation(PAGE_B + 0x28, EPT_VIOLATION_ACC_WRITE, 0), 0);
		assert_int_equal(single_step_trap(), 0);
		assert_false(v.step.active);
		for (n = 0; watch_take(v.events, &ev); n++)
			assert_int_equal(ev.gpa & ~0xfffULL, n % 2 ? PAGE_B : PAGE_A);
		/* round 0: the two from before the interrupt, none from the retry */
		assert_int_equal(n, 2);
	}
}

/*
 * TF step: the stepped instruction faults (#PF on its other page), or is the guest's
 * ICEBP (INT1): the step ends before the handler runs (pages closed, our TF not in the
 * frame) and the exception is delivered as the CPU would: CR2 and the error code for
 * #PF, the instruction length for INT1.  Not a stopped CPU.
 */
static void test_tf_step_exceptions(void **state)
{
	const u32 pf = X86_VEC_PF | INTR_INFO_VALID | INTR_INFO_DELIVER_CODE |
		       (INTR_TYPE_HARD_EXCEPTION << INTR_INFO_TYPE_SHIFT);
	const u32 icebp = X86_VEC_DB | INTR_INFO_VALID |
			  (INTR_TYPE_PRIV_SW_EXCEPTION << INTR_INFO_TYPE_SHIFT);

	(void)state;
	v.mtf = false;
	watch_add(PAGE_A, WATCH_W, WATCH_KIND_WATCH, true);
	watch_sync(&v);
	assert_int_equal(violation(PAGE_A + 0xff8, EPT_VIOLATION_ACC_WRITE, 0), 0);
	fake_vmcs_set(VM_EXIT_INTR_INFO, pf);
	fake_vmcs_set(VM_EXIT_INTR_ERROR_CODE, 2);
	assert_int_equal(do_exit(EXIT_REASON_EXCEPTION_NMI, 0x7f0000001000ULL), 0);
	assert_false(v.step.active);
	assert_int_equal(perm_of(PAGE_A), EPT_READ | EPT_EXEC);
	assert_false(fake_vmcs_get(GUEST_RFLAGS) & X86_EFLAGS_TF);
	assert_int_equal(fake_vmcs_get(VM_ENTRY_INTR_INFO_FIELD), pf);
	assert_int_equal(fake_vmcs_get(VM_ENTRY_EXCEPTION_ERROR_CODE), 2);
	assert_int_equal(fake_cpu.cr2, 0x7f0000001000ULL);

	assert_int_equal(violation(PAGE_A, EPT_VIOLATION_ACC_WRITE, 0), 0);
	fake_vmcs_set(VM_EXIT_INTR_INFO, icebp);
	fake_vmcs_set(VM_EXIT_INSTRUCTION_LEN, 1);
	assert_int_equal(do_exit(EXIT_REASON_EXCEPTION_NMI, 0), 0);
	assert_false(v.step.active);
	assert_int_equal(fake_vmcs_get(VM_ENTRY_INTR_INFO_FIELD), icebp);
	assert_int_equal(fake_vmcs_get(VM_ENTRY_INSTRUCTION_LEN), 1);
	assert_int_equal(perm_of(PAGE_A), EPT_READ | EPT_EXEC);

	/* the guest's data breakpoint hit by the stepped instruction: its #DB, B0 in DR6,
	 * and not our single step's BS */
	assert_int_equal(violation(PAGE_A, EPT_VIOLATION_ACC_WRITE, 0), 0);
	fake_cpu.dr6 = 0xffff0ff0;
	fake_vmcs_set(VM_EXIT_INTR_INFO, X86_VEC_DB | INTR_INFO_VALID |
		      (INTR_TYPE_HARD_EXCEPTION << INTR_INFO_TYPE_SHIFT));
	assert_int_equal(do_exit(EXIT_REASON_EXCEPTION_NMI, DR6_BS | 1), 0);
	assert_false(v.step.active);
	assert_int_equal(fake_vmcs_get(VM_ENTRY_INTR_INFO_FIELD) & 0xff, X86_VEC_DB);
	assert_int_equal(fake_cpu.dr6 & 0x400f, 1);
}

/*
 * TF step over PUSHF to a watched stack page: the RFLAGS image it stored has our TF,
 * which a later POPF would load.  Taken back at the step's #DB, for each operand size;
 * a store that is not a PUSHF (RSP unchanged, another value), a page not known to be
 * RAM and a protected page (the store went to the copy) are left alone.
 */
static void pushf_step(u64 off, unsigned int size, u64 pushed, bool moves_rsp)
{
	const u64 top = 0xffffc90000010000ULL + off + size;

	fake_vmcs_set(GUEST_RSP, top);
	assert_int_equal(violation(PAGE_A + off, EPT_VIOLATION_ACC_WRITE, top - size), 0);
	assert_true(fake_vmcs_get(GUEST_RFLAGS) & X86_EFLAGS_TF);
	memcpy(mem + off, &pushed, size);		/* what the CPU stored */
	if (moves_rsp)
		fake_vmcs_set(GUEST_RSP, top - size);
	fake_vmcs_set(GUEST_RIP, RIP + 1);
	assert_int_equal(single_step_trap(), 0);
	assert_false(v.step.active);
	fake_vmcs_set(GUEST_RIP, RIP);
}

static u64 at(u64 off)
{
	u64 val;

	memcpy(&val, mem + off, sizeof(val));
	return val;
}

static void test_tf_step_pushf_untraced(void **state)
{
	(void)state;
	v.mtf = false;
	fake_vmcs_set(GUEST_RFLAGS, 0x246);
	watch_add(PAGE_A, WATCH_W, WATCH_KIND_WATCH, true);
	watch_sync(&v);
	pushf_step(0x100, 8, 0x346, true);			/* PUSHFQ */
	assert_int_equal(at(0x100), 0x246);
	pushf_step(0x200, 4, 0x346, true);			/* PUSHFD */
	assert_int_equal(at(0x200), 0x1111111100000246ULL);
	pushf_step(0x300, 2, 0x346, true);			/* PUSHF (66h) */
	assert_int_equal(at(0x300), 0x1111111111110246ULL);
	/* not a PUSHF: another value pushed, or the same value stored without a push */
	pushf_step(0x400, 8, 0x1346, true);
	assert_int_equal(at(0x400), 0x1346);
	pushf_step(0x500, 8, 0x346, false);
	assert_int_equal(at(0x500), 0x346);
	/* the guest's own TF (not ours) stays in what it pushed */
	fake_vmcs_set(GUEST_RFLAGS, 0x346);
	pushf_step(0x600, 8, 0x346, true);
	assert_int_equal(at(0x600), 0x346);
	/*
	 * A page that is not RAM is never touched from root: root never applies a watch
	 * on one (watch_check() against the RAM map captured at load; the table's own
	 * "ram" is not trusted), see test_sync_checks_each_rule.
	 */
	fake_vmcs_set(GUEST_RFLAGS, 0x246);
	/* with MTF there is no TF of ours to leak: nothing is rewritten */
	v.mtf = true;
	memset(mem + 0x800, 0, 8);
	fake_vmcs_set(GUEST_RSP, 0xffffc90000010808ULL);
	assert_int_equal(violation(PAGE_A + 0x800, EPT_VIOLATION_ACC_WRITE, 0xffffc90000010800ULL), 0);
	assert_false(fake_vmcs_get(GUEST_RFLAGS) & X86_EFLAGS_TF);
	assert_int_equal(do_exit(EXIT_REASON_MONITOR_TRAP_FLAG, 0), 0);
}

/*
 * TF step over SYSCALL (an execute watch on its page): R11 got RFLAGS with our TF,
 * which SYSRET would load into the program.  Taken back when the step lands on the
 * guest's LSTAR or CSTAR; any other R11 or RIP is left alone.
 */
static void test_tf_step_syscall_untraced(void **state)
{
	const u64 lstar = 0xffffffff81e00080ULL, cstar = 0xffffffff81e01000ULL;

	(void)state;
	v.mtf = false;
	fake_cpu_set_msr(MSR_LSTAR, lstar);
	fake_cpu_set_msr(MSR_CSTAR, cstar);
	fake_vmcs_set(GUEST_RFLAGS, 0x246);
	watch_add(PAGE_A, WATCH_X, WATCH_KIND_WATCH, true);
	watch_sync(&v);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(violation(PAGE_A, EPT_VIOLATION_ACC_INSTR, 0), 0);
		regs.gpr[REG_R11] = 0x346;
		fake_vmcs_set(GUEST_RIP, i == 0 ? lstar : i == 1 ? cstar : RIP + 2);
		assert_int_equal(single_step_trap(), 0);
		assert_int_equal(regs.gpr[REG_R11], i < 2 ? 0x246 : 0x346);
		fake_vmcs_set(GUEST_RIP, RIP);
	}
	/* R11 not RFLAGS (SYSCALL did not save it): left alone */
	assert_int_equal(violation(PAGE_A, EPT_VIOLATION_ACC_INSTR, 0), 0);
	regs.gpr[REG_R11] = 0x12346;
	fake_vmcs_set(GUEST_RIP, lstar);
	assert_int_equal(single_step_trap(), 0);
	assert_int_equal(regs.gpr[REG_R11], 0x12346);
}

/*
 * TF step in the guest's own MOV-SS or STI shadow: VM entry requires BS pending with
 * TF there; under MOV SS it is set (it fires after the instruction, as the step's
 * trap), under STI the shadow is dropped instead (BS would fire before it).
 */
static void test_tf_step_in_shadow(void **state)
{
	(void)state;
	v.mtf = false;
	watch_add(PAGE_A, WATCH_W, WATCH_KIND_WATCH, true);
	watch_sync(&v);
	fake_vmcs_set(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	fake_vmcs_set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_MOV_SS);
	assert_int_equal(violation(PAGE_A, EPT_VIOLATION_ACC_WRITE, 0), 0);
	assert_true(fake_vmcs_get(GUEST_RFLAGS) & X86_EFLAGS_TF);
	assert_int_equal(fake_vmcs_get(GUEST_PENDING_DBG_EXCEPTIONS), DR6_BS);
	assert_int_equal(fake_vmcs_get(GUEST_INTERRUPTIBILITY_INFO), GUEST_INTR_STATE_MOV_SS);
	fake_vmcs_set(GUEST_INTERRUPTIBILITY_INFO, 0);
	fake_vmcs_set(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	assert_int_equal(single_step_trap(), 0);
	fake_vmcs_set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_STI);
	assert_int_equal(violation(PAGE_A, EPT_VIOLATION_ACC_WRITE, 0), 0);
	assert_int_equal(fake_vmcs_get(GUEST_INTERRUPTIBILITY_INFO), 0);
	assert_int_equal(fake_vmcs_get(GUEST_PENDING_DBG_EXCEPTIONS), 0);
	assert_int_equal(single_step_trap(), 0);
}

/*
 * At an EPT violation of an instruction run with RFLAGS.TF, Bochs 2.7 saves the single
 * step it scheduled before the instruction (BS) in the pending debug exceptions; the VM
 * entry would deliver that #DB before the instruction ran, and again at every retry (a
 * program single-stepping over its watched store livelocked: watch_singlestep).  The
 * exit is fault-like and hardware saves the field clear (SDM Vol. 3C, 28.3.4): so it is
 * cleared, for the guest's own TF and for our step's second page; under MOV-SS
 * blocking what was saved stands.
 */
static void test_violation_drops_stale_pending_step(void **state)
{
	(void)state;
	v.mtf = false;
	watch_add(PAGE_A, WATCH_W, WATCH_KIND_WATCH, true);
	watch_add(PAGE_B, WATCH_W, WATCH_KIND_WATCH, true);
	watch_sync(&v);
	/* the guest single-steps itself over a store to the watched page */
	fake_vmcs_set(GUEST_RFLAGS, 0x302);
	fake_vmcs_set(GUEST_PENDING_DBG_EXCEPTIONS, DR6_BS);
	assert_int_equal(violation(PAGE_A + 0x10, EPT_VIOLATION_ACC_WRITE, 0), 0);
	assert_int_equal(fake_vmcs_get(GUEST_PENDING_DBG_EXCEPTIONS), 0);
	assert_true(v.step.active);
	assert_false(v.step.tf);
	/* its single step after the store is its own: to the guest, with BS */
	assert_int_equal(single_step_trap(), 0);
	assert_false(v.step.active);
	assert_int_equal(fake_vmcs_get(VM_ENTRY_INTR_INFO_FIELD) & 0x7ff,
			 X86_VEC_DB | (INTR_TYPE_HARD_EXCEPTION << INTR_INFO_TYPE_SHIFT));
	assert_true(fake_cpu.dr6 & DR6_BS);
	/* our own step: the store's second page faults with our TF set */
	fake_vmcs_set(GUEST_RFLAGS, 0x202);
	fake_vmcs_set(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	assert_int_equal(violation(PAGE_A + 0xffc, EPT_VIOLATION_ACC_WRITE, 0), 0);
	assert_true(v.step.tf);
	fake_vmcs_set(GUEST_PENDING_DBG_EXCEPTIONS, DR6_BS);
	assert_int_equal(violation(PAGE_B, EPT_VIOLATION_ACC_WRITE, 0), 0);
	assert_int_equal(fake_vmcs_get(GUEST_PENDING_DBG_EXCEPTIONS), 0);
	assert_int_equal(perm_of(PAGE_A), EPT_RWX);
	assert_int_equal(perm_of(PAGE_B), EPT_RWX);
	assert_int_equal(single_step_trap(), 0);
	assert_false(v.step.active);
	assert_int_equal(fake_vmcs_get(VM_ENTRY_INTR_INFO_FIELD), 0);
	assert_int_equal(perm_of(PAGE_A), EPT_READ | EPT_EXEC);
	assert_int_equal(perm_of(PAGE_B), EPT_READ | EPT_EXEC);
	/* MOV-SS blocking: a breakpoint of the MOV SS (B0) stays pending, BS joins it */
	fake_vmcs_set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_MOV_SS);
	fake_vmcs_set(GUEST_PENDING_DBG_EXCEPTIONS, 0x1);
	assert_int_equal(violation(PAGE_A, EPT_VIOLATION_ACC_WRITE, 0), 0);
	assert_int_equal(fake_vmcs_get(GUEST_PENDING_DBG_EXCEPTIONS), 0x1 | DR6_BS);
}

/* A GPA above the map limit (hot-added memory, moved MMIO) is mapped, not fatal. */
static void test_gpa_beyond_map(void **state)
{
	const u64 gpa = (1ULL << 39) + 0x5000;
	u64 *leaf;

	(void)state;
	fake_vmcs_set(GUEST_PHYSICAL_ADDRESS, gpa + 0x10);
	assert_int_equal(do_exit(EXIT_REASON_EPT_VIOLATION, EPT_VIOLATION_ACC_READ), 0);
	assert_int_equal(v.ept_mapped_beyond, 1);
	assert_int_equal(ept_map_page(&v.ept, gpa, &leaf), 0);
	assert_int_equal(*leaf & EPT_ADDR_MASK, gpa);
	assert_int_equal(*leaf & EPT_RWX, EPT_RWX);
	assert_int_equal(ept_map_page(&v.ept, PAGE_A, &leaf), -ERANGE);	/* in the map */
}

/* NMIs wait while a step is under way, and are delivered right after it. */
static void test_nmi_waits_for_step(void **state)
{
	(void)state;
	v.mtf = false;
	watch_add(PAGE_A, WATCH_W, WATCH_KIND_WATCH, true);
	watch_sync(&v);
	v.nmi_pending = 1;
	assert_int_equal(violation(PAGE_A, EPT_VIOLATION_ACC_WRITE, 0), 0);
	assert_int_equal(fake_vmcs_get(VM_ENTRY_INTR_INFO_FIELD), 0);
	assert_int_equal(v.nmi_pending, 1);
	fake_vmcs_set(GUEST_INTERRUPTIBILITY_INFO, 0);	/* the instruction ran */
	assert_int_equal(single_step_trap(), 0);
	assert_int_equal(v.nmi_pending, 0);
	assert_int_equal(fake_vmcs_get(VM_ENTRY_INTR_INFO_FIELD) & INTR_INFO_VECTOR_MASK,
			 X86_VEC_NMI);
}

/* A hidden page maps to the scratch page, so the guest never reaches the real one. */
/* The tracepoint's view of the ring: peeking takes nothing, taken events are skipped. */
static void test_ring_peek(void **state)
{
	static struct watch_ring r;
	struct watch_event ev;
	u32 cursor = 0;

	(void)state;
	for (int i = 0; i < 3; i++) {		/* what record() does in root */
		r.ev[i].gpa = 0x1000 * (i + 1);
		r.head++;
	}
	assert_true(watch_peek(&r, &cursor, &ev));
	assert_int_equal(ev.gpa, 0x1000);
	assert_true(watch_peek(&r, &cursor, &ev));
	assert_int_equal(ev.gpa, 0x2000);
	assert_true(watch_take(&r, &ev));	/* still there for the reader */
	assert_int_equal(ev.gpa, 0x1000);
	assert_true(watch_take(&r, &ev));
	assert_true(watch_take(&r, &ev));	/* taken before it was peeked at */
	assert_int_equal(ev.gpa, 0x3000);
	assert_false(watch_peek(&r, &cursor, &ev));	/* skipped, not read again */
	assert_int_equal(cursor, 3);
	r.dropped = 4;
	assert_int_equal(watch_take_dropped(&r), 4);
	assert_int_equal(watch_take_dropped(&r), 0);
}

static void test_hide(void **state)
{
	unsigned int level;
	u64 *leaf;

	(void)state;
	assert_int_equal(vmx_ept_hide(&v, PAGE_B), 0);
	leaf = ept_leaf(&v.ept, PAGE_B, &level);
	assert_int_equal(level, EPT_LEVEL_4K);
	assert_int_equal(*leaf & EPT_ADDR_MASK, v.scratch_pa);
	assert_int_equal(*leaf & EPT_RWX, EPT_READ | EPT_WRITE);
	leaf = ept_leaf(&v.ept, PAGE_A, &level);
	assert_int_equal(*leaf & EPT_ADDR_MASK, PAGE_A);
}

/* The RAM map: rounded inward to pages, merged where ranges touch, bounded. */
static void test_ram_map(void **state)
{
	struct ram_map m = { 0 };
	unsigned int i;

	(void)state;
	assert_int_equal(ram_map_add(&m, 0x1800, 0x5800), 0);	/* pages 0x2000..0x5000 */
	assert_false(ram_map_has(&m, 0x1000));
	assert_true(ram_map_has(&m, 0x2000));
	assert_true(ram_map_has(&m, 0x4000));
	assert_false(ram_map_has(&m, 0x5000));
	assert_int_equal(ram_map_add(&m, 0x5000, 0x8000), 0);	/* touches: merged */
	assert_int_equal(m.nr, 1);
	assert_true(ram_map_has(&m, 0x7000));
	assert_int_equal(ram_map_add(&m, 0x100, 0x200), 0);	/* no whole page: nothing */
	assert_int_equal(m.nr, 1);
	for (i = 1; i < RAM_MAP_MAX; i++)
		assert_int_equal(ram_map_add(&m, i * 0x100000, i * 0x100000 + 0x1000), 0);
	assert_int_equal(ram_map_add(&m, 0x7f000000, 0x7f001000), -ENOSPC);
	assert_false(ram_map_has(&m, 0x7f000000));
	assert_false(ram_map_has(&m, ~0xfffULL));		/* no wrap-around */
	m.nr = 1000;						/* a bad count stays bounded */
	assert_true(ram_map_has(&m, 0x2000));
}

/*
 * Root applies its own checked copy of the table, never the table itself: each rule
 * refuses the entry (the rest is applied) and says which rule.
 */
static void sync_refuses(u64 gpa, u32 access, u32 kind, int err)
{
	memset(watch_table, 0, sizeof(watch_table));
	/* written straight into the table, as ring-0 code could, bypassing watch_add */
	watch_table[3] = (struct watch){ gpa, access, kind, true };
	watch_table[5] = (struct watch){ PAGE_A, WATCH_W, WATCH_KIND_WATCH, true };
	assert_int_equal(watch_sync(&v), err);
	assert_int_equal(v.wanted[3].kind, 0);
	assert_int_equal(v.applied[3].kind, 0);
	assert_int_equal(v.applied[5].kind, WATCH_KIND_WATCH);	/* the good one applies */
	assert_int_equal(perm_of(PAGE_A), EPT_READ | EPT_EXEC);
}

static void test_sync_checks_each_rule(void **state)
{
	u64 hole = PAGE_B + PAGE_SIZE;

	(void)state;
	assert_int_equal(vmx_ept_hide(&v, PAGE_B), 0);		/* as private.c does */
	sync_refuses(PAGE_A + 0x10, WATCH_W, WATCH_KIND_WATCH, -EINVAL);	/* unaligned */
	sync_refuses(PAGE_A + PAGE_SIZE * 4, 0, WATCH_KIND_WATCH, -EINVAL);	/* no access */
	sync_refuses(PAGE_A + PAGE_SIZE * 4, 8, WATCH_KIND_WATCH, -EINVAL);	/* bad access */
	sync_refuses(PAGE_A + PAGE_SIZE * 4, WATCH_W, 9, -EINVAL);		/* bad kind */
	sync_refuses(PAGE_A + PAGE_SIZE * 4, WATCH_R, WATCH_KIND_PROTECT, -EINVAL);
	sync_refuses(1ULL << 39, WATCH_W, WATCH_KIND_WATCH, -ERANGE);	/* beyond the map */
	sync_refuses(0xa0000, WATCH_W, WATCH_KIND_PROTECT, -EFAULT);	/* VGA hole: MMIO */
	sync_refuses(hole, WATCH_W, WATCH_KIND_PROTECT, -EFAULT);
	sync_refuses(1ULL << 33, WATCH_W, WATCH_KIND_WATCH, -EFAULT);	/* above RAM */
	sync_refuses(PAGE_B, WATCH_W, WATCH_KIND_PROTECT, -EACCES);	/* hidden */
	/* the hidden page's EPT entry is untouched: still the scratch page, no access */
	assert_int_equal(*ept_leaf(&v.ept, PAGE_B, &(unsigned int){ 0 }) & EPT_ADDR_MASK,
			 v.scratch_pa);
}

/* The same page twice: the later slot is refused, the earlier one applied. */
static void test_sync_refuses_duplicate(void **state)
{
	(void)state;
	watch_table[1] = (struct watch){ PAGE_A, WATCH_W, WATCH_KIND_WATCH, true };
	watch_table[2] = (struct watch){ PAGE_A, WATCH_W, WATCH_KIND_PROTECT, true };
	assert_int_equal(watch_sync(&v), -EEXIST);
	assert_int_equal(v.applied[1].kind, WATCH_KIND_WATCH);
	assert_int_equal(v.applied[2].kind, 0);
}

/*
 * After the sync, the guest's table can say anything: the violation handler goes by
 * root's applied copy (a protect turned into a watch in the table is still a protect).
 */
static void test_violation_uses_applied_copy(void **state)
{
	struct watch_event ev;

	(void)state;
	v.mtf = false;
	watch_add(PAGE_A, WATCH_W, WATCH_KIND_PROTECT, true);
	assert_int_equal(watch_sync(&v), 0);
	watch_table[0].kind = WATCH_KIND_WATCH;
	assert_int_equal(violation(PAGE_A, EPT_VIOLATION_ACC_WRITE, 0), 0);
	assert_true(watch_take(v.events, &ev));
	assert_int_equal(ev.kind, WATCH_KIND_PROTECT);
	assert_true(ev.flags & WATCH_EV_DISCARDED);
	assert_int_equal(single_step_trap(), 0);
	/* a page the guest adds to the table without a sync is not watched */
	watch_table[1] = (struct watch){ PAGE_B, WATCH_W, WATCH_KIND_WATCH, true };
	fake_vmcs_set(GUEST_PHYSICAL_ADDRESS, PAGE_B);
	fake_vmcs_set(EXIT_QUALIFICATION, EPT_VIOLATION_ACC_WRITE);
	assert_int_equal(handle_ept_violation(&v, &regs), 0);	/* unmatched */
	assert_int_equal(v.ept_unmatched, 1);
	assert_false(watch_take(v.events, &ev));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_table_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sync_applies_and_restores, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watched_write_steps_with_tf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unwatched_access_not_recorded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_guest_tf_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interrupted_two_page_step_recorded_once, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_violation_drops_stale_pending_step, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mtf_step, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mtf_probe_traps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mtf_probe_silent_falls_back_to_tf, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mtf_probe_busy_during_step, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mtf_probe_foreign_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_protect_discards_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_locked_sync_keeps_protection, setup, teardown),
		cmocka_unit_test_setup_teardown(test_del_and_reuse_before_sync, setup, teardown),
		cmocka_unit_test_setup_teardown(test_one_instruction_two_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reinjected_interrupt_no_sti, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reinjected_nmi_unblocked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mtf_guest_tf_no_sti, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tf_step_interrupted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tf_step_exceptions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tf_step_in_shadow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tf_step_pushf_untraced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tf_step_syscall_untraced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gpa_beyond_map, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unexpected_violation_and_misconfig, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_nmi_waits_for_step, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hide, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ram_map, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sync_checks_each_rule, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sync_refuses_duplicate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_violation_uses_applied_copy, setup,
						teardown),
		cmocka_unit_test(test_ring_peek),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
