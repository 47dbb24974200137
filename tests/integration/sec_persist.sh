#!/bin/sh
# Persist directories have a size and inode limit the kernel enforces (issue 14, item
# 7): project quotas on data_dir's file system, one project per container, set by the
# daemon itself (no quota tools). A configured limit on a file system that cannot
# enforce it is a start error naming data_dir; 0 / off is no limit, explicitly. On an
# ext4 image made with `-O quota,project` and mounted `prjquota` (data_dir and the
# repository on it): a container writing until it fails stops at its limit, an install
# still succeeds after, a second container has a limit of its own, data from before is
# counted, and a start whose limits could starve the repository is refused. That part
# needs a kernel with CONFIG_QFMT_V2 (it is skipped, saying so, on one without).
. "$(dirname "$0")/../lib.sh"
. "$NS_TOP/tests/daemon_lib.sh"
daemon_init

MNT="" LOOP="" IMG=""
persist_cleanup() {
	daemon_cleanup
	if [ -n "$MNT" ]; then
		umount "$MNT" 2>/dev/null
		rmdir "$MNT"
	fi
	[ -n "$LOOP" ] && losetup -d "$LOOP" 2>/dev/null
	[ -n "$IMG" ] && rm -f "$IMG"
}
trap persist_cleanup EXIT INT TERM

cp "$NS_BUILD/tests/helpers/projid" "$T/root/bin/projid"
manifest app 0.0.1 <<'EOF'
init: /bin/sh
args: [-c, "true"]
uid: 1000
gid: 1000
io:
  stdout: pipe
  stderr: pipe
mounts:
  /data:
    type: persist
  /dev:
    type: dev
EOF
pack app 0.0.1
for n in b huge; do
	sed "s/^name: app/name: $n/" "$T/app-0.0.1.yaml" >"$T/$n-0.0.1.yaml"
	pack "$n" 0.0.1
done
run_in() { # NAME SCRIPT: the exit status as the console reports it
	C run "$1:0.0.1" --init /bin/sh --arg -c --arg "$2"
}
start_fails() { # NEEDLE: the daemon exits with 1 and the log names the problem
	: >"$T/log"
	"$NS_BIN" northstard -c "$T/northstar.yaml" >>"$T/log" 2>&1
	rc=$?
	[ $rc = 1 ] || { echo "exit status $rc"; return 1; }
	grep -qF -- "$1" "$T/log" || { cat "$T/log"; return 1; }
}

# --- a limit where the file system cannot enforce it ----------------------------------
write_config "persist:" "  size: 8MiB"
t_run "size limit, data_dir without project quotas: the start fails naming data_dir" \
	start_fails "persist: limits are configured but data_dir '$T/data' cannot enforce them"
t_run "... and saying what is missing" start_fails "mounted with 'prjquota'"
mkdir -p "$T/data"
t_expect "--check applies the same rule: refused, naming data_dir" 1 \
	"data_dir '$T/data' cannot enforce them" "$NS_BIN" northstard -c "$T/northstar.yaml" --check
write_config "persist:" "  containers:" "    app: {inodes: 100}"
t_run "a per-container inode limit alone needs project quotas too" \
	start_fails "data_dir '$T/data' cannot enforce them"

write_config "persist:" "  size: 0" "  inodes: \"off\"" "  containers:" "    app: {size: off}"
if daemon_start; then t_ok "0 / off: no limit, explicitly: the daemon starts"; else t_fail "0 / off: the daemon starts" "$(tail "$T/log")"; fi
C install "$T/app-0.0.1.npk" default >/dev/null
t_eq "no limit: a container writes 20 MiB" \
	"$(run_in app 'busybox dd if=/dev/zero of=/data/big bs=1048576 count=20')" \
	'{"exit":{"code":0}}'

# The kernel lets a file's owner move it to another project; the guard filter of every
# container with a persist mount refuses the calls that do it, whatever the manifest's
# own filter (here /tmp's ext4 has no project feature: unguarded, setting id 0 is "ok").
t_eq "guard: FS_IOC_FSSETXATTR refused" "$(run_in app 'projid /data 0 && exit 1; projid /data 0 | grep -qx EPERM')" \
	'{"exit":{"code":0}}'
t_eq "guard: ... also with bits above 32 in the request" \
	"$(run_in app 'projid /data 0 wide | grep -qx EPERM')" '{"exit":{"code":0}}'
t_eq "guard: clearing the inherit flag (FS_IOC_SETFLAGS) refused" \
	"$(run_in app 'projid /data noinherit | grep -qx EPERM')" '{"exit":{"code":0}}'
t_eq "guard: files are still made (touch)" \
	"$(run_in app 'i=0; while [ $i -lt 50 ] && touch /data/f$i; do i=$((i+1)); done; [ $i = 50 ]')" \
	'{"exit":{"code":0}}'
t_eq "guard: reading the project id still works" "$(run_in app 'projid /data | grep -qx 0')" \
	'{"exit":{"code":0}}'
with_manifest "$T/app-0.0.1.npk" "$T/sc-0.0.1.npk" -e 's/^name: app/name: sc/' \
	-e '$a seccomp:\n  profile:\n    default' -e '$a capabilities: []'
C install "$T/sc-0.0.1.npk" default >/dev/null
t_eq "guard beside the manifest's default profile: still refused" \
	"$(run_in sc 'projid /data 0 | grep -qx EPERM && ls /data >/dev/null')" '{"exit":{"code":0}}'
