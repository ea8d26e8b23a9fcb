# A program single-stepping itself (RFLAGS.TF, SIGTRAP handler) over CPUID gets a trap
# right after CPUID, as on bare metal: subzero performs CPUID for the guest and skips
# it, so it must raise the single-step #DB the instruction would have.  Without
# subzero, then loaded on every CPU, then unloaded.
ncpu=$(nproc)
out=$(on_cpu 0 tf-cpuid) || fail "without subzero: $out"
sz_load
for cpu in $(seq 0 $((ncpu - 1))); do
	out=$(on_cpu "$cpu" tf-cpuid) || fail "CPU $cpu, subzero loaded: $out"
	note "CPU $cpu: $out"
done
sz_unload
out=$(on_cpu 1 tf-cpuid) || fail "after unload: $out"
