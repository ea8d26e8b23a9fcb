# NMIs reach the guest kernel: one sent to CPU 0 while it runs the guest (an NMI exit,
# injected on the next entry), and one sent while CPU 0 is held in VMX root by the
# test-only spin hypercall (held by the host IDT's NMI gate, injected after).
sz_load test_hooks=1
dmesg -c > /dev/null
out=$(on_cpu 1 modload /e2e/sz_test.ko test=nmi 2>&1) || {
	dmesg | grep 'sz_test: FAIL' | head -n 3 > /tmp/tfail
	fail "sz_test test=nmi: $out $(tr '\n' ' ' < /tmp/tfail)"
}
rmmod sz_test
dmesg | grep 'sz_test: ok' | sed 's/^/  /'
[ "$(dmesg | grep -c 'sz_test: ok CPU 0')" = 4 ] || fail "expected 4 NMI checks to pass"
n=$(subzero stats --cpu 0 | awk '/EXCEPTION_NMI|exception or NMI/ {print $NF}' | head -n 1)
note "CPU 0 NMI exits: ${n:-?}"
sz_unload
