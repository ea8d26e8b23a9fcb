#!/usr/bin/env bash
# Resolve and fetch the guest kernel: Debian's current linux-image-<abi>-amd64.
#   kernel.sh abi [--no-update]
#                       print the ABI string, e.g. 6.1.0-56-amd64; when the package lists
#                       do not know linux-image-amd64, run apt-get update once and retry
#                       (not with --no-update: then only say so)
#   kernel.sh fetch D   make sure D/vmlinuz-<abi>, D/config-<abi> and the few modules the
#                       tests load (D/modules-<abi>/*.ko) exist; print the abi
# Every failure says what failed, on stderr, prefixed "kernel.sh:".
set -euo pipefail

die() {
	echo "kernel.sh: $*" >&2
	exit 1
}

# linux-image-amd64 is a metapackage: its one linux-image-<abi> dependency is the kernel.
depends_abi() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: linux-image-\(.*\)$/\1/p' | grep -v '^amd64$' | head -n1 || true
}

resolve_abi() {
	local update=$1 abi
	command -v apt-cache >/dev/null ||
		die "apt-cache not found: the emulator's kernel is Debian's linux-image-amd64" \
			"(a Debian machine finds it); to build for another kernel pass KDIR=<headers>"
	abi=$(depends_abi)
	if [ -z "$abi" ]; then
		[ "$update" = yes ] ||
			die "apt-cache depends linux-image-amd64 printed no linux-image dependency:" \
				"run apt-get update, or pass KDIR=<headers>"
		apt-get update -qq >/dev/null 2>&1 ||
			die "apt-cache depends linux-image-amd64 printed no linux-image dependency," \
				"and apt-get update failed (run it to see why); or pass KDIR=<headers>"
		abi=$(depends_abi)
		[ -n "$abi" ] ||
			die "apt-cache depends linux-image-amd64 printed no linux-image dependency" \
				"even after apt-get update: the package lists have no Debian kernel" \
				"(the emulator boots Debian bookworm's); pass KDIR=<headers>"
	fi
	echo "$abi"
}

case "${1:-}" in
abi)
	case "${2:-}" in
	"") resolve_abi yes ;;
	--no-update) resolve_abi no ;;
	*) echo "usage: kernel.sh abi [--no-update]" >&2; exit 2 ;;
	esac
	;;
fetch)
	dir=${2:?usage: kernel.sh fetch DIR}
	abi=$(resolve_abi yes)
	mkdir -p "$dir" || die "cannot create $dir"
	if [ ! -f "$dir/vmlinuz-$abi" ] || [ ! -d "$dir/modules-$abi" ]; then
		tmp=$(mktemp -d)
		trap 'rm -rf "$tmp"' EXIT
		(cd "$tmp" && apt-get download -q "linux-image-$abi" >/dev/null 2>"$tmp/err") ||
			die "apt-get download linux-image-$abi failed: $(tail -n1 "$tmp/err")"
		dpkg -x "$tmp"/linux-image-"$abi"_*.deb "$tmp/x" ||
			die "dpkg -x of the downloaded linux-image-$abi failed"
		mods="$tmp/x/lib/modules/$abi/kernel"
		mkdir -p "$tmp/m"
		for m in arch/x86/kernel/msr.ko arch/x86/kernel/cpuid.ko arch/x86/kvm/kvm.ko \
			arch/x86/kvm/kvm-intel.ko virt/lib/irqbypass.ko; do
			cp "$mods/$m" "$tmp/m/" ||
				die "linux-image-$abi has no $m (the tests load it)"
		done
		for f in "vmlinuz-$abi" "config-$abi"; do
			cp "$tmp/x/boot/$f" "$dir/" || die "linux-image-$abi has no /boot/$f"
		done
		rm -rf "$dir/modules-$abi"
		mv "$tmp/m" "$dir/modules-$abi"
	fi
	echo "$abi"
	;;
*)
	echo "usage: kernel.sh abi [--no-update] | fetch DIR" >&2
	exit 2
	;;
esac