daemon_stop
rm -rf "$T/data" "$T/repo"/*

# --- an ext4 image with project quotas ---------------------------------------------------
IMG=$(mktemp /tmp/ns-persist-img.XXXXXX)
MNT=$(mktemp -d /tmp/ns-persist-mnt.XXXXXX)
truncate -s 96M "$IMG"
if ! command -v mkfs.ext4 >/dev/null || ! mkfs.ext4 -q -F -O quota,project -I 256 "$IMG"; then
	t_skip "project quotas" "mkfs.ext4 (e2fsprogs) with the quota and project features missing"
	t_done
	exit
fi
LOOP=$(losetup -f --show "$IMG")
if ! mount -o prjquota "$LOOP" "$MNT" 2>/dev/null; then
	t_skip "project quotas" "this kernel cannot mount ext4 with project quotas (CONFIG_QUOTA and CONFIG_QFMT_V2): $(uname -r)"
	t_done
	exit
fi
mkdir -p "$MNT/data/app" "$MNT/repo"
# data written before the limit existed: counted once the directory gets its project
dd if=/dev/zero of="$MNT/data/app/old" bs=1048576 count=1 2>/dev/null
mkdir -p "$MNT/data/app/sub" && echo x >"$MNT/data/app/sub/f"
mkdir -p "$T/victim" && echo precious >"$T/victim/file"
ln -s "$T/victim/file" "$MNT/data/app/link"
chown -R 1000:1000 "$MNT/data/app"
sed -i "s|data_dir: $T/data|data_dir: $MNT/data|; s|dir: $T/repo|dir: $MNT/repo|" "$T/northstar.yaml"
write_config "persist:" "  size: 8MiB" "  inodes: 200" "  containers:" "    b: {size: 4MiB}" \
	"    huge: {size: 40MiB, inodes: 0}"
sed -i "s|data_dir: $T/data|data_dir: $MNT/data|; s|dir: $T/repo|dir: $MNT/repo\n    capacity_size: 16MiB|" \
	"$T/northstar.yaml"
if daemon_start; then t_ok "project quotas: the daemon starts"; else t_fail "project quotas: the daemon starts" "$(tail "$T/log")"; fi
for n in app b huge; do C install "$T/$n-0.0.1.npk" default >/dev/null; done
projid() { lsattr -pd "$1" 2>/dev/null | awk '{print $1}'; }
used_kib() { du -sk "$1" | awk '{print $1}'; }

t_eq "the container's write fails at the limit" \
	"$(run_in app 'busybox dd if=/dev/zero of=/data/big bs=65536 count=2000 2>/dev/null')" \
	'{"exit":{"code":1}}'
kib=$(used_kib "$MNT/data/app")
echo "# app's persist directory holds $kib KiB (limit 8192 KiB, 1 MiB of it from before)"
t_run "... and its directory holds at most the limit" test "$kib" -le 8192
t_run "... but close to it (the data from before counted)" test "$kib" -ge 7680
big=$(($(stat -c %s "$MNT/data/app/big") / 1024))
t_run "the new file took what the old data left ($big KiB)" test "$big" -le 7168
id_app=$(projid "$MNT/data/app")
t_run "the directory has a project of ours ($id_app)" test "$id_app" -ge $((0x4e530000))
t_eq "data from before moved to it" "$(projid "$MNT/data/app/sub/f")" "$id_app"
t_eq "a planted link's target keeps its project" "$(projid "$T/victim/file")" 0
t_eq "... and its content" "$(cat "$T/victim/file")" precious

manifest other 0.0.1 <<'EOF'
uid: 1000
gid: 1000
EOF
pack other 0.0.1 "$T/victim"
t_eq "an install into the repository on that file system still succeeds" \
	"$(C install "$T/other-0.0.1.npk" default)" '{"response":{"install":{"ok":{"container":"other:0.0.1"}}}}'

t_eq "a second container: its inode limit" \
	"$(run_in b 'i=0; while touch /data/f$i 2>/dev/null; do i=$((i+1)); done; echo $i >/data/count; [ $i -lt 200 ] && [ $i -gt 150 ]')" \
	'{"exit":{"code":0}}'
echo "# b created $(cat "$MNT/data/b/count" 2>/dev/null) files under an inode limit of 200"
rm -f "$MNT"/data/b/f*
t_eq "a second container: its own size limit" \
	"$(run_in b 'busybox dd if=/dev/zero of=/data/big bs=65536 count=2000 2>/dev/null')" \
	'{"exit":{"code":1}}'
kib=$(used_kib "$MNT/data/b")
t_run "... 4 MiB, not what the first left ($kib KiB)" test "$kib" -le 4096 -a "$kib" -ge 3584
t_run "... under a project of its own" test "$(projid "$MNT/data/b")" != "$id_app"

t_expect "a start whose limit could starve the repository is refused" 0 \
	"could starve them" C start huge:0.0.1
t_run "... and logged naming data_dir" grep -q "data_dir '$MNT/data' has [0-9]* bytes free" "$T/log"

# a wipe frees the project's space at once for the next container of that name
t_eq "uninstall --wipe" "$(C uninstall --wipe app:0.0.1)" \
	'{"response":{"uninstall":{"ok":{"container":"app:0.0.1"}}}}'
C install "$T/app-0.0.1.npk" default >/dev/null
t_eq "after the wipe the next app has its whole limit again" \
	"$(run_in app '[ -z "$(ls -A /data)" ] && busybox dd if=/dev/zero of=/data/big bs=65536 count=96 2>/dev/null')" \
	'{"exit":{"code":0}}'
daemon_stop

# the same image mounted without prjquota: counted at most, never enforced
umount "$MNT"
mount "$LOOP" "$MNT"
t_run "project quotas not enforced (no prjquota): the start fails" \
	start_fails "data_dir '$MNT/data' cannot enforce them"
t_done
