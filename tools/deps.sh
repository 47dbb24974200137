#!/bin/sh
# Debian dependencies of the build and the tests.
#   deps.sh install DIR   install every package (apt-get, as root) and fetch cJSON's
#                         source package into DIR
#   deps.sh ensure DIR    the same, but only when something is missing
#   deps.sh missing       list missing packages
set -u
APT_WHO=deps
. "$(dirname "$0")/apt.sh"

# Build: compiler and static libraries. Tests: the outside tools used as oracles,
# the shells whose completion scripts nstar writes,
# the VM harness, fuzzing, the benchmarks' references, and the man page and Kconfig
# tools of the packaging test (tests/integration/install.sh, buildroot.sh).
PACKAGES="gcc make pkg-config dpkg-dev libc6-dev
libseccomp-dev libcap-dev libmbedtls-dev libyaml-dev zlib1g-dev libsodium-dev
clang squashfs-tools cryptsetup-bin unzip python3 python3-cryptography
qemu-system-x86 cpio busybox-static kmod iproute2 util-linux crun hyperfine
zsh fish elvish help2man python3-kconfiglib"

missing_packages() { packages_missing $PACKAGES; }

have_cjson() { ls "$1"/cjson-*/cJSON.c >/dev/null 2>&1; }

is_debian() { [ -f /etc/debian_version ] && command -v apt-get >/dev/null 2>&1; }

fetch_cjson() {
	dir=$1
	have_cjson "$dir" && return 0
	ensure_deb_src || return 1
	mkdir -p "$dir"
	(cd "$dir" && apt_retry source -qq cjson) || return 1
	have_cjson "$dir"
}

install_all() {
	dir=$1
	if ! is_debian; then
		echo "deps: not a Debian system; install the dependencies listed in README.md by hand" >&2
		return 1
	fi
	if [ "$(id -u)" != 0 ]; then
		echo "deps: run as root to install: $(missing_packages)" >&2
		return 1
	fi
	m=$(missing_packages)
	if [ -n "$m" ]; then
		echo "deps: installing $m"
		apt_retry update -qq || return 1
		# shellcheck disable=SC2086
		apt_retry install -y -qq --no-install-recommends $m || return 1
	fi
	fetch_cjson "$dir"
}

case "${1:-}" in
install)
	install_all "${2:-build/deps}"
	;;
ensure)
	dir=${2:-build/deps}
	if [ -z "$(missing_packages)" ] && have_cjson "$dir"; then
		exit 0
	fi
	install_all "$dir"
	;;
missing)
	missing_packages
	echo
	;;
*)
	echo "usage: deps.sh install|ensure DIR | missing" >&2
	exit 2
	;;
esac
