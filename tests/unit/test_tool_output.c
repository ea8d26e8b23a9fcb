// SPDX-License-Identifier: GPL-2.0
/*
 * Golden tests of everything the `subzero` tool prints: each command run through its
 * own cmd_*() (options parsed by main.c, so --json is chosen where the tool chooses
 * it) against a fake /dev/subzero whose ioctls return fixed, realistic answers: three
 * CPUs (one virtualized and locked, one virtualized, one offline), exit statistics
 * with histograms, a VMCS dump, log lines, events, watches, EPT mappings, Haswell's
 * capabilities.  The whole text and the whole JSON are compared byte for byte with
 * tests/unit/golden/tool/, captured from the tool before its output layer was
 * rewritten; end-to-end tests parse this text, so it must not change.  Every JSON
 * golden is also parsed with python3's json module.
 *
 * SZ_GOLDEN_WRITE=1 (re)writes the golden files instead of comparing: only when the
 * output is meant to change, and then the diff is reviewed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fake_cpu.h"
#include "fake_sysroot.h"

/* The tool's system calls, answered by the fake machine below. */
int fake_ioctl(int fd, unsigned long req, ...);
int fake_open(const char *path, int flags, ...);
uid_t fake_geteuid(void);
struct vmx_caps;
void fake_vmcs_check_cpuid(struct vmx_caps *caps);
int subzero_main(int argc, char **argv);
#define ioctl(...) fake_ioctl(__VA_ARGS__)
#define open(...) fake_open(__VA_ARGS__)
#define geteuid() fake_geteuid()

/* before cmocka.h, whose fail() macro would take the tool's fail() */
#define main subzero_main
#include "../../tools/main.c"
#undef main
#include "../../tools/device.c"
#include "../../tools/output.c"
#include "../../tools/stats.c"
#include "../../tools/status.c"
#include "../../tools/lock.c"
#include "../../tools/log.c"
#include "../../tools/watch.c"
#include "../../tools/vmcs_check.c"
#define vmcs_check_cpuid fake_vmcs_check_cpuid
#include "../../tools/vmcs.c"
#include "../../tools/caps.c"
#include "../../tools/sysinfo.c"
#include "../../tools/check.c"

#include <cmocka.h>

/* ---- the fake machine ---- */

#define NCPU	3

static struct {
	bool old_stats;		/* a module without the histograms (SUBZERO_CPU_STATS_SIZE_V1) */
	bool lock_off;
	bool no_module;		/* /dev/subzero absent */
	unsigned int stats_calls[NCPU], log_calls, events_calls[NCPU];
	bool events_endless;	/* CPU 0's ring refills as fast as it is read */
	struct vmx_caps caps;	/* Haswell's, from the fake CPU */
	unsigned int check_ncpu;
	int check_err[4];	/* cpu_read_caps() result per CPU */
	bool check_differs;	/* CPU 1 differs from CPU 0 */
} fx;

int fake_open(const char *path, int flags, ...)
{
	if (!strcmp(path, SUBZERO_DEVICE) && fx.no_module) {
		errno = ENOENT;
		return -1;
	}
	return (open)("/dev/null", flags);
}

uid_t fake_geteuid(void)
{
	return 0;
}

void fake_vmcs_check_cpuid(struct vmx_caps *caps)
{
	caps->phys_bits = 39;
	caps->virt_bits = 48;
	caps->lam = false;
}

static void fill_hist(struct subzero_exit_hist *h, u64 n, unsigned int spread)
{
	h->min_root_tsc = 1;
	h->max_root_tsc = 1ULL << (8 + spread);
	h->log2[0] = 1;
	h->log2[6] = n > 3 ? n - 3 : 0;
	h->log2[9 + spread] = 1;
	if (spread > 5)
		h->log2[SUBZERO_EXIT_HIST_BUCKETS - 1] = 1;
}

static void add_reason(struct subzero_cpu_stats *st, unsigned int r, u64 n, u64 mean,
		       unsigned int spread)
{
	st->exits[r] = n;
	st->exit_root_tsc[r] = n * mean;
	st->root_tsc += n * mean;
	if (st->size >= sizeof(*st))
		fill_hist(&st->hist[r], n, spread);
}

