# Booted through the kernel's decompressor with its default command line: KASLR is on
# (the kernel's text is not at its link address) and subzero works there.  Nothing in
# the tests may assume a fixed kernel address.
grep -qE 'nokaslr|mitigations=off' /proc/cmdline && fail "non-default command line: $(cat /proc/cmdline)"
text=$(grep ' T _text$' /proc/kallsyms | cut -d' ' -f1)
[ -n "$text" ] || fail "no _text in /proc/kallsyms"
note "_text at $text"
[ "$text" = ffffffff81000000 ] && fail "_text at its link address: KASLR is off"
sz_load
dmesg | grep -q "subzero: loaded: VMX revision 0x[0-9a-f]* on $(nproc) CPUs" ||
	fail "no 'loaded ... on $(nproc) CPUs' line"
sz_unload
