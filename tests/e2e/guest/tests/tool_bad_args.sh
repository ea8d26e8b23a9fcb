# Usage errors exit 2 with a message, before touching the device; a CPU that does not
# exist exits 1 and says so.
sz_load
while read -r args; do
	set +e
	# shellcheck disable=SC2086
	subzero $args > /tmp/out 2>&1; rc=$?
	set -e
	[ "$rc" = 2 ] || fail "'subzero $args' exited $rc, want 2"
	[ -s /tmp/out ] || fail "'subzero $args' printed nothing"
done <<'LIST'

bogus
statuss
caps --cpu
caps --cpu x
caps --cpu -1
caps --frobnicate
status --cpu
status --cpu 1x
status --interval 1
stats --cpu -3
stats --interval
stats --interval 0
stats --interval -1
stats --interval abc
stats --interval 0.001
stats --interval nan
stats --interval 1e9
stats --count 2
stats --interval 1 --count 0
stats --interval 1 --count x
vmcs --cpu
vmcs --follow
log --timeout 1
log -f --timeout 0
log -f --timeout x
log --cpu 0
detach --cpu 0
attach now
LIST
set +e
subzero stats --interval 0 > /tmp/out 2>&1
set -e
grep -q "bad interval '0'" /tmp/out || fail "bad interval not named: $(cat /tmp/out)"
for cmd in status stats vmcs caps; do
	set +e
	subzero $cmd --cpu 4096 > /tmp/out 2>&1; rc=$?
	set -e
	[ "$rc" = 1 ] || fail "'subzero $cmd --cpu 4096' exited $rc, want 1"
	grep -q 'no CPU 4096 (CPUs are 0-' /tmp/out || fail "$cmd --cpu 4096 said: $(cat /tmp/out)"
done
subzero help | grep -q '^usage: subzero' || fail "help prints no usage"
subzero help | grep -q '^  vmcs ' || fail "help does not list vmcs"
sz_unload
