// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for core/lock_dt.c: descriptor-table exiting on a locked CPU (issue 14).
 * The decoding of the instruction-information field, each emulated instruction
 * (SGDT, SIDT, LGDT, LIDT, SLDT, STR, LLDT, LTR), the lock's refusal with its event,
 * and what root must not do for the guest: touch a hidden or protected page, go past
 * a not-present or read-only page, or let CPL 3 load a table.  On the fake CPU, with
 * a real EPT (hidden pages and all) and guest page tables in a RAM arena.
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
#include "mtrr.h"
#include "os.h"
#include "private.h"
#include "seal.h"
#include "vmx.h"
#include "arch/x86.h"
#include "fake_cpu.h"
#include "fake_os.h"
#include "fake_world.h"
#include <cpu_ops.h>


#define GP_INFO (INTR_INFO_VALID | INTR_INFO_DELIVER_CODE | \
		 (INTR_TYPE_HARD_EXCEPTION << INTR_INFO_TYPE_SHIFT) | X86_VEC_GP)
#define PF_INFO (INTR_INFO_VALID | INTR_INFO_DELIVER_CODE | \
		 (INTR_TYPE_HARD_EXCEPTION << INTR_INFO_TYPE_SHIFT) | X86_VEC_PF)
#define NP_INFO (INTR_INFO_VALID | INTR_INFO_DELIVER_CODE | \
		 (INTR_TYPE_HARD_EXCEPTION << INTR_INFO_TYPE_SHIFT) | 11)

/* The guest's pages: GVA + i * 4 KiB maps page i (flags per page below). */
#define GVA		0xffff888000200000ULL
enum { P_A, P_B, P_RO, P_USER, P_GDT, P_GDT_RO, P_PROT, P_CODE, P_HIDDEN, P_NP, NPAGES };
#define GV(i)		(GVA + (u64)(i) * PAGE_SIZE)

#define IDT_BASE	0xfffffe0000000000ULL
#define GDT_ALT		0xfffffe0000001000ULL	/* the "fixmap alias" the glue passes */
#define LEN		4

static struct vmx_caps caps;
static struct vcpu *v;
static struct guest_regs regs;
static u64 *pt[4], pt_pa[4];
static u8 *pg[NPAGES];
static u64 pg_pa[NPAGES];

static void *page(u64 *pa)
{
	void *p = os_alloc_pages(0, pa);

	assert_non_null(p);
	memset(p, 0, PAGE_SIZE);
	return p;
}

/* A 16-byte system descriptor (SDM Vol. 3A, 8.2.3, 7.2.3) at GDT index @idx. */
static void set_sysdesc(u8 *gdt, unsigned int idx, u64 base, u32 limit, unsigned int type,
			bool present)
{
	u64 lo = (limit & 0xffff) | ((base & 0xffffff) << 16) | ((u64)type << 40) |
		 ((u64)present << 47) | ((u64)((limit >> 16) & 0xf) << 48) |
		 (((base >> 24) & 0xff) << 56);
	u64 hi = base >> 32;

	memcpy(gdt + idx * 8, &lo, 8);
	memcpy(gdt + idx * 8 + 8, &hi, 8);
}

static void map_pages(void)
{
	unsigned int i;
	u64 fl;

	for (i = 0; i < 4; i++)
		pt[i] = page(&pt_pa[i]);
	pt[0][(GVA >> 39) & 511] = pt_pa[1] | 7;
	pt[1][(GVA >> 30) & 511] = pt_pa[2] | 7;
	pt[2][(GVA >> 21) & 511] = pt_pa[3] | 7;
	for (i = 0; i < NPAGES; i++) {
		if (i == P_NP)
			continue;		/* not present */
		fl = PTE_PRESENT | PTE_RW;
		if (i == P_RO || i == P_GDT_RO)
			fl = PTE_PRESENT;
		if (i == P_USER)
			fl |= PTE_USER;
		pt[3][((GVA >> 12) & 511) + i] = (i == P_HIDDEN ? v->vmcs_pa : pg_pa[i]) | fl;
	}
}

