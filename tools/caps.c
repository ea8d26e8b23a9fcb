// SPDX-License-Identifier: GPL-2.0
/*
 * `subzero caps`: each CPU's VMX capabilities, decoded by name.  With the module
 * loaded they are what it read at load (SUBZERO_IOC_GET_CAPS: once subzero runs, the
 * VMX MSRs are hidden from the kernel it hosts); without it the tool reads them itself
 * with core's vmx_caps_read() (tools/cpu.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "subzero.h"
#include "cpu.h"
#include "vmx_caps.h"
#include "vmx_decode.h"

/* Returns 0, 1 if the CPU has no capabilities recorded (offline at load), or -errno. */
int get_caps(int fd, unsigned int cpu, struct vmx_caps *c)
{
	struct subzero_caps uc = { .size = sizeof(uc), .cpu = cpu };

	if (ioctl(fd, SUBZERO_IOC_GET_CAPS, &uc))
		return errno == ENXIO ? 1 : -errno;
	*c = (struct vmx_caps){
		.cpuid1_ecx = uc.cpuid1_ecx, .have = uc.have,
		.feature_control = uc.feature_control, .basic = uc.basic,
		.pinbased = uc.pinbased, .procbased = uc.procbased,
		.procbased2 = uc.procbased2, .exit = uc.exit, .entry = uc.entry,
		.true_pinbased = uc.true_pinbased, .true_procbased = uc.true_procbased,
		.true_exit = uc.true_exit, .true_entry = uc.true_entry, .misc = uc.misc,
		.cr0_fixed0 = uc.cr0_fixed0, .cr0_fixed1 = uc.cr0_fixed1,
		.cr4_fixed0 = uc.cr4_fixed0, .cr4_fixed1 = uc.cr4_fixed1,
		.vmcs_enum = uc.vmcs_enum, .ept_vpid = uc.ept_vpid, .vmfunc = uc.vmfunc,
	};
	return 0;
}

static const char *const setting_names[] = {
	[VMX_CTL_FIXED0] = "must be 0",
	[VMX_CTL_FIXED1] = "must be 1",
	[VMX_CTL_FLEXIBLE] = "0 or 1",
};

static const char *const setting_json[] = {
	[VMX_CTL_FIXED0] = "fixed0",
	[VMX_CTL_FIXED1] = "fixed1",
	[VMX_CTL_FLEXIBLE] = "flexible",
};

static const char *const ctl_msr_names[VMX_CTL_NR][2] = {
	[VMX_CTL_PIN] = { "IA32_VMX_PINBASED_CTLS", "IA32_VMX_TRUE_PINBASED_CTLS" },
	[VMX_CTL_PROC] = { "IA32_VMX_PROCBASED_CTLS", "IA32_VMX_TRUE_PROCBASED_CTLS" },
	[VMX_CTL_PROC2] = { "IA32_VMX_PROCBASED_CTLS2", "IA32_VMX_PROCBASED_CTLS2" },
	[VMX_CTL_EXIT] = { "IA32_VMX_EXIT_CTLS", "IA32_VMX_TRUE_EXIT_CTLS" },
	[VMX_CTL_ENTRY] = { "IA32_VMX_ENTRY_CTLS", "IA32_VMX_TRUE_ENTRY_CTLS" },
};

/* The raw MSRs, in one table for both output forms. */
struct msr_row {
	const char *name;
	u64 value;
	bool present;
};

static size_t msr_rows(const struct vmx_caps *c, struct msr_row *r)
{
	bool t = c->have & VMX_CAPS_HAVE_TRUE_CTLS;
	size_t n = 0;

#define ROW(nm, v, p) (r[n++] = (struct msr_row){ nm, v, p })
	ROW("IA32_FEATURE_CONTROL", c->feature_control, true);
	ROW("IA32_VMX_BASIC", c->basic, true);
	ROW("IA32_VMX_PINBASED_CTLS", c->pinbased, true);
	ROW("IA32_VMX_PROCBASED_CTLS", c->procbased, true);
	ROW("IA32_VMX_PROCBASED_CTLS2", c->procbased2, c->have & VMX_CAPS_HAVE_PROCBASED2);
	ROW("IA32_VMX_EXIT_CTLS", c->exit, true);
	ROW("IA32_VMX_ENTRY_CTLS", c->entry, true);
	ROW("IA32_VMX_TRUE_PINBASED_CTLS", c->true_pinbased, t);
	ROW("IA32_VMX_TRUE_PROCBASED_CTLS", c->true_procbased, t);
	ROW("IA32_VMX_TRUE_EXIT_CTLS", c->true_exit, t);
	ROW("IA32_VMX_TRUE_ENTRY_CTLS", c->true_entry, t);
	ROW("IA32_VMX_MISC", c->misc, true);
	ROW("IA32_VMX_CR0_FIXED0", c->cr0_fixed0, true);
	ROW("IA32_VMX_CR0_FIXED1", c->cr0_fixed1, true);
	ROW("IA32_VMX_CR4_FIXED0", c->cr4_fixed0, true);
	ROW("IA32_VMX_CR4_FIXED1", c->cr4_fixed1, true);
	ROW("IA32_VMX_VMCS_ENUM", c->vmcs_enum, true);
	ROW("IA32_VMX_EPT_VPID_CAP", c->ept_vpid, c->have & VMX_CAPS_HAVE_EPT_VPID);
	ROW("IA32_VMX_VMFUNC", c->vmfunc, c->have & VMX_CAPS_HAVE_VMFUNC);
#undef ROW
	return n;
}

