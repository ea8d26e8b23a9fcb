// SPDX-License-Identifier: GPL-2.0
/*
 * subzero: the command-line tool for the subzero hypervisor.
 *
 *   subzero status [--json] [--cpu N]        per CPU: virtualized or not, VPID, exits,
 *                                             time since launch, EPT pages
 *   subzero stats [--json] [--cpu N] [--interval S [--count K]]
 *                                             VM exits and time in VMX root by reason
 *   subzero vmcs [--json] [--cpu N]          each CPU's VMCS, read in VMX root, by group
 *   subzero log [--json] [-f [--timeout S]]  the hypervisor's log
 *   subzero detach | attach [--json]         leave / re-enter VMX on every CPU
 *   subzero caps [--json] [--cpu N]          VMX capabilities, decoded by name
 *
 * Exit codes: 0 success, 1 the operation failed, 2 usage error, 3 the module is not
 * loaded, 4 permission denied.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "uapi/subzero.h"
#include "vmx_caps.h"
#include "vmx_decode.h"
#include "vmcs.h"
#include "exit.h"

enum { EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_NOMODULE, EXIT_PERM };

static const char *prog = "subzero";

#define SZ_STR2(x) #x
#define SZ_STR(x) SZ_STR2(x)

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s <command> [options]\n"
		"\n"
		"commands:\n"
		"  status [--json] [--cpu N]   each CPU: virtualized or not, VPID, VM exits, time\n"
		"                              since launch, EPT pages\n"
		"  stats [--json] [--cpu N] [--interval S [--count K]]\n"
		"                              VM exits and TSC cycles in VMX root, by exit reason;\n"
		"                              with --interval, rates per second every S seconds,\n"
		"                              K times (default: until interrupted)\n"
		"  vmcs [--json] [--cpu N]     each CPU's VMCS as read in VMX root, in six groups,\n"
		"                              control words decoded\n"
		"  log [--json] [-f [--timeout S]]\n"
		"                              the hypervisor's log; -f follows it (until\n"
		"                              interrupted, or for S seconds)\n"
		"  detach [--json]             take every CPU out of VMX; the module stays loaded\n"
		"  attach [--json]             virtualize every online CPU again\n"
		"  caps [--json] [--cpu N]     VMX capabilities of each CPU, decoded by name\n"
		"  watch add ADDR [--access rwx]   record reads/writes/executes of the guest-\n"
		"                              physical page at ADDR (default: w); they complete\n"
		"  watch del ADDR | list [--json]\n"
		"  watch events [--json] [--cpu N] [-f [--timeout S]]\n"
		"                              the recorded accesses (watch and protect), oldest\n"
		"                              first; each is shown once\n"
		"  protect add ADDR            writes to the page at ADDR are recorded and discarded\n"
		"  protect del ADDR | list [--json]\n"
		"  ept ADDR [--json] [--cpu N] how each CPU's EPT maps the guest-physical ADDR:\n"
		"                              page size, memory type, permissions\n"
		"  help                        this text\n"
		"\n"
		"exit codes: 0 ok, 1 failed, 2 usage error, 3 module not loaded, 4 permission denied\n",
		prog);
}

static int fail(int code, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

/* Open /dev/subzero, or say plainly why not. Returns the fd or -(exit code). */
static int open_device(void)
{
	int fd = open(SUBZERO_DEVICE, O_RDWR | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	if (errno == ENOENT || errno == ENXIO || errno == ENODEV)
		return -fail(EXIT_NOMODULE, "%s not found: the subzero module is not loaded "
			     "(load it with: insmod subzero.ko)", SUBZERO_DEVICE);
	if (errno == EACCES || errno == EPERM)
		return -fail(EXIT_PERM, "permission denied: subzero needs root (%s is root-only "
			     "and wants CAP_SYS_ADMIN); run it as root", SUBZERO_DEVICE);
	return -fail(EXIT_FAIL, "cannot open %s: %s", SUBZERO_DEVICE, strerror(errno));
}

static int get_info(int fd, struct subzero_info *info)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	if (ioctl(fd, SUBZERO_IOC_INFO, info)) {
		if (errno == EINVAL)
			return fail(EXIT_FAIL, "the module does not speak this tool's ABI %u: "
				    "rebuild them together", SUBZERO_ABI_VERSION);
		return fail(EXIT_FAIL, "SUBZERO_IOC_INFO: %s", strerror(errno));
	}
	if (info->abi_version != SUBZERO_ABI_VERSION)
		return fail(EXIT_FAIL, "module speaks ABI %u, this tool ABI %u: rebuild them together",
			    info->abi_version, SUBZERO_ABI_VERSION);
	return 0;
}

/* A JSON string: quotes, backslashes and control characters escaped. */
static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}


/* ---- options ---- */

enum {
	OPT_JSON = 1 << 0,		/* --json */
	OPT_CPU = 1 << 1,		/* --cpu N */
	OPT_INTERVAL = 1 << 2,		/* --interval S [--count K] */
	OPT_FOLLOW = 1 << 3,		/* -f [--timeout S] */
};

#define MIN_INTERVAL	0.01		/* seconds: shorter would only measure ourselves */
#define MAX_SECONDS	86400.0

struct opts {
	bool json, one, follow;
	unsigned int cpu;		/* with one: the CPU asked for */
	double interval;		/* seconds; 0: no interval mode */
	unsigned long count;		/* reports in interval mode; 0: until interrupted */
	double timeout;			/* seconds to follow; 0: until interrupted */
	unsigned int first, end;	/* the CPUs to show, once the device said how many */
};

static int parse_cpu(const char *s, unsigned int *cpu)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || !*s || *end || v > 0xffffffffUL || s[0] == '-')
		return -1;
	*cpu = v;
	return 0;
}

/* A number of seconds: finite, at least @min (> 0) and at most MAX_SECONDS. */
static int parse_seconds(const char *s, double min, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || !*s || *end || !isfinite(v) || v <= 0 || v < min || v > MAX_SECONDS)
		return -1;
	*out = v;
	return 0;
}

static int parse_count(const char *s, unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || !*s || *end || s[0] == '-' || v < 1 || v > 1000000000UL)
		return -1;
	*out = v;
	return 0;
}

/* Parse the options @allowed for @cmd; 0, or EXIT_USAGE after saying what is wrong. */
static int parse_opts(const char *cmd, int argc, char **argv, unsigned int allowed,
		      struct opts *o)
{
	bool have_count = false, have_timeout = false;
	const char *a;
	int i;

