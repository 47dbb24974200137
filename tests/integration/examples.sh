#!/bin/sh
# The example containers: 'make examples' packs all 22 into signed NPKs that verify
# and show the right name, version and kind; each program behaves on the host as it
# would in its container (examples_host.py fakes the runtime's environment, sockets
# and console); the test-container answers every command of spec tests-and-security §3.
. "$(dirname "$0")/../lib.sh"
set -u
EX=$NS_BUILD/examples
BIN=$EX/bin
NPK=$EX/npk
HOST="python3 $NS_TOP/tests/integration/examples_host.py"
export NS_BIN
TMP=$(mktemp -d)
chmod 755 "$TMP" # the programs run as uid 1000 must reach the socket directory
trap 'rm -rf "$TMP"' EXIT

# t_has NAME FILE TEXT / t_lacks NAME FILE TEXT: a line of FILE contains TEXT (or none).
t_has() {
	if grep -qF -- "$3" "$2"; then t_ok "$1"; else t_fail "$1" "no '$3' in: $(cat "$2")"; fi
}
t_lacks() {
	if grep -qF -- "$3" "$2"; then t_fail "$1" "'$3' in: $(cat "$2")"; else t_ok "$1"; fi
}
# host OUT ARGS...: runs examples_host.py ARGS with its output in $TMP/OUT.
host() {
	out=$1
	shift
	$HOST "$@" >"$TMP/$out" 2>&1
}

# --- make examples ---------------------------------------------------------------------
if out=$(env -u MAKEFLAGS -u MAKELEVEL make -C "$NS_TOP" --no-print-directory -j2 \
	BUILD="$NS_MAKE_BUILD" examples 2>&1); then
	t_ok "make examples"
else
	t_fail "make examples" "$out"
	t_done
	exit 1
fi
t_eq "22 NPKs packed" "$(ls "$NPK" | grep -c '\.npk$')" 22

# name version resource program-in-image
while read -r cname cversion resource init; do
	npk=$NPK/$cname-$cversion.npk
	t_expect "$cname $cversion: verify --key" 0 "signature valid" \
		"$NS_BIN" sextant verify -k "$EX/keys/northstar.pub" "$npk"
	t_expect "$cname $cversion: inspect -s" 0 \
		"name: $cname, version: $cversion, NPK version: 0.9.3, resource container: $resource" \
		"$NS_BIN" sextant inspect -s "$npk"
	if [ "$init" != - ]; then
		"$NS_BIN" sextant inspect "$npk" >"$TMP/listing" 2>&1
		t_run "$cname: $init is an executable in the image" \
			grep -qE "^-rwxr-xr-x .* squashfs-root$init\$" "$TMP/listing"
	fi
done <<'EOF'
console 0.0.1 no /console
cpueater 0.0.1 no /cpueater
crashing 0.0.1 no /crashing
custom 0.0.1 no /custom
ferris 0.0.1 yes /ferris
hello-ferris 0.0.1 no -
hello-resource 0.0.1 no /hello-resource
hello-world 0.0.1 no /hello-world
inspect 0.0.1 no /inspect
memeater 0.0.1 no /memeater
message 0.0.1 yes -
message 0.0.2 yes -
netns 0.0.1 no -
persistence 0.0.1 no /persistence
redis 0.0.1 no /redis-server
redis-client 0.0.1 no /redis-client
seccomp 0.0.1 no /seccomp
sockets 0.0.1 no /sockets
test-container 0.0.1 no /test-container
test-resource 0.0.1 yes -
token-client 0.0.1 no /token-client
token-server 0.0.1 no /token-server
EOF

"$NS_BIN" sextant gen-key -n other -o "$TMP" >/dev/null
t_expect "a wrong key fails verify" 1 "" \
	"$NS_BIN" sextant verify -k "$TMP/other.pub" "$NPK/hello-world-0.0.1.npk"

for v in 0.0.1 0.0.2; do
	"$NS_BIN" sextant unpack -n "$NPK/message-$v.npk" -o "$TMP/message-$v" >/dev/null 2>&1
done
t_eq "message 0.0.1 carries its text" "$(cat "$TMP/message-0.0.1/root/hello")" \
	"Hello once more from 0.0.1!"
t_eq "message 0.0.2 carries its text" "$(cat "$TMP/message-0.0.2/root/hello")" \
	"Hello once more from v0.0.2!"

