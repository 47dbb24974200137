# The harness of the Northstar scenario suite (tests/integration/scenario_*.sh), after
# Northstar's own (spec tests-and-security.md §0), sourced after tests/lib.sh. It reuses
# tests/daemon_lib.sh and adds what Northstar's harness has:
#
#   scen_init                 the example NPKs (make examples), $T, and
#                             Northstar's six repositories keyed with the examples' key
#   scenario NAME [CONFIG..]  ends the previous scenario (shutdown, nothing left) and
#                             starts a fresh runtime for NAME, as each Northstar test has
#                             its own; extra CONFIG lines are appended to the config.
#                             Test names printed afterwards start with "NAME: "
#   scen_done                 ends the last scenario and prints the plan
#   NS ARGS...                nstar on the runtime's console
#   assume REGEX [SECS]       waits for a log line matching REGEX after the last line an
#                             assume matched, and consumes up to it (Northstar's
#                             logger::assume); status 1 after SECS (default 10)
#   note REGEX [SECS]         the same for notifications, as nstar notifications prints
#                             them (a subscriber runs for the whole scenario)
#   s_ok/s_fail/s_skip, s_eq, s_run, s_expect, s_assume, s_note: the assertions of
#                             tests/lib.sh with the scenario's name in front
#   install_test_container, uninstall_test_container, stop CONTAINER, tc ARGS...
#                             Northstar's client helpers; tc starts the test-container
#                             with a command
#
# Every runtime runs in a network namespace of its own with lo up (as Northstar's
# harness): host-network examples cannot collide with anything on this machine.
. "$NS_TOP/tests/daemon_lib.sh"

EX=$NS_BUILD/examples
NPK=$EX/npk
NSD_KEY=$EX/keys/northstar.key
TC=test-container:0.0.1
TR=test-resource:0.0.1
SCEN=""
A_AT=0
N_AT=0
NOTES_PID=""

scen_netns() {
	exec unshare -n sh -c 'ip link set lo up && exec "$@"' sh "$@"
}
NSD_WRAP=scen_netns

scen_init() {
	daemon_need
	if ! command -v ip >/dev/null || ! unshare -n true 2>/dev/null; then
		t_skip "scenarios" "needs ip (iproute2) and network namespaces"
		t_done
		exit 0
	fi
	# Always: NPKs packed from an older tree would test old manifests (a few seconds).
	env -u MAKEFLAGS -u MAKELEVEL make -C "$NS_TOP" --no-print-directory -j2 \
		BUILD="$NS_BUILD" examples >/dev/null 2>&1 ||
		{ t_fail "make examples"; t_done; exit 1; }
	daemon_init
	trap scen_cleanup EXIT
	# a closed output pipe (| head) must not leave a runtime behind: exit, so that the
	# EXIT trap cleans up
	trap 'exit 1' INT TERM HUP PIPE
}

scen_cleanup() {
	[ -n "$NOTES_PID" ] && kill "$NOTES_PID" 2>/dev/null
	daemon_cleanup
}

# Northstar's test configuration: buffers, a full-permission global console, and six
# repositories keyed with the examples' key. Without device-mapper (this machine) the
# repositories verify in userspace; NS_SCENARIO_VERITY=kernel asks for dm-verity.
scen_config() {
	verity=${NS_SCENARIO_VERITY:-userspace}
	cat >"$T/northstar.yaml" <<EOF
run_dir: $T/run
data_dir: $T/data
socket_dir: $T/sockets
cgroup: northstar-scen-$$
event_buffer_size: 128
notification_buffer_size: 128
loop_device_timeout: 10s
console:
  global:
    bind: unix://$T/console
    permissions: ${SCEN_PERMISSIONS:-full}
${SCEN_CONSOLE_OPTIONS:-}
repositories:
EOF
	for r in mem fs limited_capacity_num_mem limited_capacity_num_fs \
		limited_capacity_size_mem limited_capacity_size_fs; do
		case $r in
		*_fs | fs)
			mkdir -p "$T/repos/$r"
			printf '  %s:\n    type:\n      fs:\n        dir: %s\n' "$r" "$T/repos/$r" ;;
		*) printf '  %s:\n    type: mem\n' "$r" ;;
		esac
		printf '    key: %s\n    verity: %s\n' "$EX/keys/northstar.pub" "$verity"
		case $r in
		limited_capacity_num_*) printf '    capacity_num: 1\n' ;;
		limited_capacity_size_*) printf '    capacity_size: 1000\n' ;;
		esac
	done >>"$T/northstar.yaml"
	for line in "$@" ${SCEN_CONFIG_EXTRA:+"$SCEN_CONFIG_EXTRA"}; do
		printf '%s\n' "$line" >>"$T/northstar.yaml"
	done
}

NS() {
	"$NS_BIN" nstar -u "unix://$T/console" "$@"
}

# Ends the running scenario: the runtime shuts down cleanly, and nothing of it is left.
scen_finish() {
	[ -z "$SCEN" ] && return 0
	if [ -n "$DPID" ]; then
		NS shutdown >/dev/null 2>&1
		daemon_wait
		s_eq "shutdown: exit status 0" "$?" 0
		s_assume "shutdown: complete" "Shutdown complete" 5
	fi
	[ -n "$NOTES_PID" ] && { kill "$NOTES_PID" 2>/dev/null; wait "$NOTES_PID" 2>/dev/null; }
	NOTES_PID=""
	# memfd-backed loop devices of other runtimes on this machine count too: compare
	# with the count before this scenario's runtime started
	s_run "nothing left: loop devices" test "$(wait_our_loops "$LOOPS0")" -le "$LOOPS0"
	SCEN=""
}

