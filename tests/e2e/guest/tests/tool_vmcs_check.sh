# `subzero vmcs --check`: the VM-entry checker (the same code as the hypervisor's,
# compiled into the tool) on each CPU's VMCS as that CPU reads it in VMX root.  A live
# VMCS passes every rule; the JSON goes to the host (host/tool_vmcs_check.py).
sz_load
ncpu=$(nproc)
subzero vmcs --check > /tmp/check.txt || fail "vmcs --check exited $?: $(cat /tmp/check.txt)"
cat /tmp/check.txt | sed 's/^/  /'
for cpu in $(seq 0 $((ncpu - 1))); do
	grep -Eq "^CPU $cpu: VMCS read in VMX root at [0-9.]+ s \(TSC\): passes \(0 of [0-9]+ VM-entry rules broken\)$" /tmp/check.txt ||
		fail "no passing verdict for CPU $cpu"
done
subzero vmcs --check --cpu 1 > /tmp/check1.txt || fail "vmcs --check --cpu 1 exited $?"
[ "$(grep -c '^CPU ' /tmp/check1.txt)" = 1 ] || fail "vmcs --check --cpu 1 shows other CPUs"
subzero vmcs --check --json > /tmp/check.json || fail "vmcs --check --json exited $?"
artifact vmcs_check.json /tmp/check.json
nproc > /tmp/nproc
artifact nproc /tmp/nproc
set +e
subzero vmcs --check --bogus > /tmp/out 2>&1; rc=$?
set -e
[ "$rc" = 2 ] || fail "vmcs --check --bogus: exit $rc"
set +e
subzero status --check > /tmp/out 2>&1; rc=$?
set -e
[ "$rc" = 2 ] || fail "--check is only for vmcs, but status --check exited $rc"
sz_unload
