#!/bin/sh
# Northstar's scenario suite, the console in raw protocol (spec tests-and-security.md §1b,
# console.rs), through tests/console_client.py, which is written from the protocol spec
# alone: the version rule of the handshake, an over-long request line, an over-size
# install, a stalled install stream; and the permission tests Northstar removed (#781,
# "worth restoring"): on a console without permissions every request is denied and a
# subscription is refused, and start with arguments needs start_command.
. "$(dirname "$0")/../lib.sh"
. "$NS_TOP/tests/scenario_lib.sh"
scen_init

RAW="$NSD_CLIENT -u unix://$T/console"
alive() { s_eq "the runtime still answers" "$(C ident)" '{"response":{"ident":"extern:0.0.0"}}'; }

scenario api_version_match
s_eq "connect with our version, then list" \
	"$(printf '{"request":"list"}\n' | $RAW -t 2 raw 2>&1)" \
	"$(printf '%s\n' '{"connect_ack":null}' '{"response":{"list":[]}}' '<timeout>')"

scenario api_version_low
s_eq "minor - 1: nack" "$(C connect --version 0.8.3)" \
	'{"connect_nack":{"invalid_protocol_version":{"version":"0.9.3"}}}'

scenario api_version_higher
s_eq "patch + 1: ack" "$(C connect --version 0.9.4)" '{"connect_ack":null}'
s_eq "minor + 1: ack" "$(C connect --version 0.10.0)" '{"connect_ack":null}'

scenario api_version_minor_version_low
s_eq "0.8.99: nack" "$(C connect --version 0.8.99)" \
	'{"connect_nack":{"invalid_protocol_version":{"version":"0.9.3"}}}'
s_eq "0.9.0 is enough" "$(C connect --version 0.9.0)" '{"connect_ack":null}'

scenario too_long_line
python3 -c 'import json
print(json.dumps({"request": {"mount": {"containers": ["hello-world:0.0.1"] * 100000}}}))' >"$T/long"
s_run "the request line is over 1 MiB" test "$(wc -c <"$T/long")" -gt 1048576
s_eq "the runtime closes the connection without an answer" \
	"$($RAW -t 10 raw <"$T/long")" "$(printf '%s\n' '{"connect_ack":null}' '<closed>')"
alive

scenario npk_size_limit_violation
s_eq "install of 999999999 bytes: closed before any byte" \
	"$(printf '%s\n' '{"request":{"install":{"repository":"mem","size":999999999}}}' |
		$RAW -t 10 raw)" "$(printf '%s\n' '{"connect_ack":null}' '<closed>')"
alive

# Northstar left this one commented out; here npk_stream_timeout is 2 s.
SCEN_CONSOLE_OPTIONS="    options:
      npk_stream_timeout: 2s"
scenario stale_install
SCEN_CONSOLE_OPTIONS=""
t0=$(date +%s)
s_eq "install header, then nothing: closed" \
	"$(printf '%s\n' '{"request":{"install":{"repository":"fs","size":1000}}}' |
		$RAW -t 20 raw)" "$(printf '%s\n' '{"connect_ack":null}' '<closed>')"
t1=$(date +%s)
s_run "closed after the stream timeout (2 s), not at once and not never" \
	test $((t1 - t0)) -ge 1 -a $((t1 - t0)) -le 6
s_eq "no temporary file left" "$(ls -A "$T/repos/fs")" ""
alive

# --- permissions (removed from Northstar in a34dc23c, worth restoring) -----------------
SCEN_PERMISSIONS="[]"
scenario permissions_none
s_eq "notifications: subscribing is refused" "$(C connect --subscribe)" \
	'{"connect_nack":"permission_denied"}'
s_eq "connect without subscribing works" "$(C connect)" '{"connect_ack":null}'
denied() { # NAME REQUEST-JSON: answered permission_denied echoing the request
	s_eq "$1: permission denied" "$(C request "$2")" "{\"response\":{\"permission_denied\":$2}}"
}
denied ident '"ident"'
denied list '"list"'
denied repositories '"repositories"'
denied "start (plain)" '{"start":{"container":"test-container:0.0.1","init":null,"arguments":[],"environment":{}}}'
denied "start with args" '{"start":{"container":"test-container:0.0.1","init":"<INIT>","arguments":["sleep"],"environment":{}}}'
denied "start with args and env" '{"start":{"container":"test-container:0.0.1","init":"<INIT>","arguments":["sleep"],"environment":{"A":"b"}}}'
denied kill '{"kill":{"container":"test-container:0.0.1","signal":15}}'
denied uninstall '{"uninstall":{"container":"test-container:0.0.1","wipe":false}}'
denied "mount one" '{"mount":{"containers":["test-container:0.0.1"]}}'
denied "mount all" '{"mount":{"containers":["test-container:0.0.1","test-resource:0.0.1"]}}'
denied umount '{"umount":{"containers":["test-container:0.0.1"]}}'
denied inspect '{"inspect":{"container":"test-container:0.0.1"}}'
denied shutdown '"shutdown"'
denied token_create '{"token_create":{"target":"x","shared":"aGVsbG8h"}}'
s_eq "install: denied before any byte is read" \
	"$(C install "$NPK/test-resource-0.0.1.npk" mem)" \
	'{"response":{"permission_denied":{"install":{"repository":"mem","size":'"$(wc -c <"$NPK/test-resource-0.0.1.npk")"'}}}}'
s_run "nstar reports it" sh -c "'$NS_BIN' nstar -u unix://$T/console list 2>&1 | grep -q 'permission denied'"
# the runtime's own console cannot shut it down now: end it with SIGTERM
kill -TERM "$DPID"
daemon_wait
s_eq "SIGTERM: exit 0" "$?" 0

SCEN_PERMISSIONS="[ident, list, inspect, install, notifications, start]"
scenario permission_start_is_not_start_command
install_test_container
s_expect "plain start: allowed" 0 "started $TC" NS start $TC
s_assume "it sleeps" "test-container:0.0.1: Sleeping\.\.\.$"
s_eq "kill: denied" "$(C kill $TC 15)" \
	'{"response":{"permission_denied":{"kill":{"container":"test-container:0.0.1","signal":15}}}}'
s_expect "start with a command: denied (start_command)" 1 "permission denied" \
	NS start $TC '<INIT>' sleep
kill -TERM "$DPID"
daemon_wait
s_eq "SIGTERM: exit 0" "$?" 0

SCEN_PERMISSIONS="[ident, list, install, notifications, kill, start_command]"
scenario permission_start_command_alone
install_test_container
s_expect "plain start: denied (start)" 1 "permission denied" NS start $TC
s_expect "start with a command: allowed" 0 "started $TC" NS start $TC '<INIT>' print with-command
s_assume "the command ran" "test-container:0.0.1: with-command$"
stop $TC
kill -TERM "$DPID"
daemon_wait
s_eq "SIGTERM: exit 0" "$?" 0
SCEN_PERMISSIONS=""

scen_done
