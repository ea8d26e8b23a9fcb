# The attack suite (issue 13): sz_attack.ko, a malicious ring-0 guest, against subzero
# with a page protected.  Each attempt is reported on its own line; every one must fail
# without effect.  Afterwards the protection still holds, every CPU answers CPUID, and
# subzero unloads.  The host GDT, TSS, IDT and page tables are written over for real
# (they are root's own and hidden: the writes go to the scratch page).
sz_load
# each CPU's hypervisor memory by class (core/seal.c), as the load logged it
dmesg | grep 'hypervisor memory' | sed 's/^\[[^]]*\] //' | while read -r l; do note "$l"; done
dmesg -c > /dev/null
text=$(awk '/Kernel code/ { print $1 }' /proc/iomem | head -n 1)
page=$(printf '0x%x' $(( 0x${text%-*} )))
subzero protect add "$page" || fail "protect add $page"
on_cpu 0 subzero vmcs --cpu 0 > /dev/null || fail "subzero vmcs --cpu 0"
insmod /e2e/sz_attack.ko pa="$page" || fail "insmod sz_attack.ko"
rmmod sz_attack
dmesg | grep 'sz_attack:' > /tmp/attack
grep -q 'sz_attack: done' /tmp/attack || fail "sz_attack did not finish: $(cat /tmp/attack)"
# the planted table entry: the next table change makes every CPU apply it, and root
# must refuse the hidden page (the add of an ordinary page still reports the refusal)
other=$(printf '0x%x' $(( page + 0x200000 )))
if out=$(subzero watch add "$other" 2>&1); then
	echo "sz_attack: FAIL watch_hidden_page: a table naming the EPT root was applied" >> /tmp/attack
else
	echo "sz_attack: PASS watch_hidden_page: root refused the planted entry: $out" >> /tmp/attack
fi
dmesg | grep -q 'refused' && note "root's log: $(dmesg | grep refused | head -n 1)"
sed 's/^/  /' /tmp/attack
# afterwards: the protection holds, every CPU answers, subzero unloads
out=$(modload /e2e/sz_test.ko "test=poke pa=$page" 2>&1) || failed_after="a protected write stuck: $out"
rmmod sz_test 2>/dev/null || true
for c in $(seq 0 $(( $(nproc) - 1 ))); do
	on_cpu "$c" cpuid-probe | grep -q signature=subzero || failed_after="CPU $c lost its hypervisor"
done
sz_unload
[ -z "${failed_after:-}" ] || fail "$failed_after"
n=$(grep -c 'sz_attack: FAIL' /tmp/attack || true)	# grep -c exits 1 on 0 (sh -e)
[ "$n" = 0 ] || fail "$n attempt(s) not defended: $(grep 'sz_attack: FAIL' /tmp/attack | sed 's/.*FAIL //' | tr '\n' ';')"
