// SPDX-License-Identifier: GPL-2.0
/*
 * The VM-entry checker on the live VMCS (see entry_root.h): the verdict logged after
 * a failed VM entry and before VMLAUNCH, the per-entry check, and the cross-check
 * against what the CPU itself does.  Runs in VMX root: VMREAD/VMWRITE and the log
 * ring only.
 */
#include "entry_root.h"
#include "errors.h"
#include "exit.h"
#include "vmx.h"
#include "vmx_decode.h"
#include "arch/x86.h"
#include <cpu_ops.h>

bool entry_checks_on;

bool entry_read_live(void *ctx, u32 field, u64 *val)
{
	(void)ctx;
	return cpu_vmread(field, val) == 0;
}

#define ENTRY_VIOL_MAX	32

static unsigned int check_live(struct vcpu *v, struct entry_violation *viol)
{
	struct entry_check_in in = { .caps = v->caps, .read = entry_read_live };

	return entry_check(&in, viol, ENTRY_VIOL_MAX);
}

/*
 * A broken rule is an error (LOG_ERR), so the line reaches the kernel log and the e2e
 * harness fails the test in which it happened (KLOG_BAD in tests/e2e/guest/lib.sh
 * matches "CPU n: broken VM-entry rule").  The cross-check breaks rules on purpose and
 * never logs this line: its own lines say "xcheck" and are routine (debug).
 */
static void log_violations(struct vcpu *v, const struct entry_violation *viol,
			   unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n && i < ENTRY_VIOL_MAX; i++) {
		const struct entry_rule_desc *d = &entry_rules[viol[i].rule];

		log_printf(&v->log, LOG_ERR "CPU %u: broken VM-entry rule %s (SDM %s, %s): %s=%llx (%llx would do); allows %s", v->cpu, d->name, d->section,
			   entry_kind_name(d->kind), vmcs_field_name(viol[i].field) ?: "?",
			   viol[i].value, viol[i].expect, d->allows);
	}
	if (n > ENTRY_VIOL_MAX)
		log_printf(&v->log, LOG_ERR "CPU %u: ... and %u more broken VM-entry rules", v->cpu,
			   n - ENTRY_VIOL_MAX);
}

unsigned int entry_root_check(struct vcpu *v, const char *when, bool always)
{
	struct entry_violation viol[ENTRY_VIOL_MAX];
	unsigned int n = check_live(v, viol);

	if (!n && !always)
		return 0;
	log_printf(&v->log, LOG_ERR "CPU %u: VM-entry checks %s: %u rule%s broken", v->cpu, when,
		   n, n == 1 ? "" : "s");
	log_violations(v, viol, n);
	return n;
}

void entry_root_before(struct vcpu *v)
{
	struct entry_violation viol[ENTRY_VIOL_MAX];
	unsigned int n;

	if (v->entry.xc.active)
		return;		/* broken on purpose: the cross-check has its own verdict */
	v->entry.checks++;
	n = check_live(v, viol);
	if (!n)
		return;
	v->entry.bad_entries++;
	if (v->entry.logged >= ENTRY_LOG_MAX)
		return;
	v->entry.logged += n + 1;
	log_printf(&v->log, LOG_ERR "CPU %u: VM-entry checks before entry %llu: %u rule%s broken",
		   v->cpu, v->entry.checks, n, n == 1 ? "" : "s");
	log_violations(v, viol, n);
}

/* ---- the cross-check ---- */

enum { XC_END, XC_SET, XC_OR, XC_CLR };

struct xc_op {
	u8 how;
	u32 field;
	u64 val;
};

struct xc_break {
	u16 rule;
	struct xc_op op[2];
};

#define NONCANON	0x0000800000000000ULL
#define BEYOND_PHYS	BIT_ULL(52)	/* above any MAXPHYADDR (52 at most) */

/*
 * One break per rule, each chosen so that a CPU that wrongly accepted it could not
 * hurt the host or the guest in the moment the guest runs (none: the preemption
 * timer at 0 makes it exit before its first instruction): no guest memory is
 * touched, nothing that would deliver an event or a pending debug exception on entry
 * (those come before the timer's exit), and host-state breaks are ones a CPU that
 * accepted them would still survive exiting with, or that the emulator checks.  Not
 * here: a non-canonical guest RIP, which Bochs accepts and then faults on fetching
 * before the timer's exit, delivering a #GP to the guest that cannot be taken back.
 */
