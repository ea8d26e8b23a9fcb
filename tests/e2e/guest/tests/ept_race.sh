# A page's watch and protection added and deleted again and again (watch, delete,
# protect, delete: the slot reused with the other kind each time) while CPU 1 writes
# the page without a pause (issue 11, item 8).  A CPU that faults on the page between
# a change of the table and its own sync must neither stop nor apply the other kind's
# semantics: no fail-closed stop (it panics), no kernel warning (the runner checks),
# both CPUs still virtualized, the writer still running, and the table empty at the end.
sz_load
dmesg -c > /dev/null
modload /e2e/sz_test.ko test=race || fail "sz_test test=race did not load"
pa=0x$(dmesg | sed -n 's/.*sz_test: race pa=\([0-9a-f]*\) cpu=1.*/\1/p')
[ "$pa" != 0x ] || fail "no page address: $(dmesg | grep sz_test)"
count=/sys/module/sz_test/parameters/race_count
c0=$(cat $count)
subzero watch events > /dev/null
# each add waits for two more writes (so both kinds surely meet the writer); each delete
# races with the writes
out=$(on_cpu 0 watch-race "$pa" 200 $count | tail -n 1)
echo "$out" | grep -q '^watch-race: ok 200 rounds' || fail "$out"
c1=$(cat $count)
note "$out on page $pa; CPU 1 wrote it $((c1 - c0)) times meanwhile"
[ "$c1" -gt "$c0" ] || fail "CPU 1's writer made no progress during the race"
subzero watch events > /tmp/ev || fail "watch events"
nw=$(grep -c "^cpu 1 watch   -w- gpa ${pa%???}" /tmp/ev || true)
np=$(grep -c "^cpu 1 protect -w- gpa ${pa%???}.* discarded$" /tmp/ev || true)
note "CPU 1's writes recorded: $nw while watched, $np discarded while protected"
# both semantics met the writer (else the race was not run); nothing else recorded
[ "$nw" -gt 0 ] && [ "$np" -gt 0 ] || fail "the writer never hit the watch ($nw) or the protection ($np)"
[ "$(grep -c '^cpu ' /tmp/ev)" = $((nw + np)) ] ||
	fail "events other than CPU 1's writes: $(grep -v "gpa ${pa%???}" /tmp/ev | head -n 2 | tr '\n' ' ')"
[ "$(subzero watch list | grep -c .)" = 0 ] || fail "watches left: $(subzero watch list)"
[ "$(subzero protect list | grep -c .)" = 0 ] || fail "protections left: $(subzero protect list)"
st=$(subzero status) || fail "subzero status"
[ "$(echo "$st" | grep -c '^CPU [0-9]*: virtualized')" = 2 ] || fail "status: $st"
sleep 1
c2=$(cat $count)
[ "$c2" -gt "$c1" ] || fail "CPU 1's writer stopped after the race ($c1, then $c2)"
on_cpu 1 true || fail "CPU 1 does not run a program"
on_cpu 0 true || fail "CPU 0 does not run a program"
rmmod sz_test || fail "rmmod sz_test"
line=$(dmesg | grep 'sz_test: race thread:' | tail -n 1)
note "${line#*sz_test: }"
sz_unload
