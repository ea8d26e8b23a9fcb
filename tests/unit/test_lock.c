// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for core/lock.c: every decision of the lock's policy (pinned CR bits,
 * locked MSRs, descriptor-table bases, range splitting), and the exits that apply it
 * (CR access, WRMSR, the LOCK and DEVIRT hypercalls, relaunch) on the fake CPU.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "exit.h"
#include "errors.h"
#include "ept.h"
#include "lock.h"
#include "vmx.h"
#include "arch/x86.h"
#include "fake_cpu.h"
#include "fake_world.h"
#include <cpu_ops.h>

#define GP_INFO (INTR_INFO_VALID | INTR_INFO_DELIVER_CODE | \
		 (INTR_TYPE_HARD_EXCEPTION << INTR_INFO_TYPE_SHIFT) | X86_VEC_GP)
#define TEXT	0xffffffff81000000ULL
#define LSTAR	0xffffffff81a00000ULL
#define CR0_LINUX (X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE | X86_CR0_WP | \
		   X86_CR0_AM | X86_CR0_PG)
#define CR4_LINUX (X86_CR4_PAE | X86_CR4_PGE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT | \
		   X86_CR4_SMEP | X86_CR4_FSGSBASE)

static struct vcpu vcpu_mem;
static struct vcpu *v = &vcpu_mem;
static struct vmx_caps caps;
static struct guest_regs regs;

/* ---- the pure decisions ---- */

static struct lock_state locked_linux(bool cet)
{
	struct lock_cpu_state s = {
		.cr0 = CR0_LINUX, .cr4 = CR4_LINUX, .efer = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE,
		.gdtr_base = 0xfffffe0000001000ULL, .idtr_base = 0xfffffe0000000000ULL, .cet = cet,
	};
	struct lock_state ls = { 0 };

	s.msr[LOCK_MSR_LSTAR] = LSTAR;
	s.msr[LOCK_MSR_STAR] = 0x0023001000000000ULL;
	s.msr[LOCK_MSR_SYSENTER_EIP] = 0xffffffff81a01560ULL;
	s.msr[LOCK_MSR_S_CET] = 0x4;
	lock_capture(&ls, &s);
	return ls;
}

static void test_capture_pins_what_is_set(void **state)
{
	struct lock_state ls = locked_linux(false);

	(void)state;
	assert_true(ls.on);
	assert_int_equal(ls.cr0, X86_CR0_PE | X86_CR0_PG | X86_CR0_WP);
	/* SMAP, UMIP and CET are clear here: not pinned; FSGSBASE and SMEP are */
	assert_int_equal(ls.cr4, X86_CR4_SMEP | X86_CR4_FSGSBASE);
	assert_int_equal(ls.efer, EFER_SCE | EFER_LME | EFER_NXE);
	assert_int_equal(ls.msr[LOCK_MSR_LSTAR], LSTAR);
	assert_int_equal(ls.msr[LOCK_MSR_S_CET], 0);	/* no CET: not taken */
	assert_int_equal(locked_linux(true).msr[LOCK_MSR_S_CET], 4);
}

