#!/bin/sh
# northstard's lifecycle around the containers: notifications, the console handshake and
# permissions, autostart (relaxed and critical, with the orderly shutdown and cleanup a
# failed critical container causes), shutdown with running containers (SIGTERM, then
# SIGKILL), SIGTERM and SIGINT to the daemon, debug commands, io inherit, long output
# lines, mount_on_start, -d and --check.
. "$(dirname "$0")/../lib.sh"
. "$NS_TOP/tests/daemon_lib.sh"
daemon_init

manifest app 0.0.1 <<'EOF'
init: /bin/sh
args: [-c, "echo app-ran"]
uid: 1000
gid: 1000
io:
  stdout: pipe
  stderr: pipe
EOF
pack app 0.0.1
manifest raw 0.0.1 <<'EOF'
init: /bin/sh
args: [-c, "echo raw-inherit-line; printf %5000s x | busybox tr ' ' y"]
uid: 1000
gid: 1000
io:
  stdout: inherit
  stderr: pipe
EOF
pack raw 0.0.1
manifest long 0.0.1 <<'EOF'
init: /bin/sh
args: [-c, "printf %5000s x | busybox tr ' ' z"]
uid: 1000
gid: 1000
io:
  stdout: pipe
  stderr: pipe
EOF
pack long 0.0.1

write_config
daemon_start || { t_fail "daemon starts" "$(cat "$T/log")"; t_done; exit 1; }

# --- notifications -----------------------------------------------------------------------
connected() { grep -c "Client extern connected" "$T/log"; }
n0=$(connected)
$NSD_CLIENT -u "unix://$T/console" -t 20 notifications -n 5 >"$T/notes" &
NPID=$!
i=0
while [ "$(connected)" = "$n0" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
C install "$T/app-0.0.1.npk" mem >/dev/null
C run app:0.0.1 >/dev/null
C uninstall app:0.0.1 >/dev/null
daemon_stop
wait $NPID
t_eq "notifications: install, started, exit, uninstall, shutdown" "$(cat "$T/notes")" \
'{"notification":{"install":"app:0.0.1"}}
{"notification":{"started":"app:0.0.1"}}
{"notification":{"exit":["app:0.0.1",{"exit":{"code":0}}]}}
{"notification":{"uninstall":"app:0.0.1"}}
{"notification":"shutdown"}'

# --- the handshake -------------------------------------------------------------------------
daemon_start
t_eq "handshake: an older version is refused" "$(C connect --version 0.8.9)" \
	'{"connect_nack":{"invalid_protocol_version":{"version":"0.9.3"}}}'
t_eq "handshake: a newer version is accepted" "$(C connect --version 1.2.3)" '{"connect_ack":null}'
t_eq "handshake: subscribe with permission" "$(C connect --subscribe)" '{"connect_ack":null}'
t_eq "a request before connect closes the connection" \
	"$(printf '{"request":"list"}\n' | $NSD_CLIENT -u "unix://$T/console" -t 5 raw --no-connect)" "<closed>"
t_eq "a malformed line closes the connection" \
	"$(printf '{"request":"lost"}\n' | $NSD_CLIENT -u "unix://$T/console" -t 5 raw)" \
	'{"connect_ack":null}
<closed>'
t_eq "requests answered in order (pipelined)" \
	"$(printf '{"request":"ident"}\n{"request":"list"}\n{"request":"shutdown"}\n' |
		$NSD_CLIENT -u "unix://$T/console" -t 5 raw)" \
	'{"connect_ack":null}
{"response":{"ident":"extern:0.0.0"}}
{"response":{"list":[]}}
{"response":"shutdown"}
<closed>'
daemon_wait
t_eq "shutdown request: exit 0" "$?" 0
t_run "the console socket is removed at shutdown" test ! -e "$T/console"

# --- permissions ---------------------------------------------------------------------------
sed -i 's/permissions: full/permissions: [ident, list]/' "$T/northstar.yaml"
daemon_start
t_eq "unix console socket mode 0600" "$(stat -c %a "$T/console")" 600
t_eq "permission: allowed request" "$(C ident)" '{"response":{"ident":"extern:0.0.0"}}'
t_eq "permission denied: the request echoed" "$(C repositories)" \
	'{"response":{"permission_denied":"repositories"}}'
