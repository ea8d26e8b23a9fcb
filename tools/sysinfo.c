// SPDX-License-Identifier: GPL-2.0
/*
 * What `subzero check` asks of the running system besides the CPUs: whether subzero
 * or KVM is loaded and KVM has VMs (which hold VMX), Secure Boot, lockdown and module
 * signing, and the kernel features that matter (PTI, IBT, FRED).  Facts only; check.c
 * judges them.
 */
#include <dirent.h>
#include <string.h>
#include <unistd.h>

#include "subzero.h"
#include "sysinfo.h"

const char *sysinfo_root = "";

/* @path (absolute) under sysinfo_root; valid until the next call. */
static const char *rooted(const char *path)
{
	static char buf[1024];

	snprintf(buf, sizeof(buf), "%s%s", sysinfo_root, path);
	return buf;
}

/* The first line of @path into @buf (newline dropped); false if it cannot be read. */
static bool read_line(const char *path, char *buf, size_t n)
{
	FILE *f = fopen(rooted(path), "r");
	bool ok;

	if (!f)
		return false;
	ok = fgets(buf, n, f) != NULL;
	fclose(f);
	if (ok)
		buf[strcspn(buf, "\n")] = 0;
	return ok;
}

static bool exists(const char *path)
{
	return !access(rooted(path), F_OK);
}

/* Is @flag among the first CPU's flags in /proc/cpuinfo? */
static bool cpu_flag(const char *flag)
{
	char line[4096] = "", want[64];
	bool found = false;
	FILE *f;

	f = fopen(rooted("/proc/cpuinfo"), "r");
	while (f && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "flags", 5)) {
			found = true;
			break;
		}
	}
	if (f)
		fclose(f);
	if (!found)
		return false;
	line[strcspn(line, "\n")] = ' ';
	snprintf(want, sizeof(want), " %s ", flag);
	return strstr(line, want) != NULL;
}

/* "on", "off", or "unknown": Secure Boot from the EFI variable SecureBoot-<GUID>. */
static const char *secure_boot(void)
{
	const char *dir = "/sys/firmware/efi/efivars";
	unsigned char v[5];
	char path[512];
	struct dirent *e;
	const char *ret = "unknown";
	DIR *d;
	FILE *f;

	if (!exists("/sys/firmware/efi"))
		return "off";			/* not booted with UEFI */
	d = opendir(rooted(dir));
	while (d && (e = readdir(d))) {
		if (strncmp(e->d_name, "SecureBoot-", 11))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		f = fopen(rooted(path), "rb");	/* 4 bytes of attributes, then the value */
		if (f && fread(v, 1, 5, f) == 5)
			ret = v[4] ? "on" : "off";
		if (f)
			fclose(f);
		break;
	}
	if (d)
		closedir(d);
	return ret;
}

/* The lockdown mode in brackets in /sys/kernel/security/lockdown, or NULL. */
static const char *lockdown(char *buf, size_t n)
{
	char line[128], *a, *b;

	if (!read_line("/sys/kernel/security/lockdown", line, sizeof(line)))
		return NULL;
	a = strchr(line, '[');
	b = a ? strchr(a, ']') : NULL;
	if (!b)
		return NULL;
	*b = 0;
	snprintf(buf, n, "%s", a + 1);
	return buf;
}

/* How many KVM VMs are open (file descriptors of anon_inode:kvm-vm), in any process. */
static unsigned int kvm_vms(void)
{
	char path[600], target[64];
	struct dirent *p, *fd;
	unsigned int n = 0;
	DIR *proc, *fds;
	ssize_t len;

	proc = opendir(rooted("/proc"));
	while (proc && (p = readdir(proc))) {
		if (p->d_name[0] < '0' || p->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/fd", p->d_name);
		fds = opendir(rooted(path));
		while (fds && (fd = readdir(fds))) {
			snprintf(path, sizeof(path), "/proc/%s/fd/%s", p->d_name, fd->d_name);
			len = readlink(rooted(path), target, sizeof(target) - 1);
			if (len > 0) {
				target[len] = 0;
				n += !strcmp(target, "anon_inode:kvm-vm");
			}
		}
		if (fds)
			closedir(fds);
	}
	if (proc)
		closedir(proc);
	return n;
}


void check_system(struct sys_check *s)
{
	char v[8];

	s->subzero_loaded = exists("/sys/module/subzero");
	s->kvm_intel = exists("/sys/module/kvm_intel");
	s->other_hv = exists("/sys/module/vboxdrv") || exists("/sys/module/vmmon");
	/* Linux 6.12+: KVM turns VMX on when it loads, unless kvm.enable_virt_at_load=0 */
	s->virt_at_load = read_line("/sys/module/kvm/parameters/enable_virt_at_load", v,
				    sizeof(v)) && v[0] == 'Y';
	s->vms = s->kvm_intel ? kvm_vms() : 0;
	s->secure_boot = secure_boot();
	s->lockdown = lockdown(s->lockdown_buf, sizeof(s->lockdown_buf));
	s->sig_enforce = read_line("/sys/module/module/parameters/sig_enforce", s->sig_buf,
				   sizeof(s->sig_buf)) ? s->sig_buf : NULL;
	if (!read_line("/sys/devices/system/cpu/vulnerabilities/meltdown", s->meltdown,
		       sizeof(s->meltdown)))
		snprintf(s->meltdown, sizeof(s->meltdown), "unknown");
	s->pti = cpu_flag("pti") || strstr(s->meltdown, "PTI");
	s->ibt = cpu_flag("ibt");
	s->fred = cpu_flag("fred");
}