static void test_cr_decisions(void **state)
{
	struct lock_state ls = locked_linux(false), off = { 0 };

	(void)state;
	/* unlocked: anything */
	assert_int_equal(lock_cr_refused(&off, 0, 0), 0);
	/* clearing a pinned bit: that bit is named */
	assert_int_equal(lock_cr_refused(&ls, 0, CR0_LINUX & ~X86_CR0_WP), X86_CR0_WP);
	assert_int_equal(lock_cr_refused(&ls, 0, 0), X86_CR0_PE | X86_CR0_PG | X86_CR0_WP);
	assert_int_equal(lock_cr_refused(&ls, 4, CR4_LINUX & ~X86_CR4_SMEP), X86_CR4_SMEP);
	assert_int_equal(lock_cr_refused(&ls, 4, CR4_LINUX & ~X86_CR4_FSGSBASE),
			 X86_CR4_FSGSBASE);
	/* other bits change freely; setting an unpinned one (tightening) too */
	assert_int_equal(lock_cr_refused(&ls, 4, CR4_LINUX & ~X86_CR4_PGE), 0);
	assert_int_equal(lock_cr_refused(&ls, 4, CR4_LINUX | X86_CR4_SMAP), 0);
	assert_int_equal(lock_cr_refused(&ls, 0, CR0_LINUX | X86_CR0_TS), 0);
	assert_int_equal(lock_cr_refused(&ls, 0, CR0_LINUX & ~X86_CR0_AM), 0);
	/* other control registers are not the lock's */
	assert_int_equal(lock_cr_refused(&ls, 3, 0), 0);
	assert_int_equal(lock_cr_refused(&ls, 8, 0), 0);
}

static void test_msr_decisions(void **state)
{
	struct lock_state ls = locked_linux(false), cet = locked_linux(true), off = { 0 };

	(void)state;
	assert_true(lock_msr_allowed(&off, MSR_LSTAR, 0x1234));
	assert_true(lock_msr_allowed(&ls, MSR_LSTAR, LSTAR));		/* the same value */
	assert_false(lock_msr_allowed(&ls, MSR_LSTAR, LSTAR + 0x1000));
	assert_false(lock_msr_allowed(&ls, MSR_CSTAR, 1));
	assert_false(lock_msr_allowed(&ls, MSR_STAR, 0));
	assert_false(lock_msr_allowed(&ls, MSR_SYSCALL_MASK, 0x47700));	/* locked at 0 */
	assert_true(lock_msr_allowed(&ls, MSR_SYSCALL_MASK, 0));
	assert_false(lock_msr_allowed(&ls, MSR_IA32_SYSENTER_EIP, 0xffffffff81000000ULL));
	assert_true(lock_msr_allowed(&ls, MSR_IA32_SYSENTER_EIP, 0xffffffff81a01560ULL));
	assert_false(lock_msr_allowed(&ls, MSR_IA32_SYSENTER_CS, 0x33));
	assert_false(lock_msr_allowed(&ls, MSR_IA32_SYSENTER_ESP, 0x1000));
	/* EFER: SCE, LME, NXE locked; LMA and the rest not the lock's business */
	assert_false(lock_msr_allowed(&ls, MSR_EFER, EFER_SCE | EFER_LME | EFER_LMA));
	assert_false(lock_msr_allowed(&ls, MSR_EFER, EFER_LME | EFER_LMA | EFER_NXE));
	assert_true(lock_msr_allowed(&ls, MSR_EFER, EFER_SCE | EFER_LME | EFER_NXE));
	assert_true(lock_msr_allowed(&ls, MSR_EFER, EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE));
	/* not covered: FS_BASE; CET MSRs only where the CPU has CET */
	assert_true(lock_msr_allowed(&ls, MSR_FS_BASE, 0x1234));
	assert_true(lock_msr_allowed(&ls, MSR_IA32_S_CET, 0));
	assert_false(lock_msr_allowed(&cet, MSR_IA32_S_CET, 0));
	assert_true(lock_msr_allowed(&cet, MSR_IA32_S_CET, 4));
	/* user CET state is switched per task: never covered */
	assert_true(lock_msr_allowed(&cet, MSR_IA32_U_CET, 1));
	assert_true(lock_msr_allowed(&cet, MSR_IA32_PL3_SSP, 0x1000));
	assert_false(lock_msr_covered(MSR_IA32_PL3_SSP, true));
	assert_true(lock_msr_covered(MSR_IA32_PL0_SSP, true));
	assert_false(lock_msr_covered(MSR_IA32_PL0_SSP, false));
	assert_true(lock_msr_covered(MSR_EFER, false));
	assert_false(lock_msr_covered(MSR_IA32_PAT, true));
	assert_int_equal(lock_msr_index(MSR_LSTAR, false), LOCK_MSR_LSTAR);
	assert_int_equal(lock_msr_index(MSR_IA32_INT_SSP_TAB, false), -1);
	assert_int_equal(lock_msr_index(MSR_IA32_INT_SSP_TAB, true), LOCK_MSR_INT_SSP_TAB);
}

