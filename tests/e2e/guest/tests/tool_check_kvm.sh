# `subzero check` with KVM.  This kernel's KVM (6.1) turns VMX on only while a VM
# exists, so: kvm_intel loaded, no VM -> a warning, verdict "can load", and subzero
# does load; a VM held open (kvm-hold) -> KVM holds VMX on every CPU: the blocker names
# KVM, exit 1, and insmod subzero.ko really fails (CR4.VMXE already set).
sz_loaded && fail "subzero loaded before the test"
for m in irqbypass kvm kvm-intel; do
	insmod "/e2e/$m.ko" || fail "insmod $m.ko failed"
done
hold=
cleanup() {
	[ -n "$hold" ] && kill "$hold" 2>/dev/null && wait "$hold" 2>/dev/null
	rmmod kvm_intel kvm irqbypass 2>/dev/null
	return 0
}
check() { # WANT_RC FILE [--json]
	set +e
	subzero check $3 > "$2" 2>&1; rc=$?
	set -e
	[ "$rc" = "$1" ] || { cleanup; fail "check $3 exited $rc, want $1: $(tail -n 3 "$2")"; }
}
check 0 /tmp/c1.txt
sed 's/^/  | /' /tmp/c1.txt
grep -q '^KVM: kvm_intel loaded, 0 VMs open, VMX turned on at load: no$' /tmp/c1.txt ||
	{ cleanup; fail "kvm_intel not reported"; }
grep -q '^warning: kvm_intel is loaded' /tmp/c1.txt || { cleanup; fail "no KVM warning"; }
grep -q '^verdict: subzero can load$' /tmp/c1.txt || { cleanup; fail "wrong verdict"; }
insmod "$SZ_KO" || { cleanup; fail "subzero did not load with kvm_intel loaded and no VM"; }
rmmod subzero

kvm-hold > /tmp/hold.out 2>&1 &
hold=$!
for _ in $(seq 1 50); do
	grep -q 'VM created' /tmp/hold.out && break
	usleep 200000
done
grep -q 'VM created' /tmp/hold.out || { cleanup; fail "kvm-hold: $(cat /tmp/hold.out)"; }
check 1 /tmp/c2.txt
sed 's/^/  | /' /tmp/c2.txt
grep -q '^blocker: KVM holds VMX: kvm_intel is loaded and has VMs open' /tmp/c2.txt ||
	{ cleanup; fail "the blocker does not name KVM"; }
grep -q '^verdict: subzero cannot load$' /tmp/c2.txt || { cleanup; fail "wrong verdict"; }
check 1 /tmp/check_kvm.json --json
# The verdict holds: subzero's load fails while KVM has VMX on.
dmesg -c > /dev/null
if insmod "$SZ_KO" 2> /tmp/insmod.err; then
	rmmod subzero
	cleanup
	fail "subzero loaded while KVM held VMX"
fi
dmesg | grep 'subzero' | sed 's/^/  dmesg: /'
dmesg | grep -q 'subzero: CPU [0-9]*: CR4.VMXE is already set' ||
	{ cleanup; fail "the failed load did not say CR4.VMXE was set"; }
sz_loaded && { cleanup; fail "subzero in /proc/modules after a failed load"; }
kill "$hold"
wait "$hold" 2>/dev/null || true
hold=
check 0 /tmp/c3.txt
grep -q '^verdict: subzero can load$' /tmp/c3.txt || { cleanup; fail "VM gone: wrong verdict"; }
cleanup
artifact check_kvm.json /tmp/check_kvm.json
