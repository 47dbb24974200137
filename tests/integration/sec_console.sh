#!/bin/sh
# The console against an outside attacker (issue 14, items 4 and 8): the global console's
# identity "extern" reserved for containers and kept apart in tokens; clients bounded in
# memory (unfinished lines), time (handshake_timeout, request_timeout), number
# (max_connections) and descriptors (a reserve kept for starts); --check applies every
# rule start-up applies. Client side: tests/sec_console.py.
. "$(dirname "$0")/../lib.sh"
. "$NS_TOP/tests/daemon_lib.sh"
. "$NS_TOP/tests/console_lib.sh"
daemon_init

# sec CASE [ARGS...]: tests/sec_console.py against the running daemon; its TAP lines join
# this script's count.
sec() {
	s_out=$T/sec.out
	NS_CONSOLE="unix://$T/console" NSD_LOG="$T/log" NSD_PID="$DPID" T="$T" TAP_START=$T_N \
		$NSD_PY "$NS_TOP/tests/sec_console.py" "$@" >"$s_out" 2>&1
	cat "$s_out"
	s_n=$(grep -cE '^(ok|not ok) ' "$s_out")
	T_N=$((T_N + s_n))
	T_FAILED=$((T_FAILED + $(grep -cE '^not ok ' "$s_out")))
	[ "$s_n" = 0 ] && t_fail "sec_console.py $1 ran" "$(tail -n 20 "$s_out")"
}

# hold N: a client process holds N connected idle clients (as many as the daemon takes)
# until hold_end; HELD and REFUSED say how many.
# hold N: N idle clients, each given up to 2 s to be answered: on a loaded machine with
# refusals that takes minutes, hence the 300 s wait for its report.
hold() {
	rm -f "$T/hold.in"
	mkfifo "$T/hold.in"
	NS_CONSOLE="unix://$T/console" NSD_LOG="$T/log" NSD_PID="$DPID" T="$T" \
		$NSD_PY "$NS_TOP/tests/sec_console.py" hold "$1" <"$T/hold.in" >"$T/hold.out" 2>&1 &
	HPID=$!
	exec 5>"$T/hold.in"
	h_i=0
	while [ $h_i -lt 3000 ] && ! grep -q '^held=' "$T/hold.out"; do
		sleep 0.1
		h_i=$((h_i + 1))
	done
	HELD=$(sed -n 's/^held=\([0-9]*\).*/\1/p' "$T/hold.out")
	REFUSED=$(sed -n 's/.*refused=\([0-9]*\).*/\1/p' "$T/hold.out")
	OPEN=$(sed -n 's/.*open=\([0-9]*\).*/\1/p' "$T/hold.out")
}
hold_end() {
	echo >&5
	exec 5>&-
	wait "$HPID"
}

# A cgroup of our own: another test's cleanup kills what runs under northstar-test.
sec_config() {
	write_config "$@"
	sed -i "s/^cgroup: .*/cgroup: ns-sec-console-$$/" "$T/northstar.yaml"
}
# started ID NAME: a start request for ID is answered ok
started() {
	st_r=$(C start "$1")
	if [ "$(json_get "$st_r" response start ok container)" = "$1" ]; then
		t_ok "$2"
	else
		t_fail "$2" "$st_r; $(tail -n 5 "$T/log")"
	fi
}

manifest app 0.0.1 <<'EOF2'
init: /bin/sh
args: [-c, "exec sleep 100"]
uid: 1000
gid: 1000
EOF2
pack app 0.0.1
for n in extern EXTERN Extern; do
	manifest "$n" 0.0.1 <<'EOF2'
init: /bin/sh
args: [-c, "exec sleep 100"]
uid: 1000
gid: 1000
EOF2
	pack "$n" 0.0.1
done
relay_manifest extern-1 0.0.1 full
pack extern-1 0.0.1

# --- item 4: reserved identities -----------------------------------------------------------
sec_config
daemon_start || { t_fail "daemon starts" "$(tail "$T/log")"; t_done; exit 1; }
for n in extern EXTERN Extern; do
	r=$(C install "$T/$n-0.0.1.npk" default)
	case $(json_get "$r" response install error error unexpected error) in
	*"the container name '$n' is reserved: it is the global console's identity"*)
		t_ok "install of a container named $n: refused, with the reason" ;;
	*) t_fail "install of a container named $n: refused, with the reason" "$r" ;;
	esac
