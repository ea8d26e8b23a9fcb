# Each CPU's state in sysfs (/sys/module/subzero/cpus/cpuN/, one value per file): what
# `subzero status` shows; exits grow with the CPU's CPUIDs; after detach no CPU is
# virtualized, after attach all are again; the directory goes with the module.
sz_load
S=/sys/module/subzero/cpus
ncpu=$(nproc)
[ -d $S ] || fail "no $S"
[ "$(ls $S | grep -c '^cpu[0-9]*$')" -ge "$ncpu" ] || fail "$S has $(ls $S | tr '\n' ' ')"
for cpu in $(seq 0 $((ncpu - 1))); do
	d=$S/cpu$cpu
	for f in online virtualized vpid exits root_tsc launch_tsc ept_pages; do
		[ -r $d/$f ] || fail "no $d/$f"
	done
	[ "$(cat $d/online) $(cat $d/virtualized)" = "1 1" ] ||
		fail "cpu$cpu: online $(cat $d/online), virtualized $(cat $d/virtualized)"
	vpid=$(cat $d/vpid)
	subzero status --cpu $cpu | grep -q "^CPU $cpu: virtualized, VPID $vpid," ||
		fail "cpu$cpu: sysfs VPID $vpid, status: $(subzero status --cpu $cpu | tail -n 1)"
	e1=$(cat $d/exits)
	for i in 1 2 3; do on_cpu $cpu cpuid-probe > /dev/null; done
	e2=$(cat $d/exits)
	[ "$e2" -ge $((e1 + 3)) ] || fail "cpu$cpu: exits $e1 then $e2 after 3 cpuid-probes"
	[ "$(cat $d/root_tsc)" -gt 0 ] && [ "$(cat $d/launch_tsc)" -gt 0 ] ||
		fail "cpu$cpu: root_tsc $(cat $d/root_tsc), launch_tsc $(cat $d/launch_tsc)"
	[ "$(cat $d/ept_pages)" -gt 0 ] || fail "cpu$cpu: ept_pages $(cat $d/ept_pages)"
	note "cpu$cpu: vpid $vpid, exits $e2, root_tsc $(cat $d/root_tsc), ept_pages $(cat $d/ept_pages)"
done
subzero detach > /dev/null || fail "detach"
for cpu in $(seq 0 $((ncpu - 1))); do
	[ "$(cat $S/cpu$cpu/virtualized) $(cat $S/cpu$cpu/exits)" = "0 0" ] ||
		fail "cpu$cpu after detach: virtualized $(cat $S/cpu$cpu/virtualized)"
done
subzero attach > /dev/null || fail "attach"
for cpu in $(seq 0 $((ncpu - 1))); do
	[ "$(cat $S/cpu$cpu/virtualized)" = 1 ] || fail "cpu$cpu not virtualized after attach"
done
sz_unload
[ ! -e $S ] || fail "$S outlives the module"
