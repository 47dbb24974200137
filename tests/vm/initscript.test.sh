#!/bin/sh
# contrib/init.d/northstard on a busybox system (the VM: busybox init, sh and
# start-stop-daemon, nothing else), run as busybox's rcS runs /etc/init.d/S??*:
# start, status, the console, restart, stop, with the daemon's cgroup gone after.
. "$(dirname "$0")/../lib.sh"

S=/images/initscript/etc/init.d/S60northstard
W=/tmp/initscript
mkdir -p "$W/sbin" "$W/repo"
ln -sf "$NS_BIN" "$W/sbin/northstard"
cat >"$W/northstar.yaml" <<EOT
run_dir: $W/run
data_dir: $W/data
socket_dir: $W/sockets
cgroup: ns-initscript
console:
  global:
    bind: unix://$W/console
    permissions: full
repositories:
  default:
    type:
      fs:
        dir: $W/repo
EOT
cat >"$W/defaults" <<EOT
DAEMON=$W/sbin/northstard
CONFIG=$W/northstar.yaml
PIDFILE=$W/northstard.pid
LOG=$W/log
STOP_TIMEOUT=20
START_TIMEOUT=20
EOT
export NORTHSTARD_DEFAULTS="$W/defaults"
rs() { sh "$S" "$@" 2>&1; }

out=$(rs status)
t_eq "status before start (exit 3)" "$?:$out" "3:northstard is not running"
out=$(rs start)
t_eq "start" "$?:$out" "0:Starting northstard: OK"
pid=$(cat "$W/northstard.pid")
t_eq "the pid file names northstard" "$(cat "/proc/$pid/comm" 2>/dev/null)" northstard
t_eq "the daemon made its runtime cgroup" "$(ls -d /sys/fs/cgroup/ns-initscript 2>/dev/null)" \
	/sys/fs/cgroup/ns-initscript
out=$(rs status)
t_eq "status: running" "$?:$out" "0:northstard is running (pid $pid)"
if "$NS_BIN" nstar -u "unix://$W/console" repositories >"$W/nstar.out" 2>&1; then
	t_ok "the console answers"
else
	t_fail "the console answers" "$(cat "$W/nstar.out") $(tail -n 5 "$W/log")"
fi
out=$(rs restart)
pid2=$(cat "$W/northstard.pid" 2>/dev/null)
if [ "$out" = "Stopping northstard: OK
Starting northstard: OK" ] && [ "$pid2" != "$pid" ] && [ ! -d "/proc/$pid" ]; then
	t_ok "restart replaces the daemon"
else
	t_fail "restart replaces the daemon" "$out; old $pid new $pid2"
fi
out=$(rs stop)
t_eq "stop" "$?:$out" "0:Stopping northstard: OK"
if [ -d "/proc/$pid2" ] || [ -e "$W/northstard.pid" ]; then
	t_fail "stop ended the daemon and removed the pid file"
else
	t_ok "stop ended the daemon and removed the pid file"
fi
t_eq "each stop was an orderly shutdown" "$(grep -c 'Shutdown complete' "$W/log")" 2
t_eq "the runtime cgroup is gone" "$(ls -d /sys/fs/cgroup/ns-initscript 2>/dev/null)" ""
out=$(rs status)
t_eq "status after stop (exit 3)" "$?:$out" "3:northstard is not running"
t_done