wait_our_loops() { # MAX: polls up to 10 s (a deadline) for at most MAX, prints the count
	wol_end=$(($(date +%s) + 10))
	while [ "$(our_loops)" -gt "$1" ] && [ "$(date +%s)" -le $wol_end ]; do
		sleep 0.1
	done
	our_loops
}

scenario() {
	scen_finish
	SCEN=$1
	shift
	echo "# scenario $SCEN ($(date +%T.%N | cut -c1-12))"
	rm -rf "$T/run" "$T/data" "$T/sockets" "$T/repos" "$T/log" "$T/notes"
	scen_config "$@"
	A_AT=0
	N_AT=0
	LOOPS0=$(our_loops)
	if ! daemon_start; then
		s_fail "runtime up and running" "$(tail -n 20 "$T/log")"
		return 1
	fi
	: >"$T/notes"
	"$NS_BIN" nstar -u "unix://$T/console" notifications >>"$T/notes" 2>&1 &
	NOTES_PID=$!
	# the subscriber is in once the runtime logged its connection (or it was refused)
	sc_end=$(($(date +%s) + 15)) # a deadline: load slows each round
	until grep -q 'Client extern connected' "$T/log" || ! kill -0 $NOTES_PID 2>/dev/null ||
		[ "$(date +%s)" -gt $sc_end ]; do
		sleep 0.1
	done
	return 0
}

scen_done() {
	scen_finish
	t_done
}

# assume/note REGEX [SECS]: the first line after the cursor that matches; the cursor
# moves past it.
cursor_wait() { # FILE VAR REGEX SECS
	cw_max=$(($4 * 10))
	cw_i=0
	while :; do
		eval "cw_at=\$$2"
		cw_hit=$(tail -n +$((cw_at + 1)) "$1" | grep -a -n -m 1 -E -- "$3" | cut -d: -f1)
		if [ -n "$cw_hit" ]; then
			eval "$2=$((cw_at + cw_hit))"
			return 0
		fi
		[ $cw_i -ge $cw_max ] && return 1
		sleep 0.1
		cw_i=$((cw_i + 1))
	done
}
assume() { cursor_wait "$T/log" A_AT "$1" "${2:-10}"; }
note() { cursor_wait "$T/notes" N_AT "$1" "${2:-10}"; }

s_ok() { t_ok "$SCEN: $1"; }
s_fail() { t_fail "$SCEN: $1" "${2:-}"; }
s_skip() { t_skip "$SCEN: $1" "$2"; }
s_eq() { t_eq "$SCEN: $1" "$2" "$3"; }
s_run() {
	sr_name=$1
	shift
	t_run "$SCEN: $sr_name" "$@"
}
s_expect() {
	se_name=$1
	shift
	t_expect "$SCEN: $se_name" "$@"
}
s_assume() { # NAME REGEX [SECS]
	if assume "$2" "${3:-10}"; then
		s_ok "$1"
	else
		s_fail "$1" "no log line /$2/ after line $A_AT; the log's end: $(tail -n 15 "$T/log")"
	fi
}
s_note() { # NAME REGEX [SECS]
	if note "$2" "${3:-10}"; then
		s_ok "$1"
	else
		s_fail "$1" "no notification /$2/ after line $N_AT; got: $(tail -n +$((N_AT + 1)) "$T/notes")"
	fi
}
# s_no_log NAME REGEX SECS: nothing after the cursor matches within SECS (it stays put)
s_no_log() {
	sn_at=$A_AT
	if assume "$2" "$3"; then
		s_fail "$1" "a line matched /$2/: $(sed -n "${A_AT}p" "$T/log")"
		A_AT=$sn_at
	else
		s_ok "$1"
	fi
}

# Northstar's client helpers (northstar-tests/src/containers.rs)
install_test_container() {
	s_expect "install test-resource" 0 "installed" NS install "$NPK/test-resource-0.0.1.npk" "${1:-mem}"
	s_note "install notification: test-resource" "^installed $TR\$" 15
	s_expect "install test-container" 0 "installed" NS install "$NPK/test-container-0.0.1.npk" "${1:-mem}"
	s_note "install notification: test-container" "^installed $TC\$" 15
}
uninstall_test_container() {
	s_expect "uninstall test-container" 0 "uninstalled $TC" NS uninstall -w "$TC"
	s_note "uninstall notification: test-container" "^uninstalled $TC\$"
	s_expect "uninstall test-resource" 0 "uninstalled $TR" NS uninstall -w "$TR"
	s_note "uninstall notification: test-resource" "^uninstalled $TR\$"
}
# stop CONTAINER: SIGTERM, then the exit notification Signalled(15)
stop() {
	s_expect "stop $1: kill 15" 0 "signalled $1 with signal 15" NS kill "$1" 15
	s_note "stop $1: exit Signalled(15)" "^container $1 exited with status signalled 15\$"
}
# tc ARGS...: starts the test-container with ARGS as its command (start_command)
tc() {
	s_expect "start test-container $*" 0 "started $TC" NS start "$TC" '<INIT>' "$@"
}
# assume_exit CONTAINER STATUS: Northstar's assume_exit, STATUS as nstar prints it
assume_exit() {
	s_note "exit of $1: $2" "^container $1 exited with status $2\$" "${3:-10}"
}
