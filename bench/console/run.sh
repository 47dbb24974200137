#!/bin/sh
# Console throughput: requests per second for list and inspect with 1, 10 and 100
# concurrent clients (tests/helpers/conload: each client sends its next request when
# the answer is there), and the install of a 100 MiB NPK through nstar against cp (and
# cp followed by fsync, as the install syncs) of the same file into the same
# directory, in the same run. A keyed fs repository (signature and hashes checked).
#   bench/console/run.sh BUILD [RUNS]
set -eu
BUILD=$(cd "${1:-build}" && pwd)
RUNS=${2:-3}
BIN=$BUILD/northstar
LOAD=$BUILD/tests/helpers/conload
[ -x "$LOAD" ] || { echo "console: $LOAD not built (make helpers)"; exit 1; }
[ "$(id -u)" = 0 ] || { echo "console: needs root"; exit 1; }
W=$BUILD/bench-console
rm -rf "$W"
mkdir -p "$W/root/bin" "$W/big/bin" "$W/repo" "$W/plain"
"$BIN" sextant gen-key -n bench -o "$W" >/dev/null
busybox=$(command -v busybox)
cp "$busybox" "$W/root/bin/busybox"
ln -s busybox "$W/root/bin/sleep"
cp "$busybox" "$W/big/bin/busybox"
head -c $((100 << 20)) /dev/urandom >"$W/big/payload" # random: squashfs keeps its size

for i in 0 1 2 3 4 5 6 7 8 9; do
	printf 'name: c%s\nversion: 0.0.1\ninit: /bin/sleep\nargs: ["300"]\nuid: 1000\ngid: 1000\n' \
		"$i" >"$W/c$i.yaml"
	"$BIN" sextant pack -m "$W/c$i.yaml" -r "$W/root" -k "$W/bench.key" -o "$W/repo/c$i.npk" >/dev/null
done
printf 'name: big\nversion: 0.0.1\nuid: 1000\ngid: 1000\n' >"$W/big.yaml"
"$BIN" sextant pack -m "$W/big.yaml" -r "$W/big" -k "$W/bench.key" -o "$W/big.npk" >/dev/null
size_mb=$(($(stat -c %s "$W/big.npk") >> 20))

cat >"$W/northstar.yaml" <<EOF2
run_dir: $W/run
data_dir: $W/data
socket_dir: $W/sockets
cgroup: northstar-bench
console:
  global:
    bind: unix://$W/console
    permissions: full
    options:
      max_requests_per_sec: 100000000
      max_npk_install_size: 512M
repositories:
  default:
    type:
      fs:
        dir: $W/repo
    key: $W/bench.pub
    verity: userspace
  plain:
    type:
      fs:
        dir: $W/plain
EOF2
"$BIN" northstard -c "$W/northstar.yaml" >"$W/log" 2>&1 &
DPID=$!
trap 'kill $DPID 2>/dev/null; wait $DPID 2>/dev/null; rm -rf "$W"' EXIT
i=0
until grep -q "Runtime up and running" "$W/log" || [ $i -gt 100 ]; do sleep 0.1; i=$((i + 1)); done
N() { "$BIN" nstar -u "unix://$W/console" "$@"; }
N start c0:0.0.1 >/dev/null

echo "requests per second (10 containers installed, inspect of a running one):"
printf '  %-8s %8s %8s %8s\n' request "1 client" "10" "100"
for req in list inspect; do
	case $req in
	list) line='{"request":"list"}' ;;
	inspect) line='{"request":{"inspect":{"container":"c0:0.0.1"}}}' ;;
	esac
	row=""
	for c in 1 10 100; do
		n=$((20000 / c))
		[ $n -lt 300 ] && n=300
		rps=$("$LOAD" -u "unix://$W/console" -c $c -n $n -r "$line" | sed 's/.* rps //')
		row="$row $(printf '%8s' "$rps")"
	done
	printf '  %-8s%s\n' "$req" "$row"
done

# best of RUNS, in ms
best() {
	b=""
	k=0
	while [ $k -lt "$RUNS" ]; do
		"$@" pre
		t0=$(date +%s%N)
		"$@" run
		t=$((($(date +%s%N) - t0) / 1000000))
		[ -z "$b" ] || [ "$t" -lt "$b" ] && b=$t
		k=$((k + 1))
	done
	echo "$b"
}
REPO=default
install_once() {
	if [ "$1" = pre ]; then
		N uninstall big:0.0.1 >/dev/null 2>&1 || true
		sync
	else
		N install "$W/big.npk" $REPO >/dev/null
	fi
}
cp_once() {
	if [ "$1" = pre ]; then rm -f "$W/repo/copy.npk"; sync; else cp "$W/big.npk" "$W/repo/copy.npk"; fi
}
cp_sync_once() {
	if [ "$1" = pre ]; then
		rm -f "$W/repo/copy.npk"
		sync
	else
		cp "$W/big.npk" "$W/repo/copy.npk" && sync -f "$W/repo/copy.npk"
	fi
}
cat "$W/big.npk" >/dev/null # page cache, for all alike
ti=$(best install_once)
REPO=plain
tp=$(best install_once)
tc=$(best cp_once)
ts=$(best cp_sync_once)
echo "install of a $size_mb MiB NPK (best of $RUNS):"
awk -v s="$size_mb" -v ti="$ti" -v tp="$tp" -v tc="$tc" -v ts="$ts" 'BEGIN {
	printf "  nstar install   %6d ms  %6.0f MiB/s   keyed repository (signature, hashes)\n", ti, s / (ti / 1000)
	printf "  nstar install   %6d ms  %6.0f MiB/s   repository without a key\n", tp, s / (tp / 1000)
	printf "  cp              %6d ms  %6.0f MiB/s   keyed/cp %.2f, unkeyed/cp %.2f\n", tc, s / (tc / 1000), ti / tc, tp / tc
	printf "  cp + fsync      %6d ms  %6.0f MiB/s   keyed/(cp+fsync) %.2f, unkeyed/(cp+fsync) %.2f\n", ts, s / (ts / 1000), ti / ts, tp / ts
}'
printf 'daemon RSS after the run: %s KiB\n' "$(awk '/^VmRSS:/ { print $2 }' "/proc/$DPID/status")"
