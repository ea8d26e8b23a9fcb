# A write watch on a CPU's own kernel stack page: interrupts delivered there touch the
# watched page during their delivery, and are re-injected.  The step must not combine
# that injection with blocking by STI (a VM-entry failure: the CPU stopped, then RCU
# stalls on the other one); the CPU keeps running, the writes are recorded, and the
# watch goes away cleanly.
sz_load
dmesg -c > /dev/null
modload /e2e/sz_test.ko test=stack || fail "sz_test test=stack did not load"
pa=0x$(dmesg | sed -n 's/.*sz_test: stack pa=\([0-9a-f]*\) cpu=1.*/\1/p')
[ "$pa" != 0x ] || fail "no stack address: $(dmesg | grep sz_test)"
note "CPU 1's spinning thread has its stack at $pa"
subzero watch events > /dev/null
subzero watch add "$pa" --access w || fail "watch add $pa"
note "watched"
sleep 1
on_cpu 0 true || fail "CPU 0 does not run a program"
note "CPU 0 runs programs"
on_cpu 1 true || fail "CPU 1 does not run a program"
note "CPU 1 runs programs"
subzero watch events > /tmp/ev || fail "watch events"
n=$(grep -c "^cpu 1 watch   -w- gpa ${pa%???}" /tmp/ev || true)
[ "$n" -gt 0 ] || fail "no write recorded on CPU 1's stack page: $(head -n 3 /tmp/ev | tr '\n' ' ')"
note "$n writes recorded on the stack page"
subzero watch del "$pa" || fail "watch del $pa"
rmmod sz_test || fail "rmmod sz_test"
on_cpu 1 true || fail "CPU 1 after the watch"
sz_unload
