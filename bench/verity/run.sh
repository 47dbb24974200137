#!/bin/sh
# Hash-tree build throughput: libns (ns_verity_format through npktool) against
# `veritysetup format` on the same 256 MiB file in the same run, best of 3 each.
#   bench/verity/run.sh BUILD
set -u
BUILD=$(cd "${1:-build}" && pwd)
TOOL=$BUILD/tests/helpers/npktool
MIB=${NS_BENCH_VERITY_MIB:-256}
SALT=7d4342e389cd8170072d595950576be3e9b075150ee53955dfe6c9b1decd7d5b
UUID=4e49fa0c-4608-4996-99ae-50ae78103a53
dir=$BUILD/bench/verity
mkdir -p "$dir"
trap 'rm -f "$dir/data" "$dir/hash.ours" "$dir/hash.theirs"' EXIT

[ -x "$TOOL" ] || { echo "verity: $TOOL missing (make helpers)"; exit 1; }
command -v veritysetup >/dev/null 2>&1 || { echo "verity: veritysetup missing"; exit 1; }
head -c $((MIB * 1024 * 1024)) /dev/urandom >"$dir/data"
cat "$dir/data" >/dev/null # both runs read from the page cache

now_ns() { date +%s%N; }
# best_ms CMD...: the fastest of three runs, in milliseconds.
best_ms() {
	best=
	for _ in 1 2 3; do
		rm -f "$dir/hash.ours" "$dir/hash.theirs"
		t0=$(now_ns)
		"$@" >/dev/null || { echo "verity: '$*' failed" >&2; exit 1; }
		t=$((($(now_ns) - t0) / 1000000))
		if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
	done
	echo "$best"
}

ours=$(best_ms "$TOOL" verity-format "$dir/data" "$dir/hash.ours" 0 $((MIB * 1024 * 1024)) \
	"$SALT" "$UUID")
theirs=$(best_ms veritysetup format --salt="$SALT" --uuid="$UUID" "$dir/data" "$dir/hash.theirs")
"$TOOL" verity-format "$dir/data" "$dir/hash.ours" 0 $((MIB * 1024 * 1024)) "$SALT" "$UUID" >/dev/null
veritysetup format --salt="$SALT" --uuid="$UUID" "$dir/data" "$dir/hash.theirs" >/dev/null
same=no
cmp -s "$dir/hash.ours" "$dir/hash.theirs" && same=yes

cpus=$(getconf _NPROCESSORS_ONLN)
printf 'hash tree of %d MiB (%s CPUs online), best of 3\n' "$MIB" "$cpus"
awk -v mib="$MIB" -v ours="$ours" -v theirs="$theirs" -v same="$same" 'BEGIN {
	if (ours < 1) ours = 1
	if (theirs < 1) theirs = 1
	printf "  %-22s %7d ms  %7.0f MiB/s\n", "libns ns_verity_format", ours, mib * 1000 / ours
	printf "  %-22s %7d ms  %7.0f MiB/s\n", "veritysetup format", theirs, mib * 1000 / theirs
	printf "  speed ratio libns/veritysetup: %.2f  (identical output: %s)\n", theirs / ours, same
}'
