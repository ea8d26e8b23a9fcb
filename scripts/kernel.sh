#!/usr/bin/env bash
# Resolve and fetch a guest kernel: one of Debian's kernels, by flavour.
#   kernel.sh abi [--no-update] [K]
#                            print the ABI string, e.g. 6.1.0-56-amd64 (--no-update: never
#                            refresh the package lists, only say they are stale)
#   kernel.sh fetch D [K]    make sure D/vmlinuz-<abi>, D/config-<abi> and the few modules
#                            the tests load (D/modules-<abi>/*.ko) exist; print the abi
#   kernel.sh headers D [K]  make sure the kernel's headers (to build modules against)
#                            are unpacked under D; print the KDIR to build with
# K, the kernel (scenarios.cfg's 'kernel' key):
#   generic     bookworm's linux-image-amd64 (the default; what `make` builds against)
#   rt          bookworm's PREEMPT_RT flavour, linux-image-rt-amd64
#   cloud       bookworm's cloud flavour, linux-image-cloud-amd64
#   backports   bookworm-backports' linux-image-amd64 (the newest kernel this toolchain
#               builds modules for; trixie's needs gcc-14)
# The ABI is resolved from the meta-package's dependency at run time, because Debian bumps
# it with security updates.  backports is looked up with an apt configuration of its own
# under build/apt/ (apt-get -o Dir::Etc::sourcelist=...): the machine's is not changed.
# Every failure says what failed, on stderr, prefixed "kernel.sh:".
set -euo pipefail

die() {
	echo "kernel.sh: $*" >&2
	exit 1
}

ROOT=$(cd "$(dirname "$0")/.." && pwd)
MIRROR=${SZ_DEBIAN_MIRROR:-http://deb.debian.org/debian}

# apt with the machine's configuration, or (backports) with our own.
APT_OPTS=()
apt_setup() {
	[ "$1" = backports ] || return 0
	local d=$ROOT/build/apt
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
	echo "deb $MIRROR bookworm-backports main" > "$d/sources.list"
	APT_OPTS=(-o "Dir::Etc::sourcelist=$d/sources.list" -o "Dir::Etc::sourceparts=-"
		  -o "Dir::State::Lists=$d/lists" -o "Dir::Cache=$d/cache"
		  -o "APT::Default-Release=bookworm-backports")
	# Refresh the index at most once a day.
	if [ -z "$(find "$d/lists" -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null)" ]; then
		apt-get "${APT_OPTS[@]}" update -qq >/dev/null 2>&1 ||
			{ echo "kernel.sh: cannot fetch the bookworm-backports index" >&2; exit 1; }
	fi
}

meta() {
	case "$1" in
	generic|backports) echo amd64 ;;
	rt) echo rt-amd64 ;;
	cloud) echo cloud-amd64 ;;
	*) echo "kernel.sh: unknown kernel '$1' (generic, rt, cloud, backports)" >&2; exit 2 ;;
	esac
}

# The newest linux-image-<abi> the meta-package depends on.  With NO_UPDATE set (abi
# --no-update, what `make` asks) the package lists are never refreshed: only said to be stale.
NO_UPDATE=
depends_abi() {
	apt-cache "${APT_OPTS[@]}" depends "linux-image-$1" 2>/dev/null |
		sed -n 's/^ *Depends: linux-image-\(.*\)$/\1/p' | grep -v "^$1\$" | head -n1 || true
}

resolve_abi() {
	local k=$1 m pkg
	m=$(meta "$k")
	command -v apt-cache >/dev/null ||
		die "apt-cache not found: the emulator's kernel is Debian's linux-image-$m" \
			"(a Debian machine finds it); to build for another kernel pass KDIR=<headers>"
	apt_setup "$k"
	pkg=$(depends_abi "$m")
	if [ -z "$pkg" ] && [ "$k" != backports ]; then
		[ -z "$NO_UPDATE" ] ||
			die "apt-cache depends linux-image-$m printed no linux-image dependency:" \
				"run apt-get update, or pass KDIR=<headers>"
		apt-get update -qq >/dev/null 2>&1 ||
			die "apt-cache depends linux-image-$m printed no linux-image dependency," \
				"and apt-get update failed (run it to see why); or pass KDIR=<headers>"
		pkg=$(depends_abi "$m")
	fi
	[ -n "$pkg" ] ||
		die "apt-cache depends linux-image-$m printed no linux-image dependency" \
			"even after updating the package lists: they have no Debian kernel of that" \
			"flavour; pass KDIR=<headers>"
	echo "$pkg"
}

download() {	# download DIR PACKAGE...
	local dir=$1
	shift
	(cd "$dir" && apt-get "${APT_OPTS[@]}" download -q "$@" >/dev/null)
}

