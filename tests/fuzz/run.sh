#!/bin/sh
# make check's smoke run: every libFuzzer target briefly over its committed corpus and
# the generated seeds (seeds.sh), TAP output. Any sanitizer finding fails it (env.sh).
# tests/fuzz/run.sh BUILD [SECONDS]   (default NS_FUZZ_SECONDS or 8 per target)
set -u
BUILD=$1
SECS=${2:-${NS_FUZZ_SECONDS:-8}}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/tests/fuzz/env.sh"
n=0 fails=0
seeds="$BUILD/fuzz-seeds"
if ls "$BUILD"/fuzz/fuzz_* >/dev/null 2>&1 && ! sh "$TOP/tests/fuzz/seeds.sh" "$BUILD" "$seeds"; then
	n=1 fails=1
	echo "not ok 1 - seeds.sh could not make the generated seeds"
fi
for f in "$BUILD"/fuzz/fuzz_*; do
	[ -x "$f" ] || continue
	name=$(basename "$f")
	n=$((n + 1))
	corpus="$BUILD/fuzz-corpus-smoke/$name"
	rm -rf "$corpus"
	mkdir -p "$corpus"
	[ -d "$TOP/tests/fuzz/corpus/$name" ] && cp -r "$TOP/tests/fuzz/corpus/$name/." "$corpus/"
	[ -d "$seeds/$name" ] && cp -r "$seeds/$name/." "$corpus/"
	if "$f" -max_total_time="$SECS" -max_len=65536 -rss_limit_mb=2048 -timeout=20 \
		-artifact_prefix="$BUILD/fuzz-smoke-" -print_final_stats=1 "$corpus" \
		>"$BUILD/fuzz-$name.log" 2>&1; then
		echo "ok $n - $name ran ${SECS}s without a finding"
	else
		echo "not ok $n - $name"
		tail -n 30 "$BUILD/fuzz-$name.log" | sed 's/^/  # /'
		fails=$((fails + 1))
	fi
done
if [ $n = 0 ]; then
	echo "ok 1 - fuzz # SKIP no fuzz targets built (make fuzz-build needs clang)"
	n=1
fi
echo "1..$n"
[ $fails = 0 ]
