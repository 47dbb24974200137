#!/bin/sh
# northstard's mounts seen from inside a container: every mount type with its flags,
# persist data across container and daemon restarts, resources (the highest matching
# version, busy while used, missing ones and missing dirs refused), and mount targets
# or resource dirs that are symlinks in the image refused. No failure leaves a mount.
. "$(dirname "$0")/../lib.sh"
. "$NS_TOP/tests/daemon_lib.sh"
daemon_init

mkdir -p "$T/host/sub" "$T/hostrw"
echo host-file >"$T/host/file"
manifest app 0.0.1 <<EOF
init: /bin/sh
args: [-c, "cat /proc/self/mountinfo"]
uid: 1000
gid: 1000
io:
  stdout: pipe
  stderr: pipe
mounts:
  /proc:
    type: proc
  /sys:
    type: sysfs
  /dev:
    type: dev
  /tmp:
    type: tmpfs
    size: 1048576
  /data:
    type: persist
  /host:
    type: bind
    host: $T/host
  /hostrw:
    type: bind
    host: $T/hostrw
    options: rw,nodev,noexec
  /res:
    type: resource
    name: res
    version: ">=0.0.1"
    dir: /share
  /resx:
    type: resource
    name: res
    version: ">=0.0.1"
    dir: /share
    options: noexec
  /sock:
    type: sockets
EOF
pack app 0.0.1
for v in 0.0.1 0.0.2 1.0.0; do
	mkdir -p "$T/res-$v/share"
	echo "resource $v" >"$T/res-$v/share/version"
	manifest res $v <<'EOF'
uid: 1000
gid: 1000
EOF
	pack res $v "$T/res-$v"
done
# needs a resource nobody has, and a dir the resource lacks
manifest needy 0.0.1 <<'EOF'
init: /bin/sh
uid: 1000
gid: 1000
mounts:
  /x:
    type: resource
    name: nores
    version: ^1.0
    dir: /
EOF
pack needy 0.0.1
manifest nodir 0.0.1 <<'EOF'
init: /bin/sh
uid: 1000
gid: 1000
mounts:
  /x:
    type: resource
    name: res
    version: "<1"
    dir: /missing
EOF
pack nodir 0.0.1
# hostile images, packed by the independent packer so sextant cannot fix them up
mkdir -p "$T/evil/bin" "$T/evil/proc"
cp "$BUSYBOX" "$T/evil/bin/busybox"
ln -s /etc "$T/evil/trap"
mkdir -p "$T/evil/etc2"
ln -s /etc2 "$T/evil/parent"
ln -s /etc "$T/evil/link"
mksquashfs "$T/evil" "$T/evil.sqfs" -quiet -noappend -all-root >/dev/null
evil() { # NAME MOUNTS-YAML
	printf 'name: %s\nversion: 0.0.1\ninit: /bin/busybox\nargs: [true]\nuid: 1000\ngid: 1000\nmounts:\n%s\n' \
		"$1" "$2" >"$T/$1.yaml"
	python3 "$NS_TOP/tests/npk_ref.py" pack --manifest "$T/$1.yaml" --image "$T/evil.sqfs" \
		--out "$T/$1.npk" --key "$T/test.key"
}
evil trap '  /trap:
    type: tmpfs
    size: 4096'
evil parent '  /parent/sub:
    type: tmpfs
    size: 4096'
evil reslink '  /proc:
    type: resource
    name: evil-res
    version: "*"
    dir: /link'
sed 's/^name: trap/name: evil-res/; /^init/d; /^args/d; /^mounts/,$d' "$T/trap.yaml" >"$T/evil-res.yaml"
python3 "$NS_TOP/tests/npk_ref.py" pack --manifest "$T/evil-res.yaml" --image "$T/evil.sqfs" \
	--out "$T/evil-res.npk" --key "$T/test.key"

write_config
daemon_start || { t_fail "daemon starts" "$(cat "$T/log")"; t_done; exit 1; }
before=$(leaks)
for n in app-0.0.1 res-0.0.1 res-0.0.2 res-1.0.0 needy-0.0.1 nodir-0.0.1 trap parent reslink evil-res; do
	C install "$T/$n.npk" default | grep -q '"ok"' || t_fail "install $n"