static const struct xc_break xc_breaks[] = {
	/* controls: VMfailValid 7 */
	{ ER_pin_ctls_allowed0, { { XC_CLR, PIN_BASED_VM_EXEC_CONTROL, BIT(1) } } },
	{ ER_pin_ctls_allowed1, { { XC_OR, PIN_BASED_VM_EXEC_CONTROL, BIT(9) } } },
	{ ER_proc_ctls_allowed1,
	  { { XC_OR, CPU_BASED_VM_EXEC_CONTROL, CPU_BASED_ACTIVATE_TERTIARY_CONTROLS } } },
	{ ER_proc2_ctls_allowed1, { { XC_OR, SECONDARY_VM_EXEC_CONTROL, BIT(31) } } },
	{ ER_exit_ctls_allowed1, { { XC_OR, VM_EXIT_CONTROLS, BIT(30) } } },
	{ ER_entry_ctls_allowed0, { { XC_CLR, VM_ENTRY_CONTROLS, BIT(0) } } },
	{ ER_entry_ctls_allowed1, { { XC_OR, VM_ENTRY_CONTROLS, BIT(30) } } },
	{ ER_cr3_target_count, { { XC_SET, CR3_TARGET_COUNT, 0x1ff + 1 } } },
	{ ER_msr_bitmap_addr, { { XC_OR, MSR_BITMAP, 0x800 } } },
	{ ER_vpid_nonzero, { { XC_SET, VIRTUAL_PROCESSOR_ID, 0 } } },
	{ ER_eptp_memory_type, { { XC_CLR, EPT_POINTER, 2 } } },	/* WB -> WT */
	{ ER_eptp_walk_length, { { XC_CLR, EPT_POINTER, 1 << 3 } } },	/* 4 -> 3 levels */
	{ ER_eptp_reserved, { { XC_OR, EPT_POINTER, BIT(9) } } },
	{ ER_unrestricted_needs_ept,
	  { { XC_OR, SECONDARY_VM_EXEC_CONTROL, SECONDARY_EXEC_UNRESTRICTED_GUEST },
	    { XC_CLR, SECONDARY_VM_EXEC_CONTROL, SECONDARY_EXEC_ENABLE_EPT } } },
	{ ER_virtual_nmis_need_nmi_exiting,
	  { { XC_CLR, PIN_BASED_VM_EXEC_CONTROL, PIN_BASED_NMI_EXITING } } },
	{ ER_event_info_reserved, { { XC_SET, VM_ENTRY_INTR_INFO_FIELD, 0x80001202 } } },
	{ ER_event_type, { { XC_SET, VM_ENTRY_INTR_INFO_FIELD, 0x80000100 } } },
	{ ER_event_vector, { { XC_SET, VM_ENTRY_INTR_INFO_FIELD, 0x80000203 } } },
	{ ER_event_error_code_deliver, { { XC_SET, VM_ENTRY_INTR_INFO_FIELD, 0x80000b06 } } },
	{ ER_event_insn_len, { { XC_SET, VM_ENTRY_INTR_INFO_FIELD, 0x80000480 },
			       { XC_SET, VM_ENTRY_INSTRUCTION_LEN, 0 } } },
	{ ER_exit_msr_store_addr, { { XC_SET, VM_EXIT_MSR_STORE_COUNT, 1 },
				    { XC_SET, VM_EXIT_MSR_STORE_ADDR, BEYOND_PHYS + 8 } } },
	{ ER_entry_msr_load_addr, { { XC_SET, VM_ENTRY_MSR_LOAD_COUNT, 1 },
				    { XC_SET, VM_ENTRY_MSR_LOAD_ADDR, BEYOND_PHYS + 8 } } },
	/* host state: VMfailValid 8 */
	{ ER_host_cr0_fixed, { { XC_CLR, HOST_CR0, X86_CR0_NE } } },
	{ ER_host_cr4_fixed, { { XC_CLR, HOST_CR4, X86_CR4_VMXE } } },
	{ ER_host_cr3_width, { { XC_OR, HOST_CR3, BEYOND_PHYS } } },
	{ ER_host_sysenter_canonical, { { XC_SET, HOST_IA32_SYSENTER_EIP, NONCANON } } },
	{ ER_host_pat, { { XC_SET, HOST_IA32_PAT, 0x0007040600070402ULL } } },
	{ ER_host_efer_reserved, { { XC_OR, HOST_IA32_EFER, BIT(1) } } },
	{ ER_host_efer_lma_lme, { { XC_CLR, HOST_IA32_EFER, BIT(10) } } },
	{ ER_host_sel_rpl_ti, { { XC_OR, HOST_DS_SELECTOR, 3 } } },
	{ ER_host_cs_nonzero, { { XC_SET, HOST_CS_SELECTOR, 0 } } },
	{ ER_host_tr_nonzero, { { XC_SET, HOST_TR_SELECTOR, 0 } } },
	{ ER_host_base_canonical, { { XC_SET, HOST_FS_BASE, NONCANON } } },
	{ ER_host_addr_space_size,
	  { { XC_CLR, VM_EXIT_CONTROLS, VM_EXIT_HOST_ADDR_SPACE_SIZE } } },
	{ ER_host_cr4_pae, { { XC_CLR, HOST_CR4, X86_CR4_PAE } } },
	{ ER_host_rip_canonical, { { XC_SET, HOST_RIP, NONCANON } } },
	/* guest state: exit 33 */
	{ ER_guest_cr0_fixed, { { XC_CLR, GUEST_CR0, X86_CR0_NE } } },
	{ ER_guest_cr4_fixed, { { XC_CLR, GUEST_CR4, X86_CR4_VMXE } } },
	{ ER_guest_cr3_width, { { XC_OR, GUEST_CR3, BEYOND_PHYS } } },
	{ ER_guest_ia32e_paging, { { XC_CLR, GUEST_CR4, X86_CR4_PAE } } },
	{ ER_guest_debugctl_reserved, { { XC_OR, GUEST_IA32_DEBUGCTL, BIT(3) } } },
	{ ER_guest_dr7_upper, { { XC_OR, GUEST_DR7, BIT_ULL(32) } } },
	{ ER_guest_sysenter_canonical, { { XC_SET, GUEST_SYSENTER_ESP, NONCANON } } },
	{ ER_guest_pat, { { XC_SET, GUEST_IA32_PAT, 0x0007040600070402ULL } } },
	{ ER_guest_efer_reserved, { { XC_OR, GUEST_IA32_EFER, BIT(1) } } },
	{ ER_guest_efer_lma, { { XC_CLR, GUEST_IA32_EFER, BIT(10) } } },
	{ ER_guest_tr_ti, { { XC_OR, GUEST_TR_SELECTOR, 4 } } },
	{ ER_guest_ss_rpl, { { XC_OR, GUEST_SS_SELECTOR, 3 } } },
	{ ER_guest_base_canonical, { { XC_SET, GUEST_FS_BASE, NONCANON } } },
	{ ER_guest_cs_type, { { XC_CLR, GUEST_CS_AR_BYTES, 8 } } },
	{ ER_guest_cs_dpl, { { XC_OR, GUEST_CS_AR_BYTES, 0x60 } } },
	{ ER_guest_ss_dpl, { { XC_OR, GUEST_SS_AR_BYTES, 0x60 } } },
	{ ER_guest_seg_present, { { XC_CLR, GUEST_CS_AR_BYTES, 0x80 } } },
	{ ER_guest_ar_reserved, { { XC_OR, GUEST_CS_AR_BYTES, BIT(8) } } },
	{ ER_guest_cs_l_db, { { XC_OR, GUEST_CS_AR_BYTES, BIT(14) } } },
	{ ER_guest_limit_g, { { XC_SET, GUEST_CS_LIMIT, 0xfffff000 } } },
	{ ER_guest_tr_type, { { XC_CLR, GUEST_TR_AR_BYTES, 8 } } },
	{ ER_guest_tr_usable, { { XC_OR, GUEST_TR_AR_BYTES, BIT(16) } } },
	{ ER_guest_dtr_base_canonical, { { XC_SET, GUEST_GDTR_BASE, NONCANON } } },
	{ ER_guest_dtr_limit, { { XC_SET, GUEST_IDTR_LIMIT, 0x10000 } } },
	{ ER_guest_rip_upper, { { XC_CLR, GUEST_CS_AR_BYTES, BIT(13) } } },
	{ ER_guest_rflags_reserved, { { XC_OR, GUEST_RFLAGS, BIT(15) } } },
	{ ER_guest_rflags_vm, { { XC_OR, GUEST_RFLAGS, BIT(17) } } },
	{ ER_guest_activity_state, { { XC_SET, GUEST_ACTIVITY_STATE, 4 } } },
	{ ER_guest_intr_reserved, { { XC_SET, GUEST_INTERRUPTIBILITY_INFO, BIT(5) } } },
	{ ER_guest_intr_sti_movss, { { XC_SET, GUEST_INTERRUPTIBILITY_INFO, 3 } } },
	{ ER_guest_intr_sti_if, { { XC_SET, GUEST_INTERRUPTIBILITY_INFO, 1 },
				  { XC_CLR, GUEST_RFLAGS, X86_EFLAGS_IF } } },
	{ ER_guest_intr_smi, { { XC_SET, GUEST_INTERRUPTIBILITY_INFO, 4 } } },
	{ ER_guest_pending_dbg_reserved, { { XC_SET, GUEST_PENDING_DBG_EXCEPTIONS, BIT(4) } } },
	{ ER_guest_vmcs_link, { { XC_SET, VMCS_LINK_POINTER, 0x1008 } } },
};

