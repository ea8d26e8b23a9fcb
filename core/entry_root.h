/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VM-entry checker (entry_check.h) where the hypervisor runs it: on the current
 * VMCS, in VMX root or just before VMLAUNCH.
 *   - entry_root_check():    the verdict on the current VMCS, each violation logged;
 *   - entry_root_before():   the per-entry check of the entry_checks=1 module parameter;
 *   - the cross-check:       a test hook (test_hooks=1) that breaks one rule on the
 *                            current VMCS, lets the CPU try the VM entry, and reports
 *                            whether the CPU refused it and whether the checker named
 *                            the rule (SUBZERO_HC_TEST_XCHECK).
 * Root-safe: VMREAD/VMWRITE and the log ring only.
 */
#ifndef SUBZERO_ENTRY_ROOT_H
#define SUBZERO_ENTRY_ROOT_H

#include "types.h"
#include "entry_check.h"

struct vcpu;
struct guest_regs;

/* One cross-check in flight on a vcpu. */
struct entry_xcheck {
	bool active;
	u16 idx;			/* which break (entry_xcheck_breaks[]) */
	u16 nviol;			/* what the checker found on the broken VMCS */
	bool named;			/* ... and whether the broken rule was among it */
	u32 orig_pin;
	u64 orig_host_rip;		/* the exit stub, while vmx_exit_stub_xcheck is */
	u64 orig[2];			/* the broken fields' values, to put back */
};

/* Per-vcpu state (struct vcpu's member "entry"). */
struct entry_state {
	u64 checks;			/* per-entry checks run (entry_checks=1) */
	u64 bad_entries;		/* entries about to break a rule */
	u32 logged;			/* lines those logged, up to ENTRY_LOG_MAX */
	struct entry_xcheck xc;
};

#define ENTRY_LOG_MAX	64

/* Module parameter entry_checks: run entry_root_before() before every VM entry. */
extern bool entry_checks_on;

/* A read function over the current VMCS (VMREAD). */
bool entry_read_live(void *ctx, u32 field, u64 *val);

/*
 * Check the current VMCS against every rule; log each violation in @v's log ring as
 * "CPU n: broken VM-entry rule NAME (SDM s): FIELD=value ..." after a line saying
 * @when and how many (that line also when none is broken if @always), every line at
 * LOG_ERR (the e2e harness fails a test that logs one).  Returns the number of
 * violations.  Root-safe.
 */
unsigned int entry_root_check(struct vcpu *v, const char *when, bool always);

/*
 * Before a VM entry, with entry_checks=1: check, count, and log what is broken (the
 * first ENTRY_LOG_MAX lines per launch; the count goes on).  Not during a cross-check.
 */
void entry_root_before(struct vcpu *v);

/*
 * The cross-check hook.  entry_xcheck_start() (in root, from the hypercall) breaks
 * rule @idx on the current VMCS, with the VMX-preemption timer at 0 so that a VM
 * entry the CPU accepts exits again before the guest runs an instruction, and runs
 * the checker on the broken VMCS.  Returns 0, or -ERANGE/-EOPNOTSUPP (nothing
 * changed).  entry_xcheck_finish() runs on whatever the next VM entry produced:
 * @exit_reason (a VM exit: 33/34 with the entry-failure bit when the CPU refused, the
 * preemption timer when it accepted) or @insn_error (VMfailValid); it puts the VMCS
 * back and leaves the result in the guest's RAX (SUBZERO_XCHECK_* below).
 */
int entry_xcheck_start(struct vcpu *v, u64 idx);
void entry_xcheck_finish(struct vcpu *v, struct guest_regs *r, u32 exit_reason,
			 u32 insn_error);

/* How many breaks there are; the rule break @idx breaks. */
unsigned int entry_xcheck_count(void);
unsigned int entry_xcheck_rule(unsigned int idx);

/*
 * The cross-check's result in RAX (never negative):
 *   bit 0      the CPU refused the VM entry
 *   bit 1      the checker named the broken rule
 *   bits 15:8  the VM-instruction error (VMfailValid), else 0
 *   bits 31:16 the basic exit reason of the VM exit that followed (33, 34 or 52 ...),
 *              0 after VMfailValid
 *   bits 47:32 how many violations the checker found on the broken VMCS
 *   bits 62:48 the rule (enum entry_rule)
 */
#define SUBZERO_XCHECK_REFUSED		BIT_ULL(0)
#define SUBZERO_XCHECK_NAMED		BIT_ULL(1)
#define SUBZERO_XCHECK_ERROR(r)		(((r) >> 8) & 0xff)
#define SUBZERO_XCHECK_REASON(r)	(((r) >> 16) & 0xffff)
#define SUBZERO_XCHECK_NVIOL(r)		(((r) >> 32) & 0xffff)
#define SUBZERO_XCHECK_RULE(r)		(((r) >> 48) & 0x7fff)

#endif
