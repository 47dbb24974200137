#!/bin/sh
# Relative paths in the configuration are taken from the directory northstard is
# started in: run_dir, data_dir, socket_dir, a repository's dir and key, and a
# container with a persist mount starts with them.
. "$(dirname "$0")/../lib.sh"
. "$NS_TOP/tests/daemon_lib.sh"
daemon_init

manifest rel 0.0.1 <<'EOF2'
init: /bin/sh
args: [-c, "echo kept >/data/file && cat /data/file"]
uid: 1000
gid: 1000
io:
  stdout: pipe
  stderr: pipe
mounts:
  /data:
    type: persist
EOF2
pack rel 0.0.1
write_config
sed -i "s|^run_dir: .*|run_dir: run|; s|^data_dir: .*|data_dir: ./data|; s|^socket_dir: .*|socket_dir: sockets|;
	s|dir: $T/repo|dir: repo|; s|key: $T/test.pub|key: test.pub|" "$T/northstar.yaml"
t_run "the config has relative paths" grep -q "^run_dir: run$" "$T/northstar.yaml"
cd "$T" || exit 1
daemon_start || { t_fail "daemon starts with relative paths" "$(cat "$T/log")"; t_done; exit 1; }
t_ok "daemon starts with relative paths"
C install "$T/rel-0.0.1.npk" default | grep -q '"ok"' || t_fail "install rel"
t_run "the repository is the relative one" sh -c "ls \"$T/repo\" | grep -q ."
t_eq "a container with a persist mount runs" "$(C run rel:0.0.1)" '{"exit":{"code":0}}'
t_run "its persist data is below the relative data_dir" test -f "$T/data/rel/file"
t_run "its output reaches the log" log_wait "rel:0.0.1: kept"
daemon_stop
t_eq "shutdown: exit 0" "$?" 0
t_eq "no loop device left" "$(our_loops)" 0
t_done
