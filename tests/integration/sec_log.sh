#!/bin/sh
# Issue 14, items 10 and 11: container output must never make the daemon wait for its
# log sink, and must never forge a log line or drive the terminal.
#
# The daemon's stdout and stderr go into a FIFO read by a slow reader (about 20 KB/s,
# a serial console's speed) that appends to $T/log. A container floods its output;
# console requests must still be answered at once, the loss is counted in one record,
# and once the flood stops the log catches up. Then: a stalled reader (stopped), io:
# inherit copies, the per-container rate limit on a fast sink, and the escapes.
. "$(dirname "$0")/../lib.sh"
. "$NS_TOP/tests/daemon_lib.sh"
daemon_init
ln -s busybox "$T/root/bin/yes"
ln -s busybox "$T/root/bin/printf"

flood_line=$(printf 'flood %.0s0123456789' 1 2 3 4 5 6)
manifest flood 0.0.1 <<EOF2
init: /bin/yes
args: ["$flood_line"]
uid: 1000
gid: 1000
io:
  stdout: pipe
  stderr: pipe
EOF2
pack flood 0.0.1
sed -e 's/^name: flood/name: empty/' -e 's/^args: .*/args: [""]/' "$T/flood-0.0.1.yaml" \
	>"$T/empty-0.0.1.yaml"
pack empty 0.0.1
sed 's/stdout: pipe/stdout: inherit/' "$T/flood-0.0.1.yaml" >"$T/inherit-0.0.1.yaml"
sed -i 's/^name: flood/name: inherit/' "$T/inherit-0.0.1.yaml"
pack inherit 0.0.1
manifest hello 0.0.1 <<'EOF2'
init: /bin/sh
args: [-c, "echo hello after the flood"]
uid: 1000
gid: 1000
io:
  stdout: pipe
  stderr: pipe
EOF2
pack hello 0.0.1
# Forged records: CR, ESC sequences (cursor up, erase line, a title), C1 (NEL, CSI),
# U+2028, a bidi override, invalid UTF-8 and NUL, on stdout and stderr.
manifest forge 0.0.1 <<'EOF2'
init: /bin/sh
args: [-c, "printf 'x\\rINFO  northstard: forged\\n'; printf '\\033[1A\\033[2Kup\\033]0;t\\007\\n'; printf 'nel\\302\\205csi\\302\\233m ls\\342\\200\\250 rlo\\342\\200\\256 bad\\377\\300 nul\\000end\\n' >&2; printf 'crlf\\r\\n'"]
uid: 1000
gid: 1000
io:
  stdout: pipe
  stderr: pipe
EOF2
pack forge 0.0.1

