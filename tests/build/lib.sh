# Shared by the build and install tests (tests/build/*.sh; scripts/run-build-tests.sh
# runs them).  Each test prints "PASS name", "FAIL name: why" or "SKIP name: why" lines,
# as the end-to-end tests do, and exits non-zero if anything failed.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
NAME=$(basename "$0" .sh)
failures=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/subzero-$NAME.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# pass [CASE [DETAIL]], fail [CASE:] WHY, skip WHY; a test with several cases names each
# (PASS name/case).
pass() { echo "PASS $NAME${1:+/$1}${2:+ ($2)}"; }
fail() { echo "FAIL $NAME: $*"; failures=$((failures + 1)); }
skip() { echo "SKIP $NAME: $*"; }
done_() { exit $((failures > 0)); }

# A copy of the source tree as a fresh clone has it (tracked and new, not ignored,
# files): builds here leave the caller's tree alone, and a stale build product in it
# cannot stand in for one the test makes.
copy_tree() {
	local dest=$1
	mkdir -p "$dest"
	if git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1; then
		(cd "$ROOT" && git ls-files -z -co --exclude-standard |
			xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
			tar --null -T - -cf -) | tar -xf - -C "$dest"
	else
		(cd "$ROOT" && tar --exclude=./build --exclude='*.o' --exclude='*.ko' -cf - .) |
			tar -xf - -C "$dest"
	fi
}

# The headers of the kernel the emulator boots: what these tests build against.
emulator_kdir() {
	local abi
	abi=$("$ROOT/scripts/kernel.sh" abi) || return 1
	[ -f "/usr/src/linux-headers-$abi/Makefile" ] || return 1
	echo "/usr/src/linux-headers-$abi"
}
