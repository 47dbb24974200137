#!/bin/sh
# make bench: runs every bench/*/run.sh; each prints its figures beside its reference.
set -u
BUILD=$(cd "${1:-build}" && pwd)
TOP=$(cd "$(dirname "$0")/.." && pwd)
found=0
for b in "$TOP"/bench/*/run.sh; do
	[ -f "$b" ] || continue
	found=1
	echo "== $(basename "$(dirname "$b")")"
	sh "$b" "$BUILD" || echo "benchmark $(basename "$(dirname "$b")") failed"
done
[ $found = 1 ] || echo "no benchmarks yet"
