# With the module not loaded, every command that needs it says so plainly and exits 3.
# (`caps` and `check` read the hardware themselves: caps_match_msr, tool_check.)
sz_loaded && fail "subzero loaded before the test"
for cmd in status stats vmcs log "log -f" detach attach "ept 0x1000" "watch list" \
	"protect list" "watch events" "watch add 0x1000" "protect del 0x1000"; do
	set +e
	subzero $cmd > /tmp/out 2>&1; rc=$?
	set -e
	[ "$rc" = 3 ] || fail "'subzero $cmd': exit status $rc, want 3"
	grep -q 'subzero module is not loaded' /tmp/out || fail "'subzero $cmd' said: $(cat /tmp/out)"
done
