#!/bin/sh
# Start-to-exit latency of a container running /bin/true: northstard through the console
# (one connection; start; wait for the exit notification), against `unshare --mount
# --pid --ipc --uts --net --fork /bin/true` (the floor) and `crun run` of the same root
# as an OCI bundle (--cgroup-manager=disabled, in a mount namespace where
# /sys/fs/cgroup is a plain cgroup2 mount: crun refuses this machine's hybrid layout).
# Then the same with 100 other containers mounted, and northstard's RSS. Then the cost of
# cgroups: two daemons side by side, one that sees no cgroup file system (none mounted
# in its mount namespace) and one with cgroups, starting a container without limits and
# one with a memory and a CPU limit, interleaved with the floor.
#   bench/start/run.sh BUILD        (NS_BENCH_N runs each, default 200)
set -u
BUILD=$(cd "${1:-build}" && pwd)
TOP=$(cd "$(dirname "$0")/../.." && pwd)
N=${NS_BENCH_N:-200}
NS_BIN=$BUILD/northstar
PY="python3 $TOP/bench/start/bench.py"
W=$BUILD/bench-start

if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null || ! command -v gcc >/dev/null; then
	echo "start: skipped (needs root, unshare and gcc)"
	exit 0
fi
rm -rf "$W"
mkdir -p "$W/root/bin" "$W/root/dev" "$W/repo" "$W/bundle" "$W/clones"
printf 'int main(void) { return 0; }\n' | gcc -static -O2 -x c - -o "$W/root/bin/true" || exit 1
"$NS_BIN" sextant gen-key -n bench -o "$W" >/dev/null
printf 'name: true\nversion: 0.0.1\ninit: /bin/true\nuid: 1000\ngid: 1000\n' >"$W/true.yaml"
"$NS_BIN" sextant pack -m "$W/true.yaml" -r "$W/root" -k "$W/bench.key" -o "$W/repo/true.npk" >/dev/null
printf 'name: other\nversion: 0.0.1\ninit: /bin/true\nuid: 1000\ngid: 1000\n' >"$W/other.yaml"
"$NS_BIN" sextant pack -m "$W/other.yaml" -r "$W/root" -k "$W/bench.key" --clones 100 \
	-o "$W/clones" >/dev/null || exit 1
cat >"$W/northstar.yaml" <<EOT
run_dir: $W/run
data_dir: $W/data
socket_dir: $W/sockets
cgroup: northstar-bench
console:
  global:
    bind: unix://$W/console
    permissions: full
repositories:
  default:
    type:
      fs:
        dir: $W/repo
    key: $W/bench.pub
    verity: userspace
    mount_on_start: true
EOT

DPID=""
start_daemon() {
	: >"$W/log"
	"$NS_BIN" northstard -c "$W/northstar.yaml" >"$W/log" 2>&1 &
	DPID=$!
	i=0
	until grep -q "Runtime up and running" "$W/log"; do
		sleep 0.1
		i=$((i + 1))
		[ $i -gt 300 ] && { echo "start: northstard did not come up"; cat "$W/log"; exit 1; }
	done
}
stop_daemon() {
	kill -TERM "$DPID"
	wait "$DPID"
}
rss_kib() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status"; }
field() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
row() { printf '  %-46s p50 %7s us   p99 %7s us   mean %7s us\n' "$1" "$(field "$2" p50_us)" \
	"$(field "$2" p99_us)" "$(field "$2" mean_us)"; }
trap '[ -n "$DPID" ] && kill -KILL "$DPID" 2>/dev/null' EXIT

# all three interleaved, in a mount namespace with a plain cgroup2 /sys/fs/cgroup (crun)
bundle=-
if command -v crun >/dev/null; then
	$PY bundle "$W/root" "$W/bundle" || exit 1
	bundle=$W/bundle
fi
measure() {
	unshare --mount --propagation private sh -c "mount -t cgroup2 none /sys/fs/cgroup &&
		exec $PY all unix://$W/console true:0.0.1 $N $W/root/bin/true $bundle"
}
pick() { printf '%s\n' "$1" | sed -n "s/^$2 //p"; }

