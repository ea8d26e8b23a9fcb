// SPDX-License-Identifier: GPL-2.0
/*
 * Entering and leaving VMX operation on one CPU, and the VMCS that turns the running
 * OS into that CPU's guest.
 */
#include "vmx.h"
#include "errors.h"
#include "lib.h"
#include "os.h"
#include "private.h"
#include "vmx_ctls.h"
#include "vmx_decode.h"
#include "arch/x86.h"
#include <cpu_ops.h>

_Static_assert(GUEST_RSP == VMCS_ENC_GUEST_RSP && GUEST_RIP == VMCS_ENC_GUEST_RIP,
	       "arch/vmx_stub.h: the encodings arch/vmx_entry.S writes");

struct vmx_spec vmx_spec;
_Static_assert(__builtin_offsetof(struct vcpu, spec.flags) == VCPU_SPEC_FLAGS &&
	       VMX_SPEC_RSB_FILL == SPEC_RSB_FILL && VMX_SPEC_RSB_LITE == SPEC_RSB_LITE &&
	       VMX_SPEC_CLEAR_BHB == SPEC_CLEAR_BHB,
	       "arch/vmx_stub.h: the exit stub tests these bits of v->spec.flags");

#ifdef SZ_TEST_HOOKS
int vmx_fail_on_cpu = -1;
bool vmx_test_hooks;
#endif

#define VMX_INVEPT_ALL_CONTEXT	2
#define VMX_INVVPID_SINGLE_CONTEXT 1
#define VMX_INVVPID_ALL_CONTEXT	2

#define AR_UNUSABLE		BIT(16)

/* ---- the MSR bitmap (SDM Vol. 3C, 25.6.9) ---- */

static void bitmap_set(u8 *page, unsigned int offset, u32 msr)
{
	u32 bit = msr & 0x1fff;

	if (msr >= 0xc0000000)
		offset += 1024;
	page[offset + bit / 8] |= 1 << (bit % 8);
}

int vmx_msr_bitmap_init(void *page, u64 pa)
{
	u8 *p = page;
	u32 msr;

	vmx_private_shared(VMX_SHARED_MSR_BITMAP, pa);

	/* Reads of IA32_FEATURE_CONTROL exit (we show VMX as disabled); writes exit. */
	bitmap_set(p, 0, MSR_IA32_FEATURE_CONTROL);
	bitmap_set(p, 2048, MSR_IA32_FEATURE_CONTROL);
	/*
	 * Writes to the MSRs the lock covers exit (lock.h), locked or not: the kernel
	 * writes them only while a CPU comes up, so this costs no steady-state exit.
	 */
	for (msr = 0; msr < LOCK_MSR_NR; msr++)
		if (msr < LOCK_MSR_FIRST_CET || lock_cpu_has_cet())
			bitmap_set(p, 2048, lock_msr_numbers[msr]);
	bitmap_set(p, 2048, MSR_EFER);
	/* The VMX capability MSRs do not exist for a guest without VMX: #GP. */
	for (msr = MSR_IA32_VMX_BASIC; msr <= MSR_IA32_VMX_EXIT_CTLS2; msr++) {
		bitmap_set(p, 0, msr);
		bitmap_set(p, 2048, msr);
	}
	return 0;
}

/* ---- allocation ---- */

static struct {
	bool on;
	struct mtrr_state mtrr;
	u64 map_limit;
	struct ram_map ram;
} vmx_ept_cfg;

void vmx_ram_map_setup(const struct ram_map *m)
{
	vmx_ept_cfg.ram = *m;
}

static struct seal_text vmx_text_cfg;

/* pa[] counts the pages of the code and the read-only data, wherever that lies */
static bool seal_text_layout_ok(const struct seal_text *t)
{
	u64 pages = (t->ro_end - t->text_start + PAGE_SIZE - 1) / PAGE_SIZE;

	if (!t->ro_start)
		return t->ro_end >= t->text_end && t->nr == pages;
	if ((t->text_end | t->ro_start) & (PAGE_SIZE - 1) || t->ro_end < t->ro_start)
		return false;
	pages = (t->ro_end - t->ro_start + PAGE_SIZE - 1) / PAGE_SIZE;
	return t->nr == seal_text_code_pages(t) + pages;
}

int vmx_text_setup(const struct seal_text *t)
{
	if (t->nr > SEAL_TEXT_PAGES || (t->text_start & (PAGE_SIZE - 1)) ||
	    t->text_end < t->text_start || !seal_text_layout_ok(t) ||
	    t->data_nr > SEAL_DATA_PAGES || (t->data_nr && (t->data_start & (PAGE_SIZE - 1))) ||
	    (t->root_end && ((t->root_start | t->root_end) & (PAGE_SIZE - 1) ||
			     t->root_start < t->text_start || t->root_end <= t->root_start ||
			     t->root_end > t->text_end)))
		return -EINVAL;
	vmx_text_cfg = *t;
	return 0;
}

void vmx_ept_setup(const struct mtrr_state *m, u64 map_limit)
{
	vmx_ept_cfg.mtrr = *m;
	vmx_ept_cfg.map_limit = map_limit;
	vmx_ept_cfg.on = true;
}

void vmx_ept_clear(void)
{
	vmx_ept_cfg.on = false;
}

bool vmx_ept_enabled(void)
{
	return vmx_ept_cfg.on;
}

u64 vmx_ept_map_limit(void)
{
	return vmx_ept_cfg.map_limit;
}

