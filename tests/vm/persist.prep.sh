#!/bin/sh
# Host side of persist.test.sh: an ext4 image made with the quota and project features
# (the host's kernel may not mount it: it is only written here, with mkfs.ext4 -d), with
# data_dir holding app's persist directory from before any limit (1 MiB, owned by uid
# 1000) and a repository holding three NPKs (no key) whose root has busybox and the
# projid helper; one more NPK to install through the console, in the guest at
# /images/persist.
set -eu
D=$VM_ROOT/images/persist
rm -rf "$D"
command -v mkfs.ext4 >/dev/null || { mkdir -p "$D" && touch "$D/no-mkfs"; exit 0; }
S=$(mktemp -d /tmp/ns-persist-prep.XXXXXX)
trap 'rm -rf "$S"' EXIT
mkdir -p "$S/root/bin" "$S/fs/data/app/sub" "$S/fs/repo" "$D"
cp "${VM_BUSYBOX:-$(command -v busybox)}" "$S/root/bin/busybox"
for a in sh dd touch ls rm cat echo mkdir; do ln -s busybox "$S/root/bin/$a"; done
cp "$NS_BUILD/tests/helpers/projid" "$S/root/bin/projid"
for n in app b huge extra; do
	printf 'name: %s\nversion: 0.0.1\ninit: /bin/sh\nargs: [-c, "true"]\nuid: 1000\ngid: 1000\nio:\n  stdout: pipe\n  stderr: pipe\nmounts:\n  /data:\n    type: persist\n  /dev:\n    type: dev\n' \
		"$n" >"$S/$n.yaml"
	"${NS_HOST_BIN:-$NS_BUILD/northstar}" sextant pack -m "$S/$n.yaml" -r "$S/root" -o "$S/$n.npk" >/dev/null
done
for n in app b huge; do cp "$S/$n.npk" "$S/fs/repo/$n:0.0.1.npk"; done
cp "$S/extra.npk" "$D/extra.npk"
# random bytes: mkfs.ext4 -d would store zeros as a hole
dd if=/dev/urandom of="$S/fs/data/app/old" bs=1048576 count=1 2>/dev/null
echo x >"$S/fs/data/app/sub/f"
ln -s /images/persist/victim "$S/fs/data/app/link"
chown -R 1000:1000 "$S/fs/data/app"
chmod 700 "$S/fs/data" "$S/fs/data/app"
echo precious >"$D/victim"
truncate -s 64M "$D/fs.img"
mkfs.ext4 -q -F -O quota,project -I 256 -d "$S/fs" "$D/fs.img"