static int setup(void **state)
{
	unsigned int i;

	(void)state;
	fake_world_ept(&caps);
	v = vmx_vcpu_new();
	assert_non_null(v);
	assert_int_equal(vmx_vcpu_alloc(v, 0, &caps, 0), 0);
	assert_int_equal(vmx_hide_private(&v, 1), 0);
	for (i = 0; i < NPAGES; i++)
		pg[i] = page(&pg_pa[i]);
	map_pages();
	/* a protected page: read-only in the EPT */
	assert_int_equal(ept_set_perm(&v->ept, pg_pa[P_PROT], PAGE_SIZE, EPT_READ | EPT_EXEC), 0);
	/* the GDT: TSS (available, type 9) at 8, LDT (type 2) at 10, one not present at 12 */
	set_sysdesc(pg[P_GDT], 8, 0xfffffe0000003000ULL, 0x4087, 9, true);
	set_sysdesc(pg[P_GDT], 10, 0xffffc90000010000ULL, 0xffff, 2, true);
	set_sysdesc(pg[P_GDT], 12, 0xffffc90000020000ULL, 0xffff, 2, false);
	memcpy(pg[P_GDT_RO], pg[P_GDT], PAGE_SIZE);

	memset(&regs, 0, sizeof(regs));
	v->procbased = CPU_BASED_ACTIVATE_SECONDARY_CONTROLS;
	fake_cpu.current_vmcs = 0x1000;
	fake_vmcs_set(SECONDARY_VM_EXEC_CONTROL, SECONDARY_EXEC_ENABLE_EPT);
	fake_vmcs_set(GUEST_RIP, 0xffffffff81000000ULL);
	fake_vmcs_set(GUEST_RFLAGS, 0x202);
	fake_vmcs_set(GUEST_INTERRUPTIBILITY_INFO, 0);
	fake_vmcs_set(GUEST_CR0, X86_CR0_PE | X86_CR0_WP | X86_CR0_PG | X86_CR0_NE);
	fake_vmcs_set(CR0_READ_SHADOW, X86_CR0_PE | X86_CR0_WP | X86_CR0_PG | X86_CR0_NE);
	fake_vmcs_set(CR0_GUEST_HOST_MASK, X86_CR0_PE | X86_CR0_PG | X86_CR0_NE);
	fake_vmcs_set(GUEST_CR3, pt_pa[0]);
	fake_vmcs_set(GUEST_CR4, X86_CR4_PAE | X86_CR4_VMXE);
	fake_vmcs_set(CR4_READ_SHADOW, X86_CR4_PAE);
	fake_vmcs_set(CR4_GUEST_HOST_MASK, X86_CR4_VMXE);
	fake_vmcs_set(GUEST_IA32_EFER, EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE);
	fake_vmcs_set(GUEST_CS_AR_BYTES, 0xa09b);	/* 64-bit code */
	fake_vmcs_set(GUEST_SS_AR_BYTES, 0xc093);	/* DPL 0 */
	fake_vmcs_set(GUEST_GDTR_BASE, GV(P_GDT));
	fake_vmcs_set(GUEST_GDTR_LIMIT, 0x7f);
	fake_vmcs_set(GUEST_IDTR_BASE, IDT_BASE);
	fake_vmcs_set(GUEST_IDTR_LIMIT, 0xfff);
	fake_vmcs_set(GUEST_TR_SELECTOR, 0x40);
	fake_vmcs_set(GUEST_LDTR_SELECTOR, 0);
	fake_vmcs_set(GUEST_LDTR_AR_BYTES, 0x10000);
	fake_vmcs_set(GUEST_FS_BASE, 0);
	fake_vmcs_set(GUEST_GS_BASE, GV(P_A) + 0x800);
	fake_cpu.cr2 = 0;
	return 0;
}

static int teardown(void **state)
{
	unsigned int i;

	(void)state;
	vmx_vcpu_free(v);
	vmx_vcpu_delete(v);
	for (i = 0; i < 4; i++)
		os_free_pages(pt[i], 0);
	for (i = 0; i < NPAGES; i++)
		os_free_pages(pg[i], 0);
	assert_int_equal(os_alloc_count(), 0);
	fake_os_page_arena(NULL, 0);
	return 0;
}

static void lock(void)
{
	struct watch_event ev;

	lock_engage(v, GDT_ALT);
	assert_true(v->lock.on);
	assert_true(watch_take(v->events, &ev));	/* LOCK_EV_LOCKED */
	assert_int_equal(ev.access, LOCK_EV_LOCKED);
}

/* Instruction information (Tables 28-10, 28-11); @base/@index -1: invalid. */
static u32 info_mem(unsigned int id, unsigned int seg, int base, int index, unsigned int scale,
		    unsigned int asize)
{
	return (id << 28) | (seg << 15) | (asize << 7) | scale |
	       (base < 0 ? BIT(27) : (u32)base << 23) | (index < 0 ? BIT(22) : (u32)index << 18);
}

static u32 info_reg(unsigned int id, unsigned int reg)
{
	return (id << 28) | BIT(10) | (reg << 3);
}

#define SEG_DS	3
#define SEG_GS	5
#define A64	2

static u32 injected(void)
{
	return (u32)fake_vmcs_get(VM_ENTRY_INTR_INFO_FIELD);
}

static u32 error_code(void)
{
	return (u32)fake_vmcs_get(VM_ENTRY_EXCEPTION_ERROR_CODE);
}

static void dt_exit(u32 reason, u32 info, u64 qual)
{
	fake_vmcs_set(VM_EXIT_REASON, reason);
	fake_vmcs_set(VMX_INSTRUCTION_INFO, info);
	fake_vmcs_set(EXIT_QUALIFICATION, qual);
	fake_vmcs_set(VM_EXIT_INSTRUCTION_LEN, LEN);
	fake_vmcs_set(VM_ENTRY_INTR_INFO_FIELD, 0);
	fake_vmcs_set(VM_ENTRY_EXCEPTION_ERROR_CODE, 0);
	fake_vmcs_set(IDT_VECTORING_INFO_FIELD, 0);
	assert_int_equal(vmx_exit_handler(&regs, v), 0);
}

/* The instruction was completed: RIP past it, no event. */
static void assert_done(u64 rip0)
{
	assert_int_equal(injected(), 0);
	assert_int_equal(fake_vmcs_get(GUEST_RIP), rip0 + LEN);
}

