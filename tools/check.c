// SPDX-License-Identifier: GPL-2.0
/*
 * `subzero check`: can subzero load on this machine?  Asked before the module is
 * loaded, of the same facts the module will ask: per CPU, CPUID and the VMX MSRs read
 * through core's own vmx_caps_read(), vmx_ctls_wanted() + vmx_ctl_adjust() and
 * ept_usable() (so the rules are the module's, not a copy); then who else holds or
 * may take VMX (KVM), Secure Boot and lockdown, and the kernel features that matter.
 * Ends with one verdict and exit code 0 (subzero can load) or 1 (each blocker named,
 * with how to fix it).
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "subzero.h"
#include "cpu.h"
#include "sysinfo.h"
#include "cpu/cpu_ops.h"
#include "vmx_caps.h"
#include "vmx_ctls.h"
#include "ept.h"
#include "arch/x86.h"

#define MAX_FINDINGS	32

struct finding {
	char what[256];
	char fix[256];		/* blockers only */
};

static struct finding blockers[MAX_FINDINGS], warnings[MAX_FINDINGS];
static unsigned int nblockers, nwarnings;

static void add(struct finding *f, unsigned int *n, const char *fix, const char *fmt,
		va_list ap)
{
	if (*n >= MAX_FINDINGS)
		return;
	vsnprintf(f[*n].what, sizeof(f[*n].what), fmt, ap);
	snprintf(f[*n].fix, sizeof(f[*n].fix), "%s", fix ? fix : "");
	(*n)++;
}

static void __attribute__((format(printf, 2, 3))) blocker(const char *fix, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add(blockers, &nblockers, fix, fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 1, 2))) warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add(warnings, &nwarnings, NULL, fmt, ap);
	va_end(ap);
}

/* ---- one CPU ---- */

enum { F_EPT, F_VPID, F_UG, F_MTF, F_EPT1G, F_MBEC, F_NR };

static const char *const feature_keys[F_NR] = {
	"ept", "vpid", "unrestricted_guest", "mtf", "ept_1g_pages", "mbec",
};

static const char *const feature_names[F_NR] = {
	"EPT", "VPID", "unrestricted guest", "MTF", "1 GiB EPT pages", "MBEC",
};

struct cpu_check {
	unsigned int cpu;
	int err;			/* reading it failed: -errno (-ENODEV: no VMX) */
	struct vmx_caps caps;
	const char *missing[VMX_CTL_NR];	/* a required control it lacks, per word */
	char dropped[256];		/* optional controls it lacks */
	bool avail[F_NR], used[F_NR];
	const char *ept_missing;	/* why not, when the EPT is not usable */
	const char *differs;		/* capability differing from the first CPU */
};

static bool allowed1(const struct vmx_caps *c, enum vmx_ctl ctl, u32 bit)
{
	return (vmx_ctl_cap(c, ctl) >> 32) & bit;
}

