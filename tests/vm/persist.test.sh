#!/bin/sh
# Persist limits through project quotas, in the VM (Debian's kernel has CONFIG_QFMT_V2;
# a host kernel without it cannot even mount the image): data_dir and the repository on
# an ext4 image made with `-O quota,project`, mounted `prjquota`. A container writing
# until it fails stops at its limit, data from before counted; an install into the
# repository still succeeds; a second container has its own size and inode limits; a
# start whose limits could starve the repository is refused; the same image without
# prjquota is a start error naming data_dir. persist.prep.sh makes the image.
. "$(dirname "$0")/../lib.sh"

I=/images/persist
W=/tmp/persist
M=$W/mnt
PROJID=/build/tests/helpers/projid
if [ -e "$I/no-mkfs" ]; then
	t_skip "persist quotas" "the host had no mkfs.ext4 (e2fsprogs) to make the image"
	t_done
	exit 0
fi
mkdir -p "$M"
ip link set lo up
LOOP=$(losetup -f)
losetup "$LOOP" "$I/fs.img"
if ! mount -t ext4 -o prjquota "$LOOP" "$M"; then
	t_fail "mount the ext4 image with prjquota" "$(dmesg | tail -3)"
	losetup -d "$LOOP"
	t_done
	exit 1
fi
config() { # EXTRA persist lines
	cat >"$W/northstar.yaml" <<EOT
run_dir: $W/run
data_dir: $M/data
socket_dir: $W/sockets
cgroup: northstar-persist
console:
  global:
    bind: tcp://127.0.0.1:4200
    permissions: full
repositories:
  default:
    type:
      fs:
        dir: $M/repo
    capacity_size: 24MiB
persist:
  size: 8MiB
  inodes: 200
  containers:
    b: {size: 4MiB}
    huge: {size: 30MiB}
EOT
}
# console LINE...: a subscribed session sending each line, printing what comes back
console() {
	{
		printf '{"connect":{"version":"0.9.3","subscribe_notifications":true}}\n'
		for l in "$@"; do
			sleep 1
			printf '%s\n' "$l"
		done
		sleep 3
	} | nc 127.0.0.1 4200
}
install() { # NPK
	{
		printf '{"connect":{"version":"0.9.3","subscribe_notifications":false}}\n'
		sleep 1
		printf '{"request":{"install":{"repository":"default","size":%s}}}\n' "$(stat -c %s "$1")"
		cat "$1"
		sleep 3
	} | nc 127.0.0.1 4200
}
run_in() { # NAME SCRIPT
	console "{\"request\":{\"start\":{\"container\":\"$1:0.0.1\",\"init\":\"/bin/sh\",\"arguments\":[\"-c\",\"$2\"],\"environment\":{}}}}"
}
has() { printf '%s' "$2" | grep -qF -- "$3" && t_ok "$1" || t_fail "$1" "$2"; }
NR=/tmp/newroot
root_switch='mkdir -p '"$NR"' && mount -t tmpfs tmpfs '"$NR"' &&
	for d in bin build images proc sys dev tmp; do
		mkdir -p '"$NR"'/$d && mount --rbind /$d '"$NR"'/$d || exit 1
	done && cd '"$NR"' && mount --move . / && exec chroot . "$@"'
daemon() {
	unshare -m sh -c "$root_switch" sh "$NS_BIN" northstard -c "$W/northstar.yaml" >"$W/log" 2>&1 &
	DPID=$!
	i=0
	while ! grep -q "Runtime up and running" "$W/log" && kill -0 $DPID 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.2
		i=$((i + 1))
	done
	grep -q "Runtime up and running" "$W/log"
}
used_kib() { du -sk "$1" | cut -f1; }

config
if daemon; then t_ok "northstard starts on data_dir with project quotas"; else
	t_fail "northstard starts" "$(cat "$W/log")"
	umount "$M"
	losetup -d "$LOOP"
	t_done
	exit 1
fi

