// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for core/entry_check.c on the fake CPU: the VMCS subzero's own setup code
 * builds passes every check, and for every rule of entry_rules.h there is a VMCS that
 * passes (the rule's preconditions switched on) and one that breaks it, which the
 * checker must name.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "vmx.h"
#include "entry_check.h"
#include "exit.h"
#include "mtrr.h"
#include "errors.h"
#include "arch/x86.h"
#include "fake_cpu.h"
#include "fake_os.h"
#include <cpu_ops.h>

static struct vmx_caps caps;
static struct vcpu v;
static struct mtrr_state mtrr;
static u64 eptp_high;		/* the EPT pointer as setup wrote it */

#define EFER_LME	BIT_ULL(8)
#define EFER_LMA	BIT_ULL(10)
#define NONCANON	0x0000800000000000ULL

static bool read_fake(void *ctx, u32 field, u64 *val)
{
	(void)ctx;
	return cpu_vmread(field, val) == 0;
}

static struct entry_violation viol[64];

static unsigned int check(void)
{
	struct entry_check_in in = { .caps = &caps, .read = read_fake };

	return entry_check(&in, viol, ARRAY_SIZE(viol));
}

static void print_violations(unsigned int n)
{
	for (unsigned int i = 0; i < n && i < ARRAY_SIZE(viol); i++)
		printf("    %s: %s=%#llx (expect %#llx)\n", entry_rule_name(viol[i].rule),
		       vmcs_field_name(viol[i].field) ?: "?", viol[i].value, viol[i].expect);
}

static bool named(unsigned int n, unsigned int rule)
{
	for (unsigned int i = 0; i < n && i < ARRAY_SIZE(viol); i++)
		if (viol[i].rule == rule)
			return true;
	return false;
}

/*
 * The known-good VMCS: what vmx_virtualize_this_cpu() writes on the fake Haswell, with
 * EPT, and the MSRs a real CPU has (the fake profile lacks EFER, PAT, DEBUGCTL...).
 * GUEST_RIP/RSP are what vmx_launch() would write: addresses in the kernel.
 */
static void build_vmcs(void)
{
	fake_cpu_load(&fake_haswell);
	fake_os_fail_alloc_after(-1);
	fake_cpu_set_linux_msrs();
	assert_int_equal(vmx_caps_read(&caps), 0);
	assert_int_equal(caps.phys_bits, 39);
	/*
	 * The fake's "physical" addresses are host pointers (up to 47 bits): the EPT
	 * tables' too.  Loading (which checks the VMCS first) needs a MAXPHYADDR that
	 * holds them; the tests then go back to 39 bits with the EPT pointer moved low.
	 */
	caps.phys_bits = 48;
	assert_int_equal(mtrr_read(&mtrr), 0);
	vmx_ept_setup(&mtrr, 8ULL << 30);
	memset(&v, 0, sizeof(v));
	assert_int_equal(vmx_vcpu_alloc(&v, 1, &caps, 0x5000), 0);
	assert_int_equal(vmx_virtualize_this_cpu(&v), 0);
	fake_vmcs_set(GUEST_RIP, 0xffffffff81234567ULL);
	fake_vmcs_set(GUEST_RSP, 0xffffc90000013f00ULL);
	assert_int_equal(fake_cpu_gp_count(), 0);
	eptp_high = fake_vmcs_get(EPT_POINTER);
	caps.phys_bits = 39;
	fake_vmcs_set(EPT_POINTER, (eptp_high & 0xfff) | 0x3000);
	fake_vmcs_set(HOST_CR3, 0x4000);	/* so is root's page-table pointer */
}

static int setup(void **state)
{
	(void)state;
	build_vmcs();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vmx_vcpu_free(&v);
	return 0;
}

/*
 * The VMCS subzero's setup writes passes: vmx_virtualize_this_cpu() checked it before
 * "launching" (with the 48-bit MAXPHYADDR its host-pointer addresses need), and here
 * it passes again with the EPT pointer moved below the fake CPU's 39 bits.  Put back
 * where setup had it, that pointer is beyond 39 bits, and the checker says exactly so.
 */
static void test_setup_vmcs_passes(void **state)
{
	unsigned int n;

	(void)state;
	assert_true(v.launched);	/* the check before VMLAUNCH passed */
	assert_int_equal(caps.virt_bits, 48);
	n = check();
	print_violations(n);
	assert_int_equal(n, 0);
	fake_vmcs_set(EPT_POINTER, eptp_high);
	n = check();
	print_violations(n);
	if (eptp_high >> 39) {
		assert_int_equal(n, 1);
		assert_int_equal(viol[0].rule, ER_eptp_reserved);
	} else {
		assert_int_equal(n, 0);
	}
}

/* ---- one passing and one failing VMCS per rule ---- */

enum op_how { OP_END, OP_SET, OP_OR, OP_CLR };

struct op {
	u8 how;
	u32 field;
	u64 val;
};

struct rule_case {
	unsigned int rule;
	void (*caps_fn)(struct vmx_caps *c);	/* before both VMCSs */
	void (*pre_fn)(void);			/* before both VMCSs */
	struct op pre[8];			/* the passing VMCS (rule in force) */
	struct op bad[4];			/* ... then broken */
};

static void apply(const struct op *o, size_t n)
{
	for (size_t i = 0; i < n && o[i].how != OP_END; i++) {
		u64 cur = fake_vmcs_get(o[i].field);

		if (o[i].how == OP_SET)
			cur = o[i].val;
		else if (o[i].how == OP_OR)
			cur |= o[i].val;
		else
			cur &= ~o[i].val;
		fake_vmcs_set(o[i].field, cur);
	}
}

#define SET(f, v) { OP_SET, f, v }
#define OR(f, v) { OP_OR, f, v }
#define CLR(f, v) { OP_CLR, f, v }

/* capability tweaks: controls the fake Haswell lacks, made available */
static void allow_proc2(struct vmx_caps *c, u32 bits)
{
	c->procbased2 |= (u64)bits << 32;
}
static void caps_wbinvd_required(struct vmx_caps *c)
{
	c->procbased2 |= SECONDARY_EXEC_WBINVD_EXITING;
}
static void caps_no_ept_ad(struct vmx_caps *c) { c->ept_vpid &= ~VMX_EPT_AD; }
static void caps_lam(struct vmx_caps *c) { c->lam = true; }
static void caps_pml(struct vmx_caps *c) { allow_proc2(c, SECONDARY_EXEC_ENABLE_PML); }
static void caps_spp(struct vmx_caps *c) { allow_proc2(c, SECONDARY_EXEC_SUB_PAGE_PERMISSIONS); }
static void caps_mbec(struct vmx_caps *c) { allow_proc2(c, SECONDARY_EXEC_MODE_BASED_EPT_EXEC); }
static void caps_pt(struct vmx_caps *c)
{
	allow_proc2(c, SECONDARY_EXEC_PT_USE_GPA);
	c->true_entry |= (u64)VM_ENTRY_LOAD_IA32_RTIT_CTL << 32;
	c->true_exit |= (u64)VM_EXIT_CLEAR_IA32_RTIT_CTL << 32;
}
static void caps_posted(struct vmx_caps *c)
{
	c->true_pinbased |= (u64)PIN_BASED_POSTED_INTR << 32;
}
static void caps_no_hlt(struct vmx_caps *c) { c->misc &= ~VMX_MISC_ACTIVITY_HLT; }

/* A 32-bit protected-mode guest with PAE paging (not IA-32e mode). */
static void legacy32(void)
{
	apply((const struct op[]){
		CLR(VM_ENTRY_CONTROLS, VM_ENTRY_IA32E_MODE),
		CLR(GUEST_IA32_EFER, EFER_LMA | EFER_LME),
		CLR(GUEST_CR4, X86_CR4_PCIDE),
		SET(GUEST_CS_AR_BYTES, 0xc09b),
		SET(GUEST_RIP, 0x1000),
	}, 5);
}

/* ... and in virtual-8086 mode: every segment selector * 16, 64 KiB, 0xf3. */
static void v86(void)
{
	static const u32 segs[][4] = {
		{ GUEST_ES_SELECTOR, GUEST_ES_BASE, GUEST_ES_LIMIT, GUEST_ES_AR_BYTES },
		{ GUEST_CS_SELECTOR, GUEST_CS_BASE, GUEST_CS_LIMIT, GUEST_CS_AR_BYTES },
		{ GUEST_SS_SELECTOR, GUEST_SS_BASE, GUEST_SS_LIMIT, GUEST_SS_AR_BYTES },
		{ GUEST_DS_SELECTOR, GUEST_DS_BASE, GUEST_DS_LIMIT, GUEST_DS_AR_BYTES },
		{ GUEST_FS_SELECTOR, GUEST_FS_BASE, GUEST_FS_LIMIT, GUEST_FS_AR_BYTES },
		{ GUEST_GS_SELECTOR, GUEST_GS_BASE, GUEST_GS_LIMIT, GUEST_GS_AR_BYTES },
	};

	legacy32();
	for (size_t i = 0; i < ARRAY_SIZE(segs); i++) {
		fake_vmcs_set(segs[i][0], 0x1000 + i);
		fake_vmcs_set(segs[i][1], (0x1000 + i) << 4);
		fake_vmcs_set(segs[i][2], 0xffff);
		fake_vmcs_set(segs[i][3], 0xf3);
	}
	fake_vmcs_set(GUEST_RFLAGS, 0x20002);
}

/* A usable DS (the setup leaves it null) and a usable LDTR. */
#define DS_USABLE SET(GUEST_DS_SELECTOR, 0x18), SET(GUEST_DS_AR_BYTES, 0xc093), \
		  SET(GUEST_DS_LIMIT, 0xffffffff), SET(GUEST_DS_BASE, 0)
#define LDTR_USABLE SET(GUEST_LDTR_SELECTOR, 0x50), SET(GUEST_LDTR_AR_BYTES, 0x82), \
		    SET(GUEST_LDTR_LIMIT, 0xffff), SET(GUEST_LDTR_BASE, 0xfffffe0000001000ULL)
#define TPR_SHADOW OR(CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_TPR_SHADOW), \
		   SET(VIRTUAL_APIC_PAGE_ADDR, 0x8000), SET(TPR_THRESHOLD, 0)
#define PROC2 SECONDARY_VM_EXEC_CONTROL
#define PIN PIN_BASED_VM_EXEC_CONTROL
#define PROC CPU_BASED_VM_EXEC_CONTROL
#define EXT_INTR 0x80000030U		/* valid, external interrupt, vector 0x30 */
#define NMI 0x80000202U			/* valid, NMI, vector 2 */
#define GP_CODE 0x80000b0dU		/* valid, hardware exception #GP with error code */
#define UD 0x80000306U			/* valid, hardware exception #UD */

static const struct rule_case cases[] = {
	/* 27.2.1.1 */
	{ ER_pin_ctls_allowed0, .bad = { CLR(PIN, BIT(1)) } },
	{ ER_pin_ctls_allowed1, .bad = { OR(PIN, BIT(9)) } },
	{ ER_proc_ctls_allowed0, .bad = { CLR(PROC, BIT(1)) } },
	{ ER_proc_ctls_allowed1, .bad = { OR(PROC, CPU_BASED_ACTIVATE_TERTIARY_CONTROLS) } },
	{ ER_proc2_ctls_allowed0, .caps_fn = caps_wbinvd_required,
	  .pre = { OR(PROC2, SECONDARY_EXEC_WBINVD_EXITING) },
	  .bad = { CLR(PROC2, SECONDARY_EXEC_WBINVD_EXITING) } },
	{ ER_proc2_ctls_allowed1, .bad = { OR(PROC2, SECONDARY_EXEC_ENABLE_XSAVES) } },
	{ ER_cr3_target_count, .pre = { SET(CR3_TARGET_COUNT, 4) },
	  .bad = { SET(CR3_TARGET_COUNT, 5) } },
	{ ER_io_bitmap_a_addr,
	  .pre = { OR(PROC, CPU_BASED_USE_IO_BITMAPS), SET(IO_BITMAP_A, 0x6000),
		   SET(IO_BITMAP_B, 0x7000) },
	  .bad = { SET(IO_BITMAP_A, 0x6008) } },
	{ ER_io_bitmap_b_addr,
	  .pre = { OR(PROC, CPU_BASED_USE_IO_BITMAPS), SET(IO_BITMAP_A, 0x6000),
		   SET(IO_BITMAP_B, 0x7000) },
	  .bad = { SET(IO_BITMAP_B, 1ULL << 39) } },
	{ ER_msr_bitmap_addr, .bad = { SET(MSR_BITMAP, 0x5004) } },
	{ ER_msr_bitmap_addr, .bad = { SET(MSR_BITMAP, 0x8000005000ULL) } },
	{ ER_virtual_apic_addr, .pre = { TPR_SHADOW },
	  .bad = { SET(VIRTUAL_APIC_PAGE_ADDR, 0x8010) } },
	{ ER_tpr_threshold_reserved, .pre = { TPR_SHADOW }, .bad = { SET(TPR_THRESHOLD, 0x10) } },
	{ ER_apic_ctls_need_tpr_shadow, .bad = { OR(PROC2, SECONDARY_EXEC_APIC_REGISTER_VIRT) } },
	{ ER_virtual_nmis_need_nmi_exiting, .bad = { CLR(PIN, PIN_BASED_NMI_EXITING) } },
	{ ER_nmi_window_needs_virtual_nmis, .pre = { OR(PROC, CPU_BASED_NMI_WINDOW_EXITING) },
	  .bad = { CLR(PIN, PIN_BASED_VIRTUAL_NMIS) } },
	{ ER_apic_access_addr,
	  .pre = { OR(PROC2, SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES),
		   SET(APIC_ACCESS_ADDR, 0xfee00000) },
	  .bad = { SET(APIC_ACCESS_ADDR, 0xfee00800) } },
	{ ER_x2apic_excludes_apic_access,
	  .pre = { TPR_SHADOW, OR(PROC2, SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES),
		   SET(APIC_ACCESS_ADDR, 0x9000) },
	  .bad = { OR(PROC2, SECONDARY_EXEC_VIRTUALIZE_X2APIC_MODE) } },
	{ ER_vid_needs_ext_intr_exiting,
	  .pre = { TPR_SHADOW, OR(PROC2, SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY),
		   OR(PIN, PIN_BASED_EXT_INTR_MASK) },
	  .bad = { CLR(PIN, PIN_BASED_EXT_INTR_MASK) } },
	{ ER_posted_intr_ctls, .caps_fn = caps_posted,
	  .pre = { TPR_SHADOW, OR(PROC2, SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY),
		   OR(PIN, PIN_BASED_EXT_INTR_MASK | PIN_BASED_POSTED_INTR),
		   OR(VM_EXIT_CONTROLS, VM_EXIT_ACK_INTR_ON_EXIT), SET(POSTED_INTR_NV, 0xf2),
		   SET(POSTED_INTR_DESC_ADDR, 0xa000) },
	  .bad = { CLR(VM_EXIT_CONTROLS, VM_EXIT_ACK_INTR_ON_EXIT) } },
	{ ER_posted_intr_vector, .caps_fn = caps_posted,
	  .pre = { TPR_SHADOW, OR(PROC2, SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY),
		   OR(PIN, PIN_BASED_EXT_INTR_MASK | PIN_BASED_POSTED_INTR),
		   OR(VM_EXIT_CONTROLS, VM_EXIT_ACK_INTR_ON_EXIT), SET(POSTED_INTR_NV, 0xf2),
		   SET(POSTED_INTR_DESC_ADDR, 0xa000) },
	  .bad = { SET(POSTED_INTR_NV, 0x1f2) } },
	{ ER_posted_intr_desc_addr, .caps_fn = caps_posted,
	  .pre = { TPR_SHADOW, OR(PROC2, SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY),
		   OR(PIN, PIN_BASED_EXT_INTR_MASK | PIN_BASED_POSTED_INTR),
		   OR(VM_EXIT_CONTROLS, VM_EXIT_ACK_INTR_ON_EXIT), SET(POSTED_INTR_NV, 0xf2),
		   SET(POSTED_INTR_DESC_ADDR, 0xa000) },
	  .bad = { SET(POSTED_INTR_DESC_ADDR, 0xa020) } },
	{ ER_vpid_nonzero, .bad = { SET(VIRTUAL_PROCESSOR_ID, 0) } },
	{ ER_eptp_memory_type, .bad = { CLR(EPT_POINTER, 7), OR(EPT_POINTER, X86_MEMTYPE_WT) } },
	{ ER_eptp_walk_length, .bad = { CLR(EPT_POINTER, 0x38), OR(EPT_POINTER, 2 << 3) } },
	{ ER_eptp_ad, .caps_fn = caps_no_ept_ad, .pre = { CLR(EPT_POINTER, BIT(6)) },
	  .bad = { OR(EPT_POINTER, BIT(6)) } },
	{ ER_eptp_reserved, .bad = { OR(EPT_POINTER, BIT(9)) } },
	{ ER_eptp_reserved, .bad = { OR(EPT_POINTER, 1ULL << 39) } },
	{ ER_pml_needs_ept, .caps_fn = caps_pml,
	  .pre = { OR(PROC2, SECONDARY_EXEC_ENABLE_PML), SET(PML_ADDRESS, 0xb000) },
	  .bad = { CLR(PROC2, SECONDARY_EXEC_ENABLE_EPT) } },
	{ ER_pml_addr, .caps_fn = caps_pml,
	  .pre = { OR(PROC2, SECONDARY_EXEC_ENABLE_PML), SET(PML_ADDRESS, 0xb000) },
	  .bad = { SET(PML_ADDRESS, 0xb001) } },
	{ ER_unrestricted_needs_ept, .pre = { OR(PROC2, SECONDARY_EXEC_UNRESTRICTED_GUEST) },
	  .bad = { CLR(PROC2, SECONDARY_EXEC_ENABLE_EPT) } },
	{ ER_spp_needs_ept, .caps_fn = caps_spp,
	  .pre = { OR(PROC2, SECONDARY_EXEC_SUB_PAGE_PERMISSIONS) },
	  .bad = { CLR(PROC2, SECONDARY_EXEC_ENABLE_EPT) } },
	{ ER_mbec_needs_ept, .caps_fn = caps_mbec,
	  .pre = { OR(PROC2, SECONDARY_EXEC_MODE_BASED_EPT_EXEC) },
	  .bad = { CLR(PROC2, SECONDARY_EXEC_ENABLE_EPT) } },
	{ ER_vmfunc_ctls,
	  .pre = { OR(PROC2, SECONDARY_EXEC_ENABLE_VMFUNC), SET(VM_FUNCTION_CONTROL, 0) },
	  .bad = { SET(VM_FUNCTION_CONTROL, 2) } },
	{ ER_eptp_switching,
	  .pre = { OR(PROC2, SECONDARY_EXEC_ENABLE_VMFUNC), SET(VM_FUNCTION_CONTROL, 1),
		   SET(EPTP_LIST_ADDRESS, 0xc000) },
	  .bad = { SET(EPTP_LIST_ADDRESS, 0xc100) } },
	{ ER_vmread_bitmap_addr,
	  .pre = { OR(PROC2, SECONDARY_EXEC_SHADOW_VMCS), SET(VMREAD_BITMAP, 0xd000),
		   SET(VMWRITE_BITMAP, 0xe000) },
	  .bad = { SET(VMREAD_BITMAP, 0xd001) } },
	{ ER_vmwrite_bitmap_addr,
	  .pre = { OR(PROC2, SECONDARY_EXEC_SHADOW_VMCS), SET(VMREAD_BITMAP, 0xd000),
		   SET(VMWRITE_BITMAP, 0xe000) },
	  .bad = { SET(VMWRITE_BITMAP, 1ULL << 40) } },
	{ ER_ve_info_addr,
	  .pre = { OR(PROC2, SECONDARY_EXEC_EPT_VIOLATION_VE), SET(VE_INFORMATION_ADDRESS, 0xf000) },
	  .bad = { SET(VE_INFORMATION_ADDRESS, 0xf0f0) } },
	{ ER_pt_gpa_ctls, .caps_fn = caps_pt,
	  .pre = { OR(PROC2, SECONDARY_EXEC_PT_USE_GPA),
		   OR(VM_ENTRY_CONTROLS, VM_ENTRY_LOAD_IA32_RTIT_CTL),
		   OR(VM_EXIT_CONTROLS, VM_EXIT_CLEAR_IA32_RTIT_CTL) },
	  .bad = { CLR(VM_ENTRY_CONTROLS, VM_ENTRY_LOAD_IA32_RTIT_CTL) } },
	/* 27.2.1.2 */
	{ ER_exit_ctls_allowed0, .bad = { CLR(VM_EXIT_CONTROLS, BIT(0)) } },
	{ ER_exit_ctls_allowed1, .bad = { OR(VM_EXIT_CONTROLS, BIT(30)) } },
	{ ER_save_timer_needs_timer,
	  .pre = { OR(PIN, PIN_BASED_VMX_PREEMPTION_TIMER),
		   OR(VM_EXIT_CONTROLS, VM_EXIT_SAVE_VMX_PREEMPTION_TIMER) },
	  .bad = { CLR(PIN, PIN_BASED_VMX_PREEMPTION_TIMER) } },
	{ ER_exit_msr_store_addr,
	  .pre = { SET(VM_EXIT_MSR_STORE_COUNT, 2), SET(VM_EXIT_MSR_STORE_ADDR, 0x10000) },
	  .bad = { SET(VM_EXIT_MSR_STORE_ADDR, 0x10008) } },
	{ ER_exit_msr_store_addr,	/* the last entry crosses 2^MAXPHYADDR */
	  .pre = { SET(VM_EXIT_MSR_STORE_COUNT, 2),
		   SET(VM_EXIT_MSR_STORE_ADDR, (1ULL << 39) - 32) },
	  .bad = { SET(VM_EXIT_MSR_STORE_ADDR, (1ULL << 39) - 16) } },
	{ ER_exit_msr_load_addr,
	  .pre = { SET(VM_EXIT_MSR_LOAD_COUNT, 2), SET(VM_EXIT_MSR_LOAD_ADDR, 0x10000) },
	  .bad = { SET(VM_EXIT_MSR_LOAD_ADDR, 0x10004) } },
	/* 27.2.1.3 */
	{ ER_entry_ctls_allowed0, .bad = { CLR(VM_ENTRY_CONTROLS, BIT(0)) } },
	{ ER_entry_ctls_allowed1, .bad = { OR(VM_ENTRY_CONTROLS, BIT(20)) } },
	{ ER_entry_smm_outside_smm, .bad = { OR(VM_ENTRY_CONTROLS, VM_ENTRY_SMM) } },
	{ ER_entry_smm_outside_smm, .bad = { OR(VM_ENTRY_CONTROLS, VM_ENTRY_DEACT_DUAL_MONITOR) } },
	{ ER_event_info_reserved,
	  .pre = { SET(GUEST_RFLAGS, 0x202), SET(VM_ENTRY_INTR_INFO_FIELD, EXT_INTR) },
	  .bad = { OR(VM_ENTRY_INTR_INFO_FIELD, BIT(13)) } },
	{ ER_event_type,
	  .pre = { SET(GUEST_RFLAGS, 0x202), SET(VM_ENTRY_INTR_INFO_FIELD, EXT_INTR) },
	  .bad = { OR(VM_ENTRY_INTR_INFO_FIELD, 1 << 8) } },
	{ ER_event_type,		/* the fake Haswell has no monitor trap flag */
	  .pre = { SET(GUEST_RFLAGS, 0x202), SET(VM_ENTRY_INTR_INFO_FIELD, EXT_INTR) },
	  .bad = { SET(VM_ENTRY_INTR_INFO_FIELD, 0x80000700) } },
	{ ER_event_vector, .pre = { SET(VM_ENTRY_INTR_INFO_FIELD, NMI) },
	  .bad = { SET(VM_ENTRY_INTR_INFO_FIELD, NMI + 1) } },
	{ ER_event_vector, .pre = { SET(VM_ENTRY_INTR_INFO_FIELD, UD) },
	  .bad = { SET(VM_ENTRY_INTR_INFO_FIELD, 0x80000320) } },
	{ ER_event_error_code_deliver, .pre = { SET(VM_ENTRY_INTR_INFO_FIELD, GP_CODE) },
	  .bad = { CLR(VM_ENTRY_INTR_INFO_FIELD, INTR_INFO_DELIVER_CODE) } },
	{ ER_event_error_code_deliver, .pre = { SET(VM_ENTRY_INTR_INFO_FIELD, UD) },
	  .bad = { OR(VM_ENTRY_INTR_INFO_FIELD, INTR_INFO_DELIVER_CODE) } },
	{ ER_event_error_code_reserved,
	  .pre = { SET(VM_ENTRY_INTR_INFO_FIELD, GP_CODE), SET(VM_ENTRY_EXCEPTION_ERROR_CODE, 0x10) },
	  .bad = { SET(VM_ENTRY_EXCEPTION_ERROR_CODE, 0x10010) } },
	{ ER_event_insn_len,
	  .pre = { SET(VM_ENTRY_INTR_INFO_FIELD, 0x80000480), SET(VM_ENTRY_INSTRUCTION_LEN, 2) },
	  .bad = { SET(VM_ENTRY_INSTRUCTION_LEN, 0) } },
	{ ER_event_insn_len,
	  .pre = { SET(VM_ENTRY_INTR_INFO_FIELD, 0x80000603), SET(VM_ENTRY_INSTRUCTION_LEN, 15) },
	  .bad = { SET(VM_ENTRY_INSTRUCTION_LEN, 16) } },
	{ ER_entry_msr_load_addr,
	  .pre = { SET(VM_ENTRY_MSR_LOAD_COUNT, 1), SET(VM_ENTRY_MSR_LOAD_ADDR, 0x11000) },
	  .bad = { SET(VM_ENTRY_MSR_LOAD_ADDR, 0x11004) } },
	{ ER_entry_msr_load_count,
	  .pre = { SET(VM_ENTRY_MSR_LOAD_COUNT, 512), SET(VM_ENTRY_MSR_LOAD_ADDR, 0x100000) },
	  .bad = { SET(VM_ENTRY_MSR_LOAD_COUNT, 513) } },
	/* 27.2.2 - 27.2.4 */
	{ ER_host_cr0_fixed, .bad = { CLR(HOST_CR0, X86_CR0_PE) } },
	{ ER_host_cr0_fixed, .bad = { OR(HOST_CR0, 1ULL << 32) } },
	{ ER_host_cr4_fixed, .bad = { CLR(HOST_CR4, X86_CR4_VMXE) } },
	{ ER_host_cr4_fixed, .bad = { OR(HOST_CR4, BIT(23)) } },
	{ ER_host_cr3_width, .bad = { OR(HOST_CR3, 1ULL << 39) } },
	/* CR3 bits 62:61: beyond MAXPHYADDR without LAM, LAM_U48/U57 with it */
	{ ER_host_cr3_width, .bad = { OR(HOST_CR3, X86_CR3_LAM_U57) } },
	{ ER_host_cr3_width, .bad = { OR(HOST_CR3, X86_CR3_LAM_U48) } },
	{ ER_host_cr3_width, .caps_fn = caps_lam,
	  .pre = { OR(HOST_CR3, X86_CR3_LAM_U57 | X86_CR3_LAM_U48) },
	  .bad = { OR(HOST_CR3, BIT_ULL(63)) } },
	{ ER_host_cr3_width, .caps_fn = caps_lam,
	  .pre = { OR(HOST_CR3, X86_CR3_LAM_U57 | X86_CR3_LAM_U48) },
	  .bad = { OR(HOST_CR3, 1ULL << 39) } },
	{ ER_host_sysenter_canonical, .bad = { SET(HOST_IA32_SYSENTER_ESP, NONCANON) } },
	{ ER_host_sysenter_canonical, .bad = { SET(HOST_IA32_SYSENTER_EIP, NONCANON) } },
	{ ER_host_pat, .bad = { SET(HOST_IA32_PAT, 0x0007040600070402ULL) } },
	{ ER_host_efer_reserved, .bad = { OR(HOST_IA32_EFER, BIT(1)) } },
	{ ER_host_efer_lma_lme, .bad = { CLR(HOST_IA32_EFER, EFER_LMA) } },
	{ ER_host_sel_rpl_ti, .bad = { OR(HOST_DS_SELECTOR, 3) } },
	{ ER_host_sel_rpl_ti, .bad = { OR(HOST_TR_SELECTOR, 4) } },
	{ ER_host_cs_nonzero, .bad = { SET(HOST_CS_SELECTOR, 0) } },
	{ ER_host_tr_nonzero, .bad = { SET(HOST_TR_SELECTOR, 0) } },
	{ ER_host_ss_nonzero, .pre = { SET(HOST_SS_SELECTOR, 0) },
	  .bad = { CLR(VM_EXIT_CONTROLS, VM_EXIT_HOST_ADDR_SPACE_SIZE) } },
	{ ER_host_base_canonical, .bad = { SET(HOST_GS_BASE, NONCANON) } },
	{ ER_host_base_canonical, .bad = { SET(HOST_TR_BASE, NONCANON) } },
	{ ER_host_addr_space_size, .bad = { CLR(VM_EXIT_CONTROLS, VM_EXIT_HOST_ADDR_SPACE_SIZE) } },
	{ ER_ia32e_guest_needs_64bit_host,
	  .bad = { CLR(VM_EXIT_CONTROLS, VM_EXIT_HOST_ADDR_SPACE_SIZE) } },
	{ ER_host_32bit_state, .bad = { CLR(VM_EXIT_CONTROLS, VM_EXIT_HOST_ADDR_SPACE_SIZE) } },
	{ ER_host_cr4_pae, .bad = { CLR(HOST_CR4, X86_CR4_PAE) } },
	{ ER_host_rip_canonical, .bad = { SET(HOST_RIP, NONCANON) } },
	/* 27.3.1.1 */
	{ ER_guest_cr0_fixed, .bad = { CLR(GUEST_CR0, X86_CR0_NE) } },
	{ ER_guest_cr0_fixed, .bad = { CLR(GUEST_CR0, X86_CR0_PE) } },
	{ ER_guest_cr0_pg_pe, .pre = { OR(PROC2, SECONDARY_EXEC_UNRESTRICTED_GUEST) },
	  .bad = { CLR(GUEST_CR0, X86_CR0_PE) } },
	{ ER_guest_cr4_fixed, .bad = { CLR(GUEST_CR4, X86_CR4_VMXE) } },
	{ ER_guest_cr4_fixed, .bad = { OR(GUEST_CR4, BIT(24)) } },
	{ ER_guest_debugctl_reserved, .bad = { SET(GUEST_IA32_DEBUGCTL, BIT(3)) } },
	{ ER_guest_debugctl_reserved, .bad = { SET(GUEST_IA32_DEBUGCTL, BIT(16)) } },
	{ ER_guest_ia32e_paging, .bad = { CLR(GUEST_CR4, X86_CR4_PAE) } },
	{ ER_guest_pcide_needs_ia32e, .pre_fn = legacy32, .bad = { OR(GUEST_CR4, X86_CR4_PCIDE) } },
	{ ER_guest_cr3_width, .bad = { OR(GUEST_CR3, 1ULL << 39) } },
	{ ER_guest_cr3_width, .bad = { OR(GUEST_CR3, X86_CR3_LAM_U57) } },
	{ ER_guest_cr3_width, .bad = { OR(GUEST_CR3, X86_CR3_LAM_U48) } },
	{ ER_guest_cr3_width, .caps_fn = caps_lam,
	  .pre = { OR(GUEST_CR3, X86_CR3_LAM_U57 | X86_CR3_LAM_U48) },
	  .bad = { OR(GUEST_CR3, BIT_ULL(63)) } },
	{ ER_guest_cr3_width, .caps_fn = caps_lam,
	  .pre = { OR(GUEST_CR3, X86_CR3_LAM_U57 | X86_CR3_LAM_U48) },
	  .bad = { OR(GUEST_CR3, 1ULL << 39) } },
	{ ER_guest_dr7_upper, .bad = { OR(GUEST_DR7, 1ULL << 32) } },
	{ ER_guest_sysenter_canonical, .bad = { SET(GUEST_SYSENTER_EIP, NONCANON) } },
	{ ER_guest_pat, .bad = { SET(GUEST_IA32_PAT, 0x0007040600070403ULL) } },
	{ ER_guest_efer_reserved, .bad = { OR(GUEST_IA32_EFER, BIT(2)) } },
	{ ER_guest_efer_lma, .bad = { CLR(GUEST_IA32_EFER, EFER_LMA) } },
	{ ER_guest_efer_lme, .bad = { CLR(GUEST_IA32_EFER, EFER_LME) } },
	/* 27.3.1.2 */
	{ ER_guest_tr_ti, .bad = { OR(GUEST_TR_SELECTOR, 4) } },
	{ ER_guest_ldtr_ti, .pre = { LDTR_USABLE }, .bad = { OR(GUEST_LDTR_SELECTOR, 4) } },
	{ ER_guest_ss_rpl, .bad = { OR(GUEST_SS_SELECTOR, 3) } },
	{ ER_guest_v86_base, .pre_fn = v86, .bad = { SET(GUEST_DS_BASE, 0x10010) } },
	{ ER_guest_v86_limit, .pre_fn = v86, .bad = { SET(GUEST_ES_LIMIT, 0xfffff) } },
	{ ER_guest_v86_ar, .pre_fn = v86, .bad = { SET(GUEST_FS_AR_BYTES, 0x93) } },
	{ ER_guest_base_canonical, .bad = { SET(GUEST_FS_BASE, NONCANON) } },
	{ ER_guest_base_canonical, .pre = { LDTR_USABLE }, .bad = { SET(GUEST_LDTR_BASE, NONCANON) } },
	{ ER_guest_base_upper, .bad = { SET(GUEST_CS_BASE, 1ULL << 32) } },
	{ ER_guest_base_upper, .pre = { DS_USABLE }, .bad = { SET(GUEST_DS_BASE, 1ULL << 32) } },
	{ ER_guest_cs_type, .bad = { SET(GUEST_CS_AR_BYTES, 0xa093) } },
	{ ER_guest_ss_type, .bad = { SET(GUEST_SS_AR_BYTES, 0xc09b) } },
	{ ER_guest_data_type, .pre = { DS_USABLE }, .bad = { CLR(GUEST_DS_AR_BYTES, 1) } },
	{ ER_guest_data_type, .pre = { DS_USABLE }, .bad = { SET(GUEST_DS_AR_BYTES, 0xc099) } },
	{ ER_guest_seg_s, .bad = { CLR(GUEST_CS_AR_BYTES, BIT(4)) } },
	{ ER_guest_seg_s, .bad = { OR(GUEST_TR_AR_BYTES, BIT(4)) } },
	{ ER_guest_cs_dpl, .bad = { OR(GUEST_CS_AR_BYTES, 0x60) } },
	{ ER_guest_ss_dpl, .bad = { OR(GUEST_SS_AR_BYTES, 0x60) } },
	{ ER_guest_data_dpl,
	  .pre = { DS_USABLE, SET(GUEST_DS_SELECTOR, 0x1b), SET(GUEST_DS_AR_BYTES, 0xc0f3) },
	  .bad = { SET(GUEST_DS_AR_BYTES, 0xc093) } },
	{ ER_guest_seg_present, .bad = { CLR(GUEST_CS_AR_BYTES, BIT(7)) } },
	{ ER_guest_seg_present, .bad = { CLR(GUEST_TR_AR_BYTES, BIT(7)) } },
	{ ER_guest_ar_reserved, .bad = { OR(GUEST_CS_AR_BYTES, BIT(8)) } },
	{ ER_guest_ar_reserved, .bad = { OR(GUEST_SS_AR_BYTES, BIT(20)) } },
	{ ER_guest_cs_l_db, .bad = { OR(GUEST_CS_AR_BYTES, BIT(14)) } },
	{ ER_guest_limit_g, .bad = { SET(GUEST_CS_LIMIT, 0xfffff000) } },
	{ ER_guest_limit_g, .bad = { SET(GUEST_TR_LIMIT, 0x100000) } },
	{ ER_guest_tr_type, .bad = { SET(GUEST_TR_AR_BYTES, 0x83) } },
	{ ER_guest_tr_usable, .bad = { OR(GUEST_TR_AR_BYTES, BIT(16)) } },
	{ ER_guest_ldtr_type, .pre = { LDTR_USABLE }, .bad = { SET(GUEST_LDTR_AR_BYTES, 0x83) } },
	/* 27.3.1.3, 27.3.1.4 */
	{ ER_guest_dtr_base_canonical, .bad = { SET(GUEST_GDTR_BASE, NONCANON) } },
	{ ER_guest_dtr_limit, .bad = { SET(GUEST_IDTR_LIMIT, 0x10000) } },
	{ ER_guest_rip_upper, .bad = { CLR(GUEST_CS_AR_BYTES, BIT(13)) } },
	{ ER_guest_rip_upper, .pre_fn = legacy32, .bad = { SET(GUEST_RIP, 1ULL << 32) } },
	{ ER_guest_rip_canonical, .bad = { SET(GUEST_RIP, NONCANON) } },
	{ ER_guest_rflags_reserved, .bad = { OR(GUEST_RFLAGS, BIT(15)) } },
	{ ER_guest_rflags_reserved, .bad = { CLR(GUEST_RFLAGS, BIT(1)) } },
	{ ER_guest_rflags_vm, .bad = { OR(GUEST_RFLAGS, BIT(17)) } },
	{ ER_guest_rflags_if_ext_intr,
	  .pre = { SET(GUEST_RFLAGS, 0x202), SET(VM_ENTRY_INTR_INFO_FIELD, EXT_INTR) },
	  .bad = { SET(GUEST_RFLAGS, 0x2) } },
	/* 27.3.1.5 */
	{ ER_guest_activity_state, .pre = { SET(GUEST_ACTIVITY_STATE, 3) },
	  .bad = { SET(GUEST_ACTIVITY_STATE, 4) } },
	{ ER_guest_activity_state, .caps_fn = caps_no_hlt, .bad = { SET(GUEST_ACTIVITY_STATE, 1) } },
	{ ER_guest_hlt_ss_dpl, .pre = { SET(GUEST_ACTIVITY_STATE, 1) },
	  .bad = { OR(GUEST_SS_AR_BYTES, 0x60) } },
	{ ER_guest_activity_blocking,
	  .pre = { SET(GUEST_RFLAGS, 0x202), SET(GUEST_INTERRUPTIBILITY_INFO, 1) },
	  .bad = { SET(GUEST_ACTIVITY_STATE, 1) } },
	{ ER_guest_activity_event,
	  .pre = { SET(GUEST_ACTIVITY_STATE, 1), SET(VM_ENTRY_INTR_INFO_FIELD, NMI) },
	  .bad = { SET(VM_ENTRY_INTR_INFO_FIELD, UD) } },
	{ ER_guest_activity_event,
	  .pre = { SET(GUEST_ACTIVITY_STATE, 2), SET(VM_ENTRY_INTR_INFO_FIELD, NMI) },
	  .bad = { SET(GUEST_ACTIVITY_STATE, 3) } },
	{ ER_guest_intr_reserved, .bad = { SET(GUEST_INTERRUPTIBILITY_INFO, BIT(5)) } },
	{ ER_guest_intr_sti_movss, .pre = { SET(GUEST_RFLAGS, 0x202) },
	  .bad = { SET(GUEST_INTERRUPTIBILITY_INFO, 3) } },
	{ ER_guest_intr_sti_if, .bad = { SET(GUEST_INTERRUPTIBILITY_INFO, 1) } },
	{ ER_guest_intr_ext_blocked,
	  .pre = { SET(GUEST_RFLAGS, 0x202), SET(VM_ENTRY_INTR_INFO_FIELD, EXT_INTR) },
	  .bad = { SET(GUEST_INTERRUPTIBILITY_INFO, 2) } },
	{ ER_guest_intr_nmi_movss, .pre = { SET(VM_ENTRY_INTR_INFO_FIELD, NMI) },
	  .bad = { SET(GUEST_INTERRUPTIBILITY_INFO, 2) } },
	{ ER_guest_intr_smi, .bad = { SET(GUEST_INTERRUPTIBILITY_INFO, 4) } },
	{ ER_guest_intr_vnmi_blocked, .pre = { SET(VM_ENTRY_INTR_INFO_FIELD, NMI) },
	  .bad = { SET(GUEST_INTERRUPTIBILITY_INFO, 8) } },
	{ ER_guest_pending_dbg_reserved, .bad = { SET(GUEST_PENDING_DBG_EXCEPTIONS, BIT(4)) } },
	{ ER_guest_pending_dbg_bs,
	  .pre = { SET(GUEST_RFLAGS, 0x302), SET(GUEST_INTERRUPTIBILITY_INFO, 1),
		   SET(GUEST_PENDING_DBG_EXCEPTIONS, BIT(14)) },
	  .bad = { SET(GUEST_PENDING_DBG_EXCEPTIONS, 0) } },
	{ ER_guest_pending_dbg_bs,
	  .pre = { SET(GUEST_RFLAGS, 0x202), SET(GUEST_INTERRUPTIBILITY_INFO, 1) },
	  .bad = { SET(GUEST_PENDING_DBG_EXCEPTIONS, BIT(14)) } },
	{ ER_guest_pending_dbg_rtm, .pre = { SET(GUEST_PENDING_DBG_EXCEPTIONS, 0x11000) },
	  .bad = { SET(GUEST_PENDING_DBG_EXCEPTIONS, 0x10000) } },
	{ ER_guest_vmcs_link, .pre = { SET(VMCS_LINK_POINTER, 0x12000) },
	  .bad = { SET(VMCS_LINK_POINTER, 0x12008) } },
	/* 27.3.1.6 */
	{ ER_guest_pdpte_reserved, .pre_fn = legacy32, .pre = { SET(GUEST_PDPTR0, 0x1001) },
	  .bad = { SET(GUEST_PDPTR2, 0x2003) } },
};

static void run_case(const struct rule_case *c)
{
	unsigned int n;

	build_vmcs();
	if (c->caps_fn)
		c->caps_fn(&caps);
	if (c->pre_fn)
		c->pre_fn();
	apply(c->pre, ARRAY_SIZE(c->pre));
	n = check();
	if (n) {
		printf("  %s: the passing VMCS has %u violations:\n", entry_rule_name(c->rule), n);
		print_violations(n);
	}
	assert_int_equal(n, 0);
	apply(c->bad, ARRAY_SIZE(c->bad));
	n = check();
	if (!named(n, c->rule)) {
		printf("  %s: not named; the checker said:\n", entry_rule_name(c->rule));
		print_violations(n);
	}
	assert_true(named(n, c->rule));
	vmx_vcpu_free(&v);
}

static void test_every_rule(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		run_case(&cases[i]);
}

/* Every rule of the table has a case above. */
static void test_every_rule_has_a_case(void **state)
{
	(void)state;
	for (unsigned int r = 0; r < ER_NR; r++) {
		bool found = false;

		for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
			found |= cases[i].rule == r;
		if (!found)
			printf("  rule %s has no case\n", entry_rule_name(r));
		assert_true(found);
	}
}

/* Every rule has a name, a section of chapter 27 and a description. */
static void test_rule_table(void **state)
{
	(void)state;
	assert_true(ER_NR >= 100);
	for (unsigned int r = 0; r < ER_NR; r++) {
		assert_non_null(entry_rules[r].name);
		assert_int_equal(strncmp(entry_rules[r].section, "27.", 3), 0);
		assert_true(strlen(entry_rules[r].allows) > 3);
		assert_non_null(vmcs_field_name(entry_rules[r].field));
		for (unsigned int s = 0; s < r; s++)
			assert_string_not_equal(entry_rules[r].name, entry_rules[s].name);
	}
	assert_string_equal(entry_rule_name(ER_NR), "?");
	assert_string_equal(entry_kind_name(ENTRY_KIND_GUEST), "exit 33 (invalid guest state)");
}

/* Not just the first: three broken areas, three rules; the count beyond max. */
static void test_reports_every_violation(void **state)
{
	struct entry_check_in in = { .caps = &caps, .read = read_fake };
	struct entry_violation one[1];
	unsigned int n;

	(void)state;
	fake_vmcs_set(VIRTUAL_PROCESSOR_ID, 0);
	fake_vmcs_set(HOST_CS_SELECTOR, 0);
	fake_vmcs_set(GUEST_DR7, 1ULL << 40);
	n = check();
	print_violations(n);
	assert_int_equal(n, 3);
	assert_int_equal(viol[0].rule, ER_vpid_nonzero);
	assert_int_equal(viol[0].field, VIRTUAL_PROCESSOR_ID);
	assert_int_equal(viol[1].rule, ER_host_cs_nonzero);
	assert_int_equal(viol[2].rule, ER_guest_dr7_upper);
	assert_int_equal(viol[2].value, 1ULL << 40);
	assert_int_equal(entry_rules[viol[2].rule].kind, ENTRY_KIND_GUEST);
	memset(one, 0xaa, sizeof(one));
	assert_int_equal(entry_check(&in, one, 1), 3);
	assert_int_equal(one[0].rule, ER_vpid_nonzero);
	assert_int_equal(entry_check(&in, NULL, 0), 3);
}

/* The same verdict from a snapshot, as the tool sees the VMCS. */
static void test_snapshot_reader(void **state)
{
	static struct vmcs_snapshot snap;
	struct entry_check_in in = { .caps = &caps, .read = entry_read_snapshot, .ctx = &snap };
	u64 val;

	(void)state;
	fake_vmcs_unsupport(GUEST_IA32_RTIT_CTL);
	vmcs_snapshot(&snap);
	assert_int_equal(entry_check(&in, viol, ARRAY_SIZE(viol)), 0);
	assert_false(entry_read_snapshot(&snap, GUEST_IA32_RTIT_CTL, &val));
	assert_false(entry_read_snapshot(&snap, 0x7fff, &val));
	for (size_t i = 0; i < VMCS_NR_FIELDS; i++)
		if (vmcs_field_descs[i].encoding == GUEST_TR_SELECTOR)
			snap.val[i] |= 4;
	assert_int_equal(entry_check(&in, viol, ARRAY_SIZE(viol)), 1);
	assert_int_equal(viol[0].rule, ER_guest_tr_ti);
}

/* A field the CPU does not have reads as 0: here the VPID, which must not be 0. */
static void test_unsupported_field_reads_as_zero(void **state)
{
	(void)state;
	fake_vmcs_unsupport(VIRTUAL_PROCESSOR_ID);
	assert_int_equal(check(), 1);
	assert_int_equal(viol[0].rule, ER_vpid_nonzero);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_setup_vmcs_passes, setup, teardown),
		cmocka_unit_test(test_every_rule),
		cmocka_unit_test(test_every_rule_has_a_case),
		cmocka_unit_test(test_rule_table),
		cmocka_unit_test_setup_teardown(test_reports_every_violation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_snapshot_reader, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unsupported_field_reads_as_zero, setup,
						teardown),
	};

	return cmocka_run_group_tests_name("entry_check", tests, NULL, NULL);
}
