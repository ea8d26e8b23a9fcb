# NMIs reach the guest kernel: one sent to CPU 0 while it runs the guest (an NMI exit,
# injected on the next entry), and one sent while CPU 0 is held in VMX root by the
# test-only spin hypercall (held by the host IDT's NMI gate, injected after).
sz_load test_hooks=1
dmesg -c > /dev/null
set +e
out=$(on_cpu 1 modload /e2e/sz_test.ko test=nmi 2>&1)
rc=$?
set -e
[ "$rc" = 0 ] && rmmod sz_test
subzero stats --cpu 0 | grep -iE 'nmi' | sed 's/^/  stats: /'
sz_unload
dmesg | grep -E 'sz_test|NMI' | sed 's/^/  /'
[ "$rc" = 0 ] || fail "sz_test test=nmi: $out"
[ "$(dmesg | grep -c 'sz_test: ok CPU 0')" = 4 ] || fail "expected 4 NMI checks to pass"
dmesg | grep -qE 'CPU 0: devirtualized .* NMIs: [1-9][0-9]* arrived in root' ||
	fail "subzero did not count an NMI in root on CPU 0"
