#!/bin/sh
# Packs every example container into a signed NPK.
#
#   sh examples/pack.sh BUILD        (run by 'make examples', after building the programs)
#
#   BUILD/examples/bin/<dir>          the programs, from examples/<dir>/*.c (make examples-build)
#   BUILD/examples/root/<dir>/        each container's root filesystem, laid out here:
#                                     examples/<dir>/root/ plus the program at the
#                                     manifest's init path (at /<dir> for a resource)
#   BUILD/examples/keys/northstar.key the signing key, generated on first use, and .pub,
#                                     the key to give a repository
#   BUILD/examples/npk/<name>-<version>.npk
set -eu
BUILD=${1:-build}
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "$BUILD" && pwd)
# NS_SEXTANT: the binary that packs (a cross build's cannot run here: make examples
# ARCH=... passes the host's).
NS=${NS_SEXTANT:-$BUILD/northstar}
OUT="$BUILD/examples"
STRIP=${STRIP:-strip}

[ -x "$NS" ] || { echo "pack.sh: $NS is missing: run make first" >&2; exit 1; }

# The key is made once and kept, so NPKs from earlier runs stay installable.
mkdir -p "$OUT/keys"
if [ ! -f "$OUT/keys/northstar.key" ]; then
	"$NS" sextant gen-key -n northstar -o "$OUT/keys" >/dev/null
fi

# A stripped copy: the debug information is no use inside a container.
install_program() { # SRC DEST
	mkdir -p "$(dirname "$2")"
	"$STRIP" -o "$2" "$1" 2>/dev/null || cp "$1" "$2"
	chmod 0755 "$2"
}

rm -rf "$OUT/npk" "$OUT/root"
mkdir -p "$OUT/npk" "$OUT/root"
count=0
for manifest in "$TOP"/examples/*/manifest.yaml; do
	src=$(dirname "$manifest")
	dir=$(basename "$src")
	root="$OUT/root/$dir"
	mkdir -p "$root"
	[ -d "$src/root" ] && cp -R "$src/root/." "$root/"
	if [ -f "$src/main.c" ]; then
		bin="$OUT/bin/$dir"
		[ -x "$bin" ] || { echo "pack.sh: $bin is missing: run make examples" >&2; exit 1; }
		init=$(sed -n 's/^init:[[:space:]]*//p' "$manifest" | tr -d "\"'" | head -n 1)
		install_program "$bin" "$root${init:-/$dir}"
	fi
	"$NS" sextant pack -m "$manifest" -r "$root" -k "$OUT/keys/northstar.key" -o "$OUT/npk" >/dev/null
	count=$((count + 1))
done
echo "packed $count examples into $OUT/npk, signed with $OUT/keys/northstar.key"
