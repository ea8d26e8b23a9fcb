# The VM-entry checker against the CPU: subzero (test_hooks=1) breaks one rule at a
# time on CPU 0's VMCS just before a VM entry, the CPU tries the entry, the VMCS is put
# back (sz_test.ko test=xcheck, SUBZERO_HC_TEST_XCHECK).  Per rule: did the CPU refuse
# the entry, did the checker name the rule.  Fails if the checker missed a rule; a
# state the CPU (the emulator) accepted although the SDM forbids it passes, listed as
# "emulator lenient": there only the checker can tell.
sz_load test_hooks=1
set +e
out=$(modload /e2e/sz_test.ko "test=xcheck cpu=0" 2>&1)
rc=$?
set -e
[ "$rc" = 0 ] && rmmod sz_test
dmesg | sed -n 's/.*sz_test: xcheck rule=/rule=/p' > /tmp/xcheck.txt
dmesg | grep -E 'sz_test: (FAIL|xcheck done)' | sed 's/^/  /' || true
subzero log > /tmp/xcheck.log 2>&1 || true
sz_unload
n=0; named=0; refused=0; lenient=""; other=""
while read -r line; do
	rule=; kind=; cpu=; how=; checker=
	for kv in $line; do
		case $kv in
		rule=*) rule=${kv#rule=} ;;
		kind=*) kind=${kv#kind=} ;;
		cpu=*) cpu=${kv#cpu=} ;;
		how=*) how=${kv#how=} ;;
		checker=*) checker=${kv#checker=} ;;
		esac
	done
	n=$((n + 1))
	r=no; [ "$cpu" = refused ] && r=yes && refused=$((refused + 1))
	c=no; [ "$checker" = named ] && c=yes && named=$((named + 1))
	[ $r = no ] && lenient="$lenient $rule"
	# what the SDM says a CPU does for this kind of rule
	case $kind in
	CTRL) want=VMfailValid:7 ;;
	HOST) want=VMfailValid:8 ;;
	GUEST) want=exit:33 ;;
	*) want=exit:34 ;;
	esac
	[ $r = yes ] && [ "$how" != "$want" ] && other="$other $rule($how)"
	note "$rule ($kind): CPU refused $r ($how), checker named $c"
done < /tmp/xcheck.txt
note "$n rules broken one at a time: the CPU refused $refused, the checker named $named"
[ -z "$lenient" ] || note "emulator lenient (accepted, the SDM forbids):$lenient"
[ -z "$other" ] || note "refused otherwise than the SDM says:$other"
artifact entry_check_cross.txt /tmp/xcheck.txt
[ "$rc" = 0 ] || fail "sz_test test=xcheck: $out"
[ "$n" -ge 25 ] || fail "only $n rules cross-checked (need 25)"
[ "$named" = "$n" ] || fail "the checker missed $((n - named)) of $n rules"
grep -q 'cross-check 0 ' /tmp/xcheck.log || fail "subzero log has no cross-check lines"
