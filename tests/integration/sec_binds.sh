#!/bin/sh
# Issue 14, item 1: bind sources never follow a symlink a container could have planted.
# A container with a rw bind of a host directory replaces a subdirectory, which another
# bind of the same manifest uses as its source, by a symlink (to /, relative, a chain,
# in the last or a middle component); the next start is refused, naming the bind's host
# path and the link. The operator's own links (/lib on merged-usr hosts, a root-owned
# link in a root-owned directory) are still followed, and a root-owned link inside the
# container's writable directory is not. Nothing stays mounted.
. "$(dirname "$0")/../lib.sh"
. "$NS_TOP/tests/daemon_lib.sh"
daemon_init

# The tree lives below /run (root's, 0755): /tmp is writable by everyone, and no link
# below it is followed at all.
O=$(mktemp -d /run/ns-sec-binds.XXXXXX)
binds_cleanup() {
	rm -rf "$O"
	daemon_cleanup
}
trap binds_cleanup EXIT INT TERM
mkdir -p "$O/shared/sub" "$O/shared/mid/etc" "$O/real"
echo marker-sub >"$O/shared/sub/marker"
echo operator >"$O/real/marker"
ln -s real "$O/link"              # the operator's: root's, in a root-only directory
ln -s "$O/real" "$O/shared/rootl" # root's, but in a directory uid 1000 can write
ln -s "$O/real" "$T/tmplink"       # root's, below /tmp (writable by everyone, sticky)
chown -R 1000:1000 "$O/shared"
chown -h 0:0 "$O/shared/rootl"

manifest planter 0.0.1 <<EOF
init: /bin/sh
args: [-c, "cat /sub/marker"]
uid: 1000
gid: 1000
io:
  stdout: pipe
  stderr: pipe
mounts:
  /shared:
    type: bind
    host: $O/shared
    options: rw
  /sub:
    type: bind
    host: $O/shared/sub
  /mid:
    type: bind
    host: $O/shared/mid/etc
EOF
pack planter 0.0.1
manifest oplink 0.0.1 <<EOF
init: /bin/sh
args: [-c, "cat /op/marker && ls /hostlib >/dev/null"]
uid: 1000
gid: 1000
io:
  stdout: pipe
  stderr: pipe
mounts:
  /op:
    type: bind
    host: $O/link
  /hostlib:
    type: bind
    host: /lib
EOF
pack oplink 0.0.1
manifest victim 0.0.1 <<EOF
init: /bin/sh
args: [-c, "test -e /sub/marker && exit 0; test -e /sub/etc && exit 3; exit 4"]
uid: 1000
gid: 1000
mounts:
  /sub:
    type: bind
    host: $O/shared/sub
EOF
pack victim 0.0.1
manifest rootl 0.0.1 <<EOF
init: /bin/true
uid: 1000
gid: 1000
mounts:
  /op:
    type: bind
    host: $O/shared/rootl
EOF
pack rootl 0.0.1
sed "s|$O/shared/rootl|$T/tmplink|; s/^name: rootl/name: tmpl/" "$T/rootl-0.0.1.yaml" \
	>"$T/tmpl-0.0.1.yaml"
pack tmpl 0.0.1

# ours only: our_loops also counts the memfd loops of other daemons running beside us
t_loops() {
	n=0
	for f in /sys/block/loop*/loop/backing_file; do
		case $(cat "$f" 2>/dev/null) in "$T"/*) n=$((n + 1)) ;; esac
	done
	echo $n
}
t_loops_settled() { # autoclear detaches asynchronously
	i=0
	while [ "$(t_loops)" != 0 ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	t_loops
}
# ours: mounts under $T/run in the daemon's namespace, our loop devices, its children
t_leaks() {
	l=$(t_loops_settled)
	m=$(grep -c " $T/run/" "/proc/$DPID/mountinfo" 2>/dev/null)
	p=$(grep -l "^PPid:[[:space:]]*$DPID\$" /proc/[0-9]*/status 2>/dev/null | wc -l)
	echo "mounts=$m loops=$l children=$p"
}

write_config
# a cgroup of our own: helpers running beside us remove (and kill) "northstar-test"
sed -i "s/^cgroup: .*/cgroup: northstar-test-binds-$$/" "$T/northstar.yaml"
daemon_start || { t_fail "daemon starts" "$(cat "$T/log")"; t_done; exit 1; }
for n in planter oplink rootl tmpl victim; do
	C install "$T/$n-0.0.1.npk" default | grep -q '"ok"' || t_fail "install $n"
done

plant() { C run planter:0.0.1 --init /bin/sh --arg -c --arg "$1"; }
# refused NAME HOSTPATH NEEDLE: the next start fails, naming the host path and NEEDLE
refused() {
	r=$(C start planter:0.0.1)
	case $r in
	*"start_container_failed"*"host path '$2'"*"$3"*) t_ok "$1" ;;
	*) t_fail "$1" "$r" ;;
	esac
}
restore() {
	rm -rf "$O/shared/sub" "$O/shared/mid" "$O/shared/c1" "$O/shared/c2"
	mkdir -p "$O/shared/sub" "$O/shared/mid/etc"
	echo marker-sub >"$O/shared/sub/marker"
	chown -R 1000:1000 "$O/shared/sub" "$O/shared/mid"
}

t_eq "clean: the binds start" "$(plant 'cat /sub/marker | grep -q marker-sub')" \
	'{"exit":{"code":0}}'

