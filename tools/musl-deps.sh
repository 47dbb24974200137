#!/bin/sh
# The libraries of a musl build. Debian ships musl (musl-dev, musl-tools) but no musl builds of
# libseccomp, libcap, mbedtls, libyaml, libsodium or zlib, so this fetches Debian's
# source packages (as deps.sh does for cJSON) and builds each as a static library with
# musl-gcc into a prefix in the build tree.
#   musl-deps.sh ensure DIR [ARCH]
#       install musl-dev for ARCH (a Debian architecture: amd64, arm64, armhf; default
#       the host's) and the build tools (apt-get, as root) when missing, fetch the sources
#       into DIR/src and build what is not built yet into DIR/prefix (include/, lib/,
#       musl-gcc.specs); DIR/cjson-* has cJSON. The compiler is
#       "TRIPLET-gcc -specs DIR/prefix/musl-gcc.specs" (mk/musl.mk).
# DIR/prefix/include also holds links to the host's kernel headers (linux/, asm/,
# asm-generic/): musl-gcc searches only musl's own headers, and libcap, libseccomp and
# northstar include <linux/...>.
set -u
APT_WHO=musl-deps
. "$(dirname "$0")/apt.sh"

SOURCES="zlib libyaml libsodium libcap2 libseccomp mbedtls"
JOBS=${JOBS:-2}

# set_arch ARCH: TRIPLET (gcc's), MUSL_TRIPLET (musl-dev's directories), PACKAGES.
set_arch() {
	case $1 in
	amd64) TRIPLET=x86_64-linux-gnu MUSL_TRIPLET=x86_64-linux-musl ;;
	arm64) TRIPLET=aarch64-linux-gnu MUSL_TRIPLET=aarch64-linux-musl ;;
	armhf) TRIPLET=arm-linux-gnueabihf MUSL_TRIPLET=arm-linux-musleabihf ;;
	*) die "unknown architecture '$1' (amd64, arm64, armhf)" ;;
	esac
	PACKAGES="musl-dev:$1 linux-libc-dev:$1 gperf dpkg-dev make autoconf automake libtool"
	if [ "$1" != "$(dpkg --print-architecture)" ]; then
		PACKAGES="$PACKAGES gcc-$TRIPLET binutils-$TRIPLET"
		HOST="--host=$TRIPLET"
	else
		HOST=""
	fi
}

die() {
	echo "musl-deps: $*" >&2
	exit 1
}

missing_packages() { packages_missing $PACKAGES; }

install_packages() {
	m=$(missing_packages)
	[ -z "$m" ] && return 0
	[ -f /etc/debian_version ] || die "not a Debian system: install $m (musl-gcc) by hand"
	[ "$(id -u)" = 0 ] || die "run as root to install: $m"
	echo "musl-deps: installing $m"
	apt_retry update -qq || return 1
	# shellcheck disable=SC2086
	apt_retry install -y -qq --no-install-recommends $m
}

have_src() { ls -d "$1/$2"-[0-9]*/ >/dev/null 2>&1; }

# fetch_src DIR PKG: Debian's newest source of PKG, or an older version the mirrors
# still have (a security update can be listed before its files are there).
fetch_src() {
	have_src "$1" "$2" && return 0
	ensure_deb_src || return 1
	mkdir -p "$1"
	(cd "$1" && apt-get source -qq "$2" >/dev/null 2>&1) && have_src "$1" "$2" && return 0
	for v in $(apt-cache showsrc "$2" | sed -n 's/^Version: //p' | sort -r -u); do
		(cd "$1" && apt-get source -qq "$2=$v" >/dev/null 2>&1) && have_src "$1" "$2" && return 0
	done
	die "cannot fetch Debian's source package $2"
}

srcdir() { ls -d "$1/$2"-[0-9]*/ | head -n 1; }

# Links to the kernel headers (linux-libc-dev), with the target's asm/.
kernel_headers() {
	inc=$1/include
	mkdir -p "$inc"
	asm=/usr/include/$TRIPLET/asm
	[ -d /usr/include/linux ] && [ -d "$asm" ] || die "kernel headers not found (linux-libc-dev)"
	ln -sfn /usr/include/linux "$inc/linux"
	ln -sfn "$asm" "$inc/asm"
	ln -sfn /usr/include/asm-generic "$inc/asm-generic"
	[ -d /usr/include/mtd ] && ln -sfn /usr/include/mtd "$inc/mtd"
	return 0
}