start_daemon
sleep 1
rss_idle=$(rss_kib "$DPID")
res=$(measure) || exit 1
rss_after=$(rss_kib "$DPID")
stop_daemon
ours=$(pick "$res" ours) floor=$(pick "$res" floor) crun=$(pick "$res" crun)
cp "$W"/clones/*.npk "$W/repo/"
start_daemon
sleep 1
rss_100=$(rss_kib "$DPID")
res100=$(measure) || exit 1
stop_daemon
DPID=""
ours100=$(pick "$res100" ours) floor100=$(pick "$res100" floor)

echo "host $(uname -r), $N runs each, interleaved, start to exit of /bin/true (static):"
row "northstard (console start -> exit notification)" "$ours"
row "floor: unshare --mount --pid --ipc --uts --net" "$floor"
[ -n "$crun" ] && row "crun run (cgroups disabled)" "$crun"
row "northstard, 100 other containers mounted" "$ours100"
row "floor, in that run" "$floor100"
echo "  ratio northstard / floor: p50 $(ratio "$(field "$ours" p50_us)" "$(field "$floor" p50_us)"), p99 $(ratio "$(field "$ours" p99_us)" "$(field "$floor" p99_us)")"
echo "  ratio northstard (100 mounted) / floor: p50 $(ratio "$(field "$ours100" p50_us)" "$(field "$floor100" p50_us)"), p99 $(ratio "$(field "$ours100" p99_us)" "$(field "$floor100" p99_us)")"
[ -n "$crun" ] && echo "  ratio crun / northstard: p50 $(ratio "$(field "$crun" p50_us)" "$(field "$ours" p50_us)"), p99 $(ratio "$(field "$crun" p99_us)" "$(field "$ours" p99_us)")"
echo "  northstard RSS: idle $rss_idle KiB, after $N starts $rss_after KiB, 100 mounted $rss_100 KiB"

# --- cgroups: none, a cgroup of its own, memory + CPU limits ----------------------------------
C=$W/cg
mkdir -p "$C/repo"
cp "$W/repo/true.npk" "$C/repo/"
printf 'name: limited\nversion: 0.0.1\ninit: /bin/true\nuid: 1000\ngid: 1000\ncgroups:\n  memory: {memory_hard_limit: 67108864}\n  cpu: {quota: 50000, period: 100000}\n' \
	>"$W/limited.yaml"
"$NS_BIN" sextant pack -m "$W/limited.yaml" -r "$W/root" -k "$W/bench.key" -o "$C/repo/limited.npk" >/dev/null
for v in cg nocg; do
	sed -e "s|$W/run|$C/$v-run|; s|$W/data|$C/$v-data|; s|$W/sockets|$C/$v-sockets|" \
		-e "s|unix://$W/console|unix://$C/$v-console|; s|dir: $W/repo|dir: $C/repo|" \
		-e "s|^cgroup: .*|cgroup: northstar-bench-$v|" "$W/northstar.yaml" >"$C/$v.yaml"
done
"$NS_BIN" northstard -c "$C/cg.yaml" >"$C/cg.log" 2>&1 &
CGPID=$!
unshare --mount --propagation private sh -c 'umount -l /sys/fs/cgroup && exec "$0" "$@"' \
	"$NS_BIN" northstard -c "$C/nocg.yaml" >"$C/nocg.log" 2>&1 &
NOCGPID=$!
trap 'kill -KILL $CGPID $NOCGPID 2>/dev/null' EXIT
i=0
until grep -q "Runtime up and running" "$C/cg.log" && grep -q "Runtime up and running" "$C/nocg.log"; do
	sleep 0.1
	i=$((i + 1))
	[ $i -gt 300 ] && { echo "start: the cgroup daemons did not come up"; cat "$C"/*.log; exit 1; }
done
grep -q "cgroups are not usable" "$C/nocg.log" || { echo "start: the daemon without cgroups found some"; exit 1; }
resc=$(unshare --mount --propagation private sh -c "mount -t cgroup2 none /sys/fs/cgroup &&
	exec $PY multi $N $W/root/bin/true limits=unix://$C/cg-console#limited:0.0.1 nocg=unix://$C/nocg-console#true:0.0.1 \
		cg=unix://$C/cg-console#true:0.0.1") || exit 1
kill -TERM $CGPID $NOCGPID
wait $CGPID $NOCGPID
nocg=$(pick "$resc" nocg) cg=$(pick "$resc" cg) lim=$(pick "$resc" limits) floorc=$(pick "$resc" floor)
layout=$(sed -n "s/.*cgroups: \([a-z0-9]*\) layout.*/\1/p" "$C/cg.log")
echo "cgroups ($layout layout), $N runs each, interleaved:"
row "northstard without cgroups (none mounted)" "$nocg"
row "northstard, a cgroup per container" "$cg"
row "northstard, cgroup with memory + CPU limits" "$lim"
row "floor, in that run" "$floorc"
echo "  ratio with limits / without cgroups: p50 $(ratio "$(field "$lim" p50_us)" "$(field "$nocg" p50_us)"), p99 $(ratio "$(field "$lim" p99_us)" "$(field "$nocg" p99_us)")"
echo "  ratio cgroup, no limits / without cgroups: p50 $(ratio "$(field "$cg" p50_us)" "$(field "$nocg" p50_us)"), p99 $(ratio "$(field "$cg" p99_us)" "$(field "$nocg" p99_us)")"
echo "  ratio with limits / floor: p50 $(ratio "$(field "$lim" p50_us)" "$(field "$floorc" p50_us)"), p99 $(ratio "$(field "$lim" p99_us)" "$(field "$floorc" p99_us)")"
