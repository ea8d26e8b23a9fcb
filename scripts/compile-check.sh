#!/usr/bin/env bash
# Compile-only check: build subzero.ko and the e2e test module (tests/e2e/kmod) against
# each Debian kernel the scenarios can boot (scripts/kernel.sh), with every warning an
# error -- objtool's and modpost's too, which kbuild only prints.  Seconds per kernel,
# no emulator.
#   scripts/compile-check.sh [KERNEL...]    default: generic rt cloud backports
# Each build runs in a copy of the sources under build/compile/<kernel>/, so the tree's
# own build (against the default kernel) is left alone.
set -uo pipefail
cd "$(dirname "$0")/.."

kernels=("$@")
[ ${#kernels[@]} -gt 0 ] || kernels=(generic rt cloud backports)

failed=0
for k in "${kernels[@]}"; do
	if ! kdir=$(scripts/kernel.sh headers build/kernel "$k"); then
		echo "FAIL compile/$k: cannot fetch the kernel's headers"
		failed=$((failed + 1))
		continue
	fi
	abi=$(basename "$kdir" | sed 's/^linux-headers-//')
	out=build/compile/$k
	rm -rf "$out"
	mkdir -p "$out/tests/e2e"
	cp -r Kbuild core linux include "$out/"
	cp -r tests/e2e/kmod "$out/tests/e2e/"
	log=$out/build.log
	# BTF for modules needs pahole (package dwarves), which the build does not.
	nobtf=()
	command -v pahole > /dev/null || nobtf=(CONFIG_DEBUG_INFO_BTF_MODULES=)
	make -C "$kdir" M="$(realpath "$out")" "${nobtf[@]}" modules > "$log" 2>&1
	rc=$?
	if [ $rc = 0 ]; then
		make -C "$kdir" M="$(realpath "$out")/tests/e2e/kmod" "${nobtf[@]}" modules \
			>> "$log" 2>&1
		rc=$?
	fi
	warnings=$(grep -iE '(^|[: ])warning:' "$log")
	if [ $rc != 0 ]; then
		echo "FAIL compile/$k ($abi): build failed; $log:"
		grep -E 'error|warning' "$log" | head -n 20 | sed 's/^/    /'
		failed=$((failed + 1))
	elif [ -n "$warnings" ]; then
		echo "FAIL compile/$k ($abi): warnings (errors here); $log:"
		echo "$warnings" | head -n 20 | sed "s|$(realpath "$out")/||; s/^/    /"
		failed=$((failed + 1))
	else
		echo "PASS compile/$k ($abi)"
	fi
done
echo "compile: $((${#kernels[@]} - failed)) passed, $failed failed"
[ $failed = 0 ]