static int fake_stats(struct subzero_cpu_stats *st)
{
	unsigned int cpu = st->cpu, k;

	if (cpu >= NCPU)
		return -EINVAL;
	if (fx.old_stats && st->size != SUBZERO_CPU_STATS_SIZE_V1)
		return -EINVAL;
	k = fx.stats_calls[cpu]++;
	if (cpu == 2)
		return 0;	/* offline, never virtualized */
	st->flags = SUBZERO_CPU_VIRTUALIZED | SUBZERO_CPU_ONLINE;
	st->vpid = cpu + 1;
	if (cpu == 0) {
		st->launch_tsc = 1000000;
		st->now_tsc = st->launch_tsc + 7200000000ULL + k * 24000000ULL;
		st->ept_pages = 530;
		st->ept_pool_pages = 1024;
		st->eptp = 0x10a3f01eULL;
		add_reason(st, 10, 1200 + 100 * k, 950, 2);		/* CPUID */
		add_reason(st, 31, 340 + 10 * k, 1800, 4);		/* RDMSR */
		add_reason(st, 48, 7, 25000, 9);			/* EPT violation */
		add_reason(st, 35, 2 + k, 3000, 1);			/* no name */
		st->exits_other = 3;
		st->root_tsc_other = 9000;
		st->root_tsc += 9000;
	} else {
		/* virtualized again between the first and the second read */
		st->launch_tsc = k ? 9000000000ULL : 2000000;
		st->now_tsc = st->launch_tsc + 4800000000ULL + k * 24000000ULL;
		st->ept_pages = 512;
		st->ept_pool_pages = 1024;
		st->eptp = 0x10b4001eULL;
		add_reason(st, 12, 50 + k, 400, 0);			/* HLT */
	}
	return 0;
}

static int fake_lock(struct subzero_lock *l)
{
	if (l->op == SUBZERO_LOCK_TAKE) {
		l->flags = SUBZERO_LOCK_ON | SUBZERO_LOCK_CHANGED | SUBZERO_LOCK_ANY;
		l->nr_locked = 2;
		l->cr0_pinned = 0x80010001;
		l->cr4_pinned = 0x3406e0;
		return 0;
	}
	if (l->cpu == 2)
		return -ENOTTY;
	if (fx.lock_off)
		return 0;
	l->flags = SUBZERO_LOCK_ON | SUBZERO_LOCK_ANY | SUBZERO_LOCK_WX;
	l->cr0_pinned = 0x80010001;
	l->cr4_pinned = 0x3406e0;
	l->cr_refused = 1 + l->cpu;
	l->msr_refused = 2;
	l->msr_kept = 5;
	l->hc_refused = 1;
	l->devirt_offline = 0;
	l->restored = 3;
	l->nr_locked = 2;
	l->wx_tables = 6;
	l->wx_allowed = 41;
	l->wx_refused = 1;
	if (l->cpu == 0) {
		l->flags |= SUBZERO_LOCK_CET | SUBZERO_LOCK_DT | SUBZERO_LOCK_MBEC | SUBZERO_LOCK_KEXEC;
		l->kexec_refused = 2;
		l->dt_refused = 4;
	}
	return 0;
}

/* Every field of the table, some unsupported; control words with reserved bits set. */
static int fake_vmcs(struct subzero_vmcs *vm)
{
	size_t i;

	if (vm->cpu != 0)
		return -ENXIO;
	vm->tsc = 3600000000ULL;
	vm->nr_fields = vmcs_nr_fields;
	for (i = 0; i < vmcs_nr_fields; i++) {
		const struct vmcs_field_desc *d = &vmcs_field_descs[i];
		u64 v = (u64)d->encoding * 0x10001ULL;

		vm->fields[i].encoding = d->encoding;
		vm->fields[i].flags = i % 9 == 4 ? 0 : SUBZERO_VMCS_FIELD_SUPPORTED;
		if (d->width == 16)
			v &= 0xffff;
		else if (d->width == 32)
			v &= 0xffffffff;
		switch (d->encoding) {
		case PIN_BASED_VM_EXEC_CONTROL: v = 0x3f; break;
		case CPU_BASED_VM_EXEC_CONTROL: v = 0xb5186dfa; break;
		case SECONDARY_VM_EXEC_CONTROL: v = 0x10002a; break;
		case VM_EXIT_CONTROLS: v = 0x3ffff; break;
		case VM_ENTRY_CONTROLS: v = 0xd3ff; break;
		case VM_EXIT_REASON: v = 0x80000021; break;
		case VM_INSTRUCTION_ERROR: v = 7; break;
		}
		if (field_ctl(d->encoding) >= 0 || d->encoding == VM_EXIT_REASON ||
		    d->encoding == VM_INSTRUCTION_ERROR)
			vm->fields[i].flags = SUBZERO_VMCS_FIELD_SUPPORTED;
		vm->fields[i].value = v;
	}
	return 0;
}

