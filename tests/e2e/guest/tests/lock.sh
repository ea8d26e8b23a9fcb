# The lock (issue 14), one way: so the last test of its scenario.  subzero is loaded
# with a page protected and locked; sz_lock.ko then tries each attack on every CPU
# (one line each: PASS refused, FAIL went through, OPEN not defended yet, SKIP not
# applicable), each refusal must be an event, and the machine must keep running.
# Then what must be refused is (rmmod, detach, protect del, a second DEVIRT), and what
# must still work does: another module, a tracepoint, the function tracer, a kprobe,
# processes with an LDT, CPU 1 offline and online (coming back locked, W^X holding),
# a suspend cycle, the workload with the same results.  Modules: sz_lockmod.ko, live
# before the lock and loaded again after it, has its text and rodata held (its own
# writes and sz_lock.ko's refused, a static key in it still flips) until it is
# unloaded, when its pages are writable again; loaded under the lock, it is held from
# COMING (its init's own writes refused) and its ro_after_init data from LIVE; a load
# the lock cannot hold (test hooks) is refused with the errno chosen, leaving nothing
# registered; one whose init fails is released.
run_workload() {
	out=$1
	: > "$out"
	i=0
	while [ $i -lt 100 ]; do /bin/true; i=$((i + 1)); done
	echo "forks ok" >> "$out"
	seq 1 20000 | sort -rn | md5sum >> "$out"
	dd if=/dev/zero bs=4096 count=1024 2>/dev/null | tr '\0' 'z' | md5sum >> "$out"
	for cpu in $(seq 0 $(($(nproc) - 1))); do
		on_cpu "$cpu" sh -c 'seq 1 3000 | md5sum' >> "$out"
	done
}
# The kernel text W^X counters, summed over the CPUs (subzero status --json)
wx_sum() { subzero status --json | grep -o "\"wx_$1\": [0-9]*" | awk '{ s += $2 } END { print s + 0 }'; }
wx_tables() { subzero status --json | grep -o '"wx_ept_tables": [0-9]*' | awk '{ print $2 }' | tr '\n' ' '; }
mod_pa() { dmesg | sed -n 's/.*sz_lockmod: loaded, text pa \(0x[0-9a-f]*\).*/\1/p' | tail -n 1; }
# how many CPUs map the page of $1 read/execute-only
ept_rx() { subzero ept "$(printf '0x%x' $(( $1 & ~0xfff )))" | grep -c ', r-x (' || true; }
mod_sum() { cat /sys/module/subzero/cpus/cpu*/lock_mod_"$1" | awk '{ s += $1 } END { print s + 0 }'; }
hv_on_all() {
	for c in $(seq 0 $(( $(nproc) - 1 ))); do
		on_cpu "$c" cpuid-probe | grep -q signature=subzero || return 1
	done
}
run_workload /tmp/without
# test_exec_grants=1: run-time executable memory is granted as code (lock_exec.c) even
# without MBEC (no Bochs model has it): there it is held W^X, which is what is checked,
# and everything below runs with the grants active
sz_load test_exec_grants=1
dmesg -c > /dev/null
# an int3 kprobe (not at the function's ftrace site) takes an instruction slot, an
# executable page in the modules' area made before the lock: the lock-time walk grants it
T=/sys/kernel/tracing
mount -t tracefs nodev $T 2>/dev/null || true
for o in 5 9 4 8; do echo "p:szslot do_sys_openat2+$o" > $T/kprobe_events 2>/dev/null && break; done
grep -q szslot $T/kprobe_events || fail "no int3 kprobe for an instruction slot: $(cat $T/kprobe_events)"
text=$(awk '/Kernel code/ { print $1 }' /proc/iomem | head -n 1)
page=$(printf '0x%x' $(( 0x${text%-*} )))
expect subzero protect add "$page"
# a module live before the lock: the lock registers it
insmod /e2e/sz_lockmod.ko || fail "insmod sz_lockmod.ko"
mt=$(mod_pa)

# ---- take it ----
subzero status | grep -q 'lock: off' || fail "status before the lock: $(subzero status)"
expect subzero lock
echo "$out" | grep -q '^locked: 2 CPUs locked' || fail "subzero lock said: $out"
out=$(subzero lock --json) || fail "a second lock failed: $out"
echo "$out" | grep -q '"changed": false' || fail "a second lock changed something: $out"
n=$(subzero status | grep -c 'lock: on (CR0 pinned 0x80010001' || true)
[ "$n" = "$(nproc)" ] || fail "status shows $n CPUs locked with CR0 PE/WP/PG pinned: $(subzero status)"
# the emulated Haswell has descriptor-table exiting: the GDTR/IDTR bases are held
n=$(subzero status | grep -c 'lock: on (.*GDTR/IDTR bases)' || true)
[ "$n" = "$(nproc)" ] || fail "status shows $n CPUs holding GDTR/IDTR: $(subzero status)"
n=$(subzero status | grep -c 'kernel text W^X: on' || true)
[ "$n" = "$(nproc)" ] || fail "kernel text W^X on $n CPUs: $(subzero status; dmesg | grep -i lock)"
# the IDT's page (idt_table) is among the W^X ranges: read/execute-only on every CPU
idt=$(dmesg | sed -n 's/.*lock: kernel text .*, IDT \([0-9a-f]*\)-[0-9a-f]* (physical).*/\1/p' | tail -n 1)
[ -n "$idt" ] || fail "the lock did not name the IDT's page: $(dmesg | grep 'lock:')"
[ "$(ept_rx "0x$idt")" = "$(nproc)" ] || fail "the IDT page 0x$idt not read/execute-only on every CPU: $(subzero ept "0x$idt")"
note "kernel text W^X: $(dmesg | grep -o 'lock: kernel text.*'); EPT tables per CPU: $(wx_tables)"
wx_refused0=$(wx_sum refused)
[ "$wx_refused0" = 0 ] || fail "$wx_refused0 writes to kernel text/rodata refused before any attack: $(subzero events | grep ktext | head -n 5)"
subzero status --json > /tmp/status.json
artifact status.json /tmp/status.json
# No CPU of Bochs 2.7 has mode-based execute control: status says what is not restricted
n=$(subzero status | grep -c 'not enforced: kernel-mode execution outside kernel and module text (no MBEC on this CPU)' || true)
[ "$n" = "$(nproc)" ] || fail "status does not say kernel-mode execution is unrestricted without MBEC: $(subzero status)"
dmesg | grep -q 'lock: module sz_lockmod: text and read-only data W^X' || \
	fail "sz_lockmod, live before the lock, not registered: $(dmesg | grep 'lock:')"
