/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One VM per CPU: the running OS on each CPU becomes that CPU's guest (the seed's
 * "one VMCS per core").  struct vcpu is everything one CPU's hypervisor owns.
 */
#ifndef SUBZERO_VMX_H
#define SUBZERO_VMX_H

#include "types.h"
#include "log.h"
#include "vmcs.h"
#include "vmx_caps.h"
#include "ept.h"
#include "watch.h"
#include "lock.h"
#include "lock_wx.h"
#include "lock_mod.h"
#include "entry_root.h"
#include "arch/vmx_stub.h"

#define EXIT_REASON_MAX		80

struct cpu_dtr;

/*
 * The distribution of one exit reason's time in root (perf kvm stat's min/max, plus a
 * log2 histogram): bucket[b] counts the exits that spent 2^b to 2^(b+1) - 1 TSC ticks
 * in the handler (bucket[0]: 0 or 1 tick; the last bucket: everything longer).
 */
#define EXIT_HIST_BUCKETS	32

struct exit_hist {
	u64 min_tsc;			/* 0: no exit yet */
	u64 max_tsc;
	u64 bucket[EXIT_HIST_BUCKETS];
};

/* Count one exit of dt ticks.  Root-safe: a BSR, an increment, two compares. */
static inline void exit_hist_add(struct exit_hist *h, u64 dt)
{
	u32 b = 63 - __builtin_clzll(dt | 1);

	if (b >= EXIT_HIST_BUCKETS)
		b = EXIT_HIST_BUCKETS - 1;
	h->bucket[b]++;
	if (dt < h->min_tsc || !h->min_tsc)
		h->min_tsc = dt;
	if (dt > h->max_tsc)
		h->max_tsc = dt;
}

/*
 * Hypercalls: VMCALL with RAX = number, RCX = SUBZERO_VMCALL_KEY, RDX = argument
 * (RSI = a second one, LOCK only);
 * the result comes back in RAX (0 or a negative errno).  From CPL > 0 VMCALL raises
 * #UD, as it does without a hypervisor.
 */
#define SUBZERO_VMCALL_KEY	0x7375627a65726f21ULL	/* "subzero!" */
#define SUBZERO_HC_PING		0	/* returns SUBZERO_HC_PONG */
#define SUBZERO_HC_DEVIRT	1	/* leave VMX on this CPU, return 0 */
#define SUBZERO_HC_VMCS_SNAPSHOT 2	/* VMREAD every field into vcpu->vmcs_snap, return 0 */
#define SUBZERO_HC_PONG		0x5a45524fULL	/* "ZERO" */
#define SUBZERO_HC_WATCH_SYNC	3	/* apply watch_table to this CPU's EPT */
#define SUBZERO_HC_EPT_QUERY	4	/* the EPT leaf mapping GPA RDX (see below) */
/*
 * Take the lock (lock.h); RDX: the W^X ranges' struct lock_wx_args (lock_wx.h) or 0,
 * RSI: the CPU's other GDT base or 0.
 */
#define SUBZERO_HC_LOCK		5
/*
 * The lock's module W^X (lock_mod.h), policy hypercalls: LOCK_MOD adds a module's
 * runs (RDX: a struct lock_mod_args, one page); LOCK_MOD_RELEASE releases the runs
 * of module id RDX (LOCK_MOD_ALL: every run).
 */
#define SUBZERO_HC_LOCK_MOD	7
#define SUBZERO_HC_LOCK_MOD_RELEASE 8
/*
 * Restrict kernel-mode execution on this CPU (lock_wx.h), a policy hypercall and a
 * tightening: once the glue has registered the modules and the kernel's run-time code.
 */
#define SUBZERO_HC_LOCK_KEXEC	9
/* DEVIRT's argument (RDX) on the CPU-offline path: the one DEVIRT the lock allows. */
#define SUBZERO_DEVIRT_OFFLINE	0x6f66666c696e65ULL	/* "offline" */
/*
 * Does the monitor trap flag trap?  RDX 0: arm it; RDX 1: 1 if an MTF exit came since,
 * else 0 (and this CPU steps with RFLAGS.TF from then on).  vmx_virtualize_this_cpu()
 * makes the two calls with one NOP between them, right after VMLAUNCH (watch.c).
 */
#define SUBZERO_HC_MTF_PROBE	6
/*
 * Test only, and only when vmx_test_hooks is set (module parameter test_hooks):
 * stay in VMX root for RDX TSC ticks (at most SUBZERO_HC_SPIN_MAX), so that a test
 * can make an NMI arrive in root.  Otherwise it is an unknown number (-EINVAL).
 */
