#!/usr/bin/env bash
# `make check`: checkpatch (make lint), the build and install tests (make buildcheck),
# host unit tests, root's imports, the module built against every Debian kernel the
# scenarios boot (scripts/compile-check.sh), then every end-to-end scenario in the emulator.
# Ends with one line 'check: N passed, N failed, N skipped'; exits non-zero on failure.
# make lint counts as one test; the others count what they report.
set -u
cd "$(dirname "$0")/.."

log=$(mktemp)
trap 'rm -f "$log"' EXIT

make --no-print-directory lint 2>&1 | tee "$log"
lint_rc=${PIPESTATUS[0]}
if [ "$lint_rc" = 0 ]; then lp=1 lf=0; else lp=0 lf=1; fi

make --no-print-directory buildcheck 2>&1 | tee "$log"
build_rc=${PIPESTATUS[0]}
read -r bp bf bs < <(sed -n 's/^build: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped$/\1 \2 \3/p' "$log" | tail -n1)

make --no-print-directory unit 2>&1 | tee "$log"
unit_rc=${PIPESTATUS[0]}
read -r up uf < <(sed -n 's/^unit: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$log" | tail -n1)

# core/ imports nothing from the kernel it hosts (issue 13): two checks.
make --no-print-directory rootcheck 2>&1 | tee "$log"
rootcheck_rc=${PIPESTATUS[0]}
rp=$(grep -c '^PASS root-symbols' "$log")
rf=$(grep -c '^FAIL root-symbols' "$log")
[ "$rootcheck_rc" != 0 ] && [ "$rf" = 0 ] && rf=1

# The module against every Debian kernel the scenarios can boot (6.1 generic, rt and
# cloud, 6.12 from backports), objtool's and modpost's warnings as errors; no emulator.
scripts/compile-check.sh 2>&1 | tee "$log"
compile_rc=${PIPESTATUS[0]}
read -r cp cf < <(sed -n 's/^compile: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$log" | tail -n1)

make --no-print-directory e2e 2>&1 | tee "$log"
e2e_rc=${PIPESTATUS[0]}
read -r ep ef es < <(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped$/\1 \2 \3/p' "$log" | tail -n1)

passed=$(( lp + ${bp:-0} + ${up:-0} + ${cp:-0} + ${ep:-0} + rp ))
failed=$(( lf + ${bf:-0} + ${uf:-0} + ${cf:-0} + ${ef:-0} + rf ))
skipped=$(( ${bs:-0} + ${es:-0} ))
# A stage that failed without reporting counts (a build error, say) is one failure.
[ "$build_rc" != 0 ] && [ "${bf:-0}" = 0 ] && failed=$((failed + 1))
[ "$unit_rc" != 0 ] && [ "${uf:-0}" = 0 ] && failed=$((failed + 1))
[ "$compile_rc" != 0 ] && [ "${cf:-0}" = 0 ] && failed=$((failed + 1))
[ "$e2e_rc" != 0 ] && [ "${ef:-0}" = 0 ] && failed=$((failed + 1))
echo "check: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
