# Tracepoints: watch events and the hypervisor's log lines reach the kernel's trace
# buffer (subzero:subzero_watch, subzero:subzero_log) through tracefs, from the
# periodic drain and from the tool's reads; reading them there takes nothing from
# `subzero watch events`.  Log lines go to the kernel log at their severity: a refusal
# as an error (<3>), rate-limited; routine lines at debug, which the kernel log shows
# only when dynamic debug turns them on, but which the trace and `subzero log` always
# have.
T=/sys/kernel/tracing
[ -d $T/events ] || mount -t tracefs nodev $T 2>/dev/null || true
[ -d $T/events ] || skip "no tracefs in this kernel"
sz_load
for e in subzero_watch subzero_log; do
	[ -f $T/events/subzero/$e/format ] || fail "no $T/events/subzero/$e: $(ls $T/events/subzero 2>&1)"
done
grep -q 'field:u64 gpa;' $T/events/subzero/subzero_watch/format || fail "subzero_watch has no gpa field"
echo > $T/trace
echo 1 > $T/events/subzero/enable

# Watch events: 25 writes on CPU 1, traced by the drain within its 200 ms period, with
# the tool not involved; still all there for `subzero watch events` afterwards.
dmesg -c > /dev/null
modload /e2e/sz_test.ko test=watch || fail "sz_test test=watch did not load"
data=$(dmesg | sed -n 's/.*sz_test: watch data pa=\([0-9a-f]*\).*/0x\1/p')
subzero watch add "$data" --access w || fail "watch add $data"
on_cpu 1 sh -c 'echo 25 > /sys/module/sz_test/parameters/writes' || fail "the writes failed"
sleep 1
pat="subzero_watch: cpu=1 watch -w- gpa=${data%???}[0-9a-f]{3} "
n=$(grep -cE "$pat" $T/trace || true)
[ "$n" = 25 ] || fail "25 writes, $n subzero_watch trace events: $(grep subzero_watch $T/trace | head -n 2)"
grep -E "$pat" $T/trace | head -n 1 | sed 's/^ */  trace: /'
[ "$(subzero watch events | grep -c .)" = 25 ] || fail "the trace took events from 'watch events'"
# Read by the tool at once (before the drain's next period): traced first, then taken.
on_cpu 1 sh -c 'echo 3 > /sys/module/sz_test/parameters/writes'
[ "$(subzero watch events | grep -c .)" = 3 ] || fail "3 more writes: not 3 events"
n=$(grep -cE "$pat" $T/trace || true)
[ "$n" = 28 ] || fail "28 writes, $n subzero_watch trace events after 'watch events'"
subzero watch del "$data"
rmmod sz_test

# A routine line (the VMCS snapshot's count): debug, so not in the kernel log, but in
# the trace (level 7) and in `subzero log`.
dmesg -c > /dev/null
subzero vmcs --cpu 1 > /dev/null || fail "vmcs --cpu 1"
subzero log > /dev/null		# the next ioctl drains the line just logged
grep -qE 'subzero_log: cpu=1 level=7 tsc=[0-9]+ CPU 1: VMCS snapshot' $T/trace ||
	fail "no level-7 subzero_log event for the snapshot: $(grep subzero_log $T/trace | tail -n 2)"
subzero log | grep -q 'CPU 1: VMCS snapshot' || fail "the snapshot line is not in 'subzero log'"
! dmesg | grep -q 'VMCS snapshot' || fail "a debug line is in the kernel log: $(dmesg | grep 'VMCS snapshot')"
# ... and there at debug level once dynamic debug turns the module's pr_debug on.
D=/sys/kernel/debug
[ -f $D/dynamic_debug/control ] || mount -t debugfs none $D 2>/dev/null || true
if [ -f $D/dynamic_debug/control ]; then
	echo 'module subzero +p' > $D/dynamic_debug/control
	subzero vmcs --cpu 1 > /dev/null
	subzero log > /dev/null
	dmesg -r | grep -qE '^<7>(\[[ 0-9.]+\] ?)?subzero: CPU 1: VMCS snapshot' ||
		fail "with dynamic debug on, no <7> line: $(dmesg -r | grep 'VMCS snapshot')"
	echo 'module subzero -p' > $D/dynamic_debug/control
fi

# A refusal is an error (<3>), in the trace at level 3, and rate-limited in the kernel
# log (a burst of 10 per 5 s): 15 failed attaches in a row (about 2 s of guest time)
# put 15 lines in the trace, but fewer in the kernel log, which then says how many it
# left out (all of them are in `subzero log`).
subzero detach > /dev/null
echo 1 > /sys/module/subzero/parameters/fail_on_cpu
sleep 6				# a fresh rate-limit interval
dmesg -c > /dev/null
echo > $T/trace
for i in $(seq 1 15); do
	subzero attach > /dev/null 2>&1 && fail "attach $i succeeded with fail_on_cpu=1"
done
echo -1 > /sys/module/subzero/parameters/fail_on_cpu
subzero log > /dev/null		# the last lines drained
n_trace=$(grep -c 'subzero_log: cpu=1 level=3 .*CPU 1: failing on purpose' $T/trace || true)
n_klog=$(dmesg -r | grep -cE '^<3>(\[[ 0-9.]+\] ?)?subzero: CPU 1: failing on purpose' || true)
[ "$n_trace" = 15 ] || fail "15 refusals, $n_trace level-3 trace events"
[ "$n_klog" -ge 1 ] && [ "$n_klog" -lt 15 ] || fail "15 refusals, $n_klog <3> lines in the kernel log (want 1..14)"
sleep 6				# the interval ends: the drain says what it left out
dmesg | grep -qE 'subzero: [0-9]+ hypervisor log lines not printed \(rate limit\)' ||
	fail "the kernel log does not say lines were left out: $(dmesg | grep subzero | tail -n 2)"
note "15 refusals: $n_trace traced, $n_klog in the kernel log at <3>; $(dmesg | grep -o '[0-9]* hypervisor log lines not printed.*')"
subzero attach > /dev/null || fail "attach after the failed ones"
echo 0 > $T/events/subzero/enable
sz_unload
