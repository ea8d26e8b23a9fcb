// SPDX-License-Identifier: GPL-2.0
/*
 * The hardware as the tool reads it without the module: CPUID on a chosen CPU (the
 * process pinned there) and its MSRs through the msr driver (/dev/cpu/N/msr, loaded
 * with modprobe if missing).  Backs tools/cpu/cpu_ops.h, so core/vmx_caps.c reads a
 * CPU's capabilities here exactly as the module reads them in the kernel.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cpuid.h>

#include "subzero.h"
#include "cpu.h"
#include "cpu/cpu_ops.h"
#include "vmx_caps.h"
#include "arch/x86.h"

static int msr_fd = -1;
static int msr_err;		/* the first failed read since cpu_select(), as -errno */
static bool modprobe_msr_done;	/* we loaded the msr module */

void cpu_cpuid(u32 leaf, u32 subleaf, u32 regs[4])
{
	__cpuid_count(leaf, subleaf, regs[0], regs[1], regs[2], regs[3]);
}

u64 cpu_rdmsr(u32 msr)
{
	u64 v = 0;

	if (pread(msr_fd, &v, sizeof(v), msr) != sizeof(v)) {
		if (!msr_err)
			msr_err = errno ? -errno : -EIO;	/* EIO: the MSR #GPs */
		return 0;
	}
	return v;
}

unsigned int cpu_count(void)
{
	long n = sysconf(_SC_NPROCESSORS_CONF);

	return n > 0 ? n : 1;
}

bool cpu_online(unsigned int cpu)
{
	char path[64];
	FILE *f;
	int c;

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%u/online", cpu);
	f = fopen(path, "r");
	if (!f)
		return cpu < cpu_count();	/* CPU 0 often has no such file */
	c = fgetc(f);
	fclose(f);
	return c == '1';
}

/* Run modprobe msr once; true if it exited 0. */
static bool modprobe_msr(void)
{
	static int tried, ok;
	int status;
	pid_t pid;

	if (tried)
		return ok;
	tried = 1;
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		if (null >= 0) {
			dup2(null, 1);
			dup2(null, 2);
		}
		execlp("modprobe", "modprobe", "msr", (char *)NULL);
		execl("/sbin/modprobe", "modprobe", "msr", (char *)NULL);
		_exit(127);
	}
	ok = pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	     !WEXITSTATUS(status);
	return ok;
}

const char *cpu_msr_loaded_by_us(void)
{
	static const char msg[] = "check loaded the msr module: modprobe msr";

	return modprobe_msr_done ? msg : NULL;
}

int cpu_select(unsigned int cpu)
{
	char path[64];
	cpu_set_t set;

	if (msr_fd >= 0)
		close(msr_fd);
	msr_fd = -1;
	msr_err = 0;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		return -EINVAL;		/* offline or no such CPU */
	snprintf(path, sizeof(path), "/dev/cpu/%u/msr", cpu);
	msr_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (msr_fd < 0 && errno == ENOENT && modprobe_msr()) {
		modprobe_msr_done = true;
		msr_fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	return msr_fd < 0 ? -errno : 0;
}

int cpu_msr_error(void)
{
	return msr_err;
}

int cpu_read_caps(unsigned int cpu, struct vmx_caps *c)
{
	int ret = cpu_select(cpu);
	u32 r[4];

	/* Without VMX there are no VMX MSRs to read: say that, not why we cannot. */
	if (ret != -EINVAL) {
		cpu_cpuid(1, 0, r);
		if (!(r[2] & X86_FEATURE_ECX_VMX))
			return -ENODEV;
	}
	if (ret)
		return ret;
	ret = vmx_caps_read(c);
	return ret ? ret : cpu_msr_error();
}

const char *cpu_err_str(int err)
{
	switch (-err) {
	case ENOENT: return "no /dev/cpu/N/msr: the msr module is missing and modprobe msr "
			    "failed (load it: modprobe msr)";
	case EACCES: case EPERM: return "permission denied reading /dev/cpu/N/msr: run as root";
	case EIO: return "an MSR could not be read (#GP)";
	case EINVAL: return "offline";
	case ENODEV: return "no VMX (CPUID.1:ECX.VMX = 0)";
	default: return strerror(-err);
	}
}
