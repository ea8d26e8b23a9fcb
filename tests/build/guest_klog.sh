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

# A broken VM-entry rule fails the test it happened in (issue 12): the checker's
# violation line, as the drain (pr_err) or a failing CPU (pr_crit) prints it, and the
# count at unload when it is not 0.  What breaks rules on purpose or reports none does
# not: the cross-check's lines, sz_test's summary, a clean count, vmcs --check's verdict.
cat > "$TMP/k" <<'EOF2'
[   20.000000] subzero: CPU 1: VM-entry checks before entry 88: 1 rule broken
[   20.000001] subzero: CPU 1: broken VM-entry rule guest_pending_dbg_bs (SDM 27.3.1.5, exit 33): GUEST_PENDING_DBG_EXCEPTIONS=0 (4000 would do); allows BS set if TF and no branch trap
[   21.000000] subzero: CPU 0: VM-entry checks: 1501 entries checked, 3 broke a rule
EOF2
real=$(guest "grep -cE \"\$KLOG_BAD\" k")
cat > "$TMP/k" <<'EOF2'
[   30.000000] subzero: CPU 0: xcheck: cross-check 2 proc_ctls_allowed1: the CPU refused the entry (VM-instruction error 7), the checker named it (1 rules broken)
[   30.000001] sz_test: xcheck rule=guest_cr3_width kind=GUEST cpu=refused how=exit:33 checker=named violations=1
[   30.000002] sz_test: xcheck done: 70 rules, 0 missed by the checker, 3 accepted by the CPU
[   30.000003] subzero: CPU 1: VM-entry checks: 483 entries checked, 0 broke a rule
[   30.000004] subzero: CPU 0: VM-entry checks before VMLAUNCH: 0 rules broken
CPU 0: VMCS read in VMX root at 30.920026 s (TSC): passes (0 of 128 VM-entry rules broken)
EOF2
clean=$(guest "grep -E \"\$KLOG_BAD\" k")
if [ "$real" != 2 ]; then
	fail "entry_checks: $real of 2 real violation lines matched KLOG_BAD"
elif [ -n "$clean" ]; then
	fail "entry_checks: deliberate or clean lines matched KLOG_BAD: $clean"
else
	pass entry_checks "a violation and a non-zero count fail a test; the cross-check's lines do not"
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
