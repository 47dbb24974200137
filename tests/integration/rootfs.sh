#!/bin/sh
# The container's view (libns/rootfs.c and friends) against the real kernel: every
# mount type and its flags, the masked /proc, the fresh /dev, hostname, network
# namespaces, the symlink traps of a hostile image, chroot escape, /proc/1/exe.
# The images are squashfs files built here with mksquashfs and busybox-static, mounted
# with mount -o loop,ro (the block layer is tested elsewhere).
. "$(dirname "$0")/../lib.sh"

R=$NS_BUILD/tests/helpers/rootfstool
if ! t_need_root; then
	t_skip "rootfs" "needs root"
	t_done
	exit 0
fi
# rootfstool enters a container's root as ns-init does, with pivot_root, which the
# kernel refuses while / is no mount point (a chroot). northstard first moves itself to
# a bind of / there (chroot.sh tests that); this helper drives libns directly.
if ! mountpoint -q /; then
	t_skip "rootfs" "/ is not a mount point (a chroot): pivot_root needs one; chroot.sh covers northstard there"
	t_done
	exit 0
fi
for tool in mksquashfs busybox ip; do
	if ! command -v $tool >/dev/null 2>&1; then
		t_skip "rootfs" "$tool missing (make deps)"
		t_done
		exit 0
	fi
done
BUSYBOX=$(command -v busybox)
prop_before=$(findmnt -n -o PROPAGATION /)
NETNS=nsrootfs$$
T=$(mktemp -d /tmp/ns-rootfs.XXXXXX)
# Ours only: below $T and our network namespace's file (ip netns add leaves /run/netns
# itself mounted for later namespaces); other tests mount and unmount meanwhile.
count_mounts() { awk -v t="$T/" -v n="/run/netns/$NETNS" 'index($5, t) == 1 || $5 == n' /proc/self/mountinfo | wc -l; }
mounts_before=$(count_mounts)
loops_before=$(loop_count "$T")
cleanup() {
	for m in "$T/hostdir/sub" "$T/run/app:0.0.1" "$T/run/res-0.0.1"; do
		mountpoint -q "$m" 2>/dev/null && umount "$m"
	done
	ip netns del "$NETNS" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT INT TERM

# --- images -----------------------------------------------------------------------
APP=$T/img-app
mkdir -p "$APP/bin" "$APP/etc"
cp "$BUSYBOX" "$APP/bin/busybox"
for a in sh cat ls stat hostname touch dd head wc grep mkdir cp chmod readlink mknod id; do
	ln -s busybox "$APP/bin/$a"
done
for d in proc sys dev tmp data host hostrw hostrec hostfile res resx sock; do
	mkdir -p "$APP/$d"
done
rmdir "$APP/hostfile" && : >"$APP/hostfile"
echo app >"$APP/etc/marker"
ln -s /etc "$APP/trap"              # a symlink where a mount target should be
ln -s /etc "$APP/trapdir"           # a symlink in a parent of a target (/trapdir/sub)
ln -s ../../../../../etc "$APP/trap-rel"
RES=$T/img-res
mkdir -p "$RES/share/sub" "$RES/bin"
echo resource >"$RES/share/file"
ln -s /etc "$RES/link"             # a symlinked resource dir
ln -s share "$RES/sharelink"       # a relative one, still refused
mksquashfs "$APP" "$T/app.sqfs" -quiet -noappend -all-root >/dev/null
mksquashfs "$RES" "$T/res.sqfs" -quiet -noappend -all-root >/dev/null
ROOT="$T/run/app:0.0.1"
RROOT="$T/run/res-0.0.1"
mkdir -p "$ROOT" "$RROOT" "$T/data/app" "$T/hostdir/sub" "$T/hostdir2" "$T/sockets"
mount -o loop,ro "$T/app.sqfs" "$ROOT"
mount -o loop,ro "$T/res.sqfs" "$RROOT"
mount -t tmpfs -o size=64k tmpfs "$T/hostdir/sub"   # a submount for the rec binds
echo host >"$T/hostdir/file"
echo marker >"$T/host-marker"

FULL="-m proc:/proc -m sysfs:/sys -m dev:/dev -m tmpfs:/tmp:1048576
 -m bind:/host:$T/hostdir -m bind:/hostrw:$T/hostdir2:rw,nodev,noexec
 -m bind:/hostrec:$T/hostdir:rec -m bind:/hostfile:$T/hostdir/file
 -m persist:/data:$T/data/app -m resource:/res:$RROOT:/share
 -m resource:/resx:$RROOT:/share:noexec -m sockets:/sock:$T/sockets"

# mopts FILE MOUNTPOINT: the per-mount options of MOUNTPOINT in a mountinfo dump.
mopts() { awk -v mp="$2" '$5 == mp { print $6 }' "$1"; }
msuper() { awk -v mp="$2" '$5 == mp { for (i = 7; $i != "-"; i++); print $(i + 3) }' "$1"; }
# flags_are NAME OPTS WANT: the four security flags in OPTS are exactly WANT.
flags_are() {
	got=""
	for f in ro rw nosuid nodev noexec; do
		case ",$2," in *",$f,"*) got="$got$f," ;; esac
	done
	t_eq "$1" "${got%,}" "$3"
}

