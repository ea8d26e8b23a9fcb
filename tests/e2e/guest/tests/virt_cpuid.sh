# Loaded, every CPU runs in VMX non-root: a task pinned to each CPU sees the
# hypervisor bit and subzero's CPUID signature, and no VMX.  Unloaded, all is back.
ncpu=$(nproc)
for cpu in $(seq 0 $((ncpu - 1))); do
	out=$(on_cpu "$cpu" cpuid-probe)
	echo "$out" | grep -q "signature=none" || fail "before load, CPU $cpu: $out"
	echo "$out" | grep -q "vmx=1" || fail "before load, CPU $cpu has no VMX: $out"
done
sz_load
for cpu in $(seq 0 $((ncpu - 1))); do
	out=$(on_cpu "$cpu" cpuid-probe)
	note "loaded: $out"
	echo "$out" | grep -q "^cpu=$cpu " || fail "probe ran on the wrong CPU: $out"
	echo "$out" | grep -q "signature=subzero max=0x40000001" || fail "CPU $cpu: no signature: $out"
	echo "$out" | grep -q "vmx=0" || fail "CPU $cpu: VMX bit visible to the guest: $out"
	echo "$out" | grep -q "hypervisor=1" || fail "CPU $cpu: hypervisor bit clear: $out"
done
sz_unload
for cpu in $(seq 0 $((ncpu - 1))); do
	out=$(on_cpu "$cpu" cpuid-probe)
	echo "$out" | grep -q "signature=none" || fail "after unload, CPU $cpu: $out"
	echo "$out" | grep -q "vmx=1" || fail "after unload, CPU $cpu lost VMX: $out"
done
dmesg | grep -q "subzero: CPU 1: devirtualized after [0-9]* exits" || fail "no devirtualize line for CPU 1"
