#!/bin/sh
# Security findings of issue 14 on repositories:
# - item 3: a container from a keyed repository mounts resources only from repositories
#   verified with its key or listed in its `trust`; an unsigned or foreign-key candidate
#   is passed over, and when none is left the start error names each one and why;
# - item 9: concurrent installs cannot overrun capacity_num or capacity_size (each
#   install reserves its place and its announced size when it begins);
# - the manifest limits (bytes, YAML nodes) at install, and an inspect answer at the
#   limit read by nstar.
. "$(dirname "$0")/../lib.sh"
. "$NS_TOP/tests/daemon_lib.sh"
daemon_init

# --- NPKs ----------------------------------------------------------------------------
"$NS_BIN" sextant gen-key -n other -o "$T" >/dev/null
"$NS_BIN" sextant gen-key -n third -o "$T" >/dev/null
cp "$T/test.pub" "$T/copy.pub" # the same key under another path: bytes are compared

# lib VERSION KEY|none: a resource whose /share/version names it
lib() {
	mkdir -p "$T/lib-$1/share"
	echo "lib $1" >"$T/lib-$1/share/version"
	printf 'name: lib\nversion: %s\nuid: 1000\ngid: 1000\n' "$1" >"$T/lib-$1.yaml"
	if [ "$2" = none ]; then
		"$NS_BIN" sextant pack -m "$T/lib-$1.yaml" -r "$T/lib-$1" -o "$T/lib-$1.npk" >/dev/null
	else
		"$NS_BIN" sextant pack -m "$T/lib-$1.yaml" -r "$T/lib-$1" -k "$T/$2.key" \
			-o "$T/lib-$1.npk" >/dev/null
	fi
}
lib 1.0.0 test
lib 2.0.0 test
lib 5.0.0 other
lib 6.0.0 third
lib 9.9.9 none
lib 10.0.0 none
for n in app plainapp; do
	manifest $n 0.0.1 <<'EOF'
init: /bin/sh
args: [-c, "cat /lib/version"]
uid: 1000
gid: 1000
mounts:
  /lib:
    type: resource
    name: lib
    version: ">=1.0"
    dir: /share
EOF
done
pack app 0.0.1
"$NS_BIN" sextant pack -m "$T/plainapp-0.0.1.yaml" -r "$T/root" -o "$T/plainapp-0.0.1.npk" >/dev/null

# signed: the keyed repository of the container; unsigned: no key; samekey: the same
# key (another file); otherkey: another key, not trusted; trusted: another key, listed
trust_config() {
	cat >"$T/northstar.yaml" <<EOF
run_dir: $T/run
data_dir: $T/data
socket_dir: $T/sockets
cgroup: ns-sec-repo-$$
console:
  global:
    bind: unix://$T/console
    permissions: full
repositories:
  signed:
    type:
      fs:
        dir: $T/repo
    key: $T/test.pub
    verity: userspace
    trust: [trusted]
  unsigned:
    type: mem
  samekey:
    type: mem
    key: $T/copy.pub
    verity: userspace
  otherkey:
    type: mem
    key: $T/other.pub
    verity: userspace
  trusted:
    type: mem
    key: $T/third.pub
    verity: userspace
EOF
}
trust_config
daemon_start || { t_fail "daemon starts" "$(cat "$T/log")"; t_done; exit 1; }

