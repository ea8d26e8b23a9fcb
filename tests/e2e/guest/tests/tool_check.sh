# `subzero check` before the module, with this scenario's known answer: [vmx] can load
# (exit 0) and then subzero does load; [novmx] the missing VMX named per CPU (exit 1).
# The tool loads the msr module itself (modprobe), and the JSON goes to the host
# (host/tool_check.py).
sz_loaded && fail "subzero loaded before the test"
scenario=$(cat /e2e/scenario)
msr_was_loaded=no
grep -q '^msr ' /proc/modules && msr_was_loaded=yes
# Let busybox's modprobe find msr.ko, as a distribution's modprobe would.
d=/lib/modules/$(uname -r)
mkdir -p "$d/kernel"
cp /e2e/msr.ko "$d/kernel/msr.ko"
echo "kernel/msr.ko:" > "$d/modules.dep"
set +e
subzero check > /tmp/check.txt 2>&1; rc=$?
subzero check --json > /tmp/check.json 2>/tmp/check.err; jrc=$?
set -e
sed 's/^/  | /' /tmp/check.txt
[ "$rc" = "$jrc" ] || fail "check exited $rc, check --json $jrc"
if [ $msr_was_loaded = no ]; then
	grep -q '^msr ' /proc/modules || fail "check did not load the msr module"
	grep -q '^(check loaded the msr module: modprobe msr)$' /tmp/check.txt ||
		fail "check did not say it loaded the msr module"
fi
grep -c '^blocker: ' /tmp/check.txt > /tmp/nblockers || true
case $scenario in
vmx)
	[ "$rc" = 0 ] || fail "check exited $rc on a CPU with VMX, want 0"
	[ "$(tail -n 1 /tmp/check.txt)" = "verdict: subzero can load" ] || fail "wrong verdict"
	[ "$(cat /tmp/nblockers)" = 0 ] || fail "blockers on a machine that can load"
	for cpu in $(seq 0 $(($(nproc) - 1))); do
		grep -q "^CPU $cpu: VMX yes, IA32_FEATURE_CONTROL locked, VMXON outside SMX allowed$" \
			/tmp/check.txt || fail "CPU $cpu: VMX or IA32_FEATURE_CONTROL not reported"
	done
	grep -Eq '^  EPT +available +used$' /tmp/check.txt || fail "EPT not reported as used"
	grep -Eq '^  VPID +available +used$' /tmp/check.txt || fail "VPID not reported as used"
	grep -q '^KVM: kvm_intel not loaded$' /tmp/check.txt || fail "KVM line wrong"
	# The verdict holds: subzero loads.
	sz_load
	set +e
	subzero check > /tmp/check2.txt 2>&1; rc=$?
	set -e
	[ "$rc" = 0 ] && grep -q '^subzero is loaded already' /tmp/check2.txt ||
		fail "check with subzero loaded: exit $rc: $(cat /tmp/check2.txt)"
	sz_unload
	;;
novmx)
	[ "$rc" = 1 ] || fail "check exited $rc on a CPU without VMX, want 1"
	[ "$(tail -n 1 /tmp/check.txt)" = "verdict: subzero cannot load" ] || fail "wrong verdict"
	for cpu in $(seq 0 $(($(nproc) - 1))); do
		grep -q "^blocker: CPU $cpu: no VMX (CPUID.1:ECX.VMX = 0)$" /tmp/check.txt ||
			fail "CPU $cpu: missing VMX not named a blocker"
	done
	grep -q '^  fix: enable Intel VT-x' /tmp/check.txt || fail "no fix given"
	# `caps` needs no module now: here it says what is missing and fails.
	set +e
	subzero caps > /tmp/out 2>&1; rc=$?
	set -e
	[ "$rc" = 1 ] && grep -q 'caps: CPU 0: no VMX' /tmp/out || fail "caps: exit $rc: $(cat /tmp/out)"
	;;
*)
	fail "no expected verdict for scenario $scenario"
	;;
esac
artifact check.json /tmp/check.json
grep -w flags /proc/cpuinfo | head -n 1 > /tmp/flags
artifact cpuinfo_flags /tmp/flags
nproc > /tmp/nproc
artifact nproc /tmp/nproc