/* Refused: the exception, RIP still at the instruction. */
static void assert_fault(u32 info, u32 code, u64 rip0)
{
	assert_int_equal(injected(), info);
	assert_int_equal(error_code(), code);
	assert_int_equal(fake_vmcs_get(GUEST_RIP), rip0);
}

/* ---- decoding ---- */

static void test_decode(void **state)
{
	struct dt_insn d;

	(void)state;
	/* SGDT [rax + rbx*8 + 0x10], 64-bit addresses, DS */
	exit_decode_dt(EXIT_REASON_GDTR_IDTR, info_mem(0, SEG_DS, REG_RAX, REG_RBX, 3, A64), 0x10, &d);
	assert_int_equal(d.op, DT_SGDT);
	assert_int_equal(d.addr_size, DT_ADDR64);
	assert_int_equal(d.seg, SEG_DS);
	assert_true(d.base_valid && d.index_valid);
	assert_int_equal(d.base, REG_RAX);
	assert_int_equal(d.index, REG_RBX);
	assert_int_equal(d.scale, 3);
	assert_int_equal(d.disp, 0x10);
	assert_false(d.reg_form);
	/* LIDT gs:[disp] with neither base nor index, 32-bit operand size */
	exit_decode_dt(EXIT_REASON_GDTR_IDTR, info_mem(3, SEG_GS, -1, -1, 0, 1) | BIT(11),
		       0xfffffffffffffff0ULL, &d);
	assert_int_equal(d.op, DT_LIDT);
	assert_false(d.base_valid || d.index_valid);
	assert_true(d.op32);
	assert_int_equal(d.addr_size, DT_ADDR32);
	assert_int_equal(d.disp, 0xfffffffffffffff0ULL);
	/* LGDT [r13 + r9*2] (the high register numbers) */
	exit_decode_dt(EXIT_REASON_GDTR_IDTR, info_mem(2, SEG_DS, REG_R13, REG_R9, 1, A64), 0, &d);
	assert_int_equal(d.op, DT_LGDT);
	assert_int_equal(d.base, REG_R13);
	assert_int_equal(d.index, REG_R9);
	/* LLDT si: the register form */
	exit_decode_dt(EXIT_REASON_LDTR_TR, info_reg(2, REG_RSI), 0, &d);
	assert_int_equal(d.op, DT_LLDT);
	assert_true(d.reg_form);
	assert_int_equal(d.reg1, REG_RSI);
	/* STR [rsp + 8], LTR r15 */
	exit_decode_dt(EXIT_REASON_LDTR_TR, info_mem(1, 2, REG_RSP, -1, 0, A64), 8, &d);
	assert_int_equal(d.op, DT_STR);
	assert_false(d.reg_form);
	assert_int_equal(d.base, REG_RSP);
	exit_decode_dt(EXIT_REASON_LDTR_TR, info_reg(3, REG_R15), 0, &d);
	assert_int_equal(d.op, DT_LTR);
	assert_int_equal(d.reg1, REG_R15);
	/* bit 11 is no operand size for exit 47 */
	exit_decode_dt(EXIT_REASON_LDTR_TR, info_mem(0, SEG_DS, -1, -1, 0, A64) | BIT(11), 0, &d);
	assert_int_equal(d.op, DT_SLDT);
	assert_false(d.op32);
}

/* ---- the control ---- */

static void test_exiting_only_when_locked(void **state)
{
	(void)state;
	assert_false(fake_vmcs_get(SECONDARY_VM_EXEC_CONTROL) & SECONDARY_EXEC_DESC);
	lock();
	assert_true(fake_vmcs_get(SECONDARY_VM_EXEC_CONTROL) & SECONDARY_EXEC_DESC);
	assert_true(fake_vmcs_get(SECONDARY_VM_EXEC_CONTROL) & SECONDARY_EXEC_ENABLE_EPT);
	assert_true(v->lock_dt);
	assert_int_equal(v->lock.gdtr_alt, GDT_ALT);
	/* a relaunch (fresh VMCS, controls without it) switches it on again */
	fake_vmcs_set(SECONDARY_VM_EXEC_CONTROL, SECONDARY_EXEC_ENABLE_EPT);
	lock_relaunch(v);
	assert_true(fake_vmcs_get(SECONDARY_VM_EXEC_CONTROL) & SECONDARY_EXEC_DESC);
}

static void test_no_exiting_where_not_allowed(void **state)
{
	(void)state;
	/* the CPU's allowed-1 bit clear: the lock is taken, descriptor tables are not held */
	v->caps_copy.procbased2 &= ~((u64)SECONDARY_EXEC_DESC << 32);
	v->caps = &v->caps_copy;
	lock();
	assert_false(fake_vmcs_get(SECONDARY_VM_EXEC_CONTROL) & SECONDARY_EXEC_DESC);
	assert_false(v->lock_dt);
	assert_true(v->lock_on);
}

static void test_unlocked_relaunch_unchanged(void **state)
{
	(void)state;
	lock_relaunch(v);
	assert_false(fake_vmcs_get(SECONDARY_VM_EXEC_CONTROL) & SECONDARY_EXEC_DESC);
	assert_false(v->lock_dt);
}

/* ---- each instruction ---- */