	*o = (struct opts){ 0 };
	for (i = 1; i < argc; i++) {
		a = argv[i];
		if ((allowed & OPT_JSON) && !strcmp(a, "--json")) {
			o->json = true;
		} else if ((allowed & OPT_FOLLOW) && (!strcmp(a, "-f") || !strcmp(a, "--follow"))) {
			o->follow = true;
		} else if ((allowed & (OPT_CPU | OPT_INTERVAL | OPT_FOLLOW)) && i + 1 >= argc &&
			   (!strcmp(a, "--cpu") || !strcmp(a, "--interval") ||
			    !strcmp(a, "--count") || !strcmp(a, "--timeout"))) {
			usage(stderr);
			return fail(EXIT_USAGE, "%s: %s needs a value", cmd, a);
		} else if ((allowed & OPT_CPU) && !strcmp(a, "--cpu")) {
			if (parse_cpu(argv[++i], &o->cpu))
				return fail(EXIT_USAGE, "%s: bad CPU number '%s'", cmd, argv[i]);
			o->one = true;
		} else if ((allowed & OPT_INTERVAL) && !strcmp(a, "--interval")) {
			if (parse_seconds(argv[++i], MIN_INTERVAL, &o->interval))
				return fail(EXIT_USAGE, "%s: bad interval '%s' (seconds, from %g to "
					    "%.0f)", cmd, argv[i], MIN_INTERVAL, MAX_SECONDS);
		} else if ((allowed & OPT_INTERVAL) && !strcmp(a, "--count")) {
			if (parse_count(argv[++i], &o->count))
				return fail(EXIT_USAGE, "%s: bad count '%s' (a whole number from 1)",
					    cmd, argv[i]);
			have_count = true;
		} else if ((allowed & OPT_FOLLOW) && !strcmp(a, "--timeout")) {
			if (parse_seconds(argv[++i], 0, &o->timeout))
				return fail(EXIT_USAGE, "%s: bad timeout '%s' (seconds, more than 0 "
					    "and at most %.0f)", cmd, argv[i], MAX_SECONDS);
			have_timeout = true;
		} else {
			usage(stderr);
			return fail(EXIT_USAGE, "%s: unknown argument '%s'", cmd, a);
		}
	}
	if (have_count && !o->interval)
		return fail(EXIT_USAGE, "%s: --count only goes with --interval", cmd);
	if (have_timeout && !o->follow)
		return fail(EXIT_USAGE, "%s: --timeout only goes with -f", cmd);
	return 0;
}

/*
 * Parse the options, open the device and check the CPU number against it.  Returns
 * the open fd, or the negated exit code after saying what is wrong.
 */
static int cmd_start(const char *cmd, int argc, char **argv, unsigned int allowed,
		     struct opts *o, struct subzero_info *info)
{
	int fd, ret;

	ret = parse_opts(cmd, argc, argv, allowed, o);
	if (ret)
		return -ret;
	fd = open_device();
	if (fd < 0)
		return fd;
	ret = get_info(fd, info);
	if (!ret && o->one && o->cpu >= info->nr_cpu_ids)
		ret = fail(EXIT_FAIL, "%s: no CPU %u (CPUs are 0-%u)", cmd, o->cpu,
			   info->nr_cpu_ids - 1);
	if (ret) {
		close(fd);
		return -ret;
	}
	o->first = o->one ? o->cpu : 0;
	o->end = o->one ? o->cpu + 1 : info->nr_cpu_ids;
	return fd;
}

/* Follow and interval modes stop cleanly on Ctrl-C (the JSON stays well-formed). */
static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };	/* no SA_RESTART */

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Sleep @s seconds, or less if a signal asks us to stop. */
static void sleep_s(double s)
{
	double end = now_s() + s, left;
	struct timespec ts;

	while (!stop && (left = end - now_s()) > 0) {
		ts.tv_sec = (time_t)left;
		ts.tv_nsec = (long)((left - ts.tv_sec) * 1e9);
		nanosleep(&ts, NULL);
	}
}

static double tsc_seconds(unsigned long long cycles, const struct subzero_info *info)
{
	return info->tsc_khz ? cycles / (info->tsc_khz * 1000.0) : 0;
}

/* ---- caps ---- */

/* Returns 0, 1 if the CPU has no capabilities recorded (offline at load), or -errno. */
static int get_caps(int fd, unsigned int cpu, struct vmx_caps *c)
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

/* The raw MSRs, in one table for both output formats. */
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

static void print_caps_text(unsigned int cpu, const struct vmx_caps *c)
{
	struct msr_row rows[32];
	size_t n = msr_rows(c, rows), i;
	int w;

	printf("CPU %u: VMX revision %#x, VMCS region %llu bytes, VMCS memory type %s\n",
	       cpu, vmx_caps_revision_id(c), BASIC_VMCS_SIZE(c->basic),
	       vmx_memtype_name(BASIC_MEMTYPE(c->basic)));
	printf("  IA32_FEATURE_CONTROL: %s, VMXON outside SMX %s, inside SMX %s\n",
	       c->feature_control & 1 ? "locked" : "unlocked",
	       c->feature_control & 4 ? "allowed" : "not allowed",
	       c->feature_control & 2 ? "allowed" : "not allowed");
	printf("  IA32_VMX_BASIC: TRUE controls %s, INS/OUTS exit info %s, "
	       "physical addresses %s\n",
	       c->basic & (1ULL << 55) ? "yes" : "no", c->basic & (1ULL << 54) ? "yes" : "no",
	       c->basic & (1ULL << 48) ? "32-bit only" : "full width");
	printf("  IA32_VMX_MISC: preemption timer = TSC >> %llu, activity states:%s%s%s, "
	       "CR3 targets %llu, MSR list up to %llu, EFER.LMA saved %s\n",
	       c->misc & 0x1f, c->misc & (1 << 6) ? " HLT" : "",
	       c->misc & (1 << 7) ? " shutdown" : "", c->misc & (1 << 8) ? " wait-for-SIPI" : "",
	       MISC_CR3_TARGETS(c->misc), MISC_MSR_LIST(c->misc),
	       c->misc & (1 << 5) ? "yes" : "no");
	printf("  CR0: bits that must be 1 %#llx, may be 1 %#llx\n", c->cr0_fixed0, c->cr0_fixed1);
	printf("  CR4: bits that must be 1 %#llx, may be 1 %#llx\n", c->cr4_fixed0, c->cr4_fixed1);

	for (int ctl = 0; ctl < VMX_CTL_NR; ctl++) {
		const struct vmx_ctl_desc *d = &vmx_ctl_descs[ctl];
		u64 cap = vmx_ctl_cap(c, ctl);
		bool t = (c->have & VMX_CAPS_HAVE_TRUE_CTLS) != 0;

		printf("  %s controls (%s = %#018llx):\n", d->name, ctl_msr_names[ctl][t], cap);
		for (i = 0; i < d->nr_bits; i++) {
			w = printf("    %s%s", d->prefix, d->bits[i].name);
			printf("%*s%s\n", w < 48 ? 48 - w : 1, "",
			       setting_names[vmx_ctl_setting(cap, d->bits[i].bit)]);
		}
	}
	if (c->have & VMX_CAPS_HAVE_EPT_VPID) {
		printf("  EPT and VPID (IA32_VMX_EPT_VPID_CAP = %#018llx):\n", c->ept_vpid);
		for (i = 0; i < vmx_ept_vpid_nr_bits; i++) {
			w = printf("    VMX_%s", vmx_ept_vpid_bits[i].name);
			printf("%*s%s\n", w < 48 ? 48 - w : 1, "",
			       c->ept_vpid & (1ULL << vmx_ept_vpid_bits[i].bit) ? "yes" : "no");
		}
	} else {
		printf("  EPT and VPID: not supported\n");
	}
	printf("  raw MSRs:\n");
	for (i = 0; i < n; i++)
		if (rows[i].present)
			printf("    %-30s %#018llx\n", rows[i].name, rows[i].value);
}

