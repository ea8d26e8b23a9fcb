# What the per-entry VM-entry checks (entry_checks=1) cost: CPUID exits timed by
# sz_test.ko (test=bench op=cpuid, interrupts off, on CPU 1) with subzero loaded without
# and with them; the difference per exit is the checker's cost per entry, in emulated
# ticks (instructions: README, "Performance").
N=2000
cpuid_ticks() {
	modload /e2e/sz_test.ko "test=bench op=cpuid n=$N reps=3 cpu=1" > /dev/null ||
		fail "sz_test test=bench"
	rmmod sz_test
	dmesg | sed -n 's/.*sz_test: bench cpu=1 op=cpuid .* ticks=\([0-9]*\).*/\1/p' |
		sort -n | head -n 1
	dmesg -c > /dev/null
}
dmesg -c > /dev/null
SZ_PARAMS=
sz_load
off=$(cpuid_ticks)
sz_unload
SZ_PARAMS=entry_checks=1
sz_load
on=$(cpuid_ticks)
subzero stats --cpu 1 > /dev/null
sz_unload
dmesg | grep -q 'CPU 1: VM-entry checks: [1-9][0-9]* entries checked, 0 broke a rule' ||
	fail "no per-entry checks counted on CPU 1: $(dmesg | grep 'VM-entry checks' | tr '\n' ' ')"
[ -n "$off" ] && [ -n "$on" ] || fail "no timings (off='$off' on='$on')"
note "CPUID loop of $N: $off ticks without per-entry checks, $on with"
note "per entry: $(( (on - off) / N )) ticks for the checker (CPUID exit: $(( off / N )) ticks a loop iteration without)"
echo "entry_check_cost n=$N off=$off on=$on per_entry=$(( (on - off) / N ))" > /tmp/cost.txt
artifact entry_check_cost.txt /tmp/cost.txt
[ "$on" -gt "$off" ] || fail "checks on ($on) cost no more than off ($off): did they run?"