static void test_sgdt_sidt(void **state)
{
	u64 rip = 0xffffffff81000000ULL, base;
	u16 limit;

	(void)state;
	lock();
	/* SGDT [rax + rbx*8 + 0x10] */
	regs.gpr[REG_RAX] = GV(P_A);
	regs.gpr[REG_RBX] = 2;
	fake_vmcs_set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_STI);
	dt_exit(EXIT_REASON_GDTR_IDTR, info_mem(0, SEG_DS, REG_RAX, REG_RBX, 3, A64), 0x10);
	assert_done(rip);
	assert_int_equal(fake_vmcs_get(GUEST_INTERRUPTIBILITY_INFO), 0);	/* shadow ends */
	memcpy(&limit, pg[P_A] + 0x20, 2);
	memcpy(&base, pg[P_A] + 0x22, 8);
	assert_int_equal(limit, 0x7f);
	assert_int_equal(base, GV(P_GDT));
	/* SIDT gs:[-0x10] (GS base: page A + 0x800), through RSP as a base register */
	fake_vmcs_set(GUEST_RSP, 0x100);
	dt_exit(EXIT_REASON_GDTR_IDTR, info_mem(1, SEG_GS, REG_RSP, -1, 0, A64), (u64)-0x10);
	assert_done(rip + LEN);
	memcpy(&limit, pg[P_A] + 0x8f0, 2);
	memcpy(&base, pg[P_A] + 0x8f2, 8);
	assert_int_equal(limit, 0xfff);
	assert_int_equal(base, IDT_BASE);
	/* RIP-relative: the qualification is the address itself */
	dt_exit(EXIT_REASON_GDTR_IDTR, info_mem(1, SEG_DS, -1, -1, 0, A64), GV(P_B) + 0x40);
	memcpy(&base, pg[P_B] + 0x42, 8);
	assert_int_equal(base, IDT_BASE);
	/* 32-bit address size: the offset wraps at 4 GiB (here into no mapping: #PF) */
	regs.gpr[REG_RAX] = 0xffffffff00001000ULL;
	dt_exit(EXIT_REASON_GDTR_IDTR, info_mem(0, SEG_DS, REG_RAX, -1, 0, 1), 0);
	assert_fault(PF_INFO, 2, rip + 3 * LEN);
	assert_int_equal(fake_cpu.cr2, 0x1000);
}

static void test_lgdt_lidt(void **state)
{
	u64 rip = 0xffffffff81000000ULL, base;
	struct watch_event ev;
	u16 limit = 0x7f;

	(void)state;
	lock();
	regs.gpr[REG_RDI] = GV(P_A);
	memcpy(pg[P_A], &limit, 2);
	/* the alternative GDT (Linux's other one): loaded */
	base = GDT_ALT;
	memcpy(pg[P_A] + 2, &base, 8);
	dt_exit(EXIT_REASON_GDTR_IDTR, info_mem(2, SEG_DS, REG_RDI, -1, 0, A64), 0);
	assert_done(rip);
	assert_int_equal(fake_vmcs_get(GUEST_GDTR_BASE), GDT_ALT);
	/* and back to the one loaded at lock */
	base = GV(P_GDT);
	memcpy(pg[P_A] + 2, &base, 8);
	dt_exit(EXIT_REASON_GDTR_IDTR, info_mem(2, SEG_DS, REG_RDI, -1, 0, A64), 0);
	assert_done(rip + LEN);
	assert_int_equal(fake_vmcs_get(GUEST_GDTR_BASE), GV(P_GDT));
	/* any other base: #GP, nothing changes, an event */
	fake_vmcs_set(GUEST_RIP, 0xffffffffc0001000ULL);
	base = GV(P_B);
	memcpy(pg[P_A] + 2, &base, 8);
	dt_exit(EXIT_REASON_GDTR_IDTR, info_mem(2, SEG_DS, REG_RDI, -1, 0, A64), 0);
	assert_fault(GP_INFO, 0, 0xffffffffc0001000ULL);
	assert_int_equal(fake_vmcs_get(GUEST_GDTR_BASE), GV(P_GDT));
	assert_int_equal(v->lock_dt_refused, 1);
	assert_true(watch_take(v->events, &ev));
	assert_int_equal(ev.kind, WATCH_KIND_LOCK);
	assert_int_equal(ev.access, LOCK_EV_GDTR);
	assert_int_equal(ev.gpa, GV(P_B));
	assert_int_equal(ev.rip, 0xffffffffc0001000ULL);
	assert_int_equal(ev.flags, WATCH_EV_REFUSED);
	/* LIDT: a copy elsewhere is refused; the same base with another limit is not */
	dt_exit(EXIT_REASON_GDTR_IDTR, info_mem(3, SEG_DS, REG_RDI, -1, 0, A64), 0);
	assert_fault(GP_INFO, 0, 0xffffffffc0001000ULL);
	assert_int_equal(fake_vmcs_get(GUEST_IDTR_BASE), IDT_BASE);
	assert_true(watch_take(v->events, &ev));
	assert_int_equal(ev.access, LOCK_EV_IDTR);
	assert_int_equal(v->lock_dt_refused, 2);
	base = IDT_BASE;
	limit = 0xff;
	memcpy(pg[P_A], &limit, 2);
	memcpy(pg[P_A] + 2, &base, 8);
	dt_exit(EXIT_REASON_GDTR_IDTR, info_mem(3, SEG_DS, REG_RDI, -1, 0, A64), 0);
	assert_done(0xffffffffc0001000ULL);
	assert_int_equal(fake_vmcs_get(GUEST_IDTR_LIMIT), 0xff);
	/* a non-canonical base: #GP as the CPU gives it, not a lock event */
	fake_vmcs_set(GUEST_RIP, rip);
	base = 0x0000800000000000ULL;
	memcpy(pg[P_A] + 2, &base, 8);
	dt_exit(EXIT_REASON_GDTR_IDTR, info_mem(3, SEG_DS, REG_RDI, -1, 0, A64), 0);
	assert_fault(GP_INFO, 0, rip);
	assert_int_equal(v->lock_dt_refused, 2);
	assert_false(watch_take(v->events, &ev));
}