static void log_line(struct subzero_log *lg, u64 seq, u32 cpu, const char *text)
{
	struct subzero_log_line *l = &lg->lines[lg->nr_lines++];

	l->seq = seq;
	l->cpu = cpu;
	l->tsc = 2400000000ULL + seq * 1234567;
	snprintf(l->text, sizeof(l->text), "%s", text);
}

static int fake_log(struct subzero_log *lg)
{
	lg->oldest_seq = 5;
	lg->next_seq = 9;
	if (fx.log_calls++ || lg->from_seq >= 9)
		return 0;
	log_line(lg, 5, 0, "subzero: CPU 0 virtualized, VPID 1, EPT 530 pages");
	log_line(lg, 6, 1, "subzero: CPU 1 virtualized, VPID 2");
	log_line(lg, 7, 0, "watch: \"quoted\" \\ back\tslash");
	log_line(lg, 8, 1, "lock: CR0 write refused 0x80000011");
	return 0;
}

static void event(struct subzero_events *b, u32 kind, u32 access, u32 flags, u64 gpa, u64 gla)
{
	struct subzero_event *e = &b->ev[b->nr++];

	e->cpu = b->cpu;
	e->kind = kind;
	e->access = access;
	e->flags = flags;
	e->gpa = gpa;
	e->gla = gla;
	e->rip = 0xffffffff81234567ULL + b->nr;
	e->tsc = 5000000000ULL + b->nr * 1000;
}

static int fake_events(struct subzero_events *b)
{
	if (b->cpu >= 2)
		return -EINVAL;
	if (fx.events_endless && b->cpu == 0) {
		/* a hot watched page: every read finds a full batch */
		fx.events_calls[0]++;
		while (b->nr < SUBZERO_EVENTS_BATCH)
			event(b, SUBZERO_KIND_WATCH, SUBZERO_ACCESS_W, 0, 0x5000, 0);
		return 0;
	}
	if (fx.events_calls[b->cpu]++)
		return 0;
	if (b->cpu == 1) {
		event(b, SUBZERO_KIND_WATCH, SUBZERO_ACCESS_X, 0, 0x7000, 0x1f3);
		return 0;
	}
	b->dropped = 2;
	event(b, SUBZERO_KIND_WATCH, SUBZERO_ACCESS_R, SUBZERO_EVENT_GLA, 0x1000,
	      0xffff888000001000ULL);
	event(b, SUBZERO_KIND_PROTECT, SUBZERO_ACCESS_W,
	      SUBZERO_EVENT_GLA | SUBZERO_EVENT_DISCARDED, 0x3000, 0xffff888000003008ULL);
	event(b, SUBZERO_KIND_LOCK, SUBZERO_LOCK_EV_CR0, SUBZERO_EVENT_REFUSED, 0x80000011,
	      0);
	event(b, SUBZERO_KIND_LOCK, SUBZERO_LOCK_EV_MSR, SUBZERO_EVENT_ALLOWED, 0x1d9, 0xc0000082);
	event(b, SUBZERO_KIND_LOCK, SUBZERO_LOCK_EV_LOCKED, 0, 0, 0);
	event(b, SUBZERO_KIND_LOCK, 99, SUBZERO_EVENT_REFUSED, 1, 2);
	return 0;
}