done
t_eq "none of them is installed" "$(C list)" '{"response":{"list":[]}}'
t_eq "nor left in the repository" "$(ls "$T/repo")" ""
r=$(C install "$T/extern-1-0.0.1.npk" default)
t_eq "a name with the console's name as a prefix (extern-1) is no collision: installed" \
	"$(json_get "$r" response install ok container)" "extern-1:0.0.1"
C start extern-1:0.0.1 >/dev/null
sec tokens extern-1
t_eq "the global console is still extern" "$(C ident)" '{"response":{"ident":"extern:0.0.0"}}'
daemon_stop

# one that reached the repository some other way is skipped at start-up
cp "$T/extern-0.0.1.npk" "$T/repo/"
daemon_start || t_fail "daemon starts with extern in its repository" "$(tail "$T/log")"
t_run "a container named extern in the repository: skipped at start-up, with the reason" \
	log_wait "skipping extern-0.0.1.npk: the container name 'extern' is reserved" 2
t_eq "and not listed" "$(C list)" '{"response":{"list":["extern-1:0.0.1"]}}'
daemon_stop
rm -f "$T/repo/"*

# --- item 8: memory of unfinished lines ----------------------------------------------------
# 300 clients each send 1 MiB - 1 bytes without a newline (a line the limit allows):
# without a budget the daemon held 301 MiB. Timeouts long, so the budget alone bounds it.
CONSOLE_OPTIONS="    options:
      max_connections: 400
      handshake_timeout: 60s
      request_timeout: 60s" sec_config
daemon_start || t_fail "daemon starts (memory)" "$(tail -n 3 "$T/log")"
sec memory 300 1048575
t_eq "the operator's session is still served" "$(C ident)" '{"response":{"ident":"extern:0.0.0"}}'
daemon_stop

# --- item 8: handshake_timeout and request_timeout ------------------------------------------
CONSOLE_OPTIONS="    options:
      handshake_timeout: 1s
      request_timeout: 1s" sec_config
daemon_start || t_fail "daemon starts (timeouts)" "$(tail -n 3 "$T/log")"
sec timeouts
daemon_stop

# --- item 8: idle clients beyond max_connections --------------------------------------------
# 64 descriptors: without the cap, 80 clients that never connect took them all.
CONSOLE_OPTIONS="    options:
      max_connections: 20" sec_config
cp "$T/app-0.0.1.npk" "$T/repo/"
NSD_NOFILE=64 daemon_start || t_fail "daemon starts (64 descriptors)" "$(tail -n 3 "$T/log")"
sec idle 80
hold 60
t_run "60 connected idle clients: at most max_connections (20) stay ($OPEN)" \
	test "${OPEN:-0}" -le 20 -a "${OPEN:-0}" -ge 10
started app:0.0.1 "meanwhile a container starts"
t_eq "and the operator's session is served" "$(C ident)" '{"response":{"ident":"extern:0.0.0"}}'
hold_end
C kill app:0.0.1 >/dev/null
daemon_stop

# --- item 8: descriptors kept for starts -----------------------------------------------------
# 96 descriptors and no practical cap: connected idle clients take what the console may
# have; a start still finds the descriptors it needs (it failed with EMFILE before).
CONSOLE_OPTIONS="    options:
      max_connections: 10000" sec_config
NSD_NOFILE=96 daemon_start || t_fail "daemon starts (96 descriptors)" "$(tail -n 3 "$T/log")"
hold 150
t_run "150 connected idle clients: fewer stay open ($OPEN), the reserve kept free" \
	test "${OPEN:-0}" -gt 30 -a "${OPEN:-150}" -lt 96
t_run "that is logged" log_wait "out of descriptors: refusing connections" 2
started app:0.0.1 "a container starts while clients hold every descriptor they may"
r=$(C kill app:0.0.1)
t_eq "and is killed" "$(json_get "$r" response kill ok container)" "app:0.0.1"
log_wait "Process app:0.0.1 exited" 5 >/dev/null
started app:0.0.1 "and starts again"
r=$(C install "$T/extern-1-0.0.1.npk" default)
t_eq "an install meanwhile" "$(json_get "$r" response install ok container)" "extern-1:0.0.1"
r=$(C mount extern-1:0.0.1)
t_eq "a mount meanwhile" "$(json_get "$r" response mount 0 ok container)" "extern-1:0.0.1"
hold_end
t_eq "the operator's session is served" "$(C ident)" '{"response":{"ident":"extern:0.0.0"}}'
C kill app:0.0.1 >/dev/null
daemon_stop
rm -f "$T/repo/"*