static void check_cpu(struct cpu_check *k, const struct cpu_check *first)
{
	struct vmx_ctl_want want[VMX_CTL_NR];
	struct vmx_ctl_choice ch;
	const struct vmx_caps *c = &k->caps;
	size_t n = 0;
	int i;

	k->err = cpu_read_caps(k->cpu, &k->caps);
	if (k->err)
		return;
	k->avail[F_EPT] = ept_usable(c, &k->ept_missing);
	k->avail[F_VPID] = vmx_has_vpid(c);
	k->avail[F_UG] = allowed1(c, VMX_CTL_PROC2, SECONDARY_EXEC_UNRESTRICTED_GUEST);
	k->avail[F_MTF] = vmx_has_mtf(c);
	k->avail[F_EPT1G] = vmx_has_ept_1gb_pages(c);
	k->avail[F_MBEC] = allowed1(c, VMX_CTL_PROC2, SECONDARY_EXEC_MODE_BASED_EPT_EXEC);
	/* what the module does with them: the EPT where usable, VPID (optional), MTF
	 * to step a watched access; not unrestricted guest or MBEC */
	k->used[F_EPT] = k->avail[F_EPT];
	k->used[F_VPID] = k->avail[F_VPID];
	k->used[F_MTF] = k->avail[F_MTF] && k->avail[F_EPT];
	k->used[F_EPT1G] = k->avail[F_EPT1G] && k->avail[F_EPT];

	/* CPUID is read on this CPU: cpu_read_caps() left the process pinned here. */
	vmx_ctls_wanted(k->avail[F_EPT], want);
	for (i = 0; i < VMX_CTL_NR; i++) {
		const struct vmx_ctl_desc *d = &vmx_ctl_descs[want[i].ctl];

		vmx_ctl_adjust(c, want[i].ctl, want[i].required, want[i].optional, &ch);
		if (ch.missing)
			k->missing[i] = vmx_ctl_bit_name(want[i].ctl,
							 __builtin_ctz(ch.missing)) ?: "?";
		for (u32 bit = 0; bit < 32; bit++)
			if (ch.dropped & (1U << bit) && n < sizeof(k->dropped))
				n += snprintf(k->dropped + n, sizeof(k->dropped) - n, "%s%s%s",
					      n ? " " : "", d->prefix,
					      vmx_ctl_bit_name(want[i].ctl, bit) ?: "?");
	}
	if (first && !first->err)
		vmx_caps_compare(&first->caps, c, &k->differs);
}

/* The blockers one CPU contributes. */
static void judge_cpu(const struct cpu_check *k)
{
	const struct vmx_caps *c = &k->caps;
	int i;

	if (k->err == -ENODEV) {
		blocker("enable Intel VT-x (VMX) in the firmware setup if the CPU has it; in a "
			"virtual machine, turn on nested virtualization",
			"CPU %u: no VMX (CPUID.1:ECX.VMX = 0)", k->cpu);
		return;
	}
	if (k->err == -EACCES || k->err == -EPERM) {
		blocker("run subzero check as root", "CPU %u: cannot read its MSRs: %s", k->cpu,
			cpu_err_str(k->err));
		return;
	}
	if (k->err) {
		blocker("load the msr module (modprobe msr) and run as root",
			"CPU %u: cannot read its VMX MSRs: %s", k->cpu, cpu_err_str(k->err));
		return;
	}
	if ((c->feature_control & FEATURE_CONTROL_LOCKED) &&
	    !(c->feature_control & FEATURE_CONTROL_VMXON_OUTSIDE_SMX))
		blocker("enable Intel VT-x in the firmware (BIOS/UEFI) setup",
			"CPU %u: VMX is disabled by the firmware (IA32_FEATURE_CONTROL locked "
			"with VMXON outside SMX off)", k->cpu);
	for (i = 0; i < VMX_CTL_NR; i++)
		if (k->missing[i])
			blocker("none: this CPU's VMX lacks what subzero needs",
				"CPU %u: the CPU lacks the required %s control %s%s", k->cpu,
				vmx_ctl_descs[i].name, vmx_ctl_descs[i].prefix, k->missing[i]);
	if (k->differs)
		blocker("none: subzero needs every CPU to have the same VMX capabilities",
			"CPU %u differs from the first CPU in VMX capability %s", k->cpu,
			k->differs);
}

/*
 * One CPU's facts.  The text leaves out the details of a CPU with the first CPU's
 * capabilities (@same_as_first); JSON has them all.
 */
