# VMCALL from user mode gets #UD (SIGILL), on every CPU, and the system survives.
sz_load
for cpu in $(seq 0 $(($(nproc) - 1))); do
	out=$(on_cpu "$cpu" vmcall-user 2>&1) || fail "CPU $cpu: $out"
	[ "$out" = SIGILL ] || fail "CPU $cpu: $out"
done
on_cpu 0 cpuid-probe | grep -q signature=subzero || fail "not virtualized any more"
sz_unload
