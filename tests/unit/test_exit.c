// SPDX-License-Identifier: GPL-2.0
/* Unit tests for core/exit.c and exit_decode.c: decoding and exit policy, on the fake
 * CPU's VMCS. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "exit.h"
#include "errors.h"
#include "vmx.h"
#include "seal.h"
#include "arch/x86.h"
#include "fake_cpu.h"
#include "fake_os.h"
#include <cpu_ops.h>

static struct vcpu v;
static struct vmx_caps caps;
static struct guest_regs regs;

static int setup(void **state)
{
	(void)state;
	fake_cpu_load(&fake_haswell);
	vmx_caps_read(&caps);
	memset(&v, 0, sizeof(v));
	memset(&regs, 0, sizeof(regs));
	v.caps = &caps;
	v.vpid = 1;
	/* the module's text, as linux/ captures it at load: the VMCALLs below are in it */
	v.text = (struct seal_text){ .text_start = 0xffffffff81000000ULL,
				     .text_end = 0xffffffff81000800ULL,
				     .ro_end = 0xffffffff81001000ULL, .nr = 1, .pa = { 0x1000000 } };
	v.vpid_on = true;
	fake_cpu.current_vmcs = 0x1000;
	fake_vmcs_set(GUEST_RIP, 0xffffffff81000000ULL);
	fake_vmcs_set(GUEST_SS_AR_BYTES, 0xc093);	/* DPL 0 */
	return 0;
}

/* Make an exit happen: reason, instruction length, then run the C exit path. */
static int do_exit(u32 reason, u32 len)
{
	fake_vmcs_set(VM_EXIT_REASON, reason);
	fake_vmcs_set(VM_EXIT_INSTRUCTION_LEN, len);
	fake_vmcs_set(VM_ENTRY_INTR_INFO_FIELD, 0);
	return vmx_exit_handler(&regs, &v);
}

static u32 injected(void)
{
	return (u32)fake_vmcs_get(VM_ENTRY_INTR_INFO_FIELD);
}

#define NMI_INFO (X86_VEC_NMI | (INTR_TYPE_NMI << INTR_INFO_TYPE_SHIFT) | INTR_INFO_VALID)

#define MC_INFO (X86_VEC_MC | (INTR_TYPE_HARD_EXCEPTION << INTR_INFO_TYPE_SHIFT) | \
		 INTR_INFO_VALID)

static bool window_exiting(void)
{
	return fake_vmcs_get(CPU_BASED_VM_EXEC_CONTROL) & CPU_BASED_NMI_WINDOW_EXITING;
}

/* An NMI exit is delivered to the guest on the very next entry when it can take it. */
static void test_nmi_exit_reinjected(void **state)
{
	(void)state;
	v.procbased = CPU_BASED_USE_MSR_BITMAPS;
	fake_vmcs_set(VM_EXIT_INTR_INFO, NMI_INFO);
	fake_vmcs_set(GUEST_INTERRUPTIBILITY_INFO, 0);
	assert_int_equal(do_exit(EXIT_REASON_EXCEPTION_NMI, 0), 0);
	assert_int_equal(injected(), NMI_INFO);
	assert_int_equal(v.nmi_pending, 0);
	assert_int_equal(v.nmis_injected, 1);
	assert_false(window_exiting());
	assert_int_equal(fake_vmcs_get(GUEST_RIP), 0xffffffff81000000ULL);	/* not skipped */
	assert_int_equal(fake_cpu.unblock_nmi_calls, 1);	/* later NMIs reach root */
}

/* While the guest blocks NMIs, the NMI waits for an NMI-window exit. */
static void test_nmi_waits_for_window(void **state)
{
	(void)state;
	v.procbased = CPU_BASED_USE_MSR_BITMAPS;
	fake_vmcs_set(CPU_BASED_VM_EXEC_CONTROL, v.procbased);
	fake_vmcs_set(VM_EXIT_INTR_INFO, NMI_INFO);
	fake_vmcs_set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_NMI);
	assert_int_equal(do_exit(EXIT_REASON_EXCEPTION_NMI, 0), 0);
	assert_int_equal(injected(), 0);
	assert_int_equal(v.nmi_pending, 1);
	assert_true(window_exiting());
	/* a second NMI while the first still waits: both are kept */
	assert_int_equal(do_exit(EXIT_REASON_EXCEPTION_NMI, 0), 0);
	assert_int_equal(v.nmi_pending, 2);
	/* the guest IRETs from its handler: window exit, one NMI in, still asking */
	fake_vmcs_set(GUEST_INTERRUPTIBILITY_INFO, 0);
	assert_int_equal(do_exit(EXIT_REASON_NMI_WINDOW, 0), 0);
	assert_int_equal(injected(), NMI_INFO);
	assert_int_equal(v.nmi_pending, 1);
	assert_true(window_exiting());
	assert_int_equal(do_exit(EXIT_REASON_NMI_WINDOW, 0), 0);
	assert_int_equal(injected(), NMI_INFO);
	assert_int_equal(v.nmi_pending, 0);
	assert_false(window_exiting());
	assert_int_equal(v.nmis_injected, 2);
}

/* An NMI does not displace an event being injected: it waits for the window. */
static void test_nmi_behind_injected_event(void **state)
{
	(void)state;
	v.procbased = CPU_BASED_USE_MSR_BITMAPS;
	v.nmi_pending = 1;
	fake_vmcs_set(GUEST_INTERRUPTIBILITY_INFO, 0);
	regs.gpr[REG_RAX] = 0;
	regs.gpr[REG_RCX] = MSR_IA32_VMX_BASIC;		/* RDMSR of a VMX MSR: #GP */
	assert_int_equal(do_exit(EXIT_REASON_MSR_READ, 2), 0);
	assert_int_equal(injected() & INTR_INFO_VECTOR_MASK, X86_VEC_GP);
	assert_int_equal(v.nmi_pending, 1);
	assert_true(window_exiting());
}

/* An NMI that hits VMX root is held and asks for a window; the next entry delivers it. */
static void test_nmi_in_root(void **state)
{
	u64 stack[2] = { 0, (u64)&v };

	(void)state;
	v.procbased = CPU_BASED_USE_MSR_BITMAPS;
	fake_vmcs_set(HOST_RSP, (u64)&stack[0]);
	fake_vmcs_set(CPU_BASED_VM_EXEC_CONTROL, v.procbased);
	vmx_root_nmi();
	assert_int_equal(v.nmi_pending, 1);
	assert_int_equal(v.nmis_in_root, 1);
	assert_true(window_exiting());
	fake_vmcs_set(GUEST_INTERRUPTIBILITY_INFO, 0);
	assert_int_equal(do_exit(EXIT_REASON_NMI_WINDOW, 0), 0);
	assert_int_equal(injected(), NMI_INFO);
	assert_int_equal(v.nmi_pending, 0);
	assert_false(window_exiting());
	/* with no current VMCS there is nothing to find: ignored, no crash */
	fake_cpu.current_vmcs = ~0ULL;
	vmx_root_nmi();
	assert_int_equal(v.nmis_in_root, 1);
}

/* DEVIRT: VMXOFF, the guest's state back in the CPU, RFLAGS and RIP on its stack, and
 * NMIs still held go to the OS. */
