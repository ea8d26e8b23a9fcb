# `subzero status`: attached, every CPU virtualized with its VPID, exits so far and the
# time since launch (TSC), the EPT pages in use; the JSON is checked on the host.
sz_load
ncpu=$(nproc)
for cpu in $(seq 0 $((ncpu - 1))); do on_cpu "$cpu" cpuid-probe > /dev/null; done
subzero status > /tmp/st.txt || fail "status exited $?"
cat /tmp/st.txt
grep -Eq "^subzero: attached, ABI 2, TSC [1-9][0-9]* kHz, $ncpu of $ncpu CPUs online, [1-9][0-9]* module allocations$" /tmp/st.txt ||
	fail "header: $(head -n 1 /tmp/st.txt)"
for cpu in $(seq 0 $((ncpu - 1))); do
	grep -Eq "^CPU $cpu: virtualized, VPID $((cpu + 1)), [1-9][0-9]* exits, up [0-9]+\.[0-9]{3} s, EPT pages [1-9][0-9]*$" /tmp/st.txt ||
		fail "CPU $cpu: $(grep "^CPU $cpu:" /tmp/st.txt)"
done
# The time since launch is TSC time, and agrees with the kernel's own clock: bracketed
# by /proc/uptime readings, it grows by at least the 1 s slept and at most the time
# that passed around it.
up() { subzero status --cpu 1 | sed -n 's/.* up \([0-9.]*\) s,.*/\1/p'; }
now() { cut -d' ' -f1 /proc/uptime; }
t0=$(now)
u1=$(up)
sleep 1
u2=$(up)
t1=$(now)
awk -v a="$u1" -v b="$u2" -v t0="$t0" -v t1="$t1" \
	'BEGIN { d = b - a; exit !(a > 0 && d >= 1 && d <= t1 - t0 + 0.02) }' ||
	fail "uptime went from $u1 to $u2 over a 1 s sleep, while /proc/uptime went from $t0 to $t1"
subzero status --cpu 1 > /tmp/st1.txt || fail "status --cpu 1 failed"
[ "$(grep -c '^CPU ' /tmp/st1.txt)" = 1 ] && grep -q '^CPU 1: virtualized' /tmp/st1.txt ||
	fail "status --cpu 1: $(cat /tmp/st1.txt)"
subzero status --json > /tmp/status.json || fail "status --json exited $?"
artifact status.json /tmp/status.json
nproc > /tmp/nproc
artifact nproc /tmp/nproc
sz_unload