static void print_caps_json(unsigned int cpu, const struct vmx_caps *c, bool first)
{
	struct msr_row rows[32];
	size_t n = msr_rows(c, rows), i;

	printf("%s    {\n      \"cpu\": %u,\n", first ? "" : ",\n", cpu);
	printf("      \"revision_id\": %u,\n      \"vmcs_size\": %llu,\n", vmx_caps_revision_id(c),
	       BASIC_VMCS_SIZE(c->basic));
	printf("      \"vmcs_memory_type\": \"%s\",\n", vmx_memtype_name(BASIC_MEMTYPE(c->basic)));
	printf("      \"true_controls\": %s,\n",
	       c->have & VMX_CAPS_HAVE_TRUE_CTLS ? "true" : "false");
	printf("      \"feature_control\": {\"locked\": %s, \"vmxon_outside_smx\": %s, "
	       "\"vmxon_inside_smx\": %s},\n",
	       c->feature_control & 1 ? "true" : "false",
	       c->feature_control & 4 ? "true" : "false",
	       c->feature_control & 2 ? "true" : "false");
	printf("      \"misc\": {\"preemption_timer_rate\": %llu, \"activity_hlt\": %s, "
	       "\"activity_shutdown\": %s, \"activity_wait_sipi\": %s, \"cr3_targets\": %llu, "
	       "\"max_msr_list\": %llu},\n",
	       c->misc & 0x1f, c->misc & (1 << 6) ? "true" : "false",
	       c->misc & (1 << 7) ? "true" : "false", c->misc & (1 << 8) ? "true" : "false",
	       MISC_CR3_TARGETS(c->misc), MISC_MSR_LIST(c->misc));
	printf("      \"msrs\": {");
	for (i = 0; i < n; i++)
		if (rows[i].present)
			printf("%s\n        \"%s\": \"%#llx\"", i ? "," : "", rows[i].name,
			       rows[i].value);
	printf("\n      },\n      \"controls\": {");
	for (int ctl = 0; ctl < VMX_CTL_NR; ctl++) {
		const struct vmx_ctl_desc *d = &vmx_ctl_descs[ctl];
		u64 cap = vmx_ctl_cap(c, ctl);

		printf("%s\n        \"%s\": {", ctl ? "," : "", d->name);
		for (i = 0; i < d->nr_bits; i++)
			printf("%s\"%s%s\": \"%s\"", i ? ", " : "", d->prefix, d->bits[i].name,
			       setting_json[vmx_ctl_setting(cap, d->bits[i].bit)]);
		printf("}");
	}
	printf("\n      },\n      \"ept_vpid\": {");
	for (i = 0; i < vmx_ept_vpid_nr_bits; i++)
		printf("%s\"VMX_%s\": %s", i ? ", " : "", vmx_ept_vpid_bits[i].name,
		       c->ept_vpid & (1ULL << vmx_ept_vpid_bits[i].bit) ? "true" : "false");
	printf("}\n    }");
}


static int cmd_caps(int argc, char **argv)
{
	unsigned int cpu, shown = 0;
	struct subzero_info info;
	struct vmx_caps caps;
	struct opts o;
	bool first = true;
	int fd, ret;

	fd = cmd_start("caps", argc, argv, OPT_JSON | OPT_CPU, &o, &info);
	if (fd < 0)
		return -fd;
	if (o.json)
		printf("{\n  \"abi_version\": %u,\n  \"cpus\": [\n", info.abi_version);
	for (cpu = o.first; cpu < o.end; cpu++) {
		ret = get_caps(fd, cpu, &caps);
		if (ret < 0) {
			ret = fail(EXIT_FAIL, "caps: CPU %u: %s", cpu, strerror(-ret));
			goto out;
		}
		if (ret == 1) {
			ret = 0;
			if (o.one) {
				ret = fail(EXIT_FAIL, "caps: CPU %u was offline when subzero loaded", cpu);
				goto out;
			}
			continue;
		}
		if (o.json)
			print_caps_json(cpu, &caps, first);
		else
			print_caps_text(cpu, &caps);
		first = false;
		shown++;
	}
	if (o.json)
		printf("\n  ]\n}\n");
	ret = shown ? EXIT_OK : fail(EXIT_FAIL, "caps: no CPU has capabilities recorded");
out:
	close(fd);
	return ret;
}

/* ---- status and stats ---- */

/*
 * One CPU's stats, with the time histograms; from a module that predates them (which
 * takes only SUBZERO_CPU_STATS_SIZE_V1) without: st->size says which.
 */
static int get_stats(int fd, unsigned int cpu, struct subzero_cpu_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	st->cpu = cpu;
	if (!ioctl(fd, SUBZERO_IOC_CPU_STATS, st))
		return 0;
	if (errno != EINVAL)
		return -errno;
	memset(st, 0, sizeof(*st));
	st->size = SUBZERO_CPU_STATS_SIZE_V1;
	st->cpu = cpu;
	return ioctl(fd, SUBZERO_IOC_CPU_STATS, st) ? -errno : 0;
}

static bool has_hist(const struct subzero_cpu_stats *st)
{
	return st->size >= sizeof(*st);
}

/* A power of two as the histogram labels it: 512, 4K, 2M, 1G. */
static const char *pow2_label(unsigned int b, char *buf, size_t n)
{
	static const char unit[] = " KMGT";
	unsigned int u = b / 10 < sizeof(unit) - 1 ? b / 10 : sizeof(unit) - 2;

	snprintf(buf, n, "%llu%c", 1ULL << (b - 10 * u), unit[u]);
	if (!u)
		buf[strlen(buf) - 1] = '\0';
	return buf;
}

/* One reason's time in root as a log2 histogram: [from, to) count, empty buckets left out. */
static void print_hist(const struct subzero_exit_hist *h)
{
	char lo[16], hi[16];
	unsigned int b;
	bool first = true;

	printf("      cycles in root:");
	for (b = 0; b < SUBZERO_EXIT_HIST_BUCKETS; b++) {
		if (!h->log2[b])
			continue;
		if (b == SUBZERO_EXIT_HIST_BUCKETS - 1)
			printf("%s [%s, ...) %llu", first ? "" : ",",
			       pow2_label(b, lo, sizeof(lo)), (unsigned long long)h->log2[b]);
		else
			printf("%s [%s, %s) %llu", first ? "" : ",",
			       b ? pow2_label(b, lo, sizeof(lo)) : "0",
			       pow2_label(b + 1, hi, sizeof(hi)), (unsigned long long)h->log2[b]);
		first = false;
	}
	printf("\n");
}

static void json_hist(const struct subzero_exit_hist *h)
{
	unsigned int b;
	bool first = true;

	printf(", \"min_root_tsc\": %llu, \"max_root_tsc\": %llu, \"hist_log2\": [",
	       (unsigned long long)h->min_root_tsc, (unsigned long long)h->max_root_tsc);
	for (b = 0; b < SUBZERO_EXIT_HIST_BUCKETS; b++) {
		if (!h->log2[b])
			continue;
		printf("%s{\"from\": %llu, \"to\": ", first ? "" : ", ", b ? 1ULL << b : 0ULL);
		if (b < SUBZERO_EXIT_HIST_BUCKETS - 1)
			printf("%llu", 1ULL << (b + 1));
		else
			printf("null");
		printf(", \"count\": %llu}", (unsigned long long)h->log2[b]);
		first = false;
	}
	printf("]");
}

static unsigned long long total_exits(const struct subzero_cpu_stats *st)
{
	unsigned long long total = st->exits_other;
	unsigned int i;

	for (i = 0; i < SUBZERO_EXIT_REASONS; i++)
		total += st->exits[i];
	return total;
}

/* An exit reason's name, or REASON_<n> for one without a name (JSON keys stay unique). */
static const char *reason_key(unsigned int r, char *buf, size_t n)
{
	const char *name = exit_reason_name(r);

	if (strcmp(name, "unknown"))
		return name;
	snprintf(buf, n, "REASON_%u", r);
	return buf;
}

