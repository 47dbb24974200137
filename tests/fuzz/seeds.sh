#!/bin/sh
# Seeds made at build time rather than committed as binaries: real NPKs (unsigned and
# signed, with our squashfs writer and with mksquashfs's), their bare images, the example
# manifests, the configurations, the NPKs' signatures and verity geometries.
# tests/fuzz/seeds.sh BUILD OUT (OUT/TARGET/*; BUILD/northstar is the sextant used to
# pack). Without mksquashfs its seeds are left out, said on stderr.
set -eu
BUILD=$1
OUT=$2
SEXTANT="$BUILD/northstar sextant"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fuzz-seeds.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

rm -rf "$OUT"
mkdir -p "$OUT/fuzz_sextant" "$OUT/fuzz_npk" "$OUT/fuzz_zip" "$OUT/fuzz_verity"

# A small root with each kind of entry.
root=$tmp/root
mkdir -p "$root/bin" "$root/etc/sub"
printf '#!/bin/sh\necho hello\n' >"$root/bin/hello"
chmod 755 "$root/bin/hello"
printf 'a=1\n' >"$root/etc/conf"
head -c 9000 /dev/zero | tr '\0' 'x' >"$root/etc/sub/big"
ln -s ../bin/hello "$root/etc/link"
printf 'name: seed\nversion: 0.1.0\ninit: /bin/hello\nuid: 1000\ngid: 1000\n' >"$tmp/manifest.yaml"
printf 'name: seedres\nversion: 1.0.0\nuid: 1000\ngid: 1000\n' >"$tmp/resource.yaml"
# The fuzz_sextant key: a seed of 32 'Z' (0x5a) bytes.
printf 'ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ' >"$tmp/test.key"
chmod 600 "$tmp/test.key"

fixed="--salt 0707070707070707070707070707070707070707070707070707070707070707 --uuid 09000000-0000-4000-8000-000000000000"
pack() { # NAME MANIFEST [ARGS...]
	name=$1 man=$2
	shift 2
	# shellcheck disable=SC2086
	$SEXTANT pack -m "$man" -r "$root" -o "$tmp/$name.npk" $fixed "$@" >/dev/null
}
pack unsigned "$tmp/manifest.yaml"
pack signed "$tmp/manifest.yaml" -k "$tmp/test.key"
pack resource "$tmp/resource.yaml" -k "$tmp/test.key" -c none
pack nofrag "$tmp/manifest.yaml" -k "$tmp/test.key" --no-fragments
if command -v mksquashfs >/dev/null 2>&1; then
	pack mksquashfs "$tmp/manifest.yaml" -k "$tmp/test.key" --mksquashfs mksquashfs
	mksquashfs "$root" "$tmp/mk.img" -noappend -no-progress -quiet -all-root >/dev/null
else
	echo "seeds.sh: no mksquashfs, its seeds are left out" >&2
fi

# Raw NPKs for the NPK readers (fuzz_sextant: a first byte 0 means "the rest as is").
for npk in "$tmp"/*.npk; do
	n=$(basename "$npk" .npk)
	cp "$npk" "$OUT/fuzz_npk/$n"
	cp "$npk" "$OUT/fuzz_zip/$n"
	{ printf '\000'; cat "$npk"; } >"$OUT/fuzz_sextant/raw-$n"
done

# The YAML the project ships: example manifests, configurations, and the signatures of
# the signed NPKs above.
mkdir -p "$OUT/fuzz_yaml" "$OUT/fuzz_manifest" "$OUT/fuzz_config" "$OUT/fuzz_signature"
TOP=$(cd "$(dirname "$0")/../.." && pwd)
for m in "$TOP"/examples/*/manifest.yaml; do
	[ -f "$m" ] || continue
	n=$(basename "$(dirname "$m")")
	cp "$m" "$OUT/fuzz_manifest/$n"
	cp "$m" "$OUT/fuzz_yaml/manifest-$n"
done
for c in "$TOP"/config/*.yaml; do
	[ -f "$c" ] || continue
	cp "$c" "$OUT/fuzz_config/$(basename "$c" .yaml)"
	cp "$c" "$OUT/fuzz_yaml/config-$(basename "$c" .yaml)"
done
python3 - "$OUT/fuzz_signature" "$tmp"/*.npk <<'EOF'
import os, sys, zipfile
for npk in sys.argv[2:]:
    with zipfile.ZipFile(npk) as z:
        if "signature.yaml" in z.namelist():
            name = os.path.basename(npk)[:-4]
            with open(os.path.join(sys.argv[1], name), "wb") as f:
                f.write(z.read("signature.yaml"))
EOF

# Bare images, packed by fuzz_sextant itself (first byte 1, no changes, default
# manifest): ours from the unsigned NPK, and mksquashfs's.
python3 - "$tmp/unsigned.npk" "$tmp/ours.img" <<'EOF'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z, open(sys.argv[2], "wb") as f:
    f.write(z.read("fs.img"))
EOF
for img in "$tmp"/*.img; do
	n=$(basename "$img" .img)
	{ printf '\001\000\000'; cat "$img"; } >"$OUT/fuzz_sextant/img-$n"
	# ...and with one change in the middle of the packed file (offset 2048, xor 1)
	{ printf '\001\001\000\010\000\001\000'; cat "$img"; } >"$OUT/fuzz_sextant/img-$n-x"
done

# fuzz_verity: flags (1-2: where fs.img starts, 4: cut the file, 8: two tree levels),
# blocks, salt size, change count, cut, 4 bytes per change, salt, data.
v=$OUT/fuzz_verity
printf '\000\000\000\000\000' >"$v/one-block"
printf '\000\003\040\000\000%s' "$(head -c 32 /dev/zero | tr '\0' 's')data" >"$v/four-blocks-salt"
printf '\011\001\040\000\000%s' "$(head -c 32 /dev/zero | tr '\0' 's')two levels" >"$v/two-levels"
printf '\002\010\000\001\000\000\020\000\377' >"$v/changed-data"
printf '\007\011\000\000\300' >"$v/cut"
printf '\013\377\000\001\000\014\220\011\001two-level tree, a tree byte changed' >"$v/two-levels-tree-changed"

# fuzz_unpack: the bare images themselves.
mkdir -p "$OUT/fuzz_unpack"
for img in "$tmp"/*.img; do
	cp "$img" "$OUT/fuzz_unpack/$(basename "$img" .img)"
done