unsigned int entry_xcheck_count(void)
{
	return ARRAY_SIZE(xc_breaks);
}

unsigned int entry_xcheck_rule(unsigned int idx)
{
	return idx < ARRAY_SIZE(xc_breaks) ? xc_breaks[idx].rule : ER_NR;
}

int entry_xcheck_start(struct vcpu *v, u64 idx)
{
	struct entry_xcheck *xc = &v->entry.xc;
	struct entry_violation viol[ENTRY_VIOL_MAX];
	const struct xc_break *b;
	u64 pin, cur;
	unsigned int i, n;

	if (idx >= ARRAY_SIZE(xc_breaks) || xc->active)
		return -ERANGE;
	/* The safety net: a VM entry the CPU accepts exits before any guest instruction. */
	if (!vmx_has_preemption_timer(v->caps))
		return -EOPNOTSUPP;
	b = &xc_breaks[idx];
	if (cpu_vmread(PIN_BASED_VM_EXEC_CONTROL, &pin))
		return -EIO;
	*xc = (struct entry_xcheck){ .active = true, .idx = (u16)idx, .orig_pin = (u32)pin };
	/* The CPU's answer comes to a stub of its own (see vmx_exit_handler_xcheck()). */
	cpu_vmread(HOST_RIP, &xc->orig_host_rip);
	cpu_vmwrite(HOST_RIP, (u64)vmx_exit_stub_xcheck);
	cpu_vmwrite(VMX_PREEMPTION_TIMER_VALUE, 0);
	cpu_vmwrite(PIN_BASED_VM_EXEC_CONTROL, pin | PIN_BASED_VMX_PREEMPTION_TIMER);
	/* Read both originals first: the two ops may name one field. */
	for (i = 0; i < 2 && b->op[i].how != XC_END; i++)
		cpu_vmread(b->op[i].field, &xc->orig[i]);
	for (i = 0; i < 2 && b->op[i].how != XC_END; i++) {
		cur = 0;
		cpu_vmread(b->op[i].field, &cur);
		if (b->op[i].how == XC_SET)
			cur = b->op[i].val;
		else if (b->op[i].how == XC_OR)
			cur |= b->op[i].val;
		else
			cur &= ~b->op[i].val;
		cpu_vmwrite(b->op[i].field, cur);
	}
	n = check_live(v, viol);
	xc->nviol = (u16)n;
	for (i = 0; i < n && i < ENTRY_VIOL_MAX; i++)
		xc->named |= viol[i].rule == b->rule;
	return 0;
}

