# While loaded the guest sees IA32_FEATURE_CONTROL locked with VMX off, and no VMX
# capability MSRs (#GP, which the msr driver turns into EIO); afterwards all is back.
# MSRs outside the MSR bitmap's ranges always exit: subzero reads and writes them for
# the guest in VMX root through its own #GP fixup, so one the CPU lacks is still the
# guest's #GP (EIO), on every CPU, and the machine goes on.
insmod /e2e/msr.ko 2>/dev/null || true
[ -c /dev/cpu/0/msr ] || fail "no /dev/cpu/0/msr"
rd() { dd if=/dev/cpu/$1/msr bs=8 count=1 skip=$(($2)) iflag=skip_bytes 2>/dev/null | od -An -t x8 | tr -d ' '; }
wr() { printf '\000\000\000\000\000\000\000\000' |
	dd of=/dev/cpu/$1/msr bs=8 count=1 seek=$(($2)) oflag=seek_bytes 2>/dev/null; }
# Candidates outside both ranges: one the CPU has must still read through subzero; one
# it lacks must still #GP.  Bochs answers every MSR it does not know with 0 instead of
# #GP (its ignore_bad_msrs default), so here all of them are "present" and the absent
# path is proven by the unit test (test_msrs_outside_bitmap) only.
outside="0x2000 0x40000f00 0xc0011000 0x1000 0x3000"
absent=""
present=""
for m in $outside; do
	if [ -z "$(rd 0 "$m")" ]; then absent="$absent $m"; else present="$present $m"; fi
done
[ -n "$absent" ] || echo "  | every candidate MSR exists on this CPU (an emulator answers unknown ones): read-through only"
sz_load
for cpu in $(seq 0 $(($(nproc) - 1))); do
	for m in $absent; do
		v=$(rd "$cpu" "$m")
		[ -z "$v" ] || fail "CPU $cpu: MSR $m (absent) reads 0x$v with subzero"
		wr "$cpu" "$m" && fail "CPU $cpu: a write of MSR $m (absent) succeeded with subzero"
	done
	for m in $present; do
		[ -n "$(rd "$cpu" "$m")" ] ||
			fail "CPU $cpu: MSR $m (present without subzero) faults with subzero"
	done
done
for cpu in $(seq 0 $(($(nproc) - 1))); do
	fc=$(rd "$cpu" 0x3a)
	[ $((0x$fc & 7)) = 1 ] || fail "CPU $cpu: IA32_FEATURE_CONTROL reads 0x$fc, want locked, VMX off"
	basic=$(rd "$cpu" 0x480)
	[ -z "$basic" ] || fail "CPU $cpu: IA32_VMX_BASIC readable in the guest: 0x$basic"
done
sz_unload
fc=$(rd 0 0x3a)
[ $((0x$fc & 5)) = 5 ] || fail "after unload IA32_FEATURE_CONTROL reads 0x$fc"
[ -n "$(rd 0 0x480)" ] || fail "after unload IA32_VMX_BASIC unreadable"
