// SPDX-License-Identifier: GPL-2.0
/* Unit tests for core/vmx.c: entering VMX and building the VMCS, on the fake CPU and
 * fake OS (with allocation failures), and for core/log.c. */
#include <stdarg.h>
#include <stdlib.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "vmx.h"
#include "mtrr.h"
#include "errors.h"
#include "os.h"
#include "arch/x86.h"
#include "fake_cpu.h"
#include "fake_os.h"
#include <cpu_ops.h>

static struct vmx_caps caps;
static struct vcpu v;
static u8 bitmap[4096];

static int setup(void **state)
{
	(void)state;
	fake_cpu_load(&fake_haswell);
	fake_os_fail_alloc_after(-1);
	vmx_caps_read(&caps);
	memset(&v, 0, sizeof(v));
	if (vmx_vcpu_alloc(&v, 1, &caps, 0x5000))
		return -1;
	/*
	 * The fake's page addresses are host pointers, beyond the fake CPU's 39 bits,
	 * which the entry checker refuses in HOST_CR3: without root's own page tables
	 * HOST_CR3 is the fake OS's (test_seal.c tests the tables).
	 */
	vmx_host_pt_free(&v);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vmx_ept_clear();
	vmx_vcpu_free(&v);
	assert_int_equal(os_alloc_count(), 0);
	return 0;
}

static bool log_has(const char *needle)
{
	char line[LOG_LINE];

	while (log_take(&v.log, line))
		if (strstr(line, needle))
			return true;
	return false;
}

/* The level of the first line containing @needle (-1: none). */
static int log_level_of(const char *needle)
{
	char line[LOG_LINE];
	int level;
	u64 tsc;

	while (log_take_level(&v.log, line, &tsc, &level))
		if (strstr(line, needle))
			return level;
	return -1;
}

static void test_virtualize_builds_vmcs(void **state)
{
	(void)state;
	assert_int_equal(vmx_virtualize_this_cpu(&v), 0);
	assert_true(v.launched);
	assert_true(fake_cpu.vmx_on);
	assert_true(fake_cpu.cr4 & X86_CR4_VMXE);
	assert_int_equal(*(u32 *)v.vmxon, 0x2b);
	assert_int_equal(*(u32 *)v.vmcs, 0x2b);
	assert_int_equal(fake_cpu.current_vmcs, v.vmcs_pa);
	/* guest state is the live CPU; the guest reads CR4.VMXE as 0 */
	assert_int_equal(fake_vmcs_get(GUEST_CR3), 0x2a10000);
	assert_true(fake_vmcs_get(GUEST_CR4) & X86_CR4_VMXE);
	assert_false(fake_vmcs_get(CR4_READ_SHADOW) & X86_CR4_VMXE);
	assert_true(fake_vmcs_get(CR4_GUEST_HOST_MASK) & X86_CR4_VMXE);
	assert_int_equal(fake_vmcs_get(GUEST_CS_SELECTOR), 0x10);
	assert_int_equal(fake_vmcs_get(GUEST_CS_AR_BYTES), 0xa09b);
	assert_int_equal(fake_vmcs_get(GUEST_DS_AR_BYTES), 0x10000);	/* null: unusable */
	assert_int_equal(fake_vmcs_get(GUEST_TR_LIMIT), 0x206f);
	assert_int_equal(fake_vmcs_get(VMCS_LINK_POINTER), ~0ULL);
	/* host state: our page tables, stack and exit stub */
	assert_int_equal(fake_vmcs_get(HOST_CR3), 0x1234000);
	assert_int_equal(fake_vmcs_get(HOST_RIP), (u64)vmx_exit_stub);
	assert_int_equal(fake_vmcs_get(HOST_RSP) + 16,
			 (u64)v.host_stack + VCPU_HOST_STACK_SIZE);
	assert_int_equal(*(u64 *)(fake_vmcs_get(HOST_RSP) + HOST_RSP_VCPU), (u64)&v);
	/* controls: MSR bitmap, secondary controls, VPID = cpu + 1, 64-bit guest */
	assert_int_equal(fake_vmcs_get(MSR_BITMAP), 0x5000);
	assert_true(fake_vmcs_get(CPU_BASED_VM_EXEC_CONTROL) & CPU_BASED_USE_MSR_BITMAPS);
	assert_false(fake_vmcs_get(CPU_BASED_VM_EXEC_CONTROL) & CPU_BASED_CR3_LOAD_EXITING);
	assert_true(fake_vmcs_get(SECONDARY_VM_EXEC_CONTROL) & SECONDARY_EXEC_ENABLE_VPID);
	assert_int_equal(fake_vmcs_get(VIRTUAL_PROCESSOR_ID), 2);
	assert_true(fake_vmcs_get(VM_ENTRY_CONTROLS) & VM_ENTRY_IA32E_MODE);
	assert_true(fake_vmcs_get(VM_EXIT_CONTROLS) & VM_EXIT_HOST_ADDR_SPACE_SIZE);
}

