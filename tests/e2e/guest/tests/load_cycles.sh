# 20 load/unload cycles while both CPUs are busy: no kernel warnings (the runner checks
# the log), every CPU virtualized each time, and nothing leaked.
ncpu=$(nproc)
pids=""
for cpu in $(seq 0 $((ncpu - 1))); do
	taskset -c "$cpu" sh -c 'while :; do :; done' &
	pids="$pids $!"
done
for i in $(seq 1 20); do
	insmod "$SZ_KO" || { kill $pids; fail "load $i failed"; }
	on_cpu $((i % ncpu)) cpuid-probe | grep -q signature=subzero ||
		{ kill $pids; fail "cycle $i: CPU $((i % ncpu)) not virtualized"; }
	rmmod subzero || { kill $pids; fail "unload $i failed"; }
done
kill $pids
n=$(dmesg | grep -c 'subzero: unloaded; 0 allocations outstanding')
[ "$n" -ge 20 ] || fail "only $n of 20 unloads freed everything: $(dmesg | grep 'subzero: unloaded' | tail -n 1)"
