#!/bin/sh
# northstard started by a busybox init straight from the initramfs' rootfs, which
# pivot_root refuses: the daemon gives its mount namespace a root of its own (a bind of
# /), and containers start - through dm-verity here. A container with CAP_SYS_CHROOT
# that climbs out of its root (chroot x; cd ../..; chroot .) stays in its own root and
# never sees the initramfs' files; one without it cannot chroot at all.
. "$(dirname "$0")/../lib.sh"

I=/images/rootfs
W=/tmp/rootfs
mkdir -p "$W"
cat >"$W/northstar.yaml" <<EOT
run_dir: $W/run
data_dir: $W/data
socket_dir: $W/sockets
cgroup: northstar-rootfs
console:
  global:
    bind: unix://$W/console
    permissions: full
repositories:
  signed:
    type:
      fs:
        dir: $I/repo
    key: $I/test.pub
EOT
awk '$2 == "/" {print "# root:", $3}' /proc/self/mounts
"$NS_BIN" northstard -c "$W/northstar.yaml" >"$W/log" 2>&1 &
DPID=$!
i=0
until grep -q "Runtime up and running" "$W/log" || [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done
has() { grep -qE -- "$2" "$W/log" && t_ok "$1" || t_fail "$1" "$(tail -n 20 "$W/log")"; }
has "northstard runs with / on rootfs" "Runtime up and running"
for n in climber nocap; do
	"$NS_BIN" nstar -u "unix://$W/console" start "$n:0.0.1" >"$W/start.$n" 2>&1
	t_eq "$n starts while the daemon's root is rootfs ($(cat "$W/start.$n"))" $? 0
done
sleep 3
has "the climb with CAP_SYS_CHROOT stays in the container's root" "climber: climb: / holds: bin x$"
if grep -q "climber: climb: / holds:.* \(init\|tests\|build\|images\)" "$W/log"; then
	t_fail "the climb does not reach the initramfs' files" "$(grep climb "$W/log")"
else
	t_ok "the climb does not reach the initramfs' files"
fi
has "a container without CAP_SYS_CHROOT cannot chroot" \
	"nocap: climb: chroot /x: EPERM|nocap:0.0.1: Bad system call"
kill -TERM $DPID
wait $DPID
t_eq "northstard ends cleanly on SIGTERM" $? 0
t_done
