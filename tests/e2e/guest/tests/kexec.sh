# kexec with subzero loaded: every CPU leaves VMX before the jump (the reboot
# notifier runs in kernel_kexec), so the new kernel finds plain CPUs: it runs outside
# any VMX, and INIT-SIPI brings CPU 1 up (a CPU left in VMX would take the INIT as a
# VM exit of a hypervisor that is gone).  The new kernel is the same bzImage, with this
# initramfs less the image; it resumes here with E2E_PHASE=2.
if [ "$E2E_PHASE" = 1 ]; then
	[ -f /e2e/vmlinuz ] || skip "no kernel image in the initramfs (scenario key kexec)"
	sz_load
	on_cpu 1 cpuid-probe | grep -q signature=subzero || fail "CPU 1 is not virtualized"
	(cd / && find . -xdev ! -path ./e2e/vmlinuz | cpio -o -H newc > /tmp/initrd2.cpio) 2>/dev/null ||
		fail "cannot make the new kernel's initramfs"
	expect kexec-file load /e2e/vmlinuz /tmp/initrd2.cpio "$(cat /proc/cmdline)"
	dmesg -n 7		# the notifier's pr_info line to the console, for the host check
	e2e_resume_here
	echo "  kexec into the same kernel with subzero loaded"
	serial_drain
	kexec-file exec
	fail "kexec returned"
fi
# Booted by kexec: no hypervisor under this kernel, and both CPUs came up.
grep -q hypervisor /proc/cpuinfo && fail "the new kernel runs under a hypervisor"
[ "$(cat /sys/devices/system/cpu/online)" = 0-1 ] ||
	fail "after kexec CPUs $(cat /sys/devices/system/cpu/online) are online, not 0-1"
sz_load
for c in 0 1; do
	on_cpu $c cpuid-probe | grep -q signature=subzero || fail "CPU $c not virtualized after kexec"
done
sz_unload