/* The test-only spin hypercall exists only with the test hooks on, and is bounded. */
static void test_spin_hypercall_needs_test_hooks(void **state)
{
	(void)state;
	regs.gpr[REG_RAX] = SUBZERO_HC_TEST_SPIN;
	regs.gpr[REG_RCX] = SUBZERO_VMCALL_KEY;
	regs.gpr[REG_RDX] = 10;
	/* the module parameter is copied into the vcpu at allocation: the global (guest
	 * memory) changed afterwards enables nothing */
	vmx_test_hooks = true;
	assert_int_equal(do_exit(EXIT_REASON_VMCALL, 3), 0);
	assert_int_equal(regs.gpr[REG_RAX], (u64)-EINVAL);
	vmx_test_hooks = false;
	v.test_hooks = true;
	regs.gpr[REG_RAX] = SUBZERO_HC_TEST_SPIN;
	regs.gpr[REG_RDX] = SUBZERO_HC_SPIN_MAX + 1;
	assert_int_equal(do_exit(EXIT_REASON_VMCALL, 3), 0);
	assert_int_equal(regs.gpr[REG_RAX], (u64)-EINVAL);
	regs.gpr[REG_RAX] = SUBZERO_HC_TEST_SPIN;
	regs.gpr[REG_RDX] = 10;
	assert_int_equal(do_exit(EXIT_REASON_VMCALL, 3), 0);
	assert_int_equal(regs.gpr[REG_RAX], 0);
	v.test_hooks = false;
}

static void test_devirt_restores_and_flushes_nmis(void **state)
{
	u64 gstack[8] = { 0 };

	(void)state;
	fake_cpu.vmx_on = true;
	fake_cpu.cr4 = X86_CR4_VMXE | X86_CR4_PAE;
	fake_vmcs_set(GUEST_CR4, X86_CR4_VMXE | X86_CR4_PAE);
	fake_vmcs_set(GUEST_CR3, 0x4242000);
	fake_vmcs_set(GUEST_RSP, (u64)&gstack[8]);
	fake_vmcs_set(GUEST_RFLAGS, 0x246);
	v.nmi_pending = 2;
	regs.gpr[REG_RAX] = SUBZERO_HC_DEVIRT;
	regs.gpr[REG_RCX] = SUBZERO_VMCALL_KEY;
	assert_int_equal(do_exit(EXIT_REASON_VMCALL, 3), 1);
	assert_true(v.devirt);
	assert_false(fake_cpu.vmx_on);
	assert_false(fake_cpu.cr4 & X86_CR4_VMXE);
	assert_int_equal(fake_cpu.cr3, 0x4242000);
	assert_int_equal(regs.gpr[REG_RAX], 0);
	assert_int_equal(regs.gpr[REG_RSP], (u64)&gstack[6]);
	assert_int_equal(gstack[6], 0x246);
	assert_int_equal(gstack[7], 0xffffffff81000003ULL);	/* after the VMCALL */
	/* real NMIs through the local APIC (there is no INT 2 helper left to call) */
	assert_int_equal(fake_cpu.self_nmis, 2);
	assert_int_equal(v.nmi_pending, 0);
}

/*
 * DEVIRT puts back the guest's LDTR (a VM exit loaded a null one), and restores GS
 * before GS_BASE, both before the OS's IDT is loaded: an NMI in between must not run
 * the OS's handler with the base a selector load left.
 */
static void test_devirt_restores_ldtr_and_gs_in_order(void **state)
{
	u64 stack[4] = { 0 };

	(void)state;
	fake_cpu.vmx_on = true;
	fake_vmcs_set(GUEST_RSP, (u64)&stack[2]);
	fake_vmcs_set(GUEST_LDTR_SELECTOR, 0x50);
	fake_vmcs_set(GUEST_GS_SELECTOR, 0x2b);
	fake_vmcs_set(GUEST_GS_BASE, 0xffff888000000000ULL);
	fake_vmcs_set(GUEST_IDTR_BASE, 0xfffffe0000000000ULL);
	fake_vmcs_set(GUEST_GDTR_BASE, 0xfffffe0000001000ULL);
	fake_vmcs_set(GUEST_TR_SELECTOR, 0x40);
	fake_vmcs_set(GUEST_TR_BASE, 0xfffffe0000003000ULL);
	fake_vmcs_set(GUEST_TR_LIMIT, 0x207f);
	regs.gpr[REG_RAX] = SUBZERO_HC_DEVIRT;
	regs.gpr[REG_RCX] = SUBZERO_VMCALL_KEY;
	assert_int_equal(do_exit(EXIT_REASON_VMCALL, 3), 1);
	assert_int_equal(fake_cpu.sel[SEG_LDTR], 0x50);
	assert_true(fake_cpu.seq_sel[SEG_LDTR] > fake_cpu.seq_vmxoff);
	/*
	 * The OS's TR (with its own limit) from root's GDT, then the OS's GDT: root's
	 * descriptor for that selector now describes the OS's TSS, available for LTR.
	 */
	assert_int_equal(fake_cpu.sel[SEG_TR], 0x40);
	assert_true(fake_cpu.seq_sel[SEG_TR] < fake_cpu.seq_lgdt);
	assert_true(fake_cpu.seq_sel[SEG_LDTR] > fake_cpu.seq_lgdt);
	/* before any selector load: root's GDT has no data segments (seen on Bochs) */
	assert_true(fake_cpu.seq_lgdt < fake_cpu.seq_sel[SEG_SS]);
	assert_true(fake_cpu.seq_lgdt < fake_cpu.seq_sel[SEG_GS]);
	assert_int_equal(fake_cpu.gdt_base, 0xfffffe0000001000ULL);
	assert_int_equal((v.host.gdt[8] >> 40) & 0xf, 0x9);
	assert_int_equal(v.host.gdt[8] & 0xffff, 0x207f);
	assert_int_equal((v.host.gdt[8] >> 16) & 0xffffff, 0x003000);
	assert_int_equal(v.host.gdt[9], 0xfffffe00);
	assert_int_equal(fake_cpu.sel[SEG_GS], 0x2b);
	assert_int_equal(cpu_rdmsr(MSR_GS_BASE), 0xffff888000000000ULL);
	assert_true(fake_cpu.seq_sel[SEG_GS] && fake_cpu.seq_gs_base);
	assert_true(fake_cpu.seq_sel[SEG_GS] < fake_cpu.seq_gs_base);
	assert_true(fake_cpu.seq_gs_base < fake_cpu.seq_lidt);
	assert_int_equal(fake_cpu.idt_base, 0xfffffe0000000000ULL);
}

/*
 * An exit nobody handles: the VMCS dump goes to the log, the CPU leaves VMX (OS IDT
 * first), and the OS is told to stop the machine with the exit's name, instead of the
 * CPU halting in root where the next IPI to it hangs every other CPU.
 */
static void test_unhandled_exit_leaves_vmx_and_stops_loudly(void **state)
{
	static u8 os_idt[4096];

	(void)state;
	fake_vmcs_set(GUEST_IDTR_BASE, (u64)os_idt);
	fake_vmcs_set(GUEST_IDTR_LIMIT, sizeof(os_idt) - 1);
	fake_cpu.vmx_on = true;
	fake_cpu.cr4 = X86_CR4_VMXE | X86_CR4_PAE;
	v.launched = true;
	v.vmcs_pa = 0x1000;
	memset(&fake_os_stop, 0, sizeof(fake_os_stop));
	fake_os_stop.armed = true;
	if (!setjmp(fake_os_stop.jmp)) {
		do_exit(EXIT_REASON_TRIPLE_FAULT, 0);
		fail_msg("fail_closed returned");
	}
	assert_int_equal(fake_os_stop.vmx_failed, 1);
	assert_string_equal(fake_os_stop.why, "CPU 0: unhandled VM exit 2 (TRIPLE_FAULT)");
	assert_true(fake_os_stop.lines > 6);	/* the reason and six groups at least */
	assert_false(fake_cpu.vmx_on);
	assert_false(fake_cpu.cr4 & X86_CR4_VMXE);
	assert_int_equal(fake_cpu.current_vmcs, ~0ULL);	/* VMCLEARed */
	assert_int_equal(fake_cpu.idt_base, (u64)os_idt);
	assert_true(fake_cpu.seq_lidt < fake_cpu.seq_vmxoff);
	assert_false(v.launched);
}

