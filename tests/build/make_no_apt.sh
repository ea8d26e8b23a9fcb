#!/usr/bin/env bash
# `make` (module + tool) installs nothing and runs no package manager, even where the
# emulator's packages are all missing: a fake dpkg-query says nothing is installed, and
# fake apt-get/apt/sudo record that they were called and fail.  Both with KDIR given
# and with the kernel chosen by `make`, which says in one line which kernel it chose.
. "$(dirname "$0")/lib.sh"

kdir=$(emulator_kdir) || { fail "no headers of the emulator's kernel to build against"; done_; }
fake=$TMP/bin
mkdir -p "$fake"
for t in apt-get apt sudo; do
	printf '#!/bin/sh\necho "%s $*" >>"%s/called"\necho "FAKE %s CALLED: $*" >&2\nexit 100\n' \
		"$t" "$TMP" "$t" >"$fake/$t"
done
printf '#!/bin/sh\nexit 1\n' >"$fake/dpkg-query"
chmod +x "$fake"/*
# The fake really stands in: deps.sh, which `make` used to run first, now wants apt-get.
PATH=$fake:$PATH "$ROOT/scripts/deps.sh" unit >/dev/null 2>&1
[ -s "$TMP/called" ] || fail "the fake dpkg-query/apt-get did not take effect"
rm -f "$TMP/called"

src=$TMP/src
copy_tree "$src"

# build WHAT [make args]: run make in the copy with the fakes first in PATH; $line gets
# what make said about the kernel.  (Not in a subshell: fail must count.)
build() {
	local what=$1
	shift
	if ! (cd "$src" && PATH=$fake:$PATH make "$@") >"$TMP/$what.log" 2>&1; then
		fail "$what: make $* failed: $(grep -m1 -iE 'error|FAKE' "$TMP/$what.log")"
		return 1
	fi
	if [ -s "$TMP/called" ]; then
		fail "$what: make $* ran $(head -n1 "$TMP/called")"
		return 1
	fi
	[ -f "$src/subzero.ko" ] && [ -x "$src/build/subzero" ] ||
		{ fail "$what: make $* left no subzero.ko or build/subzero"; return 1; }
	local says
	says=$(grep -c '^subzero: building subzero.ko for ' "$TMP/$what.log")
	[ "$says" = 1 ] ||
		{ fail "$what: make said $says times which kernel it builds for (want 1)"; return 1; }
	line=$(grep '^subzero: building subzero.ko for ' "$TMP/$what.log")
}

if build explicit KDIR="$kdir"; then
	case "$line" in
	*"KDIR=$kdir, as given"*) pass kdir "$line" ;;
	*) fail "explicit: make said '$line', not the KDIR it was given" ;;
	esac
fi

rm -f "$src/subzero.ko" "$src/build/subzero"
if build auto; then
	running=/lib/modules/$(uname -r)/build
	if [ -f "$running/Makefile" ]; then
		want="the running kernel $(uname -r)"
	else
		want="the emulator's kernel $(basename "$kdir" | sed 's/^linux-headers-//')"
	fi
	case "$line" in
	*"$want"*) pass auto "$line" ;;
	*) fail "auto: make said '$line', want '$want'" ;;
	esac
fi
done_