static void print_cpu(const struct cpu_check *k, bool same_as_first)
{
	const struct vmx_caps *c = &k->caps;
	bool detail = !same_as_first, missing = false;
	char name[64];
	int i;

	out_obj(NULL, OUT_LINES);
	out_u64("cpu", k->cpu);
	out_bool("vmx", k->err != -ENODEV);
	if (k->err) {
		out_str("error", cpu_err_str(k->err));
		out_text("CPU {cpu}: {error}\n");
		out_end();
		return;
	}
	out_obj("feature_control", OUT_INLINE);
	out_bool_text("locked", c->feature_control & FEATURE_CONTROL_LOCKED, "locked",
		      "unlocked (subzero locks it with VMXON allowed)");
	out_bool_text("vmxon_outside_smx", c->feature_control & FEATURE_CONTROL_VMXON_OUTSIDE_SMX,
		      "allowed", "not allowed");
	out_text("CPU {cpu}: VMX yes, IA32_FEATURE_CONTROL {locked}, VMXON outside SMX "
		 "{vmxon_outside_smx}\n");
	out_end();
	out_arr("missing_controls", OUT_INLINE);
	for (i = 0; i < VMX_CTL_NR; i++) {
		if (!k->missing[i])
			continue;
		snprintf(name, sizeof(name), "%s%s", vmx_ctl_descs[i].prefix, k->missing[i]);
		out_str(NULL, name);
		missing = true;
	}
	out_end();
	out_str("dropped_controls", k->dropped);
	if (detail)
		out_text("  required controls: %s\n", missing ? "some missing (see below)" :
			 "all present");
	else
		out_text("  same VMX capabilities as the first CPU\n");
	out_obj("features", OUT_LINES);
	for (i = 0; i < F_NR; i++) {
		out_obj(feature_keys[i], OUT_INLINE);
		out_bool_text("available", k->avail[i], "available", "not available");
		out_bool_text("used", k->used[i], "used", i == F_MTF && k->avail[F_EPT] ?
			      "not used (watch steps with RFLAGS.TF)" :
			      i == F_EPT && k->ept_missing ? k->ept_missing : "not used");
		if (detail)
			out_text("  %-20s {available:-14} {used}\n", feature_names[i]);
		out_end();
	}
	out_end();
	if (detail && k->dropped[0])
		out_text("  optional controls it lacks: {dropped_controls}\n");
	if (k->differs)
		out_str("differs_from_first", k->differs);
	out_end();
}

static void judge_system(const struct sys_check *s)
{
	if (s->kvm_intel && (s->vms || s->virt_at_load))
		blocker("stop the VMs and unload KVM (rmmod kvm_intel), or on Linux 6.12 and "
			"later load it with kvm.enable_virt_at_load=0 and run no VM",
			"KVM holds VMX: kvm_intel is loaded and %s", s->vms ?
			"has VMs open (VMX is on while they exist)" :
			"turned VMX on when it loaded (kvm.enable_virt_at_load=Y)");
	else if (s->kvm_intel)
		warning("kvm_intel is loaded; it holds no VMX now (this kernel's KVM turns VMX on "
			"only while a VM exists), so subzero can load, but KVM cannot start a VM "
			"while subzero runs, and a VM started first makes the load fail: "
			"rmmod kvm_intel to be safe");
	if (s->other_hv)
		warning("another hypervisor's driver (VirtualBox or VMware) is loaded: it holds "
			"VMX while its VMs run, and subzero cannot load then");
	if (s->fred)
		blocker("boot the kernel with fred=off",
			"the kernel uses FRED, which subzero does not support (it loads no FRED "
			"state on VM exit and entry)");
	if (!strcmp(s->secure_boot, "on") || (s->lockdown && strcmp(s->lockdown, "none")) ||
	    (s->sig_enforce && s->sig_enforce[0] == 'Y'))
		warning("the kernel loads only signed modules (Secure Boot %s, lockdown %s, "
			"sig_enforce %s): sign subzero.ko with a key it trusts (DKMS's MOK key, "
			"enrolled with mokutil --import)", s->secure_boot,
			s->lockdown ?: "unknown", s->sig_enforce ?: "unknown");
}