done

# --- every mount type and its flags ------------------------------------------------------
t_eq "app runs" "$(C run app:0.0.1)" '{"exit":{"code":0}}'
grep "app:0.0.1: " "$T/log" | sed 's/.*app:0.0.1: //' >"$T/mi"
mopts() { awk -v mp="$1" '$5 == mp { print $6 }' "$T/mi"; }
flags_are() {
	got=""
	for f in ro rw nosuid nodev noexec; do
		case ",$2," in *",$f,"*) got="$got$f," ;; esac
	done
	t_eq "$1" "${got%,}" "$3"
}
flags_are "root: ro,nosuid,nodev" "$(mopts /)" "ro,nosuid,nodev"
flags_are "bind: ro,nosuid by default" "$(mopts /host)" "ro,nosuid"
flags_are "bind rw,nodev,noexec" "$(mopts /hostrw)" "rw,nosuid,nodev,noexec"
flags_are "persist: rw,nosuid,nodev,noexec" "$(mopts /data)" "rw,nosuid,nodev,noexec"
flags_are "proc: ro,nosuid,nodev,noexec" "$(mopts /proc)" "ro,nosuid,nodev,noexec"
flags_are "sysfs: ro,nosuid,nodev,noexec" "$(mopts /sys)" "ro,nosuid,nodev,noexec"
flags_are "tmpfs: rw,nosuid,nodev,noexec" "$(mopts /tmp)" "rw,nosuid,nodev,noexec"
flags_are "dev: ro,nosuid,nodev,noexec" "$(mopts /dev)" "ro,nosuid,nodev,noexec"
flags_are "resource: ro,nosuid,nodev" "$(mopts /res)" "ro,nosuid,nodev"
flags_are "resource noexec" "$(mopts /resx)" "ro,nosuid,nodev,noexec"
flags_are "sockets: ro,nosuid,nodev,noexec" "$(mopts /sock)" "ro,nosuid,nodev,noexec"
t_run "tmpfs: size" grep -q " /tmp .* tmpfs .*size=1024k" "$T/mi"
t_run "proc's source is proc, as mount(8) and Northstar name it" grep -qE " / /proc ro,[^-]* - proc proc " "$T/mi"
t_run "sysfs's source is sysfs" grep -qE " / /sys ro,[^-]* - sysfs sysfs " "$T/mi"
t_run "tmpfs's source is tmpfs" grep -qE " / /tmp rw,[^-]* - tmpfs tmpfs " "$T/mi"
t_run "/proc masked (kcore or keys)" grep -qE " /proc/(kcore|keys) " "$T/mi"

run_sh() { C run app:0.0.1 --init /bin/sh --arg -c --arg "$1"; }
t_eq "bind: host content" "$(run_sh 'cat /host/file | grep -q host-file')" '{"exit":{"code":0}}'
t_eq "bind: read-only" "$(run_sh 'touch /host/x')" '{"exit":{"code":1}}'
t_eq "tmpfs: mode 1777" "$(run_sh '[ $(stat -c %a /tmp) = 1777 ]')" '{"exit":{"code":0}}'
t_eq "resource: the highest matching version (1.0.0)" \
	"$(run_sh 'grep -q "resource 1.0.0" /res/version')" '{"exit":{"code":0}}'
t_eq "hostname is the container name" "$(run_sh '[ $(hostname) = app ]')" '{"exit":{"code":0}}'

# --- persist across container and daemon restarts ----------------------------------------
t_eq "persist: write" "$(run_sh 'echo kept >/data/file')" '{"exit":{"code":0}}'
t_eq "persist: 0700, owned by the container" "$(stat -c '%a %u:%g' "$T/data/app")" "700 1000:1000"
t_eq "persist: survives a container restart" "$(run_sh 'grep -q kept /data/file')" \
	'{"exit":{"code":0}}'
daemon_stop
daemon_start || t_fail "restart" "$(tail "$T/log")"
t_eq "persist: survives a daemon restart" "$(run_sh 'grep -q kept /data/file')" \
	'{"exit":{"code":0}}'
