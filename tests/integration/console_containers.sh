#!/bin/sh
# Containers' consoles: NORTHSTAR_CONSOLE, the container's identity (ident, tokens),
# console.options (max_request_size 4K here), no connect timeout, the console closed
# when the container exits (console_suite.py containers, through conrelay); the
# examples console and token-client/token-server; the test-container with a console
# (one descriptor more, a socket) and without (none).
. "$(dirname "$0")/../lib.sh"
. "$NS_TOP/tests/daemon_lib.sh"
. "$NS_TOP/tests/console_lib.sh"
daemon_init
relay_manifest relay 0.0.1 full
pack relay 0.0.1
relay_manifest relay2 0.0.1 full
pack relay2 0.0.1
manifest broken 0.0.1 <<'EOF2'
init: /nonexistent
uid: 1000
gid: 1000
console:
  permissions: full
EOF2
pack broken 0.0.1
cp "$T/relay-0.0.1.npk" "$T/relay2-0.0.1.npk" "$T/broken-0.0.1.npk" "$T/repo/"

CONSOLE_OPTIONS="  options:
    max_request_size: 4K" write_config
daemon_start || { t_fail "daemon starts" "$(tail "$T/log")"; t_done; exit 1; }
suite containers
t_run "the closed consoles are logged" log_wait "console of relay2:0.0.1 closed" 2
fds() { ls "/proc/$DPID/fd" | wc -l; }
fds0=$(fds)
r=$(C start broken:0.0.1)
t_eq "a container with a console that fails to start: start_container_failed" \
	"$(json_get "$r" response start error error | sed 's/:.*//')" '{"start_container_failed"'
t_eq "its console is gone with it (no descriptor left)" "$(fds)" "$fds0"

# --- the examples ----------------------------------------------------------------------
if ! examples_built; then
	t_fail "make examples" "$(tail "$T/make-examples.log")"
	t_done
	exit 1
fi
for e in console token-server token-client test-resource; do
	examples_npk "$e-0.0.1" "$T/$e.npk" && C install "$T/$e.npk" default >/dev/null ||
		t_fail "install the example $e"
done
C start console:0.0.1 >/dev/null
t_run "console: it knows who it is" log_wait "console:0.0.1: We are console:0.0.1" 10
t_run "console: repositories is denied" \
	log_wait "console:0.0.1: Listing repositories is denied: permission denied" 5
t_run "console: list and inspect through its console" log_wait "console:0.0.1: console:0.0.1 is started" 5
t_run "console: kill through its console" log_wait "Killing console:0.0.1 with SIGTERM" 5
t_run "console: exits with SIGTERM" log_wait "Process console:0.0.1 exited .* Signalled\\(SIGTERM\\)" 5
t_eq "console: umount afterwards" "$(C umount console:0.0.1)" \
	'{"response":{"umount":[{"ok":{"container":"console:0.0.1"}}]}}'

C start token-server:0.0.1 >/dev/null
t_run "token-server listens" log_wait "token-server:0.0.1: Listening on" 10
C start token-client:0.0.1 >/dev/null
t_run "token-server verified the client's token" \
	log_wait "token-server:0.0.1: Verified! Starting to echo" 10
t_run "token-client is echoed" log_wait "token-client:0.0.1: Received: yay!" 10
C kill token-client:0.0.1 >/dev/null
C kill token-server:0.0.1 >/dev/null

# the test-container: one descriptor more with a console (a socket), none without
with_manifest "$NS_BUILD/examples/npk/test-container-0.0.1.npk" "$T/tc.npk" \
	-e '/^  \/system:/,/^ \{0,2\}[^ ]/{/^  \/system:/d;/^    /d}' \
	-e 's/^init: .*/&\nconsole:\n  permissions: [ident]/'
C install "$T/tc.npk" default >/dev/null
C start test-container:0.0.1 --init '<INIT>' --arg inspect >/dev/null
t_run "test-container with a console: 8 descriptors" log_wait "test-container:0.0.1:     total: 8" 10
t_run "test-container with a console: fd 7 is a socket" \
	log_wait "test-container:0.0.1:     /proc/self/fd/7: socket:" 2
C killwait test-container:0.0.1 15 >/dev/null
C uninstall test-container:0.0.1 >/dev/null
examples_npk test-container-0.0.1 "$T/tc.npk"
C install "$T/tc.npk" default >/dev/null
: >"$T/log.mark"
mark=$(wc -l <"$T/log")
C start test-container:0.0.1 --init '<INIT>' --arg inspect >/dev/null
log_wait "test-container:0.0.1:     total:" 10
t_eq "test-container without a console: 7 descriptors" \
	"$(tail -n +"$((mark + 1))" "$T/log" | grep -c "test-container:0.0.1:     total: 7")" 1
C killwait test-container:0.0.1 15 >/dev/null
daemon_stop
t_done
