/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The lock (issue 14): once taken on a CPU, the hypervisor pins what a kernel rootkit
 * would switch off to take over the running kernel, until reboot.  The policy is pure
 * logic here (the decisions, each unit-tested); exit.c applies it to CR-access and
 * WRMSR exits, vmx.c to a CPU's VMCS, watch.c to a table that would loosen it.
 *
 * What is pinned, from the values the CPU has when the lock is taken:
 *  - CR0: PE, PG, WP; CR4: UMIP, FSGSBASE, SMEP, SMAP, CET (Linux's own
 *    cr4_pinned_mask), each only if set then.  A MOV to CR0/CR4 that would clear one
 *    is refused with #GP (nothing changes).  Why #GP rather than keeping the bit and
 *    continuing: the guest would otherwise believe its write took effect (the read
 *    shadow must show what it wrote, or the write visibly "did not happen" anyway),
 *    and code that clears WP to write read-only memory would go on to fault in a
 *    place it does not expect; #GP stops the attempt at the instruction that made it,
 *    as the CPU itself refuses an invalid CR value, and a caller with an exception
 *    table entry (wrmsr_safe style) sees the refusal.  Linux never clears these bits
 *    once set, so no legitimate path meets the #GP.  Setting a bit is always allowed.
 *  - MSRs: STAR, LSTAR, CSTAR, SFMASK, SYSENTER_CS/ESP/EIP, and where the CPU has
 *    CET the CET MSRs: a WRMSR is allowed only if it writes the locked value; EFER:
 *    only if SCE, LME and NXE keep their locked values.  A refused WRMSR gets #GP.
 *  - GDTR/IDTR: an LGDT or LIDT to a base other than those the kernel uses is refused
 *    with #GP (lock_dt_allowed(): IDTR the base at lock; GDTR the base at lock or the
 *    CPU's other GDT address, given by the OS: Linux switches between the per-CPU
 *    GDT and its read-only fixmap alias).  Descriptor-table exiting is on while the
 *    CPU is locked, where the CPU allows it; the instructions it makes exit are
 *    emulated in lock_dt.c.
 *  - the DEVIRT hypercall is refused but for the CPU-offline path's own
 *    (SUBZERO_DEVIRT_OFFLINE), which is allowed and recorded; the watch table can gain
 *    entries but no protected page can leave it.
 * Every refusal, and every allowed exception, is an event in the CPU's event ring
 * (kind WATCH_KIND_LOCK, see lock_event()) and is counted.
 *
 * The lock's state lives in the vcpu's hidden part (struct lock_state): the guest can
 * neither read nor write it.  There is no way to clear lock_state.on.
 */
#ifndef SUBZERO_LOCK_H
#define SUBZERO_LOCK_H

#include "types.h"

/* The masks below use arch/x86.h, which the includer brings (not linux/: it clashes). */

#define LOCK_CR0_PINNED	(X86_CR0_PE | X86_CR0_PG | X86_CR0_WP)
/* Linux's cr4_pinned_mask (arch/x86/kernel/cpu/common.c) is UMIP|FSGSBASE|SMEP|SMAP|CET. */
#define LOCK_CR4_PINNED	(X86_CR4_UMIP | X86_CR4_FSGSBASE | X86_CR4_SMEP | X86_CR4_SMAP | \
			 X86_CR4_CET)
#define LOCK_EFER_BITS	(EFER_SCE | EFER_LME | EFER_NXE)

/* The MSRs whose value is locked whole (EFER is locked by bits: LOCK_EFER_BITS). */
enum lock_msr {
	LOCK_MSR_STAR,
	LOCK_MSR_LSTAR,
	LOCK_MSR_CSTAR,
	LOCK_MSR_SFMASK,
	LOCK_MSR_SYSENTER_CS,
	LOCK_MSR_SYSENTER_ESP,
	LOCK_MSR_SYSENTER_EIP,
	/*
	 * The supervisor CET MSRs, where the CPU has CET.  U_CET and PL3_SSP are user
	 * state the kernel switches per task: not locked (and not intercepted).
	 */
	LOCK_MSR_FIRST_CET,
	LOCK_MSR_S_CET = LOCK_MSR_FIRST_CET,
	LOCK_MSR_PL0_SSP,
	LOCK_MSR_PL1_SSP,
	LOCK_MSR_PL2_SSP,
	LOCK_MSR_INT_SSP_TAB,
	LOCK_MSR_NR,
};

/* Their numbers, by enum lock_msr. */
extern const u32 lock_msr_numbers[LOCK_MSR_NR];

/* What a lock event is about (struct watch_event.access for kind WATCH_KIND_LOCK). */
enum lock_what {
	LOCK_EV_CR0 = 1,	/* target: the pinned bits the write would clear */
	LOCK_EV_CR4,		/* the same */
	LOCK_EV_MSR,		/* target: the MSR number */
	LOCK_EV_GDTR,		/* target: 0; value: the base */
	LOCK_EV_IDTR,
	LOCK_EV_DEVIRT,		/* the DEVIRT hypercall; target: its argument */
	LOCK_EV_WATCH,		/* a table that drops a protected page; target: the page */
	LOCK_EV_LOCKED,		/* the lock was taken on this CPU; value: pinned CR4 bits */
	LOCK_EV_RESTORED,	/* relaunch: a locked MSR found changed and put back */
	/* a write to locked kernel text or rodata (lock_wx.h): target the page, value the GLA */
	LOCK_EV_KTEXT,
	/*
	 * A module's runs registered (allowed) or an ADD refused: target the module's
	 * id, value the pages (refused: the errno); lock_mod.h
	 */
	LOCK_EV_MOD_ADD,
	/* a module's runs released (allowed: target the id, 0 for all, value the pages) */
	LOCK_EV_MOD_DEL,
	/*
	 * A kernel-mode fetch outside code refused (MBEC, lock_wx.h): target the page,
	 * value the linear address (0 if the CPU gave none)
	 */
	LOCK_EV_KEXEC,
};

