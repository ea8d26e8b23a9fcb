# `reboot -f` with subzero loaded: every CPU leaves VMX first (the reboot notifier; VMX
# blocks INIT, and a reset that goes through INIT would not reach a CPU still in it),
# the machine resets and boots again (the harness counts the boots), and subzero loads
# again on both CPUs.  The host check (host/reboot.py) finds the notifier's line on the
# console before the second boot: Bochs resets a CPU in VMX operation on a platform
# reset anyway, so the second boot alone would not show that VMX was left.
if [ "$E2E_PHASE" = 1 ]; then
	sz_load
	on_cpu 1 cpuid-probe | grep -q signature=subzero || fail "CPU 1 is not virtualized"
	dmesg -n 7		# the notifier's pr_info line to the console, for the host check
	e2e_resume_here
	echo "  rebooting with subzero loaded"
	serial_drain
	reboot -f
	sleep 60
	fail "reboot -f returned"
fi
[ "$(cat /sys/devices/system/cpu/online)" = 0-1 ] ||
	fail "after the reboot CPUs $(cat /sys/devices/system/cpu/online) are online, not 0-1"
sz_load
for c in 0 1; do
	on_cpu $c cpuid-probe | grep -q signature=subzero || fail "CPU $c not virtualized after the reboot"
done
sz_unload