static void test_dt_decisions(void **state)
{
	struct lock_state ls = locked_linux(false), off = { 0 };

	(void)state;
	assert_true(lock_dt_allowed(&off, true, 0x1000));
	assert_true(lock_dt_allowed(&ls, true, 0xfffffe0000000000ULL));
	assert_false(lock_dt_allowed(&ls, true, 0xffff888000001000ULL));
	assert_true(lock_dt_allowed(&ls, false, 0xfffffe0000001000ULL));
	assert_false(lock_dt_allowed(&ls, false, 0xfffffe0000000000ULL));	/* IDT's base */
}

static void test_split(void **state)
{
	struct lock_range r[600];
	const u64 M2 = 2ULL << 20, G1 = 1ULL << 30;

	(void)state;
	/* 4 KiB below a 2 MiB boundary, one 2 MiB page, two 4 KiB pages after */
	assert_int_equal(lock_split(M2 - 0x1000, 2 * M2 + 0x2000, EPT_LEVEL_2M, r, 600), 4);
	assert_int_equal(r[0].start, M2 - 0x1000);
	assert_int_equal(r[0].level, EPT_LEVEL_4K);
	assert_int_equal(r[1].start, M2);
	assert_int_equal(r[1].level, EPT_LEVEL_2M);
	assert_int_equal(r[2].start, 2 * M2);
	assert_int_equal(r[2].level, EPT_LEVEL_4K);
	assert_int_equal(r[3].start, 2 * M2 + 0x1000);
	/* a whole, aligned GiB: one page where the EPT has 1 GiB pages, else 512 */
	assert_int_equal(lock_split(G1, 2 * G1, EPT_LEVEL_1G, r, 600), 1);
	assert_int_equal(r[0].level, EPT_LEVEL_1G);
	assert_int_equal(lock_split(G1, 2 * G1, EPT_LEVEL_2M, r, 600), 512);
	assert_int_equal(r[511].start, 2 * G1 - M2);
	/* 2 MiB that is not 2 MiB aligned: 512 pages of 4 KiB */
	assert_int_equal(lock_split(M2 + 0x1000, 2 * M2 + 0x1000, EPT_LEVEL_1G, r, 600), 512);
	/* fewer slots than pieces: the count is still right, only @max written */
	r[2].start = 0x42;
	assert_int_equal(lock_split(M2 - 0x3000, M2, EPT_LEVEL_2M, r, 2), 3);
	assert_int_equal(r[2].start, 0x42);
	/* refused: unaligned, empty, reversed, no level */
	assert_int_equal(lock_split(0x1001, 0x3000, EPT_LEVEL_2M, r, 4), -EINVAL);
	assert_int_equal(lock_split(0x1000, 0x2800, EPT_LEVEL_2M, r, 4), -EINVAL);
	assert_int_equal(lock_split(0x2000, 0x2000, EPT_LEVEL_2M, r, 4), -EINVAL);
	assert_int_equal(lock_split(0x3000, 0x2000, EPT_LEVEL_2M, r, 4), -EINVAL);
	assert_int_equal(lock_split(0x1000, 0x2000, 0, r, 4), -EINVAL);
}

/* ---- the exits that apply it ---- */

