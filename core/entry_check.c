// SPDX-License-Identifier: GPL-2.0
/*
 * The VM-entry checker (SDM Vol. 3C, 27.2 "Checks on VMX Controls and Host-State Area"
 * and 27.3.1 "Checks on the Guest State Area").  The rules and their names are in
 * entry_rules.h; each check below says which rule it is.  Every rule is evaluated,
 * so one run reports everything that is broken, not just the first thing a CPU
 * would stop at.
 */
#include "entry_check.h"
#include "ept.h"
#include "exit.h"
#include "vmx_decode.h"
#include "arch/x86.h"

const struct entry_rule_desc entry_rules[ER_NR] = {
#define ENTRY_RULE_DESC(n, k, s, f, a) \
	[ER_##n] = { .name = #n, .section = s, .allows = a, .field = f, .kind = ENTRY_KIND_##k },
	ENTRY_RULES(ENTRY_RULE_DESC)
#undef ENTRY_RULE_DESC
};

const char *entry_rule_name(unsigned int rule)
{
	return rule < ER_NR ? entry_rules[rule].name : "?";
}

const char *entry_kind_name(unsigned int kind)
{
	static const char *const names[] = {
		[ENTRY_KIND_CTRL] = "VMfailValid 7 (invalid control field)",
		[ENTRY_KIND_HOST] = "VMfailValid 8 (invalid host-state field)",
		[ENTRY_KIND_GUEST] = "exit 33 (invalid guest state)",
		[ENTRY_KIND_MSR] = "exit 34 (MSR loading)",
	};

	return kind < ARRAY_SIZE(names) ? names[kind] : "?";
}

bool entry_read_snapshot(void *ctx, u32 field, u64 *val)
{
	const struct vmcs_snapshot *s = ctx;
	size_t i;

	for (i = 0; i < VMCS_NR_FIELDS; i++) {
		if (vmcs_field_descs[i].encoding != field)
			continue;
		*val = s->val[i];
		return s->supported[i];
	}
	return false;
}

/* ---- segment access rights (SDM Vol. 3C, 25.4.1, Table 25-2) ---- */
#define AR_TYPE(ar)	((ar) & 0xf)
#define AR_S		BIT(4)
#define AR_DPL(ar)	(((ar) >> 5) & 3)
#define AR_P		BIT(7)
#define AR_L		BIT(13)
#define AR_DB		BIT(14)
#define AR_G		BIT(15)
#define AR_UNUSABLE	BIT(16)
#define AR_RESERVED	0xfffe0f00U

#define EFER_SCE	BIT_ULL(0)
#define EFER_LME	BIT_ULL(8)
#define EFER_LMA	BIT_ULL(10)
#define EFER_NXE	BIT_ULL(11)
#define EFER_VALID	(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE)

/* Bits 5:3 and 63:16 are reserved (bit 2 is bus-lock detection on newer CPUs). */
#define DEBUGCTL_RESERVED	(0x38ULL | ~0xffffULL)

#define RFLAGS_RESERVED	(~0x3fffffULL | BIT(15) | BIT(5) | BIT(3))
#define X86_EFLAGS_VM	BIT(17)

#define PENDING_DBG_B0_3	0xfULL
#define PENDING_DBG_ENABLED_BP	BIT_ULL(12)
#define PENDING_DBG_BS		BIT_ULL(14)
#define PENDING_DBG_RTM		BIT_ULL(16)

#define ACTIVITY_ACTIVE		0
#define ACTIVITY_HLT		1
#define ACTIVITY_SHUTDOWN	2
#define ACTIVITY_WAIT_SIPI	3

#define INTR_TYPE_RESERVED	1
#define INTR_TYPE_OTHER		7
#define X86_VEC_MC		18

#define IA32_VMX_BASIC_NO_ERRCODE_CHECK	BIT_ULL(56)

struct ec {
	const struct entry_check_in *in;
	const struct vmx_caps *c;
	struct entry_violation *out;
	unsigned int max, n;
	unsigned int phys, virt;	/* MAXPHYADDR, linear-address width */
	/* the controls, read once */
	u32 pin, proc, proc2, exit, entry;
	bool ug, ept, ia32e;
	u64 cr0, cr4, rflags;
	u32 intr_info;
	u32 intr_state, activity;
};

static u64 rd(struct ec *e, u32 field)
{
	u64 v = 0;

	if (!e->in->read(e->in->ctx, field, &v))
		return 0;
	return v;
}

static void bad(struct ec *e, enum entry_rule rule, u32 field, u64 value, u64 expect)
{
	if (e->n < e->max)
		e->out[e->n] = (struct entry_violation){
			.rule = (u16)rule, .field = field, .value = value, .expect = expect,
		};
	e->n++;
}

static bool canonical(u64 a, unsigned int bits)
{
	unsigned int sh = 64 - bits;

	return (u64)((s64)(a << sh) >> sh) == a;
}

/* A 64-bit pointer to a structure: aligned to @align bytes and below 2^MAXPHYADDR. */
static bool addr_ok(const struct ec *e, u64 a, u64 align)
{
	return !(a & (align - 1)) && (e->phys >= 64 || !(a >> e->phys));
}

static bool phys_ok(const struct ec *e, u64 a)
{
	return e->phys >= 64 || !(a >> e->phys);
}

static u64 phys_mask(const struct ec *e)
{
	return e->phys >= 64 ? ~0ULL : (1ULL << e->phys) - 1;
}

/*
 * The bits a host or guest CR3 may have set: below MAXPHYADDR, and with LAM also
 * LAM_U57 and LAM_U48 (SDM Vol. 3C 27.2.2 and 27.3.1.1: "bits 63:MAXPHYADDR, other than
 * bits 62:61 on processors that support LAM, must be zero").
 */
static u64 cr3_allowed(const struct ec *e)
{
	return phys_mask(e) | (e->c->lam ? X86_CR3_LAM_U57 | X86_CR3_LAM_U48 : 0);
}

static bool pat_ok(u64 pat)
{
	int i;

	for (i = 0; i < 8; i++) {
		u8 t = (u8)(pat >> (8 * i));

		if (t == 2 || t == 3 || t > 7)
			return false;
	}
	return true;
}

/* Allowed-0/allowed-1 of one control word (SDM Vol. 3D, A.3-A.5). */
static void check_ctl_word(struct ec *e, enum vmx_ctl ctl, u32 field, u32 val,
			   enum entry_rule r0, enum entry_rule r1)
{
	u64 cap = vmx_ctl_cap(e->c, ctl);
	u32 must1 = (u32)cap, may1 = (u32)(cap >> 32);

	if (~val & must1)
		bad(e, r0, field, val, val | must1);
	if (val & ~may1)
		bad(e, r1, field, val, val & may1);
}

/* ---- 27.2.1: VMX controls ---- */

static void check_exec_controls(struct ec *e)
{
	const struct vmx_caps *c = e->c;
	u64 v;

	check_ctl_word(e, VMX_CTL_PIN, PIN_BASED_VM_EXEC_CONTROL, e->pin,
		       ER_pin_ctls_allowed0, ER_pin_ctls_allowed1);
	check_ctl_word(e, VMX_CTL_PROC, CPU_BASED_VM_EXEC_CONTROL, e->proc,
		       ER_proc_ctls_allowed0, ER_proc_ctls_allowed1);
	if (e->proc & CPU_BASED_ACTIVATE_SECONDARY_CONTROLS)
		check_ctl_word(e, VMX_CTL_PROC2, SECONDARY_VM_EXEC_CONTROL, e->proc2,
			       ER_proc2_ctls_allowed0, ER_proc2_ctls_allowed1);

	v = rd(e, CR3_TARGET_COUNT);
	if (v > ((c->misc >> VMX_MISC_CR3_TARGETS_SHIFT) & VMX_MISC_CR3_TARGETS_MASK))
		bad(e, ER_cr3_target_count, CR3_TARGET_COUNT, v,
		    (c->misc >> VMX_MISC_CR3_TARGETS_SHIFT) & VMX_MISC_CR3_TARGETS_MASK);

	if (e->proc & CPU_BASED_USE_IO_BITMAPS) {
		v = rd(e, IO_BITMAP_A);
		if (!addr_ok(e, v, PAGE_SIZE))
			bad(e, ER_io_bitmap_a_addr, IO_BITMAP_A, v, v & phys_mask(e) & ~0xfffULL);
		v = rd(e, IO_BITMAP_B);
		if (!addr_ok(e, v, PAGE_SIZE))
			bad(e, ER_io_bitmap_b_addr, IO_BITMAP_B, v, v & phys_mask(e) & ~0xfffULL);
	}
	if (e->proc & CPU_BASED_USE_MSR_BITMAPS) {
		v = rd(e, MSR_BITMAP);
		if (!addr_ok(e, v, PAGE_SIZE))
			bad(e, ER_msr_bitmap_addr, MSR_BITMAP, v, v & phys_mask(e) & ~0xfffULL);
	}

	if (e->proc & CPU_BASED_TPR_SHADOW) {
		v = rd(e, VIRTUAL_APIC_PAGE_ADDR);
		if (!addr_ok(e, v, PAGE_SIZE))
			bad(e, ER_virtual_apic_addr, VIRTUAL_APIC_PAGE_ADDR, v,
			    v & phys_mask(e) & ~0xfffULL);
		v = rd(e, TPR_THRESHOLD);
		if (!(e->proc2 & SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY) && (v & ~0xfULL))
			bad(e, ER_tpr_threshold_reserved, TPR_THRESHOLD, v, v & 0xf);
	} else if (e->proc2 & (SECONDARY_EXEC_VIRTUALIZE_X2APIC_MODE |
			       SECONDARY_EXEC_APIC_REGISTER_VIRT |
			       SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY)) {
		bad(e, ER_apic_ctls_need_tpr_shadow, SECONDARY_VM_EXEC_CONTROL, e->proc2,
		    e->proc2 & ~(u64)(SECONDARY_EXEC_VIRTUALIZE_X2APIC_MODE |
				      SECONDARY_EXEC_APIC_REGISTER_VIRT |
				      SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY));
	}

	if ((e->pin & PIN_BASED_VIRTUAL_NMIS) && !(e->pin & PIN_BASED_NMI_EXITING))
		bad(e, ER_virtual_nmis_need_nmi_exiting, PIN_BASED_VM_EXEC_CONTROL, e->pin,
		    e->pin | PIN_BASED_NMI_EXITING);
	if ((e->proc & CPU_BASED_NMI_WINDOW_EXITING) && !(e->pin & PIN_BASED_VIRTUAL_NMIS))
		bad(e, ER_nmi_window_needs_virtual_nmis, CPU_BASED_VM_EXEC_CONTROL, e->proc,
		    e->proc & ~(u64)CPU_BASED_NMI_WINDOW_EXITING);

	if (e->proc2 & SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES) {
		v = rd(e, APIC_ACCESS_ADDR);
		if (!addr_ok(e, v, PAGE_SIZE))
			bad(e, ER_apic_access_addr, APIC_ACCESS_ADDR, v,
			    v & phys_mask(e) & ~0xfffULL);
		if (e->proc2 & SECONDARY_EXEC_VIRTUALIZE_X2APIC_MODE)
			bad(e, ER_x2apic_excludes_apic_access, SECONDARY_VM_EXEC_CONTROL,
			    e->proc2, e->proc2 & ~(u64)SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES);
	}
	if ((e->proc2 & SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY) &&
	    !(e->pin & PIN_BASED_EXT_INTR_MASK))
		bad(e, ER_vid_needs_ext_intr_exiting, PIN_BASED_VM_EXEC_CONTROL, e->pin,
		    e->pin | PIN_BASED_EXT_INTR_MASK);
	if (e->pin & PIN_BASED_POSTED_INTR) {
		if (!(e->proc2 & SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY) ||
		    !(e->exit & VM_EXIT_ACK_INTR_ON_EXIT))
			bad(e, ER_posted_intr_ctls, PIN_BASED_VM_EXEC_CONTROL, e->pin,
			    e->pin & ~(u64)PIN_BASED_POSTED_INTR);
		v = rd(e, POSTED_INTR_NV);
		if (v > 0xff)
			bad(e, ER_posted_intr_vector, POSTED_INTR_NV, v, v & 0xff);
		v = rd(e, POSTED_INTR_DESC_ADDR);
		if (!addr_ok(e, v, 64))
			bad(e, ER_posted_intr_desc_addr, POSTED_INTR_DESC_ADDR, v,
			    v & phys_mask(e) & ~0x3fULL);
	}
	if (e->proc2 & SECONDARY_EXEC_ENABLE_VPID) {
		v = rd(e, VIRTUAL_PROCESSOR_ID);
		if (!v)
			bad(e, ER_vpid_nonzero, VIRTUAL_PROCESSOR_ID, v, 1);
	}

	if (e->ept) {
		u64 eptp = rd(e, EPT_POINTER), walk = (eptp >> 3) & 7, rsvd;
		unsigned int type = eptp & 7;

		if (!((type == X86_MEMTYPE_UC && (c->ept_vpid & VMX_EPTP_UC)) ||
		      (type == X86_MEMTYPE_WB && (c->ept_vpid & VMX_EPTP_WB))))
			bad(e, ER_eptp_memory_type, EPT_POINTER, eptp,
			    (eptp & ~7ULL) | ((c->ept_vpid & VMX_EPTP_WB) ? X86_MEMTYPE_WB :
					      X86_MEMTYPE_UC));
		if (!((walk == 3 && (c->ept_vpid & VMX_EPT_PAGE_WALK_4)) ||
		      (walk == 4 && (c->ept_vpid & VMX_EPT_PAGE_WALK_5))))
			bad(e, ER_eptp_walk_length, EPT_POINTER, eptp, (eptp & ~0x38ULL) | 3 << 3);
		if ((eptp & EPTP_AD_ENABLE) && !(c->ept_vpid & VMX_EPT_AD))
			bad(e, ER_eptp_ad, EPT_POINTER, eptp, eptp & ~EPTP_AD_ENABLE);
		rsvd = 0xf00ULL | ~phys_mask(e);
		if (!(c->ept_vpid & VMX_EPT_SUPERVISOR_SHADOW_STACK))
			rsvd |= BIT_ULL(7);
		if (eptp & rsvd)
			bad(e, ER_eptp_reserved, EPT_POINTER, eptp, eptp & ~rsvd);
	}
	if (e->proc2 & SECONDARY_EXEC_ENABLE_PML) {
		if (!e->ept)
			bad(e, ER_pml_needs_ept, SECONDARY_VM_EXEC_CONTROL, e->proc2,
			    e->proc2 | SECONDARY_EXEC_ENABLE_EPT);
		v = rd(e, PML_ADDRESS);
		if (!addr_ok(e, v, PAGE_SIZE))
			bad(e, ER_pml_addr, PML_ADDRESS, v, v & phys_mask(e) & ~0xfffULL);
	}
	if (e->ug && !e->ept)
		bad(e, ER_unrestricted_needs_ept, SECONDARY_VM_EXEC_CONTROL, e->proc2,
		    e->proc2 | SECONDARY_EXEC_ENABLE_EPT);
	if ((e->proc2 & SECONDARY_EXEC_SUB_PAGE_PERMISSIONS) && !e->ept)
		bad(e, ER_spp_needs_ept, SECONDARY_VM_EXEC_CONTROL, e->proc2,
		    e->proc2 | SECONDARY_EXEC_ENABLE_EPT);
	if ((e->proc2 & SECONDARY_EXEC_MODE_BASED_EPT_EXEC) && !e->ept)
		bad(e, ER_mbec_needs_ept, SECONDARY_VM_EXEC_CONTROL, e->proc2,
		    e->proc2 | SECONDARY_EXEC_ENABLE_EPT);
	if (e->proc2 & SECONDARY_EXEC_ENABLE_VMFUNC) {
		v = rd(e, VM_FUNCTION_CONTROL);
		if (v & ~c->vmfunc)
			bad(e, ER_vmfunc_ctls, VM_FUNCTION_CONTROL, v, v & c->vmfunc);
		if (v & 1) {	/* EPTP switching */
			u64 list = rd(e, EPTP_LIST_ADDRESS);

			if (!e->ept || !addr_ok(e, list, PAGE_SIZE))
				bad(e, ER_eptp_switching, EPTP_LIST_ADDRESS, list,
				    list & phys_mask(e) & ~0xfffULL);
		}
	}
	if (e->proc2 & SECONDARY_EXEC_SHADOW_VMCS) {
		v = rd(e, VMREAD_BITMAP);
		if (!addr_ok(e, v, PAGE_SIZE))
			bad(e, ER_vmread_bitmap_addr, VMREAD_BITMAP, v,
			    v & phys_mask(e) & ~0xfffULL);
		v = rd(e, VMWRITE_BITMAP);
		if (!addr_ok(e, v, PAGE_SIZE))
			bad(e, ER_vmwrite_bitmap_addr, VMWRITE_BITMAP, v,
			    v & phys_mask(e) & ~0xfffULL);
	}
	if (e->proc2 & SECONDARY_EXEC_EPT_VIOLATION_VE) {
		v = rd(e, VE_INFORMATION_ADDRESS);
		if (!addr_ok(e, v, PAGE_SIZE))
			bad(e, ER_ve_info_addr, VE_INFORMATION_ADDRESS, v,
			    v & phys_mask(e) & ~0xfffULL);
	}
	if ((e->proc2 & SECONDARY_EXEC_PT_USE_GPA) &&
	    (!e->ept || !(e->entry & VM_ENTRY_LOAD_IA32_RTIT_CTL) ||
	     !(e->exit & VM_EXIT_CLEAR_IA32_RTIT_CTL)))
		bad(e, ER_pt_gpa_ctls, SECONDARY_VM_EXEC_CONTROL, e->proc2,
		    e->proc2 & ~(u64)SECONDARY_EXEC_PT_USE_GPA);
}

/* An MSR area: 16-byte aligned, all @count entries below 2^MAXPHYADDR. */
static void check_msr_area(struct ec *e, u32 count_field, u32 addr_field,
			   enum entry_rule rule)
{
	u64 count = rd(e, count_field), addr;

	if (!count)
		return;
	addr = rd(e, addr_field);
	if (!addr_ok(e, addr, 16) || !phys_ok(e, addr + count * 16 - 1))
		bad(e, rule, addr_field, addr, addr & phys_mask(e) & ~0xfULL);
}

static void check_exit_controls(struct ec *e)
{
	check_ctl_word(e, VMX_CTL_EXIT, VM_EXIT_CONTROLS, e->exit,
		       ER_exit_ctls_allowed0, ER_exit_ctls_allowed1);
	if ((e->exit & VM_EXIT_SAVE_VMX_PREEMPTION_TIMER) &&
	    !(e->pin & PIN_BASED_VMX_PREEMPTION_TIMER))
		bad(e, ER_save_timer_needs_timer, VM_EXIT_CONTROLS, e->exit,
		    e->exit & ~(u64)VM_EXIT_SAVE_VMX_PREEMPTION_TIMER);
	check_msr_area(e, VM_EXIT_MSR_STORE_COUNT, VM_EXIT_MSR_STORE_ADDR,
		       ER_exit_msr_store_addr);
	check_msr_area(e, VM_EXIT_MSR_LOAD_COUNT, VM_EXIT_MSR_LOAD_ADDR, ER_exit_msr_load_addr);
}

static bool vector_has_error_code(unsigned int vector)
{
	/* #DF, #TS, #NP, #SS, #GP, #PF, #AC, #CP */
	return vector == 8 || (vector >= 10 && vector <= 14) || vector == 17 || vector == 21;
}

static void check_event_injection(struct ec *e)
{
	const struct vmx_caps *c = e->c;
	u32 info = e->intr_info, type = (info & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT;
	u32 vector = info & INTR_INFO_VECTOR_MASK;
	bool code = info & INTR_INFO_DELIVER_CODE, pe = e->cr0 & X86_CR0_PE, must, mustnt;
	bool hw_check = !(c->basic & IA32_VMX_BASIC_NO_ERRCODE_CHECK);
	u64 v;

	if (!(info & INTR_INFO_VALID))
		return;
	if (info & 0x7ffff000)
		bad(e, ER_event_info_reserved, VM_ENTRY_INTR_INFO_FIELD, info, info & ~0x7ffff000U);
	if (type == INTR_TYPE_RESERVED ||
	    (type == INTR_TYPE_OTHER &&
	     !((vmx_ctl_cap(c, VMX_CTL_PROC) >> 32) & CPU_BASED_MONITOR_TRAP_FLAG)))
		bad(e, ER_event_type, VM_ENTRY_INTR_INFO_FIELD, info,
		    (info & ~INTR_INFO_TYPE_MASK) |
		    INTR_TYPE_HARD_EXCEPTION << INTR_INFO_TYPE_SHIFT);
	if ((type == INTR_TYPE_NMI && vector != X86_VEC_NMI) ||
	    (type == INTR_TYPE_HARD_EXCEPTION && vector > 31) ||
	    (type == INTR_TYPE_OTHER && vector != 0))
		bad(e, ER_event_vector, VM_ENTRY_INTR_INFO_FIELD, info,
		    (info & ~INTR_INFO_VECTOR_MASK) |
		    (type == INTR_TYPE_NMI ? X86_VEC_NMI : 0));
	/* 27.2.1.3: the deliver-error-code bit is 1 if all of ..., 0 if any of ... */
	must = type == INTR_TYPE_HARD_EXCEPTION && pe && hw_check &&
	       vector_has_error_code(vector);
	mustnt = type != INTR_TYPE_HARD_EXCEPTION || !pe ||
		 (hw_check && vector <= 31 && !vector_has_error_code(vector));
	if ((must && !code) || (mustnt && code))
		bad(e, ER_event_error_code_deliver, VM_ENTRY_INTR_INFO_FIELD, info,
		    info ^ INTR_INFO_DELIVER_CODE);
	if (code) {
		v = rd(e, VM_ENTRY_EXCEPTION_ERROR_CODE);
		if (v & 0xffff0000ULL)
			bad(e, ER_event_error_code_reserved, VM_ENTRY_EXCEPTION_ERROR_CODE, v,
			    v & 0xffff);
	}
	if (type == INTR_TYPE_SOFT_INTR || type == INTR_TYPE_PRIV_SW_EXCEPTION ||
	    type == INTR_TYPE_SOFT_EXCEPTION) {
		v = rd(e, VM_ENTRY_INSTRUCTION_LEN);
		if (v > 15 || (v == 0 && !(c->misc & VMX_MISC_ZERO_LEN_INS)))
			bad(e, ER_event_insn_len, VM_ENTRY_INSTRUCTION_LEN, v, v ? 15 : 1);
	}
}

static void check_entry_controls(struct ec *e)
{
	u64 count, max;

	check_ctl_word(e, VMX_CTL_ENTRY, VM_ENTRY_CONTROLS, e->entry,
		       ER_entry_ctls_allowed0, ER_entry_ctls_allowed1);
	/* This checker runs for VM entries outside SMM (see entry_check.h). */
	if (e->entry & (VM_ENTRY_SMM | VM_ENTRY_DEACT_DUAL_MONITOR))
		bad(e, ER_entry_smm_outside_smm, VM_ENTRY_CONTROLS, e->entry,
		    e->entry & ~(u64)(VM_ENTRY_SMM | VM_ENTRY_DEACT_DUAL_MONITOR));
	check_event_injection(e);
	check_msr_area(e, VM_ENTRY_MSR_LOAD_COUNT, VM_ENTRY_MSR_LOAD_ADDR,
		       ER_entry_msr_load_addr);
	/* A.6: more entries than recommended make the MSR loading fail (exit 34). */
	count = rd(e, VM_ENTRY_MSR_LOAD_COUNT);
	max = 512 * (((e->c->misc >> VMX_MISC_MSR_LIST_SHIFT) & VMX_MISC_MSR_LIST_MASK) + 1);
	if (count > max)
		bad(e, ER_entry_msr_load_count, VM_ENTRY_MSR_LOAD_COUNT, count, max);
}

/* ---- 27.2.2 - 27.2.4: the host-state area ---- */

static void check_fixed(struct ec *e, enum entry_rule rule, u32 field, u64 val, u64 fixed0,
			u64 fixed1)
{
	if ((val & fixed0) != fixed0 || (val & ~fixed1))
		bad(e, rule, field, val, (val | fixed0) & fixed1);
}

static void check_host(struct ec *e)
{
	static const u32 sels[] = {
		HOST_ES_SELECTOR, HOST_CS_SELECTOR, HOST_SS_SELECTOR, HOST_DS_SELECTOR,
		HOST_FS_SELECTOR, HOST_GS_SELECTOR, HOST_TR_SELECTOR,
	};
	static const u32 bases[] = {
		HOST_FS_BASE, HOST_GS_BASE, HOST_GDTR_BASE, HOST_IDTR_BASE, HOST_TR_BASE,
	};
	const struct vmx_caps *c = e->c;
	bool host64 = e->exit & VM_EXIT_HOST_ADDR_SPACE_SIZE;
	u64 cr4 = rd(e, HOST_CR4), v, rip = rd(e, HOST_RIP);
	size_t i;

	check_fixed(e, ER_host_cr0_fixed, HOST_CR0, rd(e, HOST_CR0), c->cr0_fixed0,
		    c->cr0_fixed1);
	check_fixed(e, ER_host_cr4_fixed, HOST_CR4, cr4, c->cr4_fixed0, c->cr4_fixed1);
	v = rd(e, HOST_CR3);
	if (v & ~cr3_allowed(e))
		bad(e, ER_host_cr3_width, HOST_CR3, v, v & cr3_allowed(e));
	v = rd(e, HOST_IA32_SYSENTER_ESP);
	if (!canonical(v, e->virt))
		bad(e, ER_host_sysenter_canonical, HOST_IA32_SYSENTER_ESP, v, 0);
	v = rd(e, HOST_IA32_SYSENTER_EIP);
	if (!canonical(v, e->virt))
		bad(e, ER_host_sysenter_canonical, HOST_IA32_SYSENTER_EIP, v, 0);
	if (e->exit & VM_EXIT_LOAD_IA32_PAT) {
		v = rd(e, HOST_IA32_PAT);
		if (!pat_ok(v))
			bad(e, ER_host_pat, HOST_IA32_PAT, v, 0x0007040600070406ULL);
	}
	if (e->exit & VM_EXIT_LOAD_IA32_EFER) {
		u64 want = host64 ? EFER_LMA | EFER_LME : 0;

		v = rd(e, HOST_IA32_EFER);
		if (v & ~EFER_VALID)
			bad(e, ER_host_efer_reserved, HOST_IA32_EFER, v, v & EFER_VALID);
		if ((v & (EFER_LMA | EFER_LME)) != want)
			bad(e, ER_host_efer_lma_lme, HOST_IA32_EFER, v,
			    (v & ~(EFER_LMA | EFER_LME)) | want);
	}

	for (i = 0; i < ARRAY_SIZE(sels); i++) {
		v = rd(e, sels[i]);
		if (v & 7)
			bad(e, ER_host_sel_rpl_ti, sels[i], v, v & ~7ULL);
	}
	if (!rd(e, HOST_CS_SELECTOR))
		bad(e, ER_host_cs_nonzero, HOST_CS_SELECTOR, 0, 0);
	if (!rd(e, HOST_TR_SELECTOR))
		bad(e, ER_host_tr_nonzero, HOST_TR_SELECTOR, 0, 0);
	if (!host64 && !rd(e, HOST_SS_SELECTOR))
		bad(e, ER_host_ss_nonzero, HOST_SS_SELECTOR, 0, 0);
	for (i = 0; i < ARRAY_SIZE(bases); i++) {
		v = rd(e, bases[i]);
		if (!canonical(v, e->virt))
			bad(e, ER_host_base_canonical, bases[i], v, 0);
	}

	/* 27.2.4: the processor doing the VM entry is in IA-32e mode. */
	if (!host64)
		bad(e, ER_host_addr_space_size, VM_EXIT_CONTROLS, e->exit,
		    e->exit | VM_EXIT_HOST_ADDR_SPACE_SIZE);
	if (!host64 && e->ia32e)
		bad(e, ER_ia32e_guest_needs_64bit_host, VM_ENTRY_CONTROLS, e->entry,
		    e->entry & ~(u64)VM_ENTRY_IA32E_MODE);
	if (!host64 && (cr4 & X86_CR4_PCIDE))
		bad(e, ER_host_32bit_state, HOST_CR4, cr4, cr4 & ~(u64)X86_CR4_PCIDE);
	if (!host64 && (rip >> 32))
		bad(e, ER_host_32bit_state, HOST_RIP, rip, (u32)rip);
	if (host64 && !(cr4 & X86_CR4_PAE))
		bad(e, ER_host_cr4_pae, HOST_CR4, cr4, cr4 | X86_CR4_PAE);
	if (host64 && !canonical(rip, e->virt))
		bad(e, ER_host_rip_canonical, HOST_RIP, rip, 0);
}

/* ---- 27.3.1.1: guest control registers, debug registers, MSRs ---- */

static void check_guest_regs(struct ec *e)
{
	const struct vmx_caps *c = e->c;
	u64 fixed0 = c->cr0_fixed0, v, cr3 = rd(e, GUEST_CR3);

	if (e->ug)
		fixed0 &= ~(u64)(X86_CR0_PE | X86_CR0_PG);
	check_fixed(e, ER_guest_cr0_fixed, GUEST_CR0, e->cr0, fixed0, c->cr0_fixed1);
	if ((e->cr0 & X86_CR0_PG) && !(e->cr0 & X86_CR0_PE))
		bad(e, ER_guest_cr0_pg_pe, GUEST_CR0, e->cr0, e->cr0 | X86_CR0_PE);
	check_fixed(e, ER_guest_cr4_fixed, GUEST_CR4, e->cr4, c->cr4_fixed0, c->cr4_fixed1);
	if (e->entry & VM_ENTRY_LOAD_DEBUG_CONTROLS) {
		v = rd(e, GUEST_IA32_DEBUGCTL);
		if (v & DEBUGCTL_RESERVED)
			bad(e, ER_guest_debugctl_reserved, GUEST_IA32_DEBUGCTL, v,
			    v & ~DEBUGCTL_RESERVED);
	}
	if (e->ia32e && !(e->cr0 & X86_CR0_PG))
		bad(e, ER_guest_ia32e_paging, GUEST_CR0, e->cr0, e->cr0 | X86_CR0_PG);
	if (e->ia32e && !(e->cr4 & X86_CR4_PAE))
		bad(e, ER_guest_ia32e_paging, GUEST_CR4, e->cr4, e->cr4 | X86_CR4_PAE);
	if (!e->ia32e && (e->cr4 & X86_CR4_PCIDE))
		bad(e, ER_guest_pcide_needs_ia32e, GUEST_CR4, e->cr4, e->cr4 & ~(u64)X86_CR4_PCIDE);
	if (cr3 & ~cr3_allowed(e))
		bad(e, ER_guest_cr3_width, GUEST_CR3, cr3, cr3 & cr3_allowed(e));
	if (e->entry & VM_ENTRY_LOAD_DEBUG_CONTROLS) {
		v = rd(e, GUEST_DR7);
		if (v >> 32)
			bad(e, ER_guest_dr7_upper, GUEST_DR7, v, (u32)v);
	}
	v = rd(e, GUEST_SYSENTER_ESP);
	if (!canonical(v, e->virt))
		bad(e, ER_guest_sysenter_canonical, GUEST_SYSENTER_ESP, v, 0);
	v = rd(e, GUEST_SYSENTER_EIP);
	if (!canonical(v, e->virt))
		bad(e, ER_guest_sysenter_canonical, GUEST_SYSENTER_EIP, v, 0);
	if (e->entry & VM_ENTRY_LOAD_IA32_PAT) {
		v = rd(e, GUEST_IA32_PAT);
		if (!pat_ok(v))
			bad(e, ER_guest_pat, GUEST_IA32_PAT, v, 0x0007040600070406ULL);
	}
	if (e->entry & VM_ENTRY_LOAD_IA32_EFER) {
		v = rd(e, GUEST_IA32_EFER);
		if (v & ~EFER_VALID)
			bad(e, ER_guest_efer_reserved, GUEST_IA32_EFER, v, v & EFER_VALID);
		if (!!(v & EFER_LMA) != e->ia32e)
			bad(e, ER_guest_efer_lma, GUEST_IA32_EFER, v, v ^ EFER_LMA);
		if ((e->cr0 & X86_CR0_PG) && !!(v & EFER_LMA) != !!(v & EFER_LME))
			bad(e, ER_guest_efer_lme, GUEST_IA32_EFER, v, v ^ EFER_LME);
	}
}

/* ---- 27.3.1.2: guest segment registers ---- */

enum { S_ES, S_CS, S_SS, S_DS, S_FS, S_GS, S_LDTR, S_TR, S_NR };

struct gseg {
	u32 sel_f, base_f, limit_f, ar_f;
	u16 sel;
	u64 base;
	u32 limit, ar;
};

#define GSEG(S) { GUEST_##S##_SELECTOR, GUEST_##S##_BASE, GUEST_##S##_LIMIT, GUEST_##S##_AR_BYTES }

static void check_limit_g(struct ec *e, const struct gseg *s)
{
	bool g = s->ar & AR_G;

	if ((g && (s->limit & 0xfff) != 0xfff) || (!g && (s->limit >> 20)))
		bad(e, ER_guest_limit_g, s->ar_f, s->ar, s->ar ^ AR_G);
}

static void check_ar_common(struct ec *e, const struct gseg *s)
{
	if (!(s->ar & AR_P))
		bad(e, ER_guest_seg_present, s->ar_f, s->ar, s->ar | AR_P);
	if (s->ar & AR_RESERVED)
		bad(e, ER_guest_ar_reserved, s->ar_f, s->ar, s->ar & ~AR_RESERVED);
	check_limit_g(e, s);
}

static void check_guest_segs(struct ec *e)
{
	struct gseg s[S_NR] = {
		[S_ES] = GSEG(ES), [S_CS] = GSEG(CS), [S_SS] = GSEG(SS), [S_DS] = GSEG(DS),
		[S_FS] = GSEG(FS), [S_GS] = GSEG(GS), [S_LDTR] = GSEG(LDTR), [S_TR] = GSEG(TR),
	};
	bool v86 = e->rflags & X86_EFLAGS_VM;
	struct gseg *cs = &s[S_CS], *ss = &s[S_SS], *tr = &s[S_TR], *ldtr = &s[S_LDTR];
	unsigned int i, cs_type;
	bool ldtr_usable;

	for (i = 0; i < S_NR; i++) {
		s[i].sel = (u16)rd(e, s[i].sel_f);
		s[i].base = rd(e, s[i].base_f);
		s[i].limit = (u32)rd(e, s[i].limit_f);
		s[i].ar = (u32)rd(e, s[i].ar_f);
	}
	cs_type = AR_TYPE(cs->ar);
	ldtr_usable = !(ldtr->ar & AR_UNUSABLE);

	/* selectors */
	if (tr->sel & 4)
		bad(e, ER_guest_tr_ti, tr->sel_f, tr->sel, tr->sel & ~4);
	if (ldtr_usable && (ldtr->sel & 4))
		bad(e, ER_guest_ldtr_ti, ldtr->sel_f, ldtr->sel, ldtr->sel & ~4);
	if (!v86 && !e->ug && (ss->sel & 3) != (cs->sel & 3))
		bad(e, ER_guest_ss_rpl, ss->sel_f, ss->sel, (ss->sel & ~3) | (cs->sel & 3));

	/* bases */
	if (!canonical(tr->base, e->virt))
		bad(e, ER_guest_base_canonical, tr->base_f, tr->base, 0);
	if (!canonical(s[S_FS].base, e->virt))
		bad(e, ER_guest_base_canonical, s[S_FS].base_f, s[S_FS].base, 0);
	if (!canonical(s[S_GS].base, e->virt))
		bad(e, ER_guest_base_canonical, s[S_GS].base_f, s[S_GS].base, 0);
	if (ldtr_usable && !canonical(ldtr->base, e->virt))
		bad(e, ER_guest_base_canonical, ldtr->base_f, ldtr->base, 0);

	if (v86) {
		for (i = S_ES; i <= S_GS; i++) {
			if (s[i].base != (u64)s[i].sel << 4)
				bad(e, ER_guest_v86_base, s[i].base_f, s[i].base,
				    (u64)s[i].sel << 4);
			if (s[i].limit != 0xffff)
				bad(e, ER_guest_v86_limit, s[i].limit_f, s[i].limit, 0xffff);
			if (s[i].ar != 0xf3)
				bad(e, ER_guest_v86_ar, s[i].ar_f, s[i].ar, 0xf3);
		}
	} else {
		if (cs->base >> 32)
			bad(e, ER_guest_base_upper, cs->base_f, cs->base, (u32)cs->base);
		for (i = S_ES; i <= S_DS; i++) {
			if (i == S_CS || (s[i].ar & AR_UNUSABLE))
				continue;
			if (s[i].base >> 32)
				bad(e, ER_guest_base_upper, s[i].base_f, s[i].base,
				    (u32)s[i].base);
		}

		/* CS */
		if (!(cs_type == 9 || cs_type == 11 || cs_type == 13 || cs_type == 15 ||
		      (e->ug && cs_type == 3)))
			bad(e, ER_guest_cs_type, cs->ar_f, cs->ar, (cs->ar & ~0xfU) | 11);
		if (!(cs->ar & AR_S))
			bad(e, ER_guest_seg_s, cs->ar_f, cs->ar, cs->ar | AR_S);
		if ((cs_type == 3 && AR_DPL(cs->ar) != 0) ||
		    ((cs_type == 9 || cs_type == 11) && AR_DPL(cs->ar) != AR_DPL(ss->ar)) ||
		    ((cs_type == 13 || cs_type == 15) && AR_DPL(cs->ar) > AR_DPL(ss->ar)))
			bad(e, ER_guest_cs_dpl, cs->ar_f, cs->ar,
			    (cs->ar & ~0x60U) | (cs_type == 3 ? 0 : ss->ar & 0x60));
		if (e->ia32e && (cs->ar & AR_L) && (cs->ar & AR_DB))
			bad(e, ER_guest_cs_l_db, cs->ar_f, cs->ar, cs->ar & ~AR_DB);
		check_ar_common(e, cs);

		/* SS: the DPL rules hold whether or not SS is usable */
		if (!e->ug && AR_DPL(ss->ar) != (ss->sel & 3u))
			bad(e, ER_guest_ss_dpl, ss->ar_f, ss->ar,
			    (ss->ar & ~0x60U) | (ss->sel & 3u) << 5);
		if ((cs_type == 3 || !(e->cr0 & X86_CR0_PE)) && AR_DPL(ss->ar) != 0)
			bad(e, ER_guest_ss_dpl, ss->ar_f, ss->ar, ss->ar & ~0x60U);
		if (!(ss->ar & AR_UNUSABLE)) {
			if (AR_TYPE(ss->ar) != 3 && AR_TYPE(ss->ar) != 7)
				bad(e, ER_guest_ss_type, ss->ar_f, ss->ar, (ss->ar & ~0xfU) | 3);
			if (!(ss->ar & AR_S))
				bad(e, ER_guest_seg_s, ss->ar_f, ss->ar, ss->ar | AR_S);
			check_ar_common(e, ss);
		}

		/* DS, ES, FS, GS */
		for (i = S_ES; i <= S_GS; i++) {
			u32 ar = s[i].ar, type = AR_TYPE(ar);

			if (i == S_CS || i == S_SS || (ar & AR_UNUSABLE))
				continue;
			if (!(type & 1) || ((type & 8) && !(type & 2)))
				bad(e, ER_guest_data_type, s[i].ar_f, ar,
				    ar | 1 | ((type & 8) ? 2 : 0));
			if (!(ar & AR_S))
				bad(e, ER_guest_seg_s, s[i].ar_f, ar, ar | AR_S);
			if (!e->ug && type <= 11 && AR_DPL(ar) < (s[i].sel & 3u))
				bad(e, ER_guest_data_dpl, s[i].ar_f, ar,
				    (ar & ~0x60U) | (s[i].sel & 3u) << 5);
			check_ar_common(e, &s[i]);
		}
	}

	/* TR */
	if (tr->ar & AR_UNUSABLE)
		bad(e, ER_guest_tr_usable, tr->ar_f, tr->ar, tr->ar & ~AR_UNUSABLE);
	if (!(AR_TYPE(tr->ar) == 11 || (!e->ia32e && AR_TYPE(tr->ar) == 3)))
		bad(e, ER_guest_tr_type, tr->ar_f, tr->ar, (tr->ar & ~0xfU) | 11);
	if (tr->ar & AR_S)
		bad(e, ER_guest_seg_s, tr->ar_f, tr->ar, tr->ar & ~AR_S);
	check_ar_common(e, tr);

	/* LDTR */
	if (ldtr_usable) {
		if (AR_TYPE(ldtr->ar) != 2)
			bad(e, ER_guest_ldtr_type, ldtr->ar_f, ldtr->ar, (ldtr->ar & ~0xfU) | 2);
		if (ldtr->ar & AR_S)
			bad(e, ER_guest_seg_s, ldtr->ar_f, ldtr->ar, ldtr->ar & ~AR_S);
		check_ar_common(e, ldtr);
	}
}

/* ---- 27.3.1.3 and 27.3.1.4: descriptor tables, RIP, RFLAGS ---- */

static void check_guest_dtr_rip_rflags(struct ec *e)
{
	static const u32 dtr_bases[] = { GUEST_GDTR_BASE, GUEST_IDTR_BASE };
	static const u32 dtr_limits[] = { GUEST_GDTR_LIMIT, GUEST_IDTR_LIMIT };
	u64 v, rip = rd(e, GUEST_RIP);
	bool cs_l = rd(e, GUEST_CS_AR_BYTES) & AR_L;
	size_t i;

	for (i = 0; i < 2; i++) {
		v = rd(e, dtr_bases[i]);
		if (!canonical(v, e->virt))
			bad(e, ER_guest_dtr_base_canonical, dtr_bases[i], v, 0);
		v = rd(e, dtr_limits[i]);
		if (v >> 16)
			bad(e, ER_guest_dtr_limit, dtr_limits[i], v, v & 0xffff);
	}

	if ((!e->ia32e || !cs_l) && (rip >> 32))
		bad(e, ER_guest_rip_upper, GUEST_RIP, rip, (u32)rip);
	if (e->ia32e && cs_l && !canonical(rip, e->virt))
		bad(e, ER_guest_rip_canonical, GUEST_RIP, rip, 0);

	v = e->rflags;
	if ((v & RFLAGS_RESERVED) || !(v & 2))
		bad(e, ER_guest_rflags_reserved, GUEST_RFLAGS, v, (v & ~RFLAGS_RESERVED) | 2);
	if ((e->ia32e || !(e->cr0 & X86_CR0_PE)) && (v & X86_EFLAGS_VM))
		bad(e, ER_guest_rflags_vm, GUEST_RFLAGS, v, v & ~(u64)X86_EFLAGS_VM);
	if ((e->intr_info & INTR_INFO_VALID) &&
	    ((e->intr_info & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT) == INTR_TYPE_EXT_INTR &&
	    !(v & X86_EFLAGS_IF))
		bad(e, ER_guest_rflags_if_ext_intr, GUEST_RFLAGS, v, v | X86_EFLAGS_IF);
}

/* ---- 27.3.1.5: non-register state ---- */

static void check_guest_nonreg(struct ec *e)
{
	const struct vmx_caps *c = e->c;
	u32 st = e->intr_state, act = e->activity, info = e->intr_info;
	u32 type = (info & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT;
	u32 vector = info & INTR_INFO_VECTOR_MASK;
	bool valid = info & INTR_INFO_VALID, blocking = st & (GUEST_INTR_STATE_STI |
							       GUEST_INTR_STATE_MOV_SS);
	u64 dbg = rd(e, GUEST_PENDING_DBG_EXCEPTIONS), link = rd(e, VMCS_LINK_POINTER);
	u64 debugctl = rd(e, GUEST_IA32_DEBUGCTL);

	if (act > ACTIVITY_WAIT_SIPI ||
	    (act == ACTIVITY_HLT && !(c->misc & VMX_MISC_ACTIVITY_HLT)) ||
	    (act == ACTIVITY_SHUTDOWN && !(c->misc & VMX_MISC_ACTIVITY_SHUTDOWN)) ||
	    (act == ACTIVITY_WAIT_SIPI && !(c->misc & VMX_MISC_ACTIVITY_WAIT_SIPI)))
		bad(e, ER_guest_activity_state, GUEST_ACTIVITY_STATE, act, ACTIVITY_ACTIVE);
	if (act == ACTIVITY_HLT && AR_DPL(rd(e, GUEST_SS_AR_BYTES)) != 0)
		bad(e, ER_guest_hlt_ss_dpl, GUEST_ACTIVITY_STATE, act, ACTIVITY_ACTIVE);
	if (blocking && act != ACTIVITY_ACTIVE)
		bad(e, ER_guest_activity_blocking, GUEST_ACTIVITY_STATE, act, ACTIVITY_ACTIVE);
	if (valid && act != ACTIVITY_ACTIVE) {
		bool ok = false;

		if (act == ACTIVITY_HLT)
			ok = type == INTR_TYPE_EXT_INTR || type == INTR_TYPE_NMI ||
			     (type == INTR_TYPE_HARD_EXCEPTION &&
			      (vector == X86_VEC_DB || vector == X86_VEC_MC)) ||
			     (type == INTR_TYPE_OTHER && vector == 0);
		else if (act == ACTIVITY_SHUTDOWN)
			ok = type == INTR_TYPE_NMI ||
			     (type == INTR_TYPE_HARD_EXCEPTION && vector == X86_VEC_MC);
		if (!ok)
			bad(e, ER_guest_activity_event, GUEST_ACTIVITY_STATE, act,
			    ACTIVITY_ACTIVE);
	}

	if (st & ~0x1fU)
		bad(e, ER_guest_intr_reserved, GUEST_INTERRUPTIBILITY_INFO, st, st & 0x1f);
	if ((st & GUEST_INTR_STATE_STI) && (st & GUEST_INTR_STATE_MOV_SS))
		bad(e, ER_guest_intr_sti_movss, GUEST_INTERRUPTIBILITY_INFO, st,
		    st & ~GUEST_INTR_STATE_STI);
	if ((st & GUEST_INTR_STATE_STI) && !(e->rflags & X86_EFLAGS_IF))
		bad(e, ER_guest_intr_sti_if, GUEST_INTERRUPTIBILITY_INFO, st,
		    st & ~GUEST_INTR_STATE_STI);
	if (valid && type == INTR_TYPE_EXT_INTR && blocking)
		bad(e, ER_guest_intr_ext_blocked, GUEST_INTERRUPTIBILITY_INFO, st,
		    st & ~(GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS));
	if (valid && type == INTR_TYPE_NMI && (st & GUEST_INTR_STATE_MOV_SS))
		bad(e, ER_guest_intr_nmi_movss, GUEST_INTERRUPTIBILITY_INFO, st,
		    st & ~GUEST_INTR_STATE_MOV_SS);
	/* Outside SMM (see entry_check.h), and entry to SMM is refused above. */
	if (st & GUEST_INTR_STATE_SMI)
		bad(e, ER_guest_intr_smi, GUEST_INTERRUPTIBILITY_INFO, st,
		    st & ~GUEST_INTR_STATE_SMI);
	if (valid && type == INTR_TYPE_NMI && (e->pin & PIN_BASED_VIRTUAL_NMIS) &&
	    (st & GUEST_INTR_STATE_NMI))
		bad(e, ER_guest_intr_vnmi_blocked, GUEST_INTERRUPTIBILITY_INFO, st,
		    st & ~GUEST_INTR_STATE_NMI);

	if (dbg & ~(PENDING_DBG_B0_3 | PENDING_DBG_ENABLED_BP | PENDING_DBG_BS |
		    PENDING_DBG_RTM))
		bad(e, ER_guest_pending_dbg_reserved, GUEST_PENDING_DBG_EXCEPTIONS, dbg,
		    dbg & (PENDING_DBG_B0_3 | PENDING_DBG_ENABLED_BP | PENDING_DBG_BS |
			   PENDING_DBG_RTM));
	if (blocking || act == ACTIVITY_HLT) {
		bool tf = e->rflags & X86_EFLAGS_TF, btf = debugctl & DEBUGCTL_BTF;
		bool want_bs = tf && !btf;

		if (!!(dbg & PENDING_DBG_BS) != want_bs)
			bad(e, ER_guest_pending_dbg_bs, GUEST_PENDING_DBG_EXCEPTIONS, dbg,
			    dbg ^ PENDING_DBG_BS);
	}
	if ((dbg & PENDING_DBG_RTM) &&
	    ((dbg & (0xfffULL & ~PENDING_DBG_ENABLED_BP)) || (dbg & BIT_ULL(15)) ||
	     !(dbg & PENDING_DBG_ENABLED_BP) || (st & GUEST_INTR_STATE_MOV_SS)))
		bad(e, ER_guest_pending_dbg_rtm, GUEST_PENDING_DBG_EXCEPTIONS, dbg,
		    dbg & ~PENDING_DBG_RTM);

	if (link != ~0ULL && !addr_ok(e, link, PAGE_SIZE))
		bad(e, ER_guest_vmcs_link, VMCS_LINK_POINTER, link, ~0ULL);
}

/* ---- 27.3.1.6: PDPTEs, when PAE paging runs under EPT ---- */

static void check_guest_pdptes(struct ec *e)
{
	static const u32 f[] = { GUEST_PDPTR0, GUEST_PDPTR1, GUEST_PDPTR2, GUEST_PDPTR3 };
	u64 rsvd = 0x6ULL | 0x1e0ULL | ~phys_mask(e), v;
	size_t i;

	if (!(e->cr0 & X86_CR0_PG) || !(e->cr4 & X86_CR4_PAE) || e->ia32e || !e->ept)
		return;
	for (i = 0; i < ARRAY_SIZE(f); i++) {
		v = rd(e, f[i]);
		if ((v & 1) && (v & rsvd))
			bad(e, ER_guest_pdpte_reserved, f[i], v, v & ~rsvd);
	}
}

unsigned int entry_check(const struct entry_check_in *in, struct entry_violation *out,
			 unsigned int max)
{
	struct ec e = { .in = in, .c = in->caps, .out = out, .max = max };

	e.phys = in->caps->phys_bits ? in->caps->phys_bits : 36;
	e.virt = in->caps->virt_bits ? in->caps->virt_bits : 48;
	e.pin = (u32)rd(&e, PIN_BASED_VM_EXEC_CONTROL);
	e.proc = (u32)rd(&e, CPU_BASED_VM_EXEC_CONTROL);
	/* 25.6.2: without the activate bit the secondary controls count as 0. */
	if (e.proc & CPU_BASED_ACTIVATE_SECONDARY_CONTROLS)
		e.proc2 = (u32)rd(&e, SECONDARY_VM_EXEC_CONTROL);
	e.exit = (u32)rd(&e, VM_EXIT_CONTROLS);
	e.entry = (u32)rd(&e, VM_ENTRY_CONTROLS);
	e.ug = e.proc2 & SECONDARY_EXEC_UNRESTRICTED_GUEST;
	e.ept = e.proc2 & SECONDARY_EXEC_ENABLE_EPT;
	e.ia32e = e.entry & VM_ENTRY_IA32E_MODE;
	e.cr0 = rd(&e, GUEST_CR0);
	e.cr4 = rd(&e, GUEST_CR4);
	e.rflags = rd(&e, GUEST_RFLAGS);
	e.intr_info = (u32)rd(&e, VM_ENTRY_INTR_INFO_FIELD);
	e.intr_state = (u32)rd(&e, GUEST_INTERRUPTIBILITY_INFO);
	e.activity = (u32)rd(&e, GUEST_ACTIVITY_STATE);

	check_exec_controls(&e);
	check_exit_controls(&e);
	check_entry_controls(&e);
	check_host(&e);
	check_guest_regs(&e);
	check_guest_segs(&e);
	check_guest_dtr_rip_rflags(&e);
	check_guest_nonreg(&e);
	check_guest_pdptes(&e);
	return e.n;
}
