# Shell helpers for integration tests: TAP output plus a few assertions.
# Sourced by tests/integration/*.sh; NS_TOP, NS_BUILD and NS_BIN come from run.sh.
: "${NS_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${NS_BUILD:=$NS_TOP/build}"
: "${NS_BIN:=$NS_BUILD/northstar}"
# BUILD= for a make the tests run in NS_TOP: relative when the tree is NS_TOP's own, as
# make check's own make had it (an absolute path changes the compiler flags' -I path
# and rebuilds everything).
case $NS_BUILD in
"$NS_TOP"/*) NS_MAKE_BUILD=${NS_BUILD#"$NS_TOP"/} ;;
*) NS_MAKE_BUILD=$NS_BUILD ;;
esac
T_N=0
T_FAILED=0

# Mount namespaces of the tests: every mount in them private, so nothing propagates back.
# unshare's default (--propagation private, on /) fails where / is not a mount point (a
# chroot, some containers): there unshare leaves propagation alone and NS_PRIVATE_MOUNTS,
# run first in the namespace, makes each mount point private one by one. Also mount proc
# after it rather than with unshare --mount-proc (which would detach /proc before).
if mountpoint -q / 2>/dev/null; then
	NS_UNSHARE_PROP="--propagation private"
else
	NS_UNSHARE_PROP="--propagation unchanged"
fi
NS_PRIVATE_MOUNTS='{ mount --make-rprivate / 2>/dev/null || for m in $(cut -d" " -f5 /proc/self/mountinfo); do mount --make-private "$m" 2>/dev/null; done; true; }'

t_ok() {
	T_N=$((T_N + 1))
	echo "ok $T_N - $1"
}
t_fail() {
	T_N=$((T_N + 1))
	T_FAILED=$((T_FAILED + 1))
	echo "not ok $T_N - $1"
	[ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/  # /'
	return 0
}
t_skip() {
	T_N=$((T_N + 1))
	echo "ok $T_N - $1 # SKIP $2"
}

# t_run NAME CMD...: passes when CMD exits 0.
t_run() {
	tr_name=$1
	shift
	if tr_out=$("$@" 2>&1); then t_ok "$tr_name"; else t_fail "$tr_name" "$tr_out"; fi
}

# t_expect NAME STATUS NEEDLE CMD...: CMD exits with STATUS and its output (stdout and
# stderr) contains NEEDLE (empty NEEDLE matches anything).
# Its variables have names of their own: a caller's $out or $rc, often passed in as an
# argument and used again after, must survive the call.
t_expect() {
	te_name=$1 te_want=$2 te_needle=$3
	shift 3
	te_out=$("$@" 2>&1)
	te_rc=$?
	if [ "$te_rc" != "$te_want" ]; then
		t_fail "$te_name" "exit status $te_rc, expected $te_want; output: $te_out"
	elif [ -n "$te_needle" ] && ! printf '%s' "$te_out" | grep -qF -- "$te_needle"; then
		t_fail "$te_name" "output lacks '$te_needle': $te_out"
	else
		t_ok "$te_name"
	fi
}

# t_eq NAME GOT WANT
t_eq() {
	if [ "$2" = "$3" ]; then t_ok "$1"; else t_fail "$1" "got '$2', expected '$3'"; fi
}

t_need_root() {
	[ "$(id -u)" = 0 ]
}

# Loop devices bound to a backing file (autoclear detaches asynchronously, so poll);
# with DIR, only those whose backing file lies below it (another test may run beside).
# Helpers' variables carry a prefix of their own: a caller's $n or $f survives.
loop_count() {
	lc_n=0
	for lc_f in /sys/block/loop*/loop/backing_file; do
		[ -f "$lc_f" ] || continue
		case $(cat "$lc_f" 2>/dev/null) in
		"${1:-}"/*) lc_n=$((lc_n + 1)) ;;
		esac
	done
	echo $lc_n
}
wait_loop_count() { # WANT [DIR]: polls up to 10 s (a deadline: load slows each poll); prints the final count
	wlc_end=$(($(date +%s) + 10))
	while [ "$(date +%s)" -le $wlc_end ]; do
		[ "$(loop_count "${2:-}")" -le "$1" ] && break
		sleep 0.1
	done
	loop_count "${2:-}"
}

# wait_until SECS CONDITION: evaluates the shell text CONDITION every 0.1 s until it is
# true or SECS have passed (a deadline, not a count: load slows each round); its status.
# For "the daemon has done X by now" checks that a fixed sleep would make racy.
wait_until() {
	wu_end=$(($(date +%s) + $1))
	while ! eval "$2"; do
		[ "$(date +%s)" -le $wu_end ] || return 1
		sleep 0.1
	done
}

t_done() {
	echo "1..$T_N"
	[ "$T_FAILED" = 0 ]
}