static void test_sldt_str(void **state)
{
	u64 rip = GV(P_CODE);
	u16 sel;

	(void)state;
	lock();
	fake_vmcs_set(GUEST_RIP, rip);
	fake_vmcs_set(GUEST_LDTR_SELECTOR, 0x50);
	/* STR [rcx]: two bytes, no more */
	regs.gpr[REG_RCX] = GV(P_A) + 0x100;
	memset(pg[P_A] + 0x100, 0xee, 4);
	dt_exit(EXIT_REASON_LDTR_TR, info_mem(1, SEG_DS, REG_RCX, -1, 0, A64), 0);
	assert_done(rip);
	memcpy(&sel, pg[P_A] + 0x100, 2);
	assert_int_equal(sel, 0x40);
	assert_int_equal(pg[P_A][0x102], 0xee);
	/* SLDT rsi (0f 00 c6): 32/64-bit operand size, the rest of RSI cleared */
	fake_vmcs_set(GUEST_RIP, rip);
	memcpy(pg[P_CODE], "\x48\x0f\x00\xc6", 4);
	regs.gpr[REG_RSI] = 0x1234567812345678ULL;
	dt_exit(EXIT_REASON_LDTR_TR, info_reg(0, REG_RSI), 0);
	assert_done(rip);
	assert_int_equal(regs.gpr[REG_RSI], 0x50);
	/* SLDT si (66 0f 00 c6): bits 63:16 kept */
	fake_vmcs_set(GUEST_RIP, rip);
	memcpy(pg[P_CODE], "\x66\x0f\x00\xc6", 4);
	regs.gpr[REG_RSI] = 0x1234567812345678ULL;
	dt_exit(EXIT_REASON_LDTR_TR, info_reg(0, REG_RSI), 0);
	assert_int_equal(regs.gpr[REG_RSI], 0x1234567812340050ULL);
	/* 66 48 0f 00 c6: REX.W wins over the prefix */
	fake_vmcs_set(GUEST_RIP, rip);
	fake_vmcs_set(VM_EXIT_INSTRUCTION_LEN, 5);
	memcpy(pg[P_CODE], "\x66\x48\x0f\x00\xc6", 5);
	regs.gpr[REG_RSI] = 0x1234567812345678ULL;
	fake_vmcs_set(VM_EXIT_REASON, EXIT_REASON_LDTR_TR);
	fake_vmcs_set(VMX_INSTRUCTION_INFO, info_reg(0, REG_RSI));
	fake_vmcs_set(VM_ENTRY_INTR_INFO_FIELD, 0);
	assert_int_equal(vmx_exit_handler(&regs, v), 0);
	assert_int_equal(regs.gpr[REG_RSI], 0x50);
	assert_int_equal(fake_vmcs_get(GUEST_RIP), rip + 5);
	/* STR rsp: the guest's RSP is in the VMCS */
	fake_vmcs_set(GUEST_RIP, rip);
	memcpy(pg[P_CODE], "\x0f\x00\xcc\x90", 4);
	fake_vmcs_set(GUEST_RSP, 0xffffc90000001238ULL);
	dt_exit(EXIT_REASON_LDTR_TR, info_reg(1, REG_RSP), 0);
	assert_int_equal(fake_vmcs_get(GUEST_RSP), 0x40);
}