cmd=${1:-}
k=${3:-generic}
case "$cmd" in
abi)
	if [ "${2:-}" = --no-update ]; then
		NO_UPDATE=1
		resolve_abi "${3:-generic}"
	else
		resolve_abi "${2:-generic}"
	fi
	;;
fetch)
	dir=${2:?usage: kernel.sh fetch DIR [KERNEL]}
	abi=$(resolve_abi "$k")
	apt_setup "$k"
	mkdir -p "$dir"
	if [ ! -f "$dir/vmlinuz-$abi" ] || [ ! -d "$dir/modules-$abi" ]; then
		tmp=$(mktemp -d)
		trap 'rm -rf "$tmp"' EXIT
		download "$tmp" "linux-image-$abi" ||
			die "apt-get download linux-image-$abi failed"
		dpkg -x "$tmp"/linux-image-"$abi"_*.deb "$tmp/x" ||
			die "dpkg -x of the downloaded linux-image-$abi failed"
		mods="$tmp/x/lib/modules/$abi/kernel"
		mkdir -p "$tmp/m"
		for m in arch/x86/kernel/msr arch/x86/kernel/cpuid arch/x86/kvm/kvm \
			 arch/x86/kvm/kvm-intel virt/lib/irqbypass; do
			# Debian compresses modules from 6.x on in some suites.
			if [ -f "$mods/$m.ko" ]; then
				cp "$mods/$m.ko" "$tmp/m/"
			elif [ -f "$mods/$m.ko.xz" ]; then
				xz -dc "$mods/$m.ko.xz" > "$tmp/m/$(basename "$m").ko"
			fi
		done
		for f in "vmlinuz-$abi" "config-$abi"; do
			cp "$tmp/x/boot/$f" "$dir/" || die "linux-image-$abi has no /boot/$f"
		done
		rm -rf "$dir/modules-$abi"
		mv "$tmp/m" "$dir/modules-$abi"
	fi
	echo "$abi"
	;;
headers)
	dir=${2:?usage: kernel.sh headers DIR [KERNEL]}
	abi=$(resolve_abi "$k")
	apt_setup "$k"
	if [ "$k" != backports ] && [ -d "/usr/src/linux-headers-$abi" ]; then
		echo "/usr/src/linux-headers-$abi"
		exit 0
	fi
	root="$dir/headers-$abi"
	kdir="$root/usr/src/linux-headers-$abi"
	if [ ! -f "$kdir/.unpacked" ]; then
		tmp=$(mktemp -d)
		trap 'rm -rf "$tmp"' EXIT
		download "$tmp" "linux-headers-$abi" ||
			die "apt-get download linux-headers-$abi failed"
		dpkg -x "$tmp"/linux-headers-"$abi"_*.deb "$tmp/x" ||
			die "dpkg -x of the downloaded linux-headers-$abi failed"
		# Its dependencies: the flavour's common headers and the kbuild tools.
		deps=$(dpkg-deb -f "$tmp"/linux-headers-"$abi"_*.deb Depends) ||
			die "dpkg-deb cannot read the Depends of the downloaded linux-headers-$abi"
		deps=$(echo "$deps" | tr ',' '\n' |
			sed -n 's/^ *\(linux-headers-[^ ]*-common[^ ]*\|linux-kbuild-[^ ]*\).*/\1/p')
		[ -n "$deps" ] ||
			die "linux-headers-$abi depends on no linux-headers-*-common or" \
				"linux-kbuild-* package: cannot tell what else to fetch"
		# shellcheck disable=SC2086
		download "$tmp" $deps ||
			die "apt-get download of linux-headers-$abi's dependencies failed:" $deps
		for d in $deps; do
			dpkg -x "$tmp/${d}"_*.deb "$tmp/x" ||
				die "dpkg -x of the downloaded $d failed"
		done
		# The flavour's Makefile includes the common one by absolute path.
		[ -f "$tmp/x/usr/src/linux-headers-$abi/Makefile" ] ||
			die "linux-headers-$abi has no usr/src/linux-headers-$abi/Makefile"
		sed -i "s|include /usr/src/|include $(realpath -m "$root")/usr/src/|" \
			"$tmp/x/usr/src/linux-headers-$abi/Makefile" ||
			die "cannot point linux-headers-$abi's Makefile at the unpacked common headers"
		rm -rf "$root"
		mkdir -p "$dir" || die "cannot create $dir"
		mv "$tmp/x" "$root" || die "cannot move the unpacked headers to $root"
		touch "$kdir/.unpacked"
	fi
	echo "$(realpath "$kdir")"
	;;
*)
	echo "usage: kernel.sh abi [--no-update] [KERNEL] | fetch DIR [KERNEL] | headers DIR [KERNEL]" >&2
	exit 2
	;;
esac