/*
 * Every field the chosen controls make the CPU read is written at setup, zero or not:
 * a VMCLEARed region is not promised to read as zeroes.
 */
static void test_vmcs_fields_written_explicitly(void **state)
{
	const u32 fields[] = {
		EXCEPTION_BITMAP, PAGE_FAULT_ERROR_CODE_MASK, PAGE_FAULT_ERROR_CODE_MATCH,
		TSC_OFFSET, CR3_TARGET_COUNT, CR3_TARGET_VALUE0, CR3_TARGET_VALUE1,
		CR3_TARGET_VALUE2, CR3_TARGET_VALUE3, VM_EXIT_MSR_STORE_COUNT,
		VM_EXIT_MSR_LOAD_COUNT, VM_ENTRY_MSR_LOAD_COUNT, VM_EXIT_MSR_STORE_ADDR,
		VM_EXIT_MSR_LOAD_ADDR, VM_ENTRY_MSR_LOAD_ADDR, VM_ENTRY_INTR_INFO_FIELD,
		VM_ENTRY_EXCEPTION_ERROR_CODE, VM_ENTRY_INSTRUCTION_LEN, XSS_EXIT_BITMAP,
		VIRTUAL_PROCESSOR_ID, EPT_POINTER, GUEST_PDPTR0, GUEST_PDPTR3,
		GUEST_PENDING_DBG_EXCEPTIONS, GUEST_ACTIVITY_STATE, GUEST_INTERRUPTIBILITY_INFO,
		VMCS_LINK_POINTER, CR0_GUEST_HOST_MASK, CR4_GUEST_HOST_MASK,
	};
	struct mtrr_state m;

	(void)state;
	vmx_vcpu_free(&v);
	/* a CPU with XSAVES (CPUID.(EAX=0DH,ECX=1):EAX[3]) allowed in the controls */
	fake_cpu_set_msr(MSR_IA32_VMX_PROCBASED_CTLS2,
			 0x47fff00000000ULL | (u64)SECONDARY_EXEC_ENABLE_XSAVES << 32);
	fake_cpu.cpuid_max = 0xd;
	fake_cpu.cpuid_d1_eax = BIT(3);
	vmx_caps_read(&caps);
	/* the fake's physical addresses are host pointers: the EPTP is one (entry checker) */
	caps.phys_bits = 48;
	assert_int_equal(mtrr_read(&m), 0);
	vmx_ept_setup(&m, 1ULL << 32);
	memset(&v, 0, sizeof(v));
	assert_int_equal(vmx_vcpu_alloc(&v, 1, &caps, 0x5000), 0);
	assert_int_equal(vmx_virtualize_this_cpu(&v), 0);
	assert_true(fake_vmcs_get(SECONDARY_VM_EXEC_CONTROL) & SECONDARY_EXEC_ENABLE_XSAVES);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (!fake_vmcs_written(fields[i]))
			fail_msg("VMCS field %s not written at setup", vmcs_field_name(fields[i]));
	}
	vmx_ept_clear();
}

