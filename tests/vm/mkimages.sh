#!/bin/sh
# Builds the block-layer test images in OUT (host side; needs mksquashfs, veritysetup,
# python3). Until sextant exists, fs.img is made as Northstar lays it out: squashfs
# (padded to 4096) + verity superblock + hash tree, in one file (npk-format.md §4).
# Each image sits at a non-zero offset inside a larger file, as fs.img sits in an NPK.
#   tests/vm/mkimages.sh OUT
# Writes: files/ (the content), plain.npk + plain.params, verity.npk + verity.params,
# corrupt-data.npk, corrupt-hash.npk, notsquash.npk, and for each a .params file;
# verity.img is verity.npk's fs.img alone.
set -eu
OUT=$1
PREFIX=8192 # bytes in front of fs.img, like the zip headers before it in an NPK
mkdir -p "$OUT"
cd "$OUT"
rm -rf files && mkdir -p files/dir
printf 'hello from northstar\n' >files/small.txt
printf 'nested\n' >files/dir/nested.txt
# Random data does not compress, so mksquashfs stores it as is and a bit can be found
# and flipped in the image; 256 KiB spans two squashfs blocks and 64 verity blocks.
head -c 262144 /dev/urandom >files/big.bin
head -c 20000 /dev/urandom >files/mid.bin

mksquashfs files sq.img -noappend -no-fragments -all-root -quiet -no-progress >/dev/null
D=$(stat -c %s sq.img)
[ $((D % 4096)) = 0 ] || { echo "mkimages: squashfs size $D is not a multiple of 4096" >&2; exit 1; }

# wrap IMG NPK: junk prefix (starting "PK"), the image, junk after it.
wrap() {
	{ printf 'PK\003\004'; head -c $((PREFIX - 4)) /dev/zero; cat "$1"; head -c 4096 /dev/urandom; } >"$2"
}

wrap sq.img plain.npk
printf 'offset=%s\nsize=%s\n' $PREFIX "$D" >plain.params

cp sq.img vsq.img
veritysetup format --hash-offset="$D" --data-blocks=$((D / 4096)) vsq.img vsq.img >verity.out
root=$(awk '/^Root hash:/ {print $3}' verity.out)
salt=$(awk '/^Salt:/ {print $2}' verity.out)
V=$(stat -c %s vsq.img)
wrap vsq.img verity.npk
cat >verity.params <<PARAMS
offset=$PREFIX
size=$V
root_hash=$root
salt=$salt
data_block_size=4096
hash_block_size=4096
data_blocks=$((D / 4096))
hash_start_block=$((D / 4096 + 1))
PARAMS

# flip NPK OFFSET: a copy of verity.npk with one bit flipped at OFFSET.
flip() {
	python3 - "$1" "$2" <<'PY'
import shutil, sys
out, off = sys.argv[1], int(sys.argv[2])
shutil.copyfile("verity.npk", out)
with open(out, "r+b") as f:
    f.seek(off); b = f.read(1); f.seek(off); f.write(bytes([b[0] ^ 0x10]))
PY
}
# A bit in the middle of big.bin's second squashfs block (far from any other file).
off=$(python3 -c '
import sys
img = open("verity.npk", "rb").read(); big = open("files/big.bin", "rb").read()
i = img.find(big[196608:196608 + 64])
if i < 0 or img.find(big[196608:196608 + 64], i + 1) >= 0: sys.exit("big.bin not found once")
print(i)')
flip corrupt-data.npk "$off"
# A bit in the top hash block, right after the superblock: nothing verifies.
flip corrupt-hash.npk $((PREFIX + D + 4096 + 5))
cp verity.params corrupt-data.params
cp verity.params corrupt-hash.params

# Not squashfs at all, in the same place.
{ head -c $PREFIX /dev/zero; head -c "$D" /dev/urandom; } >notsquash.npk
cp plain.params notsquash.params
mv vsq.img verity.img # fs.img alone, for tools without a data offset (veritysetup)
rm -f sq.img