# The slow reader: 1 KiB every 50 ms (as fast as it can once $T/fast exists); SIGSTOP
# stalls it like XOFF on a serial line.
mkfifo "$T/sink"
slow_reader() {
	$NSD_PY -c '
import os, sys, time
out = os.open(sys.argv[1], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
while True:
    b = os.read(0, 1024)
    if not b:
        break
    os.write(out, b)
    if not os.path.exists(sys.argv[2]):
        time.sleep(0.05)
' "$T/log" "$T/fast" <"$T/sink" &
	RPID=$!
}
slow_start() {
	: >>"$T/log"
	ss_from=$(($(wc -l <"$T/log") + 1))
	slow_reader
	"$NS_BIN" northstard -c "$T/northstar.yaml" -v >"$T/sink" 2>&1 &
	DPID=$!
	for ss_i in $(seq 1 200); do
		tail -n +"$ss_from" "$T/log" | grep -q "Runtime up and running" && return 0
		sleep 0.1
	done
	return 1
}
reader_cleanup() {
	[ -n "${RPID:-}" ] && kill -CONT "$RPID" 2>/dev/null
	daemon_cleanup
	[ -n "${RPID:-}" ] && kill "$RPID" 2>/dev/null
}
trap reader_cleanup EXIT INT TERM

now_ms() { date +%s%3N; }
# Times $1 list requests; prints the slowest in ms, then every figure.
list_times() {
	lt_max=0 lt_all=""
	for lt_i in $(seq 1 "$1"); do
		lt_t0=$(now_ms)
		C list >/dev/null
		lt_dt=$(($(now_ms) - lt_t0))
		[ $lt_dt -gt $lt_max ] && lt_max=$lt_dt
		lt_all="$lt_all $lt_dt"
		sleep 0.1
	done
	echo "$lt_max$lt_all"
}
LIST_MAX_MS=${LIST_MAX_MS:-500}

# a cgroup of our own: other tests remove northstar-test when they end
own_cgroup() { sed -i "s/^cgroup: .*/cgroup: ns-seclog-$$/" "$T/northstar.yaml"; }
write_config "log:" "  buffer_size: 64KiB"
own_cgroup
slow_start || { t_fail "daemon starts on a slow sink" "$(cat "$T/log")"; t_done; exit 1; }
t_ok "daemon starts on a slow sink"
for c in flood inherit hello forge; do
	C install "$T/$c-0.0.1.npk" mem >/dev/null
done

# --- a flood into a slow sink -------------------------------------------------------
idle=$(list_times 3)
echo "# list without flood, ms (max, each):$idle"
cpu() { awk '{ print $14 + $15 }' "/proc/$DPID/stat"; }
C start flood:0.0.1 >/dev/null
sleep 2
cpu0=$(cpu) t0=$(now_ms)
busy=$(list_times 10)
ticks=$(($(cpu) - cpu0)) dt=$(($(now_ms) - t0)) hz=$(getconf CLK_TCK)
echo "# the daemon's CPU under the flood: $ticks ticks of 1/$hz s in $dt ms"
t_run "the flood costs the daemon under a quarter of a core" \
	test $((ticks * 1000 * 4 / hz)) -lt "$dt"
echo "# list under the flood into a 20 KB/s sink, ms (max, each):$busy"
t_run "list answers within ${LIST_MAX_MS} ms under the flood" test "${busy%% *}" -lt "$LIST_MAX_MS"
case $(C inspect flood:0.0.1) in
*'"process":{"pid":'*) t_ok "the flooding container runs" ;;
*) t_fail "the flooding container runs" "$(C inspect flood:0.0.1)" ;;
esac
t0=$(now_ms)
C kill flood:0.0.1 >/dev/null
t_run "kill answers within ${LIST_MAX_MS} ms under the flood" test $(($(now_ms) - t0)) -lt "$LIST_MAX_MS"
t_run "the log catches up: the exit is logged" log_wait "Process flood:0.0.1 exited" 30
t_run "one record counts the dropped lines" \
	grep -qE "WARN  flood:0.0.1: [0-9]+ lines dropped$" "$T/log"
t_run "flood lines were logged too" grep -q "INFO  flood:0.0.1: $flood_line$" "$T/log"
t_run "none of our own records was lost" sh -c "! grep -q 'log records lost' '$T/log'"
t_eq "after the flood: a container's line is logged" "$(C run hello:0.0.1)" '{"exit":{"code":0}}'
t_run "after the flood: its line is in the log" log_wait "hello:0.0.1: hello after the flood$" 10
t_run "every line of the log is whole" sh -c \
	"! grep -avE '^[0-9T:.-]+Z (ERROR|WARN |INFO |DEBUG|TRACE) ' '$T/log'"

# --- io: inherit copies: the same bounds --------------------------------------------
C start inherit:0.0.1 >/dev/null
sleep 2
busy=$(list_times 5)
echo "# list under an io: inherit flood, ms (max, each):$busy"
t_run "inherit: list answers within ${LIST_MAX_MS} ms" test "${busy%% *}" -lt "$LIST_MAX_MS"
C kill inherit:0.0.1 >/dev/null
t_run "inherit: the exit is logged" log_wait "Process inherit:0.0.1 exited" 30
t_run "inherit: the dropped bytes are counted" \
	grep -qE "WARN  inherit:0.0.1: [0-9]+ bytes of output dropped$" "$T/log"

# --- a stalled sink (the reader stopped, as XOFF does) -----------------------------
kill -STOP "$RPID"
C start flood:0.0.1 >/dev/null
sleep 1
busy=$(list_times 5)
echo "# list with the sink stalled, ms (max, each):$busy"
t_run "stalled sink: list answers within ${LIST_MAX_MS} ms" test "${busy%% *}" -lt "$LIST_MAX_MS"
# shutdown with a full queue and nobody reading: the wait for the sink is bounded
t0=$(now_ms)
C shutdown >/dev/null
daemon_wait
rc=$?
dt=$(($(now_ms) - t0))
echo "# shutdown with the sink stalled: ${dt} ms"
t_eq "stalled sink: shutdown ends the daemon (status 0)" "$rc" 0
t_run "stalled sink: shutdown within 15 s" test "$dt" -lt 15000
kill -CONT "$RPID"
wait "$RPID"

