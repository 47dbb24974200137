#!/bin/sh
# Hostile console clients (console_suite.py hostile, spec §1.2-§1.4, P-C2): malformed
# lines of every kind, lines over max_request_size, install sizes over the limit,
# payloads shorter and longer than declared, stalled streams and readers, the rate
# limit, the connect deadline, a lagging subscriber, 10,000 connections; each followed
# by another client being served. Then the daemon with 64 descriptors (nofds), and
# RLIMIT_NOFILE raised at start-up while containers keep the old limit.
. "$(dirname "$0")/../lib.sh"
. "$NS_TOP/tests/daemon_lib.sh"
. "$NS_TOP/tests/console_lib.sh"
daemon_init
manifest app 0.0.1 <<'EOF2'
init: /bin/sh
args: [-c, "true"]
uid: 1000
gid: 1000
EOF2
pack app 0.0.1
manifest limits 0.0.1 <<'EOF2'
init: /bin/sh
args: [-c, "exec sleep 100"]
uid: 1000
gid: 1000
EOF2
pack limits 0.0.1

mkdir -p "$T/small"
mount -t tmpfs -o size=256k tmpfs "$T/small" || t_fail "a small tmpfs for a repository"
trap 'umount "$T/small" 2>/dev/null; daemon_cleanup' EXIT INT TERM
CONSOLE_OPTIONS="    options:
      max_connections: 20000
      max_npk_install_size: 3M
      npk_stream_timeout: 2s
      max_requests_per_sec: 200" write_config "  small:
    type:
      fs:
        dir: $T/small"
sed -i 's/^notification_buffer_size: .*/notification_buffer_size: 16/' "$T/northstar.yaml"
daemon_start || { t_fail "daemon starts" "$(tail "$T/log")"; t_done; exit 1; }
suite hostile
t_run "the daemon is still running" kill -0 "$DPID"
# an NPK that does not fit: the write fails, the rest is drained, the error answered
r=$($NSD_CLIENT -u "unix://$T/console" install "$T/app-0.0.1.npk" small)
t_eq "install into a full file system: unexpected, with the reason" \
	"$(json_get "$r" response install error error unexpected error)" \
	"write the NPK: No space left on device"
t_eq "install into a full file system: no temporary file left" "$(ls -A "$T/small")" ""
t_eq "install into a full file system: the daemon carries on" "$(C ident)" \
	'{"response":{"ident":"extern:0.0.0"}}'
daemon_stop
t_eq "and shuts down cleanly" "$?" 0
umount "$T/small"

# --- out of descriptors -----------------------------------------------------------------
NSD_NOFILE=64 daemon_start || t_fail "daemon starts with 64 descriptors" "$(tail -n 3 "$T/log")"
suite nofds
daemon_stop

# --- RLIMIT_NOFILE: raised for the daemon, the old one for containers ----------------------
hard=$(ulimit -H -n)
if [ "$hard" != unlimited ] && [ "$hard" -gt 1024 ]; then
	ulimit -S -n 1024
	daemon_start || t_fail "daemon starts with a soft limit of 1024" "$(tail -n 3 "$T/log")"
	ulimit -S -n "$hard"
	t_eq "the daemon raises its soft descriptor limit to the hard one" \
		"$(awk '/^Max open files/ { print $4 }' "/proc/$DPID/limits")" "$hard"
	C install "$T/limits-0.0.1.npk" default >/dev/null
	C start limits:0.0.1 >/dev/null
	pid=$(json_get "$(C inspect limits:0.0.1)" response inspect ok data process pid)
	t_eq "ns-init gets the limit the daemon started with" \
		"$(awk '/^Max open files/ { print $4 }' "/proc/$pid/limits")" 1024
	app=$(grep -l "^PPid:[[:space:]]*$pid\$" /proc/[0-9]*/status 2>/dev/null | head -n 1 | cut -d/ -f3)
	t_eq "and so does the application" \
		"$(awk '/^Max open files/ { print $4 }' "/proc/$app/limits" 2>/dev/null)" 1024
	daemon_stop
else
	t_skip "RLIMIT_NOFILE raised" "the hard limit is $hard"
fi

# --- TCP beyond loopback needs allow_remote (P-C5) ----------------------------------------
PORT=$((44000 + $$ % 1000))
for addr in "0.0.0.0:$PORT" "[::]:$PORT" "192.0.2.1:$PORT"; do
	write_config
	sed -i "s|bind: unix://$T/console|bind: tcp://$addr|" "$T/northstar.yaml"
	daemon_start && t_fail "tcp://$addr without allow_remote: refused"
	daemon_wait
	t_eq "tcp://$addr without allow_remote: exit 1" "$?" 1
	t_run "tcp://$addr without allow_remote: the reason" \
		sh -c "tail -n 3 '$T/log' | grep -q 'is not a loopback address: the console has no authentication'"
done
# P-C5: a TCP console on loopback is out of reach from a container's own network namespace
ln -s busybox "$T/root/bin/nc"
for net in own host; do
	manifest "probe-$net" 0.0.1 <<EOF2
init: /bin/sh
args: [-c, "printf '{\\"connect\\":{\\"version\\":\\"0.9.3\\",\\"subscribe_notifications\\":false}}\\n' | nc -w 2 127.0.0.1 $PORT | grep -q connect_ack && echo console-reached || echo console-unreachable"]
uid: 1000
gid: 1000
io:
  stdout: pipe
  stderr: pipe
EOF2
	[ $net = host ] && printf 'network: host\n' >>"$T/probe-$net-0.0.1.yaml"
	pack "probe-$net" 0.0.1
	cp "$T/probe-$net-0.0.1.npk" "$T/repo/"
done
write_config
sed -i "s|bind: unix://$T/console|bind: tcp://127.0.0.1:$PORT|" "$T/northstar.yaml"
daemon_start || t_fail "tcp console on 127.0.0.1" "$(tail -n 3 "$T/log")"
T_URL="tcp://127.0.0.1:$PORT"
$NSD_CLIENT -u "$T_URL" run probe-host:0.0.1 >/dev/null
$NSD_CLIENT -u "$T_URL" run probe-own:0.0.1 >/dev/null
t_run "a container on the host network reaches the TCP console (the probe works)" \
	log_wait "probe-host:0.0.1: console-reached" 5
t_run "a container in its own network namespace does not reach it" \
	log_wait "probe-own:0.0.1: console-unreachable" 5
kill -TERM "$DPID"
daemon_wait
rm -f "$T/repo/"probe-*

if [ -e /proc/net/if_inet6 ]; then
	write_config
	sed -i "s|bind: unix://$T/console|bind: tcp://[::1]:$PORT|" "$T/northstar.yaml"
	daemon_start || t_fail "tcp://[::1] (loopback) needs no opt-in" "$(tail -n 3 "$T/log")"
	t_eq "tcp://[::1]: served" "$($NSD_CLIENT -u "tcp://[::1]:$PORT" ident)" \
		'{"response":{"ident":"extern:0.0.0"}}'
	kill -TERM "$DPID"
	daemon_wait
fi
t_done