static void test_lldt(void **state)
{
	u64 rip = 0xffffffff81000000ULL;

	(void)state;
	lock();
	regs.gpr[REG_RAX] = 0x50;
	dt_exit(EXIT_REASON_LDTR_TR, info_reg(2, REG_RAX), 0);
	assert_done(rip);
	assert_int_equal(fake_vmcs_get(GUEST_LDTR_SELECTOR), 0x50);
	assert_int_equal(fake_vmcs_get(GUEST_LDTR_BASE), 0xffffc90000010000ULL);
	assert_int_equal(fake_vmcs_get(GUEST_LDTR_LIMIT), 0xffff);
	assert_int_equal(fake_vmcs_get(GUEST_LDTR_AR_BYTES), 0x82);	/* P, type 2 */
	/* from memory, a null selector: LDTR unusable */
	regs.gpr[REG_RBX] = GV(P_A);
	memset(pg[P_A], 0, 2);
	dt_exit(EXIT_REASON_LDTR_TR, info_mem(2, SEG_DS, REG_RBX, -1, 0, A64), 0);
	assert_done(rip + LEN);
	assert_int_equal(fake_vmcs_get(GUEST_LDTR_AR_BYTES), 0x10000);
	/* the TSS is no LDT; TI set; past the GDT's limit: #GP(selector) */
	regs.gpr[REG_RAX] = 0x40;
	dt_exit(EXIT_REASON_LDTR_TR, info_reg(2, REG_RAX), 0);
	assert_fault(GP_INFO, 0x40, rip + 2 * LEN);
	regs.gpr[REG_RAX] = 0x54;
	dt_exit(EXIT_REASON_LDTR_TR, info_reg(2, REG_RAX), 0);
	assert_fault(GP_INFO, 0x54, rip + 2 * LEN);
	regs.gpr[REG_RAX] = 0x78;
	dt_exit(EXIT_REASON_LDTR_TR, info_reg(2, REG_RAX), 0);
	assert_fault(GP_INFO, 0x78, rip + 2 * LEN);
	/* not present: #NP(selector) */
	regs.gpr[REG_RAX] = 0x60;
	dt_exit(EXIT_REASON_LDTR_TR, info_reg(2, REG_RAX), 0);
	assert_fault(NP_INFO, 0x60, rip + 2 * LEN);
	assert_int_equal(fake_vmcs_get(GUEST_LDTR_AR_BYTES), 0x10000);
}

static void test_ltr(void **state)
{
	u64 rip = 0xffffffff81000000ULL;

	(void)state;
	lock();
	/* through the read-only alias (Linux's fixmap GDT): the busy bit cannot be set */
	fake_vmcs_set(GUEST_GDTR_BASE, GV(P_GDT_RO));
	regs.gpr[REG_RAX] = 0x40;
	dt_exit(EXIT_REASON_LDTR_TR, info_reg(3, REG_RAX), 0);
	assert_fault(PF_INFO, 3, rip);			/* present, write */
	assert_int_equal(fake_cpu.cr2, GV(P_GDT_RO) + 0x45);
	assert_int_equal(pg[P_GDT_RO][0x45], 0x89);	/* still available */
	/* through the writable GDT (load_direct_gdt() first, as force_reload_TR() does) */
	fake_vmcs_set(GUEST_GDTR_BASE, GV(P_GDT));
	dt_exit(EXIT_REASON_LDTR_TR, info_reg(3, REG_RAX), 0);
	assert_done(rip);
	assert_int_equal(pg[P_GDT][0x45], 0x8b);	/* busy now */
	assert_int_equal(fake_vmcs_get(GUEST_TR_SELECTOR), 0x40);
	assert_int_equal(fake_vmcs_get(GUEST_TR_BASE), 0xfffffe0000003000ULL);
	assert_int_equal(fake_vmcs_get(GUEST_TR_LIMIT), 0x4087);
	assert_int_equal(fake_vmcs_get(GUEST_TR_AR_BYTES), 0x8b);
	/* a busy TSS cannot be loaded again; nor a null selector, nor an LDT */
	dt_exit(EXIT_REASON_LDTR_TR, info_reg(3, REG_RAX), 0);
	assert_fault(GP_INFO, 0x40, rip + LEN);
	regs.gpr[REG_RAX] = 0;
	dt_exit(EXIT_REASON_LDTR_TR, info_reg(3, REG_RAX), 0);
	assert_fault(GP_INFO, 0, rip + LEN);
	regs.gpr[REG_RAX] = 0x50;
	dt_exit(EXIT_REASON_LDTR_TR, info_reg(3, REG_RAX), 0);
	assert_fault(GP_INFO, 0x50, rip + LEN);
}

/* ---- what must be refused ---- */

static void test_cpl3(void **state)
{
	u64 rip = 0xffffffff81000000ULL, base;
	u16 sel;

	(void)state;
	lock();
	fake_vmcs_set(GUEST_SS_AR_BYTES, 0xc0f3);	/* DPL 3 */
	regs.gpr[REG_RAX] = GV(P_USER);
	memcpy(pg[P_USER] + 2, &(u64){ IDT_BASE }, 8);
	/* loads: #GP(0), even with an allowed base */
	dt_exit(EXIT_REASON_GDTR_IDTR, info_mem(3, SEG_DS, REG_RAX, -1, 0, A64), 0);
	assert_fault(GP_INFO, 0, rip);
	dt_exit(EXIT_REASON_LDTR_TR, info_reg(2, REG_RAX), 0);
	assert_fault(GP_INFO, 0, rip);
	dt_exit(EXIT_REASON_LDTR_TR, info_reg(3, REG_RAX), 0);
	assert_fault(GP_INFO, 0, rip);
	assert_int_equal(v->lock_dt_refused, 0);	/* not the lock's refusals */
	/* stores without UMIP: to a user page, done (what the CPU would do) */
	dt_exit(EXIT_REASON_GDTR_IDTR, info_mem(0, SEG_DS, REG_RAX, -1, 0, A64), 0x10);
	assert_done(rip);
	memcpy(&base, pg[P_USER] + 0x12, 8);
	assert_int_equal(base, GV(P_GDT));
	dt_exit(EXIT_REASON_LDTR_TR, info_mem(1, SEG_DS, REG_RAX, -1, 0, A64), 0x20);
	memcpy(&sel, pg[P_USER] + 0x20, 2);
	assert_int_equal(sel, 0x40);
	/* to a supervisor page: #PF, present | write | user */
	fake_vmcs_set(GUEST_RIP, rip);
	regs.gpr[REG_RAX] = GV(P_A);
	dt_exit(EXIT_REASON_GDTR_IDTR, info_mem(0, SEG_DS, REG_RAX, -1, 0, A64), 0);
	assert_fault(PF_INFO, 7, rip);
	assert_int_equal(fake_cpu.cr2, GV(P_A));
	/* with UMIP: #GP(0) */
	fake_vmcs_set(GUEST_CR4, X86_CR4_PAE | X86_CR4_VMXE | X86_CR4_UMIP);
	regs.gpr[REG_RAX] = GV(P_USER);
	dt_exit(EXIT_REASON_GDTR_IDTR, info_mem(1, SEG_DS, REG_RAX, -1, 0, A64), 0);
	assert_fault(GP_INFO, 0, rip);
}

