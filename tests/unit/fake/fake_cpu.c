// SPDX-License-Identifier: GPL-2.0
/* The fake CPU: CPUID and MSR profiles for host unit tests. */
#include <string.h>

#include "cpu_ops.h"
#include "fake_cpu.h"
#include "arch/x86.h"
#include "vmcs.h"
#include "vmx.h"

const struct fake_cpu_profile fake_haswell = {
	.name = "corei7_haswell_4770",
	.cpuid1_ecx = 0x7ffafbff,
	.cpuid1_edx = 0xbfebfbff,
	.cpuid_ext_max = 0x80000008,
	.cpuid_ext8_eax = 0x3027,		/* 39 physical, 48 linear bits */
	.msrs = {
		{ 0x03a, 0x5 },			/* IA32_FEATURE_CONTROL */
		{ 0x480, 0xd810000000002bULL },	/* IA32_VMX_BASIC */
		{ 0x481, 0x7f00000016ULL },	/* PINBASED_CTLS */
		{ 0x482, 0xf7f9fffe0401e172ULL },	/* PROCBASED_CTLS */
		{ 0x483, 0x7fffff00036dffULL },	/* EXIT_CTLS */
		{ 0x484, 0xffff000011ffULL },	/* ENTRY_CTLS */
		{ 0x485, 0x200401e0ULL },	/* MISC */
		{ 0x486, 0x80000021ULL },	/* CR0_FIXED0 */
		{ 0x487, 0xffffffffULL },	/* CR0_FIXED1 */
		{ 0x488, 0x2000ULL },		/* CR4_FIXED0 */
		{ 0x489, 0x1727ffULL },		/* CR4_FIXED1 */
		{ 0x48a, 0x34ULL },		/* VMCS_ENUM */
		{ 0x48b, 0x47fff00000000ULL },	/* PROCBASED_CTLS2 */
		{ 0x48c, 0xf0106334141ULL },	/* EPT_VPID_CAP */
		{ 0x48d, 0x7f00000016ULL },	/* TRUE_PINBASED_CTLS */
		{ 0x48e, 0xf7f9fffe04006172ULL },	/* TRUE_PROCBASED_CTLS */
		{ 0x48f, 0x7fffff00036dfbULL },	/* TRUE_EXIT_CTLS */
		{ 0x490, 0xffff000011fbULL },	/* TRUE_ENTRY_CTLS */
		{ 0x491, 0x1ULL },		/* VMFUNC */
		/* MTRRs (see fake_cpu.h) */
		{ 0x0fe, 0xd0aULL },		/* IA32_MTRRCAP */
		{ 0x2ff, 0xc00ULL },		/* IA32_MTRR_DEF_TYPE: E, FE, UC */
		{ 0x250, 0x0606060606060606ULL },	/* FIX64K_00000 */
		{ 0x258, 0x0606060606060606ULL },	/* FIX16K_80000 */
		{ 0x259, 0x0000000000000000ULL },	/* FIX16K_A0000 */
		{ 0x268, 0x0505050505050505ULL },	/* FIX4K_C0000 */
		{ 0x269, 0x0000000000000000ULL },	/* FIX4K_C8000 */
		{ 0x26a, 0x0000000000000000ULL },	/* FIX4K_D0000 */
		{ 0x26b, 0x0000000000000000ULL },	/* FIX4K_D8000 */
		{ 0x26c, 0x0505050505050505ULL },	/* FIX4K_E0000 */
		{ 0x26d, 0x0505050505050505ULL },	/* FIX4K_E8000 */
		{ 0x26e, 0x0505050505050505ULL },	/* FIX4K_F0000 */
		{ 0x26f, 0x0505050505050505ULL },	/* FIX4K_F8000 */
		{ 0x200, 0x0000000006ULL },	/* PHYSBASE0: 0, WB */
		{ 0x201, 0x7f00000800ULL },	/* PHYSMASK0: 4 GiB, valid */
		{ 0x202, 0x00c0000000ULL },	/* PHYSBASE1: 3 GiB, UC */
		{ 0x203, 0x7fc0000800ULL },	/* PHYSMASK1: 1 GiB, valid */
		{ 0x204, 0x0100000006ULL },	/* PHYSBASE2: 4 GiB, WB */
		{ 0x205, 0x7f00000800ULL },	/* PHYSMASK2: 4 GiB, valid */
		{ 0x206, 0 }, { 0x207, 0 }, { 0x208, 0 }, { 0x209, 0 },	/* 3..9 unused */
		{ 0x20a, 0 }, { 0x20b, 0 }, { 0x20c, 0 }, { 0x20d, 0 },
		{ 0x20e, 0 }, { 0x20f, 0 }, { 0x210, 0 }, { 0x211, 0 },
		{ 0x212, 0 }, { 0x213, 0 },
		{ 0x1f2, 0xbf800006ULL },	/* IA32_SMRR_PHYSBASE: TSEG, WB in SMM */
		{ 0x1f3, 0xff800800ULL },	/* IA32_SMRR_PHYSMASK: 8 MiB, valid */
		/* what Linux runs with (the VMCS setup copies them) */
		{ 0xc0000080, 0xd01ULL },	/* IA32_EFER: SCE, LME, LMA, NXE */
		{ 0x277, 0x0407050600070106ULL },	/* IA32_PAT as Linux sets it */
		{ 0x1d9, 0 },			/* IA32_DEBUGCTL */
		{ 0x174, 0x10 },		/* IA32_SYSENTER_CS */
		{ 0x175, 0xfffffe0000003000ULL },	/* IA32_SYSENTER_ESP */
		{ 0x176, 0xffffffff81a01560ULL },	/* IA32_SYSENTER_EIP */
		{ 0xc0000100, 0 },		/* IA32_FS_BASE */
		{ 0xc0000101, 0xffff888237c00000ULL },	/* IA32_GS_BASE */
	},
};

