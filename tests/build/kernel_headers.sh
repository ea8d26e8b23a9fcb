#!/usr/bin/env bash
# scripts/kernel.sh headers (what `make matrix` builds the module against) says what
# failed, prefixed "kernel.sh:", at each of its steps: the download, unpacking the
# package, reading its dependencies.  A fake apt-cache names a kernel no machine has
# (so nothing under /usr/src stands in) and a fake apt-get fails in a chosen way.
. "$(dirname "$0")/lib.sh"

abi=9.9.9-99-amd64
fake=$TMP/bin
mkdir -p "$fake" "$TMP/deb/DEBIAN"
printf '#!/bin/sh\necho "linux-image-amd64"\necho "  Depends: linux-image-%s"\n' "$abi" \
	>"$fake/apt-cache"
# apt-get download PKG: $TMP/mode says how (fail, garbage, nodeps)
cat >"$fake/apt-get" <<EOF
#!/bin/sh
[ "\$1" = download ] || exit 100
pkg=\$3
case \$(cat "$TMP/mode") in
fail) exit 100 ;;
garbage) echo junk > "\${pkg}_1_amd64.deb" ;;
nodeps) cp "$TMP/nodeps.deb" "\${pkg}_1_amd64.deb" ;;
esac
EOF
chmod +x "$fake"/*
printf 'Package: linux-headers-%s\nVersion: 1\nArchitecture: amd64\nMaintainer: t <t@t>\nDescription: t\n' \
	"$abi" >"$TMP/deb/DEBIAN/control"
if ! dpkg-deb --build "$TMP/deb" "$TMP/nodeps.deb" >/dev/null 2>&1; then
	skip "dpkg-deb cannot build a test package"
	done_
fi

# case MODE WANT: kernel.sh headers must fail, its last line saying WANT
case_() {
	local mode=$1 want=$2 out
	echo "$mode" >"$TMP/mode"
	if out=$(PATH=$fake:$PATH "$ROOT/scripts/kernel.sh" headers "$TMP/h" 2>&1); then
		fail "$mode: kernel.sh headers succeeded: $out"
	elif ! tail -n1 <<<"$out" | grep -q "^kernel.sh: $want"; then
		fail "$mode: want 'kernel.sh: $want', got: $(tail -n1 <<<"$out")"
	else
		pass "$mode" "$(tail -n1 <<<"$out")"
	fi
}
case_ fail "apt-get download linux-headers-$abi failed"
case_ garbage "dpkg -x of the downloaded linux-headers-$abi failed"
case_ nodeps "linux-headers-$abi depends on no linux-headers-\*-common"
done_