/* CR3-target values: only as many as the CPU has (a VMWRITE of another would fail). */
static void test_cr3_targets_as_many_as_the_cpu_has(void **state)
{
	(void)state;
	caps.misc &= ~(0x1ffULL << 16);
	caps.misc |= 1ULL << 16;			/* one CR3-target value */
	v.caps_copy = caps;				/* root reads its own copy */
	fake_vmcs_unsupport(CR3_TARGET_VALUE1);
	fake_vmcs_unsupport(CR3_TARGET_VALUE2);
	fake_vmcs_unsupport(CR3_TARGET_VALUE3);
	assert_int_equal(vmx_virtualize_this_cpu(&v), 0);
	assert_true(fake_vmcs_written(CR3_TARGET_VALUE0));
}

/* VPID only with an INVVPID the CPU has: otherwise no VPID, and no INVVPID at all. */
static void test_no_invvpid_no_vpid(void **state)
{
	(void)state;
	fake_cpu_set_msr(MSR_IA32_VMX_EPT_VPID_CAP, 0xf0106334141ULL & ~VMX_VPID_INVVPID);
	vmx_caps_read(&caps);
	v.caps_copy = caps;				/* root reads its own copy */
	fake_cpu.invvpid_calls = 0;
	assert_int_equal(vmx_virtualize_this_cpu(&v), 0);
	assert_false(v.vpid_on);
	assert_false(fake_vmcs_get(SECONDARY_VM_EXEC_CONTROL) & SECONDARY_EXEC_ENABLE_VPID);
	assert_int_equal(fake_cpu.invvpid_calls, 0);
	assert_int_equal(fake_cpu.root_faults, 0);
}

static void test_nmi_controls(void **state)
{
	(void)state;
	assert_int_equal(vmx_virtualize_this_cpu(&v), 0);
	assert_true(fake_vmcs_get(PIN_BASED_VM_EXEC_CONTROL) & PIN_BASED_NMI_EXITING);
	assert_true(fake_vmcs_get(PIN_BASED_VM_EXEC_CONTROL) & PIN_BASED_VIRTUAL_NMIS);
	/* NMI-window exiting is off until an NMI is held */
	assert_false(fake_vmcs_get(CPU_BASED_VM_EXEC_CONTROL) & CPU_BASED_NMI_WINDOW_EXITING);
	assert_int_equal(v.procbased, fake_vmcs_get(CPU_BASED_VM_EXEC_CONTROL));
}

static void test_no_virtual_nmis_is_named(void **state)
{
	(void)state;
	/* root works from its own copy of the capabilities (taken at allocation) */
	v.caps_copy.true_pinbased &= ~((u64)PIN_BASED_VIRTUAL_NMIS << 32);
	assert_int_equal(vmx_virtualize_this_cpu(&v), -EOPNOTSUPP);
	assert_true(log_has("VIRTUAL_NMIS"));
	assert_false(fake_cpu.vmx_on);
}

static u64 gate_target(const struct idt_gate *g)
{
	return g->offset_low | (u64)g->offset_mid << 16 | (u64)g->offset_high << 32;
}

/*
 * Root's own GDT, TSS and IDT (vmx.h, struct vcpu_host), inside the vcpu's hidden
 * part: every gate goes to subzero's code (none to the OS's), NMI, #DF and #MC on IST
 * stacks of their own; the GDT has the kernel's selectors; the VMCS points there.
 */
