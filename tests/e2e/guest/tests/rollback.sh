# A failure on CPU 1 (test parameter) rolls CPU 0 back; the load fails cleanly; the next
# load succeeds.
dmesg -c > /dev/null
set +e
out=$(modload "$SZ_KO" fail_on_cpu=1 2>&1); rc=$?
set -e
[ "$rc" != 0 ] || fail "the load succeeded despite fail_on_cpu=1"
dmesg | grep -q 'CPU 1: failing on purpose' || fail "no failure reported for CPU 1"
dmesg | grep -q 'subzero: not loading: virtualizing the CPUs failed' || fail "no rollback message"
dmesg | grep -q 'subzero: CPU 0: devirtualized' || fail "CPU 0 was not rolled back"
sz_loaded && fail "module stayed loaded"
on_cpu 0 cpuid-probe | grep -q signature=none || fail "CPU 0 still virtualized"
sz_load
on_cpu 1 cpuid-probe | grep -q signature=subzero || fail "CPU 1 not virtualized on the next load"
sz_unload
