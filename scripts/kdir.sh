#!/usr/bin/env bash
# Which kernel `make` builds the module against, when no KDIR is given.
#   kdir.sh auto       the running kernel's headers (/lib/modules/$(uname -r)/build) when
#                      they are installed, else the emulator's kernel when its headers are
#   kdir.sh emulator   the Debian kernel the emulator boots (make check/e2e/demo/bench)
# Prints the headers directory, a space, and what they are (one line, for `make` to say);
# or "ERROR: why" and exits 1.  Installs nothing and never runs apt-get: looking up the
# emulator's kernel is one `apt-cache depends` (scripts/kernel.sh abi --no-update).
set -uo pipefail

here=$(dirname "$0")
rel=$(uname -r)
running=/lib/modules/$rel/build

emulator() {
	local abi
	abi=$("$here/kernel.sh" abi --no-update 2>&1) || { echo "ERROR: $abi"; return 1; }
	if [ ! -f "/usr/src/linux-headers-$abi/Makefile" ]; then
		echo "ERROR: the headers of the emulator's kernel $abi are not installed" \
			"(/usr/src/linux-headers-$abi): apt-get install linux-headers-$abi"
		return 1
	fi
	echo "/usr/src/linux-headers-$abi $1 $abi"
}

case "${1:-}" in
auto)
	if [ -f "$running/Makefile" ]; then
		echo "$running the running kernel $rel"
		exit 0
	fi
	if out=$(emulator "the emulator's kernel"); then
		echo "$out (no headers for the running kernel $rel at $running)"
		exit 0
	fi
	echo "ERROR: no kernel headers to build against: none for the running kernel $rel" \
		"(apt-get install linux-headers-$rel, or your distribution's kernel-devel)," \
		"and none for the emulator's kernel (${out#ERROR: }); or pass KDIR=<headers>"
	exit 1
	;;
emulator)
	emulator "the emulator's kernel" || exit 1
	;;
*)
	echo "usage: kdir.sh auto | emulator" >&2
	exit 2
	;;
esac
