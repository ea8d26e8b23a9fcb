#!/usr/bin/env bash
# `make install DESTDIR=...` puts exactly the expected files there, with the expected
# modes and contents: the module under lib/modules/<release>/updates (the release the
# module was built for), the tool in PREFIX/sbin, the man page and bash completion when
# the tree has them; no depmod under a DESTDIR.  `make uninstall` removes every one.
# Then the same with PREFIX=/usr.
. "$(dirname "$0")/lib.sh"

src=$TMP/src
copy_tree "$src"

if ! (cd "$src" && make) >"$TMP/build.log" 2>&1; then
	fail "make failed: $(grep -m1 -i error "$TMP/build.log")"
	done_
fi
rel=$(modinfo -F vermagic "$src/subzero.ko" | cut -d' ' -f1)
[ -n "$rel" ] || { fail "modinfo finds no vermagic in subzero.ko"; done_; }

# check_install PREFIX: install into a fresh DESTDIR with that PREFIX and compare.
check_install() {
	local prefix=$1 root=$TMP/root$1 want got f mode rc=0
	mkdir -p "$root"
	declare -A exp=(
		["lib/modules/$rel/updates/subzero.ko"]="644 subzero.ko"
		["${prefix#/}/sbin/subzero"]="755 build/subzero"
	)
	[ -f "$src/docs/subzero.8" ] &&
		exp["${prefix#/}/share/man/man8/subzero.8"]="644 docs/subzero.8"
	[ -f "$src/tools/subzero.bash-completion" ] &&
		exp["${prefix#/}/share/bash-completion/completions/subzero"]="644 tools/subzero.bash-completion"

	if ! (cd "$src" && make install DESTDIR="$root" PREFIX="$prefix") >"$TMP/install.log" 2>&1; then
		fail "make install PREFIX=$prefix failed: $(grep -m1 -i error "$TMP/install.log")"
		return
	fi
	want=$(printf '%s\n' "${!exp[@]}" | sort)
	got=$(cd "$root" && find . ! -type d | sed 's|^\./||' | sort)
	if [ "$want" != "$got" ]; then
		fail "PREFIX=$prefix: installed [$(echo $got)], want [$(echo $want)]"
		rc=1
	fi
	for f in "${!exp[@]}"; do
		[ -f "$root/$f" ] || continue
		mode=$(stat -c %a "$root/$f")
		[ "$mode" = "${exp[$f]% *}" ] ||
			{ fail "PREFIX=$prefix: $f has mode $mode, want ${exp[$f]% *}"; rc=1; }
		cmp -s "$root/$f" "$src/${exp[$f]#* }" ||
			{ fail "PREFIX=$prefix: $f differs from ${exp[$f]#* }"; rc=1; }
	done
	# Under a DESTDIR depmod is the package's job: no modules.dep may appear there.
	grep -q 'depmod not run (DESTDIR set)' "$TMP/install.log" ||
		{ fail "PREFIX=$prefix: make install did not say it left depmod alone"; rc=1; }

	if ! (cd "$src" && make uninstall DESTDIR="$root" PREFIX="$prefix") >"$TMP/uninstall.log" 2>&1; then
		fail "make uninstall PREFIX=$prefix failed: $(grep -m1 -i error "$TMP/uninstall.log")"
		return
	fi
	got=$(cd "$root" && find . ! -type d | sed 's|^\./||')
	[ -z "$got" ] || { fail "PREFIX=$prefix: make uninstall left $(echo $got)"; rc=1; }
	[ $rc = 0 ] && pass "prefix=$prefix" "$(echo $want)"
}

check_install /usr/local
check_install /usr

# A real install (no DESTDIR) runs depmod for the module's release; shown with -n, so
# nothing is written outside the test's directory.
if (cd "$src" && make -n install 2>/dev/null) | grep -qx "depmod -a $rel"; then
	pass depmod "make install runs depmod -a $rel"
else
	fail "make -n install shows no 'depmod -a $rel'"
fi
done_
