# With the module not loaded, the tool says so plainly and exits 3.
sz_loaded && fail "subzero loaded before the test"
set +e
subzero caps > /tmp/out 2>&1; rc=$?
set -e
[ "$rc" = 3 ] || fail "exit status $rc, want 3"
grep -q 'subzero module is not loaded' /tmp/out || fail "message was: $(cat /tmp/out)"