# mounts, loop devices on our files and temporary files (other helpers' daemons have
# loop devices on memfds of the same name)
left() {
	lo=0
	for f in /sys/block/loop*/loop/backing_file; do
		case $(cat "$f" 2>/dev/null) in "$T"/*) lo=$((lo + 1)) ;; esac
	done
	echo "mounts=$(grep -c " $T/run/" "/proc/$DPID/mountinfo") loops=$lo" \
		"tmpfiles=$(find "$T/repo" "$T/tiny" -name '.install-*' 2>/dev/null | wc -l)"
}
inst() { C install "$T/$1.npk" "$2" | grep -q '"ok"' || t_fail "install $1 into $2"; }
# uses ID VERSION: the container runs and sees lib VERSION at /lib
uses() {
	C run "$1" --init /bin/sh --arg -c --arg "grep -qx 'lib $2' /lib/version"
}
inst app-0.0.1 signed
inst lib-1.0.0 signed
inst lib-9.9.9 unsigned

# --- item 3: which candidates a keyed container may mount -------------------------------
t_eq "keyed container: the unsigned lib:9.9.9 is passed over, the signed lib:1.0.0 used" \
	"$(uses app:0.0.1 1.0.0)" '{"exit":{"code":0}}'
t_run "the pass-over is logged, naming the candidate and why" grep -qF \
	"resource lib (>=1.0): lib:9.9.9 in repository 'unsigned' passed over: not verified with a key trusted by 'signed' (the repository has no key); lib:1.0.0 is used" \
	"$T/log"
inst lib-5.0.0 otherkey
t_eq "a keyed repository with another key is passed over too" \
	"$(uses app:0.0.1 1.0.0)" '{"exit":{"code":0}}'
inst lib-2.0.0 samekey
t_eq "a repository with the same key under another name (and key file) is trusted" \
	"$(uses app:0.0.1 2.0.0)" '{"exit":{"code":0}}'
inst lib-6.0.0 trusted
t_eq "a repository in the 'trust' list is trusted" "$(uses app:0.0.1 6.0.0)" '{"exit":{"code":0}}'
t_eq "same name and version in a second repository: refused at install" \
	"$(C install "$T/lib-1.0.0.npk" unsigned)" \
	'{"response":{"install":{"error":{"error":{"install_duplicate":{"container":"lib:1.0.0"}}}}}}'

# only untrusted candidates left: the start fails and says why for each
C uninstall lib:6.0.0 >/dev/null
C uninstall lib:2.0.0 >/dev/null
C uninstall lib:1.0.0 >/dev/null
before=$(left) # app stays mounted after its runs
want="resource lib (>=1.0): lib:9.9.9 in repository 'unsigned' passed over: not verified with a key trusted by 'signed' (the repository has no key); lib:5.0.0 in repository 'otherkey' passed over: not verified with a key trusted by 'signed' (another key, and not in its 'trust' list)"
t_eq "no trusted candidate: start_container_failed naming each candidate passed over" \
	"$(C start app:0.0.1)" \
	"{\"response\":{\"start\":{\"error\":{\"container\":\"app:0.0.1\",\"error\":{\"start_container_failed\":{\"container\":\"app:0.0.1\",\"error\":\"$want\"}}}}}}"
t_expect "nstar start: the same text, exit status 1" 1 "$want" \
	"$NS_BIN" nstar -u "unix://$T/console" start app:0.0.1
t_eq "the refused start left nothing mounted" "$(left)" "$before"
t_eq "... and nothing running" "$(C list)" \
	'{"response":{"list":["app:0.0.1","lib:9.9.9","lib:5.0.0"]}}'

# a container of an unkeyed repository keeps Northstar's choice: any repository
inst plainapp-0.0.1 unsigned
inst lib-1.0.0 signed
t_eq "unkeyed container: the highest candidate of any repository (lib:9.9.9)" \
	"$(uses plainapp:0.0.1 9.9.9)" '{"exit":{"code":0}}'

# a resource installed while the container runs changes nothing, then or at its next start
C start app:0.0.1 --init /bin/sh --arg -c --arg "sleep 30" >/dev/null
inst lib-10.0.0 unsigned
t_eq "lib:10.0.0 installed while app runs: not in use by it (uninstall works)" \
	"$(C uninstall lib:10.0.0)" '{"response":{"uninstall":{"ok":{"container":"lib:10.0.0"}}}}'
inst lib-10.0.0 unsigned
t_eq "app's resource lib:1.0.0 is busy while it runs" "$(C uninstall lib:1.0.0)" \
	'{"response":{"uninstall":{"error":{"container":"lib:1.0.0","error":{"umount_busy":{"container":"app:0.0.1"}}}}}}'
C killwait app:0.0.1 9 >/dev/null
t_eq "next start: still the signed lib:1.0.0" "$(uses app:0.0.1 1.0.0)" '{"exit":{"code":0}}'
daemon_stop
t_eq "daemon stops" "$?" 0

# an unsigned copy of lib:1.0.0 in an fs repository listed before the keyed one wins the
# start-up scan (a name and version is installed once): the keyed container fails closed
mkdir -p "$T/early"
"$NS_BIN" sextant pack -m "$T/lib-1.0.0.yaml" -r "$T/lib-9.9.9" -o "$T/early/lib.npk" >/dev/null
cp "$T/northstar.yaml" "$T/trust.yaml"
sed -i "s|^repositories:|repositories:\n  early:\n    type:\n      fs:\n        dir: $T/early|" \
	"$T/northstar.yaml"
daemon_start || t_fail "daemon starts with an unkeyed repository first" "$(tail "$T/log")"
t_run "start-up: the signed lib:1.0.0 is skipped, a duplicate of the unsigned copy" \
	grep -qF "repository signed: skipping lib:1.0.0.npk: lib:1.0.0 is already installed" "$T/log"
t_eq "... the keyed container does not get the unsigned copy: its start fails, naming it" \
	"$(C start app:0.0.1 | grep -c "lib:1.0.0 in repository 'early' passed over: not verified with a key trusted by 'signed' (the repository has no key)")" 1
daemon_stop
cp "$T/trust.yaml" "$T/northstar.yaml"

# --- item 3: the trust list is checked at load -------------------------------------------
# check_config NAME NEEDLE SED: the configuration with SED applied is refused by --check
check_config() {
	sed "$3" "$T/northstar.yaml" >"$T/bad.yaml"
	t_expect "$1" 1 "$2" "$NS_BIN" northstard -c "$T/bad.yaml" --check
}
t_expect "--check: the trust configuration is valid" 0 "ok" \
	"$NS_BIN" northstard -c "$T/northstar.yaml" --check
line=$(grep -n 'trust: \[trusted\]' "$T/northstar.yaml" | cut -d: -f1)
check_config "--check: an unkeyed repository in a trust list, refused at file:line:column" \
	"$T/bad.yaml:$line:13: signed: trust: repository 'unsigned' has no key: a repository without a key can never be trusted" \
	's/trust: \[trusted\]/trust: [unsigned]/'
check_config "--check: an unknown repository in a trust list" \
	"$T/bad.yaml:$line:22: signed: trust: repository 'nope' is not a configured repository" \
	's/trust: \[trusted\]/trust: [trusted, nope]/'
check_config "--check: a trust list that is not a list" \
	"$T/bad.yaml:$line:12: trust: expected a sequence" 's/trust: \[trusted\]/trust: trusted/'
sed "/^  unsigned:/a\\    trust: [signed]" "$T/northstar.yaml" >"$T/bad.yaml"
t_expect "--check: trust given to an unkeyed repository is refused" 1 \
	"unsigned: trust: needs a 'key'" "$NS_BIN" northstard -c "$T/bad.yaml" --check
t_expect "the daemon refuses to start with it" 1 "unsigned: trust: needs a 'key'" \
	"$NS_BIN" northstard -c "$T/bad.yaml"

# --- item 9: capacity is reserved when an install begins -----------------------------------
# conc.py SOCKET REPOSITORY NPK...: one connection per NPK; every install request is sent
# (and so begun) before any NPK's bytes; prints each answer, one line each, in order.
# conc.py SOCKET REPOSITORY NPK --drop: sends the request and half the bytes, then closes.
cat >"$T/conc.py" <<'EOF'
import json, socket, sys, time
sock, repo, npks = sys.argv[1], sys.argv[2], [a for a in sys.argv[3:] if a != "--drop"]
def conn():
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(20)
    s.connect(sock)
    s.sendall(b'{"connect":{"version":"0.9.3","subscribe_notifications":false}}\n')
    f = s.makefile("rb")
    f.readline()
    return s, f
cs = []
for n in npks:
    s, f = conn()
    data = open(n, "rb").read()
    req = {"request": {"install": {"repository": repo, "size": len(data)}}}
    s.sendall(json.dumps(req).encode() + b"\n")
    cs.append((s, f, data))
time.sleep(0.3)
if "--drop" in sys.argv:
    s, f, data = cs[0]
    s.sendall(data[: len(data) // 2])
    time.sleep(0.2)
    s.close()
    sys.exit(0)
for s, f, data in cs:
    s.sendall(data)
for s, f, data in cs:
    print(f.readline().decode().strip())
EOF
conc() { python3 "$T/conc.py" "$T/console" "$@"; }
for i in 1 2 3 4 5 6 7 8; do
	manifest cap$i 0.0.1 <<'EOF'
uid: 1000
gid: 1000
EOF
	pack cap$i 0.0.1 "$T/lib-1.0.0"
done
size=$(stat -c %s "$T/cap1-0.0.1.npk")
cap=$((size + size / 2))
write_config "  one:
    type: mem
    capacity_num: 1
  tiny:
    type:
      fs:
        dir: $T/tiny
    capacity_size: $cap"
sed -i "s/^cgroup: .*/cgroup: ns-sec-repo-$$/" "$T/northstar.yaml"
daemon_start || { t_fail "daemon starts" "$(cat "$T/log")"; t_done; exit 1; }
before=$(left)

# oks ANSWERS: how many installs succeeded
oks() { printf '%s\n' "$1" | grep -c '"ok"'; }
r=$(conc one "$T/cap1-0.0.1.npk" "$T/cap2-0.0.1.npk" "$T/cap3-0.0.1.npk")
t_eq "capacity_num 1, three concurrent installs: one succeeds" "$(oks "$r")" 1
t_eq "... the two others are refused at their begin, naming the install under way" \
	"$(printf '%s\n' "$r" | grep -c 'max number of containers reached (1: 0 installed, 1 being installed)')" 2
t_eq "... one container installed" "$(C list | grep -o 'cap[0-9]' | wc -l)" 1
r=$(conc tiny "$T/cap4-0.0.1.npk" "$T/cap5-0.0.1.npk" "$T/cap6-0.0.1.npk")
t_eq "capacity_size for one NPK, three concurrent installs: one succeeds" "$(oks "$r")" 1
t_eq "... the two others are refused, naming the bytes reserved" \
	"$(printf '%s\n' "$r" | grep -c "size limit reached ($size of $cap bytes used, $size of them by installs under way, $size more asked for)")" 2
t_eq "... one NPK file in the repository directory, no temporary file" \
	"$(ls -A "$T/tiny" | wc -l) $(ls -A "$T/tiny" | grep -c '^\.install-')" "1 0"
t_eq "nothing left behind" "$(left)" "$before"

# failures release their reservation
for id in $(C list | grep -o 'cap[0-9]:0.0.1'); do C uninstall "$id" >/dev/null; done
conc tiny "$T/cap1-0.0.1.npk" --drop
wait_until 10 '[ "$(ls -A "$T/tiny" | wc -l)" = 0 ]'
t_eq "client gone in the middle of an install: its temporary file is removed" \
	"$(ls -A "$T/tiny" | wc -l)" 0
t_eq "... and its reservation released: the next install succeeds" \
	"$(C install "$T/cap2-0.0.1.npk" tiny)" '{"response":{"install":{"ok":{"container":"cap2:0.0.1"}}}}'
C uninstall cap2:0.0.1 >/dev/null
head -c "$size" /dev/zero >"$T/zero.npk"
r=$(conc one "$T/zero.npk")
case $r in
*'"unexpected"'*) t_ok "a broken NPK is refused at the end of its install" ;;
*) t_fail "a broken NPK is refused at the end of its install" "$r" ;;
esac
t_eq "... its reservation released: the next install succeeds" \
	"$(C install "$T/cap7-0.0.1.npk" one)" '{"response":{"install":{"ok":{"container":"cap7:0.0.1"}}}}'
