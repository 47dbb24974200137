#!/bin/sh
# Debian packages for a cross build and its tests under qemu (see 'make cross').
#   cross-deps.sh install ARCH   add the foreign architecture and install every package
#   cross-deps.sh ensure ARCH    the same, but only when something is missing
#   cross-deps.sh missing ARCH   list missing packages
#   cross-deps.sh triplet ARCH   print the GNU triplet of ARCH
#   cross-deps.sh qemu ARCH      print the qemu-user program that runs ARCH's binaries
# ARCH is a Debian architecture: arm64 or armhf. The static libraries come from the
# multiarch -dev packages (ARCH's own libc6-dev among them), the compiler from
# crossbuild-essential-ARCH; qemu-user-static runs the unit tests, qemu-system-arm
# and ARCH's kernel (fetched by tests/vm/run.sh) the VM suite.
set -u
APT_WHO=cross-deps
. "$(dirname "$0")/apt.sh"

usage() {
	echo "usage: cross-deps.sh install|ensure|missing|triplet|qemu arm64|armhf" >&2
	exit 2
}

triplet() {
	case "$1" in
	arm64) echo aarch64-linux-gnu ;;
	armhf) echo arm-linux-gnueabihf ;;
	*) return 1 ;;
	esac
}

qemu_user() {
	case "$1" in
	arm64) echo qemu-aarch64-static ;;
	armhf) echo qemu-arm-static ;;
	esac
}

packages() {
	a=$1
	echo "crossbuild-essential-$a qemu-user-static qemu-system-arm
	libseccomp-dev:$a libcap-dev:$a libmbedtls-dev:$a libyaml-dev:$a
	libsodium-dev:$a zlib1g-dev:$a"
}

missing_packages() { packages_missing $(packages "$1"); }

install_all() {
	a=$1
	if ! [ -f /etc/debian_version ] || ! command -v apt-get >/dev/null 2>&1; then
		echo "cross-deps: not a Debian system; set CC, PKG_CONFIG, CFLAGS and LDFLAGS by hand" >&2
		return 1
	fi
	m=$(missing_packages "$a")
	[ -z "$m" ] && return 0
	if [ "$(id -u)" != 0 ]; then
		echo "cross-deps: run as root to install: $m" >&2
		return 1
	fi
	echo "cross-deps: installing $m"
	if ! dpkg --print-foreign-architectures | grep -qx "$a"; then
		dpkg --add-architecture "$a" || return 1
	fi
	apt_retry update -qq || return 1
	# A foreign -dev package must match the host's version of the same library
	# (Multi-Arch: same); apt then upgrades the host's copy, never removes it. Refuse
	# a plan that removes anything rather than break the native build.
	# shellcheck disable=SC2086
	if apt-get -s install --no-install-recommends $m 2>/dev/null | grep -q '^Remv '; then
		echo "cross-deps: installing $m would remove packages; resolve by hand:" >&2
		# shellcheck disable=SC2086
		apt-get -s install --no-install-recommends $m | grep '^Remv ' >&2
		return 1
	fi
	# shellcheck disable=SC2086
	apt_retry install -y -qq --no-install-recommends $m
}

[ $# -eq 2 ] || usage
triplet "$2" >/dev/null || usage
case "$1" in
install | ensure) install_all "$2" ;;
missing)
	missing_packages "$2"
	echo
	;;
triplet) triplet "$2" ;;
qemu) qemu_user "$2" ;;
*) usage ;;
esac
