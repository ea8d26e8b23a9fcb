# The same workload gives the same results with and without subzero: fork/exec, pipes,
# file I/O with checksums, timers and sleeps.
run_workload() {
	out=$1
	: > "$out"
	i=0
	while [ $i -lt 200 ]; do /bin/true; i=$((i + 1)); done
	echo "forks ok" >> "$out"
	seq 1 20000 | sort -rn | md5sum >> "$out"
	dd if=/dev/zero bs=4096 count=2048 2>/dev/null | tr '\0' 'z' > /tmp/big
	md5sum < /tmp/big >> "$out"
	cp /tmp/big /tmp/big2 && cmp /tmp/big /tmp/big2 && echo "copy ok" >> "$out"
	t0=$(cut -d. -f1 /proc/uptime)
	sleep 1
	t1=$(cut -d. -f1 /proc/uptime)
	[ $((t1 - t0)) -ge 1 ] && echo "sleep ok" >> "$out"
	for cpu in $(seq 0 $(($(nproc) - 1))); do
		on_cpu "$cpu" sh -c 'seq 1 3000 | md5sum' >> "$out"
	done
}
run_workload /tmp/without
sz_load
run_workload /tmp/with
subzero stats > /tmp/stats.txt
cat /tmp/stats.txt
sz_unload
cmp /tmp/without /tmp/with || fail "results differ: $(diff /tmp/without /tmp/with | head -n 5)"
[ "$(wc -l < /tmp/without)" -ge 6 ] || fail "workload incomplete: $(cat /tmp/without)"
