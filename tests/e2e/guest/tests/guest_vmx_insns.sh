# Kernel code in the guest (sz_test.ko) executes every VMX instruction: #UD each time,
# as on a CPU without VMX; CR4.VMXE reads 0 and cannot be set (#GP); VMCALL from CPL 0
# answers a ping, and a bad key or an unknown number gets an error, not a crash.
# Without subzero the same module sees plain #UD everywhere (including VMCALL).
tmod() {
	out=$(modload /e2e/sz_test.ko "$1" 2>&1) || {
		dmesg | grep 'sz_test: FAIL' | head -n 3 > /tmp/tfail
		fail "sz_test $1: $out $(tr '\n' ' ' < /tmp/tfail)"
	}
	rmmod sz_test
}
ncpu=$(nproc)
dmesg -c > /dev/null
tmod "test=vmx expect_hv=0"
n=$(dmesg | grep -c 'sz_test: ok CPU')
[ "$n" = $((ncpu * 14)) ] || fail "without subzero: $n checks passed, expected $((ncpu * 14))"
sz_load
dmesg -c > /dev/null
tmod "test=vmx expect_hv=1"
n=$(dmesg | grep -c 'sz_test: ok CPU')
[ "$n" = $((ncpu * 17)) ] || fail "with subzero: $n checks passed, expected $((ncpu * 17))"
dmesg | grep -q 'sz_test: ok CPU 1: VMREAD raises #UD' || fail "no VMREAD check on CPU 1"
on_cpu 0 cpuid-probe | grep -q signature=subzero || fail "CPU 0 not virtualized any more"
on_cpu 1 cpuid-probe | grep -q signature=subzero || fail "CPU 1 not virtualized any more"
sz_unload
