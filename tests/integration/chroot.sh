#!/bin/sh
# northstard in a chroot whose root is a plain directory, not a mount point (a fresh
# debootstrap root, a build container): the daemon starts, a container starts in it and
# prints, and no mount of the daemon or its containers appears in the host's mount table.
# The chroot holds the static binary, a configuration, the key and an NPK; /proc, /sys and
# /dev are bound in from the host (the test's own mounts, removed at the end).
. "$(dirname "$0")/../lib.sh"
. "$NS_TOP/tests/daemon_lib.sh"
daemon_init

if ! command -v chroot >/dev/null || ! command -v mount >/dev/null; then
	t_skip "chroot" "chroot or mount (coreutils, util-linux) missing"
	t_done
	exit 0
fi
if ! file -L "$NS_BIN" 2>/dev/null | grep -q 'static'; then
	# without `file`, ldd says whether it needs a loader
	if ldd "$NS_BIN" 2>/dev/null | grep -q '=>'; then
		t_skip "chroot" "$NS_BIN is not a static binary"
		t_done
		exit 0
	fi
fi

# The chroot lies in a shared mount (as / is on a systemd host), so a mount made below it
# in a namespace that is not private would appear on the host too.
HOST=$T/host
CH=$HOST/chroot
# Our mounts under $T, lazily detached (nothing is left to walk), before $T goes.
chroot_cleanup() {
	if [ -n "$DPID" ] && kill -0 "$DPID" 2>/dev/null; then
		kill -KILL "$DPID" 2>/dev/null
		sleep 0.2
	fi
	for m in "$CH/dev" "$CH/sys" "$CH/proc" "$HOST"; do
		mountpoint -q "$m" 2>/dev/null && umount -R -l "$m"
	done
	if grep -q " $T/" /proc/self/mountinfo; then
		echo "# chroot.sh: mounts left under $CH; $T kept" >&2
		T=""
	fi
	daemon_cleanup
}
trap chroot_cleanup EXIT INT TERM

manifest app 0.0.1 <<'EOF'
init: /bin/sh
args: [-c, "echo chroot-app-ran; exec sleep 30"]
uid: 1000
gid: 1000
io:
  stdout: pipe
  stderr: pipe
EOF
pack app 0.0.1

mkdir -p "$HOST"
if ! mount -t tmpfs -o mode=0755 tmpfs "$HOST" || ! mount --make-shared "$HOST"; then
	t_fail "a shared tmpfs for the chroot" "mount failed"
	t_done
	exit 1
fi
mkdir -p "$CH/bin" "$CH/etc" "$CH/proc" "$CH/sys" "$CH/dev" "$CH/repo" "$CH/tmp"
cp "$NS_BIN" "$CH/bin/northstar"
cp "$T/test.pub" "$CH/etc/test.pub"
cp "$T/app-0.0.1.npk" "$CH/repo/"
cat >"$CH/etc/northstar.yaml" <<EOF
run_dir: /run/northstar
data_dir: /data
socket_dir: /sockets
cgroup: northstar-test-$$
console:
  global:
    bind: unix:///console
    permissions: full
repositories:
  default:
    type:
      fs:
        dir: /repo
    key: /etc/test.pub
    verity: userspace
EOF
# the test's cgroup cleanup reads the name from here
cp "$CH/etc/northstar.yaml" "$T/northstar.yaml"
mount --bind /proc "$CH/proc"
mount --rbind /sys "$CH/sys"
mount --bind /dev "$CH/dev"
t_run "the chroot's root is no mount point" sh -c "! mountpoint -q '$CH'"

# the host's mounts under the chroot: ours (proc, sys and its submounts, dev)
host_mounts() {
	grep -c " $CH/" /proc/self/mountinfo
}
before=$(host_mounts)

t_expect "--check in the chroot: passes, saying what start-up does about the root" 0 \
	"ok    root: / is no mount point (a chroot?): northstard makes its own mount namespace private" \
	chroot "$CH" /bin/northstar northstard -c /etc/northstar.yaml --check
t_expect "--check -d in the chroot: fails, with the fix" 1 \
	"fail  root: / is no mount point (a chroot?), which pivot_root refuses: with -d containers cannot start; fix: drop -d, or bind the chroot's directory onto itself before entering it (mount --bind DIR DIR)" \
	chroot "$CH" /bin/northstar northstard -c /etc/northstar.yaml --check -d

# The console client of daemon_lib talks to $T/console: the chroot's socket.
ln -s "$CH/console" "$T/console"
chroot "$CH" /bin/northstar northstard -c /etc/northstar.yaml -v >"$T/log" 2>&1 &
DPID=$!
echo "$DPID" >>"$T/dpids"
if ! log_wait "Runtime up and running" 10; then
	t_fail "the daemon starts in the chroot" "$(cat "$T/log")"
	t_done
	exit 1
fi
t_ok "the daemon starts in the chroot"
t_run "it says why it runs from a bind mount of its root" \
	grep -q "Root is no mount point (a chroot): running from a bind mount of it" "$T/log"

out=$(C start app:0.0.1)
t_eq "a container starts" "$(json_get "$out" response start ok container)" "app:0.0.1"
t_run "its output reaches the log" log_wait "app:0.0.1: chroot-app-ran" 10
t_run "its root is mounted in the daemon's namespace" \
	grep -q " /run/northstar/app:0.0.1 " "/proc/$DPID/mountinfo"
t_eq "no mount reached the host's mount table" "$(host_mounts)" "$before"
t_run "... none under the chroot's run_dir" sh -c "! grep -q ' $CH/run' /proc/self/mountinfo"

C kill app:0.0.1 >/dev/null
t_run "the container ends (SIGTERM)" log_wait "Process app:0.0.1 exited" 10
C shutdown >/dev/null 2>&1
daemon_wait
t_eq "the daemon ends with exit status 0" "$?" 0
t_eq "after: the host's mount table as before" "$(host_mounts)" "$before"
t_eq "after: no loop device left" "$(our_loops)" 0
t_done
