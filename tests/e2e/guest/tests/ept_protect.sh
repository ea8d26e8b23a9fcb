# Protect: a write to protected kernel text is not performed, is reported, and the
# system goes on; after `protect del` the same write goes through.  The hypervisor's
# own pages (here CPU 0's EPT root) cannot be watched, and a guest write to them does
# not reach the real table.
sz_load
dmesg -c > /dev/null
text=$(awk '/Kernel code/ { print $1 }' /proc/iomem | head -n 1)
page=$(printf '0x%x' $(( 0x${text%-*} )))
note "kernel text starts at $page"
subzero watch events > /dev/null
# not RAM (the local APIC's MMIO page): refused, with the reason (a watch is fine)
expect_fail subzero protect add 0xfee00000
echo "$out" | grep -q "not ordinary RAM" || fail "protect of MMIO: $out"
subzero protect list | grep -q fee00000 && fail "MMIO page in the protect list"
subzero protect add "$page" || fail "protect add $page"
subzero protect list | grep -q "^$page -w-$" || fail "protect list: $(subzero protect list)"
out=$(modload /e2e/sz_test.ko "test=poke pa=$page" 2>&1) ||
	fail "the write stuck: $out $(dmesg | grep sz_test | tail -n 2 | tr '\n' ' ')"
rmmod sz_test
subzero watch events > /tmp/ev
grep -q "protect -w- gpa $(printf '0x%x' $((page + 256))) .* discarded" /tmp/ev ||
	fail "no discarded-write event: $(cat /tmp/ev)"
sed 's/^/  /' /tmp/ev
subzero protect del "$page" || fail "protect del"
# not protected any more: the write sticks (and the module puts the byte back)
out=$(modload /e2e/sz_test.ko "test=poke pa=$page" 2>&1) && fail "a write after protect del did not stick"
rmmod sz_test 2>/dev/null || true
dmesg -c > /dev/null
# the hypervisor's own memory: cannot be watched; a guest write does not reach it
eptp=$(subzero status --json | sed -n 's/.*"cpu": 0,.*"eptp": \([0-9]*\).*/\1/p')
[ -n "$eptp" ] && [ "$eptp" != 0 ] || fail "no EPTP for CPU 0"
root=$(printf '0x%x' $(( eptp & ~0xfff )))
expect_fail subzero watch add "$root"
echo "$out" | grep -q "hypervisor's own memory" || fail "watch of the EPT root: $out"
modload /e2e/sz_test.ko "test=zero pa=$root" || fail "sz_test test=zero"
rmmod sz_test
# What the guest read there is the scratch page (zeros, or the copy a protected write
# last went to), never a PML4 entry: a table address below 2^40 with R, W and X set.
v=0x$(dmesg | sed -n 's/.*EPT page [0-9a-f]* reads \([0-9a-f]*\) before.*/\1/p')
[ "$v" != 0x ] || fail "sz_test did not report what it read"
[ $(( v & 7 )) = 7 ] && [ $(( v >> 40 )) = 0 ] && [ $(( v & 0xff8 )) = 0 ] &&
	fail "the guest read what looks like the EPT root's real entry: $v"
# CPU 0's EPT still works
on_cpu 0 cpuid-probe | grep -q signature=subzero || fail "CPU 0 lost its hypervisor"
on_cpu 0 md5sum /e2e/subzero.ko > /dev/null || fail "CPU 0 cannot read files"
subzero ept 0x100000 --cpu 0 | grep -q 'rwx' || fail "CPU 0's EPT does not answer"
# unloading with a page still protected gives full access back
subzero protect add "$page" || fail "protect add again"
sz_unload
out=$(modload /e2e/sz_test.ko "test=poke pa=$page" 2>&1) && fail "a write after unload did not stick"
rmmod sz_test 2>/dev/null || true