static void test_host_tables(void **state)
{
	struct vcpu_host *h = &v.host;
	u8 *lo = (u8 *)&v, *hi = (u8 *)&v + sizeof(v);
	unsigned int i, ist;
	u64 t;

	(void)state;
	assert_int_equal(vmx_virtualize_this_cpu(&v), 0);
	assert_int_equal(fake_vmcs_get(HOST_IDTR_BASE), (u64)h->idt);
	assert_int_equal(fake_vmcs_get(HOST_GDTR_BASE), (u64)h->gdt);
	assert_int_equal(fake_vmcs_get(HOST_TR_BASE), (u64)&h->tss);
	assert_int_equal(fake_vmcs_get(HOST_TR_SELECTOR), 0x40);
	assert_int_equal(fake_vmcs_get(HOST_CS_SELECTOR), 0x10);
	assert_true(offsetof(struct vcpu, host) + sizeof(*h) <= offsetof(struct vcpu, cpu));
	for (i = 0; i < 256; i++) {
		t = gate_target(&h->idt[i]);
		assert_int_equal(h->idt[i].selector, 0x10);
		assert_int_equal(h->idt[i].flags & ~7, 0x8e00);
		ist = h->idt[i].flags & 7;
		if (i == X86_VEC_NMI) {
			assert_int_equal(t, (u64)vmx_nmi_stub);
			assert_int_equal(ist, HOST_IST_NMI);
		} else if (i == X86_VEC_GP) {
			assert_int_equal(t, (u64)vmx_gp_stub);
			assert_int_equal(ist, 0);
		} else {
			assert_int_equal(t, vmx_root_vector_stubs[i]);
			assert_int_equal(ist, i == X86_VEC_DF ? HOST_IST_DF :
					 i == X86_VEC_MC ? HOST_IST_MC : 0);
		}
	}
	/* distinct stubs, one per vector */
	for (i = 1; i < 256; i++)
		assert_true(vmx_root_vector_stubs[i] > vmx_root_vector_stubs[i - 1]);
	/* every IST slot inside this vcpu, the three gates' on three distinct stacks */
	for (i = 0; i < 7; i++)
		assert_true(h->tss.ist[i] > (u64)lo && h->tss.ist[i] <= (u64)hi);
	assert_true(h->tss.ist[HOST_IST_DF - 1] != h->tss.ist[HOST_IST_NMI - 1]);
	assert_true(h->tss.ist[HOST_IST_NMI - 1] != h->tss.ist[HOST_IST_MC - 1]);
	assert_true(h->tss.ist[HOST_IST_DF - 1] != h->tss.ist[HOST_IST_MC - 1]);
	assert_int_equal(h->tss.iomap_base, sizeof(h->tss));
	assert_int_equal(h->gdt[2], 0x00af9b000000ffffULL);	/* 64-bit code at CS */
	assert_int_equal(h->gdt[3], 0x00cf93000000ffffULL);	/* data at SS */
	assert_int_equal((h->gdt[8] >> 40) & 0xf, 0xb);		/* our TSS, busy */
	t = ((h->gdt[8] >> 16) & 0xffffff) | ((h->gdt[8] >> 56) << 24) | (h->gdt[9] << 32);
	assert_int_equal(t, (u64)&h->tss);
}

/* Selectors root's GDT cannot hold the same way: refused, nothing launched. */
static void test_host_tables_refuse_bad_selectors(void **state)
{
	(void)state;
	assert_int_equal(vmx_host_tables_init(&v, 0x10, 0x18, 0x40), 0);
	assert_int_equal(vmx_host_tables_init(&v, 0x10, 0x18, 0x78), -EINVAL);	/* TR's 2nd half */
	assert_int_equal(vmx_host_tables_init(&v, 0x10, 0x10, 0x40), -EINVAL);	/* CS = SS */
	assert_int_equal(vmx_host_tables_init(&v, 0x40, 0x18, 0x40), -EINVAL);	/* CS = TR */
	assert_int_equal(vmx_host_tables_init(&v, 0x10, 0x48, 0x40), -EINVAL);	/* SS in TSS */
	assert_int_equal(vmx_host_tables_init(&v, 0, 0x18, 0x40), -EINVAL);
	assert_int_equal(vmx_host_tables_init(&v, 0x10, 0, 0x40), 0);		/* null SS */
}

