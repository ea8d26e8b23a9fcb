#!/usr/bin/env bash
# The test-only hooks (module parameters fail_on_cpu and test_hooks, the test
# hypercall) are in a test build only: `modinfo` of a plain `make` build lists no
# parameter of theirs and its code has no trace of them; a SZ_TEST_HOOKS=1 build (what
# the emulator targets build) has both, described (MODULE_PARM_DESC).
. "$(dirname "$0")/lib.sh"

src=$TMP/src
copy_tree "$src"
kdir=$(emulator_kdir) || { fail "no headers of the emulator's kernel to build against"; done_; }

build() {	# build NAME [make args]: the module, its modinfo parm lines in $TMP/NAME.parm
	if ! (cd "$src" && make module KDIR="$kdir" "${@:2}") >"$TMP/$1.log" 2>&1; then
		fail "$1: make module ${*:2} failed: $(grep -m1 -i error "$TMP/$1.log")"
		return 1
	fi
	modinfo -F parm "$src/subzero.ko" >"$TMP/$1.parm"
	strings "$src/subzero.ko" >"$TMP/$1.strings"
}

if build production; then
	if grep -qE '^(fail_on_cpu|test_hooks):' "$TMP/production.parm"; then
		fail "production build has test parameters: $(tr '\n' ' ' <"$TMP/production.parm")"
	elif grep -q 'failing on purpose' "$TMP/production.strings"; then
		fail "production build has the fail_on_cpu code ('failing on purpose')"
	else
		pass production "modinfo lists no test parameter"
	fi
fi
if build test SZ_TEST_HOOKS=1; then
	for p in fail_on_cpu test_hooks; do
		grep -qE "^$p:test only: .+" "$TMP/test.parm" ||
			fail "test build: no described parameter $p: $(tr '\n' ' ' <"$TMP/test.parm")"
	done
	[ $failures = 0 ] && pass test "fail_on_cpu and test_hooks, described"
fi
done_