# A copy of musl-gcc's specs file that also knows -static-pie (rcrt1.o, no interpreter),
# so the binary keeps ASLR as the glibc build does: $PREFIX/musl-gcc.specs, used as
# "gcc -specs FILE" (mk/musl.mk).
static_pie_specs() {
	specs=/usr/lib/$MUSL_TRIPLET/musl-gcc.specs
	[ -f "$specs" ] || die "musl-gcc's specs file $specs not found (musl-dev)"
	sed -e 's|%{!shared: \(/usr/lib/[^ ]*\)/Scrt1.o}|%{static-pie:\1/rcrt1.o;shared:;:\1/Scrt1.o}|' \
		-e 's|%{static:-static}|%{static\|static-pie:-static} %{static-pie:-pie --no-dynamic-linker -z text}|' \
		"$specs" >"$1/musl-gcc.specs.tmp" || return 1
	grep -q rcrt1 "$1/musl-gcc.specs.tmp" || die "unexpected musl-gcc specs file $specs"
	mv "$1/musl-gcc.specs.tmp" "$1/musl-gcc.specs"
}

# build NAME CMD...: runs CMD in the library's source tree, output to a log.
build() {
	name=$1
	shift
	[ -f "$PREFIX/.built-$name" ] && return 0
	src=$(srcdir "$SRC" "$name")
	log=$DIR/build-$name.log
	echo "  MUSL    $name"
	if ! (cd "$src" && "$@") >"$log" 2>&1; then
		tail -n 30 "$log" >&2
		die "building $name failed (log: $log)"
	fi
	touch "$PREFIX/.built-$name"
}

CFL="-O2 -fPIE -fstack-protector-strong"

b_zlib() {
	CC="$MUSL_CC" AR="$TRIPLET-ar" CFLAGS="$CFL" ./configure --static --prefix="$PREFIX" &&
		make -j"$JOBS" AR="$TRIPLET-ar" ARFLAGS=rc RANLIB="$TRIPLET-ranlib" libz.a && cp libz.a "$PREFIX/lib/" && cp zlib.h zconf.h "$PREFIX/include/"
}

# Debian's orig tarballs of libyaml and libsodium have no configure script (Debian runs
# autoreconf too).
b_autoreconf() { [ -x configure ] || autoreconf -fi; }

b_autotools() { # configure options...
	b_autoreconf && ./configure -q $HOST CC="$MUSL_CC" CFLAGS="$CFL -isystem $PREFIX/include" \
		--prefix="$PREFIX" --disable-shared --enable-static "$@" &&
		make -j"$JOBS" -C src && make -C src install && make -C include install
}

b_libyaml() { b_autotools; }

b_libsodium() {
	b_autoreconf && ./configure -q $HOST CC="$MUSL_CC" CFLAGS="$CFL" --prefix="$PREFIX" --disable-shared \
		--enable-static --disable-pie &&
		make -j"$JOBS" -C src && make -C src install
}

b_libseccomp() { b_autotools --disable-python; }

b_libcap2() {
	make -C libcap -j"$JOBS" CC="$MUSL_CC" AR="$TRIPLET-ar" RANLIB="$TRIPLET-ranlib" \
		BUILD_CC=gcc CFLAGS="$CFL -isystem $PREFIX/include" \
		SHARED=no GOLANG=no PAM_CAP=no libcap.a &&
		cp libcap/libcap.a "$PREFIX/lib/" && mkdir -p "$PREFIX/include/sys" &&
		cp libcap/include/sys/capability.h "$PREFIX/include/sys/"
}

b_mbedtls() {
	make -C library -j"$JOBS" CC="$MUSL_CC" AR="$TRIPLET-ar" CFLAGS="$CFL" libmbedcrypto.a &&
		cp library/libmbedcrypto.a "$PREFIX/lib/" &&
		cp -r include/mbedtls include/psa "$PREFIX/include/"
}

case "${1:-}" in
ensure)
	DIR=$(mkdir -p "${2:-build-musl/deps}" && cd "${2:-build-musl/deps}" && pwd)
	SRC=$DIR/src
	PREFIX=$DIR/prefix
	set_arch "${3:-$(dpkg --print-architecture)}"
	install_packages || die "cannot install $(missing_packages)"
	command -v "$TRIPLET-gcc" >/dev/null || die "$TRIPLET-gcc not found"
	mkdir -p "$PREFIX/lib" "$PREFIX/include"
	kernel_headers "$PREFIX"
	static_pie_specs "$PREFIX"
	MUSL_CC="$TRIPLET-gcc -specs $PREFIX/musl-gcc.specs"
	for p in $SOURCES; do
		fetch_src "$SRC" "$p"
	done
	if ! ls "$DIR"/cjson-*/cJSON.c >/dev/null 2>&1; then
		fetch_src "$SRC" cjson
		cp -r "$(srcdir "$SRC" cjson)" "$DIR/"
	fi
	for p in $SOURCES; do
		case $p in
		zlib) build zlib b_zlib ;;
		libyaml) build libyaml b_libyaml ;;
		libsodium) build libsodium b_libsodium ;;
		libcap2) build libcap2 b_libcap2 ;;
		libseccomp) build libseccomp b_libseccomp ;;
		mbedtls) build mbedtls b_mbedtls ;;
		esac
	done
	;;
*)
	echo "usage: musl-deps.sh ensure DIR [ARCH]" >&2
	exit 2
	;;
esac
