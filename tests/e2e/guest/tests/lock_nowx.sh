# The lock when root refuses the kernel text W^X arguments (test build: test_wx_refused=1
# hands it a bad magic).  Root has taken the rest of the lock by then (lock_engage()
# before lock_wx_engage()), so the log, `subzero lock` and `subzero status` must say
# exactly that: locked, without W^X (not "the lock was refused"); the modules get no
# W^X either, and loading one still works.  One way: the scenario's one test.
sz_load test_wx_refused=1
dmesg -c > /dev/null
out=$(subzero lock 2>&1) || fail "subzero lock failed: $out"
echo "$out" | grep -q "^locked: $(nproc) CPUs locked.*kernel text W^X OFF" || fail "subzero lock said: $out"
note "subzero lock: $out"
dmesg > /tmp/dmesg
grep -q "locked, but the hypervisor refused the kernel text W^X arguments on $(nproc) CPUs (-22)" /tmp/dmesg || \
	fail "the log does not say the W^X was refused: $(grep subzero /tmp/dmesg)"
grep -q "locked on $(nproc) CPUs until reboot.*; kernel text W^X off" /tmp/dmesg || \
	fail "the lock's line does not say W^X is off: $(grep locked /tmp/dmesg)"
if grep -q 'the lock was refused\|the lock was not taken' /tmp/dmesg; then
	fail "the log says the lock was refused, but it was taken: $(grep refused /tmp/dmesg)"
fi
grep -q "no CPU holds the kernel text W^X: modules' text is not W^X either" /tmp/dmesg || \
	fail "the log does not say the modules are not W^X: $(grep 'lock:' /tmp/dmesg)"
sed 's/^/  /' /tmp/dmesg | grep 'lock\|W^X'
n=$(subzero status | grep -c 'lock: on' || true)
[ "$n" = "$(nproc)" ] || fail "status shows $n CPUs locked: $(subzero status)"
n=$(subzero status | grep -c 'kernel text W^X: off' || true)
[ "$n" = "$(nproc)" ] || fail "status shows W^X off on $n CPUs: $(subzero status)"
n=$(subzero status --json | grep -o '"kernel_text_wx": false' | wc -l)
[ "$n" = "$(nproc)" ] || fail "status --json: kernel_text_wx false on $n CPUs: $(subzero status --json)"
# the rest of the lock holds
if rmmod subzero 2>/dev/null; then fail "rmmod subzero went through: not locked"; fi
subzero detach > /tmp/err 2>&1 && fail "detach went through: not locked"
grep -q 'locked' /tmp/err || fail "detach: $(cat /tmp/err)"
# a module loads and unloads, without W^X
out=$(modload /e2e/sz_test.ko "test=vmx expect_hv=1" 2>&1) || fail "another module: $out"
rmmod sz_test || fail "unloading another module"
n=$(cat /sys/module/subzero/cpus/cpu*/lock_mod_runs | awk '{ s += $1 } END { print s + 0 }')
[ "$n" = 0 ] || fail "$n module runs registered without the kernel text W^X"
touch /tmp/cpu_abandoned	# locked: the runner must not try to unload it
