# `subzero stats`: exits by reason with TSC cycles in root (total and mean, share of
# the exits and of the time in root, min and max, a log2 histogram: perf kvm stat's
# view), on the CPU that caused them; --interval prints rates per second, K times or
# until Ctrl-C.
sz_load
on_cpu 0 cpuid-probe > /dev/null
for i in 1 2 3 4 5 6 7 8 9 10; do on_cpu 1 cpuid-probe > /dev/null; done
subzero stats --cpu 1 > /tmp/s1.txt || fail "stats --cpu 1 exited $?"
cat /tmp/s1.txt
grep -q '^  exit reason  *exits  *root cycles  *mean cycles  *exits%  *root%  *min cycles  *max cycles$' /tmp/s1.txt ||
	fail "no column header"
set -- $(awk '$1 == "CPUID" { print $2, $3, $4, $7, $8 }' /tmp/s1.txt)
[ "${1:-0}" -ge 20 ] || fail "CPU 1: ${1:-no} CPUID exits after 10 cpuid-probes"
[ "${2:-0}" -gt 0 ] || fail "CPU 1: no root cycles for CPUID"
[ "$3" = $(($2 / $1)) ] || fail "CPUID mean $3 is not $2 / $1"
[ "$4" -gt 0 ] && [ "$4" -le "$3" ] && [ "$3" -le "$5" ] || fail "CPUID min $4, mean $3, max $5"
# the histogram line under the CPUID row: buckets that add up to its exits
n=$(awk '$1 == "CPUID" { getline; if ($1 " " $2 " " $3 == "cycles in root:") print; exit }' /tmp/s1.txt |
	grep -oE '\) [0-9]+' | awk '{ s += $2 } END { print s + 0 }')
# (read right after the count, while CPU 1 may exit again: a few more at most)
[ "$n" -ge "$1" ] && [ "$n" -le $(($1 + 5)) ] || fail "CPUID histogram counts $n exits, the row $1"
subzero stats --json > /tmp/stats.json || fail "stats --json exited $?"
artifact stats.json /tmp/stats.json

# Rates: CPU 1 busy with CPUIDs meanwhile.
( while :; do on_cpu 1 cpuid-probe > /dev/null; done ) &
busy=$!
subzero stats --interval 1 --count 2 > /tmp/iv.txt || { kill $busy; fail "stats --interval exited $?"; }
subzero stats --cpu 1 --interval 0.5 --count 3 --json > /tmp/interval.json ||
	{ kill $busy; fail "stats --interval --json exited $?"; }
kill $busy
wait $busy 2> /dev/null || true
cat /tmp/iv.txt
[ "$(grep -c '^--- interval [0-9]* (1.000 s)$' /tmp/iv.txt)" = 2 ] || fail "want 2 intervals"
rate=$(awk '/^CPU 1: / { on = 1; next } /^CPU / { on = 0 } on && $1 == "CPUID" { r = $2 } END { print r + 0 }' /tmp/iv.txt)
awk -v r="$rate" 'BEGIN { exit !(r > 0) }' || fail "CPU 1 CPUID rate $rate while busy with CPUIDs"
grep -Eq '^CPU 0: [0-9.]+ exits/s, [0-9.]+% of the time in VMX root$' /tmp/iv.txt || fail "no CPU 0 rate line"
artifact interval.json /tmp/interval.json

# Until interrupted: SIGINT stops it cleanly, exit 0.
subzero stats --interval 0.2 > /tmp/iv2.txt &
pid=$!
sleep 1
kill -INT $pid
set +e
wait $pid; rc=$?
set -e
[ "$rc" = 0 ] || fail "stats --interval exited $rc after SIGINT"
grep -q '^--- interval 1 ' /tmp/iv2.txt || fail "no interval printed before SIGINT"
nproc > /tmp/nproc
artifact nproc /tmp/nproc
sz_unload
