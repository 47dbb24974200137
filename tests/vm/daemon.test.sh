#!/bin/sh
# northstard's dm-verity path in the VM (a kernel with device-mapper): a keyed
# `verity: kernel` repository mounts through dm-verity, the container runs and exits,
# umount leaves no dm or loop device, and an image with a flipped bit fails to start
# with nothing left behind. The console is driven over tcp with busybox nc.
. "$(dirname "$0")/../lib.sh"

I=/images/daemon
W=/tmp/daemon
mkdir -p "$W"
ip link set lo up
cat >"$W/northstar.yaml" <<EOT
run_dir: $W/run
data_dir: $W/data
socket_dir: $W/sockets
cgroup: northstar
console:
  global:
    bind: tcp://127.0.0.1:4200
    permissions: full
repositories:
  signed:
    type:
      fs:
        dir: $I/repo
    key: $I/test.pub
EOT
dm_count() {
	n=0
	for d in /sys/block/dm-*; do [ -e "$d" ] && n=$((n + 1)); done
	echo $n
}
wait_dm_count() {
	i=0
	while [ "$(dm_count)" -gt "$1" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	dm_count
}
# console LINE...: a subscribed session sending each line, printing what comes back
console() {
	{
		printf '{"connect":{"version":"0.9.3","subscribe_notifications":true}}\n'
		for l in "$@"; do
			sleep 1
			printf '%s\n' "$l"
		done
		sleep 4
	} | nc 127.0.0.1 4200
}
has() { printf '%s' "$2" | grep -qF -- "$3" && t_ok "$1" || t_fail "$1" "$2"; }

# The VM runs from its initramfs, whose rootfs pivot_root refuses (EINVAL): as an
# embedded system would switch_root first, the daemon runs with a tmpfs as its root,
# the directories it needs bound in.
NR=/tmp/newroot
root_switch='mkdir -p '"$NR"' && mount -t tmpfs tmpfs '"$NR"' &&
	for d in bin build images proc sys dev tmp; do
		mkdir -p '"$NR"'/$d && mount --rbind /$d '"$NR"'/$d || exit 1
	done && cd '"$NR"' && mount --move . / && exec chroot . "$@"'
unshare -m sh -c "$root_switch" sh "$NS_BIN" northstard -c "$W/northstar.yaml" >"$W/log" 2>&1 &
DPID=$!
i=0
while ! grep -q "Runtime up and running" "$W/log" && [ $i -lt 100 ]; do sleep 0.2; i=$((i + 1)); done
if ! grep -q "Runtime up and running" "$W/log"; then
	t_fail "northstard starts" "$(cat "$W/log")"
	t_done
	exit 1
fi
t_ok "northstard starts with a keyed repository"

out=$(console '{"request":{"start":{"container":"app:0.0.1","init":null,"arguments":[],"environment":{}}}}')
has "start through dm-verity" "$out" '{"response":{"start":{"ok":{"container":"app:0.0.1"}}}}'
has "exit 0" "$out" '{"notification":{"exit":["app:0.0.1",{"exit":{"code":0}}]}}'
t_run "mounted through dm-verity" grep -q "Mounted app:0.0.1 (dm-verity)" "$W/log"
t_run "the output came through" grep -q "app:0.0.1: hello from dm-verity" "$W/log"
t_eq "one dm device while mounted" "$(dm_count)" 1
out=$(console '{"request":{"umount":{"containers":["app:0.0.1"]}}}')
has "umount" "$out" '{"response":{"umount":[{"ok":{"container":"app:0.0.1"}}]}}'
t_eq "umount: no dm device left" "$(wait_dm_count 0)" 0
t_eq "umount: no loop device left" "$(wait_loop_count 0)" 0

out=$(console '{"request":{"start":{"container":"bad:0.0.1","init":null,"arguments":[],"environment":{}}}}')
has "flipped bit: the start fails" "$out" '{"response":{"start":{"error":{"container":"bad:0.0.1"'
t_eq "flipped bit: no dm device left" "$(wait_dm_count 0)" 0
t_eq "flipped bit: no loop device left" "$(wait_loop_count 0)" 0
t_eq "flipped bit: nothing mounted" "$(grep -c " $W/run/" /proc/$DPID/mountinfo)" 0

out=$(console '{"request":"shutdown"}')
wait $DPID
t_eq "shutdown: exit 0" "$?" 0
t_done
