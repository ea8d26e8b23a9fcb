# Every raw MSR value `subzero caps` reports equals what the guest kernel's own msr
# driver read on the same CPU before subzero loaded: the module read the right MSR on
# the right CPU.  (Once loaded, the guest sees VMX hidden: IA32_FEATURE_CONTROL without
# VMX and no VMX MSRs at all; virt_msrs tests that.)
insmod /e2e/msr.ko 2>/dev/null || true
[ -c /dev/cpu/0/msr ] || fail "msr driver did not give /dev/cpu/0/msr"
rdmsr() { # CPU MSR -> 0x... (8 bytes at offset MSR of /dev/cpu/N/msr)
	v=$(dd if=/dev/cpu/$1/msr bs=8 count=1 skip=$(($2)) iflag=skip_bytes 2>/dev/null |
		od -An -t x8 | tr -d ' ')
	echo "0x$v"
}
MSRS="IA32_FEATURE_CONTROL:0x3a IA32_VMX_BASIC:0x480 IA32_VMX_PINBASED_CTLS:0x481
IA32_VMX_PROCBASED_CTLS:0x482 IA32_VMX_EXIT_CTLS:0x483 IA32_VMX_ENTRY_CTLS:0x484
IA32_VMX_MISC:0x485 IA32_VMX_CR0_FIXED0:0x486 IA32_VMX_CR0_FIXED1:0x487
IA32_VMX_CR4_FIXED0:0x488 IA32_VMX_CR4_FIXED1:0x489 IA32_VMX_VMCS_ENUM:0x48a
IA32_VMX_PROCBASED_CTLS2:0x48b IA32_VMX_EPT_VPID_CAP:0x48c IA32_VMX_TRUE_PINBASED_CTLS:0x48d
IA32_VMX_TRUE_PROCBASED_CTLS:0x48e IA32_VMX_TRUE_EXIT_CTLS:0x48f IA32_VMX_TRUE_ENTRY_CTLS:0x490"
for cpu in $(seq 0 $(($(nproc) - 1))); do
	for m in $MSRS; do
		echo "${m%%:*} $(rdmsr "$cpu" "${m##*:}")"
	done > "/tmp/native.$cpu"
done
# Compared twice: what the tool reads itself without the module (through the same msr
# driver, after pinning itself to the CPU), then what the module read at load.
compare() { # WHO
	checked=0
	for cpu in $(seq 0 $(($(nproc) - 1))); do
		subzero caps --cpu "$cpu" > /tmp/c.txt || fail "$1: caps --cpu $cpu failed"
		cat /tmp/c.txt >> "/tmp/caps.$1"
		while read -r name want; do
			got=$(awk -v n="$name" '$1 == n { print $2 }' /tmp/c.txt)
			[ -n "$got" ] || continue	# not present on this CPU
			[ $((got)) -eq $((want)) ] ||
				fail "$1: CPU $cpu $name: subzero says $got, /dev/cpu/$cpu/msr says $want"
			checked=$((checked + 1))
		done < "/tmp/native.$cpu"
	done
	[ "$checked" -ge $((17 * $(nproc))) ] || fail "$1: only $checked MSR values compared"
	note "$1: $checked MSR values match on $(nproc) CPUs"
}
rm -f /tmp/caps.nomodule /tmp/caps.module
compare nomodule
sz_load
compare module
sz_unload
# Both routes decode the same capabilities the same way, line for line.
cmp -s /tmp/caps.nomodule /tmp/caps.module ||
	fail "caps without the module differs from caps with it: $(diff /tmp/caps.nomodule /tmp/caps.module | head -n 4)"