static int fake_ept(struct subzero_ept_query *q)
{
	if (q->cpu == 2)
		return -ENXIO;
	q->level = q->cpu ? 2 : 1;
	q->memtype = q->cpu ? 0 : 6;
	q->perm = q->cpu ? SUBZERO_ACCESS_R | SUBZERO_ACCESS_X : 7;
	q->hpa = q->gpa + (q->cpu ? 0x200000 : 0);
	q->leaf = (q->hpa & ~0xfffULL) | (q->memtype << 3) | q->perm | (q->cpu ? 0x80 : 0);
	return 0;
}

static int fake_caps(struct subzero_caps *uc)
{
	const struct vmx_caps *c = &fx.caps;

	if (uc->cpu >= 2)
		return -ENXIO;
	*uc = (struct subzero_caps){
		.size = uc->size, .cpu = uc->cpu,
		.cpuid1_ecx = c->cpuid1_ecx, .have = c->have,
		.feature_control = c->feature_control, .basic = c->basic,
		.pinbased = c->pinbased, .procbased = c->procbased,
		.procbased2 = c->procbased2, .exit = c->exit, .entry = c->entry,
		.true_pinbased = c->true_pinbased, .true_procbased = c->true_procbased,
		.true_exit = c->true_exit, .true_entry = c->true_entry, .misc = c->misc,
		.cr0_fixed0 = c->cr0_fixed0, .cr0_fixed1 = c->cr0_fixed1,
		.cr4_fixed0 = c->cr4_fixed0, .cr4_fixed1 = c->cr4_fixed1,
		.vmcs_enum = c->vmcs_enum, .ept_vpid = c->ept_vpid, .vmfunc = c->vmfunc,
	};
	return 0;
}

int fake_ioctl(int fd, unsigned long req, ...)
{
	struct subzero_watch_list *wl;
	struct subzero_attach *a;
	struct subzero_info *info;
	va_list ap;
	void *arg;
	int ret = 0;

	(void)fd;
	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	switch (req) {
	case SUBZERO_IOC_INFO:
		info = arg;
		info->abi_version = SUBZERO_ABI_VERSION;
		info->nr_cpu_ids = NCPU;
		info->nr_cpus_online = 2;
		info->alloc_count = 42;
		info->alloc_bytes = 1234567;
		info->tsc_khz = 2400000;
		info->flags = SUBZERO_INFO_ATTACHED;
		break;
	case SUBZERO_IOC_CPU_STATS:
		ret = fake_stats(arg);
		break;
	case SUBZERO_IOC_LOCK:
		ret = fake_lock(arg);
		break;
	case SUBZERO_IOC_VMCS:
		ret = fake_vmcs(arg);
		break;
	case SUBZERO_IOC_LOG:
		ret = fake_log(arg);
		break;
	case SUBZERO_IOC_EVENTS:
		ret = fake_events(arg);
		break;
	case SUBZERO_IOC_EPT_QUERY:
		ret = fake_ept(arg);
		break;
	case SUBZERO_IOC_GET_CAPS:
		ret = fake_caps(arg);
		break;
	case SUBZERO_IOC_ATTACH:
		a = arg;
		a->flags = SUBZERO_ATTACH_CHANGED;
		a->nr_virtualized = 2;
		break;
	case SUBZERO_IOC_DETACH:
		a = arg;
		a->flags = 0;
		break;
	case SUBZERO_IOC_WATCH_LIST:
		wl = arg;
		wl->nr = 3;
		wl->w[0] = (struct subzero_watch_entry){ 0x1000, SUBZERO_ACCESS_W, SUBZERO_KIND_WATCH };
		wl->w[1] = (struct subzero_watch_entry){ 0x3000, SUBZERO_ACCESS_W, SUBZERO_KIND_PROTECT };
		wl->w[2] = (struct subzero_watch_entry){ 0x7000, 7, SUBZERO_KIND_WATCH };
		break;
	default:
		ret = -ENOTTY;
	}
	if (ret) {
		errno = -ret;
		return -1;
	}
	return 0;
}

/* What check.c and caps.c read without the module (tools/cpu.c on real hardware). */
unsigned int cpu_count(void)
{
	return fx.check_ncpu;
}

bool cpu_online(unsigned int cpu)
{
	return cpu < fx.check_ncpu;
}