# the sink stalls, then takes everything during the wait at exit: nothing is lost
rm -f "$T/sink" && mkfifo "$T/sink"
slow_start || { t_fail "daemon starts again on a slow sink" "$(cat "$T/log")"; t_done; exit 1; }
C install "$T/flood-0.0.1.npk" mem >/dev/null
kill -STOP "$RPID"
C start flood:0.0.1 >/dev/null
sleep 1
C shutdown >/dev/null
touch "$T/fast"
kill -CONT "$RPID"
daemon_wait
t_eq "sink back at exit: shutdown ends the daemon (status 0)" "$?" 0
wait "$RPID"
RPID=""
t_run "sink back at exit: the queued records are written, the last one too" \
	sh -c "tail -n 1 '$T/log' | grep -q 'INFO  northstard: Shutdown complete$'"
t_run "sink back at exit: the drops are reported" \
	sh -c "tail -n 30 '$T/log' | grep -qE 'WARN  flood:0.0.1: [0-9]+ lines dropped$'"
rm -f "$T/fast"

# --- escapes -------------------------------------------------------------------------
rm -rf "$T/run" "$T/data"
: >"$T/log"
write_config "log:" "  output_rate: 8KiB" "  output_burst: 16KiB"
own_cgroup
daemon_start || { t_fail "daemon restarts on a file" "$(cat "$T/log")"; t_done; exit 1; }
for c in flood forge empty; do
	C install "$T/$c-0.0.1.npk" mem >/dev/null
done
t_eq "forge: runs" "$(C run forge:0.0.1)" '{"exit":{"code":0}}'
log_wait "forge:0.0.1: crlf$" 5
t_run "CR escaped: no forged record" grep -qF 'INFO  forge:0.0.1: x\rINFO  northstard: forged' "$T/log"
t_run "ESC sequences escaped" grep -qF 'INFO  forge:0.0.1: \x1b[1A\x1b[2Kup\x1b]0;t\x07' "$T/log"
t_run "C1, U+2028, bidi override, invalid bytes, NUL escaped" grep -qF \
	'forge:0.0.1: nel\u0085csi\u009bm ls\u2028 rlo\u202e bad\xff\xc0 nul\x00end' "$T/log"
t_run "CRLF: the CR of a line's end is dropped" grep -q 'INFO  forge:0.0.1: crlf$' "$T/log"
t_eq "no raw CR, ESC, BEL or NUL anywhere in the log" \
	"$(tr -cd '\r\033\007\000' <"$T/log" | wc -c)" 0
t_eq "no raw C1 or U+2028 in the log" "$(grep -caE "$(printf '\302\205|\302\233|\342\200\250')" "$T/log")" 0

# --- the rate limit on a fast sink ----------------------------------------------------
C start flood:0.0.1 >/dev/null
sleep 3
C kill flood:0.0.1 >/dev/null
log_wait "Process flood:0.0.1 exited" 10
bytes=$(grep -a "INFO  flood:0.0.1: flood" "$T/log" | sed 's/^.*INFO  flood:0.0.1: //' | wc -c)
echo "# rate 8 KiB/s, burst 16 KiB, 3 s of flood: $bytes bytes of lines logged"
t_run "rate limit: at most burst + rate x time logged (3 s + 1 s slack)" test "$bytes" -le $((16384 + 8192 * 4))
# a line costs its record: 60 bytes and a newline logged of every 61 + 34 + 11 metered
t_run "rate limit: the burst was logged" test "$bytes" -ge $((16384 * 61 / 106))
t_run "rate limit: dropped lines counted" grep -qE "WARN  flood:0.0.1: [0-9]+ lines dropped$" "$T/log"
n=$(grep -cE "WARN  flood:0.0.1: [0-9]+ lines dropped$" "$T/log")
t_run "rate limit: at most one report a second ($n)" test "$n" -le 5
# empty lines: metered by what their records take, not by their one byte
C start empty:0.0.1 >/dev/null
sleep 3
C kill empty:0.0.1 >/dev/null
log_wait "Process empty:0.0.1 exited" 10
lines=$(grep -ac "INFO  empty:0.0.1: $" "$T/log")
echo "# empty lines, 3 s at 8 KiB/s, burst 16 KiB: $lines records"
t_run "rate limit: empty lines cost their record ($lines <= $(((16384 + 8192 * 4) / 46)))" \
	test "$lines" -le $(((16384 + 8192 * 4) / 46))
t_run "rate limit: empty lines: dropped lines counted" \
	grep -qE "WARN  empty:0.0.1: [0-9]+ lines dropped$" "$T/log"
daemon_stop
t_eq "daemon stops" "$?" 0
t_done