static int setup(void **state)
{
	(void)state;
	fake_cpu_load(&fake_haswell);
	vmx_caps_read(&caps);
	memset(v, 0, sizeof(*v));
	memset(&regs, 0, sizeof(regs));
	v->caps = &caps;
	v->vpid = 1;
	v->events = &v->events_ring;
	v->text = (struct seal_text){ .text_start = TEXT, .text_end = TEXT + 0x800,
				      .ro_end = TEXT + 0x1000, .nr = 1, .pa = { 0x1000000 } };
	fake_cpu.current_vmcs = 0x1000;
	fake_vmcs_set(GUEST_RIP, TEXT);
	fake_vmcs_set(GUEST_SS_AR_BYTES, 0xc093);	/* DPL 0 */
	/* Linux's CRs as vmcs_setup_guest() leaves them (CR0.WP in no mask yet) */
	fake_vmcs_set(GUEST_CR0, CR0_LINUX);
	fake_vmcs_set(CR0_READ_SHADOW, CR0_LINUX);
	fake_vmcs_set(CR0_GUEST_HOST_MASK, X86_CR0_PE | X86_CR0_PG | X86_CR0_NE);
	fake_vmcs_set(GUEST_CR4, CR4_LINUX | X86_CR4_VMXE);
	fake_vmcs_set(CR4_READ_SHADOW, CR4_LINUX);
	fake_vmcs_set(CR4_GUEST_HOST_MASK, X86_CR4_VMXE);
	fake_vmcs_set(GUEST_IA32_EFER, EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE);
	fake_vmcs_set(GUEST_SYSENTER_EIP, 0xffffffff81a01560ULL);
	fake_cpu_set_msr(MSR_LSTAR, LSTAR);
	fake_cpu_set_msr(MSR_STAR, 0x0023001000000000ULL);
	fake_cpu_set_msr(MSR_CSTAR, 0xffffffff81a01000ULL);
	fake_cpu_set_msr(MSR_SYSCALL_MASK, 0x47700);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return 0;
}

static int do_exit(u32 reason)
{
	fake_vmcs_set(VM_EXIT_REASON, reason);
	fake_vmcs_set(VM_EXIT_INSTRUCTION_LEN, 3);
	fake_vmcs_set(VM_ENTRY_INTR_INFO_FIELD, 0);
	return vmx_exit_handler(&regs, v);
}

static u32 injected(void)
{
	return (u32)fake_vmcs_get(VM_ENTRY_INTR_INFO_FIELD);
}

/* Hypercall @nr with RDX = @arg and RSI = @arg2 (LOCK's second argument). */
static long hypercall2(u64 nr, u64 arg, u64 arg2)
{
	regs.gpr[REG_RAX] = nr;
	regs.gpr[REG_RCX] = SUBZERO_VMCALL_KEY;
	regs.gpr[REG_RDX] = arg;
	regs.gpr[REG_RSI] = arg2;
	return do_exit(EXIT_REASON_VMCALL);
}

static long hypercall(u64 nr, u64 arg)
{
	return hypercall2(nr, arg, 0);
}

/* The next event in the ring; it must be there. */
static struct watch_event next_event(void)
{
	return fake_world_next_event(v);
}

static void take_lock(void)
{
	assert_int_equal(hypercall(SUBZERO_HC_LOCK, 0), 0);
	assert_int_equal(regs.gpr[REG_RAX], 0);
}

