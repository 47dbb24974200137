#!/bin/sh
# The console against the spec (console_suite.py spec): every request, response, error
# variant and notification the daemon produces, checked by the spec-only test client
# (tests/console_spec.py); tokens fresh, expired, future, wrong shared value, flipped
# byte and wrong target; then the example session of spec §8 with the example
# containers on a console without the `repositories` permission.
. "$(dirname "$0")/../lib.sh"
. "$NS_TOP/tests/daemon_lib.sh"
. "$NS_TOP/tests/console_lib.sh"
daemon_init
mkdir -p "$T/root/res"

app() { # NAME INIT-ARGS [MORE YAML]
	manifest "$1" "${4:-0.0.1}" <<EOF2
init: /bin/sh
args: [-c, "$2"]
uid: 1000
gid: 1000
io:
  stdout: pipe
  stderr: pipe
$3
EOF2
	pack "$1" "${4:-0.0.1}"
}
app app "echo hi"
app sleeper "exec sleep 100"
app sleeper "exec sleep 100" "" 0.0.2
app user "exec sleep 100" "mounts:
  /res:
    type: resource
    name: res
    version: '>=0.0.1'
    dir: /"
app needs "true" "mounts:
  /res:
    type: resource
    name: nothere
    version: '>=1.0.0'
    dir: /"
manifest failexec 0.0.1 <<'EOF2'
init: /nonexistent
uid: 1000
gid: 1000
EOF2
pack failexec 0.0.1
manifest res 0.0.1 <<'EOF2'
uid: 1000
gid: 1000
EOF2
pack res 0.0.1

CONSOLE_OPTIONS="    options:
      token_validity: 2s" write_config
daemon_start || { t_fail "daemon starts" "$(tail "$T/log")"; t_done; exit 1; }
suite spec
daemon_finish
t_eq "shutdown request: status 0" "$?" 0

# --- the example session of spec §8 ---------------------------------------------------
if examples_built; then
	rm -f "$T/repo/"*
	for e in hello-world-0.0.1 crashing-0.0.1 ferris-0.0.1 message-0.0.1; do
		examples_npk "$e" "$T/repo/$e.npk" || t_fail "repack $e"
	done
	examples_npk hello-ferris-0.0.1 "$T/hello-ferris-0.0.1.npk"
	write_config
	sed -i 's/permissions: full/permissions: [ident, inspect, install, kill, list, notifications, mount, shutdown, start, start_command, token_create, token_verification, umount, uninstall]/' "$T/northstar.yaml"
	daemon_start || t_fail "daemon starts with the examples" "$(tail "$T/log")"
	suite session
	t_run "§8: crashing exit in the log" log_wait "Process crashing:0.0.1 exited .* Exit\\(101\\)" 5
	daemon_stop
else
	t_fail "make examples" "$(tail "$T/make-examples.log")"
fi
t_done