static int cmd_status(int argc, char **argv)
{
	struct subzero_cpu_stats st;
	struct subzero_info info;
	unsigned int cpu, nvirt = 0;
	bool attached, virt, online;
	struct opts o;
	int fd, ret;

	fd = cmd_start("status", argc, argv, OPT_JSON | OPT_CPU, &o, &info);
	if (fd < 0)
		return -fd;
	attached = info.flags & SUBZERO_INFO_ATTACHED;
	if (o.json)
		printf("{\n  \"abi_version\": %u,\n  \"attached\": %s,\n  \"tsc_khz\": %u,\n"
		       "  \"alloc_count\": %lld,\n  \"nr_cpu_ids\": %u,\n  \"nr_cpus_online\": %u,\n"
		       "  \"cpus\": [\n", info.abi_version, attached ? "true" : "false",
		       info.tsc_khz, (long long)info.alloc_count, info.nr_cpu_ids,
		       info.nr_cpus_online);
	else
		printf("subzero: %s, ABI %u, TSC %u kHz, %u of %u CPUs online, %lld module "
		       "allocations\n", attached ? "attached" : "detached (module loaded, no CPU "
		       "in VMX)", info.abi_version, info.tsc_khz, info.nr_cpus_online,
		       info.nr_cpu_ids, (long long)info.alloc_count);
	for (cpu = o.first; cpu < o.end; cpu++) {
		ret = get_stats(fd, cpu, &st);
		if (ret) {
			ret = fail(EXIT_FAIL, "status: CPU %u: %s", cpu, strerror(-ret));
			goto out;
		}
		virt = st.flags & SUBZERO_CPU_VIRTUALIZED;
		online = st.flags & SUBZERO_CPU_ONLINE;
		nvirt += virt;
		if (o.json) {
			printf("%s    {\"cpu\": %u, \"online\": %s, \"virtualized\": %s", cpu == o.first ?
			       "" : ",\n", cpu, online ? "true" : "false", virt ? "true" : "false");
			if (virt)
				printf(", \"vpid\": %u, \"exits\": %llu, \"launch_tsc\": %llu, "
				       "\"uptime_s\": %.6f", st.vpid, total_exits(&st),
				       (unsigned long long)st.launch_tsc,
				       tsc_seconds(st.now_tsc - st.launch_tsc, &info));
			printf(", \"ept_pages\": %llu, \"ept_pool_pages\": %llu, \"eptp\": %llu}",
			       (unsigned long long)st.ept_pages,
			       (unsigned long long)st.ept_pool_pages, (unsigned long long)st.eptp);
			continue;
		}
		if (virt)
			printf("CPU %u: virtualized, VPID %u, %llu exits, up %.3f s, EPT pages %llu\n",
			       cpu, st.vpid, total_exits(&st),
			       tsc_seconds(st.now_tsc - st.launch_tsc, &info),
			       (unsigned long long)st.ept_pages);
		else
			printf("CPU %u: not virtualized%s\n", cpu, online ? "" : " (offline)");
	}
	if (o.json)
		printf("\n  ],\n  \"nr_virtualized\": %u\n}\n", nvirt);
	ret = EXIT_OK;
out:
	close(fd);
	return ret;
}

static void print_stats(const struct subzero_cpu_stats *st, bool json, bool first)
{
	bool virt = st->flags & SUBZERO_CPU_VIRTUALIZED;
	unsigned long long all = total_exits(st), n, t;
	double share, tshare;
	unsigned int i, shown = 0;
	char buf[32];

	if (json) {
		printf("%s    {\"cpu\": %u, \"online\": %s, \"virtualized\": %s, \"vpid\": %u, "
		       "\"exits\": %llu, \"root_tsc\": %llu, \"exits_other\": %llu, "
		       "\"root_tsc_other\": %llu, \"reasons\": {", first ? "" : ",\n", st->cpu,
		       st->flags & SUBZERO_CPU_ONLINE ? "true" : "false", virt ? "true" : "false",
		       st->vpid, total_exits(st), (unsigned long long)st->root_tsc,
		       (unsigned long long)st->exits_other, (unsigned long long)st->root_tsc_other);
		for (i = 0; i < SUBZERO_EXIT_REASONS; i++) {
			n = st->exits[i];
			t = st->exit_root_tsc[i];
			if (!n)
				continue;
			/* perf kvm stat's view: the share of exits and of the time in root */
			printf("%s\n      \"%s\": {\"reason\": %u, \"count\": %llu, \"root_tsc\": %llu, "
			       "\"mean_root_tsc\": %llu, \"exits_share\": %.6f, \"root_share\": %.6f",
			       shown++ ? "," : "", reason_key(i, buf, sizeof(buf)), i, n, t, t / n,
			       all ? (double)n / all : 0,
			       st->root_tsc ? (double)t / st->root_tsc : 0);
			if (has_hist(st))
				json_hist(&st->hist[i]);
			printf("}");
		}
		printf("%s}}", shown ? "\n    " : "");
		return;
	}
	printf("CPU %u: %s", st->cpu, virt ? "virtualized" : "not virtualized");
	if (virt)
		printf(", VPID %u, %llu exits, %llu TSC cycles in root", st->vpid, total_exits(st),
		       (unsigned long long)st->root_tsc);
	printf("\n");
	for (i = 0; i < SUBZERO_EXIT_REASONS; i++) {
		n = st->exits[i];
		t = st->exit_root_tsc[i];
		if (!n)
			continue;
		share = all ? (double)n / all : 0;
		tshare = st->root_tsc ? (double)t / st->root_tsc : 0;
		if (!shown++)
			printf("  %-24s %12s %16s %12s %8s %8s %12s %12s\n", "exit reason", "exits",
			       "root cycles", "mean cycles", "exits%", "root%", "min cycles",
			       "max cycles");
		printf("  %-24s %12llu %16llu %12llu %7.2f%% %7.2f%%", reason_key(i, buf, sizeof(buf)),
		       n, t, t / n, share * 100, tshare * 100);
		if (has_hist(st)) {
			printf(" %12llu %12llu\n", (unsigned long long)st->hist[i].min_root_tsc,
			       (unsigned long long)st->hist[i].max_root_tsc);
			print_hist(&st->hist[i]);
		} else {
			printf(" %12s %12s\n", "-", "-");
		}
	}
	if (st->exits_other)
		printf("  %-24s %12llu %16llu %12llu\n", "(other)",
		       (unsigned long long)st->exits_other,
		       (unsigned long long)st->root_tsc_other,
		       (unsigned long long)(st->root_tsc_other / st->exits_other));
}

/*
 * One interval's rates: what changed between @a and @b, per second of TSC time.  A CPU
 * virtualized again in between (new launch TSC) counts from its launch.
 */
