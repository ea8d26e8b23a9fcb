// SPDX-License-Identifier: GPL-2.0
/*
 * What every command that talks to the module shares: opening /dev/subzero and
 * checking its ABI, the CPU range, the module's version, and the clock and signal
 * handling of the follow (-f) and interval modes.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "subzero.h"

int open_device(void)
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

int get_info(int fd, struct subzero_info *info)
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

int cmd_start(const char *cmd, int argc, char **argv, unsigned int allowed, int max_args,
	      struct opts *o, struct subzero_info *info)
{
	if (parse_opts(cmd, argc, argv, allowed, max_args, o))
		return -1;
	return device_start(cmd, o, info);
}

int device_start(const char *cmd, struct opts *o, struct subzero_info *info)
{
	int fd, ret;

	fd = open_device();
	if (fd < 0) {
		o->rc = -fd;
		return -1;
	}
	ret = get_info(fd, info);
	if (!ret && o->one && o->cpu >= info->nr_cpu_ids)
		ret = fail(EXIT_FAIL, "%s: no CPU %u (CPUs are 0-%u)", cmd, o->cpu,
			   info->nr_cpu_ids - 1);
	if (ret) {
		close(fd);
		o->rc = ret;
		return -1;
	}
	o->first = o->one ? o->cpu : 0;
	o->end = o->one ? o->cpu + 1 : info->nr_cpu_ids;
	return fd;
}

const char *module_version(char *buf, size_t n)
{
	FILE *f = fopen("/sys/module/subzero/version", "r");

	if (!f)
		return NULL;
	if (!fgets(buf, n, f))
		buf[0] = 0;
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return buf[0] ? buf : NULL;
}

volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

void catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };	/* no SA_RESTART */

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

double follow_start(const struct opts *o)
{
	if (!o->follow)
		return 0;
	catch_signals();
	return o->timeout ? now_s() + o->timeout : 0;
}

bool follow_over(const struct opts *o, double deadline)
{
	return !o->follow || stop || (deadline && now_s() >= deadline);
}

double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Sleep @s seconds, or less if a signal asks us to stop. */
void sleep_s(double s)
{
	double end = now_s() + s, left;
	struct timespec ts;

	while (!stop && (left = end - now_s()) > 0) {
		ts.tv_sec = (time_t)left;
		ts.tv_nsec = (long)((left - ts.tv_sec) * 1e9);
		nanosleep(&ts, NULL);
	}
}

double tsc_seconds(unsigned long long cycles, const struct subzero_info *info)
{
	return info->tsc_khz ? cycles / (info->tsc_khz * 1000.0) : 0;
}
