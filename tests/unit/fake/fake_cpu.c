// SPDX-License-Identifier: GPL-2.0
/* The fake CPU: CPUID and MSR profiles for host unit tests. */
#include <string.h>

#include "cpu_ops.h"
#include "fake_cpu.h"

const struct fake_cpu_profile fake_haswell = {
	.name = "corei7_haswell_4770",
	.cpuid1_ecx = 0x7ffafbff,
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
	},
};

const struct fake_cpu_profile fake_no_vmx = {
	.name = "no-vmx",
	.cpuid1_ecx = 0x7ffafbff & ~(1U << 5),
};

static struct fake_cpu_profile cur;
static unsigned int gp_count, rdmsr_count;

void fake_cpu_load(const struct fake_cpu_profile *p)
{
	cur = *p;
	gp_count = 0;
	rdmsr_count = 0;
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

void cpu_cpuid(u32 leaf, u32 subleaf, u32 regs[4])
{
	(void)subleaf;
	memset(regs, 0, 4 * sizeof(u32));
	if (leaf == 1)
		regs[2] = cur.cpuid1_ecx;
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

void cpu_wrmsr(u32 msr, u64 val)
{
	fake_cpu_set_msr(msr, val);
}

u64 cpu_read_cr0(void)
{
	return 0x80050033;
}

u64 cpu_read_cr4(void)
{
	return 0x1706e0;
}
