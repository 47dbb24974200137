#!/bin/sh
# The real nstar against the real northstard, every subcommand (tests/integration/
# nstar.sh proves nstar against the spec's mock; this proves the pair): list/ls,
# repositories/repos, install, mount, umount, start (plain, env, init, args), kill
# (number and name), inspect, notifications -n, token, verify-token, ident, uninstall
# (-w), shutdown, short names, -j, NSTAR_URL, -t, exit statuses, and a console
# without permissions. completion and seccomp run offline (nstar.sh).
. "$(dirname "$0")/../lib.sh"
. "$NS_TOP/tests/daemon_lib.sh"
daemon_init
manifest hello 0.0.1 <<'EOF2'
init: /bin/sh
args: [-c, "echo hello-from-manifest $GREETING; exec sleep 100"]
env:
  GREETING: manifest
uid: 1000
gid: 1000
io:
  stdout: pipe
  stderr: pipe
EOF2
pack hello 0.0.1
manifest res 0.0.1 <<'EOF2'
uid: 1000
gid: 1000
EOF2
pack res 0.0.1
manifest two 0.0.1 <<'EOF2'
init: /bin/true
uid: 1000
gid: 1000
EOF2
pack two 0.0.1
cp "$T/two-0.0.1.yaml" "$T/two-0.0.2.yaml" && sed -i 's/0.0.1/0.0.2/' "$T/two-0.0.2.yaml" && pack two 0.0.2
write_config
daemon_start || { t_fail "daemon starts" "$(tail "$T/log")"; t_done; exit 1; }
U="unix://$T/console"
N() { "$NS_BIN" nstar -u "$U" "$@"; }

t_expect "install" 0 "installed $T/hello-0.0.1.npk into default" N install "$T/hello-0.0.1.npk" default
N install "$T/res-0.0.1.npk" mem >/dev/null
N install "$T/two-0.0.1.npk" default >/dev/null
N install "$T/two-0.0.2.npk" default >/dev/null
t_expect "install a duplicate: error, status 1" 1 "Error: hello:0.0.1 is already installed" \
	N install "$T/hello-0.0.1.npk" mem
t_expect "install into an unknown repository" 1 "Error: there is no repository 'nope'" \
	N install "$T/hello-0.0.1.npk" nope