t_eq "a duplicate fails at its end" "$(C install "$T/cap7-0.0.1.npk" tiny)" \
	'{"response":{"install":{"error":{"error":{"install_duplicate":{"container":"cap7:0.0.1"}}}}}}'
t_eq "... and releases its reservation: the next install succeeds" \
	"$(C install "$T/cap8-0.0.1.npk" tiny)" '{"response":{"install":{"ok":{"container":"cap8:0.0.1"}}}}'
t_eq "installed usage still counts: a second NPK does not fit" \
	"$(C install "$T/cap5-0.0.1.npk" tiny | grep -c "size limit reached ($size of $cap bytes used, 0 of them")" 1
t_eq "nothing left behind (no temporary file, mount or loop device)" "$(left)" "$before"
daemon_stop
t_eq "daemon stops" "$?" 0

# --- manifest limits: 64 KiB of text and 4096 YAML nodes -----------------------------------
# bigman NAME N: a manifest whose custom holds N integers; HEAD (name, version, uid, gid)
# and the custom pair make 11 nodes more
bigman() {
	python3 -c 'import sys
print("name: %s\nversion: 0.0.1\nuid: 1000\ngid: 1000\ncustom: [%s]" % (sys.argv[1], ",".join(["1"] * int(sys.argv[2]))))' "$1" "$2" >"$T/$1.yaml"
}
bigman atlimit 4085
bigman overnodes 4086
bigman attack 330000 # the finding: 660 KB of custom elements, signed
asize=$(stat -c %s "$T/attack.yaml")
t_run "sextant pack: a manifest at the limits is packed" \
	"$NS_BIN" sextant pack -m "$T/atlimit.yaml" -r "$T/lib-1.0.0" -k "$T/test.key" -o "$T/atlimit.npk"
t_expect "sextant pack: one node over the limit, refused naming value and limit" 1 \
	"$T/overnodes.yaml: 4097 YAML nodes, more than a manifest may have (4096)" \
	"$NS_BIN" sextant pack -m "$T/overnodes.yaml" -r "$T/lib-1.0.0" -k "$T/test.key" -o "$T/x.npk"
t_expect "sextant pack: the 660 KB manifest refused by its size" 1 \
	"$T/attack.yaml: $asize bytes, more than a manifest may have (65536)" \
	"$NS_BIN" sextant pack -m "$T/attack.yaml" -r "$T/lib-1.0.0" -k "$T/test.key" -o "$T/x.npk"
# signed NPKs over the limits, packed by the independent packer
mksquashfs "$T/lib-1.0.0" "$T/lib.sqfs" -quiet -noappend -all-root >/dev/null
for n in overnodes attack; do
	python3 "$NS_TOP/tests/npk_ref.py" pack --manifest "$T/$n.yaml" --image "$T/lib.sqfs" \
		--out "$T/$n.npk" --key "$T/test.key"
done
write_config
sed -i "s/^cgroup: .*/cgroup: ns-sec-repo-$$/" "$T/northstar.yaml"
daemon_start || { t_fail "daemon starts" "$(cat "$T/log")"; t_done; exit 1; }
before=$(left)
rss() { awk '/^VmRSS/ {print $2}' "/proc/$DPID/status"; }
rss0=$(rss)
r=$(C install "$T/overnodes.npk" default)
case $r in
*"manifest.yaml: 4097 YAML nodes, more than a manifest may have (4096)"*) t_ok "install: a signed manifest one node over the limit is refused, naming both" ;;
*) t_fail "install: a signed manifest one node over the limit is refused, naming both" "$r" ;;
esac
r=$(C install "$T/attack.npk" default)
case $r in
*"manifest.yaml: $asize bytes, more than a manifest may have (65536)"*) t_ok "install: the signed 660 KB manifest is refused by its size" ;;
*) t_fail "install: the signed 660 KB manifest is refused by its size" "$r" ;;
esac
t_eq "... nothing installed, nothing left" "$(C list | grep -c 'overnodes\|attack') $(left)" "0 $before"
t_eq "install: a manifest at the limits" "$(C install "$T/atlimit.npk" default)" \
	'{"response":{"install":{"ok":{"container":"atlimit:0.0.1"}}}}'
rss1=$(rss)
echo "# daemon RSS: ${rss0} KiB before, ${rss1} KiB with the manifest at the limits installed"
t_run "... costs the daemon less than 4 MiB" test $((rss1 - rss0)) -lt 4096
out=$("$NS_BIN" nstar -u "unix://$T/console" inspect atlimit:0.0.1 2>&1)
t_eq "nstar inspect reads the answer at the limits (exit status)" "$?" 0
t_eq "... with all 4085 custom elements" \
	"$(printf '%s' "$out" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["manifest"]["custom"]))' 2>&1)" 4085
out=$("$NS_BIN" nstar -u "unix://$T/console" -j inspect atlimit:0.0.1 2>&1)
t_eq "nstar -j inspect too" "$?" 0
daemon_stop
t_eq "daemon stops" "$?" 0

t_done
