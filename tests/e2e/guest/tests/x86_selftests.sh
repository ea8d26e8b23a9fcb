# The kernel's own x86 selftests (tools/testing/selftests/x86, built statically by
# scripts/selftests.sh): single-stepping, MOV SS, sigreturn, sysret, LDT/GDT, FSGSBASE,
# iopl -- where hypervisors go wrong.  Each runs without subzero, then with it loaded on
# every CPU; every test that passes without must pass with it.  The table (test, without,
# with) goes to the host as an artifact (x86_selftests.txt).
[ -d /e2e/selftests ] || fail "no selftests in the initramfs (scripts/selftests.sh)"
tests=$(ls /e2e/selftests)
[ -n "$tests" ] || fail "no selftests built"
# kselftest exit codes: 0 pass, 4 skip; anything else (or a timeout) is a failure.
verdict() {
	case $1 in 0) echo pass ;; 4) echo skip ;; 124|143) echo timeout ;; *) echo "fail($1)" ;; esac
}
run_all() {	# run_all TAG
	for t in $tests; do
		set +e
		(cd /tmp && timeout 300 "/e2e/selftests/$t" > "/tmp/st.$t.$1" 2>&1)
		rc=$?
		set -e
		echo "$t $(verdict $rc)" >> "/tmp/st.$1"
		note "$1: $t $(verdict $rc) (uptime $(cut -d' ' -f1 /proc/uptime))"
	done
}
: > /tmp/st.without
: > /tmp/st.with
run_all without
# What the kernel reported while they ran without subzero is the emulator's and the
# kernel's own (Bochs 2.7: a #DB after SYSCALL with TF set warns once in exc_debug):
# shown, not judged.  What it reports from here on, with subzero, fails the test
# (run_test's kernel-log check).
dmesg -c > /tmp/st.klog.without 2>/dev/null
# "baseline without subzero: " tells the host's console check (tests/e2e/run) so.
grep -E "$KLOG_BAD" /tmp/st.klog.without | while read -r l; do note "baseline without subzero: $l"; done
sz_load
run_all with
# Still virtualized after all of them: CPUID still shows subzero on every CPU.
for cpu in $(seq 0 $(($(nproc) - 1))); do
	on_cpu "$cpu" cpuid-probe | grep -q "signature=subzero" ||
		fail "CPU $cpu no longer virtualized after the selftests"
done
sz_unload
printf '%-28s %-12s %s\n' test without with > /tmp/st.table
bad=""
for t in $tests; do
	a=$(sed -n "s/^$t //p" /tmp/st.without)
	b=$(sed -n "s/^$t //p" /tmp/st.with)
	printf '%-28s %-12s %s\n' "$t" "$a" "$b" >> /tmp/st.table
	if [ "$a" = pass ] && [ "$b" != pass ]; then
		bad="$bad $t"
		note "--- $t with subzero:"
		tail -n 15 "/tmp/st.$t.with"
	fi
done
cat /tmp/st.table
artifact x86_selftests.txt /tmp/st.table
[ -z "$bad" ] || fail "pass without subzero, not with it:$bad"
grep -q ' pass ' /tmp/st.table || fail "no selftest passed even without subzero"
