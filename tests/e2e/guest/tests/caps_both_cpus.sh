# `subzero caps` decodes every CPU's capabilities by name.
sz_load
subzero caps > /tmp/caps.txt 2>&1 || fail "subzero caps exited $?: $(tail -n1 /tmp/caps.txt)"
ncpu=$(nproc)
n=$(grep -c '^CPU [0-9]*: VMX revision 0x' /tmp/caps.txt)
[ "$n" = "$ncpu" ] || fail "caps shows $n CPUs, the guest has $ncpu"
for cpu in $(seq 0 $((ncpu - 1))); do
	grep -q "^CPU $cpu: VMX revision" /tmp/caps.txt || fail "CPU $cpu missing"
done
# Decoded by name, with the settings the emulated Haswell is known to allow.
grep -q 'SECONDARY_EXEC_ENABLE_EPT  *0 or 1' /tmp/caps.txt || fail "ENABLE_EPT not decoded as '0 or 1'"
grep -q 'VM_EXIT_HOST_ADDR_SPACE_SIZE  *0 or 1' /tmp/caps.txt || fail "HOST_ADDR_SPACE_SIZE not decoded"
grep -q 'VMX_EPT_PAGE_WALK_4  *yes' /tmp/caps.txt || fail "EPT 4-level walk not shown"
grep -q 'IA32_FEATURE_CONTROL: locked, VMXON outside SMX allowed' /tmp/caps.txt ||
	fail "IA32_FEATURE_CONTROL not decoded"
# One CPU alone, and an impossible one.
subzero caps --cpu 1 > /tmp/caps1.txt || fail "caps --cpu 1 failed"
[ "$(grep -c '^CPU ' /tmp/caps1.txt)" = 1 ] || fail "caps --cpu 1 printed other CPUs"
grep -q '^CPU 1: ' /tmp/caps1.txt || fail "caps --cpu 1 did not print CPU 1"
set +e
subzero caps --cpu 4096 > /tmp/out 2>&1; rc=$?
set -e
[ "$rc" = 1 ] || fail "caps --cpu 4096 exited $rc, want 1"
grep -q 'no CPU 4096' /tmp/out || fail "caps --cpu 4096 did not say why: $(cat /tmp/out)"
head -n 40 /tmp/caps.txt
sz_unload
