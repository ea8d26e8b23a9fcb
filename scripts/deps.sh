#!/usr/bin/env bash
# Install what one group of subzero's targets needs, only what is missing (idempotent).
#   deps.sh unit       host unit tests (make unit): gcc, make, the C library, cmocka
#   deps.sh emulator   everything the emulator targets need (make check, e2e, demo,
#                      bench): the unit group, plus Bochs and its BIOS images, GRUB (BIOS)
#                      + xorriso + mtools for the boot ISO, busybox-static and cpio for
#                      the initramfs, groff-base (the host check of the man page), and
#                      linux-headers-<abi> of the guest kernel
#   deps.sh dkms       the DKMS test (tests/build/dkms_build.sh): dkms, openssl for its
#                      signing key
# `make` itself (the module and the tool) installs nothing: it needs a compiler and the
# headers of the kernel it builds for, which are the user's to install.
# The guest kernel's ABI is resolved from linux-image-amd64's dependency at run time
# (scripts/kernel.sh), because Debian bumps it with security updates.
set -euo pipefail

UNIT=(gcc make libc6-dev libcmocka-dev)
EMULATOR=("${UNIT[@]}" python3 bochs bochsbios vgabios grub-pc-bin grub-common xorriso
	  mtools busybox-static cpio xz-utils lz4 binutils groff-base)
DKMS=(dkms openssl kmod)

group=${1:-emulator}
case "$group" in
unit) pkgs=("${UNIT[@]}") ;;
emulator) pkgs=("${EMULATOR[@]}") ;;
dkms) pkgs=("${DKMS[@]}") ;;
*) echo "usage: deps.sh unit | emulator | dkms" >&2; exit 2 ;;
esac

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done

SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo

if [ ${#missing[@]} -gt 0 ]; then
	echo "deps: installing ${missing[*]}"
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >/dev/null
fi

[ "$group" = emulator ] || exit 0

# Headers for the guest kernel (the module the emulator loads is built against them).
abi=$("$(dirname "$0")/kernel.sh" abi)
if [ ! -d "/usr/src/linux-headers-$abi" ]; then
	echo "deps: installing linux-headers-$abi"
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
		"linux-headers-$abi" >/dev/null
fi
