#!/usr/bin/env bash
# Build the kernel's own x86 selftests (tools/testing/selftests/x86), statically, from
# Debian's linux-source package of the guest kernel's version, for the e2e scenario that
# runs them in the guest without and with subzero (tests/e2e/guest/tests/x86_selftests.sh).
#   scripts/selftests.sh DIR     build DIR/bin/*_64 (64-bit only: no -m32 C library
#                                here); print DIR/bin
# The package (~140 MB) is fetched once with `apt-get download`: no installation.
set -euo pipefail
cd "$(dirname "$0")/.."

dir=$(realpath -m "${1:?usage: selftests.sh DIR}")
bin=$dir/bin
if [ -f "$bin/.built" ]; then
	echo "$bin"
	exit 0
fi
abi=$(scripts/kernel.sh abi)
ver=$(echo "$abi" | sed 's/^\([0-9]*\.[0-9]*\)\..*/\1/')
mkdir -p "$dir"
if ! ls "$dir"/linux-source-"$ver"_*.deb > /dev/null 2>&1; then
	(cd "$dir" && apt-get download -q "linux-source-$ver" > /dev/null 2>&1)
fi
src=$dir/linux-source-$ver
if [ ! -d "$src/tools/testing/selftests/x86" ]; then
	(cd "$dir" && dpkg-deb --fsys-tarfile linux-source-"$ver"_*.deb |
		tar -x "./usr/src/linux-source-$ver.tar.xz")
	tar -C "$dir" -xJf "$dir/usr/src/linux-source-$ver.tar.xz" --wildcards \
		"linux-source-$ver/tools/testing/selftests/x86/*" \
		"linux-source-$ver/tools/testing/selftests/lib.mk" \
		"linux-source-$ver/tools/testing/selftests/kselftest*" \
		"linux-source-$ver/tools/include/*" \
		"linux-source-$ver/arch/x86/include/asm/desc_defs.h"
	rm -rf "$dir/usr"
fi
x86=$src/tools/testing/selftests/x86
out=$dir/out
rm -rf "$out" "$bin"
mkdir -p "$out" "$bin"
make -s -C "$x86" OUTPUT="$out" KHDR_INCLUDES= EXTRA_CFLAGS=-static > "$dir/build.log" 2>&1 ||
	{ tail -n 20 "$dir/build.log" >&2; exit 1; }
# These two want a 32-bit build as well for their full set; their 64-bit half alone.
for t in ldt_gdt ptrace_syscall; do
	gcc -m64 -O2 -g -std=gnu99 -pthread -Wall -no-pie -static -o "$out/${t}_64" \
		"$x86/$t.c" -lrt -ldl >> "$dir/build.log" 2>&1
done
for f in "$out"/*_64; do
	strip -o "$bin/$(basename "$f")" "$f"
done
touch "$bin/.built"
echo "$bin"