static void print_rates(const struct subzero_cpu_stats *a, const struct subzero_cpu_stats *b,
			const struct subzero_info *info, bool json, bool first)
{
	bool virt = b->flags & SUBZERO_CPU_VIRTUALIZED;
	bool fresh = !(a->flags & SUBZERO_CPU_VIRTUALIZED) || a->launch_tsc != b->launch_tsc;
	unsigned long long t0 = fresh ? b->launch_tsc : a->now_tsc;
	double secs = tsc_seconds(b->now_tsc - t0, info), rate, all = 0, root;
	unsigned long long dn, dt;
	unsigned int i, shown = 0;
	char buf[32];

	if (secs <= 0)
		secs = 1e-9;
	dn = total_exits(b) - (fresh ? 0 : total_exits(a));
	dt = b->root_tsc - (fresh ? 0 : a->root_tsc);
	all = virt ? dn / secs : 0;
	root = virt && b->now_tsc > t0 ? (double)dt / (b->now_tsc - t0) : 0;
	if (json)
		printf("%s{\"cpu\": %u, \"virtualized\": %s, \"exits_per_s\": %.3f, "
		       "\"root_fraction\": %.6f, \"reasons\": {", first ? "" : ", ", b->cpu,
		       virt ? "true" : "false", all, root);
	else
		printf("CPU %u: %s", b->cpu, virt ? "" : "not virtualized\n");
	if (virt && !json)
		printf("%.1f exits/s, %.4f%% of the time in VMX root\n", all, root * 100);
	for (i = 0; virt && i < SUBZERO_EXIT_REASONS; i++) {
		dn = b->exits[i] - (fresh ? 0 : a->exits[i]);
		dt = b->exit_root_tsc[i] - (fresh ? 0 : a->exit_root_tsc[i]);
		if (!dn)
			continue;
		rate = dn / secs;
		if (json)
			printf("%s\"%s\": {\"per_s\": %.3f, \"mean_root_tsc\": %llu}",
			       shown++ ? ", " : "", reason_key(i, buf, sizeof(buf)), rate, dt / dn);
		else
			printf("  %-24s %12.1f/s %12llu mean cycles\n", reason_key(i, buf, sizeof(buf)),
			       rate, dt / dn);
	}
	if (json)
		printf("}}");
}

static int stats_interval(int fd, const struct opts *o, const struct subzero_info *info)
{
	unsigned int n = o->end - o->first, i;
	struct subzero_cpu_stats *prev, *cur;
	unsigned long k;
	int ret = EXIT_OK, err;

	prev = calloc(n, sizeof(*prev));
	cur = calloc(n, sizeof(*cur));
	if (!prev || !cur) {
		ret = fail(EXIT_FAIL, "stats: out of memory");
		goto out;
	}
	catch_signals();
	for (i = 0; i < n; i++) {
		err = get_stats(fd, o->first + i, &prev[i]);
		if (err) {
			ret = fail(EXIT_FAIL, "stats: CPU %u: %s", o->first + i, strerror(-err));
			goto out;
		}
	}
	for (k = 1; !o->count || k <= o->count; k++) {
		sleep_s(o->interval);
		if (stop)
			break;
		for (i = 0; i < n; i++) {
			err = get_stats(fd, o->first + i, &cur[i]);
			if (err) {
				ret = fail(EXIT_FAIL, "stats: CPU %u: %s", o->first + i, strerror(-err));
				goto out;
			}
		}
		if (o->json)
			printf("{\"interval\": %lu, \"seconds\": %.3f, \"cpus\": [", k, o->interval);
		else
			printf("--- interval %lu (%.3f s)\n", k, o->interval);
		for (i = 0; i < n; i++)
			print_rates(&prev[i], &cur[i], info, o->json, i == 0);
		if (o->json)
			printf("]}\n");
		fflush(stdout);
		memcpy(prev, cur, n * sizeof(*cur));
	}
out:
	free(prev);
	free(cur);
	return ret;
}

static int cmd_stats(int argc, char **argv)
{
	struct subzero_cpu_stats st;
	struct subzero_info info;
	struct opts o;
	unsigned int cpu;
	int fd, ret;

	fd = cmd_start("stats", argc, argv, OPT_JSON | OPT_CPU | OPT_INTERVAL, &o, &info);
	if (fd < 0)
		return -fd;
	if (o.interval) {
		ret = stats_interval(fd, &o, &info);
		goto out;
	}
	if (o.json)
		printf("{\n  \"abi_version\": %u,\n  \"tsc_khz\": %u,\n  \"alloc_count\": %lld,\n"
		       "  \"alloc_bytes\": %llu,\n  \"cpus\": [\n", info.abi_version, info.tsc_khz,
		       (long long)info.alloc_count, (unsigned long long)info.alloc_bytes);
	for (cpu = o.first; cpu < o.end; cpu++) {
		ret = get_stats(fd, cpu, &st);
		if (ret) {
			ret = fail(EXIT_FAIL, "stats: CPU %u: %s", cpu, strerror(-ret));
			goto out;
		}
		print_stats(&st, o.json, cpu == o.first);
	}
	if (o.json)
		printf("\n  ]\n}\n");
	else
		printf("module allocations outstanding: %lld (%llu bytes)\n",
		       (long long)info.alloc_count, (unsigned long long)info.alloc_bytes);
	ret = EXIT_OK;
out:
	close(fd);
	return ret;
}

/* ---- vmcs ---- */

static const struct vmcs_field_desc *field_desc(u32 encoding)
{
	size_t i;

	for (i = 0; i < vmcs_nr_fields; i++)
		if (vmcs_field_descs[i].encoding == encoding)
			return &vmcs_field_descs[i];
	return NULL;
}

/* The control word a field holds, or -1. */
static int field_ctl(u32 encoding)
{
	switch (encoding) {
	case PIN_BASED_VM_EXEC_CONTROL:
		return VMX_CTL_PIN;
	case CPU_BASED_VM_EXEC_CONTROL:
		return VMX_CTL_PROC;
	case SECONDARY_VM_EXEC_CONTROL:
		return VMX_CTL_PROC2;
	case VM_EXIT_CONTROLS:
		return VMX_CTL_EXIT;
	case VM_ENTRY_CONTROLS:
		return VMX_CTL_ENTRY;
	default:
		return -1;
	}
}

/* The named bits of a control word, and the set bits without a name (reserved). */
static void print_ctl_bits(int ctl, u64 val, bool json)
{
	const struct vmx_ctl_desc *d = &vmx_ctl_descs[ctl];
	u64 unnamed = val & 0xffffffffULL;
	unsigned int bit, n = 0;
	const char *name;

	if (json)
		printf(", \"bits\": [");
	for (bit = 0; bit < 32; bit++) {
		if (!(val & (1ULL << bit)) || !(name = vmx_ctl_bit_name(ctl, bit)))
			continue;
		unnamed &= ~(1ULL << bit);
		if (json)
			printf("%s\"%s%s\"", n++ ? ", " : "", d->prefix, name);
		else
			printf(" %s%s", d->prefix, name);
	}
	if (json)
		printf("], \"reserved_bits\": \"%#llx\"", (unsigned long long)unnamed);
	else if (unnamed)
		printf(" (reserved bits %#llx)", (unsigned long long)unnamed);
}

static void print_field_decoded(u32 enc, u64 val, bool json)
{
	int ctl = field_ctl(enc);
	const char *what = NULL;
	char buf[96];

	if (ctl >= 0) {
		print_ctl_bits(ctl, val, json);
		return;
	}
	if (enc == VM_EXIT_REASON) {
		snprintf(buf, sizeof(buf), "%s%s", exit_reason_name(val & 0xffff),
			 val & (1ULL << 31) ? " (VM-entry failure)" : "");
		what = buf;
	} else if (enc == VM_INSTRUCTION_ERROR && val) {
		what = vmcs_insn_error_name((u32)val);
	}
	if (!what)
		return;
	if (json) {
		printf(", \"decoded\": ");
		json_str(what);
	} else {
		printf(" %s", what);
	}
}