#define BASIC_VMCS_SIZE(b)	(((b) >> 32) & 0x1fff)
#define BASIC_MEMTYPE(b)	(((b) >> 50) & 0xf)
#define MISC_CR3_TARGETS(m)	(((m) >> 16) & 0x1ff)
#define MISC_MSR_LIST(m)	(512 * ((((m) >> 25) & 7) + 1))

/* "    NAME<padding>{}": a named bit and its setting (the value given last) in column 48. */
static void print_bit_row(const char *name)
{
	int w = 4 + (int)strlen(name);

	out_text("    %s%*s{}\n", name, w < 48 ? 48 - w : 1, "");
}

static void print_caps(unsigned int cpu, const struct vmx_caps *c)
{
	struct msr_row rows[32];
	size_t n = msr_rows(c, rows), i;
	bool t = c->have & VMX_CAPS_HAVE_TRUE_CTLS;
	bool ept_vpid = c->have & VMX_CAPS_HAVE_EPT_VPID;
	char name[64];

	out_obj(NULL, OUT_LINES);
	out_u64("cpu", cpu);
	out_u64("revision_id", vmx_caps_revision_id(c));
	out_u64("vmcs_size", BASIC_VMCS_SIZE(c->basic));
	out_str("vmcs_memory_type", vmx_memtype_name(BASIC_MEMTYPE(c->basic)));
	out_bool("true_controls", t);
	out_text("CPU {cpu}: VMX revision {revision_id:#x}, VMCS region {vmcs_size} bytes, VMCS "
		 "memory type {vmcs_memory_type}\n");
	out_obj("feature_control", OUT_INLINE);
	out_bool_text("locked", c->feature_control & 1, "locked", "unlocked");
	out_bool_text("vmxon_outside_smx", c->feature_control & 4, "allowed", "not allowed");
	out_bool_text("vmxon_inside_smx", c->feature_control & 2, "allowed", "not allowed");
	out_text("  IA32_FEATURE_CONTROL: {locked}, VMXON outside SMX {vmxon_outside_smx}, "
		 "inside SMX {vmxon_inside_smx}\n");
	out_end();
	out_text("  IA32_VMX_BASIC: TRUE controls {true_controls}, INS/OUTS exit info %s, "
		 "physical addresses %s\n", c->basic & (1ULL << 54) ? "yes" : "no",
		 c->basic & (1ULL << 48) ? "32-bit only" : "full width");
	out_obj("misc", OUT_INLINE);
	out_u64("preemption_timer_rate", c->misc & 0x1f);
	out_bool_text("activity_hlt", c->misc & (1 << 6), " HLT", "");
	out_bool_text("activity_shutdown", c->misc & (1 << 7), " shutdown", "");
	out_bool_text("activity_wait_sipi", c->misc & (1 << 8), " wait-for-SIPI", "");
	out_u64("cr3_targets", MISC_CR3_TARGETS(c->misc));
	out_u64("max_msr_list", MISC_MSR_LIST(c->misc));
	out_text("  IA32_VMX_MISC: preemption timer = TSC >> {preemption_timer_rate}, activity "
		 "states:{activity_hlt}{activity_shutdown}{activity_wait_sipi}, CR3 targets "
		 "{cr3_targets}, MSR list up to {max_msr_list}, EFER.LMA saved %s\n",
		 c->misc & (1 << 5) ? "yes" : "no");
	out_end();
	out_obj("msrs", OUT_LINES);
	for (i = 0; i < n; i++)
		if (rows[i].present)
			out_hex(rows[i].name, rows[i].value);
	out_text("  CR0: bits that must be 1 {IA32_VMX_CR0_FIXED0}, may be 1 {IA32_VMX_CR0_FIXED1}\n"
		 "  CR4: bits that must be 1 {IA32_VMX_CR4_FIXED0}, may be 1 {IA32_VMX_CR4_FIXED1}\n");
	out_end();

	out_obj("controls", OUT_LINES);
	for (int ctl = 0; ctl < VMX_CTL_NR; ctl++) {
		const struct vmx_ctl_desc *d = &vmx_ctl_descs[ctl];
		u64 cap = vmx_ctl_cap(c, ctl);

		out_obj(d->name, OUT_INLINE);
		out_text("  %s controls (%s = %#018llx):\n", d->name, ctl_msr_names[ctl][t], cap);
		for (i = 0; i < d->nr_bits; i++) {
			enum vmx_ctl_setting set = vmx_ctl_setting(cap, d->bits[i].bit);

			snprintf(name, sizeof(name), "%s%s", d->prefix, d->bits[i].name);
			out_word(name, setting_json[set], setting_names[set]);
			print_bit_row(name);
		}
		out_end();
	}
	out_end();

	out_obj("ept_vpid", OUT_INLINE);
	if (ept_vpid)
		out_text("  EPT and VPID (IA32_VMX_EPT_VPID_CAP = %#018llx):\n", c->ept_vpid);
	else
		out_text("  EPT and VPID: not supported\n");
	for (i = 0; i < vmx_ept_vpid_nr_bits; i++) {
		snprintf(name, sizeof(name), "VMX_%s", vmx_ept_vpid_bits[i].name);
		out_bool(name, c->ept_vpid & (1ULL << vmx_ept_vpid_bits[i].bit));
		if (ept_vpid)
			print_bit_row(name);
	}
	out_end();
	/*
	 * Text only: the raw MSRs close the text, after the decoded ones; JSON gave them
	 * above ("msrs"), before the controls.  The one table, rows[], serves both.
	 */
	out_text("  raw MSRs:\n");
	for (i = 0; i < n; i++)
		if (rows[i].present)
			out_text("    %-30s %#018llx\n", rows[i].name, rows[i].value);
	out_end();
}

