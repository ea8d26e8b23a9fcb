# Load on every CPU the machine has, and report what it costs: the insmod and rmmod
# times (guest seconds) and the module's memory (total, and the EPT pool of each CPU).
# For scenarios with more CPUs (smp4, smp8): the spare EPT pool grows with the pages
# to hide, which grow with the CPUs.
n=$(nproc)
t0=$(cut -d' ' -f1 /proc/uptime)
sz_load
t1=$(cut -d' ' -f1 /proc/uptime)
for c in $(seq 0 $((n - 1))); do
	on_cpu $c cpuid-probe | grep -q signature=subzero || fail "CPU $c not virtualized"
done
subzero stats --json > /tmp/st.json || fail "stats failed"
bytes=$(sed -n 's/.*"alloc_bytes": \([0-9]*\).*/\1/p' /tmp/st.json)
pools=$(subzero status --json | sed -n 's/.*"ept_pool_pages": \([0-9]*\).*/\1/p' | tr '\n' ' ')
used=$(subzero status --json | sed -n 's/.*"ept_pages": \([0-9]*\).*/\1/p' | tr '\n' ' ')
t2=$(cut -d' ' -f1 /proc/uptime)
sz_unload
t3=$(cut -d' ' -f1 /proc/uptime)
note "figures: cpus=$n insmod_s=$(echo "$t1 $t0" | awk '{print $1-$2}') rmmod_s=$(echo "$t3 $t2" | awk '{print $1-$2}') module_bytes=$bytes ept_pool_pages=[ $pools] ept_pages_in_use=[ $used]"
[ -n "$bytes" ] || fail "no alloc_bytes in stats --json"