out=$(run_in app 'dd if=/dev/zero of=/data/big bs=65536 count=2000')
has "a container writing until it fails: dd fails" "$out" '"exit":{"code":1}'
free=$(df -k "$M" | awk 'NR == 2 {print $4}')
t_run "... at its limit, not a full file system ($free KiB free)" test "$free" -gt 20000
kib=$(used_kib "$M/data/app")
echo "# app's persist directory holds $kib KiB (limit 8192 KiB, 1 MiB of it from before)"
t_run "... its directory holds at most the limit ($kib KiB)" test "$kib" -le 8192
t_run "... and the data from before counted" test "$kib" -ge 7680 -a "$(($(stat -c %s "$M/data/app/big") / 1024))" -le 7168
id=$($PROJID "$M/data/app")
t_run "app has a project of ours ($id)" test "$id" -ge $((0x4e530000)) -a "$id" -lt $((0x4e540000))
t_eq "data from before moved to it" "$($PROJID "$M/data/app/sub/f")" "$id"
t_eq "a planted link's target is untouched" "$(cat /images/persist/victim)" precious

out=$(install "$I/extra.npk")
has "an install into the repository on that file system succeeds" "$out" \
	'{"response":{"install":{"ok":{"container":"extra:0.0.1"}}}}'

out=$(run_in b 'echo 0 >/data/count; i=0; while touch /data/f$i 2>/dev/null; do i=$((i+1)); done; echo $i >/data/count; rm -f /data/f*')
# 200 forks of busybox under TCG can outlast the console session: wait for the exit
i=0
while ! grep -q "Process b:0.0.1 exited" "$W/log" && [ $i -lt 300 ]; do
	sleep 0.2
	i=$((i + 1))
done
n=$(cat "$M/data/b/count")
echo "# b made $n files under an inode limit of 200"
if [ "$n" -lt 200 ] && [ "$n" -gt 150 ]; then t_ok "a second container: its own inode limit ($n files)"; else
	t_fail "a second container: its own inode limit ($n files)" "$out $(grep "b:0.0.1" "$W/log" | tail -5)"
fi
out=$(run_in b 'dd if=/dev/zero of=/data/big bs=65536 count=2000')
kib=$(used_kib "$M/data/b")
t_run "a second container: its own size limit, 4 MiB ($kib KiB)" test "$kib" -le 4096 -a "$kib" -ge 3584
t_run "... under a project of its own" test "$($PROJID "$M/data/b")" != "$id"

out=$(run_in huge 'true')
has "a start whose limit could starve the repository is refused" "$out" 'could starve them'

# The kernel lets a file's owner in the initial user namespace move it to another
# project (there is no user namespace here, as in Northstar); the guard filter refuses.
out=$(run_in app 'rm -f /data/big; echo hi >/data/x; projid /data/x 0; projid /data/x 0 wide; mkdir /data/d; projid /data/d noinherit')
t_eq "guard: the container cannot move its file out of its project" \
	"$(grep -c "app:0.0.1: EPERM" "$W/log")" 3
t_eq "... the file keeps the project" "$($PROJID "$M/data/app/x")" "$id"

out=$(console '{"request":"shutdown"}')
wait $DPID
t_eq "shutdown: exit 0" "$?" 0

umount "$M" || echo "# umount $M failed: $(grep " $M " /proc/mounts)"
mount -t ext4 "$LOOP" "$M" || echo "# mount without prjquota failed"
config
# in the foreground: it must end by itself, with status 1
timeout 60 unshare -m sh -c "$root_switch" sh "$NS_BIN" northstard -c "$W/northstar.yaml" >"$W/log" 2>&1
rc=$?
if [ $rc = 1 ] && grep -q "data_dir '$M/data' cannot enforce them: project quotas are counted but not enforced" "$W/log"; then
	t_ok "without prjquota: the start fails naming data_dir"
else
	t_fail "without prjquota: the start fails naming data_dir" "status $rc; $(cat "$W/log"); $(grep " $M " /proc/mounts)"
fi
umount "$M"
losetup -d "$LOOP"
t_done