t_eq "permission denied: kill echoed" "$(C kill a:0.0.1 15)" \
	'{"response":{"permission_denied":{"kill":{"container":"a:0.0.1","signal":15}}}}'
t_eq "subscribing without the permission: nack" "$(C connect --subscribe)" \
	'{"connect_nack":"permission_denied"}'
kill -TERM "$DPID"
daemon_wait
t_eq "SIGTERM: orderly shutdown, exit 0" "$?" 0
t_run "SIGTERM logged" grep -q "Received SIGTERM: shutting down" "$T/log"
sed -i 's/permissions: \[ident, list\]/permissions: full/' "$T/northstar.yaml"

# --- shutdown with running containers --------------------------------------------------------
daemon_start
C install "$T/app-0.0.1.npk" default >/dev/null
C install "$T/raw-0.0.1.npk" default >/dev/null
C install "$T/long-0.0.1.npk" default >/dev/null
C start app:0.0.1 --init /bin/sh --arg -c --arg 'trap "" TERM; exec sleep 100' >/dev/null
C start raw:0.0.1 --init /bin/sh --arg -c --arg 'exec sleep 100' >/dev/null
sleep 0.3
t0=$(date +%s)
kill -INT "$DPID"
daemon_wait
t_eq "SIGINT: exit 0" "$?" 0
t_run "shutdown: SIGTERM ends the willing one" \
	grep -q "Process raw:0.0.1 exited after .* with status Signalled(SIGTERM)" "$T/log"
t_run "shutdown: SIGKILL after the timeout ends the other" \
	grep -q "Process app:0.0.1 exited after .* with status Signalled(SIGKILL)" "$T/log"
t_run "shutdown: within the timeout and a bit" test $(($(date +%s) - t0)) -le 12
t_eq "shutdown: nothing left" "$(our_loops)" 0

# --- io inherit and long lines ------------------------------------------------------------------
daemon_start
t_eq "inherit: runs" "$(C run raw:0.0.1)" '{"exit":{"code":0}}'
t_run "inherit: bytes copied to our stdout unchanged" grep -qx "raw-inherit-line" "$T/log"
t_eq "long line: runs" "$(C run long:0.0.1)" '{"exit":{"code":0}}'
t_eq "long line: logged in parts of 2000 bytes" \
	"$(grep "long:0.0.1: z" "$T/log" | sed 's/.*long:0.0.1: //' | awk '{ print length($0) }' | busybox tr '\n' ' ')" \
	"2000 2000 1000 "
daemon_stop

# --- autostart --------------------------------------------------------------------------------
for kind in relaxed critical; do
	manifest auto-$kind 0.0.1 <<EOF
init: /bin/sh
args: [-c, "echo auto-$kind-ran; sleep 1; exit 3"]
uid: 1000
gid: 1000
autostart: $kind
io:
  stdout: pipe
  stderr: pipe
EOF
	pack auto-$kind 0.0.1
