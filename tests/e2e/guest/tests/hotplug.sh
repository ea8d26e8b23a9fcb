# CPU 1 going offline is devirtualized first; coming back online it is virtualized.
[ -w /sys/devices/system/cpu/cpu1/online ] || skip "CPU 1 cannot go offline"
sz_load
dmesg -c > /dev/null
echo 0 > /sys/devices/system/cpu/cpu1/online || fail "offlining CPU 1 failed"
dmesg | grep -q 'subzero: CPU 1: devirtualized' || fail "CPU 1 not devirtualized on offline"
subzero stats --cpu 1 | grep -q '^CPU 1: not virtualized' || fail "stats still shows CPU 1 virtualized"
subzero status | grep -q '^CPU 1: not virtualized (offline)$' || fail "status does not show CPU 1 offline"
set +e
subzero vmcs --cpu 1 > /tmp/out 2>&1; rc=$?
set -e
[ "$rc" = 1 ] && grep -q 'CPU 1 is not virtualized' /tmp/out || fail "vmcs of offline CPU 1: $rc $(cat /tmp/out)"
echo 1 > /sys/devices/system/cpu/cpu1/online || fail "onlining CPU 1 failed"
subzero stats --cpu 1 | grep -q '^CPU 1: virtualized' || fail "CPU 1 not virtualized after online"
on_cpu 1 cpuid-probe | grep -q signature=subzero || fail "CPU 1 CPUID has no signature"
sz_unload
