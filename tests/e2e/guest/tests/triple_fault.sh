# A guest triple fault on CPU 0 is an exit subzero cannot handle.  Failing closed must
# not hang the machine (a CPU halted in VMX root would hang every other CPU at the next
# IPI to it): CPU 0 dumps its VMCS by group, leaves VMX and panics with the exit's name
# on the console; panic=-1 then reboots the machine, and this test resumes after the
# second boot.  The host check (host/triple_fault.py) reads the console of the first
# boot: the report, the dump, the panic naming the exit, in that order.
if [ "$E2E_PHASE" = 1 ]; then
	taskset -p 2 $$ > /dev/null
	taskset -p 2 1 > /dev/null
	sz_load
	e2e_resume_here
	on_cpu 0 modload /e2e/sz_test.ko test=triple_fault > /dev/null 2>&1 &
	# CPU 1 goes on until the panic stops it.
	for i in $(seq 1 60); do
		sleep 0.5
	done
	fail "no panic within 30 s of the triple fault"
fi
note "booted again after the fail-closed panic (panic=-1)"