done
cp "$T/auto-relaxed-0.0.1.npk" "$T/repo/"
daemon_start || t_fail "autostart relaxed: daemon starts"
t_run "autostart relaxed: started at start-up" log_wait "auto-relaxed:0.0.1: auto-relaxed-ran" 5
t_run "relaxed: its failure is logged" log_wait "Process auto-relaxed:0.0.1 exited .* Exit\(3\)" 5
t_eq "relaxed: the daemon carries on" "$(C ident)" '{"response":{"ident":"extern:0.0.0"}}'
daemon_stop
rm "$T/repo/auto-relaxed-0.0.1.npk"
cp "$T/auto-critical-0.0.1.npk" "$T/repo/"
daemon_start || t_fail "autostart critical: daemon starts"
pid=$(json_get "$(C inspect auto-critical:0.0.1)" response inspect ok data process pid)
daemon_wait
t_eq "critical failure: the daemon shuts down with status 1" "$?" 1
t_run "critical failure: logged" grep -q "Critical container auto-critical:0.0.1 failed with Exit(3)" "$T/log"
t_run "critical failure: orderly shutdown to the end" sh -c "tail -n 3 '$T/log' | grep -q 'Shutdown complete'"
t_run "critical failure: umounted" grep -q "Umounted auto-critical:0.0.1" "$T/log"
t_run "critical failure: its init is gone" test ! -d "/proc/$pid"
t_eq "critical failure: no loop device left" "$(our_loops)" 0
# a critical container that cannot start at all stops the start-up
sed 's/^init:.*/init: \/nonexistent/' "$T/auto-critical-0.0.1.yaml" >"$T/x.yaml" &&
	mv "$T/x.yaml" "$T/auto-critical-0.0.1.yaml" && pack auto-critical 0.0.1 &&
	cp "$T/auto-critical-0.0.1.npk" "$T/repo/"
daemon_start && t_fail "critical start failure: start-up fails"
daemon_wait
t_eq "critical start failure: exit 1" "$?" 1
t_run "critical start failure: the reason" grep -q "autostart of the critical container auto-critical:0.0.1: exec '/nonexistent'" "$T/log"
t_eq "critical start failure: no loop device left" "$(our_loops)" 0
rm "$T/repo/auto-critical-0.0.1.npk"

# --- debug commands, mount_on_start, -d --------------------------------------------------------
write_config "debug:
  commands:
    - /bin/busybox echo debug-cmd <PID> <CONTAINER>"
sed -i 's/^    verity: userspace$/    verity: userspace\n    mount_on_start: true/' "$T/northstar.yaml"
"$NS_BIN" northstard -c "$T/northstar.yaml" --check >/dev/null ||
	t_fail "config with debug commands" "$("$NS_BIN" northstard -c "$T/northstar.yaml" --check 2>&1)"
daemon_start -d || t_fail "start with -d" "$(tail "$T/log")"
t_eq "mount_on_start: mounted at start-up" \
	"$(json_get "$(C inspect app:0.0.1)" response inspect ok data mounted)" true
t_run "-d: the mount is in the host's namespace" grep -q " $T/run/app:0.0.1 " /proc/self/mountinfo
C run app:0.0.1 >/dev/null
if mountpoint -q /; then
	pid=$(sed -n 's/.*Started app:0.0.1 in [0-9.]*s (pid \([0-9]*\)).*/\1/p' "$T/log" | tail -n 1)
	t_run "debug command: run with <PID> and <CONTAINER>" log_wait "app:0.0.1 debug: debug-cmd $pid app:0.0.1" 5
else
	# with -d northstard stays in the chroot, where pivot_root refuses a root that is no
	# mount point: it says so at start-up (chroot.sh), and containers do not start
	t_run "-d in a chroot: containers cannot start, said at start-up" log_wait "containers will not start"
	t_skip "debug command: run with <PID> and <CONTAINER>" "-d in a chroot whose / is no mount point starts no container"
fi
t_run "debug command: its exit logged" log_wait "app:0.0.1 debug: exited with status 0" 5
daemon_stop
t_run "-d: unmounted at shutdown" sh -c "! grep -q ' $T/run/' /proc/self/mountinfo"

# --- out of descriptors: new connections refused at once, without spinning ------------------
NSD_NOFILE=48 daemon_start || t_fail "daemon starts with 48 descriptors" "$(tail -n 3 "$T/log")"
ticks() { awk '{ print $14 + $15 }' "/proc/$DPID/stat"; }
ticks0=$(ticks)
t_eq "many idle connections, then closed" "$(python3 -c 'import socket,sys,time
socks=[]
for i in range(80):
    s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); socks.append(s)
time.sleep(1)
for s in socks: s.close()
print("done")' "$T/console")" done
t_run "out of descriptors: logged once, no spin" log_wait "out of descriptors: refusing connections" 5
t_eq "the console serves again" "$(C ident)" '{"response":{"ident":"extern:0.0.0"}}'
t_run "the daemon did not spin (under 0.3 s of CPU for it all)" test $(($(ticks) - ticks0)) -lt 30
daemon_stop

