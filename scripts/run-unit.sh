#!/usr/bin/env bash
# Run the host unit test binaries given as arguments (cmocka), then print one line
# 'unit: N passed, N failed'.  Exit non-zero if any test failed or a binary crashed.
set -u
passed=0 failed=0 crashed=0
for t in "$@"; do
	out=$("$t" 2>&1)
	rc=$?
	echo "$out"
	p=$(echo "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -n1)
	f=$(echo "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -n1)
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	if [ -z "$p" ] && [ -z "$f" ] || { [ "$rc" != 0 ] && [ -z "$f" ]; }; then
		echo "unit: $t exited $rc without a cmocka summary (crash or sanitizer report)"
		crashed=$((crashed + 1))
	fi
done
failed=$((failed + crashed))
echo "unit: $passed passed, $failed failed"
[ "$failed" = 0 ]