void entry_xcheck_finish(struct vcpu *v, struct guest_regs *r, u32 exit_reason,
			 u32 insn_error)
{
	struct entry_xcheck *xc = &v->entry.xc;
	const struct xc_break *b = &xc_breaks[xc->idx];
	union exit_reason reason = { .all = exit_reason };
	bool refused = insn_error || reason.f.entry_failure;
	int i;

	/* Put back in reverse order, so a field two ops share gets its first value. */
	for (i = 1; i >= 0; i--)
		if (b->op[i].how != XC_END)
			cpu_vmwrite(b->op[i].field, xc->orig[i]);
	cpu_vmwrite(PIN_BASED_VM_EXEC_CONTROL, xc->orig_pin);
	cpu_vmwrite(HOST_RIP, xc->orig_host_rip);
	r->gpr[REG_RAX] = (refused ? SUBZERO_XCHECK_REFUSED : 0) |
			  (xc->named ? SUBZERO_XCHECK_NAMED : 0) |
			  (u64)(insn_error & 0xff) << 8 |
			  (u64)(insn_error ? 0 : reason.f.basic & 0xffff) << 16 |
			  (u64)xc->nviol << 32 | (u64)(b->rule & 0x7fff) << 48;
	log_printf(&v->log, "CPU %u: xcheck: cross-check %u %s: the CPU %s (%s %u), the checker %s it (%u rules broken)", v->cpu, xc->idx, entry_rules[b->rule].name,
		   refused ? "refused the entry" : "ACCEPTED the entry",
		   insn_error ? "VM-instruction error" : "exit reason",
		   insn_error ? insn_error : reason.f.basic,
		   xc->named ? "named" : "MISSED", xc->nviol);
	xc->active = false;
}
