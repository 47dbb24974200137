#!/bin/sh
# Runs the test suites and prints one summary line: "N passed, N failed, N skipped".
# Every test program speaks TAP ("ok", "not ok", "ok ... # SKIP reason").
#   tests/run.sh BUILD [SUITE...]   suites: unit asan integration fuzz vm (default: all)
#   NS_RUN=qemu-aarch64-static ...  runs the unit tests through it (make check-cross)
#   NS_INTEGRATION="daemon_basic nstar"  runs only those integration files
set -u
BUILD=${1:-build}
shift 2>/dev/null || true
SUITES=${*:-unit asan integration fuzz vm}
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "$BUILD" && pwd)

# The tests run build-tree programs as uid 1000 (the examples, tests/helpers, the
# binary itself as a container's init). A checkout that user cannot reach, under /root
# (mode 0700) for one, is bound onto a directory it can for the run: no mode of the
# user's own directories changes.
STAGED=""
unstage() {
	for s in $STAGED; do
		umount "$s" 2>/dev/null || umount -l "$s" 2>/dev/null
		rmdir "$s" 2>/dev/null
	done
	STAGED=""
}
# reachable DIR: true when uid 1000 can enter DIR (or when that cannot be asked).
reachable() {
	[ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1 || return 0
	setpriv --reuid 1000 --regid 1000 --clear-groups sh -c 'cd "$1"' _ "$1" 2>/dev/null
}
# stage DIR: prints a path to DIR that uid 1000 can reach, binding DIR when needed.
stage() {
	if reachable "$1"; then
		echo "$1"
		return 0
	fi
	s=$(mktemp -d /tmp/nstree.XXXXXX) && chmod 755 "$s" && mount --bind "$1" "$s" || {
		[ -n "${s:-}" ] && rmdir "$s" 2>/dev/null
		echo "run.sh: uid 1000 cannot reach $1 and binding it elsewhere failed" >&2
		echo "$1"
		return 0
	}
	echo "note: uid 1000 cannot reach $1; the tests use it as $s" >&2
	echo "$s"
}
trap unstage EXIT
trap 'exit 130' INT TERM HUP
rel=""
case $BUILD in "$TOP"/*) rel=${BUILD#"$TOP"} ;; esac
TOP=$(stage "$TOP")
case $TOP in /tmp/nstree.*) STAGED=$TOP ;; esac
[ -n "$rel" ] && BUILD=$TOP$rel
# the checkout's own directory may be closed too (mode 0700): then the build tree apart
BUILD=$(stage "$BUILD")
case $BUILD in /tmp/nstree.*) STAGED="$BUILD $STAGED" ;; esac
LOGS=$BUILD/test-logs
rm -rf "$LOGS"
mkdir -p "$LOGS"
export NS_TOP="$TOP" NS_BUILD="$BUILD" NS_BIN="$BUILD/northstar"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

passed=0 failed=0 skipped=0
: >"$LOGS/skips" >"$LOGS/failures"
start=$(date +%s)

# run_tap SUITE NAME CMD...: runs one TAP program and tallies its lines.
run_tap() {
	suite=$1 name=$2
	shift 2
	log="$LOGS/$suite-$(echo "$name" | tr '/ ' '__').log"
	t0=$(date +%s)
	"$@" >"$log" 2>&1 </dev/null
	rc=$?
	p=$(grep -cE '^ok ' "$log" | tr -d ' ')
	s=$(grep -cE '^ok .*# SKIP' "$log" | tr -d ' ')
	f=$(grep -cE '^not ok ' "$log" | tr -d ' ')
	p=$((p - s))
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		echo "not ok - $name exited with status $rc" >>"$log"
		f=1
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	grep -E '^ok .*# SKIP' "$log" | sed "s|^|$suite/$name: |" >>"$LOGS/skips"
	status=PASS
	[ "$f" != 0 ] && status=FAIL
	printf '%-5s %-12s %-40s %3d ok %3d failed %3d skipped  %3ds\n' "$status" "$suite" "$name" \
		"$p" "$f" "$s" $(($(date +%s) - t0))
	if [ "$f" != 0 ]; then
		echo "---- $log" | tee -a "$LOGS/failures"
		tail -n 40 "$log" | tee -a "$LOGS/failures"
		echo "----"
	fi
}

# What earlier runs may have left on this machine that later tests would trip over:
# cgroups holding v1 real-time time, loop devices, our mounts. Printed, not fixed.
host_leftovers() {
	for d in /sys/fs/cgroup/cpu/*/ /sys/fs/cgroup/cpu,cpuacct/*/; do
		v=$(cat "$d/cpu.rt_runtime_us" 2>/dev/null) || continue
		[ "$v" = 0 ] || echo "note: $d holds $v us of real-time time"
	done
	n=$(losetup -a 2>/dev/null | wc -l)
	[ "$n" = 0 ] || echo "note: $n loop device(s) attached before the tests"
	n=$(grep -c ' /tmp/ns-' /proc/self/mounts)
	[ "$n" = 0 ] || echo "note: $n mount(s) below /tmp/ns-* before the tests"
	return 0
}
host_leftovers

for suite in $SUITES; do
	case $suite in
	unit)
		# NS_RUN: a runner for another architecture's tests (make check-cross sets
		# qemu-user); empty for native ones.
		for t in "$BUILD"/tests/unit/test_*; do
			# shellcheck disable=SC2086
			[ -x "$t" ] && run_tap unit "$(basename "$t")" ${NS_RUN:-} "$t"
		done
		;;
	asan)
		for t in "$BUILD"/asan/tests/unit/test_*; do
			[ -x "$t" ] && run_tap asan "$(basename "$t")" "$t"
		done
		;;
	integration)
		for t in "$TOP"/tests/integration/*.sh; do
			n=$(basename "$t" .sh)
			# NS_INTEGRATION: only these files (names without .sh), when set
			case " ${NS_INTEGRATION:-$n} " in *" $n "*) ;; *) continue ;; esac
			[ -f "$t" ] && run_tap integration "$n" sh "$t"
		done
		;;
	fuzz)
		run_tap fuzz smoke sh "$TOP/tests/fuzz/run.sh" "$BUILD"
		;;
	vm)
		if [ -f "$TOP/tests/vm/run.sh" ]; then
			run_tap vm qemu sh "$TOP/tests/vm/run.sh" "$BUILD"
		fi
		;;
	*)
		echo "run.sh: unknown suite '$suite'" >&2
		exit 2
		;;
	esac
done

if [ -s "$LOGS/skips" ]; then
	echo
	echo "Skipped, with reasons:"
	sed 's/^/  /' "$LOGS/skips"
fi
echo
echo "Test time: $(($(date +%s) - start)) s; logs in $LOGS"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
