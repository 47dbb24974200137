#!/bin/sh
# Northstar's scenario suite, the tests Northstar removed over time that are worth having
# (spec tests-and-security.md §1d): the runtime's launch, many open connections at
# shutdown, stop right after start, mount and umount through the client, and the memory
# cgroup's OOM report for the test-container's leak-memory command (skipped, naming the
# feature, while the runtime puts no container into a cgroup).
. "$(dirname "$0")/../lib.sh"
. "$NS_TOP/tests/scenario_lib.sh"
scen_init

scenario runtime_launch
s_run "Runtime up and running" grep -q "Runtime up and running" "$T/log"
s_eq "the console socket: a socket, mode 0600" "$(stat -c %F:%a "$T/console")" "socket:600"
s_expect "nstar talks to it" 0 "extern:0.0.0" NS ident

scenario open_many_connections_to_the_runtime_and_shutdown
python3 - "$T/console" 200 >"$T/many" 2>&1 <<'EOF' &
import json, socket, sys, time
path, n = sys.argv[1], int(sys.argv[2])
conns = []
for _ in range(n):
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    s.sendall(b'{"connect":{"version":"0.9.3","subscribe_notifications":false}}\n')
    conns.append(s)
acked = sum(1 for s in conns if b"connect_ack" in s.recv(4096))
print("acked", acked, flush=True)
for s in conns:
    s.settimeout(20)
closed = 0
for s in conns:
    try:
        while s.recv(4096):
            pass
        closed += 1
    except OSError:
        pass
print("closed", closed, flush=True)
EOF
MANY=$!
i=0
until grep -q acked "$T/many" || [ $i -gt 100 ]; do sleep 0.1; i=$((i + 1)); done
s_eq "200 connections, each acknowledged" "$(grep acked "$T/many")" "acked 200"
NS shutdown >/dev/null 2>&1
daemon_wait
s_eq "shutdown with them open: exit 0" "$?" 0
wait $MANY
s_eq "every connection closed by the runtime" "$(grep closed "$T/many")" "closed 200"
s_assume "shutdown complete" "Shutdown complete"

scenario start_stop_test_container_without_waiting
install_test_container
i=1
while [ $i -le 10 ]; do
	s_expect "round $i: start" 0 "started" NS start $TC
	stop $TC
	i=$((i + 1))
done

scenario mount_umount_test_container_via_client
install_test_container
s_expect "mount the test-container" 0 "ok" NS mount $TC
s_eq "it is mounted" "$(NS inspect $TC | grep '"mounted"')" '  "mounted": true,'
s_eq "only what was asked (as Northstar): the resource is not" \
	"$(NS inspect $TR | grep '"mounted"')" '  "mounted": false,'
s_expect "umount it" 0 "ok" NS umount $TC
s_eq "it is unmounted" "$(NS inspect $TC | grep '"mounted"')" '  "mounted": false,'
s_expect "mount it again" 0 "ok" NS mount $TC
s_expect "umount again" 0 "ok" NS umount $TC

scenario cgroups_memory
s_expect "install test-resource" 0 "installed" NS install "$NPK/test-resource-0.0.1.npk" mem
s_run "repack the test-container with a 10 MB memory limit" with_manifest \
	"$NPK/test-container-0.0.1.npk" "$T/tc-mem.npk" \
	'/^cgroups:$/a\  memory:\n    oom_monitor: true\n    memory_hard_limit: 10000000\n    swappiness: 0'
s_expect "install it" 0 "installed" NS install "$T/tc-mem.npk" mem
tc sleep
s_assume "Sleeping" "test-container:0.0.1: Sleeping\.\.\.$"
NS inspect $TC >"$T/inspect.json" 2>&1
stop $TC
if grep -q '"statistics": {}' "$T/inspect.json"; then
	s_skip "leak-memory: out of memory" "cgroups missing in northstard (issue 8): no statistics in inspect"
else
	tc leak-memory
	s_assume "Leaking memory" "test-container:0.0.1: Leaking memory$"
	s_assume "out of memory, logged" "Process test-container:0.0.1 is out of memory" 20
	s_note "out of memory, notified" "^container test-container:0.0.1 memory event " 5
	s_note "the container ends" "^container test-container:0.0.1 exited with status signalled (9|15)$" 10
fi

scen_done