# planted symlinks: inside the persist dir (by the container), and in place of it
mkdir -p "$T/victim" && echo precious >"$T/victim/file"
t_eq "persist: the container plants a link" "$(run_sh "ln -s $T/victim /data/link")" \
	'{"exit":{"code":0}}'
mv "$T/data/app" "$T/data-app.saved"
ln -s "$T/victim" "$T/data/app"
r=$(C start app:0.0.1)
case $r in
*"start_container_failed"*"is a symlink or not a directory (refused)"*) t_ok "persist: a symlink in its place is refused" ;;
*) t_fail "persist: a symlink in its place is refused" "$r" ;;
esac
t_eq "persist: the link's target untouched" "$(stat -c '%a %u' "$T/victim")" "$(stat -c '%a %u' "$T/host")"
rm "$T/data/app"
mv "$T/data-app.saved" "$T/data/app"

# --- resources: busy while used ----------------------------------------------------------
C start app:0.0.1 --init /bin/sh --arg -c --arg 'exec sleep 100' >/dev/null
t_eq "umount an in-use resource: busy, naming the user" "$(C umount res:1.0.0)" \
	'{"response":{"umount":[{"error":{"container":"res:1.0.0","error":{"umount_busy":{"container":"app:0.0.1"}}}}]}}'
t_eq "uninstall an in-use resource: busy" "$(C uninstall res:1.0.0)" \
	'{"response":{"uninstall":{"error":{"container":"res:1.0.0","error":{"umount_busy":{"container":"app:0.0.1"}}}}}}'
t_eq "a version never mounted: busy (as Northstar)" "$(C umount res:0.0.2)" \
	'{"response":{"umount":[{"error":{"container":"res:0.0.2","error":{"umount_busy":{"container":"res:0.0.2"}}}}]}}'
C killwait app:0.0.1 9 >/dev/null
t_eq "after the exit: umount works" "$(C umount res:1.0.0 app:0.0.1)" \
	'{"response":{"umount":[{"ok":{"container":"res:1.0.0"}},{"ok":{"container":"app:0.0.1"}}]}}'
t_eq "start mounts the resource again" "$(C run app:0.0.1)" '{"exit":{"code":0}}'
C umount res:1.0.0 app:0.0.1 >/dev/null

# --- failures leave nothing mounted ---------------------------------------------------------
t_eq "missing resource" "$(C start needy:0.0.1)" \
	'{"response":{"start":{"error":{"container":"needy:0.0.1","error":{"start_container_missing_resource":{"container":"needy:0.0.1","resource":"nores","version":"^1.0"}}}}}}'
t_eq "missing resource dir" "$(C start nodir:0.0.1)" \
	'{"response":{"start":{"error":{"container":"nodir:0.0.1","error":{"start_container_missing_resource":{"container":"nodir:0.0.1","resource":"res","version":"<1"}}}}}}'
r=$(C start trap:0.0.1)
case $r in
*"start_container_failed"*"'/trap' is or passes through a symlink (refused)"*) t_ok "symlinked mount target refused" ;;
*) t_fail "symlinked mount target refused" "$r" ;;
esac
r=$(C start parent:0.0.1)
case $r in
*"start_container_failed"*"symlink (refused)"*) t_ok "mount target below a symlinked dir refused" ;;
*) t_fail "mount target below a symlinked dir refused" "$r" ;;
esac
r=$(C start reslink:0.0.1)
case $r in
*"start_container_failed"*"/link"*) t_ok "symlinked resource dir refused" ;;
*) t_fail "symlinked resource dir refused" "$r" ;;
esac
t_run "host /etc untouched" sh -c "! grep -q ' /etc ' /proc/$DPID/mountinfo"
t_eq "failed starts leave nothing mounted or running" "$(leaks)" "$before"
# wipe: the link planted in the persist dir goes, its target stays
t_eq "uninstall --wipe" "$(C uninstall --wipe app:0.0.1)" \
	'{"response":{"uninstall":{"ok":{"container":"app:0.0.1"}}}}'
t_run "wipe: the persist dir is gone" test ! -e "$T/data/app"
t_eq "wipe: the planted link's target untouched" "$(cat "$T/victim/file")" precious
daemon_stop
t_eq "no loop device left" "$(our_loops)" 0
t_done