# --- every mount type and its flags, with and without mount_setattr ----------------
for mode in setattr legacy; do
	L=""
	[ $mode = legacy ] && L="-L"
	# The legacy path (kernels < 5.12) cannot lock a recursive bind's submounts.
	PLAN=$FULL
	[ $mode = legacy ] && PLAN=$(echo "$FULL" | sed "s|-m bind:/hostrec:[^ ]*||")
	# shellcheck disable=SC2086
	out=$("$R" $L -h box $PLAN "$ROOT" -- /bin/cat /proc/self/mountinfo 2>&1)
	rc=$?
	t_eq "$mode: full plan builds" "$rc" 0
	printf '%s\n' "$out" >"$T/mi.$mode"
	mi=$T/mi.$mode
	flags_are "$mode: / ro,nosuid,nodev" "$(mopts "$mi" /)" "ro,nosuid,nodev"
	flags_are "$mode: bind default ro,nosuid" "$(mopts "$mi" /host)" "ro,nosuid"
	flags_are "$mode: bind rw,nodev,noexec applied" "$(mopts "$mi" /hostrw)" \
		"rw,nosuid,nodev,noexec"
	flags_are "$mode: file bind ro" "$(mopts "$mi" /hostfile)" "ro,nosuid"
	flags_are "$mode: persist rw,nosuid,nodev,noexec" "$(mopts "$mi" /data)" \
		"rw,nosuid,nodev,noexec"
	flags_are "$mode: proc ro,nosuid,nodev,noexec" "$(mopts "$mi" /proc)" \
		"ro,nosuid,nodev,noexec"
	flags_are "$mode: sysfs ro,nosuid,nodev,noexec" "$(mopts "$mi" /sys)" \
		"ro,nosuid,nodev,noexec"
	flags_are "$mode: tmpfs rw,nosuid,nodev,noexec" "$(mopts "$mi" /tmp)" \
		"rw,nosuid,nodev,noexec"
	t_eq "$mode: tmpfs size" "$(msuper "$mi" /tmp)" "rw,size=1024k"
	flags_are "$mode: resource ro,nosuid,nodev" "$(mopts "$mi" /res)" "ro,nosuid,nodev"
	flags_are "$mode: resource noexec when asked" "$(mopts "$mi" /resx)" \
		"ro,nosuid,nodev,noexec"
	flags_are "$mode: sockets ro,nosuid,nodev,noexec" "$(mopts "$mi" /sock)" \
		"ro,nosuid,nodev,noexec"
	flags_are "$mode: /dev ro,nosuid,nodev,noexec" "$(mopts "$mi" /dev)" \
		"ro,nosuid,nodev,noexec"
	flags_are "$mode: /dev/null ro,nosuid,noexec" "$(mopts "$mi" /dev/null)" "ro,nosuid,noexec"
	flags_are "$mode: /dev/shm rw,nosuid,nodev,noexec" "$(mopts "$mi" /dev/shm)" \
		"rw,nosuid,nodev,noexec"
	flags_are "$mode: /proc/sys ro" "$(mopts "$mi" /proc/sys)" "ro,nosuid,nodev,noexec"
	# P-F1: the container sees its own mounts and nothing else.
	want="/ /data /dev /dev/full /dev/null /dev/random /dev/shm /dev/tty /dev/urandom