/* The system's facts; in text only with @text (not when subzero is loaded already). */
static void print_system(const struct sys_check *s, bool text)
{
	out_obj("system", OUT_LINES);
	out_bool("subzero_loaded", s->subzero_loaded);
	out_str("secure_boot", s->secure_boot);
	out_str("lockdown", s->lockdown);
	if (s->sig_enforce)
		out_bool_text("sig_enforce", s->sig_enforce[0] == 'Y', "enforced", "not enforced");
	else
		out_null("sig_enforce");
	out_bool_text("pti", s->pti, "on", "off");
	out_str("meltdown", s->meltdown);
	out_bool_text("ibt", s->ibt, "on", "off");
	out_bool_text("fred", s->fred, "on", "off");
	if (text)
		out_text("kernel: Secure Boot {secure_boot}, lockdown {lockdown}, module signatures "
			 "{sig_enforce}; PTI {pti} (meltdown: {meltdown}), IBT {ibt}, FRED {fred}\n");
	out_obj("kvm", OUT_INLINE);
	out_bool_text("kvm_intel_loaded", s->kvm_intel, "loaded", "not loaded");
	out_bool("enable_virt_at_load", s->virt_at_load);
	out_u64("vms", s->vms);
	if (text && s->kvm_intel)
		out_text("KVM: kvm_intel {kvm_intel_loaded}, {vms} VMs open, VMX turned on at load: "
			 "{enable_virt_at_load}\n");
	else if (text)
		out_text("KVM: kvm_intel {kvm_intel_loaded}\n");
	out_end();
	out_end();
}

int cmd_check(int argc, char **argv)
{
	struct cpu_check *k;
	struct sys_check s = { 0 };
	unsigned int ncpu = cpu_count(), n = 0, i;
	const char *msr_note;
	char verdict[64];
	struct opts o;

	if (parse_opts("check", argc, argv, OPT_JSON, 0, &o))
		return o.rc;
	if (geteuid())
		return fail(EXIT_PERM, "permission denied: subzero needs root (check reads "
			    "the VMX MSRs through /dev/cpu/N/msr); run it as root");
	k = calloc(ncpu, sizeof(*k));
	if (!k)
		return fail(EXIT_FAIL, "check: out of memory");
	check_system(&s);
	if (s.subzero_loaded) {
		/* CPUID and the VMX MSRs are hidden from a kernel subzero hosts */
		free(k);
		out_obj(NULL, OUT_LINES);
		out_str("tool_version", SUBZERO_TOOL_VERSION);
		print_system(&s, false);
		out_bool("can_load", true);
		out_str("verdict", "subzero is loaded already");
		out_text("subzero is loaded already: there is nothing to check (rmmod subzero "
			 "first to check this machine)\n");
		out_end();
		return EXIT_OK;
	}
	for (i = 0; i < ncpu; i++) {
		if (!cpu_online(i))
			continue;
		k[n].cpu = i;
		check_cpu(&k[n], n ? &k[0] : NULL);
		judge_cpu(&k[n]);
		n++;
	}
	judge_system(&s);
	msr_note = cpu_msr_loaded_by_us();
	snprintf(verdict, sizeof(verdict), nblockers ? "subzero cannot load" :
		 "subzero can load");
	out_obj(NULL, OUT_LINES);
	out_str("tool_version", SUBZERO_TOOL_VERSION);
	out_bool("msr_module_loaded_by_check", msr_note != NULL);
	if (msr_note)
		out_text("(%s)\n", msr_note);
	out_arr("cpus", OUT_LINES);
	for (i = 0; i < n; i++)
		print_cpu(&k[i], i && !k[i].err && !k[0].err && !k[i].differs);
	out_end();
	print_system(&s, true);
	out_arr("warnings", OUT_LINES);
	for (i = 0; i < nwarnings; i++) {
		out_str(NULL, warnings[i].what);
		out_text("warning: {}\n");
	}
	out_end();
	out_arr("blockers", OUT_LINES);
	for (i = 0; i < nblockers; i++) {
		out_obj(NULL, OUT_INLINE);
		out_str("what", blockers[i].what);
		out_str("fix", blockers[i].fix);
		out_text("blocker: {what}\n  fix: {fix}\n");
		out_end();
	}
	out_end();
	out_bool("can_load", !nblockers);
	out_str("verdict", verdict);
	out_text("verdict: {verdict}\n");
	out_end();
	free(k);
	return nblockers ? EXIT_FAIL : EXIT_OK;
}