/*
 * An exception in root (here a #PF): root's own entry (never the kernel's handler)
 * reports the vector and RIP, dumps the VMCS, gives the OS back its IDT, TR and GDT,
 * leaves VMX and stops the machine as an unhandled exit does.  A second fault while
 * reporting would spin (not tested: it never returns).
 */
static void test_root_fault_fails_closed(void **state)
{
	static u8 os_idt[4096];
	u64 *top = (u64 *)((u8 *)&v + sizeof(v)) - 2;	/* a host stack's top */
	struct root_fault f = { 14, 2, 0xffffffffc0001234ULL, 0x10, 0x2, 0, 0x18 };
	char line[LOG_LINE];

	(void)state;
	while (log_take(&v.log, line))
		;
	top[1] = (u64)&v;
	fake_vmcs_set(HOST_RSP, (u64)top);	/* how root finds its vcpu */
	fake_vmcs_set(GUEST_IDTR_BASE, (u64)os_idt);
	fake_vmcs_set(GUEST_GDTR_BASE, 0xfffffe0000001000ULL);
	fake_vmcs_set(GUEST_TR_SELECTOR, 0x40);
	fake_vmcs_set(GUEST_TR_BASE, 0xfffffe0000003000ULL);
	fake_vmcs_set(GUEST_TR_LIMIT, 0x206f);
	fake_cpu.vmx_on = true;
	fake_cpu.cr4 = X86_CR4_VMXE | X86_CR4_PAE;
	v.launched = true;
	v.vmcs_pa = 0x1000;
	memset(&fake_os_stop, 0, sizeof(fake_os_stop));
	fake_os_stop.armed = true;
	if (!setjmp(fake_os_stop.jmp)) {
		vmx_root_fault(&f);
		fail_msg("vmx_root_fault returned");
	}
	assert_int_equal(fake_os_stop.vmx_failed, 1);
	assert_string_equal(fake_os_stop.why,
			    "CPU 0: exception 14 in VMX root at RIP ffffffffc0001234");
	assert_true(fake_os_stop.lines > 6);	/* the fault line and the VMCS dump */
	assert_true(v.in_fault);
	assert_false(fake_cpu.vmx_on);
	assert_int_equal(fake_cpu.idt_base, (u64)os_idt);
	assert_int_equal(fake_cpu.gdt_base, 0xfffffe0000001000ULL);
	assert_int_equal(fake_cpu.sel[SEG_TR], 0x40);
	assert_true(fake_cpu.seq_lidt < fake_cpu.seq_sel[SEG_TR]);
	assert_true(fake_cpu.seq_sel[SEG_TR] < fake_cpu.seq_lgdt);
	assert_true(fake_cpu.seq_lgdt < fake_cpu.seq_vmxoff);
	v.in_fault = false;
}

/* INIT while a guest: leave VMX and re-raise INIT on this CPU (handle_init). */
static void test_init_signal_leaves_vmx_and_resets(void **state)
{
	(void)state;
	fake_cpu.vmx_on = true;
	fake_cpu.cr4 = X86_CR4_VMXE | X86_CR4_PAE;
	v.launched = true;
	v.vmcs_pa = 0x1000;
	memset(&fake_os_stop, 0, sizeof(fake_os_stop));
	fake_os_stop.armed = true;
	if (!setjmp(fake_os_stop.jmp)) {
		do_exit(EXIT_REASON_INIT_SIGNAL, 0);
		fail_msg("the INIT exit returned to the guest");
	}
	assert_int_equal(fake_os_stop.init_self, 1);
	assert_int_equal(fake_os_stop.vmx_failed, 0);
	assert_false(fake_cpu.vmx_on);
	assert_false(fake_cpu.cr4 & X86_CR4_VMXE);
	assert_false(v.launched);
}

/*
 * IA32_SPEC_CTRL: an exit that left the guest's own value (here SSBD from a user task)
 * runs root with the host's (IBRS) and puts the guest's back before the entry; equal
 * values cost no WRMSR; legacy IBRS writes the host's every time; off, nothing.
 */
static void test_spec_ctrl_host_value_in_root(void **state)
{
	(void)state;
	regs.gpr[REG_RAX] = 0;
	fake_cpu_set_msr(MSR_IA32_SPEC_CTRL, 4);
	v.spec = (struct vmx_spec){ .flags = VMX_SPEC_CTRL, .host_spec_ctrl = 1 };
	assert_int_equal(do_exit(EXIT_REASON_CPUID, 2), 0);
	assert_int_equal(fake_cpu.nr_spec_ctrl_writes, 2);
	assert_int_equal(fake_cpu.spec_ctrl_writes[0], 1);
	assert_int_equal(fake_cpu.spec_ctrl_writes[1], 4);
	assert_true(fake_cpu.lfences >= 1);
	assert_int_equal(cpu_rdmsr(MSR_IA32_SPEC_CTRL), 4);

	fake_cpu.nr_spec_ctrl_writes = 0;
	fake_cpu_set_msr(MSR_IA32_SPEC_CTRL, 1);
	fake_cpu.nr_spec_ctrl_writes = 0;
	assert_int_equal(do_exit(EXIT_REASON_CPUID, 2), 0);
	assert_int_equal(fake_cpu.nr_spec_ctrl_writes, 0);

	v.spec.flags |= VMX_SPEC_CTRL_ALWAYS;
	assert_int_equal(do_exit(EXIT_REASON_CPUID, 2), 0);
	assert_int_equal(fake_cpu.nr_spec_ctrl_writes, 1);

	v.spec = (struct vmx_spec){ 0 };
	fake_cpu.nr_spec_ctrl_writes = 0;
	fake_cpu_set_msr(MSR_IA32_SPEC_CTRL, 4);
	fake_cpu.nr_spec_ctrl_writes = 0;
	assert_int_equal(do_exit(EXIT_REASON_CPUID, 2), 0);
	assert_int_equal(fake_cpu.nr_spec_ctrl_writes, 0);
}

/*
 * Held NMIs are capped at two, like the CPU's own latch (one being delivered, one
 * pending): a burst of NMI exits and NMIs in root holds two and counts the rest.
 */
static void test_nmi_queue_capped(void **state)
{
	u64 stack[2] = { 0, (u64)&v };

	(void)state;
	v.procbased = CPU_BASED_USE_MSR_BITMAPS;
	fake_vmcs_set(HOST_RSP, (u64)&stack[0]);
	fake_vmcs_set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_NMI);	/* in its handler */
	fake_vmcs_set(VM_EXIT_INTR_INFO, NMI_INFO);
	for (int i = 0; i < 5; i++)
		assert_int_equal(do_exit(EXIT_REASON_EXCEPTION_NMI, 0), 0);
	for (int i = 0; i < 5; i++)
		vmx_root_nmi();
	assert_int_equal(v.nmi_pending, VCPU_NMI_MAX);
	assert_int_equal(v.nmis_dropped, 10 - VCPU_NMI_MAX);
	assert_int_equal(v.nmis_in_root, 5);
	assert_true(window_exiting());
}

/* A failed VMRESUME is logged with the VM-instruction error by name. */
static void test_resume_failure_named(void **state)
{
	char line[LOG_LINE];

	(void)state;
	fake_vmcs_set(VM_INSTRUCTION_ERROR, 7);
	vmx_log_resume_failure(&v);
	assert_true(log_take(&v.log, line));
	assert_non_null(strstr(line, "VMRESUME failed: VM entry with invalid control field(s)"));
	assert_non_null(strstr(line, "error 7"));
}