static void test_lock_hypercall(void **state)
{
	struct watch_event ev;

	(void)state;
	take_lock();
	assert_true(v->lock.on);
	assert_true(v->lock_on);
	assert_int_equal(v->lock_cr0, X86_CR0_PE | X86_CR0_PG | X86_CR0_WP);
	assert_int_equal(v->lock_cr4, X86_CR4_SMEP | X86_CR4_FSGSBASE);
	assert_int_equal(v->lock.msr[LOCK_MSR_LSTAR], LSTAR);
	assert_int_equal(v->lock.msr[LOCK_MSR_SYSENTER_EIP], 0xffffffff81a01560ULL);
	/* the pinned bits now exit; the shadows hold what the guest has */
	assert_true(fake_vmcs_get(CR0_GUEST_HOST_MASK) & X86_CR0_WP);
	assert_true(fake_vmcs_get(CR4_GUEST_HOST_MASK) & X86_CR4_SMEP);
	assert_true(fake_vmcs_get(CR4_GUEST_HOST_MASK) & X86_CR4_VMXE);
	assert_int_equal(fake_vmcs_get(CR0_READ_SHADOW), CR0_LINUX);
	assert_int_equal(fake_vmcs_get(CR4_READ_SHADOW), CR4_LINUX);
	ev = next_event();
	assert_int_equal(ev.kind, WATCH_KIND_LOCK);
	assert_int_equal(ev.access, LOCK_EV_LOCKED);
	/* one way: a second lock changes nothing (no second event) */
	fake_cpu_set_msr(MSR_LSTAR, 0x1234);
	take_lock();
	assert_int_equal(v->lock.msr[LOCK_MSR_LSTAR], LSTAR);
	assert_false(watch_take(v->events, &ev));
}

/*
 * LOCK's two arguments: RSI the CPU's other GDT base (held by the lock), RDX the W^X
 * ranges (lock_wx.h; test_lock_wx.c), which a CPU without EPT, as here, locks without.
 */
static void test_lock_hypercall_arguments(void **state)
{
	(void)state;
	assert_int_equal(hypercall2(SUBZERO_HC_LOCK, 0x2000000, 0xfffffe0000001000ULL), 0);
	assert_int_equal(regs.gpr[REG_RAX], 0);
	assert_true(v->lock.on);
	assert_int_equal(v->lock.gdtr_alt, 0xfffffe0000001000ULL);
	assert_false(v->wx.on);
	assert_false(v->lock_wx_on);
}

static void test_lock_hypercall_only_from_module_text(void **state)
{
	(void)state;
	fake_vmcs_set(GUEST_RIP, TEXT + 0x2000);	/* not subzero's */
	assert_int_equal(hypercall(SUBZERO_HC_LOCK, 0), 0);
	assert_int_equal(regs.gpr[REG_RAX], (u64)-EPERM);
	assert_false(v->lock.on);
	assert_false(v->lock_on);
}

/* MOV to CR@cr from RAX = @val */
static int mov_to_cr(unsigned int cr, u64 val)
{
	regs.gpr[REG_RAX] = val;
	fake_vmcs_set(EXIT_QUALIFICATION, cr | (REG_RAX << 8));
	return do_exit(EXIT_REASON_CR_ACCESS);
}

static void test_cr0_wp_clear_refused(void **state)
{
	struct watch_event ev;

	(void)state;
	/* before the lock the write is done */
	assert_int_equal(mov_to_cr(0, CR0_LINUX & ~X86_CR0_AM), 0);
	assert_int_equal(injected(), 0);
	fake_vmcs_set(GUEST_CR0, CR0_LINUX);
	fake_vmcs_set(CR0_READ_SHADOW, CR0_LINUX);
	take_lock();
	next_event();
	fake_vmcs_set(GUEST_RIP, 0xffffffffc0001234ULL);	/* the rootkit's */
	assert_int_equal(mov_to_cr(0, CR0_LINUX & ~X86_CR0_WP), 0);
	assert_int_equal(injected(), GP_INFO);
	assert_int_equal(fake_vmcs_get(GUEST_CR0), CR0_LINUX);
	assert_int_equal(fake_vmcs_get(GUEST_RIP), 0xffffffffc0001234ULL);	/* not skipped */
	assert_int_equal(v->lock_cr_refused, 1);
	ev = next_event();
	assert_int_equal(ev.access, LOCK_EV_CR0);
	assert_int_equal(ev.gla, X86_CR0_WP);
	assert_int_equal(ev.gpa, CR0_LINUX & ~X86_CR0_WP);
	assert_int_equal(ev.rip, 0xffffffffc0001234ULL);
	assert_int_equal(ev.flags, WATCH_EV_REFUSED);
	/* a write keeping WP goes through */
	assert_int_equal(mov_to_cr(0, CR0_LINUX | X86_CR0_TS), 0);
	assert_int_equal(injected(), 0);
	assert_true(fake_vmcs_get(GUEST_CR0) & X86_CR0_TS);
}