static int get_vmcs(int fd, unsigned int cpu, struct subzero_vmcs *vm)
{
	memset(vm, 0, sizeof(*vm));
	vm->size = sizeof(*vm);
	vm->cpu = cpu;
	return ioctl(fd, SUBZERO_IOC_VMCS, vm) ? -errno : 0;
}

static void print_vmcs(const struct subzero_vmcs *vm, const struct subzero_info *info,
		       bool json, bool first)
{
	unsigned int g, i, nsup = 0, shown;
	const struct vmcs_field_desc *d;
	const struct subzero_vmcs_field *f;
	int hex;

	for (i = 0; i < vm->nr_fields; i++)
		nsup += !!(vm->fields[i].flags & SUBZERO_VMCS_FIELD_SUPPORTED);
	if (json)
		printf("%s    {\"cpu\": %u, \"tsc\": %llu, \"time_s\": %.6f, \"nr_fields\": %u, "
		       "\"nr_supported\": %u, \"groups\": {", first ? "" : ",\n", vm->cpu,
		       (unsigned long long)vm->tsc, tsc_seconds(vm->tsc, info), vm->nr_fields, nsup);
	else
		printf("CPU %u: VMCS read in VMX root at %.6f s (TSC), %u of %u fields supported "
		       "by this CPU\n", vm->cpu, tsc_seconds(vm->tsc, info), nsup, vm->nr_fields);
	for (g = 0; g < VMCS_GROUP_NR; g++) {
		if (json) {
			printf("%s\n      ", g ? "," : "");
			json_str(vmcs_group_names[g]);
			printf(": {");
		} else {
			printf("  %s:\n", vmcs_group_names[g]);
		}
		shown = 0;
		for (i = 0; i < vm->nr_fields && i < SUBZERO_VMCS_MAX_FIELDS; i++) {
			f = &vm->fields[i];
			d = field_desc(f->encoding);
			if (!d || d->group != g)
				continue;
			hex = d->width == 16 ? 4 : d->width == 32 ? 8 : 16;
			if (json) {
				printf("%s\n        \"%s\": {\"encoding\": \"%#x\", \"supported\": ",
				       shown++ ? "," : "", d->name, f->encoding);
				if (f->flags & SUBZERO_VMCS_FIELD_SUPPORTED) {
					printf("true, \"value\": \"%#llx\"", (unsigned long long)f->value);
					print_field_decoded(f->encoding, f->value, true);
				} else {
					printf("false, \"value\": null");
				}
				printf("}");
				continue;
			}
			printf("    %-32s ", d->name);
			if (f->flags & SUBZERO_VMCS_FIELD_SUPPORTED) {
				printf("0x%0*llx", hex, (unsigned long long)f->value);
				print_field_decoded(f->encoding, f->value, false);
				printf("\n");
			} else {
				printf("(not supported by this CPU)\n");
			}
		}
		if (json)
			printf("%s}", shown ? "\n      " : "");
	}
	if (json)
		printf("\n    }}");
}

static int cmd_vmcs(int argc, char **argv)
{
	struct subzero_info info;
	struct subzero_vmcs *vm;
	unsigned int cpu, shown = 0;
	struct opts o;
	int fd, ret;

	fd = cmd_start("vmcs", argc, argv, OPT_JSON | OPT_CPU, &o, &info);
	if (fd < 0)
		return -fd;
	vm = malloc(sizeof(*vm));
	if (!vm) {
		ret = fail(EXIT_FAIL, "vmcs: out of memory");
		goto out;
	}
	if (o.json)
		printf("{\n  \"abi_version\": %u,\n  \"tsc_khz\": %u,\n  \"groups\": [",
		       info.abi_version, info.tsc_khz);
	for (unsigned int g = 0; o.json && g < VMCS_GROUP_NR; g++) {
		printf("%s", g ? ", " : "");
		json_str(vmcs_group_names[g]);
	}
	if (o.json)
		printf("],\n  \"cpus\": [\n");
	for (cpu = o.first; cpu < o.end; cpu++) {
		ret = get_vmcs(fd, cpu, vm);
		if (ret == -ENXIO && !o.one) {
			if (!o.json)
				printf("CPU %u: not virtualized: no VMCS\n", cpu);
			continue;
		}
		if (ret == -ENXIO) {
			ret = fail(EXIT_FAIL, "vmcs: CPU %u is not virtualized (offline, or subzero "
				   "is detached): it has no VMCS", cpu);
			goto out;
		}
		if (ret) {
			ret = fail(EXIT_FAIL, "vmcs: CPU %u: %s", cpu, strerror(-ret));
			goto out;
		}
		print_vmcs(vm, &info, o.json, !shown++);
	}
	if (o.json)
		printf("\n  ]\n}\n");
	ret = shown ? EXIT_OK : fail(EXIT_FAIL, "vmcs: no CPU is virtualized (is subzero "
				     "detached?)");
out:
	free(vm);
	close(fd);
	return ret;
}

/* ---- log ---- */

static void print_log_line(const struct subzero_log_line *l, const struct subzero_info *info,
			   bool json, bool first)
{
	if (!json) {
		printf("#%llu [%12.6f] %s\n", (unsigned long long)l->seq,
		       tsc_seconds(l->tsc, info), l->text);
		return;
	}
	printf("%s{\"seq\": %llu, \"cpu\": %u, \"tsc\": %llu, \"time_s\": %.6f, \"text\": ",
	       first ? "" : ",\n    ", (unsigned long long)l->seq, l->cpu,
	       (unsigned long long)l->tsc, tsc_seconds(l->tsc, info));
	json_str(l->text);
	printf("}");
}

static int cmd_log(int argc, char **argv)
{
	struct subzero_info info;
	struct subzero_log *lg;
	unsigned long long from = 0, lost = 0;
	double deadline = 0;
	bool json_doc, first = true;
	unsigned int i;
	struct opts o;
	int fd, ret;

	fd = cmd_start("log", argc, argv, OPT_JSON | OPT_FOLLOW, &o, &info);
	if (fd < 0)
		return -fd;
	lg = malloc(sizeof(*lg));
	if (!lg) {
		ret = fail(EXIT_FAIL, "log: out of memory");
		goto out;
	}
	/* One JSON document, or with -f one JSON object per line as they come. */
	json_doc = o.json && !o.follow;
	if (o.follow) {
		catch_signals();
		if (o.timeout)
			deadline = now_s() + o.timeout;
	}
	if (json_doc)
		printf("{\n  \"tsc_khz\": %u,\n  \"lines\": [\n    ", info.tsc_khz);
	for (;;) {
		memset(lg, 0, sizeof(*lg));
		lg->size = sizeof(*lg);
		lg->from_seq = from;
		if (ioctl(fd, SUBZERO_IOC_LOG, lg)) {
			ret = fail(EXIT_FAIL, "log: %s", strerror(errno));
			goto out;
		}
		if (lg->nr_lines && lg->lines[0].seq > from) {
			lost += lg->lines[0].seq - from;
			if (!o.json)
				printf("-- %llu older lines were overwritten --\n",
				       (unsigned long long)(lg->lines[0].seq - from));
		}
		for (i = 0; i < lg->nr_lines && i < SUBZERO_LOG_BATCH; i++) {
			print_log_line(&lg->lines[i], &info, o.json, first || o.follow);
			if (o.json && o.follow)
				printf("\n");
			first = false;
		}
		from = lg->next_seq;
		if (lg->nr_lines == SUBZERO_LOG_BATCH)
			continue;		/* there may be more at once */
		if (!o.follow || stop || (deadline && now_s() >= deadline))
			break;
		fflush(stdout);
		sleep_s(deadline && deadline - now_s() < 0.2 ? deadline - now_s() : 0.2);
	}
	if (json_doc)
		printf("\n  ],\n  \"next_seq\": %llu,\n  \"oldest_seq\": %llu,\n  \"lost\": %llu\n}\n",
		       (unsigned long long)lg->next_seq, (unsigned long long)lg->oldest_seq, lost);
	ret = EXIT_OK;
out:
	free(lg);
	close(fd);
	return ret;
}

