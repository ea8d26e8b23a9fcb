# The guest runs with the kernel's default mitigations (tests/e2e/run no longer turns
# them off): page-table isolation and retpolines or what the emulated CPU needs are on,
# as on a user's machine.  Then subzero loads, runs and unloads under them.
grep -q 'mitigations=off' /proc/cmdline && fail "mitigations=off on the command line"
v=/sys/devices/system/cpu/vulnerabilities
for f in meltdown spectre_v2; do
	[ -r "$v/$f" ] || fail "no $v/$f"
	note "$f: $(cat "$v/$f")"
done
# Bochs' models do not claim RDCL_NO: the kernel must isolate page tables.
grep -q 'Mitigation: PTI' "$v/meltdown" || fail "meltdown: $(cat "$v/meltdown"), want PTI"
grep -q '^Mitigation' "$v/spectre_v2" || fail "spectre_v2: $(cat "$v/spectre_v2")"
sz_load
out=$(on_cpu 1 cpuid-probe)
echo "$out" | grep -q "signature=subzero" || fail "CPU 1 not virtualized under PTI: $out"
sz_unload