static void test_cr4_smep_clear_refused(void **state)
{
	struct watch_event ev;

	(void)state;
	take_lock();
	next_event();
	assert_int_equal(mov_to_cr(4, CR4_LINUX & ~X86_CR4_SMEP), 0);
	assert_int_equal(injected(), GP_INFO);
	assert_int_equal(fake_vmcs_get(GUEST_CR4), CR4_LINUX | X86_CR4_VMXE);
	ev = next_event();
	assert_int_equal(ev.access, LOCK_EV_CR4);
	assert_int_equal(ev.gla, X86_CR4_SMEP);
	/* setting SMAP (tightening) and toggling PGE are allowed */
	assert_int_equal(mov_to_cr(4, CR4_LINUX | X86_CR4_SMAP), 0);
	assert_int_equal(injected(), 0);
	assert_int_equal(fake_vmcs_get(CR4_READ_SHADOW), CR4_LINUX | X86_CR4_SMAP);
	assert_int_equal(mov_to_cr(4, CR4_LINUX & ~X86_CR4_PGE), 0);
	assert_int_equal(injected(), 0);
	assert_int_equal(v->lock_cr_refused, 1);
}

static int wrmsr(u32 msr, u64 val)
{
	regs.gpr[REG_RCX] = msr;
	regs.gpr[REG_RAX] = (u32)val;
	regs.gpr[REG_RDX] = val >> 32;
	return do_exit(EXIT_REASON_MSR_WRITE);
}

static void test_wrmsr_before_lock_done(void **state)
{
	(void)state;
	assert_int_equal(wrmsr(MSR_LSTAR, LSTAR + 0x40), 0);
	assert_int_equal(injected(), 0);
	assert_int_equal(cpu_rdmsr(MSR_LSTAR), LSTAR + 0x40);
	assert_int_equal(fake_vmcs_get(GUEST_RIP), TEXT + 3);		/* skipped */
	/* the SYSENTER MSRs and EFER are guest state in the VMCS */
	assert_int_equal(wrmsr(MSR_IA32_SYSENTER_EIP, 0xffffffff81000040ULL), 0);
	assert_int_equal(fake_vmcs_get(GUEST_SYSENTER_EIP), 0xffffffff81000040ULL);
	assert_int_equal(wrmsr(MSR_IA32_SYSENTER_CS, 0x10), 0);
	assert_int_equal(fake_vmcs_get(GUEST_SYSENTER_CS), 0x10);
	assert_int_equal(wrmsr(MSR_EFER, EFER_LME | EFER_NXE), 0);	/* LMA kept */
	assert_int_equal(fake_vmcs_get(GUEST_IA32_EFER), EFER_LME | EFER_LMA | EFER_NXE);
	/* what the CPU would #GP, root refuses before touching it */
	assert_int_equal(wrmsr(MSR_LSTAR, 0x0000800000000000ULL), 0);	/* not canonical */
	assert_int_equal(injected(), GP_INFO);
	assert_int_equal(cpu_rdmsr(MSR_LSTAR), LSTAR + 0x40);
	assert_int_equal(wrmsr(MSR_SYSCALL_MASK, 1ULL << 32), 0);
	assert_int_equal(injected(), GP_INFO);
	assert_int_equal(wrmsr(MSR_EFER, EFER_NXE | EFER_LMA), 0);		/* LME off */
	assert_int_equal(injected(), GP_INFO);
	assert_int_equal(wrmsr(MSR_EFER, EFER_LME | BIT_ULL(12)), 0);	/* reserved */
	assert_int_equal(injected(), GP_INFO);
	assert_int_equal(wrmsr(MSR_IA32_SYSENTER_ESP, 0x0000800000000000ULL), 0);
	assert_int_equal(injected(), GP_INFO);
	/* no CET on this CPU: its MSRs are not the lock's, so #GP as before */
	assert_int_equal(wrmsr(MSR_IA32_S_CET, 0), 0);
	assert_int_equal(injected(), GP_INFO);
	assert_int_equal(v->lock_msr_refused, 0);
}

