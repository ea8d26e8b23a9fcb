#!/usr/bin/env bash
# `make buildcheck`: the build and install tests (tests/build/*.sh, or those named as
# arguments), then one line 'build: N passed, N failed, N skipped'.  Each PASS, FAIL or
# SKIP line a test prints counts once; a test that exits non-zero without a FAIL line
# (a crash, a syntax error) counts as one failure.  Exits non-zero if anything failed.
set -u
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || set -- tests/build/*.sh
[ $# -gt 0 ] && [ -e "$1" ] || set --
passed=0 failed=0 skipped=0
for t in "$@"; do
	case "$t" in */lib.sh) continue ;; esac
	out=$(bash "$t" 2>&1)
	rc=$?
	echo "$out"
	p=$(grep -c '^PASS ' <<<"$out")
	f=$(grep -c '^FAIL ' <<<"$out")
	s=$(grep -c '^SKIP ' <<<"$out")
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		echo "FAIL $(basename "$t" .sh): exited $rc without saying why"
		f=1
	elif [ "$rc" = 0 ] && [ $((p + f + s)) = 0 ]; then
		echo "FAIL $(basename "$t" .sh): printed no result"
		f=1
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
done
echo "build: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
