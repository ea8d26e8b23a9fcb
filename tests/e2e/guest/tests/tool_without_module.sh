# With the module not loaded, every command says so plainly and exits 3.
sz_loaded && fail "subzero loaded before the test"
for cmd in caps status stats vmcs log "log -f" detach attach; do
	set +e
	subzero $cmd > /tmp/out 2>&1; rc=$?
	set -e
	[ "$rc" = 3 ] || fail "'subzero $cmd': exit status $rc, want 3"
	grep -q 'subzero module is not loaded' /tmp/out || fail "'subzero $cmd' said: $(cat /tmp/out)"
done
