// SPDX-License-Identifier: GPL-2.0
/*
 * subzero: the command-line tool for the subzero hypervisor.  This file is the
 * dispatch: the table of commands with their help, the options every command shares
 * (getopt_long), `help`, `--version`.  The commands live one group per file:
 *
 *   subzero status [--json] [--cpu N]        per CPU: virtualized or not, VPID, exits,
 *                                             time since launch, EPT pages   (status.c)
 *   subzero stats [--json] [--cpu N] [--interval S [--count K]]
 *                                             VM exits and time in VMX root   (stats.c)
 *   subzero vmcs [--check] [--json] [--cpu N]  each CPU's VMCS read in VMX root, or the
 *                                             VM-entry rules it breaks  (vmcs.c, vmcs_check.c)
 *   subzero log [--json] [-f [--timeout S]]  the hypervisor's log              (log.c)
 *   subzero detach | attach [--json]         leave / re-enter VMX on every CPU (log.c)
 *   subzero caps [--json] [--cpu N]          VMX capabilities, decoded by name (caps.c)
 *   subzero check [--json]                   can subzero load here? (no module needed)
 *                                                                              (check.c)
 *   subzero watch add ADDR [--access rwx] | del ADDR | list [--json]
 *   subzero watch events [--json] [--cpu N] [-f [--timeout S]]
 *   subzero protect add ADDR | del ADDR | list [--json]
 *   subzero ept ADDR [--json] [--cpu N]      how each CPU's EPT maps ADDR     (watch.c)
 *   subzero events [--json] [--cpu N] [-f [--timeout S]]   = watch events    (watch.c)
 *   subzero lock [--json]                    the lock, one way                 (lock.c)
 *   subzero help [COMMAND] | COMMAND --help | --version
 *
 * Every command prints through output.c, which writes text or, with --json, JSON.
 * Exit codes: 0 success, 1 the operation failed (`check`: subzero cannot load),
 * 2 usage error, 3 the module is not loaded, 4 permission denied.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "subzero.h"

const char *prog = "subzero";

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *synopsis;	/* usage lines, each starting with the name */
	const char *summary;	/* one line for the list of commands */
	const char *help;	/* the rest of `subzero help NAME` */
};

static int cmd_help(int argc, char **argv);

