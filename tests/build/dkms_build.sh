#!/usr/bin/env bash
# DKMS `add` and `build` of subzero (dkms.conf) against the emulator kernel's headers,
# in a private DKMS tree: the built module is for that kernel, signed with the MOK key
# DKMS made (in the test's directory), and carries dkms.conf's version if it has one.
# Nothing of the machine's DKMS state changes: DKMS reads its signing-key paths only
# from /etc/dkms/framework.conf, so the test runs it in a mount namespace where
# /etc/dkms and /var/lib/dkms are the test's own directories, and also passes
# --dkmstree/--sourcetree; /var/lib/dkms and /etc/dkms are compared before and after.
. "$(dirname "$0")/lib.sh"

"$ROOT/scripts/deps.sh" dkms >"$TMP/deps.log" 2>&1 ||
	{ fail "scripts/deps.sh dkms failed: $(tail -n1 "$TMP/deps.log")"; done_; }
kdir=$(emulator_kdir) || { fail "no headers of the emulator's kernel to build against"; done_; }
abi=${kdir#/usr/src/linux-headers-}
if [ "$(id -u)" = 0 ]; then
	ns=(unshare --mount --propagation private)
elif unshare --user --map-root-user --mount true 2>/dev/null; then
	ns=(unshare --user --map-root-user --mount --propagation private)
else
	skip "needs root or user namespaces (a private /etc/dkms for DKMS's signing key)"
	done_
fi

ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$ROOT/dkms.conf")
[ -n "$ver" ] || { fail "dkms.conf has no PACKAGE_VERSION"; done_; }
copy_tree "$TMP/src/subzero-$ver"
mkdir -p "$TMP/etc" "$TMP/var" "$TMP/dkms"
cat >"$TMP/etc/framework.conf" <<CONF
mok_signing_key="$TMP/mok.key"
mok_certificate="$TMP/mok.pub"
CONF

state() { find /etc/dkms /var/lib/dkms -printf '%p %s %T@\n' 2>/dev/null | sort; }
before=$(state)

trees=(--sourcetree "$TMP/src" --dkmstree "$TMP/dkms")
"${ns[@]}" bash -c '
	set -e
	mount --bind "$1/etc" /etc/dkms
	mount --bind "$1/var" /var/lib/dkms
	shift
	dkms add -m subzero -v "$@"
	dkms build -m subzero -v "$@"
	dkms status -m subzero -v "$@"
' sh "$TMP" "$ver" "${trees[@]}" -k "$abi" --kernelsourcedir "$kdir" >"$TMP/dkms.log" 2>&1
rc=$?
[ "$(state)" = "$before" ] || fail "/etc/dkms or /var/lib/dkms changed"
if [ $rc != 0 ]; then
	fail "dkms add/build failed ($rc): $(grep -v '^$' "$TMP/dkms.log" | tail -n3 | tr '\n' ' ')"
	cat "$TMP/dkms/subzero/$ver/build/make.log" 2>/dev/null | tail -n 20
	done_
fi
grep -q "^subzero/$ver, $abi, .*: built" "$TMP/dkms.log" ||
	fail "dkms status does not say built: $(tail -n1 "$TMP/dkms.log")"

ko=$(find "$TMP/dkms/subzero/$ver/$abi" -path '*/module/subzero.ko*' | head -n1)
if [ -z "$ko" ]; then
	fail "no module/subzero.ko under $TMP/dkms/subzero/$ver/$abi"
	done_
fi
vermagic=$(modinfo -F vermagic "$ko" | cut -d' ' -f1)
signer=$(modinfo -F signer "$ko")
modver=$(modinfo -F version "$ko")
[ "$vermagic" = "$abi" ] || fail "DKMS built for '$vermagic', not $abi"
# Debian's linux-headers bring linux-kbuild's sign-file, so DKMS signs.
[ "$signer" = "DKMS module signing key" ] || fail "module signer '$signer', not DKMS's key"
[ -f "$TMP/mok.pub" ] || fail "DKMS made no MOK certificate at $TMP/mok.pub"
[ -z "$modver" ] || [ "$modver" = "$ver" ] ||
	fail "module version $modver, dkms.conf PACKAGE_VERSION $ver"
[ $failures = 0 ] && pass "" "subzero/$ver for $abi, signer: $signer${modver:+, version $modver}"
done_
