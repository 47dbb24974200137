#!/bin/sh
# nstar end to end against tests/console_mock.py, a console server written from the
# protocol spec alone: exact request lines, output in a pipe and on a terminal, -j,
# exit statuses, short names, start's words, the install stream, timeouts, URLs,
# completion scripts, seccomp, and the manual's help blocks.
. "$(dirname "$0")/../lib.sh"
PY=/usr/bin/python3
N="$NS_BUILD/bin/nstar"
tmp=$(mktemp -d)
M="$tmp/mock"
mkdir -p "$M"
mock_pid=
cleanup() {
	[ -n "$mock_pid" ] && kill "$mock_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
cd "$tmp" || exit 1

"$PY" "$NS_TOP/tests/console_mock.py" "$M" 2>"$tmp/mock.err" &
mock_pid=$!
i=0
while [ ! -f "$M/ready" ] && [ $i -lt 100 ]; do
	sleep 0.05
	i=$((i + 1))
done
[ -f "$M/ready" ] || { echo "not ok 1 - the mock did not start: $(cat "$tmp/mock.err")"; exit 1; }
U="unix://$M/sock"
PORT=$(cat "$M/port")
NL='
'
TAB=$(printf '\t')
CONNECT='{"connect":{"version":"0.9.3","subscribe_notifications":false}}'
SUBSCRIBE='{"connect":{"version":"0.9.3","subscribe_notifications":true}}'

# cfg JSON: the mock's configuration for the next connections.
cfg() { printf '%s\n' "$1" >"$M/config.json"; }
# run ARGS...: runs nstar -u $U ARGS with fresh mock records; sets RC, OUT, ERR.
run() {
	: >"$M/log"
	: >"$M/transcript"
	"$N" -u "$U" "$@" >"$tmp/out" 2>"$tmp/err"
	RC=$?
	OUT=$(cat "$tmp/out")
	ERR=$(cat "$tmp/err")
}
# runx ARGS...: like run, without -u.
runx() {
	: >"$M/log"
	: >"$M/transcript"
	"$N" "$@" >"$tmp/out" 2>"$tmp/err"
	RC=$?
	OUT=$(cat "$tmp/out")
	ERR=$(cat "$tmp/err")
}
# check NAME STATUS STDOUT [STDERR-NEEDLE]: exit status and exact stdout.
check() {
	if [ "$RC" != "$2" ]; then
		t_fail "$1" "exit status $RC, expected $2; stdout: $OUT; stderr: $ERR"
	elif [ "$OUT" != "$3" ]; then
		t_fail "$1" "stdout: '$OUT'${NL}expected: '$3'${NL}stderr: $ERR"
	elif [ -n "${4:-}" ] && ! printf '%s' "$ERR" | grep -qF -- "$4"; then
		t_fail "$1" "stderr lacks '$4': $ERR"
	else
		t_ok "$1"
	fi
}
# sent NAME LINES: the lines the mock received, exactly.
sent() { t_eq "$1" "$(cat "$M/log")" "$2"; }
# pty CMD: runs a shell command on a terminal (script), output without the CRs.
# TERM is set: a suite started without one (a chroot, cron) must not turn colours off.
pty() { TERM=xterm script -qec "$1" /dev/null </dev/null | tr -d '\r'; }

# --- command line ------------------------------------------------------------------------
runx
check "no command: usage" 2 "" "missing command"
runx frob
check "unknown command: usage" 2 "" "unknown command 'frob'"
runx -x list
check "unknown global option: usage" 2 "" "unknown option '-x'"
runx -u
check "-u without a value: usage" 2 "" "needs a value"
run list extra
check "list takes no operand" 2 "" "too many operands"
run kill
check "kill without a container" 2 "" "missing operand"
run kill a b c
check "kill with three operands" 2 "" "too many operands"
run kill a:1.0
check "malformed id: usage error" 2 "" "invalid container 'a:1.0'"
run kill 'a/b'
check "malformed name: usage error" 2 "" "invalid container name 'a/b'"
run kill a:1.0.0 BOGUS
check "bad signal: usage error" 2 "" "invalid signal 'BOGUS'"
run uninstall --frob a:1.0.0
check "unknown command option: usage" 2 "" "unknown option '--frob'"
run notifications -n x
check "bad count: usage" 2 "" "invalid number 'x'"
t_eq "usage errors send nothing" "$(cat "$M/log")" ""
runx -V
check "-V" 0 "nstar (northstar) 0.1.0, Northstar API version 0.9.3"
runx help kill
t_eq "help kill equals kill --help" "$OUT" "$("$N" kill --help)"
runx help
t_eq "help equals --help" "$OUT" "$("$N" --help)"
runx help frob
check "help of an unknown command" 2 "" "unknown command 'frob'"

# --- the manual carries the help texts ----------------------------------------------------
doc_block() { # NAME: the fenced block after <!-- help: NAME --> in docs/nstar.md
	awk -v m="<!-- help: $1 -->" '
		$0 == m { on = 1; next }
		on == 1 && /^```/ { on = 2; next }
		on == 2 && /^```/ { exit }
		on == 2 { print }' "$NS_TOP/docs/nstar.md"
}
t_eq "docs: nstar --help" "$(doc_block nstar)" "$("$N" --help)"
for c in list repositories mount umount start kill install uninstall shutdown notifications \
	inspect logs token verify-token ident completion seccomp help; do
	t_eq "docs: nstar $c --help" "$(doc_block "$c")" "$("$N" "$c" --help)"
done

# --- addresses -----------------------------------------------------------------------------
cfg '{}'
runx -u ftp://x ident
check "other scheme: invalid url" 2 "" "invalid url 'ftp://x': the scheme must be tcp:// or unix://"
runx -u tcp://example.com:1 ident
check "host name: invalid url" 2 "" "invalid url"
runx -u 'tcp://127.0.0.1:99999' ident
check "bad port: invalid url" 2 "" "invalid url"
NSTAR_URL=ftp://y runx ident
check "bad NSTAR_URL: invalid url" 2 "" "invalid url 'ftp://y'"
NSTAR_URL="$U" runx ident
check "NSTAR_URL is used" 0 "extern:0.0.0"
sent "ident: exact lines" "$CONNECT$NL{\"request\":\"ident\"}"
NSTAR_URL=unix:///nonexistent/sock run ident
check "-u overrides NSTAR_URL" 0 "extern:0.0.0"
runx -u "tcp://127.0.0.1:$PORT" ident
check "tcp://127.0.0.1:PORT" 0 "extern:0.0.0"
runx -u "tcp://localhost:$PORT" ident
check "tcp://localhost:PORT" 0 "extern:0.0.0"
if [ -f "$M/port6" ]; then
	P6=$(cat "$M/port6")
	runx -u "tcp://[::1]:$P6" ident
	check "tcp://[::1]:PORT" 0 "extern:0.0.0"
	runx -u "tcp://localhost:$P6" ident
	check "localhost falls back to ::1" 0 "extern:0.0.0"
else
	t_skip "tcp://[::1]:PORT" "no IPv6 loopback"
	t_skip "localhost falls back to ::1" "no IPv6 loopback"
fi
runx -u "tcp://127.0.0.1:1" ident
check "connection refused: error" 1 "" "Error: cannot connect to the console at tcp://127.0.0.1:1: "
runx -u unix:///nonexistent/sock ident
check "no socket: error" 1 "" "Error: cannot connect to the console at unix:///nonexistent/sock: "

# --- handshake -----------------------------------------------------------------------------
cfg '{"handshake":"nack_version"}'
run ident
check "version nack" 1 "" "Error: protocol version mismatch: the server speaks 0.9.3"
cfg '{"handshake":"nack_permission"}'
run notifications
check "subscription refused" 1 "" "Error: permission denied"
sent "notifications subscribes" "$SUBSCRIBE"
cfg '{"handshake":"garbage"}'
run ident
check "garbage instead of an ack" 1 "" "Error: bad message from the server"
cfg '{"handshake":"close"}'
run ident
check "closed during the handshake" 1 "" "closed the connection during the handshake"
cfg '{"handshake":"ack_object"}'
run ident
check "an old ack with an object is accepted" 0 "extern:0.0.0"
cfg '{"handshake":"silent"}'
t0=$(date +%s%N)
run -t 300ms ident
t1=$(date +%s%N)
check "no ack within -t" 1 "" "Error: no handshake reply from the server within 300ms"
ms=$(((t1 - t0) / 1000000))
if [ $ms -ge 280 ] && [ $ms -lt 3000 ]; then t_ok "-t 300ms waits about 300 ms ($ms ms)"; else
	t_fail "-t 300ms waits about 300 ms" "$ms ms"; fi
cfg '{"handshake_delay":0.4}'
run -t 2s ident
check "a slow ack within -t" 0 "extern:0.0.0"
run -t 100ms ident
check "a slow ack after -t" 1 "" "within 100ms"
run -t soon ident
check "bad -t: usage" 2 "" "invalid timeout 'soon'"

# --- list ----------------------------------------------------------------------------------
cfg '{}'
run list
check "list in a pipe: tab-separated" 0 "Name${TAB}Version${TAB}Repository${TAB}Type${TAB}Mounted${TAB}PID${TAB}Uptime
cpueater${TAB}0.0.1${TAB}default${TAB}app${TAB}no${TAB}${TAB}
hello-world${TAB}0.0.1${TAB}default${TAB}app${TAB}yes${TAB}97013${TAB}5s 12ms 345us 678ns
message${TAB}0.0.2${TAB}default${TAB}resource${TAB}no${TAB}${TAB}"
sent "list: list, then inspect each" "$CONNECT
{\"request\":\"list\"}
{\"request\":{\"inspect\":{\"container\":\"hello-world:0.0.1\"}}}
{\"request\":{\"inspect\":{\"container\":\"cpueater:0.0.1\"}}}
{\"request\":{\"inspect\":{\"container\":\"message:0.0.2\"}}}"
list_out=$OUT
run ls
check "ls is list" 0 "$list_out"
got=$(pty "NO_COLOR=1 '$N' -u '$U' list" | sed 's/ *$//')
t_eq "list on a terminal: the spec's table" "$got" " Name        | Version | Repository | Type     | Mounted | PID   | Uptime
-------------+---------+------------+----------+---------+-------+---------------------
 cpueater    | 0.0.1   | default    | app      | no      |       |
 hello-world | 0.0.1   | default    | app      | yes     | 97013 | 5s 12ms 345us 678ns
 message     | 0.0.2   | default    | resource | no      |       |"
t_eq "cells padded to the column width" "$(pty "NO_COLOR=1 '$N' -u '$U' list" | sed -n 3p)" \
	" cpueater    | 0.0.1   | default    | app      | no      |       |                     "
got=$(pty "'$N' -u '$U' list" | sed -n 4p)
t_eq "list on a terminal: colours" "$got" \
	" $(printf '\033[1m')hello-world$(printf '\033[0m') | 0.0.1   | default    | $(printf '\033[34m')app$(printf '\033[0m')      | $(printf '\033[33m')yes$(printf '\033[0m')     | $(printf '\033[32m')97013$(printf '\033[0m') | 5s 12ms 345us 678ns "
run -j list
t_eq "list -j: stdout is the session" "$(cat "$tmp/out" | od -An -tx1)" "$(od -An -tx1 <"$M/transcript")"
t_eq "list -j: the session has list and 3 inspect requests" "$(grep -c '^{"request"' "$tmp/out")" 4
cfg '{"containers":[{"id":"b:1.0.0","init":"/b","repository":"r2","mounted":true,"pid":7,"uptime":0},
{"id":"a:2.0.0","init":null,"repository":"r1","mounted":true,"pid":null,"uptime":null},
{"id":"c:0.1.0","init":"/c","repository":"r1","mounted":false,"pid":null,"uptime":null}]}'
run list
check "list: apps first, then resources, each by name" 0 "Name${TAB}Version${TAB}Repository${TAB}Type${TAB}Mounted${TAB}PID${TAB}Uptime
b${TAB}1.0.0${TAB}r2${TAB}app${TAB}yes${TAB}7${TAB}0s
c${TAB}0.1.0${TAB}r1${TAB}app${TAB}no${TAB}${TAB}
a${TAB}2.0.0${TAB}r1${TAB}resource${TAB}yes${TAB}${TAB}"
cfg '{"containers":[]}'
run list
check "list of nothing: the title line" 0 "Name${TAB}Version${TAB}Repository${TAB}Type${TAB}Mounted${TAB}PID${TAB}Uptime"
cfg '{"responses":{"inspect":{"inspect":{"error":{"container":"hello-world:0.0.1","error":{"invalid_container":{"container":"hello-world:0.0.1"}}}}}}}'
run list
check "list: a failed inspect is an error" 1 "" "Error: hello-world:0.0.1 is not installed; \`nstar list\` shows the installed containers"
cfg '{"responses":{"list":"list"}}'
run list
check "list answered with a bad response" 1 "" "Error: bad message from the server"

# --- repositories ---------------------------------------------------------------------------
cfg '{"repositories":["memory","default","a b"]}'
run repositories
check "repositories: sorted" 0 "Name
a b
default
memory"
sent "repositories request" "$CONNECT$NL{\"request\":\"repositories\"}"
run repos
check "repos is repositories" 0 "Name
a b
default
memory"
got=$(pty "NO_COLOR=1 '$N' -u '$U' repos")
t_eq "repositories on a terminal" "$got" " Name    
---------
 a b     
 default 
 memory  "

# --- mount, umount ---------------------------------------------------------------------------
cfg '{}'
run mount hello-world cpueater:0.0.1
check "mount: ok" 0 "Name${TAB}Result
hello-world:0.0.1${TAB}ok
cpueater:0.0.1${TAB}ok"
sent "mount: a short name costs a list" "$CONNECT
{\"request\":\"list\"}
{\"request\":{\"mount\":{\"containers\":[\"hello-world:0.0.1\",\"cpueater:0.0.1\"]}}}"
run mount hello-world:0.0.1 foo:1.0.0
check "mount: one failure is exit 1 after the table" 1 "Name${TAB}Result
hello-world:0.0.1${TAB}ok
foo:1.0.0${TAB}foo:1.0.0 is not installed; \`nstar list\` shows the installed containers" "Error: 1 of 2 containers failed to mount"
run mount
check "mount without operands: an empty list" 0 "Name${TAB}Result"
sent "mount of nothing" "$CONNECT$NL{\"request\":{\"mount\":{\"containers\":[]}}}"
cfg '{"responses":{"umount":{"umount":[{"error":{"container":"hello-world:0.0.1","error":{"umount_busy":{"container":"hello-world:0.0.1"}}}}]}}}'
run umount hello-world:0.0.1
check "umount busy" 1 "Name${TAB}Result
hello-world:0.0.1${TAB}hello-world:0.0.1 is running, so it (or the resource it uses) cannot be unmounted or uninstalled; stop it first (\`nstar kill hello-world:0.0.1\`)" "1 of 1 containers failed to umount"
sent "umount request" "$CONNECT$NL{\"request\":{\"umount\":{\"containers\":[\"hello-world:0.0.1\"]}}}"
cfg '{"responses":{"mount":{"mount":[]}}}'
run mount hello-world:0.0.1
check "mount: a result missing" 1 "" "the server answered 0 results for 1 containers"

# --- start -----------------------------------------------------------------------------------
cfg '{}'
run start hello-world:0.0.1
check "start: plain" 0 "started hello-world:0.0.1"
sent "start: init null, empty arguments and environment" "$CONNECT
{\"request\":{\"start\":{\"container\":\"hello-world:0.0.1\",\"init\":null,\"arguments\":[],\"environment\":{}}}}"
run start hello-world DEBUG=1 '<INIT>' -v
check "start: env, init, args" 0 "started hello-world:0.0.1 DEBUG=1 <INIT> -v"
sent "start: the spec's example" "$CONNECT
{\"request\":\"list\"}
{\"request\":{\"start\":{\"container\":\"hello-world:0.0.1\",\"init\":\"<INIT>\",\"arguments\":[\"-v\"],\"environment\":{\"DEBUG\":\"1\"}}}}"
run start hello-world:0.0.1 A=1 B=2 A=3 /bin/sh -c 'echo X=1' --help
check "start: words after the container are its command" 0 \
	"started hello-world:0.0.1 A=3 B=2 /bin/sh -c echo X=1 --help"
sent "start: later keys win, only leading words are env" "$CONNECT
{\"request\":{\"start\":{\"container\":\"hello-world:0.0.1\",\"init\":\"/bin/sh\",\"arguments\":[\"-c\",\"echo X=1\",\"--help\"],\"environment\":{\"A\":\"3\",\"B\":\"2\"}}}}"
run start hello-world:0.0.1 K=V
sent "start: environment alone" "$CONNECT
{\"request\":{\"start\":{\"container\":\"hello-world:0.0.1\",\"init\":null,\"arguments\":[],\"environment\":{\"K\":\"V\"}}}}"
cfg '{"responses":{"start":{"start":{"error":{"container":"hello-world:0.0.1","error":{"start_container_started":{"container":"hello-world:0.0.1"}}}}}}}'
run start hello-world:0.0.1
check "start: runtime error" 1 "" "Error: hello-world:0.0.1 is already running; stop it first (\`nstar kill hello-world:0.0.1\`) to start it anew"
cfg '{"responses":{"start":{"permission_denied":{"start":{"container":"hello-world:0.0.1","init":null,"arguments":[],"environment":{}}}}}}'
run start hello-world:0.0.1
check "start: permission denied" 1 "" "Error: permission denied"
cfg '{"responses":{"start":{"start":{"error":{"container":"a:1.0.0","error":{"start_container_missing_resource":{"container":"a:1.0.0","resource":"libs","version":"^1.0"}}}}}}}'
run start hello-world:0.0.1
check "start: missing resource" 1 "" \
	'Error: a:1.0.0 needs the resource libs version ^1.0, which is not installed; install it (`nstar install NPK REPOSITORY`) and start again'

# --- kill and short names --------------------------------------------------------------------
cfg '{"containers":[{"id":"hello-world:0.0.1","init":"/hello-world","repository":"default","mounted":true,"pid":1,"uptime":1}]}'
run -j kill hello-world
t_eq "kill -j: the spec's session, byte for byte" "$OUT" '{"connect":{"version":"0.9.3","subscribe_notifications":false}}
{"connect_ack":null}
{"request":"list"}
{"response":{"list":["hello-world:0.0.1"]}}
{"request":{"kill":{"container":"hello-world:0.0.1","signal":15}}}
{"response":{"kill":{"ok":{"container":"hello-world:0.0.1"}}}}'
t_eq "kill -j: ends with a newline" "$(tail -c 1 "$tmp/out" | od -An -c | tr -d ' ')" '\n'
cfg '{}'
run kill hello-world:0.0.1 9
check "kill: signal 9" 0 "signalled hello-world:0.0.1 with signal 9"
sent "kill with a version: no list" "$CONNECT$NL{\"request\":{\"kill\":{\"container\":\"hello-world:0.0.1\",\"signal\":9}}}"
run kill hello-world:0.0.1 SIGKILL
check "kill: a signal name" 0 "signalled hello-world:0.0.1 with signal 9"
run kill hello-world:0.0.1 0
check "kill: signal 0 goes to the runtime" 0 "signalled hello-world:0.0.1 with signal 0"
cfg '{"responses":{"kill":{"kill":{"error":{"container":"hello-world:0.0.1","error":{"stop_container_not_started":{"container":"hello-world:0.0.1"}}}}}}}'
run kill hello-world:0.0.1
check "kill: not started" 1 "" "Error: hello-world:0.0.1 is not started; nothing to stop (\`nstar list\` shows what runs)"
cfg '{"responses":{"kill":{"kill":{"error":{"container":"hello-world:0.0.1","error":{"unexpected":{"error":"EINVAL: Invalid argument"}}}}}}}'
run kill hello-world:0.0.1 0
check "kill: unexpected" 1 "" 'Error: the runtime failed: EINVAL: Invalid argument; the runtime'"'"'s log may say more'
cfg '{}'
run kill nope
check "short name not installed" 1 "" "Error: no container named nope is installed; \`nstar list\` shows the installed containers"
sent "short name: only the list was sent" "$CONNECT$NL{\"request\":\"list\"}"
cfg '{"containers":[{"id":"a:1.0.0","init":"/a"},{"id":"a:2.0.0","init":"/a"}]}'
run kill a
check "short name with two versions" 1 "" "Error: container a has multiple versions installed ("
run kill a:2.0.0
check "full id with two versions" 0 "signalled a:2.0.0 with signal 15"

# --- uninstall --------------------------------------------------------------------------------
cfg '{}'
run uninstall hello-world
check "uninstall" 0 "uninstalled hello-world:0.0.1"
sent "uninstall: wipe false" "$CONNECT
{\"request\":\"list\"}
{\"request\":{\"uninstall\":{\"container\":\"hello-world:0.0.1\",\"wipe\":false}}}"
run uninstall hello-world:0.0.1 --wipe
check "uninstall --wipe after the operand" 0 "uninstalled hello-world:0.0.1"
sent "uninstall: wipe true" "$CONNECT$NL{\"request\":{\"uninstall\":{\"container\":\"hello-world:0.0.1\",\"wipe\":true}}}"
run uninstall -w hello-world:0.0.1
sent "uninstall -w" "$CONNECT$NL{\"request\":{\"uninstall\":{\"container\":\"hello-world:0.0.1\",\"wipe\":true}}}"

# --- inspect -----------------------------------------------------------------------------------
run inspect hello-world
check "inspect: pretty JSON" 0 '{
  "manifest": {
    "name": "hello-world",
    "version": "0.0.1",
    "init": "/hello-world",
    "uid": 1000,
    "gid": 1000,
    "mounts": {
      "/dev": {
        "type": "dev"
      },
      "/proc": {
        "type": "proc"
      }
    },
    "io": {
      "stdout": "pipe",
      "stderr": "pipe"
    }
  },
  "repository": "default",
  "mounted": true,
  "process": {
    "pid": 97013,
    "uptime": 5012345678,
    "statistics": {}
  }
}'
sent "inspect request" "$CONNECT
{\"request\":\"list\"}
{\"request\":{\"inspect\":{\"container\":\"hello-world:0.0.1\"}}}"
t_eq "inspect: the output is the response's data" \
	"$("$PY" -c 'import json,sys; print(json.dumps(json.load(sys.stdin), sort_keys=True))' <"$tmp/out")" \
	"$(grep '"inspect":{"ok"' "$M/transcript" | "$PY" -c 'import json,sys; print(json.dumps(json.loads(sys.stdin.read())["response"]["inspect"]["ok"]["data"], sort_keys=True))')"
run inspect message:0.0.2
t_eq "inspect: process null when stopped" "$(tail -n 2 "$tmp/out")" '  "process": null
}'
run inspect nope:0.0.1
check "inspect: invalid container" 1 "" "Error: nope:0.0.1 is not installed; \`nstar list\` shows the installed containers"

# --- install -----------------------------------------------------------------------------------
head -c 3000000 /dev/urandom >npk
sum=$(sha256sum npk | cut -d' ' -f1)
run install npk default
check "install" 0 "installed npk into default"
sent "install: the line, then exactly the file's bytes" "$CONNECT
{\"request\":{\"install\":{\"repository\":\"default\",\"size\":3000000}}}
#install 3000000 bytes sha256 $sum"
run -j install npk default
t_run "install -j: stdout is the session, NPK bytes included" cmp "$tmp/out" "$M/transcript"
skip=$(head -n 3 "$tmp/out" | wc -c)
t_run "install -j: the NPK's bytes follow the install line" sh -c \
	"tail -c +$((skip + 1)) '$tmp/out' | head -c 3000000 | cmp -s - npk"
: >empty.npk
run install empty.npk memory
check "install of an empty file" 0 "installed empty.npk into memory"
sent "install: size 0" "$CONNECT
{\"request\":{\"install\":{\"repository\":\"memory\",\"size\":0}}}
#install 0 bytes sha256 $(sha256sum empty.npk | cut -d' ' -f1)"
truncate -s 64M big.npk
: >"$M/log"
(ulimit -v 40000 && "$N" -u "$U" install big.npk default) >"$tmp/out" 2>"$tmp/err"
RC=$? OUT=$(cat "$tmp/out") ERR=$(cat "$tmp/err")
check "install of 64 MiB within 40 MB of address space" 0 "installed big.npk into default"
t_eq "install: 64 MiB arrived intact" "$(tail -n 1 "$M/log")" \
	"#install 67108864 bytes sha256 $(sha256sum big.npk | cut -d' ' -f1)"
got=$(pty "'$N' -u '$U' install npk default 2>&1 >/dev/null")
case $got in
*"[##############################] 100% 2.9 MiB / 2.9 MiB"*) t_ok "install: progress bar on a terminal" ;;
*) t_fail "install: progress bar on a terminal" "$got" ;;
esac
run install npk default
t_eq "install: no progress bar when stderr is not a terminal" "$ERR" ""
cfg '{"install":"deny"}'
run install npk default
check "install refused before the bytes" 1 "" "Error: permission denied"
cfg '{"responses":{"install":{"install":{"error":{"error":{"install_duplicate":{"container":"hello-ferris:0.0.1"}}}}}}}'
run install npk default
check "install: duplicate" 1 "" "Error: hello-ferris:0.0.1 is already installed; uninstall it first (\`nstar uninstall hello-ferris:0.0.1\`) or pack a new version"
cfg '{"responses":{"install":{"install":{"error":{"error":{"invalid_repository":{"repository":"nope"}}}}}}}'
run install npk nope
check "install: invalid repository" 1 "" 'Error: there is no repository '"'"'nope'"'"'; `nstar repositories` lists the runtime'"'"'s repositories'
run install missing.npk default
check "install: missing file" 1 "" "Error: open 'missing.npk'"
run install "$tmp" default
check "install: a directory" 1 "" "is not a regular file"
t_eq "install: nothing sent for a bad file" "$(cat "$M/log")" ""
run install npk
check "install: missing repository" 2 "" "missing operand"

# --- notifications -------------------------------------------------------------------------------
all='[{"started":"hello-world:0.0.1"},
{"exit":["hello-world:0.0.1",{"signalled":{"signal":15}}]},
{"exit":["crashing:0.0.1",{"exit":{"code":101}}]},
{"install":"hello-ferris:0.0.1"},
{"uninstall":"hello-ferris:0.0.1"},
{"c_group":["memeater:0.0.1",{"memory":{"low":null,"high":null,"max":null,"oom":1,"oom_kill":null}}]},
{"c_group":["memeater:0.0.1",{"memory":{"low":0,"high":0,"max":12,"oom":1,"oom_kill":1}}]},
"shutdown"]'
cfg "{\"notifications\":$all}"
run notifications
check "notifications: every kind" 0 "started hello-world:0.0.1
container hello-world:0.0.1 exited with status signalled 15
container crashing:0.0.1 exited with status exit code 101
installed hello-ferris:0.0.1
uninstalled hello-ferris:0.0.1
container memeater:0.0.1 memory event Memory(MemoryNotification { low: None, high: None, max: None, oom: Some(1), oom_kill: None })
container memeater:0.0.1 memory event Memory(MemoryNotification { low: Some(0), high: Some(0), max: Some(12), oom: Some(1), oom_kill: Some(1) })
shutting down"
sent "notifications: subscribe, then nothing" "$SUBSCRIBE"
notif_all=$OUT
run notifications -n 9
check "notifications -n beyond the end" 1 "$notif_all" "Error: the connection closed after 8 of 9 notifications"
cfg "{\"notifications\":$all,\"keep_open\":true}"
run notifications --number 2
check "notifications -n 2 stops after two" 0 "started hello-world:0.0.1
container hello-world:0.0.1 exited with status signalled 15"
run -j notifications -n 1
t_eq "notifications -j: the session" "$OUT" "$SUBSCRIBE
{\"connect_ack\":null}
{\"notification\":{\"started\":\"hello-world:0.0.1\"}}
{\"notification\":{\"exit\":[\"hello-world:0.0.1\",{\"signalled\":{\"signal\":15}}]}}
{\"notification\":{\"exit\":[\"crashing:0.0.1\",{\"exit\":{\"code\":101}}]}}
{\"notification\":{\"install\":\"hello-ferris:0.0.1\"}}
{\"notification\":{\"uninstall\":\"hello-ferris:0.0.1\"}}
{\"notification\":{\"c_group\":[\"memeater:0.0.1\",{\"memory\":{\"low\":null,\"high\":null,\"max\":null,\"oom\":1,\"oom_kill\":null}}]}}
{\"notification\":{\"c_group\":[\"memeater:0.0.1\",{\"memory\":{\"low\":0,\"high\":0,\"max\":12,\"oom\":1,\"oom_kill\":1}}]}}
{\"notification\":\"shutdown\"}"
cfg '{"notifications":[{"started":"a:1.0.0"}],"keep_open":true}'
"$N" -u "$U" notifications >"$tmp/follow" 2>&1 &
follow=$!
i=0
while [ ! -s "$tmp/follow" ] && [ $i -lt 100 ]; do
	sleep 0.05
	i=$((i + 1))
done
t_eq "notifications: each line is flushed at once" "$(cat "$tmp/follow")" "started a:1.0.0"
kill $follow 2>/dev/null
wait $follow 2>/dev/null
cfg '{"pre_notifications":[{"started":"x:1.0.0"},"shutdown"]}'
run ident
check "notifications before a response are skipped" 0 "extern:0.0.0"

# --- shutdown, ident, tokens -------------------------------------------------------------------------
cfg '{}'
run shutdown
check "shutdown" 0 "shutdown"
sent "shutdown request" "$CONNECT$NL{\"request\":\"shutdown\"}"
cfg '{"responses":{"shutdown":{"close":true}}}'
run shutdown
check "shutdown: closed before the answer is fine" 0 "shutdown"
cfg '{"responses":{"shutdown":{"permission_denied":"shutdown"}}}'
run shutdown
check "shutdown: refused" 1 "" "Error: permission denied"
cfg '{"responses":{"ident":{"ident":"hello-world:0.0.1"}}}'
run ident
check "ident" 0 "hello-world:0.0.1"
cfg '{}'
run token extern x
check "token" 0 "created token AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJw=="
sent "token_create: shared in base64" "$CONNECT$NL{\"request\":{\"token_create\":{\"target\":\"extern\",\"shared\":\"eA==\"}}}"
run token extern ''
sent "token_create: empty shared" "$CONNECT$NL{\"request\":{\"token_create\":{\"target\":\"extern\",\"shared\":\"\"}}}"
tok=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJw==
run verify-token "$tok" extern hello
check "verify-token" 0 "Ok"
sent "token_verify request" "$CONNECT$NL{\"request\":{\"token_verify\":{\"token\":\"$tok\",\"user\":\"extern\",\"shared\":\"aGVsbG8=\"}}}"
for v in Invalid Expired Future; do
	cfg "{\"responses\":{\"token_verify\":{\"token_verification\":\"$v\"}}}"
	run verify-token "$tok" extern hello
	check "verify-token: $v" 0 "$v"
done
run verify-token AAAA extern x
check "verify-token: short token" 2 "" "invalid token 'AAAA'"
run verify-token 'not base64!' extern x
check "verify-token: not base64" 2 "" "invalid token"
run token 'a/b' x
check "token: bad target" 2 "" "invalid target 'a/b'"
run verify-token "$tok" 'a:b' x
check "verify-token: bad user" 2 "" "invalid user 'a:b'"
run -j ident
t_run "ident -j: stdout is the session" cmp "$tmp/out" "$M/transcript"

# --- broken replies -----------------------------------------------------------------------------------
cfg '{"responses":{"kill":{"start":{"ok":{"container":"hello-world:0.0.1"}}}}}'
run kill hello-world:0.0.1
check "a response of another kind" 1 "" "the server answered a kill request with a start response"
cfg '{"responses":{"ident":{"raw":"{\"response\":{\"ident\":\"bad id\"}}"}}}'
run ident
check "an invalid id in a response" 1 "" "Error: bad message from the server"
cfg '{"responses":{"ident":{"close":true}}}'
run ident
check "closed before the answer" 1 "" "closed the connection before answering the ident request"
cfg '{"responses":{"ident":{"raw":"{\"connect_ack\":null}"}}}'
run ident
check "a second ack instead of a response" 1 "" "unexpected message from the server"

# --- completion ---------------------------------------------------------------------------------------
commands="list ls repositories repos mount umount start kill install uninstall shutdown
notifications inspect token verify-token ident completion seccomp help"
for sh in bash zsh fish elvish powershell; do
	runx completion -s "$sh"
	if [ "$RC" != 0 ] || [ -z "$OUT" ]; then
		t_fail "completion $sh" "status $RC: $ERR"
		continue
	fi
	cp "$tmp/out" "comp.$sh"
	missing=
	for c in $commands; do
		grep -qw -- "$c" "comp.$sh" || missing="$missing $c"
	done
	t_eq "completion $sh names every command" "$missing" ""
done
t_run "completion bash: bash -n" bash -n comp.bash
got=$(bash -c '. ./comp.bash
	COMP_WORDS=(nstar ver); COMP_CWORD=1; _nstar; echo "${COMPREPLY[*]}"
	COMP_WORDS=(nstar -u x completion -s ""); COMP_CWORD=5; _nstar; echo "${COMPREPLY[*]}"
	COMP_WORDS=(nstar uninstall -); COMP_CWORD=2; _nstar; echo "${COMPREPLY[*]}"
	COMP_WORDS=(nstar -); COMP_CWORD=1; _nstar; echo "${COMPREPLY[*]}"
	COMP_WORDS=(nstar re); COMP_CWORD=1; _nstar; echo "${COMPREPLY[*]}"')
t_eq "completion bash: answers" "$got" "verify-token
bash elvish fish powershell zsh
-w --wipe -h --help
-u --url -j --json -t --timeout -h --help -V --version
repositories repos"
if command -v zsh >/dev/null; then
	t_run "completion zsh: zsh -n" zsh -n comp.zsh
	t_eq "completion zsh: registers _nstar" \
		"$(zsh -fc 'autoload -U compinit; compinit -u -D; . ./comp.zsh; echo $_comps[nstar]')" _nstar
else
	t_skip "completion zsh: zsh -n" "zsh is not installed"
fi
if command -v fish >/dev/null; then
	t_run "completion fish: fish -n" fish -n comp.fish
	got=$(HOME=$tmp fish --no-config -c '. ./comp.fish; complete -C"nstar ver"; complete -C"nstar completion -s z"; complete -C"nstar seccomp --no"')
	t_eq "completion fish: answers" "$got" "verify-token${TAB}verify a token
zsh${TAB}the shell to complete for
--no-default-profile${TAB}list every call, without profile: default"
else
	t_skip "completion fish" "fish is not installed"
fi
if command -v elvish >/dev/null; then
	sed -e 's/^set edit:completion:arg-completer\[nstar\] = /var f = /' comp.elvish >comp.elv
	got=$(HOME=$tmp elvish -norc -c "$(cat comp.elv)
		\$f nstar -t 1s uninstall - | each {|x| echo \$x }
		echo (count [(\$f nstar he)])" 2>&1)
	t_eq "completion elvish: answers" "$got" "-w
--wipe
-h
--help
20"
else
	t_skip "completion elvish" "elvish is not installed"
fi
runx completion -s bash -o "$tmp/out.bash"
check "completion -o" 0 "Generating bash completions to $tmp/out.bash"
t_run "completion -o writes the script" cmp "$tmp/out.bash" comp.bash
runx completion -s tcsh
check "completion: unknown shell" 2 "" "unknown shell 'tcsh'"
runx completion
check "completion: no shell" 2 "" "missing --shell"

# --- seccomp -----------------------------------------------------------------------------------------
cat >strace.log <<'EOF'
execve("/bin/app", ["app"], 0x7ffc /* 20 vars */) = 0
brk(NULL)                               = 0x55d0
12345 openat(AT_FDCWD, "/etc/ld.so.cache", O_RDONLY|O_CLOEXEC) = 3
[pid 12346] mount("none", "/mnt", "tmpfs", 0, NULL) = -1 EPERM (Operation not permitted)
[pid 12346] clone3({flags=CLONE_VM, ...}, 88) = 12347
12346 <... read resumed>"x", 1)        = 1
--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED} ---
  pivot_root(".", ".")                  = -1 EPERM
mount("a", "b", NULL, 0, NULL) = -1 EPERM
io_uring_setup(8, {...}) = -1 ENOSYS
socket(AF_ALG, SOCK_SEQPACKET, 0) = -1 EAFNOSUPPORT
+++ exited with 0 +++
EOF
runx seccomp strace.log
check "seccomp: calls outside the default profile" 0 "profile: default
allow:
  mount: any
  pivot_root: any"
runx seccomp --no-default-profile strace.log
check "seccomp --no-default-profile: every call, sorted" 0 "allow:
  brk: any
  clone3: any
  execve: any
  io_uring_setup: any
  mount: any
  openat: any
  pivot_root: any
  socket: any"
printf 'read(0, "", 1) = 0\n' >plain.log
runx seccomp plain.log
check "seccomp: nothing left" 0 "profile: default"
: >empty.log
runx seccomp --no-default-profile empty.log
check "seccomp: nothing at all" 0 "{}"
runx seccomp missing.log
check "seccomp: missing log" 1 "" "Error: failed to open strace log 'missing.log'"
runx seccomp
check "seccomp: no log" 2 "" "missing operand"

kill "$mock_pid" 2>/dev/null
wait "$mock_pid" 2>/dev/null
mock_pid=
t_done
