# Usage errors exit 2 with a message and a short usage line on stderr (nothing on
# stdout), before touching the device; a CPU that does not exist exits 1 and says so.
# `help CMD` and `CMD --help` print that command's help on stdout and exit 0;
# --opt=value works; --version gives the tool's, the module's and the ABI's versions.
sz_load
while read -r args; do
	set +e
	# shellcheck disable=SC2086
	subzero $args > /tmp/out 2>&1; rc=$?
	set -e
	[ "$rc" = 2 ] || fail "'subzero $args' exited $rc, want 2"
	[ -s /tmp/out ] || fail "'subzero $args' printed nothing"
	set +e
	# shellcheck disable=SC2086
	subzero $args > /tmp/stdout 2> /tmp/stderr
	set -e
	[ -s /tmp/stdout ] && fail "'subzero $args' printed on stdout: $(head -n 2 /tmp/stdout)"
	grep -q '^usage: subzero ' /tmp/stderr || fail "'subzero $args': no usage line on stderr"
	[ "$(wc -l < /tmp/stderr)" -le 7 ] || fail "'subzero $args': usage is not short"
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
check --cpu 0
check now
ept
ept 0x1000 0x2000
watch
watch frob
watch add
watch add 0x1000 --access q
protect add 0x1000 --access w
help bogus
help stats vmcs
--version now
stats --interval=0
caps --cpu=x
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
# Every command the dispatch table lists has its own help, both ways, on stdout.
subzero help | sed -n 's/^  \([a-z]*\).*/\1/p' > /tmp/commands
[ "$(wc -l < /tmp/commands)" -ge 11 ] || fail "help lists $(wc -l < /tmp/commands) commands"
for cmd in $(cat /tmp/commands); do
	for how in "help $cmd" "$cmd --help" "$cmd -h"; do
		# shellcheck disable=SC2086
		subzero $how > /tmp/out 2> /tmp/err || fail "'subzero $how' exited $?"
		grep -q "^usage: subzero $cmd" /tmp/out || fail "'subzero $how': $(head -n 1 /tmp/out)"
		[ -s /tmp/err ] && fail "'subzero $how' wrote to stderr: $(cat /tmp/err)"
	done
done
artifact commands /tmp/commands
# --opt=value is --opt value.
subzero stats --cpu=1 > /tmp/a || fail "stats --cpu=1 exited $?"
[ "$(grep -c '^CPU ' /tmp/a)" = 1 ] && grep -q '^CPU 1: ' /tmp/a || fail "stats --cpu=1: $(head -n 1 /tmp/a)"
subzero stats --interval=0.1 --count=1 --cpu=0 > /tmp/a || fail "stats --interval=0.1 exited $?"
grep -q '^--- interval 1 (0.100 s)$' /tmp/a || fail "--interval=0.1: $(head -n 1 /tmp/a)"
# --version: the tool's, and the loaded module's (same release), both with ABI 2.
subzero --version > /tmp/v || fail "--version exited $?"
sed 's/^/  /' /tmp/v
tv=$(sed -n 's/^subzero tool \([^,]*\), ABI 2$/\1/p' /tmp/v)
[ -n "$tv" ] || fail "--version: no tool version: $(head -n 1 /tmp/v)"
[ "$(cat /sys/module/subzero/version)" = "$tv" ] || fail "module version $(cat /sys/module/subzero/version), tool $tv"
grep -q "^module: $tv, ABI 2$" /tmp/v || fail "--version: module line: $(tail -n 1 /tmp/v)"
sz_unload
subzero --version > /tmp/v || fail "--version without the module exited $?"
grep -q '^module: not loaded$' /tmp/v || fail "--version without the module: $(cat /tmp/v)"
