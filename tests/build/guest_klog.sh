#!/usr/bin/env bash
# How the in-guest runner judges the kernel log (tests/e2e/guest/lib.sh), run on the host
# with busybox's sh and awk as in the guest: a kernel warning counts, a mitigation notice
# that contains the word WARNING does not; Bochs' XSAVE-size warning block (as Debian's
# 6.1 prints it, from fpu__init_system_xstate) and 6.12's CPUID topology warning
# (parse_legacy) are taken out and counted as the emulator's, another warning block is
# not; E2E-BOOTGAPS names the longest pauses.
. "$(dirname "$0")/lib.sh"

bb=$(command -v busybox) || { skip "no busybox"; done_; }
guest() {	# guest SCRIPT: run SCRIPT in busybox sh with the guest's lib.sh sourced
	(cd "$TMP" && "$bb" sh -c ". '$ROOT/tests/e2e/guest/lib.sh'; $1")
}

cat > "$TMP/dmesg" <<'EOF'
[    0.000000] ------------[ cut here ]------------
[    0.000000] WARNING: CPU: 0 PID: 0 at arch/x86/kernel/cpu/topology_common.c:57 parse_legacy+0x10e/0x130
[    0.000000] Modules linked in:
[    0.000000] Call Trace:
[    0.000000]  <TASK>
[    0.000000] ---[ end trace 0000000000000000 ]---
[    0.808000] ------------[ cut here ]------------
[    0.808200] x86/fpu: misordered xstate at 2688
[    0.808504] WARNING: CPU: 0 PID: 0 at arch/x86/kernel/fpu/xstate.c:254 fpu__init_system_xstate+0xdbf/0x10d0
[    0.809850] Call Trace:
[    0.809900] ---[ end trace 0000000000000000 ]---
[    0.160278] [Firmware Bug]: TSC_DEADLINE disabled due to Errata
[    0.858058] RETBleed: WARNING: Spectre v2 mitigation leaves CPU vulnerable to RETBleed attacks, data leaks possible!
[    0.861000] ------------[ cut here ]------------
[    0.861500] XSAVE consistency problem: size 2696 != kernel_size 2440
[    0.861791] WARNING: CPU: 0 PID: 0 at arch/x86/kernel/fpu/xstate.c:606 fpu__init_system_xstate+0x85a/0xb19
[    0.862000] Modules linked in:
[    0.866081] Call Trace:
[    0.866081]  <TASK>
[    0.867000] ---[ end trace 0000000000000000 ]---
[    2.620000] smp: Brought up 1 node, 2 CPUs
[    3.000000] x86/mm: Checked W+X mappings: passed, no W+X pages found.
EOF
warn='[    4.000000] ------------[ cut here ]------------
[    4.000001] WARNING: CPU: 1 PID: 9 at arch/x86/kernel/fpu/xstate.c:1400 os_xsave+0x1/0x2
[    4.000002] ---[ end trace 0000000000000000 ]---
[    4.100000] ------------[ cut here ]------------
[    4.100001] something of ours went wrong
[    4.100002] WARNING: CPU: 1 PID: 5 at linux/main.c:1 sz_init+0x1/0x2 [subzero]
[    4.100003] ---[ end trace 0000000000000000 ]---'

# The boot log above: nothing counts, two emulator quirks.
cp "$TMP/dmesg" "$TMP/k"
bad=$(guest "rm -f /tmp/quirks; emulator_quirks k; grep -E \"\$KLOG_BAD\" k")
quirk=$(guest "cat /tmp/quirks 2>/dev/null; rm -f /tmp/quirks")
if [ -n "$bad" ]; then
	fail "quirks: counted as problems: $bad"
elif ! grep -q 'emulator quirk: .*XSAVE consistency problem: size 2696' <<<"$quirk"; then
	fail "quirks: the XSAVE warning was not recognised as the emulator's: '$quirk'"
elif ! grep -q 'emulator quirk: .*misordered xstate' <<<"$quirk"; then
	fail "quirks: Tiger Lake's XSAVE warning was not recognised as the emulator's: '$quirk'"
elif ! grep -q 'emulator quirk: .*topology_common.c:57 parse_legacy' <<<"$quirk"; then
	fail "quirks: the topology warning was not recognised as the emulator's: '$quirk'"
else
	pass quirks "XSAVE (6.1, Tiger Lake) and topology blocks taken out, RETBleed notice not a warning"
fi

# The same with a warning of ours after it: that one counts, whole.
{ cat "$TMP/dmesg"; echo "$warn"; } > "$TMP/k"
bad=$(guest "rm -f /tmp/quirks; emulator_quirks k; grep -E \"\$KLOG_BAD\" k; rm -f /tmp/quirks")
if grep -q 'WARNING: CPU: 1 PID: 5 at linux/main.c:1' <<<"$bad" &&
   grep -q 'WARNING: CPU: 1 PID: 9 at arch/x86/kernel/fpu/xstate.c:1400 os_xsave' <<<"$bad"; then
	pass warning_counts
else
	fail "warning_counts: a warning of subzero's or an XSAVE one after boot not counted: '$bad'"
fi

# E2E-BOOTGAPS: the longest pause first; no line the harness takes for a kernel problem.
{ cat "$TMP/dmesg"; echo "$warn"; } > "$TMP/k"
gaps=$(guest "boot_gaps k")
case $gaps in
"1.75 s before [2.62] smp: Brought up 1 node, 2 CPUs; "*)
	if grep -qE 'WARNING: CPU|Call Trace' <<<"$gaps"; then
		fail "boot_gaps: quotes a problem line: $gaps"
	else
		pass boot_gaps "$gaps"
	fi ;;
*) fail "boot_gaps: '$gaps'" ;;
esac
done_