[ "$(ept_rx "$mt")" = "$(nproc)" ] || fail "sz_lockmod's text $mt not read/execute-only on every CPU: $(subzero ept "$mt")"
note "modules at lock: $(dmesg | grep -o 'lock: [0-9]* modules live.*registered'); per CPU runs $(mod_sum runs), pages $(mod_sum pages), EPT tables $(mod_sum tables) (summed over CPUs)"
# (a) the lock-time walk of executable memory: the kprobe's slot page at least
walk=$(dmesg | grep -o 'lock: run-time executable memory (test_exec_grants): .*' | tail -n 1)
n=$(echo "$walk" | sed -n 's/.*: \([0-9]*\) grants, .*/\1/p')
[ "${n:-0}" -ge 1 ] || fail "the lock-time walk granted no executable memory: ${walk:-no line}; $(dmesg | grep 'lock: exec')"
note "exec grants at lock: $walk"
dmesg | sed 's/^\[[^]]*\] //' | grep 'lock: executable grant' | sed 's/^/    /'
X=/sys/module/subzero/parameters

# ---- the attacks ----
dmesg -c > /dev/null
insmod /e2e/sz_lock.ko || fail "insmod sz_lock.ko"
rmmod sz_lock
dmesg | grep 'sz_lock:' > /tmp/attack || true
grep -q 'sz_lock: done' /tmp/attack || fail "sz_lock did not finish: $(cat /tmp/attack)"
hv_on_all || fail "a CPU lost its hypervisor during the attacks"
subzero events --json > /tmp/events.json || fail "subzero events --json"
artifact events.json /tmp/events.json
artifact attack.txt /tmp/attack
nproc > /tmp/nproc
artifact nproc /tmp/nproc
ev() { grep "\"what\": \"$1\"" /tmp/events.json | grep -c '"outcome": "refused"' || true; }
# every refused attempt on every CPU is an event
for w in cr0:cr0_wp msr:lstar devirt:devirt_code_reuse idtr:idt_base gdtr:gdt_base ktext:text_alias_write; do
	what=${w%%:*}; name=${w#*:}
	want=$(grep -c "sz_lock: PASS $name " /tmp/attack || true)
	got=$(ev "$what")
	[ "$got" -ge "$want" ] && [ "$want" -ge 1 ] || \
		echo "sz_lock: FAIL events_$what: $got refused $what events for $want refused attempts" >> /tmp/attack
done

# ---- what the lock refuses besides ----
if rmmod subzero 2>/tmp/err; then
	echo "sz_lock: FAIL rmmod: subzero unloaded" >> /tmp/attack
	sz_loaded || fail "subzero was unloaded"
else
	echo "sz_lock: PASS rmmod: $(cat /tmp/err)" >> /tmp/attack
fi
if subzero detach > /tmp/err 2>&1; then
	echo "sz_lock: FAIL detach: $(cat /tmp/err)" >> /tmp/attack
else
	grep -q 'detach refused: subzero is locked' /tmp/err && \
		echo "sz_lock: PASS detach: $(cat /tmp/err)" >> /tmp/attack || \
		echo "sz_lock: FAIL detach: $(cat /tmp/err)" >> /tmp/attack
fi
if subzero protect del "$page" > /tmp/err 2>&1; then
	echo "sz_lock: FAIL protect_del: $(cat /tmp/err)" >> /tmp/attack
else
	grep -q 'locked until reboot' /tmp/err && \
		echo "sz_lock: PASS protect_del: $(cat /tmp/err)" >> /tmp/attack || \
		echo "sz_lock: FAIL protect_del: $(cat /tmp/err)" >> /tmp/attack
fi
subzero protect list | grep -q "$page" || echo "sz_lock: FAIL protect_del: the page left the table" >> /tmp/attack
# tightening is allowed (a read-only data page: nothing may write it, unlike kernel
# text the function tracer patches below)
ro=$(awk '/Kernel rodata/ { print $1 }' /proc/iomem | head -n 1)
other=$(printf '0x%x' $(( 0x${ro%-*} )))
subzero protect add "$other" > /tmp/err 2>&1 && echo "sz_lock: PASS protect_add: allowed" >> /tmp/attack || \
	echo "sz_lock: FAIL protect_add: $(cat /tmp/err)" >> /tmp/attack
sed 's/^/  /' /tmp/attack

# ---- modules' text and read-only data (lock_mod.c) ----
# $1: the round.  The victim's own alias writes, sz_lock.ko's on every CPU, each an
# event; then a static key in its text flips (text_poke(), allowed); then it unloads
# and its pages are writable again (the release, an event on every CPU).
mod_round() {
	dmesg -c > /dev/null
	r0=$(wx_sum refused); a0=$(wx_sum allowed); rel0=$(mod_sum released)
	echo 1 > /sys/module/sz_lockmod/parameters/selfwrite
	insmod /e2e/sz_lock.ko wx_only=1 mod_sym=sz_lockmod:sz_lockmod_victim || fail "insmod sz_lock.ko mod_sym"
	rmmod sz_lock
	echo 1 > /sys/module/sz_lockmod/parameters/flip
	dmesg | grep 'sz_lockmod: [PF]\|sz_lock: .*module_text_write' | sed 's/^\[[^]]*\] //' > /tmp/modw
	sed 's/^/  /' /tmp/modw
	n=$(grep -c 'PASS module_text_write' /tmp/modw || true)
	[ "$n" = "$(nproc)" ] || echo "sz_lock: FAIL module_text_write_$1: refused on $n CPUs" >> /tmp/attack
	for t in self_text_write self_rodata_write self_ro_after_init_write static_key_flip; do
		grep -q "sz_lockmod: PASS $t" /tmp/modw || echo "sz_lock: FAIL ${t}_$1: $(grep "$t" /tmp/modw)" >> /tmp/attack
	done
	[ $(( $(wx_sum refused) - r0 )) -ge $(( $(nproc) + 2 )) ] || \
		echo "sz_lock: FAIL module_write_counted_$1: wx_refused +$(( $(wx_sum refused) - r0 ))" >> /tmp/attack
	[ "$(wx_sum allowed)" -gt "$a0" ] || echo "sz_lock: FAIL static_key_poke_$1: no text_poke() write counted" >> /tmp/attack
	tp=$(( mt & ~0xfff ))
	n=$(subzero events --json | grep '"what": "ktext"' | grep '"outcome": "refused"' | grep -c "\"target\": $tp," || true)
	[ "$n" -ge "$(nproc)" ] || echo "sz_lock: FAIL module_write_events_$1: $n refused ktext events at $tp" >> /tmp/attack
	[ "$2" = keep ] && return 0
	rmmod sz_lockmod || fail "unloading sz_lockmod under the lock ($1)"
	dmesg | grep -q 'lock: module sz_lockmod unloading: its W^X released' || \
		echo "sz_lock: FAIL module_release_$1: $(dmesg | grep 'lock: module')" >> /tmp/attack
	[ "$(ept_rx "$mt")" = 0 ] || echo "sz_lock: FAIL module_writable_after_unload_$1: $(subzero ept "$mt")" >> /tmp/attack
	[ $(( $(mod_sum released) - rel0 )) -ge "$(nproc)" ] || \
		echo "sz_lock: FAIL module_release_counted_$1: released +$(( $(mod_sum released) - rel0 ))" >> /tmp/attack
	n=$(subzero events --json | grep '"what": "module_release"' | grep -c '"outcome": "allowed"' || true)
	[ "$n" -ge "$(nproc)" ] || echo "sz_lock: FAIL module_release_events_$1: $n" >> /tmp/attack
	echo "  sz_lock: PASS module_$1: held while live (writes refused, static key flipped), released at unload"
}
mod_round before_lock

# ---- modules loaded under the lock: held from COMING, or refused ----
# (a) held before its init runs: the init's own alias writes to its text and rodata
# are refused (ktext events), its direct write to its ro_after_init data is not
# (held from LIVE, after init)
fails() { grep -c 'sz_lock: FAIL' /tmp/attack || true; }
f0=$(fails)
runs0=$(mod_sum runs)
dmesg -c > /dev/null
r0=$(wx_sum refused)
insmod /e2e/sz_lockmod.ko init_write=1 || fail "insmod sz_lockmod.ko init_write=1 under the lock"
subzero events --json > /tmp/initwrite.json
dmesg | sed 's/^\[[^]]*\] //' | grep 'sz_lockmod' > /tmp/initwrite.txt
artifact initwrite.json /tmp/initwrite.json
artifact initwrite.txt /tmp/initwrite.txt
sed 's/^/  /' /tmp/initwrite.txt
for t in init_text_write init_rodata_write init_ro_after_init_set; do
	grep -q "^sz_lockmod: PASS $t" /tmp/initwrite.txt || \
		echo "sz_lock: FAIL ${t}_under_lock: $(grep "$t" /tmp/initwrite.txt)" >> /tmp/attack
done
# registered at COMING, before its init printed a line; ro_after_init added at LIVE
c=$(grep -n 'lock: module sz_lockmod: text and read-only data W^X from COMING' /tmp/initwrite.txt | head -n 1 | cut -d: -f1)
l=$(grep -n '^sz_lockmod: loaded' /tmp/initwrite.txt | head -n 1 | cut -d: -f1)
[ -n "$c" ] && [ -n "$l" ] && [ "$c" -lt "$l" ] || \
	echo "sz_lock: FAIL module_registered_at_coming: COMING line ${c:-none}, init line ${l:-none}" >> /tmp/attack
grep -q 'lock: module sz_lockmod: read-only-after-init data W^X from LIVE' /tmp/initwrite.txt || \
	echo "sz_lock: FAIL module_ro_after_init_at_live: $(grep 'lock: module' /tmp/initwrite.txt)" >> /tmp/attack
for w in text rodata; do
	pa=$(sed -n "s/.*sz_lockmod: loaded, .*$w pa \(0x[0-9a-f]*\).*/\1/p" /tmp/initwrite.txt | head -n 1)
	tp=$(( ${pa:-0} & ~0xfff ))
	n=$(grep '"what": "ktext"' /tmp/initwrite.json | grep '"outcome": "refused"' | grep -c "\"target\": $tp," || true)
	[ "$n" -ge 1 ] || echo "sz_lock: FAIL init_${w}_write_event: no refused ktext event at $tp" >> /tmp/attack
done
[ $(( $(wx_sum refused) - r0 )) -ge 2 ] || \
	echo "sz_lock: FAIL init_write_counted: wx_refused +$(( $(wx_sum refused) - r0 ))" >> /tmp/attack
rmmod sz_lockmod || fail "unloading sz_lockmod (init_write)"
[ "$(mod_sum runs)" = "$runs0" ] || echo "sz_lock: FAIL init_write_released: module runs $(mod_sum runs), were $runs0" >> /tmp/attack
[ "$(fails)" = "$f0" ] && echo "  sz_lock: PASS module_held_from_coming: its init's writes to its text and rodata refused"

# (b) a module the lock cannot hold is refused at COMING, nothing of it left
# registered ($1: the hook, $2: its value, $3: its value off, $4: the errno expected,
# $5: the reason logged)
P=/sys/module/subzero/parameters
refused_load() {
	f0=$(fails); runs0=$(mod_sum runs); rel0=$(mod_sum released)
	dmesg -c > /dev/null
	subzero events > /dev/null	# drained: what follows is this load's
	echo "$2" > "$P/$1" || fail "setting $1 (a test build's hook, 0644)"
	out=$(modload /e2e/sz_lockmod.ko 2>&1) && rc=0 || rc=$?	# sh -e: not a bare failure
	echo "$3" > "$P/$1"
	subzero events --json > /tmp/modrefuse_$1.json
	dmesg | sed 's/^\[[^]]*\] //' > /tmp/modrefuse_$1.txt
	sed -n '/lock: module/s/^/  /p' /tmp/modrefuse_$1.txt
	if [ $rc = 0 ]; then
		rmmod sz_lockmod
		echo "sz_lock: FAIL module_refused_$1: loaded" >> /tmp/attack
		return
	fi
	echo "$out" | grep -q "errno $4 " || echo "sz_lock: FAIL module_refused_errno_$1: $out (want errno $4)" >> /tmp/attack
	grep -q "^subzero: lock: module sz_lockmod refused: its text cannot be held W^X ($5); its load fails with -$4\$" /tmp/modrefuse_$1.txt || \
		echo "sz_lock: FAIL module_refused_logged_$1: $(grep 'lock: module' /tmp/modrefuse_$1.txt)" >> /tmp/attack
	! grep -q '^sz_lockmod ' /proc/modules || echo "sz_lock: FAIL module_refused_listed_$1: $(grep sz_lockmod /proc/modules)" >> /tmp/attack
	! grep -q 'sz_lockmod: loaded' /tmp/modrefuse_$1.txt || echo "sz_lock: FAIL module_refused_init_ran_$1" >> /tmp/attack
	[ "$(mod_sum runs)" = "$runs0" ] || echo "sz_lock: FAIL module_refused_left_runs_$1: $(mod_sum runs), were $runs0" >> /tmp/attack
	[ "$(fails)" = "$f0" ] && echo "  sz_lock: PASS module_refused_$1: $out"
	return 0
}
# root refusing CPU 1's call: CPU 0's registration released; -EPERM
refused_load test_mod_refuse_cpu 1 -1 1 \
	"the hypervisor refused [0-9]* pages in [0-9]* runs on 1 of $(nproc) CPUs: -14"
[ $(( $(mod_sum released) - rel0 )) -ge 1 ] || echo "sz_lock: FAIL module_refused_released: CPU 0's registration not released" >> /tmp/attack
artifact modrefuse.json /tmp/modrefuse_test_mod_refuse_cpu.json
artifact modrefuse.txt /tmp/modrefuse_test_mod_refuse_cpu.txt
# the glue's budget (no call left for it): -ENOSPC
refused_load test_mod_budget 1 0 28 'more runs than its calls carry: -7'
# (3) an init that fails: registered at COMING, released at GOING
f0=$(fails); runs0=$(mod_sum runs)
dmesg -c > /dev/null
out=$(modload /e2e/sz_lockmod.ko init_fail=1 2>&1) && fail "sz_lockmod init_fail=1 loaded"
echo "$out" | grep -q 'errno 33 ' || echo "sz_lock: FAIL module_init_failed_errno: $out" >> /tmp/attack
dmesg | grep -q 'lock: module sz_lockmod: text and read-only data W^X from COMING' || \
	echo "sz_lock: FAIL module_init_failed_registered: $(dmesg | grep 'lock: module')" >> /tmp/attack
dmesg | grep -q 'lock: module sz_lockmod unloading: its W^X released' || \
	echo "sz_lock: FAIL module_init_failed_released: $(dmesg | grep 'lock: module')" >> /tmp/attack
[ "$(mod_sum runs)" = "$runs0" ] || echo "sz_lock: FAIL module_init_failed_left_runs: $(mod_sum runs), were $runs0" >> /tmp/attack
[ "$(ept_rx "$(mod_pa)")" = 0 ] || echo "sz_lock: FAIL module_init_failed_writable: $(subzero ept "$(mod_pa)")" >> /tmp/attack
[ "$(fails)" = "$f0" ] && echo "  sz_lock: PASS module_init_failed: released at GOING ($out)"

# loaded again, twice, under the lock (the hooks off: the same insmod works): the
# notifier registers it at COMING
for r in 2 3; do
	dmesg -c > /dev/null
	insmod /e2e/sz_lockmod.ko || fail "loading sz_lockmod again under the lock (round $r)"
	mt=$(mod_pa)
	dmesg | grep -q 'lock: module sz_lockmod: text and read-only data W^X from COMING' || \
		echo "sz_lock: FAIL module_registered_at_coming_$r: $(dmesg | grep 'lock:')" >> /tmp/attack
	[ "$(ept_rx "$mt")" = "$(nproc)" ] || echo "sz_lock: FAIL module_held_$r: $(subzero ept "$mt")" >> /tmp/attack
	note "sz_lockmod loaded (round $r): module runs $(mod_sum runs), pages $(mod_sum pages), EPT tables $(mod_sum tables) (summed over CPUs)"
	# the last round stays loaded through CPU 1's offline and online
	mod_round "after_lock_$r" $([ $r = 3 ] && echo keep)
done

# ---- run-time executable memory (lock_exec.c) ----
# (b) sz_exec makes a vmalloc'd page executable the kernel's way (set_memory_ro, then
# set_memory_x) and runs it: granted, read/execute-only on every CPU, a write through
# an alias refused on every CPU (each a ktext event) while the page still runs; then
# the kernel makes it writable again (set_memory_nx, set_memory_rw): released, the
# writes go through.
f0=$(fails); g0=$(cat $X/exec_grants); xr0=$(cat $X/exec_runs)
dmesg -c > /dev/null
subzero events > /dev/null
r0=$(wx_sum refused)
insmod /e2e/sz_exec.ko || fail "insmod sz_exec.ko"
xpa=$(dmesg | sed -n 's/.*sz_exec: loaded, page pa \(0x[0-9a-f]*\), it returned 0x5a.*/\1/p' | tail -n 1)
[ -n "$xpa" ] || fail "sz_exec's page did not run: $(dmesg | grep 'sz_exec\|lock:')"
dmesg | grep -q "lock: executable grant [0-9]*: 1 pages in 1 runs from PA ${xpa#0x} (set_memory_x)" || \
	echo "sz_lock: FAIL exec_granted: $(dmesg | grep 'lock: exec')" >> /tmp/attack
[ "$(ept_rx "$xpa")" = "$(nproc)" ] || echo "sz_lock: FAIL exec_grant_rx: $(subzero ept "$xpa")" >> /tmp/attack
# one more grant of one run (sz_exec's own text and rodata are module runs besides;
# its init text's grant goes when the kernel frees it, a moment after the load)
i=0
while [ "$(cat $X/exec_grants)" != $((g0 + 1)) ] && [ $i -lt 10 ]; do sleep 1; i=$((i + 1)); done
[ "$(cat $X/exec_grants)" = $((g0 + 1)) ] && [ "$(cat $X/exec_runs)" = $((xr0 + 1)) ] || \
	echo "sz_lock: FAIL exec_grant_counted: grants $(cat $X/exec_grants) (were $g0), runs $(cat $X/exec_runs) (were $xr0)" >> /tmp/attack
runs0=$(mod_sum runs)
echo attack > /sys/module/sz_exec/parameters/step
n=$(dmesg | grep -c 'sz_exec: PASS exec_grant_write cpu[0-9]*: .*; the page runs' || true)
[ "$n" = "$(nproc)" ] || echo "sz_lock: FAIL exec_grant_write: refused on $n CPUs: $(dmesg | grep 'sz_exec: ')" >> /tmp/attack
tp=$(( xpa & ~0xfff ))
subzero events --json > /tmp/execgrant.json
for c in $(seq 0 $(( $(nproc) - 1 ))); do
	grep '"what": "ktext"' /tmp/execgrant.json | grep '"outcome": "refused"' | grep "\"cpu\": $c," | grep -q "\"target\": $tp," || \
		echo "sz_lock: FAIL exec_grant_write_event_cpu$c: no refused ktext event at $tp" >> /tmp/attack
done
[ $(( $(wx_sum refused) - r0 )) -ge "$(nproc)" ] || \
	echo "sz_lock: FAIL exec_grant_write_counted: wx_refused +$(( $(wx_sum refused) - r0 ))" >> /tmp/attack
echo release > /sys/module/sz_exec/parameters/step
dmesg | grep -q 'lock: executable grant [0-9]* released (1 pages, set_memory_nx)' || \
	echo "sz_lock: FAIL exec_released: $(dmesg | grep 'lock: exec')" >> /tmp/attack
[ "$(ept_rx "$xpa")" = 0 ] || echo "sz_lock: FAIL exec_writable_after_release: $(subzero ept "$xpa")" >> /tmp/attack
n=$(dmesg | grep -c 'sz_exec: PASS exec_release_write cpu' || true)
[ "$n" = "$(nproc)" ] || echo "sz_lock: FAIL exec_release_write: went through on $n CPUs: $(dmesg | grep 'sz_exec: ')" >> /tmp/attack
# root dropped its run on every CPU
[ "$(cat $X/exec_grants)" = "$g0" ] && [ "$(mod_sum runs)" = $((runs0 - $(nproc))) ] || \
	echo "sz_lock: FAIL exec_release_counted: grants $(cat $X/exec_grants) (were $g0), runs $(mod_sum runs) (were $runs0 granted)" >> /tmp/attack
dmesg | sed 's/^\[[^]]*\] //' | grep 'sz_exec\|lock: exec' | sed 's/^/  /'
rmmod sz_exec || fail "rmmod sz_exec"
# a grant root refuses (a test hook: CPU 1's call misaligned): a KERN_ERR line, counted,
# nothing of it held on any CPU, and the kernel goes on (the page runs: no MBEC here)
ref0=$(cat $X/exec_refused); g0=$(cat $X/exec_grants)
dmesg -c > /dev/null
echo 1 > $X/test_exec_refuse_cpu || fail "setting test_exec_refuse_cpu (a test build's hook)"
insmod /e2e/sz_exec.ko || fail "insmod sz_exec.ko with the grant refused"
echo -1 > $X/test_exec_refuse_cpu
xpa=$(dmesg | sed -n 's/.*sz_exec: loaded, page pa \(0x[0-9a-f]*\), it returned 0x5a.*/\1/p' | tail -n 1)
dmesg -r | grep -qE "^<3>(\[[ 0-9.]+\] ?)?subzero: lock: executable memory [0-9a-f]*-[0-9a-f]* \\(set_memory_x, 1 pages in 1 runs\\) refused by the hypervisor on 1 CPUs \\(-14\\): on a CPU that restricts kernel-mode execution \\(MBEC\\) that code will not run" || \
	echo "sz_lock: FAIL exec_refused_logged: $(dmesg | grep 'lock: exec')" >> /tmp/attack
[ -n "$xpa" ] && [ "$(ept_rx "$xpa")" = 0 ] || echo "sz_lock: FAIL exec_refused_not_held: ${xpa:-no page}: $(subzero ept "${xpa:-0}")" >> /tmp/attack
[ "$(cat $X/exec_refused)" -ge $((ref0 + 1)) ] && [ "$(cat $X/exec_grants)" = "$g0" ] || \
	echo "sz_lock: FAIL exec_refused_counted: refused $(cat $X/exec_refused) (were $ref0), grants $(cat $X/exec_grants) (were $g0)" >> /tmp/attack
rmmod sz_exec || fail "rmmod sz_exec (grant refused)"
[ "$(fails)" = "$f0" ] && echo "  sz_lock: PASS exec_grant: granted (read/execute-only, alias writes refused on every CPU, still runs), released when made writable; a refused grant logged and counted"

# ---- what must still work ----
# Kernel text patching goes through text_poke(): each operation below is allowed by
# the lock's exception, counted in wx_allowed; none may be refused (wx_refused stays).
legit() { echo "  legit $1: ok (text_poke() writes allowed: +$(( $(wx_sum allowed) - wxa )))"; }
# exits of reason $1 on every CPU so far
cnt() { subzero stats | awk -v r="$1" '$1 == r { s += $2 } END { print s + 0 }'; }
wx_refused1=$(wx_sum refused)
wx_grew() {
	[ "$(wx_sum allowed)" -gt "$wxa" ] || fail "$1: no text_poke() write counted (wx_allowed $wxa)"
}
wxa=$(wx_sum allowed)
dmesg -c > /dev/null
out=$(modload /e2e/sz_test.ko "test=vmx expect_hv=1" 2>&1) || fail "another module (sz_test test=vmx): $out"
rmmod sz_test || fail "unloading another module"
# its init text: granted at set_memory_x (complete_formation), released when freed
dmesg | grep -q 'lock: executable grant [0-9]*: .*(set_memory_[rox]*)' || \
	fail "sz_test's init text was not granted: $(dmesg | grep 'lock: exec')"
i=0
while ! dmesg | grep -q 'lock: executable grant [0-9]* released (.*, \(module_memfree\|execmem_free\))' && [ $i -lt 10 ]; do
	sleep 1; i=$((i + 1))
done
dmesg | grep -q 'lock: executable grant [0-9]* released (.*, \(module_memfree\|execmem_free\))' || \
	fail "sz_test's init text grant not released when freed: $(dmesg | grep 'lock: exec')"
note "module init text: $(dmesg | grep -o 'lock: executable grant.*' | tr '\n' ';')"
legit "module load/unload (sz_test test=vmx: CR4 writes keeping the pinned bits; its text held from live to unload)"
[ -d $T/events ] || fail "no tracefs"
echo > $T/trace
wxa=$(wx_sum allowed)
echo 1 > $T/events/sched/sched_switch/enable || fail "tracepoint enable"
sleep 1
echo 0 > $T/events/sched/sched_switch/enable || fail "tracepoint disable"
grep -q sched_switch $T/trace || fail "the tracepoint recorded nothing"
wx_grew "tracepoint"
legit "tracepoint on/off (static key flip)"
echo > $T/trace
# one function, so that the emulator is not slowed down by tracing everything
wxa=$(wx_sum allowed)
echo do_sys_openat2 > $T/set_ftrace_filter || fail "set_ftrace_filter"
echo function > $T/current_tracer || fail "function tracer on"
cat /proc/version > /dev/null
grep -q do_sys_openat2 $T/trace || fail "the function tracer recorded nothing"
echo nop > $T/current_tracer || fail "function tracer off"
echo > $T/set_ftrace_filter
wx_grew "function tracer"
legit "function tracer on/off (do_sys_openat2 patched and unpatched)"
wxa=$(wx_sum allowed)
echo 'p:szprobe do_sys_openat2' > $T/kprobe_events || fail "kprobe register"
echo 1 > $T/events/kprobes/szprobe/enable || fail "kprobe enable"
cat /proc/version > /dev/null
echo 0 > $T/events/kprobes/szprobe/enable
grep -q szprobe $T/trace || fail "the kprobe did not fire"
echo '-:szprobe' >> $T/kprobe_events || fail "kprobe unregister"
wx_grew "kprobe"
legit "kprobe register/fire/unregister"
# The BPF JIT: a socket filter JIT-compiled into executable kernel memory
# (text_poke_copy()) must load and filter; its writes are not to locked pages
wxa=$(wx_sum allowed)
out=$(bpf-filter 20 2>&1) || fail "a JIT-compiled socket filter under the lock: $out"
echo "$out" | grep -q 'jit [12]$' || fail "the BPF JIT is off in this kernel, nothing tested: $out"
legit "BPF JIT socket filter ($out)"
note "BPF JIT pack: $(dmesg | grep -o 'lock: executable .*' | tail -n 4 | tr '\n' ';')"
# A process with an LDT: LLDT (emulated under the lock) at each switch to and from it;
# ldt-user dies of SIGSEGV if its LDT is not what LDTR holds.  Two on one CPU, so
# that they switch.
wxa=$(wx_sum allowed)
ldt0=$(cnt LDTR_TR)
on_cpu 1 ldt-user 1 > /tmp/ldt1.out 2>&1 &
p1=$!
on_cpu 1 ldt-user 1 > /tmp/ldt2.out 2>&1 || fail "ldt-user under the lock: $(cat /tmp/ldt2.out)"
wait $p1 || fail "ldt-user under the lock: $(cat /tmp/ldt1.out)"
ldt1=$(cnt LDTR_TR)
[ $((ldt1 - ldt0)) -gt 0 ] || fail "no LDTR/TR exit for two processes with an LDT"
note "two ldt-user processes on CPU 1: $((ldt1 - ldt0)) LLDT exits"
subzero stats | awk '$1 == "GDTR_IDTR" || $1 == "LDTR_TR" { print "  cost:", $1, $2, "exits,", $4, "mean root cycles" }'

legit "processes with an LDT (LLDT emulated)"
if [ -w /sys/devices/system/cpu/cpu1/online ]; then
	wxa=$(wx_sum allowed)
	echo 0 > /sys/devices/system/cpu/cpu1/online || fail "offlining CPU 1 failed"
	# While CPU 1 is out, sz_lockmod goes and comes back: CPU 1's root still holds
	# the old load's runs (a release it missed) and not the new one's.  Coming back it
	# must drop exactly the old one and keep the rest held throughout (under MBEC,
	# module and run-time code released even for a moment would not run on it).
	rmmod sz_lockmod || fail "unloading sz_lockmod with CPU 1 offline"
	insmod /e2e/sz_lockmod.ko || fail "loading sz_lockmod with CPU 1 offline"
	mt=$(mod_pa)
	dmesg -c > /dev/null
	echo 1 > /sys/devices/system/cpu/cpu1/online || fail "onlining CPU 1 failed"
	dmesg | grep -q "CPU 1: dropped 1 modules and executable grants released while it was offline" || \
		fail "CPU 1 did not drop exactly the module unloaded while it was out: $(dmesg | grep 'CPU 1')"
	dmesg | grep -q "CPU 1: a release it missed while offline was not recorded" && \
		fail "CPU 1 dropped every run coming back: $(dmesg | grep 'CPU 1')"
	r0=$(cat /sys/module/subzero/cpus/cpu0/lock_mod_runs)
	r1=$(cat /sys/module/subzero/cpus/cpu1/lock_mod_runs)
	[ "$r0" = "$r1" ] || fail "after CPU 1's return CPU 0 holds $r0 module and grant runs, CPU 1 $r1"
	note "CPU 1 back: dropped the unloaded module, kept the rest; $r1 runs on each CPU"
	on_cpu 1 cpuid-probe | grep -q signature=subzero || fail "CPU 1 came back without subzero"
	subzero status --cpu 1 | grep -q 'lock: on' || fail "CPU 1 came back unlocked: $(subzero status --cpu 1)"
	subzero status --cpu 1 | grep -q '1 offline' || fail "CPU 1's offline not counted: $(subzero status --cpu 1)"
	subzero status --cpu 1 | grep -q 'kernel text W^X: on' || fail "CPU 1 came back without W^X: $(subzero status --cpu 1)"
	legit "CPU 1 offline/online (back locked)"
	dmesg | grep -q "CPU 1: .* executable grants refused coming online" && \
		fail "CPU 1 refused executable grants coming back: $(dmesg | grep 'executable grant')"
	# W^X holds on the CPU that came back: the alias writes again, every CPU
	wxa=$(wx_sum allowed); wx_refused1=$(wx_sum refused)
	dmesg -c > /dev/null
	# the sz_lockmod loaded while CPU 1 was out is held on every CPU
	[ "$(ept_rx "$mt")" = "$(nproc)" ] || echo "sz_lock: FAIL module_held_after_online: $(subzero ept "$mt")" >> /tmp/attack
	insmod /e2e/sz_lock.ko wx_only=1 mod_sym=sz_lockmod:sz_lockmod_victim || fail "insmod sz_lock.ko wx_only=1"
	rmmod sz_lock
	dmesg | grep 'sz_lock:' | sed 's/^\[[^]]*\] //' > /tmp/attack2 || true
	sed 's/^/  /' /tmp/attack2
	grep -q 'sz_lock: PASS text_alias_write cpu1:' /tmp/attack2 || \
		echo "sz_lock: FAIL text_alias_write_after_online: $(grep cpu1 /tmp/attack2)" >> /tmp/attack
	grep -q 'sz_lock: PASS module_text_write cpu1:' /tmp/attack2 || \
		echo "sz_lock: FAIL module_text_write_after_online: $(grep cpu1 /tmp/attack2)" >> /tmp/attack
	grep 'sz_lock: FAIL' /tmp/attack2 >> /tmp/attack || true
	n=$(grep -c 'sz_lock: PASS' /tmp/attack2 || true)
	[ $(( $(wx_sum refused) - wx_refused1 )) -ge "$n" ] || \
		echo "sz_lock: FAIL wx_events_after_online: $n refusals, wx_refused +$(( $(wx_sum refused) - wx_refused1 ))" >> /tmp/attack
	wx_refused1=$(wx_sum refused)
fi
rmmod sz_lockmod || fail "unloading sz_lockmod after CPU 1's hotplug"
[ "$(ept_rx "$mt")" = 0 ] || echo "sz_lock: FAIL module_writable_after_last_unload: $(subzero ept "$mt")" >> /tmp/attack
# Suspend (pm_test core: as far as syscore suspend, CPU 1 offline, CPU 0 out of VMX,
# and back): every CPU comes back locked, descriptor tables held.  (pm_test stops
# short of save_processor_state(); its GDTR/IDTR are the two allowed bases anyway.)
if [ -w /sys/power/pm_test ] && grep -qw mem /sys/power/state; then
	wxa=$(wx_sum allowed)
	echo 0 > /sys/module/suspend/parameters/pm_test_delay 2>/dev/null || true
	echo core > /sys/power/pm_test
	echo mem > /sys/power/state || fail "suspend (pm_test core) under the lock failed"
	echo none > /sys/power/pm_test
	hv_on_all || fail "a CPU came back from suspend without subzero"
	n=$(subzero status | grep -c 'lock: on (.*GDTR/IDTR bases)' || true)
	[ "$n" = "$(nproc)" ] || fail "after suspend $n CPUs locked with GDTR/IDTR held: $(subzero status)"
	n=$(subzero status | grep -c 'kernel text W^X: on' || true)
	[ "$n" = "$(nproc)" ] || fail "after suspend kernel text W^X on $n CPUs: $(subzero status)"
	legit "suspend and resume (pm_test core): back locked"
fi
# no legitimate operation had a write to kernel text or rodata refused
[ "$(wx_sum refused)" = "$wx_refused1" ] || \
	fail "legitimate operations had $(( $(wx_sum refused) - wx_refused1 )) kernel text/rodata writes refused: $(subzero events | grep ktext | tail -n 5)"
wxa=$(wx_sum allowed)
# The lock costs no exit on an ordinary workload: no CR access, no WRMSR, no
# descriptor-table access
cr0=$(cnt CR_ACCESS); msr0=$(cnt MSR_WRITE); dt0=$(( $(cnt GDTR_IDTR) + $(cnt LDTR_TR) ))
all0=$(subzero stats | awk '/^CPU/ { s += $6 } END { print s + 0 }')
run_workload /tmp/with
cr1=$(cnt CR_ACCESS); msr1=$(cnt MSR_WRITE); dt1=$(( $(cnt GDTR_IDTR) + $(cnt LDTR_TR) ))
all1=$(subzero stats | awk '/^CPU/ { s += $6 } END { print s + 0 }')
note "workload under the lock: $((all1 - all0)) exits in all, $((cr1 - cr0)) CR access, $((msr1 - msr0)) WRMSR, $((dt1 - dt0)) descriptor-table"
[ $((cr1 - cr0)) = 0 ] && [ $((msr1 - msr0)) = 0 ] && [ $((dt1 - dt0)) = 0 ] || \
	fail "the workload made CR, WRMSR or descriptor-table exits under the lock"
cmp /tmp/without /tmp/with || fail "workload results differ: $(diff /tmp/without /tmp/with | head -n 5)"
legit "workload: same results as without subzero"
# (d) what the executable grants cost in the end
note "exec grants at the end: $(cat $X/exec_grants) grants, $(cat $X/exec_pages) pages in $(cat $X/exec_runs) runs per CPU; $(cat $X/exec_refused) refused, $(cat $X/exec_wx) W+X not held, $(cat $X/exec_released) released; module runs + grants: runs $(mod_sum runs), EPT tables $(mod_sum tables) (summed over CPUs)"
subzero status
# A forced unload (CONFIG_MODULE_FORCE_UNLOAD) must not take the hypervisor away: it
# never returns.  Last, as the device cannot be opened afterwards (module going).
rmmod -f subzero > /dev/null 2>&1 &
sleep 2
sz_loaded && hv_on_all && echo "  sz_lock: PASS rmmod_force: subzero stays, every CPU virtualized" || \
	echo "sz_lock: FAIL rmmod_force: subzero unloaded or a CPU left VMX" >> /tmp/attack
touch /tmp/cpu_abandoned	# the runner must not try to unload it
n=$(grep -c 'sz_lock: FAIL' /tmp/attack || true)
[ "$n" = 0 ] || fail "$n attempt(s) not refused: $(grep 'sz_lock: FAIL' /tmp/attack | sed 's/.*FAIL //' | tr '\n' ';')"
note "open (not defended yet): $(grep 'sz_lock: OPEN' /tmp/attack | sed 's/.*OPEN //; s/:.*//' | sort -u | tr '\n' ' ')"
