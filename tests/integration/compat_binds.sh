#!/bin/sh
# A bind whose host path does not exist: skipped with a log line by default, as
# Northstar does (its examples bind Android's /system), refused with `missing_binds:
# fail`; the other binds of the same container still come in.
. "$(dirname "$0")/../lib.sh"
. "$NS_TOP/tests/daemon_lib.sh"
daemon_init

mkdir -p "$T/host"
echo host-file >"$T/host/file"
manifest sys 0.0.1 <<EOF2
init: /bin/sh
args: [-c, "cat /host/file && test ! -e /system/anything"]
uid: 1000
gid: 1000
io:
  stdout: pipe
  stderr: pipe
mounts:
  /system:
    type: bind
    host: $T/no-such-dir/system
  /host:
    type: bind
    host: $T/host
EOF2
pack sys 0.0.1

write_config
daemon_start || { t_fail "daemon starts" "$(cat "$T/log")"; t_done; exit 1; }
C install "$T/sys-0.0.1.npk" default | grep -q '"ok"' || t_fail "install sys"
t_eq "default: a missing bind host path does not stop the start" "$(C run sys:0.0.1)" \
	'{"exit":{"code":0}}'
t_run "default: the skip is logged with the mount point and the host path" \
	log_wait "sys:0.0.1: bind on '/system' skipped: host path '$T/no-such-dir/system' does not exist"
t_run "default: the other bind is mounted" log_wait "sys:0.0.1: host-file"
daemon_stop

write_config "missing_binds: fail"
daemon_start || { t_fail "daemon starts (missing_binds: fail)" "$(cat "$T/log")"; t_done; exit 1; }
out=$(C start sys:0.0.1)
case $out in
*"start_container_failed"*"host path '$T/no-such-dir/system' does not exist"*)
	t_ok "missing_binds: fail refuses the start, naming the host path" ;;
*) t_fail "missing_binds: fail refuses the start, naming the host path" "$out" ;;
esac
daemon_stop

write_config "missing_binds: maybe"
t_expect "missing_binds: a bad value is refused with its place" 1 \
	"northstar.yaml:22:16: missing_binds: expected 'skip' or 'fail'" \
	"$NS_BIN" northstard -c "$T/northstar.yaml" --check
t_eq "no loop device left" "$(our_loops)" 0
t_done
