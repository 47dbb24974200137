#!/bin/sh
# Mount + unmount time of a squashfs image at an offset in a file: libns (blktool) against
# util-linux "mount -o loop,offset=..,ro" on the host, and in the qemu VM the verified
# path against the unverified one and against veritysetup open + mount.
#   bench/mount/run.sh BUILD      (NS_BENCH_N iterations on the host, default 200)
set -u
BUILD=$(cd "${1:-build}" && pwd)
TOP=$(cd "$(dirname "$0")/../.." && pwd)
N=${NS_BENCH_N:-200}
BLK=$BUILD/tests/helpers/blktool
W=$BUILD/bench-mount
MNT=$W/mnt

# field LINE KEY: the value of KEY=... in LINE
field() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
# ratio A B: A/B with two decimals
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
# row NAME LINE
row() { printf '  %-44s mean %8s us   p50 %8s us\n' "$1" "$(field "$2" mean_us)" "$(field "$2" p50_us)"; }

if [ "$(id -u)" != 0 ] || [ ! -e /dev/loop-control ] || [ ! -x "$BLK" ]; then
	echo "mount: skipped (needs root, loop devices and build/tests/helpers/blktool)"
	exit 0
fi
rm -rf "$W"
mkdir -p "$MNT"
sh "$TOP/tests/vm/mkimages.sh" "$W/img" >/dev/null || exit 1
I=$W/img
SIZE=$(sed -n 's/^size=//p' "$I/plain.params")

echo "host ($(uname -r)), $N iterations, image $(stat -c %s "$I/plain.npk") bytes at offset 8192:"
inproc=$("$BLK" cycles "$N" --params "$I/plain.params" "$I/plain.npk" "$MNT") || exit 1
lib=$("$BLK" timeit "$N" -- sh -c "$BLK mount --params $I/plain.params $I/plain.npk $MNT >/dev/null") || exit 1
ref=$("$BLK" timeit "$N" -- sh -c \
	"mount -o loop,ro,offset=8192,sizelimit=$SIZE $I/plain.npk $MNT && umount $MNT") || exit 1
row "libns mount+umount, in one process" "$inproc"
row "libns: sh -c 'blktool mount'" "$lib"
row "util-linux: sh -c 'mount -o loop,... && umount'" "$ref"
echo "  ratio util-linux / libns (process each): mean $(ratio "$(field "$ref" mean_us)" \
	"$(field "$lib" mean_us)"), p50 $(ratio "$(field "$ref" p50_us)" "$(field "$lib" p50_us)")"
echo "  ratio util-linux / libns in-process: mean $(ratio "$(field "$ref" mean_us)" \
	"$(field "$inproc" mean_us)"), p50 $(ratio "$(field "$ref" p50_us)" "$(field "$inproc" p50_us)")"

# --- in the VM ------------------------------------------------------------------------------
. "$TOP/tests/vm/lib.sh"
missing=$(vm_missing)
if [ -n "$missing" ]; then
	echo "VM: skipped (missing: $missing)"
	exit 0
fi
V=$W/vm
mkdir -p "$V"
vm_kernel "$BUILD/vm-cache" || exit 1
VM_PREP=$TOP/bench/mount/vm.prep.sh vm_initramfs "$BUILD" "$V/root" "$V/initrd.cpio" \
	"$TOP/bench/mount/vm-bench.sh" || exit 1
vm_boot "$V" "$V/initrd.cpio" 400
out=$(tr -d '\r' <"$V/tap.log" | sed -n 's/^\[vm-bench\] //p')
get() { printf '%s\n' "$out" | sed -n "s/^$1 //p"; }
lp=$(get libns-plain-inproc) lv=$(get libns-verity-inproc)
pp=$(get libns-plain-proc) pv=$(get libns-verity-proc)
rp=$(get ref-plain-proc) rv=$(get ref-verity-proc)
if [ -z "$lv" ] || [ -z "$(field "$lv" mean_us)" ]; then
	echo "VM: no figures; console:"
	tail -n 20 "$V/console.log"
	printf '%s\n' "$out"
	exit 1
fi
echo "VM (qemu TCG, kernel $VM_KVER; absolute times are emulated, compare ratios):"
row "libns unverified, in one process" "$lp"
row "libns verified, in one process" "$lv"
row "libns: sh -c 'blktool mount' unverified" "$pp"
row "libns: sh -c 'blktool mount --verity'" "$pv"
row "util-linux mount -o loop" "$rp"
row "veritysetup open + mount + umount + close" "$rv"
echo "  verified / unverified (libns, in-process): mean $(ratio "$(field "$lv" mean_us)" \
	"$(field "$lp" mean_us)"), p50 $(ratio "$(field "$lv" p50_us)" "$(field "$lp" p50_us)")"
echo "  util-linux / libns unverified (process each): mean $(ratio "$(field "$rp" mean_us)" \
	"$(field "$pp" mean_us)"), p50 $(ratio "$(field "$rp" p50_us)" "$(field "$pp" p50_us)")"
echo "  veritysetup+mount / libns verified (process each): mean $(ratio "$(field "$rv" mean_us)" \
	"$(field "$pv" mean_us)"), p50 $(ratio "$(field "$rv" p50_us)" "$(field "$pv" p50_us)")"
