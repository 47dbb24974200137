#!/bin/sh
# The block layer on the host kernel (which has no device-mapper): the unverified path
# (loop -> squashfs), its fallbacks, and failures that must leave nothing attached.
# dm-verity itself is tested in the VM suite (tests/vm/blk.test.sh).
. "$(dirname "$0")/../lib.sh"

BLK=$NS_BUILD/tests/helpers/blktool
if ! t_need_root || [ ! -e /dev/loop-control ] || ! grep -qw squashfs /proc/filesystems; then
	t_skip "block layer" "needs root, /dev/loop-control and squashfs"
	t_done
	exit 0
fi
if ! command -v mksquashfs >/dev/null || ! command -v veritysetup >/dev/null; then
	t_skip "block layer" "needs mksquashfs and veritysetup to build test images"
	t_done
	exit 0
fi

W=$(mktemp -d "$NS_BUILD/blk-test.XXXXXX")
MNT=$W/mnt
mkdir -p "$MNT"
trap 'umount "$MNT" 2>/dev/null; rm -rf "$W"' EXIT
sh "$NS_TOP/tests/vm/mkimages.sh" "$W/img" || {
	t_fail "build test images"
	t_done
	exit 1
}
I=$W/img

# Loop devices backed by our images only: other tests may use loop devices meanwhile.
our_loops() {
	n=0
	for f in /sys/block/loop*/loop/backing_file; do
		[ -f "$f" ] && grep -q "^$W/" "$f" 2>/dev/null && n=$((n + 1))
	done
	echo $n
}
wait_no_loops() { # polls up to 5 s for autoclear
	i=0
	while [ "$(our_loops)" != 0 ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	our_loops
}
mounted() { grep -c " $MNT " /proc/self/mounts; }
# t_clean NAME: nothing of ours left mounted or attached.
t_clean() {
	t_eq "$1: no loop device left" "$(wait_no_loops)" 0
	t_eq "$1: nothing mounted" "$(mounted)" 0
}

# --- the unverified path -------------------------------------------------------------
readback="cmp $MNT/big.bin $I/files/big.bin && cmp $MNT/mid.bin $I/files/mid.bin &&
	cmp $MNT/small.txt $I/files/small.txt && cmp $MNT/dir/nested.txt $I/files/dir/nested.txt"
t_expect "mount at an offset and read back exactly" 0 "mounted /dev/loop" \
	"$BLK" mount --params "$I/plain.params" "$I/plain.npk" "$MNT" -- sh -c "$readback"
t_clean "after unmount"
t_expect "mounted ro,nosuid,nodev" 0 "ro,nosuid,nodev" \
	"$BLK" mount --params "$I/plain.params" "$I/plain.npk" "$MNT" -- grep " $MNT " /proc/self/mounts
t_expect "the loop device is read-only, autoclear, at the offset" 0 "" \
	"$BLK" mount --params "$I/plain.params" "$I/plain.npk" "$MNT" -- sh -c "
	d=\$(awk '\$2 == \"$MNT\" {print \$1}' /proc/self/mounts); n=\${d#/dev/loop}
	[ \$(cat /sys/block/loop\$n/ro) = 1 ] && [ \$(cat /sys/block/loop\$n/loop/autoclear) = 1 ] &&
	[ \$(cat /sys/block/loop\$n/loop/offset) = 8192 ] &&
	[ \$(cat /sys/block/loop\$n/loop/sizelimit) = $(sed -n 's/^size=//p' "$I/plain.params") ]"
t_expect "device nodes allowed on request: ro,nosuid without nodev" 0 "" \
	"$BLK" mount --allow-dev --params "$I/plain.params" "$I/plain.npk" "$MNT" -- \
	sh -c "grep ' $MNT ' /proc/self/mounts | grep -q ' ro,nosuid,relatime' &&
	! grep ' $MNT ' /proc/self/mounts | grep -q nodev"
t_expect "direct I/O mount reads back" 0 "mounted" \
	"$BLK" mount --direct-io --params "$I/plain.params" "$I/plain.npk" "$MNT" -- sh -c "$readback"
t_clean "direct I/O"

# --- fallbacks -----------------------------------------------------------------------
out=$("$BLK" mount --trace --fail-op LOOP_CONFIGURE:ENOTTY --params "$I/plain.params" \
	"$I/plain.npk" "$MNT" -- sh -c "$readback" 2>&1)
rc=$?
t_eq "no LOOP_CONFIGURE: LOOP_SET_FD + LOOP_SET_STATUS64 mount reads back" "$rc" 0
t_expect "no LOOP_CONFIGURE: the fallback ioctls are used" 0 "LOOP_SET_STATUS64" \
	printf '%s' "$out"
out=$("$BLK" cycles 3 --trace --fail-op LOOP_CONFIGURE:ENOTTY --params "$I/plain.params" \
	"$I/plain.npk" "$MNT" 2>&1)
t_eq "LOOP_CONFIGURE probed once per context" \
	"$(printf '%s\n' "$out" | grep -c ': LOOP_CONFIGURE$')" 1
t_eq "fallback used for every later mount" \
	"$(printf '%s\n' "$out" | grep -c ': LOOP_SET_FD$')" 3
out=$("$BLK" mount --trace --direct-io --fail-op LOOP_CONFIGURE:EINVAL:1 \
	--params "$I/plain.params" "$I/plain.npk" "$MNT" -- sh -c "$readback" 2>&1)
rc=$?
t_eq "direct I/O refused by LOOP_CONFIGURE: buffered, still mounted" "$rc" 0
t_eq "direct I/O refused: LOOP_CONFIGURE retried without it, no fallback" \
	"$(printf '%s\n' "$out" | grep -c -e ': LOOP_CONFIGURE$' -e ': LOOP_SET_FD$')" 2
t_clean "fallbacks"

# --- failures with clear errors --------------------------------------------------------
# t_fails NAME NEEDLE ARGS...: blktool mount fails with NEEDLE and leaves nothing.
t_fails() {
	name=$1 needle=$2
	shift 2
	t_expect "$name: clear error" 1 "$needle" "$BLK" mount "$@" "$MNT"
	t_clean "$name"
}
t_fails "missing file" "open '$I/nothing.npk': No such file" "$I/nothing.npk"
t_fails "offset not at the image" "not a squashfs image, or a wrong offset" \
	--offset 4096 --size 65536 "$I/plain.npk"
t_fails "image beyond the file end (truncated)" "extends beyond the end of the file" \
	--offset 8192 --size 1000000 "$I/plain.npk"
head -c 100000 "$I/plain.npk" >"$W/truncated.npk"
t_fails "truncated NPK" "extends beyond the end of the file" \
	--params "$I/plain.params" "$W/truncated.npk"
t_fails "not squashfs" "not a squashfs image" --params "$I/notsquash.params" "$I/notsquash.npk"
t_fails "empty image" "image size is 0" --offset 8192 --size 0 "$I/plain.npk"
t_fails "SELinux context with a quote" "contains '\"'" --context 'bad"quote' \
	--params "$I/plain.params" "$I/plain.npk"
if [ -d /sys/fs/selinux ]; then
	t_skip "SELinux context refused by the kernel" "SELinux is enabled here"
else
	t_fails "SELinux context refused by the kernel" "mount squashfs" \
		--context system_u:object_r:container_file_t:s0 --params "$I/plain.params" "$I/plain.npk"
fi
if [ -e /dev/mapper/control ] || [ -e /sys/class/misc/device-mapper ]; then
	t_skip "verity without device-mapper" "this kernel has device-mapper (the VM suite tests verity)"
else
	t_fails "verity without device-mapper" "kernel has no device-mapper" \
		--verity --params "$I/verity.params" "$I/verity.npk"
fi
t_fails "bad verity parameters refused before any device" "verity data block size 0" \
	--verity --params "$I/plain.params" "$I/plain.npk"
t_expect "relative target refused" 1 "not an absolute path" \
	"$BLK" mount --params "$I/plain.params" "$I/plain.npk" relative/dir
t_expect "target not a directory" 1 "is not a directory" \
	"$BLK" mount --params "$I/plain.params" "$I/plain.npk" "$I/plain.params"

# --- fault injection --------------------------------------------------------------------
t_fails "no free loop device" "LOOP_CTL_GET_FREE: no free loop device" \
	--fail-op LOOP_CTL_GET_FREE:ENOSPC --params "$I/plain.params" "$I/plain.npk"
t0=$(date +%s%N)
t_fails "always busy: gives up at loop_device_timeout" "no loop device within 300 ms" \
	--timeout-ms 300 --fail-op LOOP_CONFIGURE:EBUSY --params "$I/plain.params" "$I/plain.npk"
ms=$((($(date +%s%N) - t0) / 1000000))
t_run "busy retries lasted at least the timeout ($ms ms)" test "$ms" -ge 300
t_expect "a race lost three times is retried and won" 0 "mounted" "$BLK" mount \
	--fail-op LOOP_CONFIGURE:EBUSY:3 --params "$I/plain.params" "$I/plain.npk" "$MNT"
t_expect "a loop device that vanishes is retried" 0 "mounted" "$BLK" mount \
	--fail-op LOOP_CONFIGURE:ENXIO:1 --params "$I/plain.params" "$I/plain.npk" "$MNT"
t_clean "races"

# Every block-layer call of a mount and unmount, failed in turn (both bind paths).
for variant in "" "--fail-op LOOP_CONFIGURE:ENOTTY"; do
	# shellcheck disable=SC2086
	calls=$("$BLK" mount --trace $variant --params "$I/plain.params" "$I/plain.npk" "$MNT" 2>&1 |
		sed -n 's/^calls: //p')
	t_run "trace counts the calls (${variant:-LOOP_CONFIGURE}): ${calls:-none}" test "${calls:-0}" -ge 6
	n=1
	while [ "$n" -le "${calls:-0}" ]; do
		# shellcheck disable=SC2086
		out=$("$BLK" mount --trace --fail "$n" $variant --params "$I/plain.params" \
			"$I/plain.npk" "$MNT" 2>&1)
		rc=$?
		step=$(printf '%s\n' "$out" | sed -n "s/^call $n: \(.*\) fails (injected)/\1/p")
		if [ "$rc" = 1 ] && printf '%s' "$out" | grep -q '^blktool: .*Input/output error'; then
			t_ok "call $n ($step) fails: clear error"
		else
			t_fail "call $n ($step) fails: clear error" "status $rc: $out"
		fi
		t_clean "call $n ($step) fails"
		n=$((n + 1))
	done
done

# --- no devtmpfs, no udev: we make the nodes ------------------------------------------
if command -v unshare >/dev/null; then
	out=$(unshare $NS_UNSHARE_PROP -m sh -c "$NS_PRIVATE_MOUNTS && mount -t tmpfs none /dev &&
		'$BLK' mount --trace --params '$I/plain.params' '$I/plain.npk' '$MNT' -- \
		sh -c '$readback && test -c /dev/loop-control && ls /dev' && echo status=ok" 2>&1)
	t_expect "without device nodes: mounts and reads back" 0 "status=ok" printf '%s' "$out"
	t_expect "without device nodes: nodes made with mknod" 0 ": mknod" printf '%s' "$out"
	t_expect "without device nodes: /dev/loopN made" 0 "loop" \
		sh -c "printf '%s' \"\$1\" | grep -x 'loop[0-9]*'" sh "$out"
	t_clean "without device nodes"
else
	t_skip "without device nodes" "no unshare"
fi

t_expect "verity table text" 0 \
	"1 7:3 7:3 4096 4096 $(sed -n 's/^data_blocks=//p' "$I/verity.params") $(sed -n 's/^hash_start_block=//p' "$I/verity.params") sha256 $(sed -n 's/^root_hash=//p' "$I/verity.params") $(sed -n 's/^salt=//p' "$I/verity.params")" \
	"$BLK" table "$I/verity.params" 7:3
t_done