/dev/zero /host /hostfile /hostrw /proc /res /resx /sock /sys /tmp"
	[ $mode = setattr ] && want="$want /hostrec /hostrec/sub"
	got=$(awk '$5 !~ "^/(proc|sys)/" { print $5 }' "$mi" | sort | tr '\n' ' ')
	t_eq "$mode: only the container's mounts" "$got" "$(echo $want | tr ' ' '\n' | sort | tr '\n' ' ')"
done
flags_are "rec bind: submount locked too" "$(mopts "$T/mi.setattr" /hostrec/sub)" "ro,nosuid"
t_expect "rec bind without mount_setattr: refused" 1 "recursive bind needs mount_setattr" \
	"$R" -L -m bind:/hostrec:"$T/hostdir":rec "$ROOT"
t_expect "bind without rec: no submount" 0 "not a mount" \
	"$R" -m bind:/host:"$T/hostdir" "$ROOT" -- /bin/sh -c \
	'grep -q " /host/sub " /proc/self/mountinfo && echo mounted || echo not a mount'

# --- what the mounts do ------------------------------------------------------------
run() { "$R" -h box $FULL "$ROOT" -- /bin/sh -c "$1"; }
t_expect "ro bind: not writable" 1 "Read-only file system" run 'touch /host/x'
t_expect "rw bind: writable" 0 "" run 'touch /hostrw/x'
t_run "rw bind: the write reached the host" test -f "$T/hostdir2/x"
t_expect "file bind: host content" 0 "host" run 'cat /hostfile'
t_expect "persist: writable, reaches the host" 0 "" run 'echo p >/data/p'
t_eq "persist: file on the host" "$(cat "$T/data/app/p" 2>/dev/null)" p
t_expect "persist: noexec" 126 "Permission denied" run 'cp /bin/busybox /data/bb && /data/bb true'
t_expect "tmpfs: mode 1777" 0 "1777" run 'stat -c %a /tmp'
t_expect "tmpfs: size enforced" 1 "No space left" run \
	'dd if=/dev/zero of=/tmp/big bs=4096 count=512 2>&1 >/dev/null; exit 1'
t_expect "resource: content" 0 "resource" run 'cat /res/file'
t_expect "resource: read-only" 1 "Read-only file system" run 'touch /res/x'
t_expect "/ is read-only" 1 "Read-only file system" run 'touch /x'

# --- /proc: the container's pid namespace, masked, read-only -------------------------
t_expect "proc: PID 1 is the container's init" 0 "rootfstool" run 'cat /proc/1/cmdline'
t_expect "proc: only the container's processes" 0 "ok" run \
	'for p in $(ls /proc | grep "^[0-9]"); do [ $p -lt 20 ] || { echo "pid $p"; exit 1; }; done; echo ok'
for f in kcore keys key-users latency_stats sched_debug timer_list timer_stats; do
	if [ -e "/proc/$f" ]; then
		t_expect "proc: /proc/$f reads empty" 0 "[0]" run "echo [\$(cat /proc/$f | wc -c)]"
	fi
done
for d in acpi asound scsi; do
	if [ -d "/proc/$d" ]; then
		t_expect "proc: /proc/$d is empty" 0 "[0]" run "echo [\$(ls -A /proc/$d | wc -l)]"
	fi
done
t_expect "proc: /proc/sys read-only" 1 "Read-only file system" run \
	'echo evil >/proc/sys/kernel/hostname'
if [ -e /proc/sysrq-trigger ]; then
	t_expect "proc: sysrq-trigger read-only" 1 "Read-only" run 'echo h >/proc/sysrq-trigger'
fi
t_expect "proc: /proc/self files not writable" 1 "" run 'echo x >/proc/self/oom_score_adj'

# --- sysfs ---------------------------------------------------------------------------
t_expect "sysfs: read-only" 1 "Read-only file system" run 'echo 1 >/sys/kernel/uevent_helper'
if [ -d /sys/firmware ]; then
	t_expect "sysfs: /sys/firmware is empty" 0 "[0]" run 'echo [$(ls -A /sys/firmware | wc -l)]'
fi

