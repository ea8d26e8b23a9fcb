# Shared helpers for in-guest tests (busybox sh).
#
# A test is /e2e/tests/NAME.sh, run in its own shell.  It passes by exiting 0, fails by
# calling `fail "why"` (or exiting non-zero), and skips with `skip "why"`.  The runner
# prints `PASS NAME`, `FAIL NAME: why` or `SKIP NAME: why`, and fails any test during
# which the kernel logged an Oops, BUG, WARNING, panic, lockdep or hung-task report.

SZ_KO=/e2e/subzero.ko
# Every load of subzero.ko gets these parameters: the VM-entry checker before every VM
# entry, so a VMCS that breaks a rule of SDM Vol. 3C chapter 27 fails the test in which
# it happened (its "broken VM-entry rule" line is in KLOG_BAD), even where the emulator
# would accept it.  A test that must measure without it sets SZ_PARAMS= (bench).
SZ_PARAMS=${SZ_PARAMS-entry_checks=1}

fail() { echo "$*" > /tmp/why; exit 1; }
skip() { echo "$*" > /tmp/why; exit 77; }
note() { echo "  $*"; }

# expect CMD...: run it, fail the test if it fails (with its output as the reason).
expect() {
	out=$("$@" 2>&1) || fail "'$*' failed: $(echo "$out" | tail -n 3 | tr '\n' ' ')"
}

# expect_fail CMD...: the command must fail.
expect_fail() {
	out=$("$@" 2>&1) && fail "'$*' succeeded but must fail"
	return 0
}

# insmod and modload of subzero.ko add $SZ_PARAMS (modload takes one parameter string).
insmod() {
	if [ "$1" = "$SZ_KO" ]; then command insmod "$@" $SZ_PARAMS; else command insmod "$@"; fi
}
modload() {
	if [ "$1" = "$SZ_KO" ] && [ -n "$SZ_PARAMS" ]; then
		command modload "$1" "$SZ_PARAMS${2:+ $2}"
	else
		command modload "$@"
	fi
}
sz_load() { insmod "$SZ_KO" "$@" || fail "insmod subzero.ko $* failed"; }
sz_unload() { rmmod subzero || fail "rmmod subzero failed"; }
sz_loaded() { grep -q '^subzero ' /proc/modules; }

# Run CMD on one CPU: busybox has taskset.
on_cpu() { cpu=$1; shift; taskset -c "$cpu" "$@"; }

# Emit a file for the host: the harness stores it under the scenario's artifacts/ and a
# host-side check (tests/e2e/host/NAME.py) may inspect it.
artifact() {
	echo "=== ARTIFACT $1 BEGIN"
	cat "$2"
	echo "=== ARTIFACT $1 END"
}

KLOG_BAD='broken VM-entry rule|Oops|BUG:|WARNING:|Kernel panic|kernel BUG|general protection fault|possible circular locking|possible recursive locking|inconsistent lock state|INFO: task .* blocked for more than|Call Trace:|double fault|stack segment|invalid opcode:'

# Bochs' own defect, not ours: on its Skylake-X and Cannon Lake models the XSAVE area
# size CPUID reports does not match the sum of the components it reports, and the kernel
# warns once at boot (paranoid_xstate_size_valid).  Only that exact warning block, from
# its 'cut here' line to its end-of-trace line, is taken out of what is judged; it is
# counted (/tmp/quirks) and shown.
emulator_quirks() {
	awk '
	function flush(keep) { for (j = 0; j < n; j++) if (keep) print buf[j]; n = 0; inblk = 0 }
	/------------\[ cut here \]------------/ { flush(1); inblk = 1 }
	inblk {
		buf[n++] = $0
		if (n == 2 && $0 !~ /XSAVE consistency problem: size [0-9]+ != kernel_size [0-9]+$/) flush(1)
		else if (n == 3 && $0 !~ /WARNING: CPU: [0-9]+ PID: [0-9]+ at arch\/x86\/kernel\/fpu\/xstate\.c:[0-9]+ paranoid_xstate_size_valid\+/) flush(1)
		else if ($0 ~ /---\[ end trace [0-9a-f]+ \]---/) {
			print "emulator quirk: " buf[1] > "/tmp/quirks"; flush(0)
		}
		next
	}
	{ print }
	END { flush(1) }' "$1" > "$1.q" && mv "$1.q" "$1"
}

# Print kernel log lines that match a problem; returns 0 if there were any.
klog_problems() {
	dmesg -c > /tmp/klog.new 2>/dev/null
	cat /tmp/klog.new >> /tmp/klog.all
	emulator_quirks /tmp/klog.new
	grep -E "$KLOG_BAD" /tmp/klog.new > /tmp/klog.bad || return 1
	return 0
}