static void test_wrmsr_locked(void **state)
{
	struct watch_event ev;

	(void)state;
	take_lock();
	next_event();
	fake_vmcs_set(GUEST_RIP, 0xffffffffc0002000ULL);
	assert_int_equal(wrmsr(MSR_LSTAR, 0xffffffffc0002100ULL), 0);	/* a hook */
	assert_int_equal(injected(), GP_INFO);
	assert_int_equal(cpu_rdmsr(MSR_LSTAR), LSTAR);
	assert_int_equal(fake_vmcs_get(GUEST_RIP), 0xffffffffc0002000ULL);
	ev = next_event();
	assert_int_equal(ev.access, LOCK_EV_MSR);
	assert_int_equal(ev.gla, MSR_LSTAR);
	assert_int_equal(ev.gpa, 0xffffffffc0002100ULL);
	assert_int_equal(ev.flags, WATCH_EV_REFUSED);
	assert_int_equal(wrmsr(MSR_IA32_SYSENTER_EIP, 0xffffffffc0002100ULL), 0);
	assert_int_equal(injected(), GP_INFO);
	assert_int_equal(fake_vmcs_get(GUEST_SYSENTER_EIP), 0xffffffff81a01560ULL);
	assert_int_equal(wrmsr(MSR_EFER, EFER_SCE | EFER_LME | EFER_LMA), 0);	/* NXE off */
	assert_int_equal(injected(), GP_INFO);
	assert_int_equal(v->lock_msr_refused, 3);
	/* the locked value itself: allowed, counted */
	assert_int_equal(wrmsr(MSR_LSTAR, LSTAR), 0);
	assert_int_equal(injected(), 0);
	assert_int_equal(v->lock_msr_kept, 1);
	assert_int_equal(v->lock_msr_refused, 3);
}

static void test_devirt_locked_only_offline(void **state)
{
	u64 gstack[8] = { 0 };
	struct watch_event ev;

	(void)state;
	take_lock();
	next_event();
	assert_int_equal(hypercall(SUBZERO_HC_DEVIRT, 0), 0);		/* stays in VMX */
	assert_int_equal(regs.gpr[REG_RAX], (u64)-EPERM);
	assert_false(v->devirt);
	assert_int_equal(v->lock_hc_refused, 1);
	ev = next_event();
	assert_int_equal(ev.access, LOCK_EV_DEVIRT);
	assert_int_equal(ev.flags, WATCH_EV_REFUSED);
	/* the CPU-offline path's DEVIRT leaves, recorded as allowed */
	fake_cpu.vmx_on = true;
	fake_cpu.cr4 = X86_CR4_VMXE | X86_CR4_PAE;
	fake_vmcs_set(GUEST_RSP, (u64)&gstack[8]);
	assert_int_equal(hypercall(SUBZERO_HC_DEVIRT, SUBZERO_DEVIRT_OFFLINE), 1);
	assert_true(v->devirt);
	assert_false(fake_cpu.vmx_on);
	assert_int_equal(v->lock_devirt_offline, 1);
	ev = next_event();
	assert_int_equal(ev.access, LOCK_EV_DEVIRT);
	assert_int_equal(ev.gla, SUBZERO_DEVIRT_OFFLINE);
	assert_int_equal(ev.flags, WATCH_EV_ALLOWED);
	/* the lock outlives it: the vcpu comes back locked */
	assert_true(v->lock.on);
}

