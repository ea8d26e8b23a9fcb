// SPDX-License-Identifier: GPL-2.0
/*
 * A fake / for the tool's system facts (fake_sysroot.h).  A failure to write it is the
 * test machine's, not the code under test's: it aborts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fake_sysroot.h"

static char root[32];

static void die(const char *what, const char *path)
{
	fprintf(stderr, "fake_sysroot: cannot %s %s%s\n", what, root, path);
	abort();
}

/* @path inside the root, its directories made. */
static const char *rooted(const char *path, char *p, size_t n)
{
	char *s;

	snprintf(p, n, "%s%s", root, path);
	for (s = strchr(p + strlen(root) + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = 0;
		mkdir(p, 0755);
		*s = '/';
	}
	return p;
}

void fake_sysroot_put(const char *path, const void *data, size_t len)
{
	char p[1024];
	FILE *f = fopen(rooted(path, p, sizeof(p)), "wb");

	if (!f || fwrite(data, 1, len, f) != len || fclose(f))
		die("write", path);
}

void fake_sysroot_put_str(const char *path, const char *text)
{
	fake_sysroot_put(path, text, strlen(text));
}

void fake_sysroot_link(const char *path, const char *target)
{
	char p[1024];

	if (symlink(target, rooted(path, p, sizeof(p))))
		die("link", path);
}

const char *fake_sysroot_create(void)
{
	strcpy(root, "/tmp/sz-sysroot-XXXXXX");
	if (!mkdtemp(root))
		die("make", "");
	fake_sysroot_put_str("/proc/cpuinfo", "processor\t: 0\nflags\t\t: fpu vme vmx pti\n");
	fake_sysroot_put_str("/sys/devices/system/cpu/vulnerabilities/meltdown",
			     "Mitigation: PTI\n");
	fake_sysroot_put_str("/sys/module/module/parameters/sig_enforce", "N\n");
	fake_sysroot_put_str("/sys/kernel/security/lockdown", "[none] integrity confidentiality\n");
	return root;
}

void fake_sysroot_remove(void)
{
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd))
		die("remove", "");
}