# --- memfd exec refused (vm.memfd_noexec=2, set in a pid namespace of its own) --------------
if [ -w /proc/sys/vm/memfd_noexec ]; then
	: >>"$T/log"
	mark=$(wc -l <"$T/log")
	# not exec'd: as PID 1 northstard would log to /dev/kmsg
	unshare $NS_UNSHARE_PROP --pid --fork -m sh -c "$NS_PRIVATE_MOUNTS"' && mount -t proc proc /proc &&
		echo 2 >/proc/sys/vm/memfd_noexec && "$@"' sh \
		"$NS_BIN" northstard -c "$T/northstar.yaml" >>"$T/log" 2>&1 &
	DPID=$!
	i=0
	until tail -n +$((mark + 1)) "$T/log" | grep -q "Runtime up and running" || [ $i -gt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	t_run "noexec: the missing memfd is reported" \
		sh -c "tail -n +$((mark + 1)) '$T/log' | grep -q 'no sealed copy of the binary'"
	C start app:0.0.1 --init /bin/sh --arg -c --arg 'exec sleep 100' >/dev/null
	pid=$(json_get "$(C inspect app:0.0.1)" response inspect ok data process pid)
	if ! mountpoint -q /; then
		t_skip "noexec: containers start from the binary's path" "in a chroot the container's exe is named from the daemon's root, which this test cannot see"
	else
	t_eq "noexec: containers start from the binary's path" \
		"$(readlink "/proc/$(awk -v p="$pid" '$1 == "NSpid:" && $3 == p { split(FILENAME, f, "/"); print f[3] }' \
			/proc/[0-9]*/status 2>/dev/null | head -n 1)/exe")" "$(readlink -f "$NS_BIN")"
	fi
	C killwait app:0.0.1 9 >/dev/null
	daemon_stop
else
	t_skip "memfd exec refused" "no vm.memfd_noexec (Linux < 6.3)"
fi

# --- tcp listeners --------------------------------------------------------------------------
PORT=$((42000 + $$ % 2000))
sed -i "s|bind: unix://$T/console|bind: tcp://127.0.0.1:$PORT|" "$T/northstar.yaml"
daemon_start || t_fail "tcp console: daemon starts" "$(tail -n 3 "$T/log")"
t_eq "tcp console on loopback" "$($NSD_CLIENT -u "tcp://127.0.0.1:$PORT" ident)" \
	'{"response":{"ident":"extern:0.0.0"}}'
kill -TERM "$DPID"
daemon_wait
sed -i "s|bind: tcp://127.0.0.1:$PORT|bind: tcp://0.0.0.0:$PORT|" "$T/northstar.yaml"
daemon_start && t_fail "a non-loopback tcp console needs allow_remote"
daemon_wait
t_eq "non-loopback without allow_remote: exit 1" "$?" 1
t_run "non-loopback without allow_remote: the reason" grep -q "set console.global.allow_remote" "$T/log"
sed -i "s|    permissions: full|    permissions: full\n    allow_remote: true|" "$T/northstar.yaml"
daemon_start || t_fail "allow_remote: daemon starts" "$(tail -n 3 "$T/log")"
t_eq "allow_remote: the console answers" "$($NSD_CLIENT -u "tcp://127.0.0.1:$PORT" ident)" \
	'{"response":{"ident":"extern:0.0.0"}}'
kill -TERM "$DPID"
daemon_wait

# --- --check ------------------------------------------------------------------------------------
printf 'run_dir: /x\ndata_dir: /y\nsocket_dir: /z\ncgroup: c\nbogus: 1\n' >"$T/bad.yaml"
t_expect "--check: unknown key with file:line:column" 1 "$T/bad.yaml:5:1" \
	"$NS_BIN" northstard -c "$T/bad.yaml" --check
t_expect "--check: a good file" 0 "ok" "$NS_BIN" northstard -c "$T/northstar.yaml" --check
t_done
