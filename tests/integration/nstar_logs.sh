#!/bin/sh
# Issue 16: `nstar logs CONTAINER [-f]` reads a container's recent output from a
# bounded ring in the daemon (config log.ring_size; the logs console request, ours).
# Lines of io: pipe streams are kept after the container exits and replaced when it
# starts again; -f then sees new lines and ends when the container is uninstalled; a
# ring smaller than the output keeps the newest lines; an unknown container is a clear
# error; a container whose output is discarded says why nothing is recorded.
. "$(dirname "$0")/../lib.sh"
. "$NS_TOP/tests/daemon_lib.sh"
daemon_init
ln -s busybox "$T/root/bin/seq"

manifest talk 0.0.1 <<'EOF2'
init: /bin/sh
args: [-c, "echo line one; sleep 0.2; echo line two >&2; sleep 0.2; printf 'esc \\033[2J end\\n'"]
uid: 1000
gid: 1000
io:
  stdout: pipe
  stderr: pipe
EOF2
pack talk 0.0.1
manifest later 0.0.1 <<'EOF2'
init: /bin/sh
args: [-c, "echo first; sleep 3; echo later line; sleep 1"]
uid: 1000
gid: 1000
io:
  stdout: pipe
  stderr: discard
EOF2
pack later 0.0.1
manifest many 0.0.1 <<'EOF2'
init: /bin/sh
args: [-c, "for i in $(seq 1 300); do echo \"many line number $i of three hundred\"; done"]
uid: 1000
gid: 1000
io:
  stdout: pipe
  stderr: discard
EOF2
pack many 0.0.1
manifest flood 0.0.1 <<'EOF2'
init: /bin/sh
args: [-c, "for i in $(seq 1 20000); do echo \"flood line $i\"; done"]
uid: 1000
gid: 1000
io:
  stdout: pipe
  stderr: discard
EOF2
pack flood 0.0.1
manifest quiet 0.0.1 <<'EOF2'
init: /bin/sh
args: [-c, "echo into the void"]
uid: 1000
gid: 1000
EOF2
pack quiet 0.0.1

# 4KiB: the smallest ring, which the 300 lines of many overflow; no rate limit, so
# that the flood below reaches a follower whole
write_config "log:" "  ring_size: 4KiB" "  output_rate: 0"
daemon_start || {
	t_fail "daemon start" "$(cat "$T/log")"
	t_done
	exit 1
}
U="unix://$T/console"
N() { "$NS_BIN" nstar -u "$U" "$@"; }
for c in talk later many flood quiet; do
	N install "$T/$c-0.0.1.npk" default >/dev/null || t_fail "install $c"
done

# Polls inspect until the container is not running (10 s).
wait_exit() {
	we_i=0
	while [ $we_i -lt 100 ]; do
		N inspect "$1" 2>/dev/null | grep -q '"process": null' && return 0
		sleep 0.1
		we_i=$((we_i + 1))
	done
	return 1
}

t_expect "logs before any start: nothing yet, no error" 0 "" N logs talk
t_eq "logs before any start: no lines" "$(N logs talk 2>/dev/null)" ""

N start talk >/dev/null
wait_exit talk:0.0.1 || t_fail "talk exits"
t_eq "logs after exit: the lines, streams tagged, escapes shown" "$(N logs talk 2>&1)" \
	"[stdout] line one