/* The CPU's state the lock is taken from (what the guest sees, not VMX's view). */
struct lock_cpu_state {
	u64 cr0, cr4;
	u64 efer;
	u64 gdtr_base, idtr_base;
	u64 gdtr_alt;		/* the CPU's other legitimate GDT base (0: none) */
	u64 msr[LOCK_MSR_NR];
	bool cet;		/* the CPU has CET (CPUID.7.0:ECX.CET_SS or EDX.IBT) */
};

struct lock_state {
	bool on;
	bool cet;		/* the CET MSRs are locked too */
	u64 cr0, cr4;		/* the pinned bits: set when the lock was taken */
	u64 efer;		/* EFER & LOCK_EFER_BITS then */
	u64 gdtr_base, idtr_base;
	u64 gdtr_alt;		/* a second allowed GDTR base (0: none) */
	bool dt_exiting;	/* descriptor-table exiting is on (the CPU allows it) */
	u64 msr[LOCK_MSR_NR];
};

/* Take the lock from @s: pin what is set, record what is locked.  Pure. */
void lock_capture(struct lock_state *ls, const struct lock_cpu_state *s);

/*
 * The pinned bits of CR@cr (0 or 4) that writing @val would clear: 0 if the write is
 * allowed (always, when the lock is off or for another CR).  Pure.
 */
u64 lock_cr_refused(const struct lock_state *ls, unsigned int cr, u64 val);

/* The lock_msr index of @msr, or -1 if the lock does not cover it (CET: only if @cet). */
int lock_msr_index(u32 msr, bool cet);

/* Does this CPU have CET (CPUID.7.0:ECX.CET_SS or EDX.IBT)?  Root-safe. */
bool lock_cpu_has_cet(void);

/* Is @msr one of those the lock covers, EFER included? */
bool lock_msr_covered(u32 msr, bool cet);

/*
 * May the guest write @val to @msr?  Always when the lock is off or the MSR is not
 * covered; else only the locked value (EFER: the locked SCE, LME and NXE).  Pure.
 */
bool lock_msr_allowed(const struct lock_state *ls, u32 msr, u64 val);

/*
 * May the guest load GDTR (@idt false) or IDTR with @base?  Always when the lock is
 * off; else IDTR only the base locked, GDTR the base locked or gdtr_alt.  Pure.
 */
bool lock_dt_allowed(const struct lock_state *ls, bool idt, u64 base);

/*
 * Range splitting for W^X through EPT: cover [@start, @end) (4 KiB aligned) with the
 * fewest EPT pages, each the largest size that is aligned and fits (1 GiB only when
 * @max_level says the EPT has them: EPT_LEVEL_1G, else EPT_LEVEL_2M).  Fills up to @max
 * entries of @out and returns how many the range needs (more than @max: not all
 * written), or -EINVAL for an unaligned or empty range.  Pure.
 */
struct lock_range {
	u64 start;
	unsigned int level;	/* 1 = 4 KiB, 2 = 2 MiB, 3 = 1 GiB */
};
int lock_split(u64 start, u64 end, unsigned int max_level, struct lock_range *out,
	       unsigned int max);

struct vcpu;

/*
 * Root: take the lock on this CPU from its VMCS and MSRs, and make the pinned CR bits
 * exit (guest/host masks) and, where the CPU allows it, descriptor-table accesses.
 * @gdt_alt: the CPU's other GDT base the OS loads (from the lock hypercall, which only
 * subzero's sealed code may make; 0 if none).  A second call changes nothing.
 * Root-safe.
 */
void lock_engage(struct vcpu *v, u64 gdt_alt);

/* Does this CPU allow descriptor-table exiting (SECONDARY_EXEC_DESC may be 1)? */
bool lock_dt_exiting_allowed(const struct vcpu *v);

/*
 * Root: exits 46 (LGDT, LIDT, SGDT, SIDT) and 47 (LLDT, LTR, SLDT, STR), which only a
 * locked CPU takes (lock_dt.c): each instruction is emulated for the guest, its
 * memory operand reached through the guest's page tables and root's checks
 * (seal_guest_walk_perm(), seal_guest_access()), and an LGDT/LIDT the lock refuses
 * gets #GP and an event.  The exit.c handler contract: 0.  Root-safe.
 */
struct guest_regs;
int lock_dt_exit(struct vcpu *v, struct guest_regs *r);

/*
 * Before VMLAUNCH (not root, on the vcpu's CPU, VMCS current): a CPU that was locked
 * and comes back (online after offline) gets the same policy: masks set again, pinned
 * bits set, and a locked MSR whose value changed while the CPU was out is put back
 * (recorded as LOCK_EV_RESTORED).  Nothing without the lock.
 */
void lock_relaunch(struct vcpu *v);

/* Root: record a lock event in @v's ring (dropped, and counted, if it is full). */
void lock_event(struct vcpu *v, enum lock_what what, u64 target, u64 value, u32 flags);

#endif