int cpu_read_caps(unsigned int cpu, struct vmx_caps *c)
{
	if (fx.check_err[cpu])
		return fx.check_err[cpu];
	*c = fx.caps;
	if (cpu == 1 && fx.check_differs) {
		/* no HLT activity state, no EPT, no VPID, no MSR bitmaps (required) */
		c->misc ^= 1ULL << 6;
		c->have &= ~VMX_CAPS_HAVE_EPT_VPID;
		c->procbased2 &= ~((u64)(SECONDARY_EXEC_ENABLE_EPT |
					 SECONDARY_EXEC_ENABLE_VPID) << 32);
		c->true_procbased &= ~((u64)CPU_BASED_USE_MSR_BITMAPS << 32);
		c->procbased &= ~((u64)CPU_BASED_USE_MSR_BITMAPS << 32);
	}
	return 0;
}

const char *cpu_err_str(int err)
{
	return err == -ENODEV ? "no VMX (CPUID.1:ECX.VMX = 0)" : strerror(-err);
}

const char *cpu_msr_loaded_by_us(void)
{
	return "the msr module was loaded for this";
}

/* ---- running a command, capturing what it prints ---- */


static int setup(void **state)
{
	(void)state;
	memset(&fx, 0, sizeof(fx));
	fake_cpu_load(&fake_haswell);
	assert_int_equal(vmx_caps_read(&fx.caps), 0);
	fx.check_ncpu = 2;
	nblockers = nwarnings = 0;
	sysinfo_root = fake_sysroot_create();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sysinfo_root = "";
	fake_sysroot_remove();
	return 0;
}

/* Run `subzero ARGS...` (split at spaces); returns its exit code, *out what it printed. */
static int run(const char *args, char **out)
{
	char buf[256], *argv[16], *tok;
	int argc = 0, rc;
	size_t len;
	FILE *saved = stdout;

	snprintf(buf, sizeof(buf), "subzero %s", args);
	for (tok = strtok(buf, " "); tok && argc < 15; tok = strtok(NULL, " "))
		argv[argc++] = tok;
	argv[argc] = NULL;
	memset(fx.stats_calls, 0, sizeof(fx.stats_calls));
	memset(fx.events_calls, 0, sizeof(fx.events_calls));
	fx.log_calls = 0;
	nblockers = nwarnings = 0;
	stdout = open_memstream(out, &len);
	rc = subzero_main(argc, argv);
	fclose(stdout);
	stdout = saved;
	return rc;
}

/* Each JSON document (@lines: each line one document) parses. */
static void assert_json(const char *text, bool lines)
{
	FILE *p = popen(lines ? "python3 -c 'import json,sys\n"
			"for l in sys.stdin: json.loads(l)' " :
			"python3 -m json.tool >/dev/null", "w");

	assert_non_null(p);
	fputs(text, p);
	assert_int_equal(pclose(p), 0);
}

/* Compare with (or, SZ_GOLDEN_WRITE=1, write) tests/unit/golden/tool/@name. */
static void golden(const char *name, const char *got)
{
	char path[256], *want = NULL;
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "tests/unit/golden/tool/%s", name);
	if (getenv("SZ_GOLDEN_WRITE")) {
		f = fopen(path, "w");
		assert_non_null(f);
		fputs(got, f);
		fclose(f);
		return;
	}
	f = fopen(path, "r");
	if (!f)
		fail_msg("no golden %s (run from the top of the tree)", path);
	want = malloc(1 << 20);
	assert_non_null(want);
	n = fread(want, 1, (1 << 20) - 1, f);
	want[n] = 0;
	fclose(f);
	if (strcmp(got, want)) {
		size_t i = 0;

		while (got[i] && got[i] == want[i])
			i++;
		fail_msg("%s differs at byte %zu:\n--- want ---\n%.200s\n--- got ---\n%.200s\n",
			 name, i, want + (i > 40 ? i - 40 : 0), got + (i > 40 ? i - 40 : 0));
	}
	free(want);
}

/*
 * `subzero ARGS` in text and with --json: exit code @rc both times, the output equal to
 * the goldens NAME.txt and NAME.json, the JSON valid (@lines: one document a line).
 */