static void test_decode_cr_access(void **state)
{
	struct cr_access a;

	(void)state;
	exit_decode_cr_access(0x304, &a);		/* MOV to CR4 from RBX */
	assert_int_equal(a.cr, 4);
	assert_int_equal(a.type, CR_MOV_TO);
	assert_int_equal(a.reg, REG_RBX);
	exit_decode_cr_access(0x00050030ULL | (1 << 4), &a);	/* LMSW, source 5 */
	assert_int_equal(a.type, CR_LMSW);
	assert_int_equal(a.lmsw_source, 5);
	assert_string_equal(exit_reason_name(EXIT_REASON_CPUID), "CPUID");
	assert_string_equal(exit_reason_name(EXIT_REASON_EPT_VIOLATION), "EPT_VIOLATION");
	assert_string_equal(exit_reason_name(1000), "unknown");
}

/*
 * The names generated from EXIT_REASONS: all 63 reasons of SDM Table C-1 we list,
 * each below EXIT_REASON_MAX (the per-reason counters), named once, the renamed ones
 * by their label, and the gaps in the table (reserved numbers) unknown.
 */
static void test_exit_reason_names(void **state)
{
	const char *names[EXIT_REASON_MAX];
	unsigned int n = 0;

	(void)state;
	for (u32 r = 0; r < EXIT_REASON_MAX; r++) {
		names[r] = exit_reason_name(r);
		if (strcmp(names[r], "unknown") == 0)
			continue;
		n++;
		for (u32 q = 0; q < r; q++)
			assert_string_not_equal(names[r], names[q]);
	}
	assert_int_equal(n, 63);
	for (u32 r = EXIT_REASON_MAX; r <= 0xffff; r++)
		assert_string_equal(exit_reason_name(r), "unknown");

	assert_string_equal(exit_reason_name(0), "EXCEPTION_NMI");
	assert_string_equal(exit_reason_name(EXIT_REASON_VMOFF), "VMXOFF");
	assert_string_equal(exit_reason_name(EXIT_REASON_VMON), "VMXON");
	assert_string_equal(exit_reason_name(EXIT_REASON_MWAIT_INSTRUCTION), "MWAIT");
	assert_string_equal(exit_reason_name(EXIT_REASON_MONITOR_INSTRUCTION), "MONITOR");
	assert_string_equal(exit_reason_name(EXIT_REASON_PAUSE_INSTRUCTION), "PAUSE");
	assert_string_equal(exit_reason_name(EXIT_REASON_XSETBV), "XSETBV");
	assert_string_equal(exit_reason_name(75), "NOTIFY");
	assert_int_equal(EXIT_REASON_EPT_VIOLATION, 48);
	assert_int_equal(EXIT_REASON_TRIPLE_FAULT, 2);
	assert_string_equal(exit_reason_name(5), "unknown");	/* reserved: not in C-1 */
	assert_string_equal(exit_reason_name(17), "unknown");	/* RSM: not listed */
}

static void test_cpuid_signature_and_rip(void **state)
{
	(void)state;
	regs.gpr[REG_RAX] = 0x40000000;
	assert_int_equal(do_exit(EXIT_REASON_CPUID, 2), 0);
	assert_int_equal(regs.gpr[REG_RAX], 0x40000001);
	assert_memory_equal(&regs.gpr[REG_RBX], "subz", 4);
	assert_memory_equal(&regs.gpr[REG_RCX], "ero", 4);
	assert_int_equal(fake_vmcs_get(GUEST_RIP), 0xffffffff81000002ULL);
	assert_int_equal(v.exits[EXIT_REASON_CPUID], 1);
}

static void test_cpuid_hides_vmx(void **state)
{
	(void)state;
	regs.gpr[REG_RAX] = 1;
	assert_int_equal(do_exit(EXIT_REASON_CPUID, 2), 0);
	assert_false(regs.gpr[REG_RCX] & X86_FEATURE_ECX_VMX);
	assert_true(regs.gpr[REG_RCX] & X86_FEATURE_ECX_HYPERVISOR);
}

static void test_vmcall_from_user_is_ud(void **state)
{
	(void)state;
	fake_vmcs_set(GUEST_SS_AR_BYTES, 0xc0f3);	/* DPL 3 */
	regs.gpr[REG_RAX] = SUBZERO_HC_PING;
	regs.gpr[REG_RCX] = SUBZERO_VMCALL_KEY;
	assert_int_equal(do_exit(EXIT_REASON_VMCALL, 3), 0);
	assert_int_equal(injected(), INTR_INFO_VALID | (INTR_TYPE_HARD_EXCEPTION << 8) | X86_VEC_UD);
	assert_int_equal(fake_vmcs_get(GUEST_RIP), 0xffffffff81000000ULL);	/* not skipped */
}

static void test_vmcall_key_and_numbers(void **state)
{
	(void)state;
	regs.gpr[REG_RAX] = SUBZERO_HC_PING;
	regs.gpr[REG_RCX] = SUBZERO_VMCALL_KEY;
	assert_int_equal(do_exit(EXIT_REASON_VMCALL, 3), 0);
	assert_int_equal(regs.gpr[REG_RAX], SUBZERO_HC_PONG);

	regs.gpr[REG_RAX] = SUBZERO_HC_PING;
	regs.gpr[REG_RCX] = 0xbad;
	assert_int_equal(do_exit(EXIT_REASON_VMCALL, 3), 0);
	assert_int_equal((s64)regs.gpr[REG_RAX], -EPERM);

	regs.gpr[REG_RAX] = 9999;
	regs.gpr[REG_RCX] = SUBZERO_VMCALL_KEY;
	assert_int_equal(do_exit(EXIT_REASON_VMCALL, 3), 0);
	assert_int_equal((s64)regs.gpr[REG_RAX], -EINVAL);
	assert_int_equal(injected(), 0);
}

/*
 * Policy-changing hypercalls (devirtualize, apply the table, lock, the MTF probe)
 * from outside the module's text are refused whatever the key, and change nothing;
 * the key is still checked inside it.  Reading ones (PING) are not gated.
 */
