# A guest triple fault on CPU 0 is an exit subzero cannot handle.  Failing closed must
# not hang the machine (a CPU halted in VMX root would hang every other CPU at the next
# IPI to it): CPU 0 dumps its VMCS by group, leaves VMX and panics with the exit's name
# on the console; kdump then boots the crash kernel this test loaded first, and the
# test resumes there.  The host check (host/triple_fault.py) reads the console of the
# first boot: the report, the dump, the panic naming the exit, in that order.
if [ "$E2E_PHASE" = 1 ]; then
	[ -f /e2e/vmlinuz ] || skip "no kernel image in the initramfs (scenario key kexec)"
	(cd / && find . -xdev ! -path ./e2e/vmlinuz | cpio -o -H newc > /tmp/initrd2.cpio) 2>/dev/null ||
		fail "cannot make the crash kernel's initramfs"
	expect kexec-file crash /e2e/vmlinuz /tmp/initrd2.cpio \
		"$(sed 's/crashkernel=[^ ]*//' /proc/cmdline) nr_cpus=1 reset_devices"
	rm -f /tmp/initrd2.cpio
	taskset -p 2 $$ > /dev/null
	taskset -p 2 1 > /dev/null
	sz_load
	e2e_resume_here
	on_cpu 0 modload /e2e/sz_test.ko test=triple_fault > /dev/null 2>&1 &
	# CPU 1 goes on until the panic stops it.
	for i in $(seq 1 60); do
		sleep 0.5
	done
	fail "no panic within 30 s of the triple fault"
fi
grep -q 'reset_devices' /proc/cmdline || fail "the second boot is not the crash kernel"
note "the crash kernel booted after the fail-closed panic (kdump)"
