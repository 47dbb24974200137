#!/bin/sh
# uninstall --wipe is crash-safe (issue 14, item 12): the persist directory is renamed to
# a tombstone in one step before anything is deleted, the delete runs in a helper the
# daemon reaps, and start-up finishes every tombstone a crash left before any container
# starts. A daemon killed during a wipe of 20,000 files never hands the next container
# of that name a single one of them.
. "$(dirname "$0")/../lib.sh"
. "$NS_TOP/tests/daemon_lib.sh"
daemon_init

manifest app 0.0.1 <<'EOF'
init: /bin/sh
args: [-c, "true"]
uid: 1000
gid: 1000
mounts:
  /data:
    type: persist
EOF
pack app 0.0.1
write_config
daemon_start || t_fail "start" "$(tail "$T/log")"
C install "$T/app-0.0.1.npk" default >/dev/null
run_sh() { C run app:0.0.1 --init /bin/sh --arg -c --arg "$1"; }
t_eq "persist: a container writes" "$(run_sh 'echo mine >/data/first')" '{"exit":{"code":0}}'

# 20,000 files, made here directly (a container would take minutes)
fill() {
	mkdir -p "$T/data/app/d1" "$T/data/app/d2"
	(cd "$T/data/app/d1" && seq 1 10000 | xargs touch) &&
		(cd "$T/data/app/d2" && seq 1 10000 | xargs touch)
}
fill
tombs() { find "$T/data" -maxdepth 1 -name '.wipe:*' | wc -l; }

# --- the wipe does not block the loop --------------------------------------------------
t0=$(date +%s%N)
t_eq "uninstall --wipe of 20,000 files answers" "$(C uninstall --wipe app:0.0.1)" \
	'{"response":{"uninstall":{"ok":{"container":"app:0.0.1"}}}}'
t1=$(date +%s%N)
# the helper keeps none of the daemon's descriptors (a console connection or a loop
# device held there would outlive the daemon's close of it): beyond 0, 1 and 2 only
# the directories of its walk
helper=$(grep -l "^PPid:[[:space:]]*$DPID\$" /proc/[0-9]*/status 2>/dev/null | head -1 | cut -d/ -f3)
foreign=""
for f in /proc/"$helper"/fd/*; do
	[ -n "$helper" ] || break
	n=${f##*/}
	l=$(readlink "$f" 2>/dev/null) || continue
	[ "$n" -le 2 ] && continue
	# (under a chroot whose / is no mount point the names carry the chroot's path)
	case $l in "$T/data" | "$T/data"/* | *"$T/data" | *"$T/data"/*) ;; *) foreign="$foreign $n:$l" ;; esac
done
if [ -n "$helper" ] && [ -d "/proc/$helper" ]; then
	t_eq "the helper holds none of the daemon's descriptors" "$foreign" ""
else
	t_skip "the helper holds none of the daemon's descriptors" "the helper was done before it was seen"
fi
t_run "the name is free at once" test ! -e "$T/data/app"
t_eq "the daemon answers while the helper deletes" "$(C list)" '{"response":{"list":[]}}'
echo "# uninstall --wipe answered in $(((t1 - t0) / 1000000)) ms"
i=0
while [ "$(tombs)" != 0 ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
t_eq "the helper deleted the tombstone" "$(tombs)" 0
t_run "the helper was reaped, its exit logged" log_wait "wipe \.wipe:[0-9a-f]{16}: exited with status 0" 5
t_eq "the helper is no child any more (reaped)" "$(leaks | sed 's/.*children=\([0-9]*\).*/\1/')" 0

# --- killed during the wipe -----------------------------------------------------------
C install "$T/app-0.0.1.npk" default >/dev/null
fill
# The client asks in the background; the daemon dies as soon as the wipe has begun:
# the directory renamed away or (a daemon that deletes in place) its first file gone.
C uninstall --wipe app:0.0.1 >/dev/null &
CPID=$!
# Polled for up to 10 s (a count of busy rounds ran out before the request arrived on
# a loaded machine); a delete of 20,000 files takes far longer than one 10 ms step.
i=0
while [ $i -lt 1000 ]; do
	[ ! -e "$T/data/app/d1/1" ] && [ ! -e "$T/data/app/d2/1" ] && break
	[ ! -e "$T/data/app" ] && break
	sleep 0.01
	i=$((i + 1))