# --- the programs on the host ----------------------------------------------------------
host hello --npk "$NPK/hello-world-0.0.1.npk" --bin "$BIN/hello-world" --timeout 1.3
t_has "hello-world: greets" "$TMP/hello" "Hello again hello-world:0.0.1!"
t_has "hello-world: says hello again every second" "$TMP/hello" \
	"...and hello again #1 hello-world:0.0.1 ..."
t_has "hello-world: runs until stopped" "$TMP/hello" "status: signal 15"

host crash --npk "$NPK/crashing-0.0.1.npk" --bin "$BIN/crashing"
t_has "crashing: counts down" "$TMP/crash" "Crashing in 1.0s"
t_has "crashing: down to 0.1s" "$TMP/crash" "Crashing in 0.1s"
t_has "crashing: BOOM!" "$TMP/crash" "BOOM!"
t_has "crashing: exit 101, a Rust panic's status" "$TMP/crash" "status: exit 101"
t_lacks "crashing: stderr is discarded as the manifest says" "$TMP/crash" "panicked"

host cpu --npk "$NPK/cpueater-0.0.1.npk" --bin "$BIN/cpueater" --timeout 0.5
t_has "cpueater: THREADS from the manifest" "$TMP/cpu" "Eating CPU with 4 threads (v0.0.1)!"
host cpu0 --npk "$NPK/cpueater-0.0.1.npk" --bin "$BIN/cpueater" --env THREADS=0
t_has "cpueater: THREADS=0 is refused" "$TMP/cpu0" "status: exit 1"

host mem --npk "$NPK/memeater-0.0.1.npk" --bin "$BIN/memeater" --timeout 0.3
t_has "memeater: leaks" "$TMP/mem" "Leaked 100 KiB"
t_has "memeater: keeps leaking" "$TMP/mem" "Leaked 200 KiB"

timeout 1.5 "$BIN/persistence" "$TMP/file" >"$TMP/persist" 2>&1
t_has "persistence: writes" "$TMP/persist" "Writing Hello! to $TMP/file"
t_eq "persistence: reads back every second" \
	"$(grep -c "^Content of $TMP/file: Hello!\$" "$TMP/persist")" 2
t_eq "persistence: the file holds Hello!" "$(cat "$TMP/file")" "Hello!"

host seccomp --npk "$NPK/seccomp-0.0.1.npk" --bin "$BIN/seccomp" --timeout 0.3
t_has "seccomp: says hello" "$TMP/seccomp" "Hello from the seccomp example version 0.0.1!"

host console --npk "$NPK/console-0.0.1.npk" --bin "$BIN/console"
for line in "We are console:0.0.1" "Listing repositories is denied: permission denied" \
	"console:0.0.1 is started" "hello-world:0.0.1 is stopped" \
	"Killing console:0.0.1 with SIGTERM" \
	'Notification: {"notification":{"started":"hello-world:0.0.1"}}' \
	'console< {"connect":{"version":"0.9.3","subscribe_notifications":true}}' \
	'console< {"request":{"kill":{"container":"console:0.0.1","signal":15}}}' \
	"status: signal 15"; do
	t_has "console: $line" "$TMP/console" "$line"
done

host custom --npk "$NPK/custom-0.0.1.npk" --bin "$BIN/custom"
t_has "custom: reads manifest.custom through inspect" "$TMP/custom" "hello again"
t_has "custom: exits 0" "$TMP/custom" "status: exit 0"
t_expect "custom: no console outside a container" 1 "NORTHSTAR_CONSOLE is not set" \
	env -u NORTHSTAR_CONSOLE "$BIN/custom"

# token-server and token-client meet on localhost:6543, in a network namespace of
# their own; a client with a made-up token is turned away. The servers run for a fixed
# time, long enough for every client on a loaded machine (they are waited for).
unshare -n sh -c '
	ip link set lo up
	$1 --npk "$2/token-server-0.0.1.npk" --bin "$3/token-server" --timeout 10 >"$4/tserver" 2>&1 &
	$1 --npk "$2/token-client-0.0.1.npk" --bin "$3/token-client" --timeout 8 >"$4/tclient" 2>&1
	python3 -c "
