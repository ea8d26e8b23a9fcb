// SPDX-License-Identifier: GPL-2.0
/*
 * kexec-file: what `kexec -s -l KERNEL --initrd=INITRD --command-line=CMDLINE` and then
 * `kexec -e` do, as a static program: kexec_file_load(2), then reboot(2) with
 * LINUX_REBOOT_CMD_KEXEC.  (Debian's kexec binary is linked against Xen's libraries,
 * which the busybox initramfs does not have; the two system calls are the same.)
 *
 *   kexec-file load KERNEL INITRD CMDLINE   load the new kernel; exit 0, else print why
 *   kexec-file crash KERNEL INITRD CMDLINE  load it as the crash kernel (kdump: a panic
 *                                            boots it; needs crashkernel=)
 *   kexec-file exec                          jump into it (returns only on failure)
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/reboot.h>
#include <stdio.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int kfd, ifd;

	if (argc == 5 && (!strcmp(argv[1], "load") || !strcmp(argv[1], "crash"))) {
		kfd = open(argv[2], O_RDONLY | O_CLOEXEC);
		ifd = open(argv[3], O_RDONLY | O_CLOEXEC);
		if (kfd < 0 || ifd < 0) {
			fprintf(stderr, "kexec-file: cannot open %s: %s\n",
				kfd < 0 ? argv[2] : argv[3], strerror(errno));
			return 1;
		}
		if (syscall(SYS_kexec_file_load, kfd, ifd, strlen(argv[4]) + 1, argv[4],
			    strcmp(argv[1], "crash") ? 0UL : 2UL /* KEXEC_FILE_ON_CRASH */)) {
			fprintf(stderr, "kexec-file: kexec_file_load: %s\n", strerror(errno));
			return 1;
		}
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "exec")) {
		sync();
		reboot(LINUX_REBOOT_CMD_KEXEC);
		fprintf(stderr, "kexec-file: reboot(KEXEC): %s\n", strerror(errno));
		return 1;
	}
	fprintf(stderr, "usage: kexec-file load|crash KERNEL INITRD CMDLINE | kexec-file exec\n");
	return 2;
}