static const struct command commands[] = {
	{ "status", cmd_status, "status [--json] [--cpu N]",
	  "each CPU: virtualized or not, VPID, VM exits, time since launch, EPT pages",
	  "With --cpu, only CPU N.  The first line says whether subzero is attached, its ABI,\n"
	  "the TSC rate, how many CPUs are online and the module's outstanding allocations.\n" },
	{ "stats", cmd_stats, "stats [--json] [--cpu N] [--interval S [--count K]]",
	  "VM exits and TSC cycles in VMX root, by exit reason",
	  "Per CPU and exit reason, as perf kvm stat: the count, the TSC cycles spent in VMX\n"
	  "root and their mean, the share of the CPU's exits (exits%) and of its time in\n"
	  "root (root%), the fewest and most cycles one exit took (min, max), and under\n"
	  "each reason a log2 histogram of the cycles per exit ([32, 64) 680, ...).\n"
	  "JSON per reason: reason, count, root_tsc, mean_root_tsc, exits_share and\n"
	  "root_share (0 to 1), min_root_tsc, max_root_tsc, hist_log2 [{from, to, count}].\n"
	  "--interval S: rates per second every S seconds (0.01 to 86400), K times\n"
	  "(default: until interrupted); with --json one object per line.\n" },
	{ "vmcs", cmd_vmcs, "vmcs [--check] [--json] [--cpu N]",
	  "each CPU's VMCS as read in VMX root, in six groups, control words decoded",
	  "Fields this CPU does not support are marked so.  A CPU that is not virtualized\n"
	  "has no VMCS.  --check: instead, the VM-entry rules (SDM Vol. 3C 27.2, 27.3) the\n"
	  "VMCS breaks, each by name; exit status 1 if any.\n" },
	{ "log", cmd_log, "log [--json] [-f [--timeout S]]",
	  "the hypervisor's log (64 KiB history, numbered lines)",
	  "-f follows it until interrupted, or for S seconds; with --json one object per\n"
	  "line.  Lines overwritten before they were read are counted.\n" },
	{ "detach", cmd_detach_attach, "detach [--json]",
	  "take every CPU out of VMX; the module stays loaded", "" },
	{ "attach", cmd_detach_attach, "attach [--json]",
	  "virtualize every online CPU again (all or nothing)", "" },
	{ "lock", cmd_lock, "lock [--json]",
	  "lock the running kernel's CPU protections, one way, until reboot",
	  "On every CPU, now and when it comes online: clearing CR0.WP/PE/PG or CR4.SMEP,\n"
	  "SMAP, UMIP, FSGSBASE, CET (those set now) gets #GP; a WRMSR changing STAR, LSTAR,\n"
	  "CSTAR, SFMASK, SYSENTER_CS/ESP/EIP, EFER.SCE/LME/NXE or the CET MSRs gets #GP.\n"
	  "Afterwards rmmod, detach and removing a watch or protection are refused.  Each\n"
	  "refusal is an event (subzero events); subzero status shows the counters.  Also\n"
	  "at load: insmod subzero.ko lock=1.\n" },
	{ "events", cmd_events, "events [--json] [--cpu N] [-f [--timeout S]]",
	  "what the hypervisor recorded: watched and protected accesses, lock refusals",
	  "The same as `subzero watch events`: each event once, oldest first.\n" },
	{ "caps", cmd_caps, "caps [--json] [--cpu N]",
	  "VMX capabilities of each CPU, decoded by name",
	  "With the module loaded, the capabilities it read at load; without it, read from\n"
	  "CPUID and /dev/cpu/N/msr (the msr module is loaded if needed).\n" },
	{ "check", cmd_check, "check [--json]",
	  "can subzero load on this machine? (works without the module)",
	  "Per CPU: VMX, IA32_FEATURE_CONTROL, who holds VMX, the controls subzero requires\n"
	  "and the optional features it will use; then Secure Boot, lockdown, PTI, IBT,\n"
	  "FRED.  Ends with one verdict: \"subzero can load\", or each blocker and how to fix\n"
	  "it.  Exit 0: it can load; 1: it cannot.  With subzero loaded already there is\n"
	  "nothing to check (exit 0; --json: {tool_version, system, can_load, verdict}).\n" },
	{ "watch", cmd_watch,
	  "watch add ADDR [--access rwx]\n"
	  "watch del ADDR\n"
	  "watch list [--json]\n"
	  "watch events [--json] [--cpu N] [-f [--timeout S]]",
	  "record reads/writes/executes of a guest-physical page; show what was recorded",
	  "add: watch the 4 KiB page at ADDR for the accesses in --access (default: w); the\n"
	  "accesses complete.  events: the recorded accesses (watch and protect), oldest\n"
	  "first, each shown once.\n" },
	{ "protect", cmd_watch,
	  "protect add ADDR\n"
	  "protect del ADDR\n"
	  "protect list [--json]",
	  "writes to the page at ADDR are recorded and discarded",
	  "The writing instruction completes without a fault; memory keeps its old value.\n"
	  "The writes show in `subzero watch events`.  list --json: [{gpa, access}], as\n"
	  "watch list, the protected pages only.\n" },
	{ "ept", cmd_ept, "ept ADDR [--json] [--cpu N]",
	  "how each CPU's EPT maps the guest-physical ADDR: page size, type, permissions",
	  "" },
	{ "help", cmd_help, "help [COMMAND]\n--version",
	  "the list of commands, or one command's help (also: COMMAND --help)",
	  "subzero --version prints the tool's version and ABI and the loaded module's.\n" },
};

#define NR_COMMANDS	(sizeof(commands) / sizeof(commands[0]))

static const struct command *find_command(const char *name)
{
	size_t i, n = strcspn(name, " ");

	for (i = 0; i < NR_COMMANDS; i++)
		if (strlen(commands[i].name) == n && !strncmp(commands[i].name, name, n))
			return &commands[i];
	return NULL;
}