static void test_refuses_when_vmxe_already_set(void **state)
{
	(void)state;
	fake_cpu.cr4 |= X86_CR4_VMXE;
	assert_int_equal(vmx_virtualize_this_cpu(&v), -EBUSY);
	assert_false(fake_cpu.vmx_on);
	assert_int_equal(log_level_of("kvm_intel"), LOG_LEVEL_ERR);	/* a refusal */
}

static void test_refuses_when_firmware_disabled_vmx(void **state)
{
	(void)state;
	fake_cpu_set_msr(MSR_IA32_FEATURE_CONTROL, FEATURE_CONTROL_LOCKED);
	assert_int_equal(vmx_virtualize_this_cpu(&v), -EOPNOTSUPP);
	assert_false(fake_cpu.cr4 & X86_CR4_VMXE);
	assert_true(log_has("disabled by the firmware"));
}

static void test_unlocked_feature_control_gets_locked(void **state)
{
	u64 fc;

	(void)state;
	fake_cpu_set_msr(MSR_IA32_FEATURE_CONTROL, 0);
	assert_int_equal(vmx_virtualize_this_cpu(&v), 0);
	fc = cpu_rdmsr(MSR_IA32_FEATURE_CONTROL);
	assert_int_equal(fc & 5, 5);
}

static void test_missing_required_control_is_named(void **state)
{
	(void)state;
	v.caps_copy.true_exit &= ~((u64)VM_EXIT_LOAD_IA32_PAT << 32);
	assert_int_equal(vmx_virtualize_this_cpu(&v), -EOPNOTSUPP);
	assert_true(log_has("VM_EXIT_LOAD_IA32_PAT"));
	/* everything undone */
	assert_false(fake_cpu.vmx_on);
	assert_false(fake_cpu.cr4 & X86_CR4_VMXE);
}

static void test_vmxon_failure_undone(void **state)
{
	(void)state;
	fake_cpu.vmxon_result = VMX_FAIL_INVALID;
	assert_int_equal(vmx_virtualize_this_cpu(&v), -EIO);
	assert_false(fake_cpu.cr4 & X86_CR4_VMXE);
	assert_true(log_has("VMXON failed"));
}

static void test_launch_failure_names_error(void **state)
{
	(void)state;
	fake_cpu.launch_result = VMX_FAIL_VALID;
	fake_vmcs_set(VM_INSTRUCTION_ERROR, 8);
	assert_int_equal(vmx_virtualize_this_cpu(&v), -EIO);
	assert_false(v.launched);
	assert_false(fake_cpu.vmx_on);
	assert_true(log_has("invalid host-state field"));
}

/*
 * A host CR3 with bit 12 set (an order-0 page has it half the time) would be taken for
 * a PTI user CR3 by the kernel's NMI and #MC entry: refused, with the reason.
 */
static void test_host_cr3_with_pti_user_bit_refused(void **state)
{
	(void)state;
	fake_os_set_host_cr3(0x1235000);
	assert_int_equal(vmx_virtualize_this_cpu(&v), -EINVAL);
	fake_os_set_host_cr3(0x1234000);
	assert_false(fake_cpu.vmx_on);
	assert_false(v.launched);
	assert_true(log_has("PTI's user-table bit"));
	assert_int_equal(vmx_virtualize_this_cpu(&v), 0);
	assert_int_equal(fake_vmcs_get(HOST_CR3), 0x1234000);
	assert_int_equal(v.os_cr3, 0x1234000);	/* where root leaves to for the OS */
}

