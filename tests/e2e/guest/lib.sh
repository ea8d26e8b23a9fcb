# Shared helpers for in-guest tests (busybox sh).
#
# A test is /e2e/tests/NAME.sh, run in its own shell.  It passes by exiting 0, fails by
# calling `fail "why"` (or exiting non-zero), and skips with `skip "why"`.  The runner
# prints `PASS NAME`, `FAIL NAME: why` or `SKIP NAME: why`, and fails any test during
# which the kernel logged an Oops, BUG, WARNING, panic, lockdep or hung-task report.

SZ_KO=/e2e/subzero.ko
# Every load of subzero.ko gets these parameters: the VM-entry checker before every VM
# entry, so a VMCS that breaks a rule of SDM Vol. 3C chapter 27 fails the test in which
# it happened, even where the emulator would accept it: its "CPU n: broken VM-entry
# rule" line is an error (core/entry_root.c) and in KLOG_BAD, and so is the count at
# unload ("N broke a rule", N > 0) should the rate limit have left the lines out.  The
# cross-check's deliberate breaks never print that line (theirs say "xcheck").  A test
# that must measure without it sets SZ_PARAMS= (bench).
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

# A kernel warning is a line that starts with "WARNING:" (WARN(), lockdep); a subsystem's
# notice that merely contains the word is not ("RETBleed: WARNING: Spectre v2 mitigation
# leaves CPU vulnerable", what the kernel's default mitigations print on Skylake).
KLOG_BAD='subzero: CPU [0-9]+: broken VM-entry rule|VM-entry checks: [0-9]+ entries checked, [1-9][0-9]* broke a rule|Oops|BUG:|\] WARNING:|WARNING: CPU:|Kernel panic|kernel BUG|general protection fault|possible circular locking|possible recursive locking|inconsistent lock state|INFO: task .* blocked for more than|Call Trace:|double fault|stack segment|invalid opcode:'

# Bochs' own defects, not ours: the kernel warns once at boot about CPUID values that no
# real CPU reports together.  Only these exact warning blocks, from their 'cut here' line
# to their end-of-trace line, are taken out of what is judged; each is counted
# (/tmp/quirks) and shown.
#  - Skylake-X, Cannon Lake, Tiger Lake: the XSAVE layout CPUID reports is inconsistent
#    (6.1: the area size is not the sum of the components, paranoid_xstate_size_valid;
#    6.12 on Tiger Lake warns twice more): any warning from fpu__init_system_xstate,
#    where the kernel reads that layout from CPUID at boot, before any module (the
#    helpers are inlined into it, so that is the name the warnings give);
#  - 6.12 (seen on Haswell): the logical processors per package in CPUID.1:EBX are
#    fewer than the cores per package in CPUID.4 (Bochs sizes the first from `cpu:
#    count`, takes the second from the real model), and parse_legacy warns
#    (topology_common.c, WARN_ON_ONCE) before any module is loaded.
emulator_quirks() {
	awk '
	function flush(keep) { for (j = 0; j < n; j++) if (keep) print buf[j]; n = 0; inblk = 0 }
	function quirk() {
		xs = "WARNING: CPU: [0-9]+ PID: [0-9]+ at arch/x86/kernel/fpu/xstate\\.c:[0-9]+ (paranoid_xstate_size_valid|fpu__init_system_xstate)\\+"
		if (buf[1] ~ xs)
			return buf[1]
		if (buf[2] ~ xs && buf[1] !~ /WARNING:/)
			return buf[1]
		if (buf[1] ~ /WARNING: CPU: [0-9]+ PID: [0-9]+ at arch\/x86\/kernel\/cpu\/topology_common\.c:[0-9]+ parse_legacy\+/)
			return buf[1]
		return ""
	}
	/------------\[ cut here \]------------/ { flush(1); inblk = 1 }
	inblk {
		buf[n++] = $0
		if (n == 3 && quirk() == "") flush(1)
		else if ($0 ~ /---\[ end trace [0-9a-f]+ \]---/) {
			q = quirk()
			if (q != "") print "emulator quirk: " q > "/tmp/quirks"
			flush(q == "")
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

# Where the boot's guest time went: the three longest pauses between kernel log lines
# (by the kernel's own timestamps) before init, one line, so that a slow boot's console
# says what it waited for (the intermittent pre-init stalls, README "Tests").  A line
# the harness would take for a kernel problem is not quoted (the emulator's own XSAVE
# warning, already judged by klog_problems).
boot_gaps() {
	awk '/^\[ *[0-9]+\.[0-9]+\] / {
		t = substr($0, 2, index($0, "]") - 2) + 0
		if (n++)
			printf "%.2f %.2f %s\n", t - p, t, substr($0, index($0, "] ") + 2, 50)
		p = t
	}' "$1" | grep -vE "$KLOG_BAD|blocked for more than" | sort -rn | head -n 3 |
		awk '{ d = $1; t = $2; $1 = $2 = ""; sub(/^ +/, "")
		       printf "%s%.2f s before [%.2f] %s", (NR > 1 ? "; " : ""), d, t, $0 }'
}

e2e_main() {
	resume=$(cmos_get $CMOS_RESUME)
	[ -n "$resume" ] && [ "$resume" -le "$(wc -l < /e2e/tests.list)" ] || resume=0
	[ "$resume" = 0 ] || cmos_set $CMOS_RESUME 0
	echo "E2E-BOOTED scenario=$(cat /e2e/scenario) cpus=$(nproc) uptime=$(cut -d' ' -f1 /proc/uptime) resume=$resume"
	klog_problems; bad=$?
	echo "E2E-BOOTGAPS $(boot_gaps /tmp/klog.all)"
	if [ $bad = 0 ]; then
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
