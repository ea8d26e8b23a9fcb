// SPDX-License-Identifier: GPL-2.0
/*
 * kvm-hold: make KVM hold VMX, for the test of `subzero check` against KVM
 * (tool_check_kvm).  Creates one VM and keeps it until killed: a kernel whose KVM turns
 * VMX on only while a VM exists (before Linux 6.12, or kvm.enable_virt_at_load=0) has
 * CR4.VMXE set on every CPU for as long as this runs.
 *
 *   kvm-hold      prints "kvm-hold: VM created" once it holds the VM
 */
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(void)
{
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC), vm;

	if (kvm < 0) {
		perror("kvm-hold: /dev/kvm");
		return 1;
	}
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0) {
		perror("kvm-hold: KVM_CREATE_VM");
		return 1;
	}
	printf("kvm-hold: VM created\n");
	fflush(stdout);
	for (;;)
		pause();
}