/* After a failed VMLAUNCH, the checker's verdict follows the error. */
static void test_launch_failure_logs_verdict(void **state)
{
	(void)state;
	fake_cpu.launch_result = VMX_FAIL_VALID;
	fake_vmcs_set(VM_INSTRUCTION_ERROR, 7);
	assert_int_equal(vmx_virtualize_this_cpu(&v), -EIO);
	assert_true(log_has("VM-entry checks after VMLAUNCH failed: 0 rules broken"));
}

/* A VMCS that breaks a VM-entry rule is refused before VMLAUNCH, with the rule named. */
static void test_broken_rule_refuses_launch(void **state)
{
	(void)state;
	fake_cpu_set_msr(MSR_GS_BASE, 0x0000800000000000ULL);	/* not canonical */
	fake_cpu.launch_result = VMX_FAIL_VALID;	/* must not get that far */
	assert_int_equal(vmx_virtualize_this_cpu(&v), -EINVAL);
	assert_false(v.launched);
	assert_false(fake_cpu.vmx_on);
	assert_false(fake_cpu.cr4 & X86_CR4_VMXE);
	/* named at error level, so a refused load names the rule in the kernel log */
	assert_int_equal(log_level_of("broken VM-entry rule host_base_canonical (SDM 27.2.3"),
			 LOG_LEVEL_ERR);
	assert_int_equal(log_level_of("not launching: the VMCS breaks the VM-entry rules"),
			 LOG_LEVEL_ERR);
}

static void test_launch_checked_first(void **state)
{
	(void)state;
	assert_int_equal(vmx_virtualize_this_cpu(&v), 0);
	assert_false(log_has("VM-entry"));	/* nothing broken: nothing said */
	/* the exit stub without the per-entry check, unless asked for */
	assert_int_equal(fake_vmcs_get(HOST_RIP), (u64)vmx_exit_stub);
}

static void test_entry_checks_stub(void **state)
{
	(void)state;
	entry_checks_on = true;
	assert_int_equal(vmx_virtualize_this_cpu(&v), 0);
	entry_checks_on = false;
	assert_int_equal(fake_vmcs_get(HOST_RIP), (u64)vmx_exit_stub_checked);
}

/* An optional control the CPU lacks is named in the log, and the CPU runs without it. */
static void test_dropped_optional_control_is_logged(void **state)
{
	(void)state;
	v.caps_copy.procbased2 &= ~((u64)SECONDARY_EXEC_ENABLE_VPID << 32);
	assert_int_equal(vmx_virtualize_this_cpu(&v), 0);
	assert_true(log_has("optional secondary"));
	assert_false(fake_vmcs_get(SECONDARY_VM_EXEC_CONTROL) & SECONDARY_EXEC_ENABLE_VPID);
}

/* With every optional control there, nothing is said about them. */
static void test_no_dropped_controls_no_line(void **state)
{
	(void)state;
	assert_int_equal(vmx_virtualize_this_cpu(&v), 0);
	assert_true(fake_vmcs_get(SECONDARY_VM_EXEC_CONTROL) & SECONDARY_EXEC_ENABLE_VPID);
	assert_false(log_has("optional"));
}

/* In root the vcpu is found above HOST_RSP; with no VMCS current there is none. */
static void test_current_vcpu(void **state)
{
	(void)state;
	assert_int_equal(vmx_virtualize_this_cpu(&v), 0);
	assert_ptr_equal(vmx_current_vcpu(), &v);
	fake_cpu.current_vmcs = ~0ULL;
	assert_null(vmx_current_vcpu());
}

static void test_forced_failure(void **state)
{
	(void)state;
	vmx_fail_on_cpu = 1;
	assert_int_equal(vmx_virtualize_this_cpu(&v), -EAGAIN);
	vmx_fail_on_cpu = -1;
	assert_false(fake_cpu.vmx_on);
	assert_true(log_has("on purpose"));
}