static void test_policy_vmcall_only_from_module_text(void **state)
{
	const u64 outside[] = { 0xffffffff80fffffdULL, 0xffffffff81000800ULL,
				0xffffffffc0001000ULL, 0x401000 };
	const u64 nr[] = { SUBZERO_HC_DEVIRT, SUBZERO_HC_WATCH_SYNC, SUBZERO_HC_LOCK,
			   SUBZERO_HC_MTF_PROBE };
	unsigned int i, j;

	(void)state;
	fake_cpu.vmx_on = true;
	for (i = 0; i < ARRAY_SIZE(outside); i++) {
		for (j = 0; j < ARRAY_SIZE(nr); j++) {
			fake_vmcs_set(GUEST_RIP, outside[i]);
			regs.gpr[REG_RAX] = nr[j];
			regs.gpr[REG_RCX] = SUBZERO_VMCALL_KEY;
			assert_int_equal(do_exit(EXIT_REASON_VMCALL, 3), 0);
			assert_int_equal((s64)regs.gpr[REG_RAX], -EPERM);
			assert_int_equal(fake_vmcs_get(GUEST_RIP), outside[i] + 3);
			assert_false(v.devirt);
			assert_true(fake_cpu.vmx_on);
		}
	}
	assert_int_equal(v.policy_refused, ARRAY_SIZE(outside) * ARRAY_SIZE(nr));
	/* PING from anywhere */
	fake_vmcs_set(GUEST_RIP, 0x401000);
	regs.gpr[REG_RAX] = SUBZERO_HC_PING;
	regs.gpr[REG_RCX] = SUBZERO_VMCALL_KEY;
	assert_int_equal(do_exit(EXIT_REASON_VMCALL, 3), 0);
	assert_int_equal(regs.gpr[REG_RAX], SUBZERO_HC_PONG);
	/* inside the text, the wrong key is still refused */
	fake_vmcs_set(GUEST_RIP, 0xffffffff81000100ULL);
	regs.gpr[REG_RAX] = SUBZERO_HC_DEVIRT;
	regs.gpr[REG_RCX] = 0xbad;
	assert_int_equal(do_exit(EXIT_REASON_VMCALL, 3), 0);
	assert_int_equal((s64)regs.gpr[REG_RAX], -EPERM);
	assert_false(v.devirt);
	/* no text captured: nothing is accepted */
	v.text.nr = 0;
	regs.gpr[REG_RAX] = SUBZERO_HC_DEVIRT;
	regs.gpr[REG_RCX] = SUBZERO_VMCALL_KEY;
	assert_int_equal(do_exit(EXIT_REASON_VMCALL, 3), 0);
	assert_int_equal((s64)regs.gpr[REG_RAX], -EPERM);
	assert_false(v.devirt);
}

static void test_feature_control_reads_locked_without_vmx(void **state)
{
	u64 val;

	(void)state;
	regs.gpr[REG_RCX] = MSR_IA32_FEATURE_CONTROL;
	assert_int_equal(do_exit(EXIT_REASON_MSR_READ, 2), 0);
	val = (regs.gpr[REG_RDX] << 32) | regs.gpr[REG_RAX];
	assert_true(val & FEATURE_CONTROL_LOCKED);
	assert_false(val & (FEATURE_CONTROL_VMXON_OUTSIDE_SMX | FEATURE_CONTROL_VMXON_INSIDE_SMX));
}

static void test_vmx_msrs_and_writes_gp(void **state)
{
	u32 gp = INTR_INFO_VALID | INTR_INFO_DELIVER_CODE | (INTR_TYPE_HARD_EXCEPTION << 8) |
		 X86_VEC_GP;

	(void)state;
	regs.gpr[REG_RCX] = MSR_IA32_VMX_BASIC;
	assert_int_equal(do_exit(EXIT_REASON_MSR_READ, 2), 0);
	assert_int_equal(injected(), gp);
	regs.gpr[REG_RCX] = MSR_IA32_FEATURE_CONTROL;
	assert_int_equal(do_exit(EXIT_REASON_MSR_WRITE, 2), 0);
	assert_int_equal(injected(), gp);
}

/*
 * MSRs outside the bitmap's two ranges always exit: one the CPU has is read and
 * written for the guest (Sapphire Rapids' uncore PMU at 0x2000+), one it does not
 * have gets #GP (the CPU's own, caught by the root #GP fixup); the VMX MSRs up to
 * 0x493 (VMFUNC, PROCBASED_CTLS3, EXIT_CTLS2) are #GP even where the CPU has them.
 */
static void test_msrs_outside_bitmap(void **state)
{
	u32 gp = INTR_INFO_VALID | INTR_INFO_DELIVER_CODE | (INTR_TYPE_HARD_EXCEPTION << 8) |
		 X86_VEC_GP;
	u64 rip = fake_vmcs_get(GUEST_RIP);

	(void)state;
	fake_cpu_set_msr(0x2fd0, 0x123456789aULL);
	regs.gpr[REG_RCX] = 0x2fd0;
	assert_int_equal(do_exit(EXIT_REASON_MSR_READ, 2), 0);
	assert_int_equal(injected(), 0);
	assert_int_equal(regs.gpr[REG_RAX], 0x3456789a);
	assert_int_equal(regs.gpr[REG_RDX], 0x12);
	assert_int_equal(fake_vmcs_get(GUEST_RIP), rip + 2);
	regs.gpr[REG_RAX] = 0x11;
	regs.gpr[REG_RDX] = 0x22;
	assert_int_equal(do_exit(EXIT_REASON_MSR_WRITE, 2), 0);
	assert_int_equal(injected(), 0);
	assert_int_equal(fake_vmcs_get(GUEST_RIP), rip + 4);
	assert_int_equal(cpu_rdmsr(0x2fd0), 0x2200000011ULL);
	assert_int_equal(fake_cpu_safe_fault_count(), 0);

	/* absent: the CPU's #GP, fixed up in root, goes to the guest; RIP stays */
	regs.gpr[REG_RCX] = 0x40000f00;
	assert_int_equal(do_exit(EXIT_REASON_MSR_READ, 2), 0);
	assert_int_equal(injected(), gp);
	assert_int_equal(do_exit(EXIT_REASON_MSR_WRITE, 2), 0);
	assert_int_equal(injected(), gp);
	assert_int_equal(fake_vmcs_get(GUEST_RIP), rip + 4);
	assert_int_equal(fake_cpu_safe_fault_count(), 2);
	assert_int_equal(v.msr_faults, 2);
	assert_int_equal(fake_cpu_gp_count(), 0);		/* never an unsafe access */

	for (u32 msr = MSR_IA32_VMX_VMFUNC; msr <= MSR_IA32_VMX_EXIT_CTLS2; msr++) {
		fake_cpu_set_msr(msr, 1);
		regs.gpr[REG_RCX] = msr;
		assert_int_equal(do_exit(EXIT_REASON_MSR_READ, 2), 0);
		assert_int_equal(injected(), gp);
	}
}

/*
 * The guest single-steps (TF) over an instruction subzero performs and skips: the #DB
 * it would have raised after it is made pending (DR6.BS), as on bare metal.  Not with
 * DEBUGCTL.BTF (a branch trap), and nothing without TF.
 */