static void test_page_faults(void **state)
{
	u64 rip = 0xffffffff81000000ULL;

	(void)state;
	lock();
	/* not present: #PF, write, CR2 */
	regs.gpr[REG_RAX] = GV(P_NP) + 0x10;
	dt_exit(EXIT_REASON_GDTR_IDTR, info_mem(0, SEG_DS, REG_RAX, -1, 0, A64), 0);
	assert_fault(PF_INFO, 2, rip);
	assert_int_equal(fake_cpu.cr2, GV(P_NP) + 0x10);
	/* a read (LIDT): not present, read */
	dt_exit(EXIT_REASON_GDTR_IDTR, info_mem(3, SEG_DS, REG_RAX, -1, 0, A64), 0);
	assert_fault(PF_INFO, 0, rip);
	/* read-only with CR0.WP: present | write */
	regs.gpr[REG_RAX] = GV(P_RO);
	dt_exit(EXIT_REASON_GDTR_IDTR, info_mem(1, SEG_DS, REG_RAX, -1, 0, A64), 0);
	assert_fault(PF_INFO, 3, rip);
	/* SMAP: a supervisor store to a user page, AC clear */
	fake_vmcs_set(GUEST_CR4, X86_CR4_PAE | X86_CR4_VMXE | X86_CR4_SMAP);
	regs.gpr[REG_RAX] = GV(P_USER);
	dt_exit(EXIT_REASON_GDTR_IDTR, info_mem(1, SEG_DS, REG_RAX, -1, 0, A64), 0);
	assert_fault(PF_INFO, 3, rip);
	fake_vmcs_set(GUEST_RFLAGS, 0x202 | X86_EFLAGS_AC);		/* stac */
	dt_exit(EXIT_REASON_GDTR_IDTR, info_mem(1, SEG_DS, REG_RAX, -1, 0, A64), 0);
	assert_done(rip);
	/* a non-canonical address: #GP(0); through SS: #SS(0) */
	fake_vmcs_set(GUEST_RIP, rip);
	regs.gpr[REG_RAX] = 0x0000800000000000ULL;
	dt_exit(EXIT_REASON_GDTR_IDTR, info_mem(1, SEG_DS, REG_RAX, -1, 0, A64), 0);
	assert_fault(GP_INFO, 0, rip);
	dt_exit(EXIT_REASON_GDTR_IDTR, info_mem(1, 2, REG_RAX, -1, 0, A64), 0);
	assert_fault(INTR_INFO_VALID | INTR_INFO_DELIVER_CODE |
		     (INTR_TYPE_HARD_EXCEPTION << INTR_INFO_TYPE_SHIFT) | 12, 0, rip);
}

/*
 * Root must not read or write for the guest what the guest's EPT keeps from it: a
 * hidden page of the hypervisor's (here its VMCS, which the guest's page tables point
 * at), a protected page, or page tables in a hidden page.
 */