import base64, socket
s = socket.create_connection((\"127.0.0.1\", 6543))
s.sendall(b\"mallory \" + base64.b64encode(bytes(40)) + b\"\\n\")
print(\"mallory got\", s.recv(100))" >"$4/mallory" 2>&1
	wait' sh "$HOST" "$NPK" "$BIN" "$TMP"
t_has "token-server: listens" "$TMP/tserver" "Listening on 127.0.0.1:6543"
t_has "token-server: verifies the client's token" "$TMP/tserver" "Verified! Starting to echo..."
t_has "token-server: asks the runtime" "$TMP/tserver" '"user":"token-client","shared":"aGVsbG8h"'
t_has "token-server: refuses a made-up token" "$TMP/tserver" "Failed to verify: Invalid"
t_has "token-server: and hangs up" "$TMP/mallory" "mallory got b''"
t_has "token-client: gets its echo" "$TMP/tclient" "Received: yay!"
t_has "token-client: asks for a token for token-server" "$TMP/tclient" \
	'{"request":{"token_create":{"target":"token-server","shared":"aGVsbG8h"}}}'

t_expect "ferris: says the message" 0 "Hello once more from 0.0.1!" \
	"$BIN/ferris" "$TMP/message-0.0.1/root/hello"
t_expect "ferris: a missing file fails" 1 "ferris: /nonexistent" "$BIN/ferris" /nonexistent

timeout 1.3 "$BIN/hello-resource" "$TMP/message-0.0.2/root" >"$TMP/hres" 2>&1
t_has "hello-resource: reads the resource" "$TMP/hres" \
	"0: Content of $TMP/message-0.0.2/root/hello: Hello once more from v0.0.2!"
t_has "hello-resource: every second" "$TMP/hres" \
	"1: Content of $TMP/message-0.0.2/root/hello: Hello once more from v0.0.2!"

host inspect --npk "$NPK/inspect-0.0.1.npk" --bin "$BIN/inspect" --as-user --timeout 0.5
for line in "getuid: 1000" "getgid: 1000" "exe: $BIN/inspect" '"/proc/self/mounts":' \
	"NORTHSTAR_CONTAINER=inspect:0.0.1" "    /proc/self/fd/0: /dev/null" \
	"caps effective: {}" "    net: net:[" '"/proc/net/dev":' "processes:" \
	"Max processes             10000                20000                processes" \
	"status: signal 15"; do
	t_has "inspect: $line" "$TMP/inspect" "$line"
done

mkdir -m 755 "$TMP/sock"
host sockets --npk "$NPK/sockets-0.0.1.npk" --bin "$BIN/sockets" --sockdir "$TMP/sock" \
	--as-user --timeout 1.3
t_has "sockets: connects to its socket" "$TMP/sockets" \
	"Connecting to $TMP/sock/sockets:0.0.1:hello"
t_eq "sockets: receives every second" "$(grep -c '^Received Hello!$' "$TMP/sockets")" 2

# redis: the server gets its listening fd as the runtime would pass it.
host redis --npk "$NPK/redis-0.0.1.npk" --bin "$BIN/redis-server" --sockdir "$TMP/sock" \
	--as-user --timeout 8 &
redis_pid=$!
t_expect "redis-client: sets and gets through the socket" 0 \
	'Received: b"#StandWithUkraine"' "$BIN/redis-client" "$TMP/sock/redis:0.0.1:redis"
python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
f = s.makefile("rw")
for r in ["PING", "GET hello", "DEL hello", "GET hello", "DEL hello", "SET k two words",
          "GET k", "FOO x", "SET"]:
    f.write(r + "\n")
    f.flush()
    print(r, "->", f.readline().strip())' "$TMP/sock/redis:0.0.1:redis" >"$TMP/rproto" 2>&1
wait $redis_pid
for line in "PING -> PONG" "GET hello -> VALUE #StandWithUkraine" "DEL hello -> OK" \
	"GET hello -> NIL" "DEL hello -> NIL" "SET k two words -> OK" "GET k -> VALUE two words" \
	"FOO x -> ERR unknown command 'FOO'" "SET -> ERR SET needs a key"; do
	t_has "redis protocol: $line" "$TMP/rproto" "$line"
done
t_has "redis-server: listens on its declared socket" "$TMP/redis" \
	"Listening on $TMP/sock/redis:0.0.1:redis"
t_has "redis-server: starts" "$TMP/redis" "Starting..."

# --- the test-container (spec tests-and-security.md §3) --------------------------------
TC=$BIN/test-container
for code in 0 1 10 127 128 255; do
	t_expect "test-container: exit $code" "$code" "Executing \"Exit { code: $code }\"" "$TC" exit "$code"
done
t_expect "test-container: crash exits 101" 101 "witness me!" "$TC" crash
t_expect "test-container: cat of a missing file fails" 1 "Error: failed to open /nonexistent" \
	"$TC" cat /nonexistent
t_expect "test-container: an unknown command is a usage error" 2 "unknown command 'fly'" "$TC" fly
t_expect "test-container: exit needs a number" 2 "exit takes a number" "$TC" exit x
t_expect "test-container: socket without its fd fails" 1 "no fd in the env" "$TC" socket stream
t_expect "test-container: no arguments and empty stdin is sleep" 124 \
	"Executing \"Sleep\"" timeout 0.5 "$TC"
t_expect "test-container: print, then Sleeping..." 124 "Sleeping..." \
	timeout 0.5 "$TC" print "hello stdout"

cp "$TMP/message-0.0.1/root/hello" "$TMP/resource"
cat >"$TMP/commands" <<EOF
print "hello stdout"
print --io stderr "hello stderr"
cat $TMP/resource
touch $TMP/touched
write "some words" $TMP/written
echo one two
call-delete-module 1
EOF
echo junk >"$TMP/touched"
timeout 1 "$TC" <"$TMP/commands" >"$TMP/tc.out" 2>"$TMP/tc.err"
t_eq "test-container: commands from stdin, then parks" "$?" 124
t_eq "test-container: stdout in order" "$(cat "$TMP/tc.out")" "Executing \"Print { message: \"hello stdout\", io: Stdout }\"
hello stdout
Executing \"Print { message: \"hello stderr\", io: Stderr }\"
Executing \"Cat { path: \"$TMP/resource\" }\"
Hello once more from 0.0.1!
Executing \"Touch { path: \"$TMP/touched\" }\"
Executing \"Write { message: \"some words\", path: \"$TMP/written\" }\"
Executing \"Echo { message: [\"one\", \"two\"] }\"
one two
Executing \"CallDeleteModule { flags: 1 }\"
delete_module syscall was successful (-1)
Sleeping..."
t_eq "test-container: print --io stderr" "$(cat "$TMP/tc.err")" "hello stderr"
t_eq "test-container: touch truncates" "$(wc -c <"$TMP/touched")" 0
t_eq "test-container: write" "$(cat "$TMP/written")" "some words"

host tci --npk "$NPK/test-container-0.0.1.npk" --bin "$TC" --sockdir "$TMP/sock" --as-user \
	--timeout 0.5 -- inspect
for line in 'Executing "Inspect"' "getuid: 1000" "getgid: 1000" "getgroups: []" "pwd: /" \
	"sched_getscheduler: 1" "sched_priority: 11" "getpriority: 0" "caps ambient: {}" \
	"caps effective: {}" "caps inheritable: {}" "caps permitted: {}" "/proc/self/fd:" \
	"    /proc/self/fd/0: /dev/null" "    /proc/self/fd/6: socket:[" "    total: 7" \
	'"/proc/self/mounts":' '"/proc/self/limits":' \
	"Max processes             10000                20000                processes" \
	"Sleeping..."; do
	t_has "test-container inspect: $line" "$TMP/tci" "$line"
done

for s in datagram stream seq-packet no_permission; do
	host "tcs-$s" --npk "$NPK/test-container-0.0.1.npk" --bin "$TC" --sockdir "$TMP/sock" \
		--as-user -- socket "$s"
	t_has "test-container socket $s: exit 0" "$TMP/tcs-$s" "status: exit 0"
done
t_has "test-container socket stream: 10 echo rounds" "$TMP/tcs-stream" \
	"10 messages through stream"
t_has "test-container socket no_permission: EACCES" "$TMP/tcs-no_permission" \
	"failed as expected: Permission denied"
# As root the 0000 socket is reachable: the check must then fail.
host tcs-root --npk "$NPK/test-container-0.0.1.npk" --bin "$TC" --sockdir "$TMP/sock" \
	-- socket no_permission
t_has "test-container socket no_permission: a reachable socket fails" "$TMP/tcs-root" \
	"status: exit 1"

t_done
