#!/bin/sh
# Runs in the VM: the verified path's cost, against the unverified one and against
# veritysetup open + mount (util-linux, libdevmapper, libcryptsetup). One line per figure:
# "NAME runs|cycles=N mean_us=.. p50_us=..".
N=${NS_BENCH_VM_N:-30}
BLK=$NS_BUILD/tests/helpers/blktool
I=/images/blk
MNT=/mnt/bench
mkdir -p "$MNT" /run/cryptsetup
P="--params $I/verity.params"
D=$(($(sed -n 's/^data_blocks=//p' "$I/verity.params") * 4096))
ROOT=$(sed -n 's/^root_hash=//p' "$I/verity.params")
SIZE=$(sed -n 's/^size=//p' "$I/plain.params")

echo "libns-plain-inproc $("$BLK" cycles "$N" --params "$I/plain.params" "$I/plain.npk" "$MNT" 2>&1)"
echo "libns-verity-inproc $("$BLK" cycles "$N" --verity $P "$I/verity.npk" "$MNT" 2>&1)"
echo "libns-plain-proc $("$BLK" timeit "$N" -- sh -c \
	"$BLK mount --params $I/plain.params $I/plain.npk $MNT >/dev/null" 2>&1)"
echo "libns-verity-proc $("$BLK" timeit "$N" -- sh -c \
	"$BLK mount --no-state --verity $P --offset 0 $I/verity.img $MNT >/dev/null" 2>&1)"
echo "ref-plain-proc $("$BLK" timeit "$N" -- sh -c \
	"/usr/bin/mount -o loop,ro,offset=8192,sizelimit=$SIZE $I/plain.npk $MNT && /usr/bin/umount $MNT" 2>&1)"
echo "ref-verity-proc $("$BLK" timeit "$N" -- sh -c \
	"/usr/sbin/veritysetup open $I/verity.img bench-ref $I/verity.img $ROOT --hash-offset=$D &&
	/usr/bin/mount -o ro /dev/mapper/bench-ref $MNT && /usr/bin/umount $MNT &&
	/usr/sbin/veritysetup close bench-ref" 2>&1)"
