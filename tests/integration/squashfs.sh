#!/bin/sh
# The native squashfs writer (tests/helpers/mksqfs around libns/squashfs.h), checked
# against unsquashfs and the kernel's squashfs: listings, contents, extras,
# determinism, padding, and bad inputs that must fail cleanly.
. "$(dirname "$0")/../lib.sh"

MK=$NS_BUILD/tests/helpers/mksqfs
TREE="python3 $NS_TOP/tests/integration/squashfs_tree.py"
U=1000 G=2000 T=1234567890
tmp=$(mktemp -d)
mounts=""
cleanup() {
	for m in $mounts; do
		umount "$m" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

if ! t_need_root || ! command -v unsquashfs >/dev/null || ! grep -qw squashfs /proc/filesystems &&
	! modprobe squashfs 2>/dev/null; then
	t_skip "squashfs writer" "needs root, unsquashfs and the kernel's squashfs"
	t_done
	exit 0
fi

loops_before=$(loop_count "$tmp")
head -c $((24 << 20)) /dev/urandom >"$tmp/rand"
$TREE make "$tmp/a" fwd "$tmp/rand"
# the same tree on tmpfs, created in reverse order: another readdir order and inodes
mkdir "$tmp/tmpfs" && mount -t tmpfs tmpfs "$tmp/tmpfs" && mounts="$mounts $tmp/tmpfs"
$TREE make "$tmp/tmpfs/b" rev "$tmp/rand"
$TREE list "$tmp/a" $U $G $T >"$tmp/want.list"
$TREE lln-of "$tmp/a" $U $G >"$tmp/want.lln"

# check_image NAME IMG: listing, extraction and kernel mount all match the tree
check_image() {
	ci_name=$1 ci_img=$2
	t_eq "$ci_name: size is a multiple of 4096" $(($(stat -c %s "$ci_img") % 4096)) 0
	unsquashfs -lln "$ci_img" | $TREE lln $U $G >"$tmp/got.lln"
	t_run "$ci_name: unsquashfs -lln matches the tree" diff "$tmp/want.lln" "$tmp/got.lln"
	rm -rf "$tmp/x"
	if unsquashfs -no-progress -d "$tmp/x" "$ci_img" >"$tmp/unsq.log" 2>&1; then
		$TREE list "$tmp/x" >"$tmp/got.list"
		t_run "$ci_name: unsquashfs extraction matches (modes, owners, data, xattrs)" \
			diff "$tmp/want.list" "$tmp/got.list"
	else
		t_fail "$ci_name: unsquashfs extraction" "$(cat "$tmp/unsq.log")"
	fi
	rm -rf "$tmp/x"
	mkdir -p "$tmp/m"
	if mount -t squashfs -o loop,ro "$ci_img" "$tmp/m" 2>"$tmp/mount.log"; then
		$TREE list "$tmp/m" >"$tmp/got.list"
		umount "$tmp/m"
		t_run "$ci_name: kernel mount matches" diff "$tmp/want.list" "$tmp/got.list"
	else
		t_fail "$ci_name: mount -t squashfs" "$(cat "$tmp/mount.log"; dmesg | tail -5)"
	fi
}

pack() { # IMG ARGS... (source last)
	p_img=$1
	shift
	"$MK" -u $U -g $G -t $T "$@" "$p_img" >"$tmp/pack.log" 2>&1 ||
		t_fail "pack $*" "$(cat "$tmp/pack.log")"
}

pack "$tmp/gzip.img" "$tmp/a"
check_image "gzip" "$tmp/gzip.img"
pack "$tmp/none.img" -c none "$tmp/a"
check_image "uncompressed" "$tmp/none.img"
pack "$tmp/nofrag.img" -F -E -b 65536 "$tmp/a"
check_image "no fragments, export table, 64 KiB blocks" "$tmp/nofrag.img"
pack "$tmp/small.img" -b 4096 -j 1 "$tmp/a"
check_image "4 KiB blocks, one thread" "$tmp/small.img"

t_run "superblock says gzip with uncompressed flags" sh -c \
	"unsquashfs -s '$tmp/none.img' | grep -q 'Data is uncompressed'"
t_run "superblock mtime is the forced one" sh -c \
	"unsquashfs -s '$tmp/gzip.img' | grep -q 'Fri Feb 13 23:31:30 2009'"

# determinism: another filesystem, creation order and thread count, same bytes
pack "$tmp/b.img" -j 2 "$tmp/tmpfs/b"
t_run "deterministic: tmpfs tree in reverse order gives identical bytes" cmp "$tmp/gzip.img" "$tmp/b.img"
pack "$tmp/j1.img" -j 1 "$tmp/a"
t_run "deterministic: one thread gives identical bytes" cmp "$tmp/gzip.img" "$tmp/j1.img"
pack "$tmp/nofrag2.img" -F -E -b 65536 -j 3 "$tmp/tmpfs/b"
t_run "deterministic without fragments" cmp "$tmp/nofrag.img" "$tmp/nofrag2.img"

# compared with mksquashfs on the same tree: same data compression, so similar size
mksquashfs "$tmp/a" "$tmp/ref.img" -noappend -no-progress -quiet -force-uid $U -force-gid $G \
	-comp gzip >/dev/null 2>&1
ours=$(stat -c %s "$tmp/gzip.img") ref=$(stat -c %s "$tmp/ref.img")
t_run "image within 2% of mksquashfs's ($ours vs $ref bytes)" test $((ours * 100)) -le $((ref * 102))

# written at an offset inside a bigger file (as into a zip)
head -c 12288 /dev/urandom >"$tmp/prefix"
cp "$tmp/prefix" "$tmp/offset.img"
"$MK" -u $U -g $G -t $T -O 12288 "$tmp/a" "$tmp/offset.img" >/dev/null 2>&1
t_run "written at an offset: the bytes before are untouched" cmp -n 12288 "$tmp/prefix" "$tmp/offset.img"
t_run "written at an offset: the image equals the plain one" \
	cmp -i 12288:0 "$tmp/offset.img" "$tmp/gzip.img"

# an empty root with the extras of an NPK (spec npk-format 6.2)
L0=u:object_r:null_device:s0
"$MK" -u $U -g $G -t $T -x d,/dev,755,$U,$G -x c,/dev/null,666,$U,$G,1,3,$L0 \
	-x c,/dev/tty,666,$U,$G,5,0,u:object_r:owntty_device:s0 -x d,/proc,555,$U,$G \
	-x s,/proc/stdin,777,$U,$G,/proc/self/fd/0,u:r:su:s0 -x d,/data,700,$U,$G - "$tmp/extras.img" \
	>"$tmp/pack.log" 2>&1 || t_fail "pack extras" "$(cat "$tmp/pack.log")"
unsquashfs -lln "$tmp/extras.img" | $TREE lln $U $G >"$tmp/got.lln"
cat >"$tmp/want.lln" <<EOT
drwxr-xr-x $U/$G - /
drwx------ $U/$G - /data
drwxr-xr-x $U/$G - /dev
crw-rw-rw- $U/$G 1,3 /dev/null
crw-rw-rw- $U/$G 5,0 /dev/tty
dr-xr-xr-x $U/$G - /proc
lrwxrwxrwx $U/$G 15 /proc/stdin -> /proc/self/fd/0
EOT
t_run "extras in an empty root: types, modes, owners, devices, targets" \
	diff "$tmp/want.lln" "$tmp/got.lln"
# mksquashfs given the same entries as pseudo definitions (4.5 has no 'x' for labels)
mkdir "$tmp/empty"
printf '%s\n' "/data d 700 $U $G" "/dev d 755 $U $G" "/dev/null c 666 $U $G 1 3" \
	"/dev/tty c 666 $U $G 5 0" "/proc d 555 $U $G" "/proc/stdin s 777 $U $G /proc/self/fd/0" \
	>"$tmp/pseudo"
if mksquashfs "$tmp/empty" "$tmp/pseudo.img" -noappend -no-progress -quiet -force-uid $U \
	-force-gid $G -pf "$tmp/pseudo" >"$tmp/pack.log" 2>&1; then
	unsquashfs -lln "$tmp/pseudo.img" | $TREE lln $U $G >"$tmp/ref.lln"
	t_run "extras list like mksquashfs's pseudo definitions" diff "$tmp/ref.lln" "$tmp/got.lln"
else
	t_fail "mksquashfs -pf" "$(cat "$tmp/pack.log")"
fi
label() {
	python3 -c 'import os, sys
print(os.getxattr(sys.argv[1], "security.selinux", follow_symlinks=False).decode())' "$1" 2>&1
}
mkdir -p "$tmp/m"
if mount -t squashfs -o loop,ro "$tmp/extras.img" "$tmp/m"; then
	t_eq "extras: selinux label of /dev/null" "$(label "$tmp/m/dev/null")" "$L0"
	t_eq "extras: selinux label of the symlink" "$(label "$tmp/m/proc/stdin")" "u:r:su:s0"
	umount "$tmp/m"
else
	t_fail "mount the extras image"
fi
# extras over a source tree: a dir's attributes change, its content stays
"$MK" -t $T -x d,/sub,700,7,8,u:object_r:x:s0 -x c,/empty,600,0,0,1,5 "$tmp/a" \
	"$tmp/merge.img" >"$tmp/pack.log" 2>&1 || t_fail "pack merge" "$(cat "$tmp/pack.log")"
unsquashfs -lln "$tmp/merge.img" >"$tmp/merge.lln"
t_run "extra dir over a source dir: its attributes win" grep -q "^drwx------ 7/8 .* squashfs-root/sub$" "$tmp/merge.lln"
t_run "extra dir over a source dir: the content stays" grep -q "squashfs-root/sub/hardlink-b$" "$tmp/merge.lln"
t_run "extra device replaces a source file" grep -q "^crw------- 0/0 *1, *5 .* squashfs-root/empty$" "$tmp/merge.lln"

# a verity tree over the padded image (data blocks of 4096), by veritysetup and by libns
if command -v veritysetup >/dev/null; then
	veritysetup format "$tmp/gzip.img" "$tmp/hash" >"$tmp/verity.log" 2>&1
	root=$(awk '/^Root hash:/ {print $3}' "$tmp/verity.log")
	t_run "veritysetup formats and verifies a tree over the image" \
		veritysetup verify "$tmp/gzip.img" "$tmp/hash" "$root"
else
	t_skip "veritysetup over the image" "veritysetup not installed"
fi
size=$(stat -c %s "$tmp/gzip.img")
root=$("$NS_BUILD/tests/helpers/npktool" verity-format "$tmp/gzip.img" "$tmp/hash2" 0 "$size" \
	00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff \
	0123456789abcdef0123456789abcdef)
t_run "verity tree from libns verifies over the image" \
	veritysetup verify "$tmp/gzip.img" "$tmp/hash2" "$root"

# bad inputs: a clear error naming the path, and nothing left behind
img_out=$tmp/out/image.img
mkdir -p "$tmp/out"
bad() { # NAME NEEDLE ARGS...: fails naming the problem, leaves nothing
	name=$1 needle=$2
	shift 2
	t_expect "$name" 1 "$needle" "$@"
	t_eq "$name leaves no file" "$(ls -A "$tmp/out")" ""
}
bad "missing source" "$tmp/nope" "$MK" "$tmp/nope" "$img_out"
bad "block size" "block size 1000" "$MK" -b 1000 "$tmp/a" "$img_out"
long=$(printf 'n%.0s' $(seq 1 300))
bad "name longer than 256" "longer than 256" "$MK" -x "d,/$long,755,0,0" - "$img_out"
bad "extra without parent" "parent '/no' is not a directory" "$MK" -x d,/no/dir,755,0,0 - "$img_out"
bad "extra replacing a dir" "would replace a directory" "$MK" -x c,/sub,600,0,0,1,3 "$tmp/a" "$img_out"
bad "device number squashfs cannot store" "device 5000:1 out of range" \
	"$MK" -x c,/huge,600,0,0,5000,1 - "$img_out"
mkdir -p "$tmp/unreadable" && echo secret >"$tmp/unreadable/f" && chmod 000 "$tmp/unreadable/f"
bad "unreadable file" "open '$tmp/unreadable/f': Permission denied" setpriv --inh-caps=-all \
	--bounding-set=-dac_override,-dac_read_search "$MK" "$tmp/unreadable" "$img_out"
mkdir -p "$tmp/grows" && : >"$tmp/grows/version"
if mount --bind /proc/version "$tmp/grows/version"; then
	mounts="$tmp/grows/version $mounts"
	bad "file changing size during packing" "$tmp/grows/version' grew during packing" \
		"$MK" "$tmp/grows" "$img_out"
	umount "$tmp/grows/version"
else
	t_fail "bind /proc/version for the growing-file test"
fi
$TREE manyids "$tmp/ids" 32768
bad "more ids than squashfs holds" "distinct uids and gids: squashfs holds 65535" "$MK" "$tmp/ids" "$img_out"

umount "$tmp/tmpfs" && mounts=""
t_eq "no loop device left attached" "$(wait_loop_count "$loops_before" "$tmp")" "$loops_before"
t_eq "nothing left mounted" "$(grep -c " $tmp" /proc/mounts)" 0
t_done