const struct fake_cpu_profile fake_no_vmx = {
	.name = "no-vmx",
	.cpuid1_ecx = 0x7ffafbff & ~(1U << 5),
};

static struct fake_cpu_profile cur;
static unsigned int gp_count, rdmsr_count, safe_fault_count;
struct fake_cpu_state fake_cpu;

void fake_cpu_load(const struct fake_cpu_profile *p)
{
	cur = *p;
	gp_count = 0;
	rdmsr_count = 0;
	safe_fault_count = 0;
	fake_cpu = (struct fake_cpu_state){
		.cr0 = 0x80050033, .cr3 = 0x2a10000, .dr6 = 0xffff0ff0, .cr4 = 0x1706e0, .xcr0 = 7,
		.current_vmcs = ~0ULL, .xcr0_supported = 7,
	};
	fake_vmcs_reset();
}

static struct fake_msr *find(u32 msr)
{
	for (int i = 0; i < FAKE_MAX_MSRS && cur.msrs[i].msr; i++)
		if (cur.msrs[i].msr == msr)
			return &cur.msrs[i];
	return NULL;
}

void fake_cpu_set_msr(u32 msr, u64 val)
{
	struct fake_msr *m = find(msr);

	if (!m) {
		for (int i = 0; i < FAKE_MAX_MSRS; i++) {
			if (!cur.msrs[i].msr) {
				m = &cur.msrs[i];
				m->msr = msr;
				break;
			}
		}
	}
	if (m)
		m->val = val;
}

void fake_cpu_drop_msr(u32 msr)
{
	struct fake_msr *m = find(msr);
	int i;

	if (!m)
		return;
	i = m - cur.msrs;
	memmove(&cur.msrs[i], &cur.msrs[i + 1], (FAKE_MAX_MSRS - i - 1) * sizeof(*m));
	cur.msrs[FAKE_MAX_MSRS - 1] = (struct fake_msr){ 0 };
}

unsigned int fake_cpu_gp_count(void)
{
	return gp_count;
}

unsigned int fake_cpu_rdmsr_count(void)
{
	return rdmsr_count;
}

unsigned int fake_cpu_safe_fault_count(void)
{
	return safe_fault_count;
}

void cpu_cpuid(u32 leaf, u32 subleaf, u32 regs[4])
{
	memset(regs, 0, 4 * sizeof(u32));
	if (leaf == 0)
		regs[0] = fake_cpu.cpuid_max;
	if (leaf == 1) {
		regs[2] = cur.cpuid1_ecx;
		regs[3] = cur.cpuid1_edx;
	}
	if (leaf == 0x80000000)
		regs[0] = cur.cpuid_ext_max;
	/*
	 * Above the maximum extended leaf Intel CPUs return the highest basic leaf's
	 * data: something plausible, to catch code that forgets to check.
	 */
	if (leaf > 0x80000000 && leaf > cur.cpuid_ext_max)
		regs[0] = 0x2c;
	else if (leaf == 0x80000008)
		regs[0] = cur.cpuid_ext8_eax;
	if (leaf == 0xd && subleaf == 1)
		regs[0] = fake_cpu.cpuid_d1_eax;
	if (leaf == 7 && subleaf == 1)
		regs[0] = fake_cpu.cpuid_7_1_eax;
	if (leaf == 0xd && subleaf == 0) {
		/* XCR0 may hold (by default) x87, SSE, AVX */
		regs[0] = (u32)fake_cpu.xcr0_supported;
		regs[3] = (u32)(fake_cpu.xcr0_supported >> 32);
	}
}

