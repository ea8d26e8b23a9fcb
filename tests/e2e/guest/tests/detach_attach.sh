# `subzero detach` takes every CPU out of VMX with the module loaded (CPUID shows no
# hypervisor), CPUs coming online meanwhile stay out, `subzero attach` puts them all
# back; attach is all or nothing; unloading while detached frees everything.
sz_load
ncpu=$(nproc)
sig_on_all() {
	for cpu in $(seq 0 $((ncpu - 1))); do
		on_cpu "$cpu" cpuid-probe | grep -q "signature=$1" ||
			fail "$2: CPU $cpu: $(on_cpu "$cpu" cpuid-probe)"
	done
}
sig_on_all subzero "loaded"
subzero detach > /tmp/out || fail "detach exited $?"
grep -q '^detached: no CPU in VMX' /tmp/out || fail "detach said: $(cat /tmp/out)"
sig_on_all none "after detach"
on_cpu 0 cpuid-probe | grep -q 'vmx=1' || fail "after detach CPU 0 does not show VMX again"
subzero status > /tmp/st.txt
grep -q '^subzero: detached' /tmp/st.txt || fail "status: $(head -n 1 /tmp/st.txt)"
[ "$(grep -c '^CPU [0-9]*: not virtualized$' /tmp/st.txt)" = "$ncpu" ] || fail "status: $(cat /tmp/st.txt)"
subzero status --json > /tmp/status-detached.json
artifact status-detached.json /tmp/status-detached.json
subzero detach | grep -q '^already detached' || fail "a second detach did not say 'already detached'"
set +e
subzero vmcs --cpu 0 > /tmp/out 2>&1; rc=$?
set -e
[ "$rc" = 1 ] && grep -q 'CPU 0 is not virtualized' /tmp/out || fail "vmcs while detached: $rc $(cat /tmp/out)"
subzero stats --cpu 0 | grep -q '^CPU 0: not virtualized' || fail "stats while detached"

# CPU 1 going offline and online while detached stays detached.
if [ -w /sys/devices/system/cpu/cpu1/online ]; then
	echo 0 > /sys/devices/system/cpu/cpu1/online || fail "offlining CPU 1"
	echo 1 > /sys/devices/system/cpu/cpu1/online || fail "onlining CPU 1"
	on_cpu 1 cpuid-probe | grep -q signature=none || fail "CPU 1 virtualized on online while detached"
	subzero status --cpu 1 | grep -q '^CPU 1: not virtualized$' || fail "status shows CPU 1 virtualized"
fi

subzero attach > /tmp/out || fail "attach exited $?"
grep -q "^attached: $ncpu CPUs virtualized" /tmp/out || fail "attach said: $(cat /tmp/out)"
sig_on_all subzero "after attach"
subzero status | grep -q '^subzero: attached' || fail "status after attach"
subzero status --json > /tmp/status-attached.json
artifact status-attached.json /tmp/status-attached.json
subzero attach | grep -q "^already attached: $ncpu CPUs" || fail "a second attach"
subzero vmcs --cpu 1 > /dev/null || fail "vmcs after attach"
# hotplug works as before once attached again
if [ -w /sys/devices/system/cpu/cpu1/online ]; then
	echo 0 > /sys/devices/system/cpu/cpu1/online
	echo 1 > /sys/devices/system/cpu/cpu1/online
	on_cpu 1 cpuid-probe | grep -q signature=subzero || fail "CPU 1 not virtualized on online after attach"
fi

# Attach is all or nothing: CPU 1 fails (test parameter), CPU 0 is rolled back.
subzero detach > /dev/null
dmesg -c > /dev/null
echo 1 > /sys/module/subzero/parameters/fail_on_cpu
set +e
subzero attach > /tmp/out 2>&1; rc=$?
set -e
echo -1 > /sys/module/subzero/parameters/fail_on_cpu
[ "$rc" = 1 ] && grep -q 'attach failed' /tmp/out || fail "attach with fail_on_cpu=1: $rc $(cat /tmp/out)"
dmesg | grep -q 'CPU 1: failing on purpose' || fail "no failure reported for CPU 1"
dmesg | grep -q 'subzero: attach: virtualizing the CPUs failed' || fail "no rollback message"
dmesg | grep -q 'subzero: CPU 0: devirtualized' || fail "CPU 0 was not rolled back"
sig_on_all none "after the failed attach"
subzero status | grep -q '^subzero: detached' || fail "status after the failed attach"
subzero attach > /dev/null || fail "attach after the failed one"
sig_on_all subzero "after attach"

# Detach and attach while both CPUs are busy.
pids=""
for cpu in $(seq 0 $((ncpu - 1))); do
	taskset -c "$cpu" sh -c 'while :; do :; done' &
	pids="$pids $!"
done
for i in 1 2 3 4 5; do
	subzero detach > /dev/null || { kill $pids; fail "detach $i"; }
	subzero attach > /dev/null || { kill $pids; fail "attach $i"; }
done
kill $pids
sig_on_all subzero "after 5 detach/attach cycles"

# Unloading while detached frees everything.
subzero detach > /dev/null
dmesg -c > /dev/null
sz_unload
dmesg | grep -q 'subzero: unloaded; 0 allocations outstanding' || fail "unload while detached: $(dmesg | grep subzero)"
nproc > /tmp/nproc
artifact nproc /tmp/nproc
