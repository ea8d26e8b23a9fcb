# One instruction that touches two watched or protected pages (issue 11, item 7): every
# page it faults on is opened for the one step, and each is recorded.
#  - an unaligned 8-byte store across two write-watched pages: one event on each page
#    per store, and the stored values read back right;
#  - REP MOVSQ from a read-watched page to a protected one: each iteration reads the
#    one and writes the other, so one read event and one discarded write per quadword;
#    the protected page keeps what it held.
# The CPU goes on after both (it used to stop: "not expected while stepping").  Exact
# events checked on the host (host/ept_multi.py).
sz_load
dmesg -c > /dev/null
modload /e2e/sz_test.ko test=multi || fail "sz_test test=multi did not load"
line=$(dmesg | grep 'sz_test: multi a=')
a=0x$(echo "$line" | sed 's/.* a=\([0-9a-f]*\).*/\1/')
b=0x$(echo "$line" | sed 's/.* b=\([0-9a-f]*\).*/\1/')
src=0x$(echo "$line" | sed 's/.* src=\([0-9a-f]*\).*/\1/')
dst=0x$(echo "$line" | sed 's/.* dst=\([0-9a-f]*\).*/\1/')
note "pages: a $a, b $b, source $src, destination $dst"
subzero watch events > /dev/null
subzero watch add "$a" --access w || fail "watch add $a"
subzero watch add "$b" --access w || fail "watch add $b"
on_cpu 1 sh -c 'echo 10 > /sys/module/sz_test/parameters/straddle' ||
	fail "the straddling stores failed: $(dmesg | grep 'straddling stores' | tail -n 1)"
line=$(dmesg | grep 'sz_test: ok: 10 straddling stores') ||
	fail "stores read back wrong: $(dmesg | grep 'straddling' | tail -n 1)"
srip=0x$(echo "$line" | sed 's/.*from rip=\([0-9a-f]*\).*/\1/')
subzero watch events --json > /tmp/straddle.json || fail "watch events --json"
subzero watch del "$a" || fail "watch del $a"
subzero watch del "$b" || fail "watch del $b"
on_cpu 1 true || fail "CPU 1 after the straddling stores"
na=$(grep -o "\"gpa\": $(( a + 0xffc ))[^0-9]" /tmp/straddle.json | grep -c . || true)
nb=$(grep -o "\"gpa\": $(( b ))[^0-9]" /tmp/straddle.json | grep -c . || true)
note "straddling stores at $srip: $na events on a, $nb on b"
[ "$na" = 10 ] && [ "$nb" = 10 ] || fail "10 stores across a and b: $na events on a, $nb on b"
# REP MOVSQ of 8 quadwords: source read-watched, destination protected
subzero watch add "$src" --access r || fail "watch add $src --access r"
subzero protect add "$dst" || fail "protect add $dst"
on_cpu 1 sh -c 'echo 8 > /sys/module/sz_test/parameters/movs' ||
	fail "REP MOVSQ failed: $(dmesg | grep 'sz_test: movs' | tail -n 1)"
line=$(dmesg | grep 'sz_test: movs: 8 quadwords') || fail "no report from REP MOVSQ"
mrip=0x$(echo "$line" | sed 's/.*at rip=\([0-9a-f]*\).*/\1/')
note "${line#*sz_test: }"
echo "$line" | grep -q ', 0 left, 0 destination quadwords changed$' ||
	fail "REP MOVSQ into the protected page: $line"
subzero watch events --json > /tmp/movs.json || fail "watch events --json"
subzero watch del "$src" || fail "watch del $src"
subzero protect del "$dst" || fail "protect del $dst"
on_cpu 1 true || fail "CPU 1 after REP MOVSQ"
# not protected any more: the same copy lands
on_cpu 1 sh -c 'echo 8 > /sys/module/sz_test/parameters/movs'
dmesg | grep 'sz_test: movs: 8 quadwords' | tail -n 1 |
	grep -q ', 0 left, 8 destination quadwords changed$' ||
	fail "REP MOVSQ without the protection: $(dmesg | grep 'sz_test: movs' | tail -n 1)"
echo "$a $b $srip $src $dst $mrip" > /tmp/multi_expect
artifact straddle.json /tmp/straddle.json
artifact movs.json /tmp/movs.json
artifact multi_expect /tmp/multi_expect
[ "$(subzero watch list | grep -c .)" = 0 ] || fail "watches left: $(subzero watch list)"
rmmod sz_test || fail "rmmod sz_test"
sz_unload