/* Each synopsis line of @c, prefixed by @lead and the program name. */
static void print_synopsis(FILE *f, const struct command *c, const char *lead)
{
	const char *s = c->synopsis, *nl;
	int w = (int)strlen(lead);

	for (; *s; s = *nl ? nl + 1 : nl) {
		nl = strchr(s, '\n');
		if (!nl)
			nl = s + strlen(s);
		fprintf(f, "%-*s%s %.*s\n", w, s == c->synopsis ? lead : "", prog,
			(int)(nl - s), s);
	}
}

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: %s <command> [options]\n       %s help COMMAND | COMMAND --help | "
		"--version\n\ncommands:\n", prog, prog);
	for (i = 0; i < NR_COMMANDS; i++)
		fprintf(f, "  %s\n      %s\n", strchr(commands[i].synopsis, '\n') ?
			commands[i].name : commands[i].synopsis, commands[i].summary);
	fprintf(f, "\nexit codes: 0 ok, 1 failed (check: cannot load), 2 usage error, 3 module "
		"not loaded,\n4 permission denied.  Options take --opt VALUE or --opt=VALUE.  "
		"See subzero(8).\n");
}

static void command_help(const struct command *c)
{
	print_synopsis(stdout, c, "usage: ");
	printf("\n%s.\n", c->summary);
	if (*c->help)
		printf("\n%s", c->help);
}

