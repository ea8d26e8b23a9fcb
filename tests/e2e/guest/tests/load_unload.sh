# The module loads on every CPU, creates /dev/subzero (root-only), and unloads cleanly.
sz_load
sz_loaded || fail "subzero not in /proc/modules after insmod"
[ -c /dev/subzero ] || fail "/dev/subzero missing after load"
mode=$(stat -c %a /dev/subzero)
[ "$mode" = 600 ] || fail "/dev/subzero has mode $mode, want 600"
dmesg | grep -q "subzero: loaded: VMX revision 0x[0-9a-f]* on $(nproc) CPUs" ||
	fail "no 'loaded ... on $(nproc) CPUs' line in the kernel log"
sz_unload
sz_loaded && fail "subzero still in /proc/modules after rmmod"
[ -e /dev/subzero ] && fail "/dev/subzero still there after unload"
dmesg | grep -q "subzero: unloaded" || fail "no 'unloaded' line in the kernel log"
# Twice more: nothing may be left behind that breaks a second load.
for i in 1 2; do sz_load; sz_unload; done
