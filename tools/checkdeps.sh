#!/bin/sh
# Checks that every build dependency is usable with $CC, $CFLAGS and $LDFLAGS, and
# names what is missing. Never installs anything (that is 'make deps').
set -u
: "${CC:=cc}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
missing=""
# The probes link as the binary will: static, unless LINK_FLAG is set and empty
# (LINK=dynamic, a build host's sextant).
lflag=-static
[ "${LINK_FLAG-unset}" = "" ] && lflag=

probe() { # name header symbol lib
	printf '#include <%s>\nint main(void){ (void)&%s; return 0; }\n' "$2" "$3" >"$tmp/t.c"
	if ! $CC $CFLAGS -c "$tmp/t.c" -o "$tmp/t.o" >/dev/null 2>&1; then
		missing="$missing\n  $1: header <$2> not found"
	elif ! $CC $LDFLAGS $lflag -o "$tmp/t" "$tmp/t.o" $4 >/dev/null 2>&1; then
		missing="$missing\n  $1: static library ($4) not found"
	fi
}

probe libseccomp seccomp.h seccomp_init -lseccomp
probe libcap sys/capability.h cap_get_proc -lcap
probe mbedtls mbedtls/sha256.h mbedtls_sha256_init -lmbedcrypto
probe libyaml yaml.h yaml_parser_initialize -lyaml
probe libsodium sodium.h crypto_sign_detached -lsodium
probe zlib zlib.h crc32 -lz

if [ "${USE_SYSTEM_CJSON:-0}" = 1 ]; then
	probe cJSON cJSON.h cJSON_Parse "${CJSON_LIBS:--lcjson}"
elif [ -z "${CJSON_DIR:-}" ] || [ ! -f "${CJSON_DIR}/cJSON.c" ]; then
	missing="$missing\n  cJSON: source not found (set CJSON_DIR to a cJSON source tree)"
fi

if [ -n "$missing" ]; then
	printf 'northstar: missing build dependencies:%b\n' "$missing" >&2
	printf 'On Debian, run "make deps" as root. Elsewhere set CC, CFLAGS, LDFLAGS and CJSON_DIR.\n' >&2
	exit 1
fi
exit 0
