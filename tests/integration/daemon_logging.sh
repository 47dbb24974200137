#!/bin/sh
# Where northstard logs: stderr (the default), /dev/kmsg or syslog (--log, or config
# log.target with log.syslog_path), kmsg by default as PID 1, announced on stderr first;
# the daemon's name appears once in front of its own lines.
. "$(dirname "$0")/../lib.sh"
. "$NS_TOP/tests/daemon_lib.sh"
daemon_init
write_config
cp "$T/northstar.yaml" "$T/base.yaml"
MARK="Console listening on unix://$T/console" # unique to this run

# start_bg [ARGS...]: the daemon in the background, stderr and stdout in $T/err
start_bg() {
	"$NS_BIN" northstard -c "$T/northstar.yaml" "$@" >"$T/err" 2>&1 &
	DPID=$!
	echo "$DPID" >>"$T/dpids"
}
# waits (10 s at most) until CMD... succeeds
until_ok() {
	uo_i=0
	while [ $uo_i -lt 100 ]; do
		"$@" && return 0
		sleep 0.1
		uo_i=$((uo_i + 1))
	done
	return 1
}
in_err() { grep -qF -- "$1" "$T/err"; }
stop() {
	C shutdown >/dev/null 2>&1
	daemon_wait
}

# --- stderr, the default ---------------------------------------------------------------
start_bg
t_run "stderr: the daemon's lines" until_ok in_err "INFO  northstard: Runtime up and running"
t_run "stderr: the name once" sh -c "! grep -q 'northstard: northstard' '$T/err'"
t_run "stderr: no announcement" sh -c "! grep -q 'logging to' '$T/err'"
stop
t_eq "stderr: exit status" "$?" 0

# --- kmsg --------------------------------------------------------------------------------
# /dev/kmsg's records, read without waiting (each reader starts at the oldest kept)
kmsg() {
	$NSD_PY -c 'import os
fd = os.open("/dev/kmsg", os.O_RDONLY | os.O_NONBLOCK)
while True:
    try:
        r = os.read(fd, 8192)
    except BlockingIOError:
        break
    except OSError:  # EPIPE: a record was overwritten while reading
        continue
    print(r.decode("utf-8", "replace").split(";", 1)[-1].rstrip("\n"))' 2>/dev/null
}
in_kmsg() { kmsg | grep -qF -- "$1"; }
if [ ! -r /dev/kmsg ] || ! kmsg >/dev/null; then
	t_skip "kmsg" "/dev/kmsg cannot be read here"
else
	start_bg --log kmsg
	t_run "kmsg: the daemon's lines read back from /dev/kmsg" until_ok in_kmsg "northstard: $MARK"
	t_eq "kmsg: the name once (no 'northstard: northstard:')" \
		"$(kmsg | grep -cF "northstard: northstard: $MARK")" 0
	t_run "kmsg: announced on stderr first" \
		grep -qx "northstard: logging to /dev/kmsg (--log); --log or log.target choose another" "$T/err"
	t_run "kmsg: nothing else on stderr" sh -c "[ \$(wc -l <'$T/err') = 1 ]"
	stop
	t_eq "kmsg: exit status" "$?" 0
fi

# --- syslog, at a socket of the test ------------------------------------------------------
# a syslog daemon: each datagram one line of $T/syslog.out
$NSD_PY -c 'import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
open(sys.argv[1] + ".ready", "w").close()
with open(sys.argv[2], "ab", buffering=0) as f:
    while True:
        f.write(s.recv(65536) + b"\n")' "$T/syslog.sock" "$T/syslog.out" &
SYSLOG_PID=$!
trap 'kill $SYSLOG_PID 2>/dev/null; daemon_cleanup' EXIT INT TERM
until_ok test -e "$T/syslog.sock.ready"
write_config
printf 'log:\n  target: syslog\n  syslog_path: %s\n' "$T/syslog.sock" >>"$T/northstar.yaml"
in_syslog() { grep -qF -- "$1" "$T/syslog.out" 2>/dev/null; }
start_bg
t_run "syslog: the daemon's lines reach the socket" until_ok in_syslog "]: $MARK"
t_run "syslog: as ident[pid] at facility daemon, level info" \
	grep -qF "<30>" "$T/syslog.out"
t_run "syslog: ... named northstard[$DPID]" grep -qF "northstard[$DPID]: $MARK" "$T/syslog.out"
t_eq "syslog: the name once" "$(grep -c 'northstard: ' "$T/syslog.out")" 0
t_run "syslog: announced on stderr" \
	grep -qF "northstard: logging to $T/syslog.sock (log.target)" "$T/err"
stop
t_eq "syslog: exit status" "$?" 0

start_bg --log stderr
t_run "--log stderr overrides log.target" until_ok in_err "INFO  northstard: Runtime up and running"
stop

sed -i "s|syslog_path: .*|syslog_path: $T/nobody.sock|" "$T/northstar.yaml"
start_bg
t_run "syslog that nobody serves: the log stays on stderr" \
	until_ok in_err "INFO  northstard: Runtime up and running"
t_run "... saying why" in_err "cannot log to $T/nobody.sock (log.target)"
stop
kill $SYSLOG_PID 2>/dev/null

t_expect "--log: a bad target is a usage error" 2 "expected stderr, kmsg or syslog" \
	"$NS_BIN" northstard -c "$T/northstar.yaml" --log file
cp "$T/base.yaml" "$T/northstar.yaml"
printf 'log:\n  target: file\n' >>"$T/northstar.yaml"
line=$(grep -n 'target: file' "$T/northstar.yaml" | cut -d: -f1)
t_expect "log.target: a bad target, at file:line:column" 1 \
	"$T/northstar.yaml:$line:11: log.target: expected 'stderr', 'kmsg' or 'syslog'" \
	"$NS_BIN" northstard -c "$T/northstar.yaml" --check

# --- PID 1: kmsg unless told otherwise, and said on stderr ----------------------------
cp "$T/base.yaml" "$T/northstar.yaml"
if ! command -v unshare >/dev/null; then
	t_skip "PID 1" "unshare (util-linux) missing"
else
	marks=$(kmsg | grep -cF "northstard: $MARK")
	unshare -pf "$NS_BIN" northstard -c "$T/northstar.yaml" >"$T/err" 2>&1 &
	DPID=$!
	t_run "PID 1: stderr says where the log goes" \
		until_ok in_err "northstard: logging to /dev/kmsg (running as PID 1); --log or log.target choose another"
	# up once its console line is in /dev/kmsg
	more_marks() { [ "$(kmsg | grep -cF "northstard: $MARK")" -gt "$marks" ]; }
	until_ok more_marks || sleep 2
	C shutdown >/dev/null 2>&1
	wait $DPID
	unshare -pf "$NS_BIN" northstard -c "$T/northstar.yaml" --log stderr >"$T/err" 2>&1 &
	DPID=$!
	t_run "PID 1 with --log stderr: the log on stderr" \
		until_ok in_err "INFO  northstard: Runtime up and running"
	C shutdown >/dev/null 2>&1
	wait $DPID
	t_eq "PID 1 with --log stderr: exit status" "$?" 0
fi
DPID=""
t_done