static void test_hidden_and_protected_refused(void **state)
{
	u64 rip = 0xffffffff81000000ULL, before[2], base = IDT_BASE;
	u8 *vmcs = v->vmcs;
	u16 limit = 0xfff;

	(void)state;
	lock();
	memcpy(before, vmcs, 16);
	regs.gpr[REG_RAX] = GV(P_HIDDEN);
	dt_exit(EXIT_REASON_GDTR_IDTR, info_mem(0, SEG_DS, REG_RAX, -1, 0, A64), 0);
	assert_fault(GP_INFO, 0, rip);
	assert_memory_equal(vmcs, before, 16);
	/* no read of it either (LIDT would load what is there) */
	memcpy(vmcs, &limit, 2);
	memcpy(vmcs + 2, &base, 8);
	dt_exit(EXIT_REASON_GDTR_IDTR, info_mem(3, SEG_DS, REG_RAX, -1, 0, A64), 0);
	assert_fault(GP_INFO, 0, rip);
	assert_int_equal(fake_vmcs_get(GUEST_IDTR_LIMIT), 0xfff);
	memcpy(vmcs, before, 16);
	/* a protected page (read-only in the EPT): no store; a load from it is a read */
	regs.gpr[REG_RAX] = GV(P_PROT);
	memset(pg[P_PROT], 0x5a, 16);
	dt_exit(EXIT_REASON_GDTR_IDTR, info_mem(1, SEG_DS, REG_RAX, -1, 0, A64), 0);
	assert_fault(GP_INFO, 0, rip);
	assert_int_equal(pg[P_PROT][0], 0x5a);
	assert_int_equal(pg[P_PROT][9], 0x5a);
	dt_exit(EXIT_REASON_LDTR_TR, info_mem(1, SEG_DS, REG_RAX, -1, 0, A64), 0);
	assert_fault(GP_INFO, 0, rip);
	memcpy(pg[P_PROT], &limit, 2);
	memcpy(pg[P_PROT] + 2, &base, 8);
	dt_exit(EXIT_REASON_GDTR_IDTR, info_mem(3, SEG_DS, REG_RAX, -1, 0, A64), 0);
	assert_done(rip);
	/* the guest's page tables in a hidden page: nothing read from it */
	fake_vmcs_set(GUEST_RIP, rip);
	fake_vmcs_set(GUEST_CR3, v->vmcs_pa);
	regs.gpr[REG_RAX] = GV(P_A);
	dt_exit(EXIT_REASON_GDTR_IDTR, info_mem(0, SEG_DS, REG_RAX, -1, 0, A64), 0);
	assert_fault(GP_INFO, 0, rip);
	/* nor from outside RAM */
	fake_vmcs_set(GUEST_CR3, 1ULL << 33);
	dt_exit(EXIT_REASON_GDTR_IDTR, info_mem(0, SEG_DS, REG_RAX, -1, 0, A64), 0);
	assert_fault(GP_INFO, 0, rip);
}

static void test_straddle(void **state)
{
	u64 rip = 0xffffffff81000000ULL, base, gdt = GV(P_GDT);
	u8 buf[10];

	(void)state;
	lock();
	/* SGDT across pages A and B: 6 bytes in A, 4 in B */
	regs.gpr[REG_RAX] = GV(P_A) + PAGE_SIZE - 6;
	dt_exit(EXIT_REASON_GDTR_IDTR, info_mem(0, SEG_DS, REG_RAX, -1, 0, A64), 0);
	assert_done(rip);
	memcpy(buf, pg[P_A] + PAGE_SIZE - 6, 6);
	memcpy(buf + 6, pg[P_B], 4);
	memcpy(&base, buf + 2, 8);
	assert_int_equal(base, gdt);
	/* LGDT across them reads the same back */
	dt_exit(EXIT_REASON_GDTR_IDTR, info_mem(2, SEG_DS, REG_RAX, -1, 0, A64), 0);
	assert_done(rip + LEN);
	/* across into a read-only page: #PF on the second page, nothing written to the first */
	fake_vmcs_set(GUEST_RIP, rip);
	memset(pg[P_B] + PAGE_SIZE - 8, 0x33, 8);
	regs.gpr[REG_RAX] = GV(P_B) + PAGE_SIZE - 4;
	dt_exit(EXIT_REASON_GDTR_IDTR, info_mem(0, SEG_DS, REG_RAX, -1, 0, A64), 0);
	assert_fault(PF_INFO, 3, rip);
	assert_int_equal(fake_cpu.cr2, GV(P_RO));
	assert_int_equal(pg[P_B][PAGE_SIZE - 4], 0x33);
	assert_int_equal(pg[P_B][PAGE_SIZE - 1], 0x33);
	/* across into the hidden page's neighbour chain: page P_CODE -> P_HIDDEN */
	regs.gpr[REG_RAX] = GV(P_CODE) + PAGE_SIZE - 2;
	dt_exit(EXIT_REASON_GDTR_IDTR, info_mem(0, SEG_DS, REG_RAX, -1, 0, A64), 0);
	assert_fault(GP_INFO, 0, rip);
	assert_int_equal(pg[P_CODE][PAGE_SIZE - 2], 0);
}

/* The pure decision, with the second GDT base. */
static void test_dt_allowed_alt(void **state)
{
	struct lock_cpu_state s = { .gdtr_base = 0x1000, .idtr_base = 0x2000, .gdtr_alt = 0x3000 };
	struct lock_state ls = { 0 };

	(void)state;
	lock_capture(&ls, &s);
	assert_true(lock_dt_allowed(&ls, false, 0x1000));
	assert_true(lock_dt_allowed(&ls, false, 0x3000));
	assert_false(lock_dt_allowed(&ls, false, 0x2000));
	assert_false(lock_dt_allowed(&ls, true, 0x3000));	/* not an IDT base */
	assert_true(lock_dt_allowed(&ls, true, 0x2000));
	s.gdtr_alt = 0;						/* none given */
	lock_capture(&ls, &s);
	assert_false(lock_dt_allowed(&ls, false, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_dt_allowed_alt),
		cmocka_unit_test_setup_teardown(test_exiting_only_when_locked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_exiting_where_not_allowed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unlocked_relaunch_unchanged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sgdt_sidt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lgdt_lidt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sldt_str, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lldt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ltr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cpl3, setup, teardown),
		cmocka_unit_test_setup_teardown(test_page_faults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hidden_and_protected_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_straddle, setup, teardown),
	};

	return cmocka_run_group_tests_name("lock_dt", tests, NULL, NULL);
}
