// SPDX-License-Identifier: GPL-2.0
/*
 * `subzero log` (the hypervisor's log, once or followed) and `subzero detach` /
 * `subzero attach` (every CPU out of VMX and back, the module staying loaded).
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "subzero.h"

static void print_log_line(const struct subzero_log_line *l, const struct subzero_info *info)
{
	out_obj(NULL, OUT_INLINE);
	out_u64("seq", l->seq);
	out_u64("cpu", l->cpu);
	out_u64("tsc", l->tsc);
	out_double("time_s", tsc_seconds(l->tsc, info), 6);
	out_str("text", l->text);
	out_text("#{seq} [{time_s:12.6f}] {text}\n");
	out_end();
}

int cmd_log(int argc, char **argv)
{
	struct subzero_info info;
	struct subzero_log *lg;
	unsigned long long from = 0, lost = 0;
	double deadline = 0;
	unsigned int i;
	struct opts o;
	int fd, ret;

	fd = cmd_start("log", argc, argv, OPT_JSON | OPT_FOLLOW, 0, &o, &info);
	if (fd < 0)
		return o.rc;
	lg = malloc(sizeof(*lg));
	if (!lg) {
		ret = fail(EXIT_FAIL, "log: out of memory");
		goto out;
	}
	/* One JSON document, or with -f one JSON object per line as they come. */
	deadline = follow_start(&o);
	if (!o.follow) {
		out_obj(NULL, OUT_LINES);
		out_u64("tsc_khz", info.tsc_khz);
		out_arr("lines", OUT_LINES);
	}
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
			out_text("-- %llu older lines were overwritten --\n",
				 (unsigned long long)(lg->lines[0].seq - from));
		}
		for (i = 0; i < lg->nr_lines && i < SUBZERO_LOG_BATCH; i++)
			print_log_line(&lg->lines[i], &info);
		from = lg->next_seq;
		if (lg->nr_lines == SUBZERO_LOG_BATCH)
			continue;		/* there may be more at once */
		if (follow_over(&o, deadline))
			break;
		fflush(stdout);
		sleep_s(deadline && deadline - now_s() < 0.2 ? deadline - now_s() : 0.2);
	}
	if (!o.follow) {
		out_end();
		out_u64("next_seq", lg->next_seq);
		out_u64("oldest_seq", lg->oldest_seq);
		out_u64("lost", lost);
		out_end();
	}
	ret = EXIT_OK;
out:
	free(lg);
	close(fd);
	return ret;
}

/* argv[0] says which: "detach" or "attach". */
int cmd_detach_attach(int argc, char **argv)
{
	const char *cmd = argv[0];
	bool attach = !strcmp(cmd, "attach");
	struct subzero_attach a = { .size = sizeof(a) };
	struct subzero_info info;
	bool changed;
	struct opts o;
	int fd, ret;

	fd = cmd_start(cmd, argc, argv, OPT_JSON, 0, &o, &info);
	if (fd < 0)
		return o.rc;
	if (ioctl(fd, attach ? SUBZERO_IOC_ATTACH : SUBZERO_IOC_DETACH, &a)) {
		ret = attach ?
		      fail(EXIT_FAIL, "attach failed: %s; every CPU is back as it was (detached); "
			   "the kernel log says why", strerror(errno)) :
		      errno == EPERM ?
		      fail(EXIT_FAIL, "detach refused: subzero is locked until reboot") :
		      fail(EXIT_FAIL, "detach failed: %s: a CPU could not leave VMX (see the "
			   "kernel log)", strerror(errno));
		goto out;
	}
	changed = a.flags & SUBZERO_ATTACH_CHANGED;
	out_obj(NULL, OUT_INLINE);
	out_bool("attached", attach);
	out_bool_text("changed", changed, "", "already ");
	out_u64("nr_virtualized", a.nr_virtualized);
	if (attach)
		out_text("{changed}attached: {nr_virtualized} CPUs virtualized\n");
	else
		out_text("{changed}detached: no CPU in VMX; subzero stays loaded ('subzero attach' "
			 "goes back)\n");
	out_end();
	ret = EXIT_OK;
out:
	close(fd);
	return ret;
}
