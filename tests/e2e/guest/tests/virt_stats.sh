# Per-CPU, per-exit-reason counters: CPUID exits counted on the CPU that ran them.
sz_load
subzero stats > /tmp/s0.txt || fail "stats failed"
cat /tmp/s0.txt
for cpu in $(seq 0 $(($(nproc) - 1))); do
	grep -q "^CPU $cpu: virtualized, VPID $((cpu + 1))," /tmp/s0.txt || fail "CPU $cpu not shown virtualized"
done
before=$(subzero stats --cpu 1 | awk '$1 == "CPUID" { print $2 }')
for i in 1 2 3 4 5 6 7 8 9 10; do on_cpu 1 cpuid-probe > /dev/null; done
after=$(subzero stats --cpu 1 | awk '$1 == "CPUID" { print $2 }')
# each cpuid-probe runs 2 CPUIDs (plus whatever the C library does at start-up)
[ $((after - ${before:-0})) -ge 20 ] || fail "CPU 1 CPUID exits went from ${before:-0} to $after, want +20"
subzero stats --json > /tmp/stats.json || fail "stats --json failed"
artifact stats.json /tmp/stats.json
sz_unload
