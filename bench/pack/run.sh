#!/bin/sh
# Packs a 200 MiB tree of mixed files with the native squashfs writer and with
# mksquashfs (gzip, 128 KiB blocks, two processors) in the same run, and prints
# wall time and image size side by side, with ratios (native / mksquashfs).
#   bench/pack/run.sh BUILD [RUNS]
set -eu
BUILD=$(cd "${1:-build}" && pwd)
RUNS=${2:-3}
MK=$BUILD/tests/helpers/mksqfs
W=$BUILD/bench-pack
command -v mksquashfs >/dev/null || { echo "pack: mksquashfs not installed"; exit 1; }
[ -x "$MK" ] || { echo "pack: $MK not built (make helpers)"; exit 1; }
mkdir -p "$W"

if [ ! -f "$W/tree.done" ]; then
	rm -rf "$W/tree"
	python3 - "$W/tree" <<'PY'
import os, random, sys
root = sys.argv[1]
rnd = random.Random(2024)
words = [bytes(rnd.choice(b"abcdefghijklmnopqrstuvwxyz") for _ in range(rnd.randint(2, 9)))
         for _ in range(4000)]
def text(n):
    out, size = [], 0
    while size < n:
        line = b" ".join(rnd.choice(words) for _ in range(rnd.randint(4, 14))) + b"\n"
        out.append(line)
        size += len(line)
    return b"".join(out)[:n]
def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    open(path, "wb").write(data)
pool = text(8 << 20)
for i in range(3):                       # 60 MiB random, three large files
    write("%s/large/random-%d.bin" % (root, i), os.urandom(20 << 20))
for i in range(30):                      # 60 MiB text in 2 MiB files
    write("%s/docs/part%02d/text-%d.txt" % (root, i % 6, i), text(2 << 20))
for i in range(160):                     # ~40 MiB medium files, half text, half random
    n = rnd.randint(50 << 10, 450 << 10)
    data = os.urandom(n) if i % 2 else pool[rnd.randint(0, len(pool) - n):][:n]
    write("%s/lib/mod%02d/file-%03d" % (root, i % 16, i), data)
for i in range(20000):                   # ~40 MiB of small files
    n = rnd.randint(0, 4000)
    data = os.urandom(n) if i % 3 == 0 else pool[i * 97 % (len(pool) - n):][:n]
    write("%s/small/d%03d/f%05d" % (root, i % 200, i), data)
PY
	touch "$W/tree.done"
fi
tree_mb=$(du -sm "$W/tree" | cut -f1)

# best wall time of RUNS runs (after one warm-up that also fills the page cache)
best() { # OUT CMD...
	out=$1
	shift
	"$@" >/dev/null 2>&1
	b=""
	i=0
	while [ $i -lt "$RUNS" ]; do
		rm -f "$out"
		t0=$(date +%s%N)
		"$@" >/dev/null 2>&1
		t=$(($(date +%s%N) - t0))
		if [ -z "$b" ] || [ $t -lt "$b" ]; then b=$t; fi
		i=$((i + 1))
	done
	echo "$b"
}

nt=$(best "$W/native.img" "$MK" -j 2 -u 0 -g 0 -t 0 "$W/tree" "$W/native.img")
mt=$(best "$W/ref.img" mksquashfs "$W/tree" "$W/ref.img" -noappend -no-progress -comp gzip \
	-b 131072 -processors 2 -force-uid 0 -force-gid 0)
ns=$(stat -c %s "$W/native.img")
ms=$(stat -c %s "$W/ref.img")
echo "tree: ${tree_mb} MiB, $(find "$W/tree" -type f | wc -l) files; best of $RUNS runs; $(nproc) CPUs"
awk -v nt="$nt" -v mt="$mt" -v ns="$ns" -v ms="$ms" 'BEGIN {
	printf "%-12s %10s %14s\n", "", "time (s)", "image (bytes)"
	printf "%-12s %10.2f %14d\n", "native", nt / 1e9, ns
	printf "%-12s %10.2f %14d\n", "mksquashfs", mt / 1e9, ms
	printf "%-12s %10.3f %14.4f\n", "ratio", nt / mt, ns / ms
}'