[stderr] line two
[stdout] esc \\x1b[2J end"
t_eq "logs with the full id" "$(N logs talk:0.0.1 2>&1)" "$(N logs talk 2>&1)"
N start talk >/dev/null
wait_exit talk:0.0.1
t_eq "a new start replaces the last run's lines" "$(N logs talk 2>&1 | grep -c 'line one')" 1
t_expect "-j prints the raw session: the logs request as sent" 0 \
	'{"request":{"logs":{"container":"talk:0.0.1","follow":false}}}' N -j logs talk:0.0.1
t_expect "-j: the answer carries the lines" 0 '"stream":"stderr","text":"line two"' \
	N -j logs talk:0.0.1

# -f: the lines so far, then a line printed after the follower connected, then the end
# when the container is uninstalled.
N start later >/dev/null
i=0
while [ $i -lt 50 ] && ! N logs later 2>/dev/null | grep -q first; do
	sleep 0.1
	i=$((i + 1))
done
N logs -f later >"$T/follow.out" 2>"$T/follow.err" &
FPID=$!
sleep 0.3
t_eq "follow: the old line at once, the later one not yet" "$(cat "$T/follow.out")" "[stdout] first"
i=0
while [ $i -lt 80 ] && ! grep -q "later line" "$T/follow.out"; do
	sleep 0.1
	i=$((i + 1))
done
t_eq "follow: a line printed later arrives" "$(cat "$T/follow.out")" "[stdout] first
[stdout] later line"
wait_exit later:0.0.1
kill -0 $FPID 2>/dev/null && t_ok "follow: still following after the container exited" ||
	t_fail "follow: still following after the container exited" "$(cat "$T/follow.err")"
N uninstall later:0.0.1 >/dev/null
i=0
while [ $i -lt 50 ] && kill -0 $FPID 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
if kill -0 $FPID 2>/dev/null; then
	kill $FPID
	t_fail "follow: ends when the container is uninstalled" "still running"
else
	wait $FPID
	t_eq "follow: ends when the container is uninstalled (status 0)" "$?" 0
	t_expect "follow: says why it ended" 0 "later:0.0.1 was uninstalled" cat "$T/follow.err"
fi

# A ring smaller than the output: the newest lines, and a note on what was overwritten.
N start many >/dev/null
wait_exit many:0.0.1
N logs many >"$T/many.out" 2>"$T/many.err"
t_eq "small ring: the newest line is kept" "$(tail -n 1 "$T/many.out")" \
	"[stdout] many line number 300 of three hundred"
t_eq "small ring: the oldest are gone" "$(grep -c 'number 1 of' "$T/many.out")" 0
kept=$(wc -l <"$T/many.out")
if [ "$kept" -gt 20 ] && [ "$kept" -lt 100 ]; then
	t_ok "small ring: about 4KiB of lines kept ($kept)"
else
	t_fail "small ring: about 4KiB of lines kept" "$kept lines"
fi
first=$(head -n 1 "$T/many.out" | sed 's/.*number \([0-9]*\) of.*/\1/')
t_eq "small ring: the kept lines run without a gap to the last" "$((first + kept - 1))" 300
t_expect "small ring: says how many older lines were overwritten" 0 \
	"$((first - 1)) older lines of many:0.0.1 overwritten" cat "$T/many.err"

# A follower that never reads: once the socket is full, the lines wait in the daemon,
# and past notification_buffer_size (64 here) the follower is disconnected; the daemon
# keeps serving the others.
$NSD_PY - "$T/console" "$T/slow.out" <<'EOF2' &
import json, socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.settimeout(10)
f = s.makefile("rb")
s.sendall(b'{"connect":{"version":"0.9.3","subscribe_notifications":false}}\n')
f.readline()
s.sendall(b'{"request":{"logs":{"container":"flood:0.0.1","follow":true}}}\n')
f.readline()
open(sys.argv[2] + ".ready", "w").close()
time.sleep(6)  # reads nothing meanwhile
state = "closed"
try:
    while f.readline():
        pass
except OSError:  # a timeout: it was still connected
    state = "still connected"
open(sys.argv[2], "w").write(state + "\n")
EOF2
SLOW=$!
i=0
while [ $i -lt 100 ] && [ ! -e "$T/slow.out.ready" ]; do
	sleep 0.1
	i=$((i + 1))
done
N start flood >/dev/null
if log_wait "more than 64 lines.*disconnected" 10; then
	t_ok "slow follower: disconnected, not buffered without bound"
else
	t_fail "slow follower: disconnected, not buffered without bound" "$(tail -n 5 "$T/log")"
fi
t_eq "slow follower: the daemon still answers" "$(N logs talk 2>&1 | head -n 1)" "[stdout] line one"
wait $SLOW
t_eq "slow follower: its connection was closed" "$(cat "$T/slow.out")" closed

t_expect "unknown container: a clear error, status 1" 1 \
	"no container nope:1.0.0 is installed" N logs nope:1.0.0
t_expect "unknown short name: an error, status 1" 1 "nope" N logs nope

N start quiet >/dev/null
wait_exit quiet:0.0.1
t_expect "io discard: says nothing is recorded and why" 0 \
	"nothing is recorded for quiet:0.0.1: its manifest sends stdout to discard and stderr to discard" \
	N logs quiet
t_eq "io discard: no lines" "$(N logs quiet 2>/dev/null)" ""

t_expect "logs --help" 0 "usage: nstar logs [-f] CONTAINER" N logs --help
t_expect "logs without an operand: usage error" 2 "" N logs

daemon_stop
t_done
