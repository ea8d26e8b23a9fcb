# A user other than root gets exit code 4 and a plain "needs root", from every command;
# the module's own check (CAP_SYS_ADMIN) holds even when the node's mode lets them in.
sz_load
[ "$(as-user id -u)" = 1000 ] || fail "as-user did not become uid 1000"
as_user_denied() {
	for cmd in status stats vmcs log detach attach caps check; do
		set +e
		as-user subzero $cmd > /tmp/out 2>&1; rc=$?
		set -e
		[ "$rc" = 4 ] || fail "$1: 'subzero $cmd' as uid 1000 exited $rc, want 4: $(cat /tmp/out)"
		grep -q 'permission denied: subzero needs root' /tmp/out || fail "$1: $cmd said: $(cat /tmp/out)"
	done
}
as_user_denied "mode 0600"
chmod 666 /dev/subzero
as_user_denied "mode 0666"
chmod 600 /dev/subzero
subzero status | grep -q '^subzero: attached' || fail "a refused detach detached"
sz_unload
