# `subzero log`: what the hypervisor logged in VMX root, with sequence numbers and TSC
# times, from the history the module keeps; -f follows new lines.
sz_load
subzero vmcs --cpu 1 > /dev/null || fail "vmcs --cpu 1 failed"
subzero log > /tmp/log1.txt || fail "log exited $?"
cat /tmp/log1.txt
grep -Eq '^#[0-9]+ \[ *[0-9]+\.[0-9]{6}\] CPU 1: VMCS snapshot, [0-9]+ fields not supported by the CPU$' /tmp/log1.txt ||
	fail "the snapshot on CPU 1 is not in the log"
subzero vmcs --cpu 0 > /dev/null || fail "vmcs --cpu 0 failed"
subzero log > /tmp/log2.txt
[ "$(grep -c 'VMCS snapshot' /tmp/log2.txt)" = 2 ] || fail "want 2 snapshot lines: $(cat /tmp/log2.txt)"
# sequence numbers count up by one from 0
awk '{ s = substr($1, 2) + 0; if (s != NR - 1) exit 1 }' /tmp/log2.txt || fail "sequence numbers not 0, 1, 2...: $(cat /tmp/log2.txt)"
# The same lines go to the kernel log at debug level (a routine line): not shown by
# default, shown once dynamic debug turns the module's debug lines on (at the end).
! dmesg | grep -q 'subzero: CPU 1: VMCS snapshot' || fail "a debug line is in the kernel log by default"

# -f shows the history, then what comes, until the timeout.
subzero log -f --timeout 4 > /tmp/follow.txt &
pid=$!
sleep 1
subzero vmcs --cpu 1 > /dev/null
set +e
wait $pid; rc=$?
set -e
[ "$rc" = 0 ] || fail "log -f --timeout 4 exited $rc"
cat /tmp/follow.txt
[ "$(grep -c 'VMCS snapshot' /tmp/follow.txt)" = 3 ] || fail "log -f did not show the new line"
# ... or until SIGINT, then exits 0; JSON lines as they come
subzero log -f --json > /tmp/follow.json &
pid=$!
sleep 1
kill -INT $pid
set +e
wait $pid; rc=$?
set -e
[ "$rc" = 0 ] || fail "log -f exited $rc after SIGINT"
[ "$(grep -c '"text": "CPU [01]: VMCS snapshot' /tmp/follow.json)" = 3 ] || fail "log -f --json: $(cat /tmp/follow.json)"
artifact follow.json /tmp/follow.json
subzero log --json > /tmp/log.json || fail "log --json exited $?"
artifact log.json /tmp/log.json
# the kernel log's copy of a routine line, with dynamic debug on: level 7
[ -f /sys/kernel/debug/dynamic_debug/control ] || mount -t debugfs none /sys/kernel/debug
echo 'module subzero +p' > /sys/kernel/debug/dynamic_debug/control || fail "dynamic debug"
subzero vmcs --cpu 1 > /dev/null
subzero log > /dev/null		# the next ioctl drains the line just logged
echo 'module subzero -p' > /sys/kernel/debug/dynamic_debug/control
dmesg -r | grep -qE '^<7>(\[[ 0-9.]+\] ?)?subzero: CPU 1: VMCS snapshot' ||
	fail "not in the kernel log at debug level: $(dmesg -r | grep 'VMCS snapshot')"
sz_unload