u64 cpu_rdmsr(u32 msr)
{
	struct fake_msr *m = find(msr);

	rdmsr_count++;
	if (!m) {
		gp_count++;
		return 0;
	}
	return m->val;
}

int fake_cpu_rdmsr_safe(u32 msr, u64 *val)
{
	struct fake_msr *m = find(msr);

	rdmsr_count++;
	if (!m) {
		safe_fault_count++;
		return -1;
	}
	*val = m->val;
	return 0;
}

/* The root #GP fixup: an MSR the profile lacks faults, and is fixed up. */
int cpu_rdmsr_safe(u32 msr, u64 *val)
{
	return fake_cpu_rdmsr_safe(msr, val) ? -5 : 0;
}

int cpu_wrmsr_safe(u32 msr, u64 val)
{
	if (!find(msr)) {
		safe_fault_count++;
		return -5;
	}
	fake_cpu_set_msr(msr, val);
	return 0;
}

void cpu_wrmsr(u32 msr, u64 val)
{
	if (msr == 0xc0000101)		/* MSR_GS_BASE */
		fake_cpu.seq_gs_base = ++fake_cpu.seq;
	if (msr == 0x48 && fake_cpu.nr_spec_ctrl_writes < 8)	/* MSR_IA32_SPEC_CTRL */
		fake_cpu.spec_ctrl_writes[fake_cpu.nr_spec_ctrl_writes++] = val;
	fake_cpu_set_msr(msr, val);
}

u64 cpu_read_cr0(void) { return fake_cpu.cr0; }
void cpu_write_cr0(u64 v) { fake_cpu.cr0 = v; }
u64 cpu_read_cr3(void) { return fake_cpu.cr3; }
void cpu_write_cr3(u64 v) { fake_cpu.cr3 = v; }
u64 cpu_read_cr4(void) { return fake_cpu.cr4; }
void cpu_write_cr4(u64 v)
{
	/* MOV to CR4 changing PGE flushes the current VPID's TLB: VPID 0 outside VMX. */
	if (((v ^ fake_cpu.cr4) & (1 << 7)) && !fake_cpu.vmx_on)
		fake_cpu.vpid0_flushes++;
	fake_cpu.cr4 = v;
}
void cpu_write_cr2(u64 v) { fake_cpu.cr2 = v; }
u64 cpu_read_dr6(void) { return fake_cpu.dr6; }
void cpu_write_dr6(u64 v) { fake_cpu.dr6 = v; }
u64 cpu_read_dr7(void) { return 0x400; }
void cpu_write_dr7(u64 v) { (void)v; }
u64 cpu_read_rflags(void) { return 0x2; }

static u8 fake_gdt[128] __attribute__((aligned(16)));

void cpu_sgdt(struct cpu_dtr *d) { d->base = (u64)fake_gdt; d->limit = sizeof(fake_gdt) - 1; }
void cpu_sidt(struct cpu_dtr *d) { d->base = 0xfffffe0000000000ULL; d->limit = 0xfff; }
void cpu_lgdt(const struct cpu_dtr *d)
{
	fake_cpu.gdt_base = d->base;
	fake_cpu.seq_lgdt = ++fake_cpu.seq;
}
void cpu_lidt(const struct cpu_dtr *d)
{
	fake_cpu.idt_base = d->base;
	fake_cpu.seq_lidt = ++fake_cpu.seq;
}

/* Linux's selectors: CS 0x10, SS 0x18, TR 0x40, data segments null. */
u16 cpu_read_sel(enum cpu_seg s)
{
	return s == SEG_CS ? 0x10 : s == SEG_SS ? 0x18 : s == SEG_TR ? 0x40 : 0;
}

void cpu_write_sel(enum cpu_seg s, u16 v)
{
	fake_cpu.sel[s] = v;
	fake_cpu.seq_sel[s] = ++fake_cpu.seq;
}

void cpu_lldt(u16 sel)
{
	fake_cpu.sel[SEG_LDTR] = sel;
	fake_cpu.seq_sel[SEG_LDTR] = ++fake_cpu.seq;
}

void cpu_pause(void)
{
}

void cpu_ltr(u16 sel)
{
	fake_cpu.sel[SEG_TR] = sel;
	fake_cpu.seq_sel[SEG_TR] = ++fake_cpu.seq;
}