static int vmx_ept_alloc(struct vcpu *v)
{
	unsigned int need;
	int ret;

	v->scratch = os_alloc_pages(0, &v->scratch_pa);
	v->copies = os_alloc_pages(VCPU_COPIES_ORDER, &v->copies_pa);
	if (!v->scratch || !v->copies)
		return -ENOMEM;
	ret = ept_tables_needed(v->caps->ept_vpid, &vmx_ept_cfg.mtrr, vmx_ept_cfg.map_limit,
				&need);
	if (!ret)
		ret = ept_init(&v->ept, v->caps->ept_vpid, &vmx_ept_cfg.mtrr,
			       vmx_ept_cfg.map_limit, need + VMX_EPT_WATCH_RESERVE);
	v->mtf = vmx_has_mtf(v->caps);		/* else the step uses RFLAGS.TF */
	v->preemption_timer = vmx_has_preemption_timer(v->caps);
	if (!ret) {
		v->events = &v->events_ring;
		v->ept_on = true;
		vmx_ept_publish(v);
	}
	return ret;
}

void vmx_ept_publish(struct vcpu *v)
{
	v->eptp = ept_eptp(&v->ept);
	v->ept_pages_used = ept_pages_in_use(&v->ept);
	v->ept_pool_pages = ept_pool_size(&v->ept);
}

/* The smallest order of pages that holds a struct vcpu. */
static unsigned int vcpu_order(void)
{
	unsigned int order = 0;

	while (((size_t)VCPU_PAGE << order) < sizeof(struct vcpu))
		order++;
	return order;
}

struct vcpu *vmx_vcpu_new(void)
{
	unsigned int order = vcpu_order();
	struct vcpu *v;
	u64 pa;

	v = os_alloc_pages(order, &pa);
	if (!v)
		return NULL;
	v->self_pa = pa;
	v->self_order = order;
	return v;
}

void vmx_vcpu_delete(struct vcpu *v)
{
	if (v)
		os_free_pages(v, v->self_order);
}

int vmx_vcpu_alloc(struct vcpu *v, unsigned int cpu, const struct vmx_caps *caps,
		   u64 msr_bitmap_pa)
{
	int ret;

	v->cpu = cpu;
	/* Root's own copy: the caller's is guest memory. */
	v->caps_copy = *caps;
	v->caps = &v->caps_copy;
	v->text = vmx_text_cfg;
	v->spec = vmx_spec;		/* the OS chose it before any allocation */
	v->direct_map = (u64)(unsigned long)os_phys_to_virt(0);
#ifdef SZ_TEST_HOOKS
	v->test_hooks = vmx_test_hooks;	/* root reads its own copy, not the global */
#endif
	v->cet = lock_cpu_has_cet();
	v->msr_bitmap_pa = msr_bitmap_pa;
	/* VPID 0 is the host's; every CPU's guest gets its own tag. */
	v->vpid = (u16)(cpu + 1);
	v->vmxon = os_alloc_pages(0, &v->vmxon_pa);
	v->vmcs = os_alloc_pages(0, &v->vmcs_pa);
	v->host_stack = os_alloc_pages(2, &v->host_stack_pa);
	if (!v->vmxon || !v->vmcs || !v->host_stack) {
		vmx_vcpu_free(v);
		return -ENOMEM;
	}
	v->ram = vmx_ept_cfg.ram;
	ret = vmx_host_pt_build(v);
	if (ret) {
		vmx_vcpu_free(v);
		return ret;
	}
	if (vmx_ept_cfg.on) {
		ret = vmx_ept_alloc(v);
		if (ret) {
			vmx_vcpu_free(v);
			return ret;
		}
	}
	return 0;
}

void vmx_vcpu_free(struct vcpu *v)
{
	vmx_host_pt_free(v);
	if (v->vmxon)
		os_free_pages(v->vmxon, 0);
	if (v->vmcs)
		os_free_pages(v->vmcs, 0);
	if (v->host_stack)
		os_free_pages(v->host_stack, 2);
	ept_destroy(&v->ept);
	if (v->scratch)
		os_free_pages(v->scratch, 0);
	if (v->copies)
		os_free_pages(v->copies, VCPU_COPIES_ORDER);
	v->copies = NULL;
	v->vmxon = v->vmcs = v->host_stack = v->scratch = NULL;
	v->events = NULL;
	v->ept_on = false;
}

/* ---- segments ---- */

struct seg {
	u16 sel;
	u64 base;
	u32 limit;
	u32 ar;
};

static u64 gdt_base_of(const struct cpu_dtr *gdt, u16 sel, bool system)
{
	const u8 *d = (const u8 *)(gdt->base + (sel & ~7UL));
	u64 base;

	base = d[2] | (u64)d[3] << 8 | (u64)d[4] << 16 | (u64)d[7] << 24;
	if (system)		/* 16-byte system descriptor in IA-32e mode */
		base |= (u64)(d[8] | d[9] << 8 | d[10] << 16 | (u32)d[11] << 24) << 32;
	return base;
}

/* A segment register as the VMCS wants it (SDM Vol. 3C, 25.4.1, Table 25-2). */
static void read_seg(enum cpu_seg s, const struct cpu_dtr *gdt, struct seg *out)
{
	u32 lar;

	out->sel = cpu_read_sel(s);
	out->base = 0;
	out->limit = 0;
	out->ar = AR_UNUSABLE;
	if (!(out->sel & ~3) || (out->sel & 4) || !cpu_lar(out->sel, &lar))
		return;
	out->ar = (lar >> 8) & 0xf0ff;
	out->limit = cpu_lsl(out->sel);
	out->base = gdt_base_of(gdt, out->sel, s == SEG_TR || s == SEG_LDTR);
}

/* ---- entering VMX operation (SDM Vol. 3C, 24.7 and 24.8) ---- */

