# Helpers for the console tests (tests/integration/console_*.sh), sourced after
# tests/lib.sh and tests/daemon_lib.sh.
#
#   suite NAME [ARGS...]      runs tests/console_suite.py NAME against the running daemon;
#                             its TAP lines join this script's count
#   daemon_finish             waits for the daemon to end (SIGTERM after 10 s)
#   examples_npk NAME OUT     the example NAME (make examples), repacked with the test key
#                             and without the /system bind (the host has no /system)
#   relay_manifest NAME VER PERMS
#                             a container whose conrelay relays its console (permissions
#                             PERMS: full or [a, b]) to socket_dir/NAME:VER:relay

suite() {
	s_out=$T/suite.out
	NS_CONSOLE="unix://$T/console" NSD_LOG="$T/log" NSD_PID="$DPID" T="$T" TAP_START=$T_N \
		$NSD_PY "$NS_TOP/tests/console_suite.py" "$@" >"$s_out" 2>&1
	cat "$s_out"
	s_n=$(grep -cE '^(ok|not ok) ' "$s_out")
	s_f=$(grep -cE '^not ok ' "$s_out")
	T_N=$((T_N + s_n))
	T_FAILED=$((T_FAILED + s_f))
	if [ "$s_n" = 0 ]; then
		t_fail "suite $1 ran" "$(tail -n 20 "$s_out")"
	fi
}

# Waits up to 10 s for the daemon to end (a suite ended it), else ends it with SIGTERM:
# a suite that failed half-way must not hang the script. Returns the exit status.
daemon_finish() {
	df_i=0
	while kill -0 "$DPID" 2>/dev/null && [ $df_i -lt 100 ]; do
		sleep 0.1
		df_i=$((df_i + 1))
	done
	kill -TERM "$DPID" 2>/dev/null
	daemon_wait
}

examples_built() {
	[ -f "$NS_BUILD/examples/npk/console-0.0.1.npk" ] && return 0
	env -u MAKEFLAGS -u MAKELEVEL make -C "$NS_TOP" --no-print-directory -j2 \
		BUILD="$NS_BUILD" examples >"$T/make-examples.log" 2>&1
}

examples_npk() {
	with_manifest "$NS_BUILD/examples/npk/$1.npk" "$2" \
		-e '/^  \/system:/,/^ \{0,2\}[^ ]/{/^  \/system:/d;/^    /d}'
}

relay_manifest() {
	cp "$NS_BUILD/tests/helpers/conrelay" "$T/root/bin/conrelay"
	manifest "$1" "$2" <<EOF2
init: /bin/conrelay
uid: 1000
gid: 1000
console:
  permissions: $3
io:
  stdout: pipe
  stderr: pipe
sockets:
  relay:
    type: stream
    mode: 0o600
    uid: 1000
    gid: 1000
EOF2
}