static void test_skip_under_tf_raises_db(void **state)
{
	(void)state;
	fake_vmcs_set(GUEST_RFLAGS, 0x2);
	fake_vmcs_set(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	assert_int_equal(do_exit(EXIT_REASON_CPUID, 2), 0);
	assert_int_equal(fake_vmcs_get(GUEST_PENDING_DBG_EXCEPTIONS), 0);
	fake_vmcs_set(GUEST_RFLAGS, 0x2 | X86_EFLAGS_TF);
	assert_int_equal(do_exit(EXIT_REASON_CPUID, 2), 0);		/* fast path */
	assert_int_equal(fake_vmcs_get(GUEST_PENDING_DBG_EXCEPTIONS), DR6_BS);
	fake_vmcs_set(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	regs.gpr[REG_RCX] = MSR_IA32_FEATURE_CONTROL;
	assert_int_equal(do_exit(EXIT_REASON_MSR_READ, 2), 0);		/* emulated RDMSR */
	assert_int_equal(fake_vmcs_get(GUEST_PENDING_DBG_EXCEPTIONS), DR6_BS);
	fake_vmcs_set(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	regs.gpr[REG_RCX] = 0;
	regs.gpr[REG_RAX] = 3;
	regs.gpr[REG_RDX] = 0;
	assert_int_equal(do_exit(EXIT_REASON_XSETBV, 3), 0);
	assert_int_equal(fake_vmcs_get(GUEST_PENDING_DBG_EXCEPTIONS), DR6_BS);
	/* an instruction that faults (#GP injected) is not skipped: no trap */
	fake_vmcs_set(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	regs.gpr[REG_RAX] = 4;
	assert_int_equal(do_exit(EXIT_REASON_XSETBV, 3), 0);
	assert_int_equal(fake_vmcs_get(GUEST_PENDING_DBG_EXCEPTIONS), 0);
	/* BTF: TF traps branches only */
	fake_vmcs_set(GUEST_IA32_DEBUGCTL, DEBUGCTL_BTF);
	assert_int_equal(do_exit(EXIT_REASON_CPUID, 2), 0);
	assert_int_equal(fake_vmcs_get(GUEST_PENDING_DBG_EXCEPTIONS), 0);
}

static void test_vmx_instructions_are_ud(void **state)
{
	const u32 reasons[] = { EXIT_REASON_VMON, EXIT_REASON_VMREAD, EXIT_REASON_VMWRITE,
				EXIT_REASON_VMPTRLD, EXIT_REASON_INVEPT, EXIT_REASON_VMOFF };

	(void)state;
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
		assert_int_equal(do_exit(reasons[i], 3), 0);
		assert_int_equal(injected() & 0xff, X86_VEC_UD);
	}
}

/*
 * XSETBV: every value the SDM forbids is the guest's #GP and never reaches the CPU in
 * root (the fake CPU counts an XSETBV that would have faulted there).
 */
static void test_xsetbv_checks(void **state)
{
	const u64 bad[] = {
		4,				/* AVX without x87/SSE */
		0x6,				/* no x87 */
		0x5,				/* AVX without SSE */
		0x0f, 0x17,			/* MPX: BNDREGS without BNDCSR and back */
		0x27, 0x67, 0xc7, 0xa7,		/* AVX-512: not all three of 5-7 */
		0xe3,				/* AVX-512 without AVX */
		0x20007, 0x40007,		/* AMX: TILECFG and TILEDATA apart */
		1ULL << 9 | 7,			/* PKRU: not supported by this CPU */
		1ULL << 63 | 7,			/* reserved */
	};

	(void)state;
	fake_cpu.xcr0_supported = 0x600ff;	/* x87..AVX-512, AMX */
	regs.gpr[REG_RCX] = 0;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		regs.gpr[REG_RAX] = (u32)bad[i];
		regs.gpr[REG_RDX] = bad[i] >> 32;
		assert_int_equal(do_exit(EXIT_REASON_XSETBV, 3), 0);
		assert_int_equal(injected() & 0xff, X86_VEC_GP);
	}
	assert_int_equal(fake_cpu.root_faults, 0);
	assert_int_equal(fake_cpu.xcr0, 7);
	regs.gpr[REG_RDX] = 0;
	regs.gpr[REG_RAX] = 3;
	assert_int_equal(do_exit(EXIT_REASON_XSETBV, 3), 0);
	assert_int_equal(injected(), 0);
	assert_int_equal(fake_cpu.xcr0, 3);
	regs.gpr[REG_RAX] = 0x600ff;		/* everything, consistently */
	assert_int_equal(do_exit(EXIT_REASON_XSETBV, 3), 0);
	assert_int_equal(injected(), 0);
	assert_int_equal(fake_cpu.xcr0, 0x600ff);
	regs.gpr[REG_RCX] = 1;			/* XCR1 */
	regs.gpr[REG_RAX] = 3;
	assert_int_equal(do_exit(EXIT_REASON_XSETBV, 3), 0);
	assert_int_equal(injected() & 0xff, X86_VEC_GP);
	assert_int_equal(fake_cpu.root_faults, 0);
}

/* MOV to CR4: the real value keeps VMXE, the shadow does not; setting VMXE is #GP. */
static void test_cr4_write(void **state)
{
	(void)state;
	regs.gpr[REG_RBX] = 0x1706e0 & ~X86_CR4_PGE;
	fake_vmcs_set(EXIT_QUALIFICATION, 0x304);
	assert_int_equal(do_exit(EXIT_REASON_CR_ACCESS, 3), 0);
	assert_int_equal(fake_vmcs_get(CR4_READ_SHADOW), 0x1706e0 & ~X86_CR4_PGE);
	assert_true(fake_vmcs_get(GUEST_CR4) & X86_CR4_VMXE);
	assert_true(fake_cpu.invvpid_calls > 0);
	regs.gpr[REG_RBX] |= X86_CR4_VMXE;
	assert_int_equal(do_exit(EXIT_REASON_CR_ACCESS, 3), 0);
	assert_int_equal(injected() & 0xff, X86_VEC_GP);
}

/*
 * The CR4 write's flush uses an INVVPID type the CPU reports: single-context, else
 * all-context; none at all when the guest runs without VPID (entries flush then).
 */
static void test_cr4_write_invvpid_type(void **state)
{
	(void)state;
	regs.gpr[REG_RBX] = 0x1706e0;
	fake_vmcs_set(EXIT_QUALIFICATION, 0x304);
	assert_int_equal(do_exit(EXIT_REASON_CR_ACCESS, 3), 0);
	assert_int_equal(fake_cpu.invvpid_last_type, 1);
	fake_cpu_set_msr(MSR_IA32_VMX_EPT_VPID_CAP, 0xf0106334141ULL & ~VMX_VPID_EXTENT_SINGLE_CONTEXT);
	vmx_caps_read(&caps);
	assert_int_equal(do_exit(EXIT_REASON_CR_ACCESS, 3), 0);
	assert_int_equal(fake_cpu.invvpid_last_type, 2);
	assert_int_equal(fake_cpu.root_faults, 0);
	v.vpid_on = false;
	fake_cpu.invvpid_calls = 0;
	assert_int_equal(do_exit(EXIT_REASON_CR_ACCESS, 3), 0);
	assert_int_equal(fake_cpu.invvpid_calls, 0);
	assert_int_equal(fake_vmcs_get(CR4_READ_SHADOW), 0x1706e0);
}

/*
 * Exit 41, a machine check during VM entry (an entry failure): the OS's machine-check
 * handler runs, and the entry is tried again instead of stopping the CPU.
 */
static void test_mce_during_entry(void **state)
{
	u64 rip = fake_vmcs_get(GUEST_RIP);

	(void)state;
	v.procbased = CPU_BASED_USE_MSR_BITMAPS;
	assert_int_equal(do_exit(EXIT_REASON_MCE_DURING_VMENTRY | BIT(31), 0), 0);
	/* the OS gets its #MC on the retried entry; root called nothing of the kernel */
	assert_int_equal(injected(), MC_INFO);
	assert_false(v.mce_pending);
	assert_int_equal(v.mces_injected, 1);
	assert_false(window_exiting());
	assert_int_equal(fake_vmcs_get(GUEST_RIP), rip);
	assert_int_equal(v.exits[EXIT_REASON_MCE_DURING_VMENTRY], 1);
}

/*
 * The failed entry was delivering an interrupt: it goes first, and the #MC waits for
 * the next NMI-window exit; an NMI held then waits behind the #MC.
 */
static void test_mce_waits_for_injected_event(void **state)
{
	u32 irq = 0x20 | (INTR_TYPE_EXT_INTR << INTR_INFO_TYPE_SHIFT) | INTR_INFO_VALID;

	(void)state;
	v.procbased = CPU_BASED_USE_MSR_BITMAPS;
	fake_vmcs_set(CPU_BASED_VM_EXEC_CONTROL, v.procbased);
	fake_vmcs_set(VM_EXIT_REASON, EXIT_REASON_MCE_DURING_VMENTRY | BIT(31));
	fake_vmcs_set(VM_ENTRY_INTR_INFO_FIELD, irq);
	assert_int_equal(vmx_exit_handler(&regs, &v), 0);
	assert_int_equal(injected(), irq);
	assert_true(v.mce_pending);
	assert_true(window_exiting());

	v.nmi_pending = 1;
	fake_vmcs_set(GUEST_INTERRUPTIBILITY_INFO, 0);
	assert_int_equal(do_exit(EXIT_REASON_NMI_WINDOW, 0), 0);
	assert_int_equal(injected(), MC_INFO);
	assert_false(v.mce_pending);
	assert_int_equal(v.mces_injected, 1);
	assert_int_equal(v.nmi_pending, 1);
	assert_true(window_exiting());		/* for the NMI, after the #MC */
}

/* During a watch step the #MC waits for the step's end, with no window exit asked. */
static void test_mce_waits_for_step(void **state)
{
	(void)state;
	v.procbased = CPU_BASED_USE_MSR_BITMAPS;
	fake_vmcs_set(CPU_BASED_VM_EXEC_CONTROL, v.procbased);
	v.step.active = true;
	assert_int_equal(do_exit(EXIT_REASON_MCE_DURING_VMENTRY | BIT(31), 0), 0);
	assert_true(v.mce_pending);
	assert_int_equal(injected(), 0);
	assert_false(window_exiting());
	v.step.active = false;
}

static void test_invd_writes_back(void **state)
{
	(void)state;
	assert_int_equal(do_exit(EXIT_REASON_INVD, 2), 0);
	assert_int_equal(fake_cpu.wbinvd_calls, 1);
}

/*
 * An event whose delivery was cut short by the exit is delivered again: here an NMI
 * exit while the guest's #PF was being delivered; the NMI waits behind it.
 */
static void test_idt_vectoring_reinjected(void **state)
{
	u32 info = INTR_INFO_VALID | (INTR_TYPE_HARD_EXCEPTION << 8) | INTR_INFO_DELIVER_CODE | 14;

	(void)state;
	v.procbased = CPU_BASED_USE_MSR_BITMAPS;
	fake_vmcs_set(IDT_VECTORING_INFO_FIELD, info);
	fake_vmcs_set(IDT_VECTORING_ERROR_CODE, 2);
	fake_vmcs_set(VM_EXIT_INTR_INFO, NMI_INFO);
	fake_vmcs_set(GUEST_INTERRUPTIBILITY_INFO, 0);
	assert_int_equal(do_exit(EXIT_REASON_EXCEPTION_NMI, 0), 0);
	assert_int_equal(injected(), info);
	assert_int_equal(fake_vmcs_get(VM_ENTRY_EXCEPTION_ERROR_CODE), 2);
	assert_int_equal(v.nmi_pending, 1);
	assert_true(window_exiting());
	fake_vmcs_set(IDT_VECTORING_INFO_FIELD, 0);
}

/*
 * The CPUID fast path does all the common exit path does: counts the exit and its
 * time in root, skips the whole instruction (prefixes too), ends STI blocking, and
 * delivers a held NMI.
 */
static void test_cpuid_fast_path(void **state)
{
	(void)state;
	v.procbased = CPU_BASED_USE_MSR_BITMAPS;
	v.nmi_pending = 1;
	fake_vmcs_set(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_STI);
	regs.gpr[REG_RAX] = 1;
	assert_int_equal(do_exit(EXIT_REASON_CPUID, 3), 0);	/* 66 0f a2 */
	assert_int_equal(fake_vmcs_get(GUEST_RIP), 0xffffffff81000003ULL);
	assert_int_equal(fake_vmcs_get(GUEST_INTERRUPTIBILITY_INFO), 0);
	assert_int_equal(injected(), NMI_INFO);
	assert_int_equal(v.nmi_pending, 0);
	assert_int_equal(v.exits[EXIT_REASON_CPUID], 1);
	assert_true(v.root_tsc > 0);
	assert_true(regs.gpr[REG_RCX] & X86_FEATURE_ECX_HYPERVISOR);
}

/* A CPUID exit with a flag in the reason's upper bits takes the common path, alike. */
static void test_cpuid_with_reason_flags(void **state)
{
	(void)state;
	regs.gpr[REG_RAX] = 0x40000000;
	assert_int_equal(do_exit(EXIT_REASON_CPUID | (1U << 28), 2), 0);	/* pending MTF */
	assert_int_equal(regs.gpr[REG_RAX], 0x40000001);
	assert_int_equal(fake_vmcs_get(GUEST_RIP), 0xffffffff81000002ULL);
	assert_int_equal(v.exits[EXIT_REASON_CPUID], 1);
}

/*
 * The DEVIRT hypercall leaves VMX with the guest's state back in the CPU, and flushes
 * VPID 0's TLB entries (stale since VMXON) after VMXOFF.
 */
static void test_devirt_restores_and_flushes_vpid0(void **state)
{
	u64 stack[4] = { 0 };
	u64 cr4 = 0x1706e0 | X86_CR4_VMXE;	/* PGE set */

	(void)state;
	fake_cpu.vmx_on = true;
	fake_cpu.cr4 = cr4;
	fake_vmcs_set(GUEST_CR4, cr4);
	fake_vmcs_set(GUEST_CR3, 0x2a10000);
	fake_vmcs_set(GUEST_RSP, (u64)&stack[2]);
	fake_vmcs_set(GUEST_RFLAGS, 0x2);
	regs.gpr[REG_RAX] = SUBZERO_HC_DEVIRT;
	regs.gpr[REG_RCX] = SUBZERO_VMCALL_KEY;
	assert_int_equal(do_exit(EXIT_REASON_VMCALL, 3), 1);
	assert_false(fake_cpu.vmx_on);
	assert_true(fake_cpu.vpid0_flushes >= 1);
	assert_int_equal(fake_cpu.cr4, cr4 & ~X86_CR4_VMXE);
	assert_int_equal(fake_cpu.cr3, 0x2a10000);
	/* the stub returns to the guest through its stack: RFLAGS, then RIP past VMCALL */
	assert_int_equal(regs.gpr[REG_RSP], (u64)&stack[0]);
	assert_int_equal(stack[0], 0x2);
	assert_int_equal(stack[1], 0xffffffff81000003ULL);
}

static size_t field_index(u32 field)
{
	for (size_t i = 0; i < vmcs_nr_fields; i++)
		if (vmcs_field_descs[i].encoding == field)
			return i;
	fail_msg("no field %#x", field);
	return 0;
}

/*
 * The snapshot hypercall VMREADs every field into the vcpu's own buffer: unsupported
 * fields marked so, VM_INSTRUCTION_ERROR as it was before the failing VMREADs, RIP not
 * yet advanced in the copy, one log line.
 */
static void test_vmcall_vmcs_snapshot(void **state)
{
	char line[LOG_LINE];

	(void)state;
	fake_vmcs_set(GUEST_CR3, 0x2a10000);
	fake_vmcs_set(HOST_CR3, 0x1234000);
	fake_vmcs_set(VM_INSTRUCTION_ERROR, 7);
	fake_vmcs_unsupport(GUEST_IA32_FRED_CONFIG);
	fake_vmcs_unsupport(HOST_IA32_PKRS);
	memset(&v.vmcs_snap, 0xff, sizeof(v.vmcs_snap));
	regs.gpr[REG_RAX] = SUBZERO_HC_VMCS_SNAPSHOT;
	regs.gpr[REG_RCX] = SUBZERO_VMCALL_KEY;
	regs.gpr[REG_RDX] = 0xdeadbeef;		/* an argument is ignored, not a target */
	assert_int_equal(do_exit(EXIT_REASON_VMCALL, 3), 0);
	assert_int_equal(regs.gpr[REG_RAX], 0);
	assert_int_equal(v.vmcs_snap.val[field_index(GUEST_CR3)], 0x2a10000);
	assert_int_equal(v.vmcs_snap.val[field_index(HOST_CR3)], 0x1234000);
	assert_true(v.vmcs_snap.supported[field_index(GUEST_CR3)]);
	assert_false(v.vmcs_snap.supported[field_index(GUEST_IA32_FRED_CONFIG)]);
	assert_int_equal(v.vmcs_snap.val[field_index(GUEST_IA32_FRED_CONFIG)], 0);
	assert_false(v.vmcs_snap.supported[field_index(HOST_IA32_PKRS)]);
	assert_int_equal(v.vmcs_snap.val[field_index(VM_INSTRUCTION_ERROR)], 7);
	assert_int_equal(v.vmcs_snap.val[field_index(VM_EXIT_REASON)], EXIT_REASON_VMCALL);
	assert_int_equal(v.vmcs_snap.val[field_index(GUEST_RIP)], 0xffffffff81000000ULL);
	assert_int_equal(fake_vmcs_get(GUEST_RIP), 0xffffffff81000003ULL);
	assert_true(v.vmcs_snap.tsc != 0);
	assert_true(log_take(&v.log, line));
	assert_string_equal(line, "CPU 0: VMCS snapshot, 2 fields not supported by the CPU");
}

/* Time in root is counted in all and by exit reason; the two agree. */
static void test_root_tsc_by_reason(void **state)
{
	u64 sum = 0;

	(void)state;
	regs.gpr[REG_RAX] = 0;
	assert_int_equal(do_exit(EXIT_REASON_CPUID, 2), 0);
	assert_int_equal(do_exit(EXIT_REASON_CPUID, 2), 0);
	assert_int_equal(do_exit(EXIT_REASON_INVD, 2), 0);
	assert_true(v.exit_root_tsc[EXIT_REASON_CPUID] > 0);
	assert_true(v.exit_root_tsc[EXIT_REASON_INVD] > 0);
	for (int i = 0; i < EXIT_REASON_MAX; i++)
		sum += v.exit_root_tsc[i];
	assert_int_equal(sum + v.root_tsc_other, v.root_tsc);
	assert_int_equal(v.exits[EXIT_REASON_CPUID], 2);
}

/* The log2 buckets, the last one open-ended. */
static void test_exit_hist_buckets(void **state)
{
	struct exit_hist h = { 0 };

	(void)state;
	exit_hist_add(&h, 0);
	exit_hist_add(&h, 1);
	exit_hist_add(&h, 2);
	exit_hist_add(&h, 3);
	exit_hist_add(&h, 4);
	exit_hist_add(&h, 1ULL << 40);
	assert_int_equal(h.bucket[0], 2);
	assert_int_equal(h.bucket[1], 2);
	assert_int_equal(h.bucket[2], 1);
	assert_int_equal(h.bucket[EXIT_HIST_BUCKETS - 1], 1);
	assert_int_equal(h.min_tsc, 1);		/* 0 stands for "none yet" */
	assert_int_equal(h.max_tsc, 1ULL << 40);
}

/* Each exit's time in root lands in its reason's histogram, with min and max. */
static void test_exit_hist_by_reason(void **state)
{
	u64 n = 0;

	(void)state;
	regs.gpr[REG_RAX] = 0;
	assert_int_equal(do_exit(EXIT_REASON_CPUID, 2), 0);	/* 100 ticks: 64..127 */
	fake_tsc_step = 3000;					/* 2048..4095 */
	assert_int_equal(do_exit(EXIT_REASON_CPUID, 2), 0);
	assert_int_equal(do_exit(EXIT_REASON_CPUID, 2), 0);
	fake_tsc_step = 100;
	assert_int_equal(v.exit_hist[EXIT_REASON_CPUID].bucket[6], 1);
	assert_int_equal(v.exit_hist[EXIT_REASON_CPUID].bucket[11], 2);
	for (int b = 0; b < EXIT_HIST_BUCKETS; b++)
		n += v.exit_hist[EXIT_REASON_CPUID].bucket[b];
	assert_int_equal(n, v.exits[EXIT_REASON_CPUID]);
	assert_int_equal(v.exit_hist[EXIT_REASON_CPUID].min_tsc, 100);
	assert_int_equal(v.exit_hist[EXIT_REASON_CPUID].max_tsc, 3000);
	assert_int_equal(v.exit_root_tsc[EXIT_REASON_CPUID], 6100);
	assert_int_equal(v.exit_hist[EXIT_REASON_INVD].max_tsc, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_decode_cr_access, setup),
		cmocka_unit_test(test_exit_hist_buckets),
		cmocka_unit_test_setup(test_exit_hist_by_reason, setup),
		cmocka_unit_test(test_exit_reason_names),
		cmocka_unit_test_setup(test_nmi_exit_reinjected, setup),
		cmocka_unit_test_setup(test_nmi_waits_for_window, setup),
		cmocka_unit_test_setup(test_nmi_behind_injected_event, setup),
		cmocka_unit_test_setup(test_nmi_in_root, setup),
		cmocka_unit_test_setup(test_nmi_queue_capped, setup),
		cmocka_unit_test_setup(test_devirt_restores_and_flushes_nmis, setup),
		cmocka_unit_test_setup(test_devirt_restores_ldtr_and_gs_in_order, setup),
		cmocka_unit_test_setup(test_unhandled_exit_leaves_vmx_and_stops_loudly, setup),
		cmocka_unit_test_setup(test_root_fault_fails_closed, setup),
		cmocka_unit_test_setup(test_init_signal_leaves_vmx_and_resets, setup),
		cmocka_unit_test_setup(test_spec_ctrl_host_value_in_root, setup),
		cmocka_unit_test_setup(test_spin_hypercall_needs_test_hooks, setup),
		cmocka_unit_test_setup(test_resume_failure_named, setup),
		cmocka_unit_test_setup(test_cpuid_signature_and_rip, setup),
		cmocka_unit_test_setup(test_cpuid_hides_vmx, setup),
		cmocka_unit_test_setup(test_vmcall_from_user_is_ud, setup),
		cmocka_unit_test_setup(test_vmcall_key_and_numbers, setup),
		cmocka_unit_test_setup(test_policy_vmcall_only_from_module_text, setup),
		cmocka_unit_test_setup(test_feature_control_reads_locked_without_vmx, setup),
		cmocka_unit_test_setup(test_vmx_msrs_and_writes_gp, setup),
		cmocka_unit_test_setup(test_msrs_outside_bitmap, setup),
		cmocka_unit_test_setup(test_skip_under_tf_raises_db, setup),
		cmocka_unit_test_setup(test_vmx_instructions_are_ud, setup),
		cmocka_unit_test_setup(test_xsetbv_checks, setup),
		cmocka_unit_test_setup(test_cr4_write, setup),
		cmocka_unit_test_setup(test_cr4_write_invvpid_type, setup),
		cmocka_unit_test_setup(test_mce_during_entry, setup),
		cmocka_unit_test_setup(test_mce_waits_for_injected_event, setup),
		cmocka_unit_test_setup(test_mce_waits_for_step, setup),
		cmocka_unit_test_setup(test_invd_writes_back, setup),
		cmocka_unit_test_setup(test_idt_vectoring_reinjected, setup),
		cmocka_unit_test_setup(test_vmcall_vmcs_snapshot, setup),
		cmocka_unit_test_setup(test_devirt_restores_and_flushes_vpid0, setup),
		cmocka_unit_test_setup(test_root_tsc_by_reason, setup),
		cmocka_unit_test_setup(test_cpuid_fast_path, setup),
		cmocka_unit_test_setup(test_cpuid_with_reason_flags, setup),
	};

	return cmocka_run_group_tests_name("exit", tests, NULL, NULL);
}
