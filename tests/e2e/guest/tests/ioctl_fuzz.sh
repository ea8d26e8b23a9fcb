# 100,000 random ioctls (tests/e2e/helpers/ioctl-fuzz.c), 50,000 from each CPU at once:
# every answer one the ABI allows, the system and the hypervisor still fine after, and
# not one allocation more or less.
sz_load
alloc() { subzero status --json | sed -n 's/^  "alloc_count": \(-*[0-9]*\),$/\1/p'; }
before=$(alloc)
[ -n "$before" ] || fail "no alloc_count in status --json"
on_cpu 0 ioctl-fuzz -n 50000 -t 200 -s 1 > /tmp/f0.txt 2>&1 &
p0=$!
on_cpu 1 ioctl-fuzz -n 50000 -t 200 -s 2 > /tmp/f1.txt 2>&1 &
p1=$!
set +e
wait $p0; r0=$?
wait $p1; r1=$?
set -e
cat /tmp/f0.txt /tmp/f1.txt
[ "$r0" = 0 ] || fail "fuzzer on CPU 0: $(tail -n 1 /tmp/f0.txt)"
[ "$r1" = 0 ] || fail "fuzzer on CPU 1: $(tail -n 1 /tmp/f1.txt)"
grep -q '^ioctl-fuzz: done 50000 of 50000 ' /tmp/f0.txt || fail "CPU 0 fuzzer stopped early: $(cat /tmp/f0.txt)"
grep -q '^ioctl-fuzz: done 50000 of 50000 ' /tmp/f1.txt || fail "CPU 1 fuzzer stopped early: $(cat /tmp/f1.txt)"
after=$(alloc)
[ "$after" = "$before" ] || fail "alloc_count $before before, $after after"
note "alloc_count $before before and after"
subzero status | grep -q '^subzero: attached' || fail "not attached after fuzzing"
for cpu in $(seq 0 $(($(nproc) - 1))); do
	on_cpu "$cpu" cpuid-probe | grep -q signature=subzero || fail "CPU $cpu not virtualized after fuzzing"
	subzero vmcs --cpu "$cpu" > /dev/null || fail "vmcs --cpu $cpu after fuzzing"
done
dmesg -c > /dev/null
sz_unload
dmesg | grep -q 'subzero: unloaded; 0 allocations outstanding' || fail "leak at unload: $(dmesg | grep 'subzero: unloaded')"