# --- --check applies every rule start-up applies --------------------------------------------
# bad_config NAME NEEDLE: --check and start-up both refuse $T/bad.yaml, exit 1, with NEEDLE
bad_config() {
	t_expect "--check: $1" 1 "$2" "$NS_BIN" northstard -c "$T/bad.yaml" --check
	t_expect "start-up: $1" 1 "$2" timeout 10 "$NS_BIN" northstard -c "$T/bad.yaml"
}
# with_bind BIND [LINES...]: the test config with another console address
with_bind() {
	b=$1
	shift
	write_config "$@"
	sed "s|bind: unix://$T/console|bind: $b|" "$T/northstar.yaml" >"$T/bad.yaml"
}
with_bind "tcp://0.0.0.0:4200"
bad_config "tcp://0.0.0.0 without allow_remote" \
	"bind: tcp://0.0.0.0:4200 is not a loopback address: the console has no authentication"
with_bind "tcp://[::]:4200"
bad_config "tcp://[::] without allow_remote" "is not a loopback address"
with_bind "tcp://console.example:4200"
bad_config "a host name" "'console.example' is not a numeric address or localhost"
with_bind "tcp://127.0.0.1:0"
bad_config "port 0" "bad port in '127.0.0.1:0'"
with_bind "tcp://127.0.0.1:65536"
bad_config "port 65536" "bad port in '127.0.0.1:65536'"
with_bind "tcp://[::1"
bad_config "an unclosed bracket" "bad address '[::1'"
with_bind "unix://relative/console"
bad_config "a relative unix path" "unix socket path 'relative/console' is not absolute"
long=/tmp/$(printf '%0120d' 0)
with_bind "unix://$long"
bad_config "a unix path longer than sun_path" "is not absolute or longer than 107 bytes"
with_bind "tcp://0.0.0.0:4200"
sed -i 's|^    permissions: full|    permissions: full\n    allow_remote: true|' "$T/bad.yaml"
t_expect "--check: tcp://0.0.0.0 with allow_remote" 0 "ok" \
	"$NS_BIN" northstard -c "$T/bad.yaml" --check
sec_config
sed "s|key: $T/test.pub|key: $T/missing.pub|" "$T/northstar.yaml" >"$T/bad.yaml"
bad_config "a repository key that does not exist" "repository default: key"
head -c 31 "$T/test.pub" >"$T/short.pub"
sed "s|key: $T/test.pub|key: $T/short.pub|" "$T/northstar.yaml" >"$T/bad.yaml"
bad_config "a repository key of 31 bytes" "repository default: key"
CONSOLE_OPTIONS="    options:
      max_request_size: 1MiB
      max_buffered_size: 1MiB" sec_config
cp "$T/northstar.yaml" "$T/bad.yaml"
bad_config "max_buffered_size not above max_request_size" \
	"max_buffered_size (1048576) must be larger than max_request_size (1048576)"
CONSOLE_OPTIONS="    options:
      max_connections: 0" sec_config
cp "$T/northstar.yaml" "$T/bad.yaml"
bad_config "max_connections 0" "max_connections: must be at least 1"
sec_config
sed -e '/^console:/d' \
	-e 's|^  global:|console:\n  options:\n    max_connections: 5\n  global:|' \
	"$T/northstar.yaml" >"$T/bad.yaml"
bad_config "max_connections for the containers' consoles" \
	"max_connections: only in console.global.options"
CONSOLE_OPTIONS="    options:
      request_timeout: soon" sec_config
cp "$T/northstar.yaml" "$T/bad.yaml"
bad_config "a request_timeout that is no duration" "request_timeout: expected a duration"
sec_config
t_expect "--check: the test configuration" 0 "ok" \
	"$NS_BIN" northstard -c "$T/northstar.yaml" --check
t_done