/*
 * One CPU's capabilities from the module (@fd >= 0) or the hardware.  Returns 0, -1
 * to skip the CPU (offline), or the exit code after saying what is wrong.
 */
static int caps_of(int fd, unsigned int cpu, bool one, struct vmx_caps *c)
{
	int ret;

	if (fd >= 0) {
		ret = get_caps(fd, cpu, c);
		if (ret < 0)
			return fail(EXIT_FAIL, "caps: CPU %u: %s", cpu, strerror(-ret));
		if (ret == 1 && one)
			return fail(EXIT_FAIL, "caps: CPU %u was offline when subzero loaded", cpu);
		return ret == 1 ? -1 : 0;
	}
	if (!cpu_online(cpu)) {
		if (one)
			return fail(EXIT_FAIL, "caps: CPU %u is offline", cpu);
		return -1;
	}
	ret = cpu_read_caps(cpu, c);
	if (ret == -EACCES || ret == -EPERM)
		return fail(EXIT_PERM, "permission denied: reading the VMX MSRs needs root "
			    "(/dev/cpu/%u/msr); run it as root", cpu);
	if (ret)
		return fail(EXIT_FAIL, "caps: CPU %u: %s", cpu, cpu_err_str(ret));
	return 0;
}

int cmd_caps(int argc, char **argv)
{
	struct subzero_info info = { .abi_version = SUBZERO_ABI_VERSION };
	unsigned int cpu, shown = 0, ncpu;
	struct vmx_caps caps;
	struct opts o;
	int fd, ret;

	if (parse_opts("caps", argc, argv, OPT_JSON | OPT_CPU, 0, &o))
		return o.rc;
	fd = open(SUBZERO_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		fd = device_start("caps", &o, &info);	/* the module's view */
		if (fd < 0)
			return o.rc;
	} else if (errno == EACCES || errno == EPERM) {
		return -open_device();			/* says: needs root */
	} else {
		ncpu = cpu_count();			/* no module: the hardware's */
		if (o.one && o.cpu >= ncpu)
			return fail(EXIT_FAIL, "caps: no CPU %u (CPUs are 0-%u)", o.cpu, ncpu - 1);
		o.first = o.one ? o.cpu : 0;
		o.end = o.one ? o.cpu + 1 : ncpu;
	}
	out_obj(NULL, OUT_LINES);
	out_u64("abi_version", info.abi_version);
	out_str("source", fd >= 0 ? "module" : "msr");
	out_arr("cpus", OUT_LINES);
	for (cpu = o.first; cpu < o.end; cpu++) {
		ret = caps_of(fd, cpu, o.one, &caps);
		if (ret < 0)
			continue;
		if (ret)
			goto out;
		print_caps(cpu, &caps);
		shown++;
	}
	out_end();
	out_end();
	ret = shown ? EXIT_OK : fail(EXIT_FAIL, "caps: no CPU has capabilities recorded");
out:
	if (fd >= 0)
		close(fd);
	return ret;
}