bool cpu_lar(u16 sel, u32 *ar)
{
	*ar = sel == 0x10 ? 0xa09b00 : sel == 0x18 ? 0xc09300 : sel == 0x40 ? 0x8b00 : 0;
	return *ar != 0;
}

u32 cpu_lsl(u16 sel) { return sel == 0x40 ? 0x206f : 0xffffffff; }
u64 fake_tsc_step = 100;	/* what every cpu_rdtsc() adds */
u64 cpu_rdtsc(void) { static u64 t; return t += fake_tsc_step; }
/*
 * XSETBV raises #GP (in root: a crash) for what the SDM forbids (Vol. 2C, XSETBV;
 * Vol. 1, 13.3): counted, and the value is not taken.
 */
void cpu_xsetbv(u32 index, u64 val)
{
	bool bad = index != 0 || (val & ~fake_cpu.xcr0_supported) || !(val & 1) ||
		   ((val & 4) && !(val & 2)) || (!(val & 8) != !(val & 16)) ||
		   ((val & 0xe0) && ((val & 0xe0) != 0xe0 || !(val & 4))) ||
		   (!(val & (1 << 17)) != !(val & (1 << 18)));

	if (bad) {
		fake_cpu.root_faults++;
		return;
	}
	fake_cpu.xcr0 = val;
}
void cpu_wbinvd(void) { fake_cpu.wbinvd_calls++; }
void cpu_lfence(void) { fake_cpu.lfences++; }
void cpu_unblock_nmis(void) { fake_cpu.unblock_nmi_calls++; }

/* ---- VMX ---- */

static u64 vmcs_vals[0x7000 / 2];
static bool vmcs_unsupported[0x7000 / 2];
static bool vmcs_written[0x7000 / 2];

void fake_vmcs_reset(void)
{
	memset(vmcs_vals, 0, sizeof(vmcs_vals));
	memset(vmcs_unsupported, 0, sizeof(vmcs_unsupported));
	memset(vmcs_written, 0, sizeof(vmcs_written));
}

bool fake_vmcs_written(u32 field)
{
	return vmcs_written[field / 2];
}

void fake_vmcs_unsupport(u32 field)
{
	vmcs_unsupported[field / 2] = true;
}

static const struct vmcs_field_desc *field_desc(u32 field)
{
	for (size_t i = 0; i < vmcs_nr_fields; i++)
		if (vmcs_field_descs[i].encoding == field)
			return &vmcs_field_descs[i];
	return NULL;
}

u64 fake_vmcs_get(u32 field)
{
	return vmcs_vals[field / 2];
}

void fake_vmcs_set(u32 field, u64 val)
{
	vmcs_vals[field / 2] = val;
}

int cpu_vmxon(u64 pa)
{
	(void)pa;
	if (fake_cpu.vmxon_result)
		return fake_cpu.vmxon_result;
	if (!(fake_cpu.cr4 & (1 << 13)))
		return VMX_FAIL_INVALID;	/* #UD really; close enough for a fake */
	fake_cpu.vmx_on = true;
	return 0;
}

int cpu_vmxoff(void)
{
	fake_cpu.vmx_on = false;
	fake_cpu.seq_vmxoff = ++fake_cpu.seq;
	return 0;
}
int cpu_vmclear(u64 pa) { if (fake_cpu.current_vmcs == pa) fake_cpu.current_vmcs = ~0ULL; return 0; }
int cpu_vmptrld(u64 pa) { fake_cpu.current_vmcs = pa; return 0; }
u64 cpu_vmptrst(void) { return fake_cpu.current_vmcs; }

/* VMREAD/VMWRITE's common checks: a current VMCS, a field that exists (error 12). */
static int vmcs_access(u64 field, const struct vmcs_field_desc **d)
{
	if (fake_cpu.current_vmcs == ~0ULL)
		return VMX_FAIL_INVALID;
	*d = field_desc((u32)field);
	if (!*d || vmcs_unsupported[field / 2]) {
		vmcs_vals[VM_INSTRUCTION_ERROR / 2] = 12;
		return VMX_FAIL_VALID;
	}
	return 0;
}

int cpu_vmread(u64 field, u64 *val)
{
	const struct vmcs_field_desc *d;
	int st = vmcs_access(field, &d);

	if (st)
		return st;
	*val = vmcs_vals[field / 2];
	return 0;
}

bool cpu_vmread_ok(u64 field, u64 *val)
{
	return cpu_vmread(field, val) == 0;
}

