# A triple fault in the guest on CPU 0: subzero logs the exit, dumps the VMCS by group
# and stops CPU 0 (fail closed); CPU 1 goes on and shows the report.  CPU 0 does not
# come back, so this test stays on CPU 1 and leaves the module loaded.
taskset -p 2 $$ > /dev/null
taskset -p 2 1 > /dev/null
sz_load
touch /tmp/cpu_abandoned
dmesg -c > /dev/null
on_cpu 0 modload /e2e/sz_test.ko test=triple_fault > /dev/null 2>&1 &
found=
for i in $(seq 1 20); do
	sleep 0.5
	subzero stats --cpu 1 > /dev/null 2>&1	# any ioctl drains the log rings
	if dmesg | grep -q 'CPU 0: unhandled VM exit 2 (TRIPLE_FAULT)'; then
		found=1
		break
	fi
done
[ -n "$found" ] || fail "no fail-closed report for CPU 0: $(dmesg | grep subzero | tail -n 3 | tr '\n' ' ')"
dmesg | grep 'subzero: CPU 0' | head -n 3 | sed 's/^/  /'
for g in 'guest-state area' 'host-state area' 'VM-execution control fields' \
	 'VM-exit control fields' 'VM-entry control fields' 'VM-exit information fields'; do
	dmesg | grep -q "CPU 0 VMCS $g:" || fail "VMCS dump lacks the group '$g'"
done
# The dump shows the guest state that caused it: the empty IDT the test loaded.
dmesg | grep -qE ' GUEST_IDTR_LIMIT=0( |$)' || fail "the dump does not show GUEST_IDTR_LIMIT = 0"
on_cpu 1 cpuid-probe | grep -q signature=subzero || fail "CPU 1 is not virtualized any more"