# --- last component: /shared/sub -> / -------------------------------------------------------
t_eq "plant: sub -> /" "$(plant 'busybox rm -rf /shared/sub && busybox ln -s / /shared/sub')" \
	'{"exit":{"code":0}}'
refused "symlink as the last component: next start refused" "$O/shared/sub" \
	"'$O/shared/sub' is a symlink owned by uid 1000, not root (refused)"
restore

# --- a middle component: /shared/mid -> / (the bind is /shared/mid/etc) ---------------------
t_eq "plant: mid -> /" "$(plant 'busybox rm -rf /shared/mid && busybox ln -s / /shared/mid')" \
	'{"exit":{"code":0}}'
refused "symlink as a middle component: refused" "$O/shared/mid/etc" \
	"'$O/shared/mid' is a symlink owned by uid 1000"
restore

# --- relative, climbing out --------------------------------------------------------------------
t_eq "plant: mid -> ../../../../../.." \
	"$(plant 'busybox rm -rf /shared/mid && busybox ln -s ../../../../../.. /shared/mid')" \
	'{"exit":{"code":0}}'
refused "relative symlink: refused" "$O/shared/mid/etc" "'$O/shared/mid' is a symlink"
restore

# --- the last component in the container's own directory: mid/etc -> /etc -------------------
t_eq "plant: mid/etc -> /etc" \
	"$(plant 'busybox rmdir /shared/mid/etc && busybox ln -s /etc /shared/mid/etc')" \
	'{"exit":{"code":0}}'
refused "symlink in the container's own directory: refused" "$O/shared/mid/etc" \
	"'$O/shared/mid/etc' is a symlink owned by uid 1000"
restore

# --- a chain: mid -> c1 -> c2 -> / ---------------------------------------------------------------
t_eq "plant: a chain" "$(plant 'cd /shared && busybox rm -rf mid && busybox ln -s / c2 &&'\
' busybox ln -s c2 c1 && busybox ln -s c1 mid')" '{"exit":{"code":0}}'
refused "symlink chain: refused at its first link" "$O/shared/mid/etc" \
	"'$O/shared/mid' is a symlink owned by uid 1000"
restore
t_eq "restored: the binds start again" "$(plant 'cat /sub/marker | grep -q marker-sub')" \
	'{"exit":{"code":0}}'

# --- a race: the link comes and goes while another container starts ----------------------------
# planter swaps sub for a link to / and back as fast as it can; each start of victim
# (binding sub) must either see the real directory or be refused, never the host's root.
# A start that finds sub missing (between the mv and the ln) skips the bind (missing_binds:
# skip, the default) and runs without /sub: exit 4, not the host's root either.
swap='busybox mv sub sub.d; busybox ln -s / sub; busybox rm sub; busybox mv sub.d sub'
C start planter:0.0.1 --init /bin/sh --arg -c --arg "cd /shared && while :; do $swap; done" >/dev/null
ok=0 refused=0 skipped=0 bad=0 i=0
while [ $i -lt 30 ]; do
	r=$(C run victim:0.0.1)
	case $r in
	'{"exit":{"code":0}}') ok=$((ok + 1)) ;;
	'{"exit":{"code":4}}') skipped=$((skipped + 1)) ;;
	*"start_container_failed"*"host path '$O/shared/sub'"*) refused=$((refused + 1)) ;;
	*) bad=$((bad + 1)) && echo "  # $r" ;;
	esac
	i=$((i + 1))
done
C killwait planter:0.0.1 9 >/dev/null
t_eq "race: 30 starts while the link comes and goes, never the host's root ($ok bound, $refused refused, $skipped skipped while missing)" \
	"$bad" 0
restore

# --- the operator's links ------------------------------------------------------------------------
t_eq "the operator's symlink (root's, root-only directory) is followed" \
	"$(C run oplink:0.0.1 --init /bin/sh --arg -c --arg 'grep -q operator /op/marker')" \
	'{"exit":{"code":0}}'
if [ -L /lib ]; then
	t_eq "/lib (a merged-usr symlink) binds" \
		"$(C run oplink:0.0.1 --init /bin/sh --arg -c --arg 'ls /hostlib | grep -q .')" \
		'{"exit":{"code":0}}'
else
	t_skip "/lib (a merged-usr symlink) binds" "/lib is not a symlink on this host"
fi
r=$(C start rootl:0.0.1)
case $r in
*"start_container_failed"*"host path '$O/shared/rootl'"*"is a symlink below '$O/shared'"*)
	t_ok "a root-owned symlink in a container-writable directory: refused" ;;
*) t_fail "a root-owned symlink in a container-writable directory: refused" "$r" ;;
esac

C umount planter:0.0.1 oplink:0.0.1 rootl:0.0.1 tmpl:0.0.1 victim:0.0.1 >/dev/null
r=$(C start tmpl:0.0.1)
case $r in
*"start_container_failed"*"host path '$T/tmplink'"*"is a symlink below '/tmp'"*)
	t_ok "a root-owned symlink below /tmp (sticky, world-writable): refused" ;;
*) t_fail "a root-owned symlink below /tmp (sticky, world-writable): refused" "$r" ;;
esac

t_eq "refused starts leave nothing mounted or running" "$(t_leaks)" "mounts=0 loops=0 children=0"
daemon_stop
t_eq "no loop device left" "$(t_loops_settled)" 0
t_done
