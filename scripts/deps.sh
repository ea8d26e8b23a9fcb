#!/usr/bin/env bash
# Install what subzero's build and tests need, only when missing (idempotent).
#   host build + unit tests: gcc, make, libcmocka-dev; groff-base (the man page check)
#   module build:            linux-headers-<abi>-amd64 matching the guest kernel
#   emulator harness:        bochs + BIOS images, GRUB (BIOS) + xorriso + mtools for the
#                            boot ISO, busybox-static and cpio for the initramfs
# The guest kernel's ABI is resolved from linux-image-amd64's dependency at run time
# (scripts/kernel.sh), because Debian bumps it with security updates.
set -euo pipefail

PKGS=(gcc make libc6-dev libcmocka-dev python3 bochs bochsbios vgabios grub-pc-bin
      grub-common xorriso mtools busybox-static cpio xz-utils lz4 binutils groff-base)

missing=()
for p in "${PKGS[@]}"; do
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

# Headers for the guest kernel (the module is built against them).
abi=$("$(dirname "$0")/kernel.sh" abi)
if [ ! -d "/usr/src/linux-headers-$abi" ]; then
	echo "deps: installing linux-headers-$abi"
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
		"linux-headers-$abi" >/dev/null
fi
