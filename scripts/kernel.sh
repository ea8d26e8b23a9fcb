#!/usr/bin/env bash
# Resolve and fetch the guest kernel: Debian's current linux-image-<abi>-amd64.
#   kernel.sh abi       print the ABI string, e.g. 6.1.0-56-amd64
#   kernel.sh fetch D   make sure D/vmlinuz-<abi>, D/config-<abi> and the few modules the
#                       tests load (D/modules-<abi>/*.ko) exist; print the abi
set -euo pipefail

resolve_abi() {
	local pkg
	pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: linux-image-\(.*\)$/\1/p' | grep -v '^amd64$' | head -n1)
	if [ -z "$pkg" ]; then
		apt-get update -qq >/dev/null 2>&1 || true
		pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
			sed -n 's/^ *Depends: linux-image-\(.*\)$/\1/p' | head -n1)
	fi
	[ -n "$pkg" ] || { echo "kernel.sh: cannot resolve linux-image-amd64's kernel" >&2; exit 1; }
	echo "$pkg"
}

case "${1:-}" in
abi)
	resolve_abi
	;;
fetch)
	dir=${2:?usage: kernel.sh fetch DIR}
	abi=$(resolve_abi)
	mkdir -p "$dir"
	if [ ! -f "$dir/vmlinuz-$abi" ] || [ ! -d "$dir/modules-$abi" ]; then
		tmp=$(mktemp -d)
		trap 'rm -rf "$tmp"' EXIT
		(cd "$tmp" && apt-get download -q "linux-image-$abi" >/dev/null)
		dpkg -x "$tmp"/linux-image-"$abi"_*.deb "$tmp/x"
		mods="$tmp/x/lib/modules/$abi/kernel"
		mkdir -p "$tmp/m"
		cp "$mods/arch/x86/kernel/msr.ko" "$mods/arch/x86/kernel/cpuid.ko" \
			"$mods/arch/x86/kvm/kvm.ko" "$mods/arch/x86/kvm/kvm-intel.ko" \
			"$mods/virt/lib/irqbypass.ko" "$tmp/m/"
		cp "$tmp/x/boot/vmlinuz-$abi" "$tmp/x/boot/config-$abi" "$dir/"
		rm -rf "$dir/modules-$abi"
		mv "$tmp/m" "$dir/modules-$abi"
	fi
	echo "$abi"
	;;
*)
	echo "usage: kernel.sh abi | fetch DIR" >&2
	exit 2
	;;
esac
