# On a CPU without VMX, one load attempt fails with ENODEV, logs one clear line, and
# leaves nothing behind.
grep -qw vmx /proc/cpuinfo && skip "this CPU has VMX"
dmesg -c > /dev/null
set +e
out=$(modload "$SZ_KO" 2>&1); rc=$?
set -e
[ "$rc" != 0 ] || fail "the load succeeded without VMX"
echo "$out" | grep -q "errno 19 " || fail "load failed with '$out', want ENODEV (19)"
# The kernel's own taint notices name the module too; they are not ours.
dmesg | grep 'subzero' | grep -v -e 'taints kernel' -e 'module verification failed' > /tmp/ours || true
lines=$(wc -l < /tmp/ours)
[ "$lines" = 1 ] || fail "want exactly one kernel log line, got $lines: $(cat /tmp/ours)"
grep -q 'subzero: no VMX on' /tmp/ours || fail "the line does not say VMX is missing: $(cat /tmp/ours)"
note "$(cat /tmp/ours)"
sz_loaded && fail "subzero in /proc/modules"
[ -e /dev/subzero ] && fail "/dev/subzero exists"
set +e
subzero status > /tmp/out 2>&1; rc=$?
set -e
[ "$rc" = 3 ] || fail "tool exit $rc without the module, want 3"
# `caps` reads the hardware without the module: it names what is missing.
set +e
subzero caps > /tmp/out 2>&1; rc=$?
set -e
[ "$rc" = 1 ] && grep -q 'caps: CPU 0: no VMX (CPUID.1:ECX.VMX = 0)' /tmp/out ||
	fail "caps without VMX: exit $rc: $(cat /tmp/out)"