done
kill -KILL "$DPID"
wait "$DPID" 2>/dev/null
DPID=""
wait $CPID 2>/dev/null
left=$(find "$T/data" -type f | wc -l)
echo "# killed with $left files left under data_dir, $(tombs) tombstone(s)"
t_run "killed mid-wipe: the name was already free" test ! -e "$T/data/app"

# a session client died with the daemon: a new one for the restarted daemon
exec 3>&- 4<&-
rm -f "$T/client.in" "$T/client.out"
session_start
t0=$(date +%s%N)
daemon_start || t_fail "restart" "$(tail "$T/log")"
t1=$(date +%s%N)
echo "# restart finishing the wipe took $(((t1 - t0) / 1000000)) ms"
t_eq "restart: the tombstone is gone" "$(tombs)" 0
t_eq "restart: no file of the wiped directory is left" "$(find "$T/data" -type f | wc -l)" 0
C install "$T/app-0.0.1.npk" default >/dev/null
t_eq "restart: the next container of that name sees an empty directory" \
	"$(run_sh '[ -z "$(ls -A /data)" ]')" '{"exit":{"code":0}}'

# --- never under a running container of that name ------------------------------------
sed 's/^version: 0.0.1/version: 0.0.2/' "$T/app-0.0.1.yaml" >"$T/app-0.0.2.yaml"
pack app 0.0.2
C install "$T/app-0.0.2.npk" default >/dev/null
C start app:0.0.1 --init /bin/sh --arg -c --arg 'echo mine >/data/keep; exec sleep 30' >/dev/null
i=0
while [ ! -e "$T/data/app/keep" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
t_eq "uninstall --wipe of another version while app:0.0.1 runs: busy, naming it" \
	"$(C uninstall --wipe app:0.0.2)" \
	'{"response":{"uninstall":{"error":{"container":"app:0.0.2","error":{"umount_busy":{"container":"app:0.0.1"}}}}}}'
t_eq "... the running container's data stays" "$(cat "$T/data/app/keep")" mine
t_eq "... and app:0.0.2 stays installed" "$(C list)" '{"response":{"list":["app:0.0.1","app:0.0.2"]}}'
C kill app:0.0.1 9 >/dev/null
i=0
while C inspect app:0.0.1 | grep -q '"process":{' && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
t_eq "once it stopped, the wipe goes" "$(C uninstall --wipe app:0.0.2)" \
	'{"response":{"uninstall":{"ok":{"container":"app:0.0.2"}}}}'
t_run "... and the data with it" test ! -e "$T/data/app/keep"
run_sh true >/dev/null # app's directory again, for the planted-link case below

# --- a crash state made by hand, with planted links -------------------------------------
mkdir -p "$T/victim" && echo precious >"$T/victim/file"
mkdir -p "$T/data/.wipe:00000000000000aa/deep/er"
touch "$T/data/.wipe:00000000000000aa/deep/er/f"
ln -s "$T/victim" "$T/data/.wipe:00000000000000aa/deep/link"
ln -s "$T/victim/file" "$T/data/.wipe:00000000000000aa/file-link"
ln -s "$T/victim" "$T/data/.wipe:00000000000000bb"
daemon_stop
daemon_start || t_fail "restart 2" "$(tail "$T/log")"
t_eq "hand-made tombstones finished at start-up" "$(tombs)" 0
t_run "finishing them is logged" grep -q "Finishing the wipe of $T/data/.wipe:00000000000000aa" "$T/log"
t_eq "the links' targets are untouched" "$(cat "$T/victim/file")" precious
t_run "the persist dir of app is untouched" test -d "$T/data/app"

# --- the tombstone name cannot be a container's ---------------------------------------
manifest colon 0.0.1 <<'EOF'
uid: 1000
gid: 1000
EOF
sed -i 's/^name: colon/name: .wipe:0000000000000001/' "$T/colon-0.0.1.yaml"
t_run "a container named like a tombstone cannot be packed" \
	sh -c "! '$NS_BIN' sextant pack -m '$T/colon-0.0.1.yaml' -r '$T/root' -k '$T/test.key' -o '$T/colon.npk' 2>/dev/null"

daemon_stop
t_eq "no loop device left" "$(our_loops)" 0
t_done