#define SUBZERO_HC_TEST_SPIN	0x7e57
/*
 * Test only (test_hooks): the VM-entry cross-check (entry_root.h).  RDX = ~0: how many
 * breaks there are; RDX = i: break number i on this CPU's VMCS before the VM entry
 * that follows, and answer (SUBZERO_XCHECK_*) once the CPU has tried it.
 */
#define SUBZERO_HC_TEST_XCHECK	0x7e58
#define SUBZERO_HC_SPIN_MAX	1000000000ULL

/*
 * General registers as the exit stub saves them: hardware register-number order, so
 * the register field of an exit qualification indexes gpr[] directly (Jailhouse).
 */
struct guest_regs {
	u64 gpr[16];		/* RAX RCX RDX RBX RSP(unused) RBP RSI RDI R8..R15 */
};

enum {
	REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
	REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15,
};

/* The exit stub (arch/vmx_entry.S) addresses struct guest_regs by arch/vmx_stub.h. */
#define GUEST_REG_CHECK(r)						\
	_Static_assert(offsetof(struct guest_regs, gpr[REG_##r]) == GUEST_REG_##r,	\
		       "arch/vmx_stub.h: GUEST_REG_" #r)
GUEST_REG_CHECK(RAX);
GUEST_REG_CHECK(RCX);
GUEST_REG_CHECK(RDX);
GUEST_REG_CHECK(RBX);
GUEST_REG_CHECK(RSP);
GUEST_REG_CHECK(RBP);
GUEST_REG_CHECK(RSI);
GUEST_REG_CHECK(RDI);
GUEST_REG_CHECK(R8);
GUEST_REG_CHECK(R9);
GUEST_REG_CHECK(R10);
GUEST_REG_CHECK(R11);
GUEST_REG_CHECK(R12);
GUEST_REG_CHECK(R13);
GUEST_REG_CHECK(R14);
GUEST_REG_CHECK(R15);
#undef GUEST_REG_CHECK
_Static_assert(sizeof(struct guest_regs) == GUEST_REGS_SIZE, "arch/vmx_stub.h: GUEST_REGS_SIZE");

/*
 * One CPU's hypervisor.  A vcpu is page-aligned memory (vmx_vcpu_new()) in three
 * parts, each a whole number of pages, whose guest access core/seal.h declares and
 * core/private.c enforces in every CPU's EPT:
 *  - hidden: what root relies on (the guest can neither read nor write it);
 *  - guest read-only: what the module's non-root half reads (counters, the rings'
 *    lines and producer indices) and what root alone writes;
 *  - guest read-write: the rings' consumer indices and the non-root half's own flags,
 *    which root never trusts (a tail is only compared, never used as an index).
 * Root reaches a vcpu only through its host stack (hidden), never through a pointer
 * the guest can write.  The non-root half must not read a hidden field once the CPU
 * is launched: it would read the scratch page.
 */
#define VCPU_PAGE		4096

/*
 * The module's own code and read-only data, captured at load (vmx_text_setup()):
 * policy-changing hypercalls are accepted only from a VMCALL in that code, and every
 * EPT maps its pages read/execute-only (seal.h).
 */
#define SEAL_TEXT_PAGES		64

#define SEAL_DATA_PAGES		64

struct seal_text {
	u64 text_start, text_end;	/* virtual, page aligned start: the code */
	/*
	 * Root's own code inside it, page aligned at both ends (core/arch/root_text*.S:
	 * core/ is linked last, between two page-aligned labels).  Only these code pages
	 * are sealed and only from them is a policy hypercall accepted: the kernel patches
	 * the rest of the module's code after load (the jump labels of pr_debug and of
	 * the tracepoints, static calls), and a sealed page makes its text_poke() fail.
	 * 0, 0: all of [text_start, text_end) (unit tests).
	 */
	u64 root_start, root_end;
	/*
	 * The read-only data, [ro_start, ro_end).  ro_start 0: it follows the code in
	 * the same range (one allocation, before Linux 6.4; may share the code's last
	 * page).  Else it lies elsewhere (6.4 and later allocate each kind apart), and
	 * text_end and ro_start are page aligned.
	 */
	u64 ro_start, ro_end;
	unsigned int nr;		/* pages: the code's, then the read-only data's */
	u64 pa[SEAL_TEXT_PAGES];	/* their physical addresses, in that order */
	/*
	 * The module's data and bss after it, [data_start, + data_nr pages): root's host
	 * page tables map them (read-write, not executable).  Guest memory all the same.
	 */
	u64 data_start;
	unsigned int data_nr;
	u64 data_pa[SEAL_DATA_PAGES];
};

/* seal.c: pages of pa[] that hold code (the last may hold data too); page @i's address */
unsigned int seal_text_code_pages(const struct seal_text *t);
u64 seal_text_va(const struct seal_text *t, unsigned int i);

/*
 * Root's own page tables (host_pt.c): HOST_CR3 is pml4_pa, the page of a 2-page
 * allocation whose address has bit 12 clear (the PTI rule os_host_cr3() keeps too:
 * a kernel entry would take bit 12 for a user CR3).  Every table page
 * is hidden.  They map exactly what root touches, at the kernel's own addresses:
 *  - the module's code (read/execute) and read-only data (read), v->text;
 *  - the module's data and bss (read/write, no execute): watch_table, the guest's
 *    input, and core/'s globals;
 *  - the direct map of RAM (v->ram; read/write, no execute; 2 MiB pages where a whole
 *    2 MiB is RAM): every vcpu, stack, EPT table and scratch page is there, and root
 *    reads guest page tables and copies protected pages through it.
 * Not mapped: the kernel's text and data, vmalloc and module space but subzero's
 * own, fixmap, MMIO, user space.  Root leaves for os_cr3 before any kernel code runs.
 */
#define HOST_PT_MAX		128

struct host_pt {
	void *pair;			/* 2 pages, of which pml4 is the one with bit 12 clear */
	u64 pair_pa;
	u64 *pml4;
	u64 pml4_pa;
	unsigned int nr;		/* table pages below it */
	u64 *va[HOST_PT_MAX];
	u64 pa[HOST_PT_MAX];
};

/* Build @v's host page tables from v->text, v->ram, v->direct_map.  Not root-safe. */
int vmx_host_pt_build(struct vcpu *v);
void vmx_host_pt_free(struct vcpu *v);
#define VCPU_SECTION		__aligned(VCPU_PAGE)

/*
 * Speculation hygiene on every VM exit, as the OS's mitigations want it (KVM's
 * choices, from the kernel's own feature bits; set by the OS before any CPU is
 * virtualized).  Root reads its own copy, v->spec, taken at allocation into the hidden
 * part (the global is module data: guest memory).  The exit stub (arch/vmx_entry.S)
 * tests the RSB and BHB bits before its first RET or indirect branch: it reads the
 * first byte of struct vcpu (VCPU_SPEC_FLAGS, vmx_stub.h).
 */
#define VMX_SPEC_RSB_FILL	BIT(0)	/* stuff all 32 return stack buffer entries */
#define VMX_SPEC_RSB_LITE	BIT(1)	/* one CALL: post-barrier RSB on eIBRS CPUs */
#define VMX_SPEC_CLEAR_BHB	BIT(2)	/* clear the branch history (vmx_entry.S) */
#define VMX_SPEC_CTRL		BIT(3)	/* root runs with host_spec_ctrl in IA32_SPEC_CTRL */
#define VMX_SPEC_CTRL_ALWAYS	BIT(4)	/* write it on every exit (legacy IBRS) */
struct vmx_spec {
	u32 flags;
	u64 host_spec_ctrl;
};
extern struct vmx_spec vmx_spec;


/*
 * Root's own descriptor tables, one set per CPU, in the vcpu's hidden part (issue 13:
 * the kernel's GDT, TSS and IDT are guest memory).  HOST_GDTR/TR/IDTR point here.
 *  - IDT: every vector goes to subzero's code (arch/root_idt.S): NMI to vmx_nmi_stub
 *    (held for the guest, as before), #GP to vmx_gp_stub (the MSR fixups, else a
 *    fault), every other to vmx_root_fault(), which reports the vector and RIP and
 *    fails closed.
 *  - GDT: the kernel's code and data selectors (HOST_CS/SS, which IRET in root
 *    reloads) and TR, at the same indexes, so that selectors need no translation.
 *  - TSS: the IST stacks for #DF, NMI and #MC, here too.  While leaving VMX, between
 *    the kernel's IDT and its TR coming back, the kernel's IST gates (1 #DF, 2 NMI,
 *    3 #DB, 4 #MC) run on these stacks, never on a kernel IST stack the interrupted
 *    guest may be using (vmx.c, ist_stack_of).
 */
#define HOST_GDT_ENTRIES	16
#define HOST_IST_STACK_SIZE	8192
#define HOST_IST_DF		1	/* the IST field of a gate: TSS ist[n - 1] */
#define HOST_IST_NMI		2
#define HOST_IST_MC		4	/* the kernel's numbers: 1, 2, 4 */
#define HOST_IST_STACKS		3

/* A 64-bit IDT gate (SDM Vol. 3A, 6.14.1): offset split in three, IST in bits 34:32. */
struct idt_gate {
	u16 offset_low;
	u16 selector;
	u16 flags;		/* IST 2:0, type 11:8, DPL 14:13, P 15 */
	u16 offset_mid;
	u32 offset_high;
	u32 reserved;
};
_Static_assert(sizeof(struct idt_gate) == 16, "IDT gate layout");

/* The 64-bit TSS (SDM Vol. 3A, 8.7): 104 bytes, packed. */
struct host_tss {
	u32 reserved0;
	u64 rsp[3];
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base;
} __packed;
_Static_assert(sizeof(struct host_tss) == 104, "TSS layout");

struct vcpu_host {
	struct idt_gate idt[256];
	u64 gdt[HOST_GDT_ENTRIES];
	struct host_tss tss;
	u8 ist_stack[HOST_IST_STACKS][HOST_IST_STACK_SIZE] __aligned(VCPU_PAGE);
};

struct vcpu {
	/* ---- hidden ---- */
	struct vmx_spec spec;		/* vmx_spec, copied at allocation: first (vmx_stub.h) */
	bool in_fault;			/* vmx_root_fault() is running on this CPU */
	void *vmxon;
	u64 vmxon_pa;
	void *vmcs;
	u64 vmcs_pa;
	void *host_stack;
	u64 host_stack_pa;
	u64 msr_bitmap_pa;		/* shared, read-only once built */
	u64 self_pa;			/* this struct (vmx_vcpu_new()), 0 if not paged */
	unsigned int self_order;

	const struct vmx_caps *caps;	/* &caps_copy (or the caller's, unpaged) */
	struct vmx_caps caps_copy;
	bool vpid_on;			/* the guest runs tagged with vpid */
	struct vmcs_error vmcs_err;

	u32 procbased;			/* CPU_BASED_VM_EXEC_CONTROL as set up */
	struct entry_state entry;	/* the VM-entry checker's counters (entry_root.h) */

	/*
	 * NMIs held for the guest: counted by an NMI exit or by the host IDT's NMI
	 * handler (an NMI that hit VMX root), delivered on a VM entry when the guest can
	 * take one, else at the next NMI-window exit.  Changed with single atomic
	 * instructions, because the NMI handler can interrupt root code on this CPU.
	 */
	u32 nmi_pending;

	/*
	 * A machine check during VM entry (exit 41), not yet delivered to the guest as
	 * #MC: set by that exit, cleared by mce_deliver() (exit.c) when it injects it.
	 */
	bool mce_pending;

	/* EPT: this CPU's own map (see ept.h for why not shared) */
	struct ept ept;
	bool mtf;			/* single-step with the monitor trap flag */
	u8 mtf_probe;			/* VCPU_MTF_PROBE_*: the probe after VMLAUNCH */
	bool preemption_timer;		/* the CPU has the VMX-preemption timer */
	void *scratch;			/* where hidden pages and discarded writes go */
	u64 scratch_pa;
	void *copies;			/* WATCH_STEP_PAGES pages: protected pages' copies */
	u64 copies_pa;
	struct {
		bool active;		/* one instruction is being stepped */
		bool tf;		/* we set RFLAGS.TF for it */
		bool irq_exit;		/* we turned external-interrupt exiting on */
		bool timer;		/* stepping an event's delivery by preemption timer */
		unsigned int nr;	/* pages opened for it */
		struct {
			u64 gpa;	/* a page opened for it */
			u64 leaf;	/* its leaf entry, to put back */
		} page[WATCH_STEP_PAGES];
		u64 fault_gpa;		/* the access that started it */
		/* a TF step: what a PUSHF or SYSCALL would have saved (step_untrace) */
		u64 rsp, rflags;	/* RSP before; RFLAGS with our TF */
		bool push;		/* it started with a write to watched RAM at push_gla */
		u64 push_gla;
		u64 retry_rip, retry_gpa;	/* a step cut short by an interrupt */
		u64 retry_page[WATCH_STEP_PAGES];	/* every page it had opened */
		unsigned int retry_nr;
	} step;
	struct watch applied[WATCH_MAX];	/* watch_table as this EPT has it */
	struct watch wanted[WATCH_MAX];		/* root's checked copy of watch_table */
	struct ram_map ram;			/* the RAM map, copied at allocation */

	/* what VMXON changed, to undo at VMXOFF */
	u64 orig_cr0, orig_cr4;

	struct seal_text text;		/* the module's text (a copy, from load) */
	u64 direct_map;			/* os_phys_to_virt(0), captured at allocation */
	bool test_hooks;		/* vmx_test_hooks, copied at allocation */
	struct lock_state lock;		/* the lock (lock.h): one way, root's alone */
	struct lock_wx wx;		/* its kernel text W^X (lock_wx.h) */
	struct lock_mods mods;		/* and the modules' (lock_mod.h) */
	struct lock_mod_args mod_args;	/* root's copy of a LOCK_MOD hypercall's */
	bool cet;			/* the CPU has CET (lock_cpu_has_cet(), at allocation) */

	struct host_pt host_pt;		/* root's page tables (HOST_CR3) */
	u64 os_cr3;			/* os_host_cr3(): where root leaves to, for the OS */

	struct vcpu_host host VCPU_SECTION;	/* root's GDT, TSS, IDT, IST stacks */

	/* ---- guest read-only ---- */
	struct VCPU_SECTION {
		unsigned int cpu;
		u16 vpid;
		bool devirt;		/* set by the DEVIRT hypercall */
		bool ept_on;		/* this vcpu runs under EPT */
		u64 launch_tsc;
		/* the EPT as root last left it, for statistics */
		u64 eptp;
		unsigned int ept_pages_used, ept_pool_pages;
		struct watch_ring *events;	/* &events_ring, or NULL without EPT */

		/* statistics, written in root only */
		u64 nmis_in_root;		/* NMIs that arrived while in VMX root */
		u64 nmis_injected;		/* NMIs delivered to the guest */
		u64 nmis_dropped;		/* beyond the two a CPU can hold (see exit.c) */
		u64 mces_injected;		/* #MC given to the guest after exit 41 */
		u64 msr_faults;			/* guest RDMSR/WRMSR the CPU refused (#GP) */
		u64 ept_unmatched;	/* EPT violations on pages this CPU does not watch */
		u64 ept_mapped_beyond;	/* pages mapped above the map limit on demand */
		u64 sealed_writes;		/* guest writes to read-only pages, dropped */
		u64 policy_refused;		/* policy hypercalls from outside the module */

		/* the lock, as root published it (its state is v->lock, hidden) */
		bool lock_on;
		bool lock_cet;			/* CET MSRs locked too */
		u64 lock_cr0, lock_cr4;		/* the pinned bits */
		u64 lock_cr_refused;		/* CR writes refused (#GP) */
		u64 lock_msr_refused;		/* WRMSRs refused (#GP) */
		u64 lock_msr_kept;		/* WRMSRs of a locked MSR keeping its value */
		u64 lock_hc_refused;		/* DEVIRT and loosening WATCH_SYNC refused */
		u64 lock_devirt_offline;	/* DEVIRTs allowed for CPU offline */
		u64 lock_restored;		/* locked values put back at relaunch */
		bool lock_dt;			/* descriptor-table exiting on */
		u64 lock_dt_refused;		/* LGDT/LIDT refused (#GP) */
		/* kernel text and rodata W^X (lock_wx.h) */
		bool lock_wx_on;
		bool lock_wx_mbec;		/* the CPU has mode-based execute control */
		bool lock_kexec;		/* kernel-mode execution restricted (MBEC on) */
		u64 lock_kexec_refused;		/* kernel-mode fetches outside code refused */
		unsigned int lock_wx_tables;	/* EPT table pages its ranges took */
		u64 lock_wx_allowed;		/* writes by the kernel's text patching */
		u64 lock_wx_refused;		/* other writes, discarded */
		/* modules' text and read-only data W^X (lock_mod.h) */
		unsigned int lock_mod_runs;	/* runs registered now */
		unsigned int lock_mod_pages;	/* their pages */
		unsigned int lock_mod_tables;	/* EPT table pages they took */
		u64 lock_mod_released;		/* runs released (module unloads) */
		u64 lock_mod_refused;		/* LOCK_MOD hypercalls refused */
		u64 exits[EXIT_REASON_MAX];
		u64 exits_other;
		u64 root_tsc;
		u64 exit_root_tsc[EXIT_REASON_MAX];	/* root_tsc, by exit reason */
		u64 root_tsc_other;
		struct exit_hist exit_hist[EXIT_REASON_MAX];	/* and its distribution */

		/* written in root by SUBZERO_HC_VMCS_SNAPSHOT, read by the OS after it */
		struct vmcs_snapshot vmcs_snap;
	};

	/* ---- the rings: a reader page (guest read-write), then guest read-only ---- */
	struct log_ring log VCPU_SECTION;
	struct watch_ring events_ring VCPU_SECTION;

	/* ---- guest read-write: the non-root half's own ---- */
	struct VCPU_SECTION {
		bool launched;		/* this CPU runs as the guest */
	};
};

#define VCPU_MTF_PROBE_ARMED	1	/* the control is set for the probe */
#define VCPU_MTF_PROBE_TRAPPED	2	/* and its exit came */

/*
 * NMIs held for the guest, at most two: a CPU latches one NMI while another is being
 * delivered or handled, and drops the rest (SDM Vol. 3A, 6.7.1; KVM caps its queue at
 * two the same way).  Held by the NMI exit and by the host IDT's NMI gate, which can
 * interrupt root code on this CPU: one compare-and-swap, never a read-then-write.
 */
#define VCPU_NMI_MAX		2

static inline void vcpu_hold_nmi(struct vcpu *v)
{
	u32 n = __atomic_load_n(&v->nmi_pending, __ATOMIC_RELAXED);

	do {
		if (n >= VCPU_NMI_MAX) {
			__atomic_add_fetch(&v->nmis_dropped, 1, __ATOMIC_RELAXED);
			return;
		}
	} while (!__atomic_compare_exchange_n(&v->nmi_pending, &n, n + 1, false,
					      __ATOMIC_RELAXED, __ATOMIC_RELAXED));
}

/* The protect copies: WATCH_STEP_PAGES pages in one allocation. */
#define VCPU_COPIES_ORDER	2
_Static_assert(WATCH_STEP_PAGES == 1 << VCPU_COPIES_ORDER, "one copy per opened page");

/* Layout facts the exit stub (arch/vmx_entry.S) depends on. */
#define VCPU_HOST_STACK_SIZE	16384

/*
 * Set up the shared MSR bitmap in @page at @pa (one page: pass everything through
 * except the MSRs we virtualize), and count it among the hypervisor's own pages
 * (private.h).  Not root-safe.
 */
int vmx_msr_bitmap_init(void *page, u64 pa);

/*
 * Build @v's own GDT, TSS and IDT (struct vcpu_host) for VMX root, with the kernel's
 * code, stack and task selectors @cs, @ss, @tr at the same indexes.  -EINVAL if a
 * selector does not fit (or collides).  Not root-safe: before VMLAUNCH.
 */
int vmx_host_tables_init(struct vcpu *v, u16 cs, u16 ss, u16 tr);

/*
 * Leaving VMX in root: load the OS's TR (selector @tr, @base, @limit as the guest had
 * them), then its GDT @os_gdt, from root's own GDT.  Before any OS code runs.
 */
void vmx_host_restore_os_tr(struct vcpu *v, const struct cpu_dtr *os_gdt, u16 tr, u64 base,
			    u32 limit);

/*
 * In root, from an exit handler: leave VMX on this CPU for good (OS IDT, VMCLEAR,
 * VMXOFF, CR4.VMXE clear), staying on the host stack with the host state.  For the
 * ways out that never return to the guest (fail closed, INIT).
 */
void vmx_leave_in_root(struct vcpu *v);

/*
 * EPT for every vcpu allocated from now on: the MTRRs to take memory types from, and
 * how much guest-physical space to map.  Without this call vcpus run without EPT.
 * Not root-safe.
 */
void vmx_ept_setup(const struct mtrr_state *m, u64 map_limit);
/* Whether vcpus allocated now get an EPT (vmx_ept_setup() was called). */
bool vmx_ept_enabled(void);
/* The extent vmx_ept_setup() gave every EPT. */
u64 vmx_ept_map_limit(void);

/*
 * The RAM map every vcpu allocated from now on copies into its hidden state, against
 * which root checks pages to watch (watch_check()).  Without it no page is RAM and
 * every watch is refused.  Not root-safe.
 */
void vmx_ram_map_setup(const struct ram_map *m);

/*
 * The module's text for every vcpu allocated from now on (copied into its hidden
 * state).  -EINVAL if it has more than SEAL_TEXT_PAGES pages or is not page aligned.
 * Not root-safe.
 */
int vmx_text_setup(const struct seal_text *t);

/*
 * The table pages each CPU's EPT keeps for watch and protect beyond the initial map:
 * a watched page splits at most one 1 GiB and one 2 MiB leaf.  What hiding the
 * hypervisor's pages takes comes on top, counted by vmx_hide_private().
 */
#define VMX_EPT_WATCH_RESERVE	(2 * WATCH_MAX + VMX_EPT_LOCK_RESERVE)
/*
 * ...and for the lock's W^X (lock_wx.h): each range's two ends may split a 1 GiB and a
 * 2 MiB leaf each, a refused write splits one leaf (two tables) for its step, and the
 * modules' runs take at most LOCK_MOD_EPT_TABLES (lock_mod.h).
 */
#define VMX_EPT_LOCK_RESERVE	(LOCK_WX_RANGES * 4 + 2 + LOCK_MOD_EPT_TABLES)

/* Undo vmx_ept_setup(): vcpus allocated from now on run without EPT.  Not root-safe. */
void vmx_ept_clear(void);

/* The INVVPID type to flush one VPID with (1 or 2), 0 if none is usable.  Root-safe. */
u32 vmx_vpid_flush_type(const struct vmx_caps *c);

/* Allocate a vcpu's regions.  Not root-safe. */
/*
 * A zeroed vcpu in pages of its own (so that its parts can be hidden or made
 * read-only page by page), or NULL.  vmx_vcpu_delete() frees it (after
 * vmx_vcpu_free()).  Not root-safe.
 */
struct vcpu *vmx_vcpu_new(void);
void vmx_vcpu_delete(struct vcpu *v);

/* Root: copy the EPT's state the non-root half shows into v's read-only part. */
void vmx_ept_publish(struct vcpu *v);

int vmx_vcpu_alloc(struct vcpu *v, unsigned int cpu, const struct vmx_caps *caps,
		   u64 msr_bitmap_pa);
void vmx_vcpu_free(struct vcpu *v);

/*
 * Enter VMX operation on this CPU and launch its running OS as the guest: when it
 * returns 0 the caller is already the guest, in VMX non-root.  On failure nothing is
 * left changed and the reason is in the log ring.  Call on the vcpu's own CPU with
 * interrupts disabled.
 */
int vmx_virtualize_this_cpu(struct vcpu *v);

/*
 * Leave VMX operation on this CPU (from the guest side, by hypercall).  Returns 0 when
 * the CPU is back to plain operation.  @offline: the CPU is going offline, the one
 * reason the lock lets a CPU leave (else, locked, -EIO and the CPU stays).  Interrupts
 * disabled, on the vcpu's own CPU.
 */
int vmx_devirtualize_this_cpu(struct vcpu *v, bool offline);

/*
 * Take the lock on this CPU (by hypercall: lock.h), with the kernel text W^X ranges
 * of the struct lock_wx_args at physical address @wx_args (0: none, lock_wx.h) and
 * @gdt_alt, the GDT base the OS loads on this CPU besides the one loaded now (0:
 * none), which the lock will also allow.  -ENXIO if not virtualized; else root's
 * answer (lock_wx_engage()).
 */
int vmx_lock_this_cpu(struct vcpu *v, u64 wx_args, u64 gdt_alt);

/*
 * The lock's module W^X on this CPU (by hypercall: lock_mod.h): add the runs of the
 * struct lock_mod_args at physical address @args (page aligned).  -ENXIO if not virtualized;
 * else root's answer.  On the vcpu's own CPU, interrupts disabled.
 */
int vmx_lock_mod_this_cpu(struct vcpu *v, u64 args);
/* ...and release module @id's runs (LOCK_MOD_ALL: every run), the same way. */
int vmx_lock_mod_release_this_cpu(struct vcpu *v, u64 id);
/* SUBZERO_HC_LOCK_KEXEC on this CPU: lock_kexec_engage()'s answer.  Interrupts off. */
int vmx_lock_kexec_this_cpu(struct vcpu *v);

/*
 * Have the hypervisor VMREAD every VMCS field of this CPU, in root, into v->vmcs_snap
 * (by hypercall).  0 or a negative errno.  On the vcpu's own CPU, interrupts disabled.
 */
int vmx_vmcs_snapshot_this_cpu(struct vcpu *v);


#ifdef SZ_TEST_HOOKS
/*
 * Test builds only (make SZ_TEST_HOOKS=1, the emulator's; the unit tests): a production
 * build has neither the hooks nor the test hypercall.
 */
/* Test hook: make the next vmx_virtualize_this_cpu() on @cpu fail (-1: none). */
extern int vmx_fail_on_cpu;
/* Test hook: allow the test-only hypercalls. */
extern bool vmx_test_hooks;
#endif

/* assembly (arch/vmx_entry.S) */
int vmx_launch(void);
void vmx_exit_stub(void);
/* The same exit stub, calling vmx_exit_handler_checked(): HOST_RIP with entry_checks=1. */
void vmx_exit_stub_checked(void);
/* ... and vmx_exit_handler_xcheck(): HOST_RIP while a cross-check is in flight. */
void vmx_exit_stub_xcheck(void);

void vmx_nmi_stub(void);
/* Vector 13 of the host IDT (arch/msr_safe.c, arch/root_gp.S). */
void vmx_gp_stub(void);
/* Every other vector's entry (arch/root_idt.S), by vector; NMI's and #GP's unused. */
extern const u64 vmx_root_vector_stubs[256];

/*
 * What an exception in root left on the stack (arch/root_idt.S): the vector and an
 * error code (0 where the CPU pushes none), then the CPU's frame.
 */
struct root_fault {
	u64 vector, error, rip, cs, rflags, rsp, ss;
};

/*
 * An exception in VMX root (every vector but NMI, and #GP but the MSR fixups): report
 * the vector and RIP in the log, dump the VMCS, leave VMX and stop the machine the way
 * an unhandled exit does (exit.c's fail closed).  Never returns.
 */
__noreturn void vmx_root_fault(struct root_fault *f);

/* An NMI hit VMX root on this CPU (called by vmx_nmi_stub): hold it for the guest. */
void vmx_root_nmi(void);

/*
 * Apply watch_table to this CPU's EPT (by hypercall, as only root may change it).
 * 0, or -ENOMEM when the EPT had no table page left for a split (the rest is applied),
 * -EOPNOTSUPP without EPT, -ENXIO if not virtualized.  On the vcpu's own CPU.
 */
int vmx_watch_sync_this_cpu(struct vcpu *v);

/*
 * How this CPU's EPT maps @gpa, read in root (the tables are hidden from the guest):
 * the leaf entry and its level (EPT_LEVEL_*).  -ERANGE beyond the map, -EOPNOTSUPP
 * without EPT, -ENXIO if not virtualized.  On the vcpu's own CPU.
 */
int vmx_ept_query_this_cpu(struct vcpu *v, u64 gpa, u64 *leaf, unsigned int *level);

/*
 * In VMX root: the vcpu whose VMCS is current, found the way the exit stub finds it
 * (just above HOST_RSP); NULL when no VMCS is current.
 */
struct vcpu *vmx_current_vcpu(void);

/* The C half of the exit path: returns 0 to VMRESUME, 1 to leave VMX (devirt). */
int vmx_exit_handler(struct guest_regs *regs, struct vcpu *v);
/*
 * For exit handlers outside exit.c: complete the instruction that exited (RIP past
 * it, STI/MOV-SS blocking ended, a pending single-step trap), or inject a hardware
 * exception (with @code if @has_code) instead.  Root-safe.
 */
void exit_skip_instruction(void);
void exit_inject_exception(u32 vector, bool has_code, u32 code);
/* The guest's CPL: SS.DPL (SDM Vol. 3A, 5.5), from the current VMCS.  Root-safe. */
unsigned int exit_guest_cpl(void);
/* A cross-check's answer (entry_root.h), else vmx_exit_handler(). */
int vmx_exit_handler_xcheck(struct guest_regs *regs, struct vcpu *v);
/* vmx_exit_handler(), then (when it resumes the guest) the per-entry check. */
int vmx_exit_handler_checked(struct guest_regs *regs, struct vcpu *v);
/*
 * VMRESUME failed: the stub saved the guest's registers again and found the vcpu on
 * its stack.  Returns 0 to try VMRESUME again (a cross-check put the VMCS back), else
 * logs the VM-instruction error by name and the broken VM-entry rules, and stops this
 * CPU: there is no guest to go back to.
 */
int vmx_resume_failed(struct guest_regs *regs, struct vcpu *v);
/* What vmx_resume_failed() logs, apart so that it can be tested. */
void vmx_log_resume_failure(struct vcpu *v);

#endif