/* ---- detach and attach ---- */

static int cmd_attach(const char *cmd, int argc, char **argv, bool attach)
{
	struct subzero_attach a = { .size = sizeof(a) };
	struct subzero_info info;
	bool changed;
	struct opts o;
	int fd, ret;

	fd = cmd_start(cmd, argc, argv, OPT_JSON, &o, &info);
	if (fd < 0)
		return -fd;
	if (ioctl(fd, attach ? SUBZERO_IOC_ATTACH : SUBZERO_IOC_DETACH, &a)) {
		ret = attach ?
		      fail(EXIT_FAIL, "attach failed: %s; every CPU is back as it was (detached); "
			   "the kernel log says why", strerror(errno)) :
		      fail(EXIT_FAIL, "detach failed: %s: a CPU could not leave VMX (see the "
			   "kernel log)", strerror(errno));
		goto out;
	}
	changed = a.flags & SUBZERO_ATTACH_CHANGED;
	if (o.json)
		printf("{\"attached\": %s, \"changed\": %s, \"nr_virtualized\": %u}\n",
		       attach ? "true" : "false", changed ? "true" : "false", a.nr_virtualized);
	else if (attach)
		printf("%s: %u CPUs virtualized\n", changed ? "attached" : "already attached",
		       a.nr_virtualized);
	else
		printf("%s: no CPU in VMX; subzero stays loaded ('subzero attach' goes back)\n",
		       changed ? "detached" : "already detached");
	ret = EXIT_OK;
out:
	close(fd);
	return ret;
}

/* ---- watch and protect ---- */

static const char *access_str(u32 a, char *buf)
{
	buf[0] = a & SUBZERO_ACCESS_R ? 'r' : '-';
	buf[1] = a & SUBZERO_ACCESS_W ? 'w' : '-';
	buf[2] = a & SUBZERO_ACCESS_X ? 'x' : '-';
	buf[3] = 0;
	return buf;
}

static int parse_access(const char *s, u32 *a)
{
	*a = 0;
	for (; *s; s++) {
		if (*s == 'r')
			*a |= SUBZERO_ACCESS_R;
		else if (*s == 'w')
			*a |= SUBZERO_ACCESS_W;
		else if (*s == 'x')
			*a |= SUBZERO_ACCESS_X;
		else
			return -1;
	}
	return *a ? 0 : -1;
}

static int parse_addr(const char *s, unsigned long long *addr)
{
	char *end;

	errno = 0;
	*addr = strtoull(s, &end, 0);
	return errno || end == s || *end ? -1 : 0;
}

static const char *watch_errno(int e)
{
	switch (e) {
	case EINVAL: return "not a 4 KiB-aligned guest-physical address inside the EPT's range";
	case EACCES: return "that page is the hypervisor's own memory";
	case EEXIST: return "that page is already watched or protected";
	case ENOENT: return "that page is not watched or protected";
	case ENOSPC: return "the table is full (" SZ_STR(SUBZERO_WATCH_MAX) " pages)";
	case ENOMEM: return "a CPU's EPT has no table page left for the split";
	case EOPNOTSUPP: return "subzero runs without EPT on this CPU";
	default: return strerror(e);
	}
}

static int watch_list(int fd, u32 kind, bool json)
{
	struct subzero_watch_list l = { .size = sizeof(l) };
	bool first = true;
	char acc[4];
	u32 i;

	if (ioctl(fd, SUBZERO_IOC_WATCH_LIST, &l))
		return fail(EXIT_FAIL, "list: %s", strerror(errno));
	if (json)
		printf("[");
	for (i = 0; i < l.nr && i < SUBZERO_WATCH_MAX; i++) {
		if (l.w[i].kind != kind)
			continue;
		if (json)
			printf("%s\n  {\"gpa\": %llu, \"access\": \"%s\"}", first ? "" : ",",
			       (unsigned long long)l.w[i].gpa, access_str(l.w[i].access, acc));
		else
			printf("%#llx %s\n", (unsigned long long)l.w[i].gpa,
			       access_str(l.w[i].access, acc));
		first = false;
	}
	if (json)
		printf("%s]\n", first ? "" : "\n");
	return EXIT_OK;
}

static void print_event(const struct subzero_event *e, bool json, bool first)
{
	char acc[4];

	if (json) {
		printf("%s{\"cpu\": %u, \"kind\": \"%s\", \"access\": \"%s\", \"gpa\": %llu, "
		       "\"gla\": %s%llu, \"rip\": %llu, \"tsc\": %llu, \"discarded\": %s}",
		       first ? "" : ",\n  ", e->cpu,
		       e->kind == SUBZERO_KIND_PROTECT ? "protect" : "watch",
		       access_str(e->access, acc), (unsigned long long)e->gpa,
		       e->flags & SUBZERO_EVENT_GLA ? "" : "null, \"gla_raw\": ",
		       (unsigned long long)e->gla, (unsigned long long)e->rip,
		       (unsigned long long)e->tsc,
		       e->flags & SUBZERO_EVENT_DISCARDED ? "true" : "false");
		return;
	}
	printf("cpu %u %-7s %s gpa %#llx gla %s%llx rip %#llx tsc %llu%s\n", e->cpu,
	       e->kind == SUBZERO_KIND_PROTECT ? "protect" : "watch", access_str(e->access, acc),
	       (unsigned long long)e->gpa, e->flags & SUBZERO_EVENT_GLA ? "0x" : "(none) ",
	       (unsigned long long)e->gla, (unsigned long long)e->rip,
	       (unsigned long long)e->tsc,
	       e->flags & SUBZERO_EVENT_DISCARDED ? " discarded" : "");
}

static int watch_events(int argc, char **argv)
{
	struct subzero_events *b;
	struct subzero_info info;
	unsigned long long dropped = 0;
	double deadline = 0;
	bool first = true, json_doc, more;
	unsigned int cpu, i;
	struct opts o;
	int fd, ret;

	fd = cmd_start("watch events", argc, argv, OPT_JSON | OPT_CPU | OPT_FOLLOW, &o, &info);
	if (fd < 0)
		return -fd;
	b = malloc(sizeof(*b));
	if (!b) {
		close(fd);
		return fail(EXIT_FAIL, "events: out of memory");
	}
	json_doc = o.json && !o.follow;
	if (o.follow) {
		catch_signals();
		if (o.timeout)
			deadline = now_s() + o.timeout;
	}
	if (json_doc)
		printf("{\"events\": [\n  ");
	for (;;) {
		more = false;
		for (cpu = o.first; cpu < o.end; cpu++) {
			memset(b, 0, sizeof(*b));
			b->size = sizeof(*b);
			b->cpu = cpu;
			if (ioctl(fd, SUBZERO_IOC_EVENTS, b)) {
				if (errno == EINVAL && !o.one)
					continue;	/* not a possible CPU */
				ret = fail(EXIT_FAIL, "events: CPU %u: %s", cpu, strerror(errno));
				goto out;
			}
			dropped += b->dropped;
			for (i = 0; i < b->nr && i < SUBZERO_EVENTS_BATCH; i++) {
				print_event(&b->ev[i], o.json, first || o.follow);
				if (o.json && o.follow)
					printf("\n");
				first = false;
			}
			if (b->nr == SUBZERO_EVENTS_BATCH)
				more = true;
		}
		if (more)
			continue;
		if (!o.follow || stop || (deadline && now_s() >= deadline))
			break;
		fflush(stdout);
		sleep_s(0.2);
	}
	if (json_doc)
		printf("\n], \"dropped\": %llu}\n", dropped);
	else if (dropped && !o.json)
		printf("-- %llu events were lost to a full ring --\n", dropped);
	ret = EXIT_OK;
out:
	free(b);
	close(fd);
	return ret;
}