static void both(const char *name, const char *args, int rc, bool lines)
{
	char file[96], jargs[256], *out;

	assert_int_equal(run(args, &out), rc);
	snprintf(file, sizeof(file), "%s.txt", name);
	golden(file, out);
	free(out);

	snprintf(jargs, sizeof(jargs), "%s --json", args);
	assert_int_equal(run(jargs, &out), rc);
	snprintf(file, sizeof(file), "%s.json", name);
	assert_true(out[0] == '{' || out[0] == '[');
	assert_json(out, lines);
	golden(file, out);
	free(out);
}

/* ---- the commands ---- */

static void test_status(void **state)
{
	(void)state;
	both("status", "status", 0, false);
	both("status_cpu1", "status --cpu 1", 0, false);
	fx.lock_off = true;
	both("status_unlocked", "status --cpu 0", 0, false);
}

static void test_stats(void **state)
{
	(void)state;
	both("stats", "stats", 0, false);
	fx.old_stats = true;
	both("stats_v1", "stats --cpu 0", 0, false);
}

static void test_stats_interval(void **state)
{
	(void)state;
	both("stats_interval", "stats --interval 0.01 --count 2", 0, true);
}

static void test_vmcs(void **state)
{
	(void)state;
	both("vmcs", "vmcs", 0, false);
	both("vmcs_check", "vmcs --check", 1, false);
}

static void test_log(void **state)
{
	(void)state;
	both("log", "log", 0, false);
	both("log_follow", "log -f --timeout 0.05", 0, true);
}

static void test_events(void **state)
{
	(void)state;
	both("events", "events", 0, false);
	both("events_follow", "watch events -f --timeout 0.05", 0, true);
}

/*
 * `watch events` without -f ends even while a CPU records as fast as the tool reads
 * (it used to read on for as long as the ring was full after a read: for ever, with
 * a hot watched page); with -f it goes on until its timeout.
 */
static void test_events_hot_page(void **state)
{
	char *out;

	(void)state;
	fx.events_endless = true;
	assert_int_equal(run("watch events --cpu 0", &out), 0);
	assert_int_equal(fx.events_calls[0], 8);
	free(out);
	fx.events_calls[0] = 0;
	assert_int_equal(run("watch events --cpu 0 -f --timeout 0.05", &out), 0);
	assert_true(fx.events_calls[0] > 8);
	free(out);
}

static void test_watch_ept(void **state)
{
	(void)state;
	both("watch_list", "watch list", 0, false);
	both("protect_list", "protect list", 0, false);
	both("ept", "ept 0x1000", 0, false);
}

static void test_attach_lock(void **state)
{
	(void)state;
	both("attach", "attach", 0, false);
	both("detach", "detach", 0, false);
	both("lock", "lock", 0, false);
}

static void test_caps(void **state)
{
	(void)state;
	both("caps", "caps", 0, false);
	fx.no_module = true;
	fx.check_differs = true;
	both("caps_msr", "caps", 0, false);
}

static void test_check(void **state)
{
	(void)state;
	fx.no_module = true;
	both("check_ok", "check", 0, false);

	fx.check_ncpu = 3;
	fx.check_differs = true;
	fx.check_err[2] = -ENODEV;
	fx.caps.feature_control = FEATURE_CONTROL_LOCKED;	/* VMX off in the firmware */
	fake_sysroot_put_str("/sys/module/kvm_intel/parameters/nested", "Y\n");
	fake_sysroot_put_str("/sys/module/kvm/parameters/enable_virt_at_load", "Y\n");
	fake_sysroot_put_str("/sys/module/vboxdrv/refcnt", "0\n");
	fake_sysroot_put_str("/sys/module/module/parameters/sig_enforce", "Y\n");
	both("check_blocked", "check", 1, false);

	fake_sysroot_put_str("/sys/module/subzero/version", "0.2\n");
	both("check_loaded", "check", 0, false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats_interval, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vmcs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log, setup, teardown),
		cmocka_unit_test_setup_teardown(test_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_events_hot_page, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watch_ept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attach_lock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_caps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check, setup, teardown),
	};

	return cmocka_run_group_tests_name("tool_output", tests, NULL, NULL);
}