t_eq "repositories" "$(N repositories)" "Name
default
mem"
t_eq "repos (alias)" "$(N repos)" "$(N repositories)"
t_eq "list: apps first, then resources, by name" "$(N list)" "Name	Version	Repository	Type	Mounted	PID	Uptime
hello	0.0.1	default	app	no		
two	0.0.1	default	app	no		
two	0.0.2	default	app	no		
res	0.0.1	mem	resource	no		"
t_eq "ls (alias)" "$(N ls)" "$(N list)"
t_eq "mount: a table of results" "$(N mount hello res:0.0.1 nope:1.0.0)" "Name	Result
hello:0.0.1	ok
res:0.0.1	ok
nope:1.0.0	nope:1.0.0 is not installed; \`nstar list\` shows the installed containers"
t_eq "mount: status 1 when one failed" "$(N mount hello >/dev/null; echo $?)" 1
t_eq "umount" "$(N umount hello res)" "Name	Result
hello:0.0.1	ok
res:0.0.1	ok"
t_expect "short name with two versions" 1 "container two has multiple versions installed (0.0.1, 0.0.2)" N start two
t_expect "short name that does not exist" 1 "no container named nope is installed" N start nope

t_expect "start (plain)" 0 "started hello:0.0.1" N start hello
t_run "start: the manifest's environment" log_wait "hello:0.0.1: hello-from-manifest manifest" 5
t_eq "list: running, with pid and uptime" \
	"$(N list | awk -F '\t' '$1 == "hello" { print $5, ($6 > 1), ($7 != "") }')" "yes 1 1"
pid=$(N inspect hello | sed -n 's/^ *"pid": \([0-9]*\),*$/\1/p')
t_run "inspect: the pid is a live process" test -d "/proc/$pid"
t_eq "inspect: indented JSON of the data" "$(N inspect hello | sed -n '2p;3p')" '  "manifest": {
    "name": "hello",'
t_expect "start again: already running" 1 "Error: hello:0.0.1 is already running; stop it first" \
	N start hello
t_expect "kill by name" 0 "signalled hello:0.0.1 with signal 15" N kill hello TERM
t_run "kill: exit logged" log_wait "Process hello:0.0.1 exited .* Signalled\\(SIGTERM\\)" 5
t_expect "kill a stopped one" 1 "Error: hello:0.0.1 is not started; nothing to stop" \
	N kill hello 9
t_expect "start with env, init and args" 0 \
	"started hello:0.0.1 GREETING=request /bin/sh -c echo hello-from-request \$GREETING" \
	N start hello GREETING=request /bin/sh -c 'echo hello-from-request $GREETING'
t_run "start with env, init and args: ran" log_wait "hello:0.0.1: hello-from-request request" 5
t_expect "start with <INIT>" 0 "started hello:0.0.1 <INIT> -c" N start hello '<INIT>' -c 'echo init-was-$0; exec sleep 100'
t_run "start with <INIT>: ran the manifest's init" log_wait "hello:0.0.1: init-was-/bin/sh" 5
t_expect "kill by number" 0 "signalled hello:0.0.1 with signal 9" N kill hello:0.0.1 9

# notifications
"$NS_BIN" nstar -u "$U" notifications -n 4 >"$T/notes" &
np=$!
i=0
until grep -q "Client extern connected" "$T/log" && [ $i -gt 5 ]; do sleep 0.1; i=$((i + 1)); done
N start two:0.0.1 >/dev/null
sleep 0.5
N uninstall two:0.0.2 >/dev/null
N install "$T/two-0.0.2.npk" default >/dev/null
wait $np
t_eq "notifications -n 4" "$(cat "$T/notes")" "started two:0.0.1
container two:0.0.1 exited with status exit code 0
uninstalled two:0.0.2
installed two:0.0.2"

tok=$(N token extern hello | sed -n 's/^created token //p')
t_eq "token: 56 characters of base64" "$(printf %s "$tok" | wc -c)" 56
t_expect "verify-token: Ok" 0 "Ok" N verify-token "$tok" extern hello
t_expect "verify-token: wrong shared: Invalid" 0 "Invalid" N verify-token "$tok" extern olleh
t_eq "ident" "$(N ident)" "extern:0.0.0"
t_eq "NSTAR_URL" "$(NSTAR_URL="$U" "$NS_BIN" nstar ident)" "extern:0.0.0"
t_eq "-j: the raw session" "$(N -j kill hello)" '{"connect":{"version":"0.9.3","subscribe_notifications":false}}
{"connect_ack":null}
{"request":"list"}
{"response":{"list":["hello:0.0.1","res:0.0.1","two:0.0.1","two:0.0.2"]}}
{"request":{"kill":{"container":"hello:0.0.1","signal":15}}}
{"response":{"kill":{"error":{"container":"hello:0.0.1","error":{"stop_container_not_started":{"container":"hello:0.0.1"}}}}}}'
$NSD_PY -c 'import socket,sys,time
s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(1)
c=s.accept()[0]; time.sleep(5)' "$T/silent.sock" &
sp=$!
i=0
while [ ! -S "$T/silent.sock" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
t0=$(date +%s%N)
t_expect "-t: a handshake that never comes times out" 1 "Error" \
	"$NS_BIN" nstar -u "unix://$T/silent.sock" -t 300ms ident
t_run "-t: within the timeout" test $((($(date +%s%N) - t0) / 1000000)) -lt 2000
kill $sp 2>/dev/null
t_expect "uninstall" 0 "uninstalled hello:0.0.1" N uninstall hello
N start two:0.0.1 >/dev/null
mkdir -p "$T/data/two" && touch "$T/data/two/x"
t_expect "uninstall -w" 0 "uninstalled two:0.0.1" N uninstall -w two:0.0.1
t_run "uninstall -w: the persist directory is gone" test ! -e "$T/data/two"
t_expect "uninstall of an unknown one" 1 "Error: nope:1.0.0 is not installed" N uninstall nope:1.0.0
t_expect "shutdown" 0 "shutdown" N shutdown
daemon_wait
t_eq "shutdown: the daemon exits 0" "$?" 0

# a console without permissions
sed -i 's/permissions: full/permissions: [ident]/' "$T/northstar.yaml"
daemon_start || t_fail "daemon starts (ident only)"
t_expect "permission denied: status 1" 1 "Error: permission denied" N repositories
t_expect "permission denied: install" 1 "Error: permission denied" N install "$T/res-0.0.1.npk" mem
t_expect "notifications without permission" 1 "Error" N notifications -n 1
t_expect "shutdown denied" 1 "Error: permission denied" N shutdown
t_eq "ident is allowed" "$(N ident)" "extern:0.0.0"
kill -TERM "$DPID"
daemon_wait
t_done