static const char *memtype_name(u32 t)
{
	static const char *const names[8] = { "UC", "WC", "?2", "?3", "WT", "WP", "WB", "?7" };

	return names[t & 7];
}

static int cmd_ept(int argc, char **argv)
{
	struct subzero_ept_query q;
	struct subzero_info info;
	unsigned long long addr;
	bool first = true;
	unsigned int cpu;
	struct opts o;
	char acc[4];
	int fd, ret = EXIT_OK;

	if (argc < 2 || parse_addr(argv[1], &addr))
		return fail(EXIT_USAGE, "ept: needs a guest-physical address (e.g. 0xfee00000)");
	fd = cmd_start("ept", argc - 1, argv + 1, OPT_JSON | OPT_CPU, &o, &info);
	if (fd < 0)
		return -fd;
	if (o.json)
		printf("[");
	for (cpu = o.first; cpu < o.end; cpu++) {
		memset(&q, 0, sizeof(q));
		q.size = sizeof(q);
		q.cpu = cpu;
		q.gpa = addr;
		if (ioctl(fd, SUBZERO_IOC_EPT_QUERY, &q)) {
			if (errno == ENXIO && !o.one)
				continue;		/* not virtualized */
			ret = fail(EXIT_FAIL, "ept: CPU %u: %s", cpu,
				   errno == ERANGE ? "beyond the EPT's map" :
				   errno == EOPNOTSUPP ? "no EPT" :
				   errno == ENXIO ? "not virtualized" : strerror(errno));
			break;
		}
		if (o.json)
			printf("%s\n  {\"cpu\": %u, \"gpa\": %llu, \"hpa\": %llu, \"page_size\": %llu, "
			       "\"memtype\": \"%s\", \"perm\": \"%s\", \"leaf\": %llu}", first ? "" : ",",
			       cpu, addr, (unsigned long long)q.hpa, 1ULL << (12 + 9 * (q.level - 1)),
			       memtype_name(q.memtype), access_str(q.perm, acc),
			       (unsigned long long)q.leaf);
		else
			printf("CPU %u: gpa %#llx -> hpa %#llx, %s page, %s, %s (leaf %#llx)\n", cpu,
			       addr, (unsigned long long)q.hpa,
			       q.level == 3 ? "1 GiB" : q.level == 2 ? "2 MiB" : "4 KiB",
			       memtype_name(q.memtype), access_str(q.perm, acc),
			       (unsigned long long)q.leaf);
		first = false;
	}
	if (o.json)
		printf("%s]\n", first ? "" : "\n");
	close(fd);
	return ret;
}

/* watch/protect add|del|list|events */
static int cmd_watch(const char *cmd, int argc, char **argv, u32 kind)
{
	struct subzero_watch w = { .size = sizeof(w) };
	const char *sub = argc > 1 ? argv[1] : NULL;
	unsigned long long addr;
	struct subzero_info info;
	struct opts o;
	int fd, ret, i;

	if (!sub) {
		usage(stderr);
		return fail(EXIT_USAGE, "%s: %s?", cmd, kind == SUBZERO_KIND_WATCH ?
			    "add, del, list or events" : "add, del or list");
	}
	if (!strcmp(sub, "list")) {
		fd = cmd_start(cmd, argc - 1, argv + 1, OPT_JSON, &o, &info);
		if (fd < 0)
			return -fd;
		ret = watch_list(fd, kind, o.json);
		close(fd);
		return ret;
	}
	if (!strcmp(sub, "events") && kind == SUBZERO_KIND_WATCH)
		return watch_events(argc - 1, argv + 1);
	if (strcmp(sub, "add") && strcmp(sub, "del")) {
		usage(stderr);
		return fail(EXIT_USAGE, "%s: unknown subcommand '%s'", cmd, sub);
	}
	if (argc < 3 || parse_addr(argv[2], &addr))
		return fail(EXIT_USAGE, "%s %s: needs a guest-physical address (e.g. 0x1000)",
			    cmd, sub);
	w.op = strcmp(sub, "add") ? SUBZERO_WATCH_DEL : SUBZERO_WATCH_ADD;
	w.gpa = addr;
	if (w.op == SUBZERO_WATCH_ADD) {
		w.kind = kind;
		w.access = SUBZERO_ACCESS_W;
	}
	for (i = 3; i < argc; i++) {
		if (kind == SUBZERO_KIND_WATCH && w.op == SUBZERO_WATCH_ADD &&
		    !strcmp(argv[i], "--access") && i + 1 < argc) {
			if (parse_access(argv[++i], &w.access))
				return fail(EXIT_USAGE, "%s add: bad access '%s' (letters of rwx)",
					    cmd, argv[i]);
		} else {
			usage(stderr);
			return fail(EXIT_USAGE, "%s %s: unknown argument '%s'", cmd, sub, argv[i]);
		}
	}
	fd = open_device();
	if (fd < 0)
		return -fd;
	ret = get_info(fd, &info);
	if (!ret && ioctl(fd, SUBZERO_IOC_WATCH, &w))
		ret = fail(EXIT_FAIL, "%s %s %#llx: %s", cmd, sub, addr, watch_errno(errno));
	close(fd);
	return ret;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

	if (!cmd) {
		usage(stderr);
		return EXIT_USAGE;
	}
	argc--;
	argv++;
	if (!strcmp(cmd, "status"))
		return cmd_status(argc, argv);
	if (!strcmp(cmd, "stats"))
		return cmd_stats(argc, argv);
	if (!strcmp(cmd, "vmcs"))
		return cmd_vmcs(argc, argv);
	if (!strcmp(cmd, "log"))
		return cmd_log(argc, argv);
	if (!strcmp(cmd, "detach"))
		return cmd_attach(cmd, argc, argv, false);
	if (!strcmp(cmd, "attach"))
		return cmd_attach(cmd, argc, argv, true);
	if (!strcmp(cmd, "watch"))
		return cmd_watch(cmd, argc, argv, SUBZERO_KIND_WATCH);
	if (!strcmp(cmd, "protect"))
		return cmd_watch(cmd, argc, argv, SUBZERO_KIND_PROTECT);
	if (!strcmp(cmd, "ept"))
		return cmd_ept(argc, argv);
	if (!strcmp(cmd, "caps"))
		return cmd_caps(argc, argv);
	if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		usage(stdout);
		return EXIT_OK;
	}
	usage(stderr);
	return fail(EXIT_USAGE, "unknown command '%s'", cmd);
}
