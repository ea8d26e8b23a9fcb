// SPDX-License-Identifier: GPL-2.0
/*
 * subzero: the command-line tool for the subzero hypervisor.
 *
 *   subzero caps [--json] [--cpu N]     VMX capabilities, decoded by name
 *   subzero stats [--json] [--cpu N]    per-CPU state and VM exits by reason
 *
 * Exit codes: 0 success, 1 the operation failed, 2 usage error, 3 the module is not
 * loaded, 4 permission denied.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "uapi/subzero.h"
#include "vmx_caps.h"
#include "vmx_decode.h"
#include "exit.h"

enum { EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_NOMODULE, EXIT_PERM };

static const char *prog = "subzero";

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s <command> [options]\n"
		"\n"
		"commands:\n"
		"  caps [--json] [--cpu N]   VMX capabilities of each CPU, decoded by name\n"
		"  stats [--json] [--cpu N]  each CPU: virtualized or not, VM exits by reason\n"
		"  help                      this text\n",
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
		return -fail(EXIT_PERM, "%s: permission denied (root and CAP_SYS_ADMIN needed)",
			     SUBZERO_DEVICE);
	return -fail(EXIT_FAIL, "cannot open %s: %s", SUBZERO_DEVICE, strerror(errno));
}

static int get_info(int fd, struct subzero_info *info)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	if (ioctl(fd, SUBZERO_IOC_INFO, info))
		return fail(EXIT_FAIL, "SUBZERO_IOC_INFO: %s", strerror(errno));
	if (info->abi_version != SUBZERO_ABI_VERSION)
		return fail(EXIT_FAIL, "module speaks ABI %u, this tool ABI %u: rebuild them together",
			    info->abi_version, SUBZERO_ABI_VERSION);
	return 0;
}

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

/* Options shared by the per-CPU commands: [--json] [--cpu N]. */
struct cpu_opts {
	bool json, one;
	unsigned int cpu;		/* with one: the CPU asked for */
	unsigned int first, end;	/* the CPUs to show, once the device said how many */
};

/*
 * Parse the options, open the device and check the CPU number against it.  Returns
 * the open fd, or the negated exit code after saying what is wrong.
 */
static int cpu_cmd_start(const char *cmd, int argc, char **argv, struct cpu_opts *o,
			 struct subzero_info *info)
{
	int fd, ret, i;

	*o = (struct cpu_opts){ 0 };
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			o->json = true;
		} else if (!strcmp(argv[i], "--cpu") && i + 1 < argc) {
			if (parse_cpu(argv[++i], &o->cpu))
				return -fail(EXIT_USAGE, "%s: bad CPU number '%s'", cmd, argv[i]);
			o->one = true;
		} else {
			usage(stderr);
			return -fail(EXIT_USAGE, "%s: unknown argument '%s'", cmd, argv[i]);
		}
	}
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

static int cmd_caps(int argc, char **argv)
{
	unsigned int cpu, shown = 0;
	struct subzero_info info;
	struct vmx_caps caps;
	struct cpu_opts o;
	bool first = true;
	int fd, ret;

	fd = cpu_cmd_start("caps", argc, argv, &o, &info);
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

static int get_stats(int fd, unsigned int cpu, struct subzero_cpu_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	st->cpu = cpu;
	return ioctl(fd, SUBZERO_IOC_CPU_STATS, st) ? -errno : 0;
}

static void print_stats(const struct subzero_cpu_stats *st, bool json, bool first)
{
	bool virt = st->flags & SUBZERO_CPU_VIRTUALIZED;
	unsigned long long total = st->exits_other;
	unsigned int i, n = 0;

	for (i = 0; i < SUBZERO_EXIT_REASONS; i++)
		total += st->exits[i];
	if (json) {
		printf("%s    {\"cpu\": %u, \"virtualized\": %s, \"vpid\": %u, \"exits\": %llu, "
		       "\"root_tsc\": %llu, \"by_reason\": {", first ? "" : ",\n", st->cpu,
		       virt ? "true" : "false", st->vpid, total, (unsigned long long)st->root_tsc);
		for (i = 0; i < SUBZERO_EXIT_REASONS; i++)
			if (st->exits[i])
				printf("%s\"%s\": %llu", n++ ? ", " : "", exit_reason_name(i),
				       (unsigned long long)st->exits[i]);
		printf("}}");
		return;
	}
	printf("CPU %u: %s", st->cpu, virt ? "virtualized" : "not virtualized");
	if (virt)
		printf(", VPID %u, %llu exits, %llu TSC cycles in root", st->vpid, total,
		       (unsigned long long)st->root_tsc);
	printf("\n");
	for (i = 0; i < SUBZERO_EXIT_REASONS; i++)
		if (st->exits[i])
			printf("  %-24s %llu\n", exit_reason_name(i), (unsigned long long)st->exits[i]);
	if (st->exits_other)
		printf("  %-24s %llu\n", "(other)", (unsigned long long)st->exits_other);
}

static int cmd_stats(int argc, char **argv)
{
	struct subzero_cpu_stats st;
	struct subzero_info info;
	struct cpu_opts o;
	unsigned int cpu;
	int fd, ret;

	fd = cpu_cmd_start("stats", argc, argv, &o, &info);
	if (fd < 0)
		return -fd;
	if (o.json)
		printf("{\n  \"alloc_count\": %lld,\n  \"alloc_bytes\": %llu,\n  \"cpus\": [\n",
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

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "caps"))
		return cmd_caps(argc - 1, argv + 1);
	if (!strcmp(argv[1], "stats"))
		return cmd_stats(argc - 1, argv + 1);
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return EXIT_OK;
	}
	usage(stderr);
	return fail(EXIT_USAGE, "unknown command '%s'", argv[1]);
}
