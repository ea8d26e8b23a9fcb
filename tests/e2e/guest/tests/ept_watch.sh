# Watch: a test module's writes to a watched page are recorded one for one (count, GPA,
# RIP) and the data written is right; an execute watch on a test function records each
# call; removing the watch stops the events.
sz_load
dmesg -c > /dev/null
modload /e2e/sz_test.ko test=watch || fail "sz_test test=watch did not load"
line=$(dmesg | grep 'sz_test: watch data pa=')
data=$(echo "$line" | sed 's/.*data pa=\([0-9a-f]*\).*/0x\1/')
exec_pa=$(echo "$line" | sed 's/.*exec pa=\([0-9a-f]*\).*/0x\1/')
exec_rip=$(echo "$line" | sed 's/.*exec rip=\([0-9a-f]*\).*/0x\1/')
note "data page $data, function page $exec_pa, function at $exec_rip"
subzero watch events > /dev/null		# start from an empty ring
subzero watch add "$data" --access w || fail "watch add $data"
subzero watch list | grep -q "^$data -w-$" || fail "watch list: $(subzero watch list)"
on_cpu 1 sh -c 'echo 25 > /sys/module/sz_test/parameters/writes' || fail "the writes failed"
dmesg | grep -q 'sz_test: ok: 25 writes' || fail "written data read back wrong: $(dmesg | grep 'writes at')"
rip=0x$(dmesg | sed -n 's/.*writes at pa=[0-9a-f]* from rip=\([0-9a-f]*\).*/\1/p' | tail -n 1)
subzero watch events > /tmp/ev || fail "watch events failed"
n=$(grep -c "^cpu 1 watch   -w- gpa ${data%???}[0-9a-f][0-9a-f][0-9a-f] " /tmp/ev || true)
[ "$(grep -c . /tmp/ev)" = 25 ] && [ "$n" = 25 ] ||
	fail "25 writes on CPU 1, $n events for them, $(grep -c . /tmp/ev) in all: $(head -n 3 /tmp/ev | tr '\n' ' ')"
[ "$(grep -c " rip $rip " /tmp/ev)" = 25 ] || fail "events not at the writing RIP $rip: $(head -n 2 /tmp/ev)"
head -n 2 /tmp/ev | sed 's/^/  /'
# the same as JSON, checked on the host (host/ept_watch.py): 3 more writes
on_cpu 1 sh -c 'echo 3 > /sys/module/sz_test/parameters/writes' || fail "3 more writes failed"
subzero watch events --json > /tmp/ev.json || fail "watch events --json failed"
echo "$data $rip" > /tmp/watch_expect
artifact watch_events.json /tmp/ev.json
artifact watch_expect /tmp/watch_expect
# removed: no more events, and the writes still land
subzero watch del "$data" || fail "watch del"
echo 5 > /sys/module/sz_test/parameters/writes || fail "writes after del"
[ "$(subzero watch events | grep -c .)" = 0 ] || fail "events after watch del"
# execute: each call of the function is recorded at its first instruction
subzero watch add "$exec_pa" --access x || fail "watch add $exec_pa --access x"
on_cpu 0 sh -c 'echo 7 > /sys/module/sz_test/parameters/calls' || fail "the calls failed"
subzero watch events > /tmp/ev
subzero watch del "$exec_pa" || fail "watch del $exec_pa"
n=$(grep " --x " /tmp/ev | grep -c " rip $exec_rip " || true)
[ "$n" = 7 ] || fail "7 calls, $n execute events at $exec_rip: $(head -n 3 /tmp/ev | tr '\n' ' ')"
rmmod sz_test
# bad input
expect_fail subzero watch add 0x1001
echo "$out" | grep -q "4 KiB-aligned" || fail "unaligned: $out"
expect_fail subzero watch add 0x1000 --access q
expect_fail subzero watch del 0x5000
echo "$out" | grep -q "not watched" || fail "del of an unwatched page: $out"
for i in $(seq 1 32); do subzero watch add $((0x100000 + i * 4096)) || fail "watch $i"; done
expect_fail subzero watch add 0x200000
echo "$out" | grep -q "table is full" || fail "33rd watch: $out"
for i in $(seq 1 32); do subzero watch del $((0x100000 + i * 4096)) || fail "del $i"; done
sz_unload