# --- /dev ----------------------------------------------------------------------------
t_expect "dev: exactly the expected entries" 0 \
	"fd full null random shm stderr stdin stdout tty urandom zero" run 'echo $(ls -A /dev)'
for n in "full 1:7" "null 1:3" "random 1:8" "tty 5:0" "urandom 1:9" "zero 1:5"; do
	set -- $n
	maj=${2%:*} min=${2#*:}
	t_expect "dev: $1 is char $2" 0 "character special file $maj $min" run \
		"stat -c '%F %t %T' /dev/$1"
done
for l in "fd /proc/self/fd" "stdin /proc/self/fd/0" "stdout /proc/self/fd/1" \
	"stderr /proc/self/fd/2"; do
	set -- $l
	t_expect "dev: $1 -> $2" 0 "$2" run "readlink /dev/$1"
done
t_expect "dev: null takes writes" 0 "ok" run 'echo x >/dev/null && echo ok'
t_expect "dev: urandom reads" 0 "16" run 'head -c 16 /dev/urandom | wc -c'
t_expect "dev: nothing can be added" 1 "Read-only file system" run 'touch /dev/x'
host_null=$(stat -c %a /dev/null)
t_expect "dev: the host's node cannot be chmod'ed" 1 "Read-only file system" run \
	'chmod 600 /dev/null'
t_eq "dev: host /dev/null mode unchanged" "$(stat -c %a /dev/null)" "$host_null"
t_expect "dev: /dev/shm writable" 0 "" run 'echo s >/dev/shm/s'

# --- hostname, network -----------------------------------------------------------------
host_name=$(hostname)
t_expect "hostname set" 0 "box" run 'hostname'
t_eq "host's hostname unchanged" "$(hostname)" "$host_name"
t_expect "new netns: only lo" 0 "[lo]" run \
	'echo [$(grep : /proc/net/dev | cut -d: -f1 | tr -d " ")]'
t_expect "new netns: lo is up" 0 "0x9" run 'cat /sys/class/net/lo/flags'
ip netns add "$NETNS"
ip -n "$NETNS" link set lo mtu 1234
t_expect "netns NAME: joined" 0 "1234" "$R" -n "ns:$NETNS" -m sysfs:/sys "$ROOT" -- \
	/bin/cat /sys/class/net/lo/mtu
t_expect "netns NAME: missing fails the start" 1 \
	"network namespace 'nsmissing$$' does not exist" "$R" -n "ns:nsmissing$$" "$ROOT"
t_expect "netns NAME: path-like name refused" 1 "not a plain name" "$R" -n "ns:../x" "$ROOT"
: >"$T/notns"
t_expect "netns NAME: not a namespace file" 1 "is not a namespace" "$R" -N "$T" -n ns:notns \
	"$ROOT"
host_ifs=$(grep -c : /proc/net/dev)
t_expect "host network: the host's interfaces" 0 "[$host_ifs]" "$R" -n host -m proc:/proc \
	"$ROOT" -- /bin/sh -c 'echo [$(grep -c : /proc/net/dev)]'

# --- hostile images and plans: refused with a clear error ---------------------------------
t_expect "symlink at a mount target: refused" 1 \
	"mount point '/trap' is or passes through a symlink (refused)" \
	"$R" -m bind:/trap:"$T/hostdir" "$ROOT"
t_expect "symlink in a parent of a target: refused" 1 \
	"mount point '/trapdir/sub' is or passes through a symlink (refused)" \
	"$R" -m tmpfs:/trapdir/sub:4096 "$ROOT"
t_expect "relative symlink at a target: refused" 1 "passes through a symlink" \
	"$R" -m proc:/trap-rel "$ROOT"
t_expect "symlinked resource dir: refused" 1 \
	"resource dir '/link' is or passes through a symlink" \
	"$R" -m resource:/res:"$RROOT":/link "$ROOT"
t_expect "relative symlinked resource dir: refused" 1 "passes through a symlink" \
	"$R" -m resource:/res:"$RROOT":/sharelink "$ROOT"
t_expect "resource dir with '..': refused" 1 "without '..'" \
	"$R" -m resource:/res:"$RROOT":/../../etc "$ROOT"
t_expect "missing resource dir: refused" 1 "resource dir '/nope' does not exist" \
	"$R" -m resource:/res:"$RROOT":/nope "$ROOT"
t_expect "missing bind host path: fails the start" 1 "host path '$T/nope' does not exist" \
	"$R" -m bind:/host:"$T/nope" "$ROOT"
t_expect "missing mount point in the image: refused" 1 "'/nope' does not exist in the image" \
	"$R" -m tmpfs:/nope:4096 "$ROOT"
t_expect "file onto directory: refused" 1 "is a directory, its source is not" \
	"$R" -m bind:/host:"$T/hostdir/file" "$ROOT"
t_expect "target with '..': refused" 1 "not a clean absolute path" \
	"$R" -m tmpfs:/tmp/../etc:4096 "$ROOT"
t_expect "duplicate target: refused" 1 "mount target '/tmp' appears twice" \
	"$R" -m tmpfs:/tmp:4096 -m proc:/tmp "$ROOT"
t_expect "tmpfs without size: refused" 1 "needs a size" "$R" -m tmpfs:/tmp:0 "$ROOT"
ln -s /etc "$T/data/planted"
t_expect "symlinked persist directory: refused" 1 "is a symlink or not a directory" \
	"$R" -m persist:/data:"$T/data/planted" "$ROOT"
t_expect "nested mounts: parents first, any order given" 0 "host" \
	"$R" -m bind:/tmp/in:"$T/hostdir" -m tmpfs:/tmp:65536 "$ROOT" -- /bin/cat /tmp/in/file
if ! [ -d /sys/fs/selinux ]; then
	# Without SELinux the kernel rejects context=, which shows the option is passed on.
	t_expect "SELinux mount context reaches the tmpfs" 1 "Unknown parameter 'context'" \
		"$R" -Z system_u:object_r:container_file_t:s0 -m tmpfs:/tmp:4096 "$ROOT"
fi
t_expect "refused in the host's mount namespace" 1 \
	"refusing to build a root in the host's mount namespace" \
	unshare $NS_UNSHARE_PROP -m -p -f sh -c "$NS_PRIVATE_MOUNTS"' && mount -t proc proc /proc && exec "$@"' sh \
		"$R" -H "$ROOT"

# --- escapes -----------------------------------------------------------------------------
t_expect "chroot escape (with CAP_SYS_CHROOT) fails" 0 "root unchanged, marker hidden" \
	"$R" -m dev:/dev "$ROOT" -- @escape /dev "$T/host-marker"
t_expect "old root gone: host paths unreachable" 1 "No such file" \
	"$R" "$ROOT" -- /bin/cat "$T/host-marker"
t_expect "/proc/1/exe not writable (root)" 0 "exe-write reopen: Text file busy" \
	"$R" -m proc:/proc "$ROOT" -- @exe-write
t_expect "/proc/1/exe not writable (uid 1000)" 0 "exe-write reopen: O_PATH: Permission denied" \
	"$R" -u 1000:1000 -m proc:/proc "$ROOT" -- @exe-write

# --- sockets: read-only directory, connect still works ---------------------------------------
python3 -c '
import os, socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1]); os.chmod(sys.argv[1], 0o777); s.listen(4)
open(sys.argv[1] + ".ready", "w").close()
time.sleep(20)' "$T/sockets/s" &
py=$!
i=0
while [ ! -e "$T/sockets/s.ready" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
t_expect "sockets: connect through the read-only bind" 0 "connected" \
	"$R" -u 1000:1000 -m sockets:/sock:"$T/sockets" "$ROOT" -- @connect /sock/s
t_expect "sockets: directory not writable" 1 "Read-only file system" \
	"$R" -m sockets:/sock:"$T/sockets" "$ROOT" -- /bin/touch /sock/new
kill $py 2>/dev/null
wait $py 2>/dev/null

# --- nothing left behind -------------------------------------------------------------------
cleanup
trap - EXIT INT TERM
t_eq "host mount propagation unchanged" "$(findmnt -n -o PROPAGATION /)" "$prop_before"
t_eq "no mount left behind" "$(count_mounts)" "$mounts_before"
t_eq "no mount under the test directory" "$(grep -c " $T" /proc/self/mountinfo)" 0
t_eq "no loop device left behind" "$(wait_loop_count "$loops_before" "$T")" "$loops_before"
t_done
