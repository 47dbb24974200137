#!/bin/sh
# Debian dependencies, in sets: each make target installs only what it uses.
#   deps.sh install DIR [SET]   install SET's packages (apt-get, as root) and fetch cJSON's
#                               source package into DIR
#   deps.sh ensure DIR [SET]    the same, but only when something is missing
#   deps.sh missing [SET]       list SET's missing packages
#   deps.sh list [SET]          list SET's packages
# SET: demo (make demo: build, pack and run the examples), check (make check: demo's
# and the test tools), bench (make bench: demo's and the benchmarks' references), all
# (make deps; the default).
set -u
APT_WHO=deps
. "$(dirname "$0")/apt.sh"

# make demo: the compiler and the static libraries; dpkg-dev unpacks cJSON's source
# package; kmod's modprobe loads dm-verity. Running needs nothing more.
DEMO="gcc make pkg-config dpkg-dev libc6-dev
libseccomp-dev libcap-dev libmbedtls-dev libyaml-dev zlib1g-dev libsodium-dev kmod"
# make check adds the outside tools used as oracles (squashfs, veritysetup, python3 for
# the console and NPK references, unzip), ip (network namespaces), mkfs.ext4 (the
# persist tests), the VM harness (qemu, cpio, busybox), clang and its libFuzzer runtime
# for the fuzzers, the man page and Kconfig tools of the packaging tests (install.sh,
# buildroot.sh), and the shells whose completion scripts nstar.sh loads.
CHECK="clang squashfs-tools cryptsetup-bin unzip python3 python3-cryptography
qemu-system-x86 cpio busybox-static iproute2 util-linux e2fsprogs
help2man python3-kconfiglib
zsh fish elvish"
# make bench adds what the benchmarks measure against.
BENCH="crun squashfs-tools cryptsetup-bin busybox-static python3"

# clang links -fsanitize=fuzzer against libclang_rt.fuzzer, shipped in a package clang
# only recommends (and we install without recommends): libclang-rt-N-dev for clang-N
# (bookworm's clang is clang-14), libclang-common-N-dev before Debian 12.
fuzzer_runtime() {
	v=$({
		dpkg-query -W -f='${Depends}\n' clang 2>/dev/null | tr ',' '\n'
		apt-cache depends clang 2>/dev/null | sed -n 's/^ *Depends: //p'
	} | sed -n 's/^ *clang-\([0-9][0-9]*\)\( .*\)\{0,1\}$/\1/p' | head -n 1)
	[ -n "$v" ] || return 0
	for p in "libclang-rt-$v-dev" "libclang-common-$v-dev"; do
		if apt-cache show "$p" >/dev/null 2>&1; then
			echo "$p"
			return 0
		fi
	done
	echo "libclang-rt-$v-dev"
}

set_packages() {
	case $1 in
	demo) echo $DEMO ;;
	check) echo $DEMO $CHECK "$(fuzzer_runtime)" ;;
	bench) echo $DEMO $BENCH ;;
	all) echo $DEMO $CHECK "$(fuzzer_runtime)" $BENCH ;;
	*)
		echo "deps: unknown set '$1' (demo, check, bench, all)" >&2
		return 1
		;;
	esac
}

# shellcheck disable=SC2046
missing_packages() { packages_missing $(set_packages "$1" | tr ' ' '\n' | sort -u); }

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
	dir=$1 set=$2
	set_packages "$set" >/dev/null || return 1
	if ! is_debian; then
		echo "deps: not a Debian system; install the dependencies listed in README.md by hand" >&2
		return 1
	fi
	if [ "$(id -u)" != 0 ]; then
		echo "deps: run as root to install: $(missing_packages "$set")" >&2
		return 1
	fi
	m=$(missing_packages "$set")
	if [ -n "$m" ]; then
		echo "deps: installing for make $set: $m"
		apt_retry update -qq || return 1
		# with the package lists read, clang's version names its fuzzer runtime
		m=$(missing_packages "$set")
		# shellcheck disable=SC2086
		apt_retry install -y -qq --no-install-recommends $m || return 1
	fi
	fetch_cjson "$dir"
}

case "${1:-}" in
install)
	install_all "${2:-build/deps}" "${3:-all}"
	;;
ensure)
	dir=${2:-build/deps} set=${3:-all}
	set_packages "$set" >/dev/null || exit 2
	if [ -z "$(missing_packages "$set")" ] && have_cjson "$dir"; then
		exit 0
	fi
	install_all "$dir" "$set"
	;;
missing)
	missing_packages "${2:-all}"
	echo
	;;
list)
	set_packages "${2:-all}" >/dev/null || exit 2
	set_packages "${2:-all}" | tr ' ' '\n' | sed '/^$/d' | sort -u | tr '\n' ' '
	echo
	;;
*)
	echo "usage: deps.sh install|ensure DIR [demo|check|bench|all] | missing|list [SET]" >&2
	exit 2
	;;
esac