static int vmx_enable(struct vcpu *v)
{
	const struct vmx_caps *c = v->caps;
	u64 fc = cpu_rdmsr(MSR_IA32_FEATURE_CONTROL), cr0, cr4;
	int st;

	if (!(fc & FEATURE_CONTROL_LOCKED)) {
		/* Unlocked (some firmware leaves it so): allow VMXON and lock it. */
		fc |= FEATURE_CONTROL_LOCKED | FEATURE_CONTROL_VMXON_OUTSIDE_SMX;
		cpu_wrmsr(MSR_IA32_FEATURE_CONTROL, fc);
	} else if (!(fc & FEATURE_CONTROL_VMXON_OUTSIDE_SMX)) {
		log_printf(&v->log, LOG_ERR "CPU %u: VMX is disabled by the firmware (IA32_FEATURE_CONTROL is locked with VMXON outside SMX off; enable VT-x in the BIOS)",
			   v->cpu);
		return -EOPNOTSUPP;
	}

	cr4 = cpu_read_cr4();
	if (cr4 & X86_CR4_VMXE) {
		log_printf(&v->log, LOG_ERR "CPU %u: CR4.VMXE is already set: another hypervisor (most likely kvm_intel) holds VMX; unload it first",
			   v->cpu);
		return -EBUSY;
	}
	v->orig_cr0 = cpu_read_cr0();
	v->orig_cr4 = cr4;
	/* A.7, A.8: bits fixed to 1 must be 1, bits fixed to 0 must be 0. */
	cr0 = (v->orig_cr0 | c->cr0_fixed0) & c->cr0_fixed1;
	cr4 = ((cr4 | c->cr4_fixed0) & c->cr4_fixed1) | X86_CR4_VMXE;
	if (cr0 != v->orig_cr0)
		cpu_write_cr0(cr0);
	cpu_write_cr4(cr4);

	*(u32 *)v->vmxon = vmx_caps_revision_id(c);
	st = cpu_vmxon(v->vmxon_pa);
	if (st) {
		log_printf(&v->log, LOG_ERR "CPU %u: VMXON failed (%s)", v->cpu,
			   st == VMX_FAIL_INVALID ? "VMfailInvalid" : "VMfailValid");
		cpu_write_cr4(v->orig_cr4);
		cpu_write_cr0(v->orig_cr0);
		return -EIO;
	}
	/* Stale EPT/VPID-tagged translations from whoever used VMX before us. */
	if ((c->ept_vpid & VMX_EPT_INVEPT) && (c->ept_vpid & VMX_EPT_EXTENT_GLOBAL))
		cpu_invept(VMX_INVEPT_ALL_CONTEXT, 0);
	if ((c->ept_vpid & VMX_VPID_INVVPID) && (c->ept_vpid & VMX_VPID_EXTENT_ALL_CONTEXT))
		cpu_invvpid(VMX_INVVPID_ALL_CONTEXT, 0, 0);
	return 0;
}

static void vmx_disable(struct vcpu *v)
{
	cpu_vmxoff();
	cpu_write_cr4(cpu_read_cr4() & ~X86_CR4_VMXE);
	cpu_write_cr0(v->orig_cr0);
}

/* ---- the VMCS ---- */

static int vmcs_load(struct vcpu *v)
{
	*(u32 *)v->vmcs = vmx_caps_revision_id(v->caps);
	if (cpu_vmclear(v->vmcs_pa) || cpu_vmptrld(v->vmcs_pa)) {
		log_printf(&v->log, LOG_ERR "CPU %u: VMCLEAR/VMPTRLD of the VMCS failed", v->cpu);
		return -EIO;
	}
	if (cpu_vmptrst() != v->vmcs_pa) {
		log_printf(&v->log, LOG_ERR "CPU %u: VMPTRST says %llx, not our VMCS %llx", v->cpu,
			   cpu_vmptrst(), v->vmcs_pa);
		return -EIO;
	}
	return 0;
}

/*
 * The INVVPID type that flushes one guest's tagged translations on this CPU: single
 * context where the CPU has it, else all contexts, else 0 (no usable INVVPID: the
 * guest then runs without VPID).
 */
u32 vmx_vpid_flush_type(const struct vmx_caps *c)
{
	if (!(c->ept_vpid & VMX_VPID_INVVPID))
		return 0;
	if (c->ept_vpid & VMX_VPID_EXTENT_SINGLE_CONTEXT)
		return VMX_INVVPID_SINGLE_CONTEXT;
	if (c->ept_vpid & VMX_VPID_EXTENT_ALL_CONTEXT)
		return VMX_INVVPID_ALL_CONTEXT;
	return 0;
}

/* With EPT, the PDPTEs are guest state too (used only with PAE paging outside IA-32e). */
static void vmcs_setup_pdptrs(struct vcpu *v)
{
	vmcs_write64(&v->vmcs_err, GUEST_PDPTR0, 0);
	vmcs_write64(&v->vmcs_err, GUEST_PDPTR1, 0);
	vmcs_write64(&v->vmcs_err, GUEST_PDPTR2, 0);
	vmcs_write64(&v->vmcs_err, GUEST_PDPTR3, 0);
}

/* Name the optional controls the CPU lacks, which this CPU runs without. */
static void log_dropped(struct vcpu *v, enum vmx_ctl ctl, u32 dropped)
{
	char names[LOG_LINE];
	const char *name;
	size_t n = 0;
	unsigned int bit;

	names[0] = '\0';
	for (bit = 0; bit < 32; bit++) {
		if (!(dropped & BIT(bit)))
			continue;
		name = vmx_ctl_bit_name(ctl, bit);
		if (name)
			n += log_format(names + n, sizeof(names) - n, " %s%s",
					vmx_ctl_descs[ctl].prefix, name);
		else
			n += log_format(names + n, sizeof(names) - n, " bit %u", bit);
	}
	log_printf(&v->log, LOG_WARNING "CPU %u: the CPU lacks the optional %s control(s)%s: running without",
		   v->cpu, vmx_ctl_descs[ctl].name, names);
}