/* Every allocation of a vcpu can fail; none may leak. */
static void test_alloc_failures_do_not_leak(void **state)
{
	struct vcpu w;

	(void)state;
	for (int n = 0; n < 3; n++) {
		memset(&w, 0, sizeof(w));
		fake_os_fail_alloc_after(n);
		assert_int_equal(vmx_vcpu_alloc(&w, 0, &caps, 0), -ENOMEM);
		assert_int_equal(os_alloc_count(), 3);	/* only setup()'s vcpu */
	}
	fake_os_fail_alloc_after(-1);
}

/* The snapshot hypercall is only made on a CPU that runs as our guest. */
static void test_vmcs_snapshot_needs_launched_cpu(void **state)
{
	(void)state;
	assert_int_equal(vmx_vmcs_snapshot_this_cpu(&v), -ENXIO);
	assert_int_equal(vmx_virtualize_this_cpu(&v), 0);
	assert_int_equal(vmx_vmcs_snapshot_this_cpu(&v), 0);
}

static void test_msr_bitmap(void **state)
{
	(void)state;
	memset(bitmap, 0, sizeof(bitmap));
	vmx_msr_bitmap_init(bitmap, (u64)bitmap);
	/* read-low at 0, write-low at 2048 (SDM 25.6.9) */
	assert_true(bitmap[0x3a / 8] & (1 << (0x3a % 8)));
	assert_true(bitmap[2048 + 0x3a / 8] & (1 << (0x3a % 8)));
	assert_true(bitmap[0x480 / 8] & 1);
	assert_true(bitmap[0x491 / 8] & (1 << (0x491 % 8)));
	assert_false(bitmap[0x10 / 8] & (1 << (0x10 % 8)));		/* TSC passes */
	assert_false(bitmap[1024 + 0x100 / 8] & 1);			/* FS_BASE passes */
}

static void test_log_format_and_ring(void **state)
{
	struct log_ring r;
	char line[LOG_LINE];

	(void)state;
	memset(&r, 0, sizeof(r));
	log_printf(&r, "a %s %d %u %x %llx %lld %c %p %%", "str", -5, 7u, 255u, 0x1234ULL,
		   -9LL, 'z', (void *)0x10);
	assert_true(log_take(&r, line));
	assert_string_equal(line, "a str -5 7 ff 1234 -9 z 0x10 %");
	assert_false(log_take(&r, line));
	for (int i = 0; i < LOG_LINES + 5; i++)
		log_printf(&r, "%d", i);
	assert_int_equal(r.dropped, 5);
	assert_true(log_take(&r, line));
	assert_string_equal(line, "0");
	log_printf(&r, "%s", "x");	/* room again for one line */
	assert_int_equal(log_take_dropped(&r), 5);	/* taken once, then zero */
	assert_int_equal(log_take_dropped(&r), 0);
	log_printf(&r, "%s", "y");	/* full again: counted afresh */
	assert_int_equal(log_take_dropped(&r), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_virtualize_builds_vmcs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_cr3_with_pti_user_bit_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_nmi_controls, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_virtual_nmis_is_named, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_tables, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_tables_refuse_bad_selectors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vmcs_fields_written_explicitly, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_no_invvpid_no_vpid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cr3_targets_as_many_as_the_cpu_has, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_refuses_when_vmxe_already_set, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuses_when_firmware_disabled_vmx, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_unlocked_feature_control_gets_locked, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_missing_required_control_is_named, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_vmxon_failure_undone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_launch_failure_names_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_launch_failure_logs_verdict, setup, teardown),
		cmocka_unit_test_setup_teardown(test_broken_rule_refuses_launch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_launch_checked_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_entry_checks_stub, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dropped_optional_control_is_logged, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_no_dropped_controls_no_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_current_vcpu, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forced_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_failures_do_not_leak, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vmcs_snapshot_needs_launched_cpu, setup,
						teardown),
		cmocka_unit_test(test_msr_bitmap),
		cmocka_unit_test(test_log_format_and_ring),
	};

	return cmocka_run_group_tests_name("vmx", tests, NULL, NULL);
}