/* Width-checked like hardware; read-only fields fail (error 13). */
int cpu_vmwrite(u64 field, u64 val)
{
	const struct vmcs_field_desc *d;
	int st = vmcs_access(field, &d);

	if (st)
		return st;
	if (d->group == VMCS_GROUP_EXIT_INFO) {
		vmcs_vals[VM_INSTRUCTION_ERROR / 2] = 13;
		return VMX_FAIL_VALID;
	}
	if (d->width == 16)
		val &= 0xffff;
	else if (d->width == 32)
		val &= 0xffffffff;
	vmcs_vals[field / 2] = val;
	vmcs_written[field / 2] = true;
	return 0;
}

int cpu_invept(u64 type, u64 eptp) { (void)type; (void)eptp; return 0; }
/* INVVPID of a type the CPU does not report is #UD or VMfail: counted as a fault. */
int cpu_invvpid(u64 type, u16 vpid, u64 gva)
{
	struct fake_msr *cap = find(0x48c);

	(void)vpid; (void)gva;
	fake_cpu.invvpid_calls++;
	fake_cpu.invvpid_last_type = (unsigned int)type;
	if (!cap || !(cap->val & (1ULL << 32)) || type > 3 ||
	    !(cap->val & (1ULL << (40 + type)))) {
		fake_cpu.root_faults++;
		return VMX_FAIL_VALID;
	}
	return 0;
}

u64 cpu_vmcall(u64 nr, u64 key, u64 arg) { (void)nr; (void)key; (void)arg; return 0; }
u64 cpu_vmcall2(u64 nr, u64 key, u64 arg, u64 arg2)
{
	(void)nr; (void)key; (void)arg; (void)arg2;
	return 0;
}

u64 cpu_vmcall_nop_vmcall(u64 nr, u64 key, u64 arg0, u64 arg1)
{
	(void)nr;
	(void)key;
	(void)arg0;
	(void)arg1;
	fake_cpu.mtf_probes++;
	return 1;
}

/* The assembly half of the exit path does not exist on the host. */
int vmx_launch(void)
{
	return fake_cpu.launch_result;
}

void vmx_exit_stub(void)
{
}

void vmx_exit_stub_checked(void)
{
}

void vmx_exit_stub_xcheck(void)
{
}

void vmx_nmi_stub(void)
{
}

void vmx_gp_stub(void)
{
}

/* arch/root_idt.S's table: distinct made-up addresses, 16 bytes apart as there. */
#define FAKE_VECTOR(i)	(0xffffffffc0100000ULL + 16 * (i))
#define FAKE_VECTORS_16(i) FAKE_VECTOR(i), FAKE_VECTOR(i + 1), FAKE_VECTOR(i + 2),	\
	FAKE_VECTOR(i + 3), FAKE_VECTOR(i + 4), FAKE_VECTOR(i + 5), FAKE_VECTOR(i + 6),	\
	FAKE_VECTOR(i + 7), FAKE_VECTOR(i + 8), FAKE_VECTOR(i + 9), FAKE_VECTOR(i + 10),	\
	FAKE_VECTOR(i + 11), FAKE_VECTOR(i + 12), FAKE_VECTOR(i + 13), FAKE_VECTOR(i + 14),	\
	FAKE_VECTOR(i + 15)
const u64 vmx_root_vector_stubs[256] = {
	FAKE_VECTORS_16(0), FAKE_VECTORS_16(16), FAKE_VECTORS_16(32), FAKE_VECTORS_16(48),
	FAKE_VECTORS_16(64), FAKE_VECTORS_16(80), FAKE_VECTORS_16(96), FAKE_VECTORS_16(112),
	FAKE_VECTORS_16(128), FAKE_VECTORS_16(144), FAKE_VECTORS_16(160), FAKE_VECTORS_16(176),
	FAKE_VECTORS_16(192), FAKE_VECTORS_16(208), FAKE_VECTORS_16(224), FAKE_VECTORS_16(240),
};

/* The MSRs a running 64-bit Linux has set (EFER SCE/LME/LMA/NXE, PAT, SYSENTER, bases). */
void fake_cpu_set_linux_msrs(void)
{
	fake_cpu_set_msr(MSR_EFER, 0xd01);
	fake_cpu_set_msr(MSR_IA32_PAT, 0x0407050600070106ULL);
	fake_cpu_set_msr(MSR_IA32_DEBUGCTL, 0);
	fake_cpu_set_msr(MSR_IA32_SYSENTER_CS, 0x10);
	fake_cpu_set_msr(MSR_IA32_SYSENTER_ESP, 0xfffffe0000003000ULL);
	fake_cpu_set_msr(MSR_IA32_SYSENTER_EIP, 0xffffffff81a01560ULL);
	fake_cpu_set_msr(MSR_FS_BASE, 0);
	fake_cpu_set_msr(MSR_GS_BASE, 0xffff888237c00000ULL);
}
