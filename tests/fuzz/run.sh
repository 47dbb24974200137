#!/bin/sh
# Short libFuzzer runs of every target over its committed corpus (TAP output).
# tests/fuzz/run.sh BUILD [SECONDS]
set -u
BUILD=$1
SECS=${2:-${NS_FUZZ_SECONDS:-10}}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
n=0 fails=0
for f in "$BUILD"/fuzz/fuzz_*; do
	[ -x "$f" ] || continue
	name=$(basename "$f")
	n=$((n + 1))
	corpus="$BUILD/fuzz-corpus/$name"
	rm -rf "$corpus"
	mkdir -p "$corpus"
	[ -d "$TOP/tests/fuzz/corpus/$name" ] && cp -r "$TOP/tests/fuzz/corpus/$name/." "$corpus/"
	if "$f" -max_total_time="$SECS" -max_len=65536 -rss_limit_mb=1024 -timeout=10 \
		-print_final_stats=1 "$corpus" >"$BUILD/fuzz-$name.log" 2>&1; then
		echo "ok $n - $name ran ${SECS}s without a crash"
	else
		echo "not ok $n - $name"
		tail -n 30 "$BUILD/fuzz-$name.log" | sed 's/^/  # /'
		fails=$((fails + 1))
	fi
done
if [ $n = 0 ]; then
	echo "ok 1 - fuzz # SKIP no fuzz targets built"
	n=1
fi
echo "1..$n"
[ $fails = 0 ]
