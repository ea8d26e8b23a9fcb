# Suspend and hibernation with subzero loaded.  /sys/power/pm_test runs the whole path
# without sleeping: "core" goes as far as syscore suspend (the other CPUs offline, then
# this one with interrupts off) and back.  subzero must leave VMX on the last CPU there
# (real hardware loses VMX in S3 and S4) and enter it again on resume: CPU 0's launch
# time is newer after each cycle.  Then every CPU is still virtualized and subzero
# unloads cleanly.  "freeze" (suspend to idle) takes no CPU down and runs no syscore
# ops; its deepest test level is "platform".
launch0() { subzero status --json | sed -n 's/.*"cpu": 0,.*"launch_tsc": \([0-9]*\),.*/\1/p'; }
both_virtualized() {
	for c in 0 1; do
		on_cpu $c cpuid-probe | grep -q signature=subzero || fail "CPU $c not virtualized after $1"
	done
}
states=$(cat /sys/power/state)
note "offered: $states"
[ -w /sys/power/pm_test ] || skip "no /sys/power/pm_test (CONFIG_PM_DEBUG)"
echo 0 > /sys/module/suspend/parameters/pm_test_delay 2>/dev/null || true
sz_load
tested=
for s in mem disk; do
	case " $states " in *" $s "*) ;; *) note "$s: not offered here"; continue ;; esac
	t0=$(launch0)
	echo core > /sys/power/pm_test
	echo $s > /sys/power/state || fail "echo $s > /sys/power/state failed (pm_test core)"
	echo none > /sys/power/pm_test
	t1=$(launch0)
	[ -n "$t0" ] && [ -n "$t1" ] || fail "no launch time for CPU 0 ($t0, $t1)"
	[ "$t1" -gt "$t0" ] || fail "$s: CPU 0 did not leave and re-enter VMX in syscore suspend/resume"
	both_virtualized "$s"
	tested="$tested $s"
done
case " $states " in *" freeze "*)
	echo platform > /sys/power/pm_test
	echo freeze > /sys/power/state || fail "echo freeze > /sys/power/state failed (pm_test platform)"
	echo none > /sys/power/pm_test
	both_virtualized freeze
	tested="$tested freeze" ;;
esac
[ -n "$tested" ] || skip "neither mem, disk nor freeze offered"
note "tested:$tested"
sz_unload
