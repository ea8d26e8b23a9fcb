// SPDX-License-Identifier: GPL-2.0
/*
 * ioctl-probe: throw malformed requests at /dev/subzero and check each gets the errno
 * the ABI promises, then check who may open the device at all.  Prints one line per
 * case; exits 1 on the first wrong answer.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>

#include "uapi/subzero.h"

static int fd;

static void want(const char *what, int ret, int err)
{
	int got = ret < 0 ? errno : 0;

	if (got != err) {
		printf("FAIL %s: got %s, want %s\n", what, got ? strerror(got) : "success",
		       err ? strerror(err) : "success");
		exit(1);
	}
	printf("ok   %s: %s\n", what, err ? strerror(err) : "success");
}

/* Root without CAP_SYS_ADMIN: the node's mode lets it in, open() must not. */
static void drop_sys_admin(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &h, d)) {
		printf("FAIL capget: %s\n", strerror(errno));
		exit(1);
	}
	d[CAP_SYS_ADMIN / 32].effective &= ~(1U << (CAP_SYS_ADMIN % 32));
	if (syscall(SYS_capset, &h, d)) {
		printf("FAIL capset: %s\n", strerror(errno));
		exit(1);
	}
	want("open without CAP_SYS_ADMIN", open(SUBZERO_DEVICE, O_RDWR), EPERM);
}

/* An unprivileged user: the 0600 node keeps it out. */
static void become_nobody(void)
{
	if (setgid(65534) || setuid(65534)) {
		printf("FAIL setuid: %s\n", strerror(errno));
		exit(1);
	}
	want("open as uid 65534", open(SUBZERO_DEVICE, O_RDWR), EACCES);
}

/* Run fn in a child process; 0 if it exited 0. */
static int child(void (*fn)(void))
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		fn();
		exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 1;
	return !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int main(void)
{
	struct subzero_info info;
	struct subzero_caps caps;
	char big[4096];

	fd = open(SUBZERO_DEVICE, O_RDWR);
	if (fd < 0) {
		printf("FAIL open %s: %s\n", SUBZERO_DEVICE, strerror(errno));
		return 1;
	}
	want("unknown ioctl number", ioctl(fd, _IO(SUBZERO_IOC_MAGIC, 0x7f)), ENOTTY);
	want("foreign ioctl magic", ioctl(fd, _IOR('T', 0x01, int)), ENOTTY);

	memset(&info, 0, sizeof(info));
	want("INFO with size 0", ioctl(fd, SUBZERO_IOC_INFO, &info), EINVAL);
	info.size = sizeof(info) - 8;
	want("INFO with a short size", ioctl(fd, SUBZERO_IOC_INFO, &info), EINVAL);
	info.size = sizeof(info) + 8;
	want("INFO with an oversized size", ioctl(fd, SUBZERO_IOC_INFO, &info), EINVAL);
	want("INFO with a NULL pointer", ioctl(fd, SUBZERO_IOC_INFO, NULL), EFAULT);
	want("INFO with a wild pointer", ioctl(fd, SUBZERO_IOC_INFO, (void *)8), EFAULT);
	want("INFO with a kernel pointer",
	     ioctl(fd, SUBZERO_IOC_INFO, (void *)0xffffffff81000000UL), EFAULT);
	info.size = sizeof(info);
	want("INFO", ioctl(fd, SUBZERO_IOC_INFO, &info), 0);
	if (info.abi_version != SUBZERO_ABI_VERSION || info.nr_cpu_ids < 1) {
		printf("FAIL INFO answered abi %u, %u CPUs\n", info.abi_version, info.nr_cpu_ids);
		return 1;
	}

	memset(&caps, 0, sizeof(caps));
	caps.size = sizeof(caps);
	caps.cpu = info.nr_cpu_ids;
	want("GET_CAPS for CPU nr_cpu_ids", ioctl(fd, SUBZERO_IOC_GET_CAPS, &caps), EINVAL);
	caps.cpu = 0xffffffff;
	want("GET_CAPS for CPU 0xffffffff", ioctl(fd, SUBZERO_IOC_GET_CAPS, &caps), EINVAL);
	caps.cpu = 0;
	caps.size = 1;
	want("GET_CAPS with size 1", ioctl(fd, SUBZERO_IOC_GET_CAPS, &caps), EINVAL);
	memset(big, 0xff, sizeof(big));
	want("GET_CAPS with all-ones input", ioctl(fd, SUBZERO_IOC_GET_CAPS, big), EINVAL);
	caps.size = sizeof(caps);
	want("GET_CAPS for CPU 0", ioctl(fd, SUBZERO_IOC_GET_CAPS, &caps), 0);
	if (caps.basic == 0 || caps.cpu != 0) {
		printf("FAIL GET_CAPS answered cpu %u basic %#llx\n", caps.cpu,
		       (unsigned long long)caps.basic);
		return 1;
	}
	close(fd);

	if (child(drop_sys_admin) || child(become_nobody))
		return 1;
	return 0;
}
