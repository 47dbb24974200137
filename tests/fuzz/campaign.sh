#!/bin/sh
# make fuzz: every libFuzzer target for FUZZ_SECONDS with FUZZ_JOBS workers, from the
# committed corpus (tests/fuzz/corpus/TARGET) plus generated seeds (seeds.sh), growing
# BUILD/fuzz-corpus/TARGET, which is kept between runs. Findings (crash-*, leak-*,
# timeout-*, oom-*) go to BUILD/fuzz-findings/TARGET/; each is named and the run fails.
# Prints a markdown table (target, exec/s, coverage, corpus growth, findings), also
# written to BUILD/fuzz-report.md.
#   tests/fuzz/campaign.sh BUILD    (FUZZ_SECONDS, FUZZ_JOBS, FUZZ_TARGETS="fuzz_x ...",
#                                    FUZZ_ARGS: more libFuzzer flags)
set -u
BUILD=$(cd "$1" && pwd)
TOP=$(cd "$(dirname "$0")/../.." && pwd)
SECS=${FUZZ_SECONDS:-180}
JOBS=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}
. "$TOP/tests/fuzz/env.sh"

if ! ls "$BUILD"/fuzz/fuzz_* >/dev/null 2>&1; then
	echo "campaign.sh: no fuzz targets in $BUILD/fuzz (make fuzz-build needs clang)" >&2
	exit 1
fi
sh "$TOP/tests/fuzz/seeds.sh" "$BUILD" "$BUILD/fuzz-seeds" || exit 1

report=$BUILD/fuzz-report.md
found=$BUILD/fuzz-findings.txt
: >"$found"
{
	echo "Fuzzing: ${SECS} s per target, ${JOBS} job(s), $(date -u +%Y-%m-%d) on $(uname -m)"
	echo
	echo "| target | exec/s | coverage (cov) | corpus (start → end) | findings |"
	echo "|---|---:|---:|---:|---:|"
} >"$report"

count() { find "$1" -maxdepth 1 -type f 2>/dev/null | wc -l | tr -d ' '; }

for f in "$BUILD"/fuzz/fuzz_*; do
	[ -x "$f" ] || continue
	t=$(basename "$f")
	case " ${FUZZ_TARGETS:-$t} " in *" $t "*) ;; *) continue ;; esac
	corpus=$BUILD/fuzz-corpus/$t
	findings=$BUILD/fuzz-findings/$t
	log=$BUILD/fuzz-$t.log
	mkdir -p "$corpus"
	rm -rf "$findings"
	mkdir -p "$findings"
	seeds=
	for d in "$TOP/tests/fuzz/corpus/$t" "$BUILD/fuzz-seeds/$t"; do
		[ -d "$d" ] && seeds="$seeds $d"
	done
	echo "fuzz: $t for ${SECS}s, $JOBS job(s)" >&2
	# Fork mode: JOBS children, crashes and timeouts saved and the run carried on, new
	# inputs merged into the first directory ($corpus).
	# shellcheck disable=SC2086
	"$f" -fork="$JOBS" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
		-max_total_time="$SECS" -max_len=65536 -rss_limit_mb=2048 -timeout=20 \
		-artifact_prefix="$findings/" -print_final_stats=1 ${FUZZ_ARGS:-} \
		"$corpus" $seeds >"$log" 2>&1
	rc=$?
	# Fork mode reports "#N: cov: C ft: F corp: K exec/s E ..." after each job: the
	# last such line is the end of the run.
	first=$(grep -E '^#[0-9]+: cov: ' "$log" | head -n 1)
	last=$(grep -E '^#[0-9]+: cov: ' "$log" | tail -n 1)
	field() { echo "$1" | awk -v k="$2" '{ for (i = 1; i < NF; i++) if ($i == k || $i == k ":") { print $(i + 1); exit } }'; }
	cov=$(field "$last" cov)
	eps=$(field "$last" exec/s)
	# The corpus at the start: the seed inputs left after fork mode's first merge.
	c0=$(sed -n 's/^INFO: -fork=[0-9]*: \([0-9]*\) seed inputs.*/\1/p' "$log" | head -n 1)
	[ -n "$c0" ] || c0=$(field "$first" corp)
	c1=$(field "$last" corp)
	n=$(count "$findings")
	if [ -z "$last" ] && [ "$n" = 0 ]; then
		# No stats at all: the target did not start (or died at once).
		echo "fuzz: $t did not run (exit $rc), see $log" >&2
		echo "$t: did not run (exit $rc), see $log" >>"$found"
		n=1
	fi
	for a in "$findings"/*; do
		[ -f "$a" ] && echo "$t: $a" >>"$found"
	done
	echo "| $t | ${eps:-?} | ${cov:-?} | ${c0:-?} → ${c1:-?} | $n |" >>"$report"
done

echo
cat "$report"
echo
if [ -s "$found" ]; then
	echo "Findings (reproduce: BUILD/fuzz/TARGET FILE):"
	sed 's/^/  /' "$found"
	exit 1
fi
echo "No findings."
