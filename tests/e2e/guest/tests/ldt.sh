# A process with an LDT keeps working while subzero is loaded and unloaded under it: a
# VM exit loads a null LDTR, and leaving VMX must put the guest's back.  ldt-user runs
# alone on CPU 1 without sleeping, so nothing reloads LDTR for it on a context switch
# (the hotplug thread that takes CPU 1 out of VMX borrows its mm).
taskset -p 1 $$ > /dev/null	# this shell stays off CPU 1
on_cpu 1 ldt-user 0.5 > /tmp/ldt.out 2>&1 || fail "ldt-user fails even without subzero: $(cat /tmp/ldt.out)"
on_cpu 1 ldt-user 25 > /tmp/ldt.out 2>&1 &
pid=$!
sleep 1
for i in 1 2 3; do
	# taskset runs busybox's insmod, not lib.sh's wrapper: the wrapper's parameters
	# (entry_checks=1) are passed here, as every other load gets them.
	# shellcheck disable=SC2086
	on_cpu 0 insmod "$SZ_KO" $SZ_PARAMS || fail "insmod $i failed"
	case " $SZ_PARAMS " in
	*" entry_checks=1 "*)
		[ "$(cat /sys/module/subzero/parameters/entry_checks)" = Y ] ||
			fail "load $i: entry_checks is off ($SZ_PARAMS not passed)" ;;
	esac
	sleep 1
	on_cpu 0 rmmod subzero || fail "rmmod $i failed"
	sleep 1
done
set +e
wait $pid
rc=$?
set -e
[ "$rc" = 0 ] || fail "the LDT process died across load/unload (exit $rc): $(cat /tmp/ldt.out)"
note "$(cat /tmp/ldt.out)"