static void test_devirt_unlocked_any(void **state)
{
	u64 gstack[8] = { 0 };

	(void)state;
	fake_cpu.vmx_on = true;
	fake_vmcs_set(GUEST_RSP, (u64)&gstack[8]);
	assert_int_equal(hypercall(SUBZERO_HC_DEVIRT, 0), 1);
	assert_int_equal(v->lock_devirt_offline, 0);
}

/* A CPU locked before comes back (online) with its policy, changed values put back. */
static void test_relaunch(void **state)
{
	struct watch_event ev;

	(void)state;
	take_lock();
	next_event();
	/* as vmcs_setup_guest() leaves a fresh VMCS: masks without the pinned bits */
	fake_vmcs_set(CR0_GUEST_HOST_MASK, X86_CR0_PE | X86_CR0_PG | X86_CR0_NE);
	fake_vmcs_set(CR4_GUEST_HOST_MASK, X86_CR4_VMXE);
	/* while the CPU was out, LSTAR, SYSENTER_EIP, EFER.NXE and CR4.SMEP changed */
	fake_cpu_set_msr(MSR_LSTAR, 0xffffffffc0003000ULL);
	fake_vmcs_set(GUEST_SYSENTER_EIP, 0xffffffffc0003000ULL);
	fake_vmcs_set(GUEST_IA32_EFER, EFER_SCE | EFER_LME | EFER_LMA);
	fake_vmcs_set(GUEST_CR4, (CR4_LINUX & ~X86_CR4_SMEP) | X86_CR4_VMXE);
	fake_vmcs_set(CR4_READ_SHADOW, CR4_LINUX & ~X86_CR4_SMEP);
	lock_relaunch(v);
	assert_int_equal(cpu_rdmsr(MSR_LSTAR), LSTAR);
	assert_int_equal(fake_vmcs_get(GUEST_SYSENTER_EIP), 0xffffffff81a01560ULL);
	assert_int_equal(fake_vmcs_get(GUEST_IA32_EFER), EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE);
	assert_true(fake_vmcs_get(GUEST_CR4) & X86_CR4_SMEP);
	assert_true(fake_vmcs_get(CR4_READ_SHADOW) & X86_CR4_SMEP);
	assert_true(fake_vmcs_get(CR4_GUEST_HOST_MASK) & X86_CR4_SMEP);
	assert_true(fake_vmcs_get(CR0_GUEST_HOST_MASK) & X86_CR0_WP);
	assert_int_equal(v->lock_restored, 3);
	ev = next_event();
	assert_int_equal(ev.access, LOCK_EV_RESTORED);
	assert_int_equal(ev.gla, MSR_LSTAR);
	assert_int_equal(ev.gpa, 0xffffffffc0003000ULL);
}

static void test_relaunch_unlocked_nothing(void **state)
{
	struct watch_event ev;

	(void)state;
	fake_cpu_set_msr(MSR_LSTAR, 0x1234);
	lock_relaunch(v);
	assert_int_equal(cpu_rdmsr(MSR_LSTAR), 0x1234);
	assert_int_equal(fake_vmcs_get(CR0_GUEST_HOST_MASK), X86_CR0_PE | X86_CR0_PG | X86_CR0_NE);
	assert_false(v->lock_on);
	assert_false(watch_take(v->events, &ev));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_capture_pins_what_is_set),
		cmocka_unit_test(test_cr_decisions),
		cmocka_unit_test(test_msr_decisions),
		cmocka_unit_test(test_dt_decisions),
		cmocka_unit_test(test_split),
		cmocka_unit_test_setup_teardown(test_lock_hypercall, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock_hypercall_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock_hypercall_only_from_module_text, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_cr0_wp_clear_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cr4_smep_clear_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrmsr_before_lock_done, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrmsr_locked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_devirt_locked_only_offline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_devirt_unlocked_any, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relaunch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relaunch_unlocked_nothing, setup, teardown),
	};

	return cmocka_run_group_tests_name("lock", tests, NULL, NULL);
}
