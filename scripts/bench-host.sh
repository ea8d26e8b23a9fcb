#!/bin/sh
# The benchmark of `make bench`, on this machine instead of the emulator: a real CPU
# with VT-x, as root, with the module built for the running kernel:
#
#   make KDIR=/lib/modules/$(uname -r)/build all testmod helpers
#   sudo scripts/bench-host.sh [OUTDIR]      (default build/bench-host)
#
# It runs the same in-guest script (tests/e2e/guest/tests/bench.sh) with the paths of
# this tree, then scripts/bench-report.py writes OUTDIR/results.md.  Figures are TSC
# ticks: on real hardware, cycles of the TSC's fixed frequency.  It loads and unloads
# subzero, takes CPU 1 offline and back for a moment, and loads kvm_intel at the end.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-$ROOT/build/bench-host}

[ "$(id -u)" = 0 ] || { echo "bench-host: run as root" >&2; exit 1; }
grep -qw vmx /proc/cpuinfo || { echo "bench-host: this CPU shows no VT-x (vmx flag)" >&2; exit 1; }
if grep -q '^kvm_intel ' /proc/modules; then
	echo "bench-host: kvm_intel holds VMX; unload it first (rmmod kvm_intel)" >&2
	exit 1
fi
for f in subzero.ko tests/e2e/kmod/sz_test.ko build/subzero build/helpers/sz-bench \
	 build/helpers/kvm-bench build/helpers/modload build/helpers/cpuid-probe; do
	[ -e "$ROOT/$f" ] || { echo "bench-host: $f missing: build it first (see above)" >&2; exit 1; }
done

export PATH="$ROOT/build/helpers:$ROOT/build:$PATH"
export KMOD_DIR="$ROOT/tests/e2e/kmod" BENCH_WHERE=host
rm -f /tmp/why /tmp/bench.txt
# As the emulator's runner does: lib.sh's helpers, then the test, with -e.
if ! (cd /tmp && sh -e -c ". '$ROOT/tests/e2e/guest/lib.sh'; SZ_KO='$ROOT/subzero.ko'; \
			. '$ROOT/tests/e2e/guest/tests/bench.sh'" > /tmp/bench-host.log 2>&1); then
	echo "bench-host: the benchmark stopped: $(cat /tmp/why 2>/dev/null)" >&2
	tail -n 5 /tmp/bench-host.log >&2
	grep -q '^subzero ' /proc/modules && rmmod subzero
	exit 1
fi
python3 "$ROOT/scripts/bench-report.py" /tmp/bench.txt "$OUT"
