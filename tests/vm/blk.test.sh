#!/bin/sh
# dm-verity in the VM (Debian's kernel with device-mapper): verified mounts, corruption,
# bad hashes, cleanup after failures and after many cycles, nodes made without devtmpfs.
. "$(dirname "$0")/../lib.sh"

BLK=$NS_BUILD/tests/helpers/blktool
I=/images/blk
MNT=/mnt/blk
mkdir -p "$MNT"
V="--verity --params $I/verity.params"

dm_count() {
	n=0
	for d in /sys/block/dm-*; do
		[ -e "$d" ] && n=$((n + 1))
	done
	echo $n
}
wait_dm_count() { # WANT: polls up to 5 s
	i=0
	while [ "$(dm_count)" -gt "$1" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	dm_count
}
mounted() { grep -c " $MNT " /proc/self/mounts; }
t_clean() {
	t_eq "$1: no dm device left" "$(wait_dm_count 0)" 0
	t_eq "$1: no loop device left" "$(wait_loop_count 0)" 0
	t_eq "$1: nothing mounted" "$(mounted)" 0
}

if [ ! -e /dev/mapper/control ]; then
	t_fail "device-mapper present in the VM" "$(ls /dev /sys/class/misc 2>&1)"
	t_done
	exit 1
fi

readback="cmp $MNT/big.bin $I/files/big.bin && cmp $MNT/mid.bin $I/files/mid.bin &&
	cmp $MNT/small.txt $I/files/small.txt && cmp $MNT/dir/nested.txt $I/files/dir/nested.txt"

# --- verified mounts ---------------------------------------------------------------------
out=$("$BLK" mount $V "$I/verity.npk" "$MNT" -- sh -c "$readback" 2>&1)
rc=$?
t_eq "verified image mounts and reads back exactly" "$rc" 0
t_expect "verified mount: stacked on dm-verity" 0 "mounted /dev/dm-" printf '%s' "$out"
t_expect "verified mount: verity state V after reading everything" 0 "verity state: V" \
	printf '%s' "$out"
t_clean "verified mount"
t_expect "verified mount with direct I/O" 0 "verity state: V" \
	"$BLK" mount --direct-io $V "$I/verity.npk" "$MNT" -- sh -c "$readback"
t_expect "the dm table is the verity target over the loop device" 0 "" \
	"$BLK" mount $V "$I/verity.npk" "$MNT" -- sh -c "
	d=\$(awk '\$2 == \"$MNT\" {print \$1}' /proc/self/mounts); n=\${d#/dev/dm-}
	[ \$(cat /sys/block/dm-\$n/ro) = 1 ] && ls /sys/block/dm-\$n/slaves | grep -q '^loop' &&
	grep -q ' $MNT squashfs ro,nosuid,nodev' /proc/self/mounts"
t_expect "the dm device is already marked for deferred removal while mounted" 0 "" \
	"$BLK" mount $V "$I/verity.npk" "$MNT" -- sh -c "
	d=\$(awk '\$2 == \"$MNT\" {print \$1}' /proc/self/mounts)
	[ \$(cat /sys/block/\${d#/dev/}/dm/name) = northstar-blktool ]"
t_expect "unverified image in the VM" 0 "mounted /dev/loop" \
	"$BLK" mount --params "$I/plain.params" "$I/plain.npk" "$MNT" -- sh -c "$readback"
t_clean "plain and direct I/O mounts"

# --- corruption -----------------------------------------------------------------------
out=$("$BLK" mount $V "$I/corrupt-data.npk" "$MNT" -- sh -c "
	cat $MNT/big.bin >/dev/null 2>/tmp/big.err; echo big=\$?; cat /tmp/big.err
	cmp $MNT/small.txt $I/files/small.txt && cmp $MNT/mid.bin $I/files/mid.bin && echo others=ok" 2>&1)
t_expect "flipped data bit: reading that file fails" 0 "big=1" printf '%s' "$out"
t_expect "flipped data bit: the error is EIO" 0 "Input/output error" printf '%s' "$out"
t_expect "flipped data bit: other files still read exactly" 0 "others=ok" printf '%s' "$out"
t_expect "flipped data bit: verity status reports corruption (C)" 0 "verity state: C" \
	printf '%s' "$out"
t_clean "corrupted data"
t_expect "flipped bit in the hash tree: fails" 1 "Input/output error" \
	"$BLK" mount $V "$I/corrupt-hash.npk" "$MNT" -- sh -c "$readback"
t_clean "corrupted hash tree"
t_expect "wrong root hash: fails" 1 "Input/output error" \
	"$BLK" mount $V --root 0000000000000000000000000000000000000000000000000000000000000001 \
	"$I/verity.npk" "$MNT" -- sh -c "$readback"
t_clean "wrong root hash"
t_expect "verity over the wrong image (unverified layout): fails" 1 "" \
	"$BLK" mount $V --offset 8192 "$I/notsquash.npk" "$MNT"
t_clean "wrong image"

# --- the dm name is taken while mounted ------------------------------------------------
mkdir -p /mnt/blk2
out=$("$BLK" mount $V "$I/verity.npk" "$MNT" -- \
	"$BLK" mount $V "$I/verity.npk" /mnt/blk2 2>&1)
t_expect "a second device of the same name: clear error" 0 "the name is in use" \
	printf '%s' "$out"
t_expect "a second device of the same name: the first mount is untouched" 0 "verity state: V" \
	printf '%s' "$out"
t_clean "name in use"

# --- kernel races with the teardown of an earlier device ------------------------------------
t_expect "table load refused with ENOMEM twice (dm-bufio slab race): retried" 0 "verity state: V" \
	"$BLK" mount --fail-op DM_TABLE_LOAD:ENOMEM:2 $V "$I/verity.npk" "$MNT" -- sh -c "$readback"
t_expect "table load always ENOMEM: gives up with a clear error" 1 "DM_TABLE_LOAD 'northstar-blktool': Cannot allocate memory" \
	"$BLK" mount --fail-op DM_TABLE_LOAD:ENOMEM $V "$I/verity.npk" "$MNT"
t_expect "name taken three times (deferred removal pending): retried" 0 "verity state: V" \
	"$BLK" mount --fail-op DM_DEV_CREATE:EBUSY:3 $V "$I/verity.npk" "$MNT"
t_clean "kernel races"

# --- many cycles -------------------------------------------------------------------------
t_expect "50 verified mount/unmount cycles" 0 "cycles=50" \
	"$BLK" cycles 50 $V "$I/verity.npk" "$MNT"
t_clean "after 50 verified cycles"
t_expect "50 unverified mount/unmount cycles" 0 "cycles=50" \
	"$BLK" cycles 50 --params "$I/plain.params" "$I/plain.npk" "$MNT"
t_clean "after 50 unverified cycles"

# --- every call of the verified path fails in turn -------------------------------------
calls=$("$BLK" mount --trace $V "$I/verity.npk" "$MNT" 2>&1 | sed -n 's/^calls: //p')
t_run "trace counts the verified path's calls: ${calls:-none}" test "${calls:-0}" -ge 12
n=1
while [ "$n" -le "${calls:-0}" ]; do
	out=$("$BLK" mount --trace --fail "$n" $V "$I/verity.npk" "$MNT" 2>&1)
	rc=$?
	step=$(printf '%s\n' "$out" | sed -n "s/^call $n: \(.*\) fails (injected)/\1/p")
	if [ "$rc" = 1 ] && printf '%s' "$out" | grep -q '^blktool: .*Input/output error'; then
		t_ok "verified call $n ($step) fails: clear error"
	else
		t_fail "verified call $n ($step) fails: clear error" "status $rc: $out"
	fi
	t_clean "verified call $n ($step) fails"
	n=$((n + 1))
done

# --- no devtmpfs: every node made from sysfs or the number DM_DEV_CREATE returned --------
out=$(unshare -m sh -c "mount -t tmpfs none /dev &&
	'$BLK' mount --trace $V '$I/verity.npk' '$MNT' -- sh -c '$readback && ls -l /dev /dev/mapper' &&
	echo left: \$(ls /dev/mapper)" 2>&1)
t_expect "without devtmpfs: verified mount through nodes we made" 0 "mounted /dev/mapper/northstar-blktool" \
	printf '%s' "$out"
t_expect "without devtmpfs: /dev/mapper/control made with mknod" 0 "control" printf '%s' "$out"
t_expect "without devtmpfs: our dm node removed at unmount" 0 "left: control" printf '%s' "$out"
t_clean "without devtmpfs"
t_done
