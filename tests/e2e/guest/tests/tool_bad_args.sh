# Usage errors exit 2 with a message, before touching the device.
sz_load
for args in "" "bogus" "caps --cpu" "caps --cpu x" "caps --cpu -1" "caps --frobnicate"; do
	set +e
	# shellcheck disable=SC2086
	subzero $args > /tmp/out 2>&1; rc=$?
	set -e
	[ "$rc" = 2 ] || fail "'subzero $args' exited $rc, want 2"
	[ -s /tmp/out ] || fail "'subzero $args' printed nothing"
done
subzero help | grep -q '^usage: subzero' || fail "help prints no usage"
sz_unload
