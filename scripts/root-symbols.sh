#!/usr/bin/env bash
# The hypervisor calls nothing in the kernel it hosts (issue 13): every symbol that an
# object of core/ imports must be defined by core/ itself (core/*.o, core/arch/*.o), or
# be one of the symbols listed in scripts/root-symbols.allow (for every object, or for
# one), each of which is used only outside VMX root and says why there.
# Run after `make module`.  Prints one line per finding and
#   PASS root-symbols: ...   or   FAIL root-symbols: ...
# and exits non-zero on failure.
set -u
cd "$(dirname "$0")/.."

allow=scripts/root-symbols.allow
# SZ_EXTRA_OBJS: more objects to count as core/ (the self-test passes one that imports
# memcpy, and expects this script to fail).
objs="$(ls core/*.o core/arch/*.o 2>/dev/null) ${SZ_EXTRA_OBJS:-}"
objs=$(echo $objs)
if [ -z "$objs" ]; then
	echo "FAIL root-symbols: no core objects (run make module first)"
	exit 1
fi
defined=$(nm --defined-only $objs | awk 'NF == 3 && $2 ~ /[A-Z]/ {print $3}' | sort -u)
# Lines "symbol" (any core object may import it) or "symbol object" (only that one).
allowed=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$allow" | awk 'NF == 1 {print $1}' | sort -u)
allowed_in=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$allow" | awk 'NF == 2 {print $1 " " $2}' | sort -u)
bad=0
n=0
for o in $objs; do
	for s in $(nm -u "$o" | awk '{print $2}'); do
		n=$((n + 1))
		if grep -qx -- "$s" <<<"$defined"; then
			continue
		fi
		if grep -qx -- "$s" <<<"$allowed"; then
			continue
		fi
		if grep -qx -- "$s $o" <<<"$allowed_in"; then
			continue
		fi
		echo "root-symbols: $o imports $s, which is not the hypervisor's"
		bad=$((bad + 1))
	done
done
if [ "$bad" != 0 ]; then
	echo "FAIL root-symbols: $bad import(s) from outside the hypervisor"
	exit 1
fi
echo "PASS root-symbols: $n imports of $(wc -w <<<"$objs") core objects, all resolved in core/ or allowed"