int fail(int code, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

int usage_error(const char *cmd, const char *fmt, ...)
{
	const struct command *c = find_command(cmd);
	va_list ap;

	fprintf(stderr, "%s: %s: ", prog, cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (c)
		print_synopsis(stderr, c, "usage: ");
	fprintf(stderr, "('%s help %s' says more)\n", prog, c ? c->name : "");
	return EXIT_USAGE;
}

/* ---- options ---- */

#define MIN_INTERVAL	0.01		/* seconds: shorter would only measure ourselves */
#define MAX_SECONDS	86400.0

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

int parse_addr(const char *s, unsigned long long *addr)
{
	char *end;

	errno = 0;
	*addr = strtoull(s, &end, 0);
	return errno || end == s || *end || s[0] == '-' ? -1 : 0;
}

enum { L_HELP = 'h', L_FOLLOW = 'f', L_JSON = 256, L_CPU, L_INTERVAL, L_COUNT, L_TIMEOUT,
       L_ACCESS, L_CHECK };

static const struct option long_opts[] = {
	{ "help", no_argument, NULL, L_HELP },
	{ "json", no_argument, NULL, L_JSON },
	{ "cpu", required_argument, NULL, L_CPU },
	{ "interval", required_argument, NULL, L_INTERVAL },
	{ "count", required_argument, NULL, L_COUNT },
	{ "follow", no_argument, NULL, L_FOLLOW },
	{ "timeout", required_argument, NULL, L_TIMEOUT },
	{ "access", required_argument, NULL, L_ACCESS },
	{ "check", no_argument, NULL, L_CHECK },
	{ NULL, 0, NULL, 0 },
};

/* Which OPT_* an option belongs to (0: every command takes it). */
static unsigned int opt_group(int c)
{
	switch (c) {
	case L_JSON: return OPT_JSON;
	case L_CPU: return OPT_CPU;
	case L_INTERVAL: case L_COUNT: return OPT_INTERVAL;
	case L_FOLLOW: case L_TIMEOUT: return OPT_FOLLOW;
	case L_ACCESS: return OPT_ACCESS;
	case L_CHECK: return OPT_CHECK;
	default: return 0;
	}
}

static int stop_with(struct opts *o, int rc)
{
	o->rc = rc;
	return 1;
}

int parse_opts(const char *cmd, int argc, char **argv, unsigned int allowed, int max_args,
	       struct opts *o)
{
	bool have_count = false, have_timeout = false;
	char arg[32];
	int c, idx;

	*o = (struct opts){ 0 };
	out_set_mode(OUT_TEXT);	/* the one place the output's form is chosen */
	optind = 0;		/* GNU: start afresh; argv[0] is the command */
	opterr = 0;		/* we say what is wrong ourselves */
	while (idx = -1, (c = getopt_long(argc, argv, ":hf", long_opts, &idx)) != -1) {
		/* the option as given, for messages */
		bool unknown = c == '?' || c == ':';
		int letter = unknown ? optopt : c;

		if (idx >= 0)
			snprintf(arg, sizeof(arg), "--%s", long_opts[idx].name);
		else if (letter > 0 && letter < 256)
			snprintf(arg, sizeof(arg), "-%c", letter);
		else
			snprintf(arg, sizeof(arg), "%.30s", argv[optind - 1]);
		if (c == '?')
			return stop_with(o, usage_error(cmd, "unknown argument '%s'", arg));
		if (c == ':')
			return stop_with(o, usage_error(cmd, "%s needs a value", arg));
		if (opt_group(c) && !(allowed & opt_group(c)))
			return stop_with(o, usage_error(cmd, "unknown argument '%s' (it does not "
							"apply here)", arg));
		switch (c) {
		case L_HELP:
			command_help(find_command(cmd));
			return stop_with(o, EXIT_OK);
		case L_JSON:
			out_set_mode(OUT_JSON);
			break;
		case L_CHECK:
			o->check = true;
			break;
		case L_FOLLOW:
			o->follow = true;
			break;
		case L_CPU:
			if (parse_cpu(optarg, &o->cpu))
				return stop_with(o, usage_error(cmd, "bad CPU number '%s'", optarg));
			o->one = true;
			break;
		case L_INTERVAL:
			if (parse_seconds(optarg, MIN_INTERVAL, &o->interval))
				return stop_with(o, usage_error(cmd, "bad interval '%s' (seconds, "
						 "from %g to %.0f)", optarg, MIN_INTERVAL, MAX_SECONDS));
			break;
		case L_COUNT:
			if (parse_count(optarg, &o->count))
				return stop_with(o, usage_error(cmd, "bad count '%s' (a whole number "
								"from 1)", optarg));
			have_count = true;
			break;
		case L_TIMEOUT:
			if (parse_seconds(optarg, 0, &o->timeout))
				return stop_with(o, usage_error(cmd, "bad timeout '%s' (seconds, more "
						 "than 0 and at most %.0f)", optarg, MAX_SECONDS));
			have_timeout = true;
			break;
		case L_ACCESS:
			if (parse_access(optarg, &o->access))
				return stop_with(o, usage_error(cmd, "bad access '%s' (letters of "
								"rwx)", optarg));
			break;
		}
	}
	if (have_count && !o->interval)
		return stop_with(o, usage_error(cmd, "--count only goes with --interval"));
	if (have_timeout && !o->follow)
		return stop_with(o, usage_error(cmd, "--timeout only goes with -f"));
	o->args = argv + optind;
	o->nargs = argc - optind;
	if (o->nargs > max_args)
		return stop_with(o, usage_error(cmd, "unknown argument '%s'", o->args[max_args]));
	return 0;
}

/* ---- help, --version, dispatch ---- */

static int cmd_help(int argc, char **argv)
{
	const struct command *c;

	if (argc < 2) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		argv[1] = "help";
	c = find_command(argv[1]);
	if (!c || argc > 2) {
		fprintf(stderr, "usage: %s help [COMMAND]\n", prog);
		return fail(EXIT_USAGE, "help: %s '%s'", c ? "one command, not" : "no command",
			    argv[c ? 2 : 1]);
	}
	command_help(c);
	return EXIT_OK;
}

/* The tool's, the module's (if loaded) and the ABI's versions.  Needs no root. */
static int version(void)
{
	struct subzero_info info;
	char buf[64];
	const char *mv = module_version(buf, sizeof(buf));
	int fd;

	printf("subzero tool %s, ABI %u\n", SUBZERO_TOOL_VERSION, SUBZERO_ABI_VERSION);
	if (!mv && access("/sys/module/subzero", F_OK)) {
		printf("module: not loaded\n");
		return EXIT_OK;
	}
	printf("module: %s", mv ? mv : "loaded (no version)");
	fd = open_device();		/* says on stderr why not, if not */
	if (fd >= 0 && !get_info(fd, &info))
		printf(", ABI %u\n", info.abi_version);
	else
		printf(", ABI unknown (%s cannot be asked)\n", SUBZERO_DEVICE);
	if (fd >= 0)
		close(fd);
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	const struct command *c;
	const char *cmd = argc > 1 ? argv[1] : NULL;

	if (!cmd) {
		fprintf(stderr, "usage: %s <command> [options]   ('%s help' lists the commands)\n",
			prog, prog);
		return EXIT_USAGE;
	}
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h"))
		return cmd_help(argc - 1, argv + 1);
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V"))
		return argc == 2 ? version() : usage_error("help", "--version takes no arguments");
	c = cmd[0] == '-' ? NULL : find_command(cmd);
	if (!c || strchr(cmd, ' ')) {
		fprintf(stderr, "usage: %s <command> [options]   ('%s help' lists the commands)\n",
			prog, prog);
		return fail(EXIT_USAGE, "unknown command '%s'", cmd);
	}
	return c->run(argc - 1, argv + 1);
}