/*
 * Choose all five control words; a missing required bit fails with its name, and an
 * optional one the CPU lacks is logged.
 */
static int vmcs_setup_controls(struct vcpu *v)
{
	struct vmx_ctl_want words[VMX_CTL_NR];
	struct vmx_ctl_choice ch;
	unsigned int cr3_targets;
	size_t i;

	vmx_ctls_wanted(v->ept.pml4 != NULL, words);
	/* an EPT whose leaves say supervisor-execute in bit 2 (the lock; relaunches) */
	if (v->ept.mbec)
		words[VMX_CTL_PROC2].required |= SECONDARY_EXEC_MODE_BASED_EPT_EXEC;
	/*
	 * VPID only with an INVVPID we can use for the guest's CR4 writes (single- or
	 * all-context; KVM's rule): without VPID every VM entry and exit flushes, and no
	 * INVVPID is needed at all.
	 */
	if (!vmx_vpid_flush_type(v->caps))
		words[VMX_CTL_PROC2].optional &= ~SECONDARY_EXEC_ENABLE_VPID;
	for (i = 0; i < ARRAY_SIZE(words); i++) {
		if (vmx_ctl_adjust(v->caps, words[i].ctl, words[i].required, words[i].optional,
				   &ch)) {
			log_printf(&v->log, LOG_ERR "CPU %u: the CPU lacks the required %s control %s%s",
				   v->cpu, vmx_ctl_descs[words[i].ctl].name,
				   vmx_ctl_descs[words[i].ctl].prefix,
				   vmx_ctl_bit_name(words[i].ctl, __builtin_ctz(ch.missing)) ?: "?");
			return -EOPNOTSUPP;
		}
		if (ch.dropped)
			log_dropped(v, words[i].ctl, ch.dropped);
		if (words[i].ctl == VMX_CTL_PROC) {
			ch.value &= ~(u64)CPU_BASED_NMI_WINDOW_EXITING;
			v->procbased = (u32)ch.value;
		}
		if (words[i].ctl == VMX_CTL_PROC2) {
			v->vpid_on = ch.value & SECONDARY_EXEC_ENABLE_VPID;
			if (v->vpid_on)
				vmcs_write16(&v->vmcs_err, VIRTUAL_PROCESSOR_ID, v->vpid);
			/* XSAVES/XRSTORS never exit for a supervisor state component */
			if (ch.value & SECONDARY_EXEC_ENABLE_XSAVES)
				vmcs_write64(&v->vmcs_err, XSS_EXIT_BITMAP, 0);
			if (ch.value & SECONDARY_EXEC_ENABLE_EPT)
				vmcs_setup_pdptrs(v);
		}
		__vmcs_write_track(&v->vmcs_err, words[i].field, ch.value, __func__);
	}
	/*
	 * Every field the controls above make the CPU look at, written even where 0 is
	 * wanted: a VMCLEARed region is not promised to read as zero fields (SDM Vol. 3C,
	 * 25.11.3, "Initializing a VMCS").
	 */
	vmcs_write32(&v->vmcs_err, EXCEPTION_BITMAP, 0);
	vmcs_write32(&v->vmcs_err, PAGE_FAULT_ERROR_CODE_MASK, 0);
	vmcs_write32(&v->vmcs_err, PAGE_FAULT_ERROR_CODE_MATCH, 0);
	vmcs_write64(&v->vmcs_err, TSC_OFFSET, 0);
	vmcs_write32(&v->vmcs_err, CR3_TARGET_COUNT, 0);
	/* as many CR3-target values as the CPU has (IA32_VMX_MISC[24:16], SDM A.6) */
	cr3_targets = (v->caps->misc >> VMX_MISC_CR3_TARGETS_SHIFT) & 0x1ff;
	if (cr3_targets > 0)
		vmcs_writen(&v->vmcs_err, CR3_TARGET_VALUE0, 0);
	if (cr3_targets > 1)
		vmcs_writen(&v->vmcs_err, CR3_TARGET_VALUE1, 0);
	if (cr3_targets > 2)
		vmcs_writen(&v->vmcs_err, CR3_TARGET_VALUE2, 0);
	if (cr3_targets > 3)
		vmcs_writen(&v->vmcs_err, CR3_TARGET_VALUE3, 0);
	vmcs_write64(&v->vmcs_err, VM_EXIT_MSR_STORE_ADDR, 0);
	vmcs_write64(&v->vmcs_err, VM_EXIT_MSR_LOAD_ADDR, 0);
	vmcs_write64(&v->vmcs_err, VM_ENTRY_MSR_LOAD_ADDR, 0);
	vmcs_write32(&v->vmcs_err, VM_ENTRY_EXCEPTION_ERROR_CODE, 0);
	vmcs_write32(&v->vmcs_err, VM_ENTRY_INSTRUCTION_LEN, 0);
	vmcs_write64(&v->vmcs_err, MSR_BITMAP, v->msr_bitmap_pa);
	if (v->ept.pml4)
		vmcs_write64(&v->vmcs_err, EPT_POINTER, ept_eptp(&v->ept));
	vmcs_write32(&v->vmcs_err, VM_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write32(&v->vmcs_err, VM_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write32(&v->vmcs_err, VM_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write32(&v->vmcs_err, VM_ENTRY_INTR_INFO_FIELD, 0);
	return 0;
}

#define GUEST_SEG(v, S, s)							\
	do {									\
		vmcs_write16(&(v)->vmcs_err, GUEST_##S##_SELECTOR, (s).sel);	\
		vmcs_writen(&(v)->vmcs_err, GUEST_##S##_BASE, (s).base);	\
		vmcs_write32(&(v)->vmcs_err, GUEST_##S##_LIMIT, (s).limit);	\
		vmcs_write32(&(v)->vmcs_err, GUEST_##S##_AR_BYTES, (s).ar);	\
	} while (0)

/* Guest state: the live CPU, as it is right now (SDM Vol. 3C, 25.4). */
static void vmcs_setup_guest(struct vcpu *v, const struct cpu_dtr *gdt,
			     const struct cpu_dtr *idt)
{
	struct seg s[SEG_NR];
	int i;

	for (i = 0; i < SEG_NR; i++)
		read_seg(i, gdt, &s[i]);
	s[SEG_FS].base = cpu_rdmsr(MSR_FS_BASE);
	s[SEG_GS].base = cpu_rdmsr(MSR_GS_BASE);
	GUEST_SEG(v, ES, s[SEG_ES]);
	GUEST_SEG(v, CS, s[SEG_CS]);
	GUEST_SEG(v, SS, s[SEG_SS]);
	GUEST_SEG(v, DS, s[SEG_DS]);
	GUEST_SEG(v, FS, s[SEG_FS]);
	GUEST_SEG(v, GS, s[SEG_GS]);
	GUEST_SEG(v, LDTR, s[SEG_LDTR]);
	GUEST_SEG(v, TR, s[SEG_TR]);
	vmcs_writen(&v->vmcs_err, GUEST_GDTR_BASE, gdt->base);
	vmcs_write32(&v->vmcs_err, GUEST_GDTR_LIMIT, gdt->limit);
	vmcs_writen(&v->vmcs_err, GUEST_IDTR_BASE, idt->base);
	vmcs_write32(&v->vmcs_err, GUEST_IDTR_LIMIT, idt->limit);

	vmcs_writen(&v->vmcs_err, GUEST_CR0, cpu_read_cr0());
	vmcs_writen(&v->vmcs_err, GUEST_CR3, cpu_read_cr3());
	vmcs_writen(&v->vmcs_err, GUEST_CR4, cpu_read_cr4());
	vmcs_writen(&v->vmcs_err, GUEST_DR7, cpu_read_dr7());
	vmcs_writen(&v->vmcs_err, GUEST_RFLAGS, cpu_read_rflags());
	vmcs_write64(&v->vmcs_err, GUEST_IA32_DEBUGCTL, cpu_rdmsr(MSR_IA32_DEBUGCTL));
	vmcs_write32(&v->vmcs_err, GUEST_SYSENTER_CS, cpu_rdmsr(MSR_IA32_SYSENTER_CS));
	vmcs_writen(&v->vmcs_err, GUEST_SYSENTER_ESP, cpu_rdmsr(MSR_IA32_SYSENTER_ESP));
	vmcs_writen(&v->vmcs_err, GUEST_SYSENTER_EIP, cpu_rdmsr(MSR_IA32_SYSENTER_EIP));
	vmcs_write64(&v->vmcs_err, GUEST_IA32_EFER, cpu_rdmsr(MSR_EFER));
	vmcs_write64(&v->vmcs_err, GUEST_IA32_PAT, cpu_rdmsr(MSR_IA32_PAT));
	vmcs_write32(&v->vmcs_err, GUEST_ACTIVITY_STATE, 0);
	vmcs_write32(&v->vmcs_err, GUEST_INTERRUPTIBILITY_INFO, 0);
	vmcs_writen(&v->vmcs_err, GUEST_PENDING_DBG_EXCEPTIONS, 0);
	vmcs_write64(&v->vmcs_err, VMCS_LINK_POINTER, ~0ULL);

	/*
	 * CR0/CR4 bits the guest may not change on its own (25.6.6): the ones VMX fixes,
	 * and CR4.VMXE, which the guest reads as 0 from the shadow.
	 */
	vmcs_writen(&v->vmcs_err, CR0_GUEST_HOST_MASK, v->caps->cr0_fixed0 | ~v->caps->cr0_fixed1);
	vmcs_writen(&v->vmcs_err, CR0_READ_SHADOW, cpu_read_cr0());
	vmcs_writen(&v->vmcs_err, CR4_GUEST_HOST_MASK,
		    v->caps->cr4_fixed0 | ~v->caps->cr4_fixed1 | X86_CR4_VMXE);
	vmcs_writen(&v->vmcs_err, CR4_READ_SHADOW, cpu_read_cr4() & ~X86_CR4_VMXE);
}

/* ---- root's own descriptor tables (vmx.h, struct vcpu_host) ---- */

#define GATE_INTERRUPT		0x8e00		/* P, DPL 0, 64-bit interrupt gate */
#define DESC_CODE64		0x00af9b000000ffffULL	/* P, DPL 0, code, L, G */
#define DESC_DATA		0x00cf93000000ffffULL	/* P, DPL 0, data, writable, G */
#define DESC_TSS_AVAILABLE	0x9
#define DESC_TSS_BUSY		0xb

static void gate_set(struct idt_gate *g, u64 off, u16 cs, unsigned int ist)
{
	g->offset_low = (u16)off;
	g->offset_mid = (u16)(off >> 16);
	g->offset_high = (u32)(off >> 32);
	g->selector = cs;
	g->flags = GATE_INTERRUPT | ist;
	g->reserved = 0;
}

/* A 16-byte system descriptor (a TSS) at gdt[i], gdt[i + 1] (SDM Vol. 3A, 8.2.3). */
static void tss_desc_set(u64 *gdt, unsigned int i, u64 base, u32 limit, u32 type)
{
	gdt[i] = (limit & 0xffff) | (base & 0xffffff) << 16 | (u64)type << 40 | 1ULL << 47 |
		 (u64)((limit >> 16) & 0xf) << 48 | ((base >> 24) & 0xff) << 56;
	gdt[i + 1] = base >> 32;
}

/*
 * Which stack IST n (tss.ist[n - 1]) gives: 1 #DF's, 2 NMI's, 3 (the kernel's #DB
 * gate, while leaving VMX) NMI's, 4 #MC's (ours and the kernel's), 5-7 #MC's.
 */
static const u8 ist_stack_of[7] = { 0, 1, 1, 2, 2, 2, 2 };

int vmx_host_tables_init(struct vcpu *v, u16 cs, u16 ss, u16 tr)
{
	struct vcpu_host *h = &v->host;
	unsigned int c = cs >> 3, d = ss >> 3, t = tr >> 3, i;

	if (!c || !t || c >= HOST_GDT_ENTRIES || d >= HOST_GDT_ENTRIES ||
	    t + 1 >= HOST_GDT_ENTRIES || c == d || c == t || c == t + 1 ||
	    (d && (d == t || d == t + 1)) || (cs & 7) || (ss & 7) || (tr & 7))
		return -EINVAL;
	sz_memset(h->gdt, 0, sizeof(h->gdt));
	h->gdt[c] = DESC_CODE64;
	if (d)
		h->gdt[d] = DESC_DATA;
	tss_desc_set(h->gdt, t, (u64)&h->tss, sizeof(h->tss) - 1, DESC_TSS_BUSY);

	sz_memset(&h->tss, 0, sizeof(h->tss));
	h->tss.iomap_base = sizeof(h->tss);	/* no I/O bitmap */
	for (i = 0; i < 7; i++)
		h->tss.ist[i] = (u64)&h->ist_stack[ist_stack_of[i]][HOST_IST_STACK_SIZE];

	for (i = 0; i < 256; i++)
		gate_set(&h->idt[i], vmx_root_vector_stubs[i], cs, 0);
	gate_set(&h->idt[X86_VEC_NMI], (u64)vmx_nmi_stub, cs, HOST_IST_NMI);
	gate_set(&h->idt[X86_VEC_GP], (u64)vmx_gp_stub, cs, 0);
	gate_set(&h->idt[X86_VEC_DF], vmx_root_vector_stubs[X86_VEC_DF], cs, HOST_IST_DF);
	gate_set(&h->idt[X86_VEC_MC], vmx_root_vector_stubs[X86_VEC_MC], cs, HOST_IST_MC);
	return 0;
}

/*
 * Give the CPU the OS's task register back while root's GDT is still loaded: the OS's
 * TSS descriptor in its GDT is marked busy (LTR would fault on it), and its GDT is
 * read-only.  So the slot of that selector in root's own GDT becomes an available
 * descriptor of the OS's TSS (base, limit as the guest had them), LTR loads it (and
 * marks root's copy busy), then the OS's GDT.  The OS gets its TR exactly as it was,
 * limit included (a VM exit sets it to 0x67).
 */
void vmx_host_restore_os_tr(struct vcpu *v, const struct cpu_dtr *os_gdt, u16 tr, u64 base,
			    u32 limit)
{
	unsigned int t = tr >> 3;

	if (t && t + 1 < HOST_GDT_ENTRIES) {
		tss_desc_set(v->host.gdt, t, base, limit, DESC_TSS_AVAILABLE);
		cpu_ltr(tr & ~7);
	}
	cpu_lgdt(os_gdt);
}

/* Found the way the exit stub finds it: at HOST_RSP + HOST_RSP_VCPU. */
struct vcpu *vmx_current_vcpu(void)
{
	u64 host_rsp;

	if (cpu_vmread(HOST_RSP, &host_rsp) || !host_rsp)
		return NULL;
	return *(struct vcpu **)(host_rsp + HOST_RSP_VCPU);
}

/*
 * Leave VMX operation from inside an exit handler, for good: the OS's IDT first (from
 * here an NMI is the OS's to handle, and vmx_nmi_stub could no longer find the VMCS),
 * then VMCLEAR and VMXOFF.  The CPU keeps the host state, which is the OS's own (its
 * GDT, TR, GS base, kernel page tables), on the host stack.  For the ways out that do
 * not return to the guest: fail closed, INIT.
 */
void vmx_leave_in_root(struct vcpu *v)
{
	struct cpu_dtr idt = { (u16)vmcs_read32(GUEST_IDTR_LIMIT), vmcs_readn(GUEST_IDTR_BASE) };
	struct cpu_dtr gdt = { (u16)vmcs_read32(GUEST_GDTR_LIMIT), vmcs_readn(GUEST_GDTR_BASE) };

	u16 tr = vmcs_read16(GUEST_TR_SELECTOR);

	/*
	 * The OS's page tables first: root's own map nothing of the kernel, whose NMI
	 * handler may run as soon as its IDT is loaded.  The guest's IDT, GDT and TR are
	 * the OS's own (kernel mode or not, every CPU).
	 */
	cpu_write_cr3(v->os_cr3);
	cpu_lidt(&idt);
	vmx_host_restore_os_tr(v, &gdt, tr, vmcs_readn(GUEST_TR_BASE),
			       vmcs_read32(GUEST_TR_LIMIT));
	cpu_vmclear(v->vmcs_pa);
	cpu_vmxoff();
	cpu_write_cr4(cpu_read_cr4() & ~X86_CR4_VMXE);
	v->launched = false;
}

/*
 * The VMCS is current whenever the host IDT is loaded (a VM exit loads it, and the
 * way out loads the OS's IDT before VMCLEAR), so vmx_current_vcpu() finds the vcpu.
 */
void vmx_root_nmi(void)
{
	struct vcpu *v = vmx_current_vcpu();

	if (!v)
		return;
	vcpu_hold_nmi(v);
	v->nmis_in_root++;
	cpu_vmwrite(CPU_BASED_VM_EXEC_CONTROL, v->procbased | CPU_BASED_NMI_WINDOW_EXITING);
}

/* Host state: what a VM exit loads (SDM Vol. 3C, 25.5, 28.5). */
static void vmcs_setup_host(struct vcpu *v)
{
	u64 *top = (u64 *)((u8 *)v->host_stack + VCPU_HOST_STACK_SIZE);
	u16 tr = cpu_read_sel(SEG_TR);

	/* The exit stub finds its vcpu just above HOST_RSP. */
	top[-1] = (u64)v;
	top[-2] = 0;
	vmcs_writen(&v->vmcs_err, HOST_CR0, cpu_read_cr0());
	/* root's own page tables (host_pt.c); the OS's, to leave root for */
	v->os_cr3 = os_host_cr3();
	vmcs_writen(&v->vmcs_err, HOST_CR3, v->host_pt.pml4 ? v->host_pt.pml4_pa : v->os_cr3);
	vmcs_writen(&v->vmcs_err, HOST_CR4, cpu_read_cr4());
	vmcs_write16(&v->vmcs_err, HOST_CS_SELECTOR, cpu_read_sel(SEG_CS) & ~7);
	vmcs_write16(&v->vmcs_err, HOST_SS_SELECTOR, cpu_read_sel(SEG_SS) & ~7);
	vmcs_write16(&v->vmcs_err, HOST_DS_SELECTOR, 0);
	vmcs_write16(&v->vmcs_err, HOST_ES_SELECTOR, 0);
	vmcs_write16(&v->vmcs_err, HOST_FS_SELECTOR, 0);
	vmcs_write16(&v->vmcs_err, HOST_GS_SELECTOR, 0);
	vmcs_write16(&v->vmcs_err, HOST_TR_SELECTOR, tr & ~7);
	vmcs_writen(&v->vmcs_err, HOST_FS_BASE, cpu_rdmsr(MSR_FS_BASE));
	vmcs_writen(&v->vmcs_err, HOST_GS_BASE, cpu_rdmsr(MSR_GS_BASE));
	/* root's own tables (vmx_host_tables_init()), hidden: vmx.h, struct vcpu_host */
	vmcs_writen(&v->vmcs_err, HOST_TR_BASE, (u64)&v->host.tss);
	vmcs_writen(&v->vmcs_err, HOST_GDTR_BASE, (u64)v->host.gdt);
	vmcs_writen(&v->vmcs_err, HOST_IDTR_BASE, (u64)v->host.idt);
	vmcs_write32(&v->vmcs_err, HOST_IA32_SYSENTER_CS, cpu_rdmsr(MSR_IA32_SYSENTER_CS));
	vmcs_writen(&v->vmcs_err, HOST_IA32_SYSENTER_ESP, cpu_rdmsr(MSR_IA32_SYSENTER_ESP));
	vmcs_writen(&v->vmcs_err, HOST_IA32_SYSENTER_EIP, cpu_rdmsr(MSR_IA32_SYSENTER_EIP));
	vmcs_write64(&v->vmcs_err, HOST_IA32_EFER, cpu_rdmsr(MSR_EFER));
	vmcs_write64(&v->vmcs_err, HOST_IA32_PAT, cpu_rdmsr(MSR_IA32_PAT));
	vmcs_writen(&v->vmcs_err, HOST_RSP, (u64)&top[-2]);
	vmcs_writen(&v->vmcs_err, HOST_RIP,
		    (u64)(entry_checks_on ? vmx_exit_stub_checked : vmx_exit_stub));
}

int vmx_virtualize_this_cpu(struct vcpu *v)
{
	struct cpu_dtr gdt, idt;
	u64 err = 0;
	int ret;

	/* os.h: a CR3 with bit 12 set is a user CR3 to the kernel's PTI entry code. */
	if (os_host_cr3() & X86_CR3_PTI_USER_BIT) {
		log_printf(&v->log, "CPU %u: host CR3 %llx has bit 12 (PTI's user-table bit) set: an NMI or machine check in root would switch page tables", v->cpu,
			   os_host_cr3());
		return -EINVAL;
	}
#ifdef SZ_TEST_HOOKS
	if ((int)v->cpu == vmx_fail_on_cpu) {
		log_printf(&v->log, LOG_ERR "CPU %u: failing on purpose (fail_on_cpu test parameter)",
			   v->cpu);
		return -EAGAIN;
	}
#endif
	ret = vmx_enable(v);
	if (ret)
		return ret;
	ret = vmcs_load(v);
	if (ret)
		goto err_off;
	v->vmcs_err = (struct vmcs_error){ 0 };
	/* Counters describe this launch (a vcpu outlives detach/attach and hotplug). */
	sz_memset(v->exits, 0, sizeof(v->exits));
	sz_memset(v->exit_root_tsc, 0, sizeof(v->exit_root_tsc));
	sz_memset(v->exit_hist, 0, sizeof(v->exit_hist));
	v->exits_other = v->root_tsc = v->root_tsc_other = 0;
	v->nmis_in_root = v->nmis_injected = v->nmis_dropped = 0;
	ret = vmcs_setup_controls(v);
	if (ret)
		goto err_clear;
	cpu_sgdt(&gdt);
	cpu_sidt(&idt);
	vmcs_setup_guest(v, &gdt, &idt);
	ret = vmx_host_tables_init(v, cpu_read_sel(SEG_CS) & ~7, cpu_read_sel(SEG_SS) & ~7,
				   cpu_read_sel(SEG_TR) & ~7);
	if (ret) {
		log_printf(&v->log, LOG_ERR "CPU %u: the kernel's selectors (CS %x, SS %x, TR %x) do not fit root's own GDT",
			   v->cpu, cpu_read_sel(SEG_CS), cpu_read_sel(SEG_SS), cpu_read_sel(SEG_TR));
		goto err_clear;
	}
	vmcs_setup_host(v);
	lock_relaunch(v);	/* a CPU locked before comes back under the same policy */
	if (v->vmcs_err.status) {
		log_printf(&v->log, LOG_ERR "CPU %u: VMWRITE of %s failed in %s: %s", v->cpu,
			   vmcs_field_name(v->vmcs_err.field) ?: "?", v->vmcs_err.caller,
			   vmcs_insn_error_name(v->vmcs_err.insn_error));
		ret = -EIO;
		goto err_clear;
	}
	/*
	 * Refuse a VMCS that breaks a VM-entry rule before the CPU tries it, with the rule
	 * named.  GUEST_RSP/RIP are vmx_launch()'s to write; until then, values like them.
	 */
	vmcs_writen(&v->vmcs_err, GUEST_RSP, (u64)&gdt);
	vmcs_writen(&v->vmcs_err, GUEST_RIP, (u64)vmx_launch);
	v->entry = (struct entry_state){ 0 };
	if (entry_root_check(v, "before VMLAUNCH", false)) {
		log_printf(&v->log, LOG_ERR "CPU %u: not launching: the VMCS breaks the VM-entry rules above", v->cpu);
		ret = -EINVAL;
		goto err_clear;
	}
	v->launch_tsc = cpu_rdtsc();
	ret = vmx_launch();
	if (ret == 0) {
		v->launched = true;
		/*
		 * We are the guest now: does the monitor trap flag trap (watch.c)?  Asked
		 * whatever the CPU advertises: v->mtf is root's (hidden: read from here it
		 * is the scratch page, and the probe never ran), and root answers -EINVAL
		 * where the CPU has no MTF.
		 */
		cpu_vmcall_nop_vmcall(SUBZERO_HC_MTF_PROBE, SUBZERO_VMCALL_KEY, 0, 1);
		return 0;
	}
	cpu_vmread(VM_INSTRUCTION_ERROR, &err);
	log_printf(&v->log, LOG_ERR "CPU %u: VMLAUNCH failed: %s (VM-instruction error %llu)", v->cpu,
		   ret == VMX_FAIL_VALID ? vmcs_insn_error_name((u32)err) : "VMfailInvalid",
		   ret == VMX_FAIL_VALID ? err : 0);
	entry_root_check(v, "after VMLAUNCH failed", true);
	ret = -EIO;
err_clear:
	cpu_vmclear(v->vmcs_pa);
err_off:
	vmx_disable(v);
	return ret;
}

int vmx_devirtualize_this_cpu(struct vcpu *v, bool offline)
{
	u64 r;

	if (!v->launched)
		return 0;
	r = cpu_vmcall(SUBZERO_HC_DEVIRT, SUBZERO_VMCALL_KEY, offline ? SUBZERO_DEVIRT_OFFLINE : 0);
	if (r) {
		log_printf(&v->log, LOG_ERR "CPU %u: devirtualize hypercall returned %lld", v->cpu,
			   (long long)r);
		return -EIO;
	}
	v->launched = false;
	return 0;
}

int vmx_lock_this_cpu(struct vcpu *v, u64 wx_args, u64 gdt_alt)
{
	if (!v->launched)
		return -ENXIO;
	return (int)(s64)cpu_vmcall2(SUBZERO_HC_LOCK, SUBZERO_VMCALL_KEY, wx_args, gdt_alt);
}

int vmx_lock_mod_this_cpu(struct vcpu *v, u64 args)
{
	if (!v->launched)
		return -ENXIO;
	return (int)(s64)cpu_vmcall(SUBZERO_HC_LOCK_MOD, SUBZERO_VMCALL_KEY, args);
}

int vmx_lock_mod_release_this_cpu(struct vcpu *v, u64 id)
{
	if (!v->launched)
		return -ENXIO;
	return (int)(s64)cpu_vmcall(SUBZERO_HC_LOCK_MOD_RELEASE, SUBZERO_VMCALL_KEY, id);
}

int vmx_lock_kexec_this_cpu(struct vcpu *v)
{
	if (!v->launched)
		return -ENXIO;
	return (int)(s64)cpu_vmcall(SUBZERO_HC_LOCK_KEXEC, SUBZERO_VMCALL_KEY, 0);
}

int vmx_watch_sync_this_cpu(struct vcpu *v)
{
	if (!v->launched)
		return -ENXIO;
	return (int)(s64)cpu_vmcall(SUBZERO_HC_WATCH_SYNC, SUBZERO_VMCALL_KEY, 0);
}

int vmx_ept_query_this_cpu(struct vcpu *v, u64 gpa, u64 *leaf, unsigned int *level)
{
	s64 r;

	if (!v->launched)
		return -ENXIO;
	/* The answer is the leaf with its level in bits 62:60 (ignored by the CPU). */
	r = (s64)cpu_vmcall(SUBZERO_HC_EPT_QUERY, SUBZERO_VMCALL_KEY, gpa);
	if (r < 0)
		return (int)r;
	*leaf = (u64)r & ~(7ULL << 60);
	*level = (unsigned int)((u64)r >> 60) & 7;
	return 0;
}

int vmx_vmcs_snapshot_this_cpu(struct vcpu *v)
{
	if (!v->launched)
		return -ENXIO;
	return (int)(s64)cpu_vmcall(SUBZERO_HC_VMCS_SNAPSHOT, SUBZERO_VMCALL_KEY, 0);
}
