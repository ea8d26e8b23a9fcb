# `subzero vmcs`: each CPU's VMCS, read by that CPU in VMX root, in the six groups,
# with names, control words decoded, unsupported fields marked; the JSON goes to the
# host (host/tool_vmcs.py), which checks the values themselves.
sz_load
ncpu=$(nproc)
subzero vmcs > /tmp/vmcs.txt || fail "vmcs exited $?"
for cpu in $(seq 0 $((ncpu - 1))); do
	grep -Eq "^CPU $cpu: VMCS read in VMX root at [0-9.]+ s \(TSC\), [0-9]+ of [0-9]+ fields supported by this CPU$" /tmp/vmcs.txt ||
		fail "no VMCS header for CPU $cpu"
done
for g in "guest-state area" "host-state area" "VM-execution control fields" \
	 "VM-exit control fields" "VM-entry control fields" "VM-exit information fields"; do
	[ "$(grep -c "^  $g:$" /tmp/vmcs.txt)" = "$ncpu" ] || fail "group '$g' not shown for every CPU"
done
grep -Eq '^    CPU_BASED_VM_EXEC_CONTROL +0x[0-9a-f]{8} .*CPU_BASED_USE_MSR_BITMAPS.*CPU_BASED_ACTIVATE_SECONDARY_CONTROLS' /tmp/vmcs.txt ||
	fail "primary controls not decoded"
grep -Eq '^    SECONDARY_VM_EXEC_CONTROL +0x[0-9a-f]{8} .*SECONDARY_EXEC_ENABLE_VPID' /tmp/vmcs.txt ||
	fail "secondary controls not decoded"
grep -Eq '^    VM_ENTRY_CONTROLS +0x[0-9a-f]{8} .*VM_ENTRY_IA32E_MODE' /tmp/vmcs.txt || fail "entry controls not decoded"
grep -Eq '^    VM_EXIT_REASON +0x00000012 VMCALL$' /tmp/vmcs.txt || fail "exit reason is not the snapshot VMCALL"
grep -Eq '^    HOST_CR3 +0x0*[1-9a-f][0-9a-f]*$' /tmp/vmcs.txt || fail "HOST_CR3 zero or missing"
grep -Eq '^    TERTIARY_VM_EXEC_CONTROL +\(not supported by this CPU\)$' /tmp/vmcs.txt ||
	fail "a field the emulated CPU lacks is not marked unsupported"
grep -A 300 '^CPU 1: VMCS' /tmp/vmcs.txt | head -n 40
subzero vmcs --cpu 1 > /tmp/vmcs1.txt || fail "vmcs --cpu 1 exited $?"
[ "$(grep -c '^CPU ' /tmp/vmcs1.txt)" = 1 ] || fail "vmcs --cpu 1 shows other CPUs"
grep -Eq '^    VIRTUAL_PROCESSOR_ID +0x0002$' /tmp/vmcs1.txt || fail "CPU 1's VPID is not 2"
set +e
subzero vmcs --cpu 4096 > /tmp/out 2>&1; rc=$?
set -e
[ "$rc" = 1 ] && grep -q 'no CPU 4096' /tmp/out || fail "vmcs --cpu 4096: exit $rc: $(cat /tmp/out)"
subzero vmcs --json > /tmp/vmcs.json || fail "vmcs --json exited $?"
artifact vmcs.json /tmp/vmcs.json
# The hypervisor's own count of unsupported fields (its log) agrees with the dump.
n=$(subzero log | sed -n 's/.*CPU 1: VMCS snapshot, \([0-9]*\) fields not supported.*/\1/p' | tail -n 1)
[ "$(grep -c '(not supported by this CPU)' /tmp/vmcs1.txt)" = "$n" ] ||
	fail "log says $n fields unsupported, the dump shows $(grep -c '(not supported' /tmp/vmcs1.txt)"
nproc > /tmp/nproc
artifact nproc /tmp/nproc
sz_unload