# A test that resets the machine (reboot, kexec, a panic that reboots) is resumed at the
# next boot: before the reset it calls e2e_resume_here, which stores its number in the
# list (1-based) in CMOS byte 0x7e (kept across resets and kexec; the BIOS leaves it
# alone).  The next boot skips the tests before it and runs it again with E2E_PHASE=2;
# the harness counts the boots (scenario key "boots").
CMOS_RESUME=126
cmos_get() {
	printf "\\$(printf %03o "$1")" | dd of=/dev/port bs=1 seek=112 count=1 conv=notrunc 2>/dev/null
	dd if=/dev/port bs=1 skip=113 count=1 2>/dev/null | od -An -tu1 | tr -d ' \n'
}
cmos_set() {
	printf "\\$(printf %03o "$1")" | dd of=/dev/port bs=1 seek=112 count=1 conv=notrunc 2>/dev/null
	printf "\\$(printf %03o "$2")" | dd of=/dev/port bs=1 seek=113 count=1 conv=notrunc 2>/dev/null
}
e2e_resume_here() {
	cmos_set $CMOS_RESUME "$E2E_TEST_NR"
	[ "$(cmos_get $CMOS_RESUME)" = "$E2E_TEST_NR" ] || fail "cannot store the resume mark in CMOS"
}

run_test() {
	t=$1
	rm -f /tmp/why
	dmesg -c >> /tmp/klog.all 2>/dev/null
	if [ ! -f "/e2e/tests/$t.sh" ]; then
		echo "FAIL $t: no such test"
		return
	fi
	echo "--- $t uptime=$(cut -d" " -f1 /proc/uptime)"
	(cd /tmp && E2E_TEST_NR=$2 E2E_PHASE=$3 sh -e -c ". /e2e/lib.sh; . /e2e/tests/$t.sh")
	rc=$?
	why=$(cat /tmp/why 2>/dev/null)
	# A test that failed half-way may leave the module loaded: the next one starts clean.
	# (Not after a test that stopped a CPU for good: unloading would wait for it.)
	# Busy loops a test started in the background must not outlive it (they would
	# slow every later test down).
	pkill -f 'while :; do' 2>/dev/null
	grep -q '^sz_test ' /proc/modules && rmmod sz_test 2>/dev/null
	if sz_loaded && [ ! -f /tmp/cpu_abandoned ]; then
		rmmod subzero 2>/dev/null || echo "--- $t left subzero loaded and rmmod failed"
	fi
	if klog_problems; then
		echo "--- kernel log during $t:"
		tail -n 40 /tmp/klog.new
		[ "$rc" = 0 ] && rc=1 && why="kernel reported: $(head -n 1 /tmp/klog.bad)"
	fi
	case $rc in
	0) echo "PASS $t" ;;
	77) echo "SKIP $t: ${why:-skipped}" ;;
	*) echo "FAIL $t: ${why:-exit status $rc}" ;;
	esac
}

# Wait until the UART has sent what the tty layer holds: power-off does not wait.
serial_drain() {
	prev=-1
	for _ in $(seq 1 200); do
		tx=$(sed -n 's/^0:.* tx:\([0-9]*\).*/\1/p' /proc/tty/driver/serial)
		[ "$tx" = "$prev" ] && return
		prev=$tx
		usleep 20000
	done
}

e2e_main() {
	resume=$(cmos_get $CMOS_RESUME)
	[ -n "$resume" ] && [ "$resume" -le "$(wc -l < /e2e/tests.list)" ] || resume=0
	[ "$resume" = 0 ] || cmos_set $CMOS_RESUME 0
	echo "E2E-BOOTED scenario=$(cat /e2e/scenario) cpus=$(nproc) uptime=$(cut -d' ' -f1 /proc/uptime) resume=$resume"
	if klog_problems; then
		echo "--- kernel log problems during boot:"
		cat /tmp/klog.bad
		echo "FAIL boot_clean: $(head -n 1 /tmp/klog.bad)"
	fi
	# Every parameter the harness passes must be one the kernel knows (a misspelt one is
	# silently handed to init: 'hung_task_timeout_secs=60' once was).  GRUB's own
	# BOOT_IMAGE= is the exception.
	unknown=$(sed -n 's/.*Unknown kernel command line parameters "\(.*\)", will be passed.*/\1/p' \
		/tmp/klog.all | tr ' ' '\n' | grep -v '^BOOT_IMAGE=' | tr '\n' ' ')
	[ -z "$unknown" ] || echo "FAIL boot_cmdline: unknown kernel parameters: $unknown"
	[ -f /tmp/quirks ] && sed 's/^/  /' /tmp/quirks
	if [ -f /e2e/demo ]; then
		sh /e2e/demo.sh
	else
		n=0
		for t in $(cat /e2e/tests.list); do
			n=$((n + 1))
			[ "$n" -lt "$resume" ] && continue
			run_test "$t" "$n" "$([ "$n" = "$resume" ] && echo 2 || echo 1)"
		done
	fi
	echo "E2E-DONE uptime=$(cut -d' ' -f1 /proc/uptime)"
	serial_drain
	poweroff -f
}
