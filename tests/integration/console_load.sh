#!/bin/sh
# Load on the console (tests/helpers/conload): 100 concurrent clients x 1000 requests
# (list, inspect of a running and a stopped container, ident, repositories, a token),
# every one answered; RSS growth under 1 MiB between the 10,000th and the 100,000th
# request; no descriptor growth (/proc/PID/fd) across it all.
. "$(dirname "$0")/../lib.sh"
. "$NS_TOP/tests/daemon_lib.sh"
daemon_init
for n in app other; do
	manifest $n 0.0.1 <<'EOF2'
init: /bin/sh
args: [-c, "exec sleep 300"]
uid: 1000
gid: 1000
EOF2
	pack $n 0.0.1
	cp "$T/$n-0.0.1.npk" "$T/repo/"
done
CONSOLE_OPTIONS="    options:
      max_requests_per_sec: 1000000" write_config
daemon_start || { t_fail "daemon starts" "$(tail "$T/log")"; t_done; exit 1; }
C start app:0.0.1 >/dev/null
LOAD="$NS_BUILD/tests/helpers/conload -u unix://$T/console"
set -- -r '{"request":"list"}' -r '{"request":{"inspect":{"container":"app:0.0.1"}}}' \
	-r '{"request":"ident"}' -r '{"request":{"inspect":{"container":"other:0.0.1"}}}' \
	-r '{"request":"repositories"}' -r '{"request":{"token_create":{"target":"x","shared":""}}}'
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$DPID/status"; }
fds() { ls "/proc/$DPID/fd" | wc -l; }
fds0=$(fds)

out=$($LOAD -c 100 -n 100 "$@")
t_run "the first 10,000 requests: all answered" test $? = 0
rss1=$(rss)
fds1=$(fds)
out=$($LOAD -c 100 -n 900 "$@")
t_run "up to 100,000 requests: all answered ($out)" test $? = 0
rss2=$(rss)
t_run "RSS growth between 10,000 and 100,000 requests under 1 MiB ($rss1 -> $rss2 KiB)" \
	test $((rss2 - rss1)) -lt 1024
t_eq "no descriptor growth" "$(fds)" "$fds1"
out=$($LOAD -c 100 -n 1000 "$@")
t_run "100 concurrent clients x 1000 requests: all answered ($out)" test $? = 0
t_eq "20,000 pipelined requests (sent while reading): all answered, in order" "$($NSD_PY -c '
import socket, sys, threading
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"{\"connect\":{\"version\":\"0.9.3\",\"subscribe_notifications\":false}}\n")
reqs = [b"{\"request\":\"ident\"}\n", b"{\"request\":\"list\"}\n"]
threading.Thread(target=lambda: s.sendall(b"".join(reqs[i % 2] for i in range(20000))), daemon=True).start()
buf, want = b"", 20001
while buf.count(b"\n") < want:
    chunk = s.recv(1 << 20)
    if not chunk:
        break
    buf += chunk
lines = buf.split(b"\n")[1:want]
ok = all((b"ident" in l) == (i % 2 == 0) for i, l in enumerate(lines))
print(len(lines), ok)' "$T/console")" "20000 True"
t_eq "no descriptor growth after 220,000 requests" "$(fds)" "$fds0"
t_eq "the daemon still serves" "$(C ident)" '{"response":{"ident":"extern:0.0.0"}}'
daemon_stop
t_done
