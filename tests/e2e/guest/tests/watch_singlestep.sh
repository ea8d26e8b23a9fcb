# Once out of every scenario: CPU 1 livelocked here (92,000 EPT violations at the one
# store on tigerlake; on Haswell, silent for 54 guest s after the watches): Bochs 2.7 saves, at
# the EPT violation of an instruction run with RFLAGS.TF, the single step it scheduled
# before the instruction in the pending debug exceptions, and the VM entry delivered
# that #DB before the store, at every retry.  Hardware saves that field clear for such
# an exit (SDM Vol. 3C, 28.3.4); watch.c now clears it too (violation_pending_dbg).
# A program's own single-stepping and INT1 on pages it has watched (tf-watch): with
# RFLAGS.TF stepping (the emulated Haswell has no MTF; Bochs' tigerlake falls back to
# it) the program must see what bare metal gives it: a single-step trap right after its
# watched store, as TRAP_TRACE (the #DB injected with DR6.BS: without it the kernel
# sends no signal), and one SIGTRAP for ICEBP on its execute-watched code page, the
# CPU going on (INT1 in the step used to stop it).  First without subzero.
out=$(echo go | on_cpu 1 tf-watch | tail -n 1)
echo "$out" | grep -q '^tf-watch: ok' || fail "without subzero: $out"
sz_load
rm -f /tmp/tfw.in /tmp/tfw.out
mkfifo /tmp/tfw.in
on_cpu 1 tf-watch < /tmp/tfw.in > /tmp/tfw.out 2>&1 &
pid=$!
exec 3> /tmp/tfw.in
for i in $(seq 1 30); do
	grep -q 'data=' /tmp/tfw.out && break
	sleep 1
done
line=$(grep 'data=' /tmp/tfw.out) || fail "tf-watch said nothing: $(cat /tmp/tfw.out)"
data=$(echo "$line" | sed 's/.*data=\(0x[0-9a-f]*\).*/\1/')
code=$(echo "$line" | sed 's/.*code=\(0x[0-9a-f]*\).*/\1/')
rip=$(echo "$line" | sed 's/.*store_rip=\(0x[0-9a-f]*\).*/\1/')
note "data page $data, code page $code, store at $rip"
subzero watch events > /dev/null
subzero watch add "$data" --access w || fail "watch add $data"
subzero watch add "$code" --access x || fail "watch add $code"
echo go >&3
exec 3>&-
rc=0
wait $pid || rc=$?
out=$(tail -n 1 /tmp/tfw.out)
subzero watch events > /tmp/ev || fail "watch events"
subzero watch del "$data" || fail "watch del $data"
subzero watch del "$code" || fail "watch del $code"
[ "$rc" = 0 ] || fail "with the watches: $out"
note "$out"
grep -q "^cpu 1 watch   -w- gpa ${data%???}[0-9a-f]* .* rip $rip " /tmp/ev ||
	fail "the store was not recorded: $(head -n 3 /tmp/ev | tr '\n' ' ')"
grep -q "^cpu 1 watch   --x gpa ${code%???}" /tmp/ev ||
	fail "no execute on the code page recorded: $(head -n 3 /tmp/ev | tr '\n' ' ')"
on_cpu 1 true || fail "CPU 1 after the test"
sz_unload
