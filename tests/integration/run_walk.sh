#!/bin/sh
# The README's "Run it yourself", run as it is written: the code blocks between
# <!-- walk:begin --> and <!-- walk:end --> in README.md. The `make run` block starts the
# runtime (make run with RUN_DIR in a temporary directory, so the repositories are fresh);
# the other sh blocks run in order in one shell, in a stand-in for the checkout whose
# build/bin and build/examples are this build's; after each, every line of the text blocks
# that follow it must show up in the commands' output or in the runtime's log ("..." in a
# line stands for anything). Then make run once more, stopped by SIGINT to its process
# group as Ctrl-C in a terminal does: a clean shutdown, nothing left mounted.
. "$(dirname "$0")/../lib.sh"
CONSOLE=unix:///run/northstar/console
NSTAR="$NS_BUILD/bin/nstar"
# The user's documents read without the specification at hand: no property numbers of its
# acceptance list (P-F3) nor its section signs.
refs=$(cd "$NS_TOP" && grep -nE 'P-[A-Z][0-9]|§' README.md docs/*.md examples/README.md \
	examples/*/README.md config/*.yaml)
t_eq "no specification references in README.md, docs/, examples/ and config/" "$refs" ""

if ! t_need_root; then
	t_skip "the README walk" "needs root (northstard)"
	t_done
	exit 0
fi
for p in cc python3 make; do
	if ! command -v $p >/dev/null; then
		t_skip "the README walk" "$p is not installed (make deps installs it)"
		t_done
		exit 0
	fi
done
if [ -S /run/northstar/console ] && "$NSTAR" -u $CONSOLE ident >/dev/null 2>&1; then
	t_skip "the README walk" "another runtime (make run?) has the console $CONSOLE"
	t_done
	exit 0
fi

T=$(mktemp -d /tmp/ns-walk.XXXXXX)
chmod 755 "$T"
CO=$T/checkout
W=$T/walk
mkdir -p "$CO/build" "$W"
ln -s "$NS_BUILD/bin" "$CO/build/bin"
ln -s "$NS_BUILD/examples" "$CO/build/examples"
RUN_PID=""
stop_run() {
	if [ -n "$RUN_PID" ] && kill -0 "-$RUN_PID" 2>/dev/null; then
		kill -TERM "-$RUN_PID" 2>/dev/null
		i=0
		while kill -0 "-$RUN_PID" 2>/dev/null && [ $i -lt 100 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		kill -KILL "-$RUN_PID" 2>/dev/null
	fi
	RUN_PID=""
}
trap 'stop_run; rm -rf "$T"' EXIT
trap 'exit 1' INT TERM HUP

# start_run LOG: make run in a session of its own (its process group is what a terminal
# signals), with SIGINT at its default as in an interactive shell, not ignored as a
# background job of this script would have it.
start_run() {
	python3 -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.setsid()
os.execvp(sys.argv[1], sys.argv[1:])' env -u MAKEFLAGS -u MAKELEVEL make -C "$NS_TOP" \
		--no-print-directory BUILD="$NS_BUILD" RUN_DIR="$CO/build" run >"$1" 2>&1 &
	RUN_PID=$!
}
# wait_exit SECS: waits for make run to end; ST is its exit status, or "running". Not in
# a subshell: only this shell can reap it (a zombie still answers kill -0).
wait_exit() {
	i=0
	ST=running
	while [ $i -lt $(($1 * 10)) ]; do
		if ! grep -q '^[^ ]* [^ ]* [^ZX]' "/proc/$RUN_PID/stat" 2>/dev/null; then
			wait "$RUN_PID"
			ST=$?
			return
		fi
		sleep 0.1
		i=$((i + 1))
	done
}
# no_mount NAME: nothing of the container NAME is mounted any more
no_mount() {
	! grep -q " /run/northstar/dev/containers/$1" /proc/self/mountinfo
}

# --- the section, as blocks ----------------------------------------------------------
awk -v dir="$W" '
/<!-- walk:begin -->/ { on = 1; next }
/<!-- walk:end -->/ { on = 0; next }
!on { next }
fence && /^```$/ { fence = 0; close(file); next }
fence { print > file; next }
/^```/ { n++; file = sprintf("%s/%03d.%s", dir, n, substr($0, 4)); fence = 1; printf "" > file }
' "$NS_TOP/README.md"
t_run "README.md has a walk section with sh and text blocks" \
	test -n "$(ls "$W"/*.sh 2>/dev/null)" -a -n "$(ls "$W"/*.text 2>/dev/null)"
t_eq "the walk's blocks are sh or text" "$(ls "$W" | grep -cvE '\.(sh|text)$')" 0
t_eq "the walk starts the runtime with make run, once" \
	"$(for f in "$W"/*.sh; do cat "$f"; echo; done | grep -cx 'make run')" 1

# The script: each sh block as written (make run is started from here), each text
# block a check.
{
	cat <<'EOF'
set -e
# __expect FILE: each line of FILE shows up in the walk's output or the runtime's log
__expect() {
	while IFS= read -r __line || [ -n "$__line" ]; do
		[ -n "$__line" ] || continue
		__i=0
		until WALK_PAT=$__line awk '
			BEGIN { n = split(ENVIRON["WALK_PAT"], p, /\.\.\./) }
			{
				s = $0
				for (i = 1; i <= n; i++) {
					j = index(s, p[i])
					if (!j) next
					s = substr(s, j + length(p[i]))
				}
				found = 1
				exit
			}
			END { exit !found }' "$WALK_OUT" "$WALK_LOG"; do
			__i=$((__i + 1))
			if [ $__i -ge 900 ]; then
				echo "walk: not seen in 90 s: $__line" >>"$WALK_PROGRESS"
				return 1
			fi
			sleep 0.1
		done
		echo "seen: $__line" >>"$WALK_PROGRESS"
	done <"$1"
}
EOF
	for f in "$W"/*; do
		echo "echo 'block $(basename "$f")' >>\"\$WALK_PROGRESS\""
		case $f in
		*.sh)
			if [ "$(cat "$f")" = "make run" ]; then
				echo ": make run: started by run_walk.sh"
			else
				cat "$f"
			fi
			;;
		*.text) echo "__expect '$f'" ;;
		esac
	done
} >"$T/walk.sh"

# nstar finds the runtime by default at the console of config/dev.yaml; while nstar's
# default is another address, the walk is given it through NSTAR_URL.
if "$NSTAR" --help | grep -qF "$CONSOLE"; then
	url_env="-u NSTAR_URL"
else
	url_env="NSTAR_URL=$CONSOLE"
	echo "# nstar's default address is not $CONSOLE yet: the walk runs with NSTAR_URL set"
fi

# --- the walk ------------------------------------------------------------------------
LOG=$T/run.log
start_run "$LOG"
# shellcheck disable=SC2086 # url_env is one or two words
(cd "$CO" && env $url_env TMPDIR="$T" WALK_OUT="$T/walk.out" WALK_LOG="$LOG" \
	WALK_PROGRESS="$T/progress" sh "$T/walk.sh" >"$T/walk.out" 2>&1)
rc=$?
t_eq "the walk runs to its end, every output it shows seen" "$rc" 0
[ $rc = 0 ] || t_fail "the walk's record" "$(cat "$T/progress"; echo "--- output:";
	cat "$T/walk.out"; echo "--- runtime:"; tail -n 30 "$LOG")"
wait_exit 20
t_eq "make run ends with the runtime's shutdown, status 0" "$ST" 0
[ "$ST" = running ] && stop_run
t_run "the runtime's log shows its start" grep -q "Runtime up and running" "$LOG"
t_run "the container ran: its output is in the log" \
	grep -q "hello:0.1.0: Hello from my own container, 2" "$LOG"
app=$(ls -d "$T"/tmp.* 2>/dev/null | head -n 1)
t_eq "gen-key made the key directory 0700" "$(stat -c %a "${app:-none}/keys" 2>&1)" 700
t_run "nothing of hello mounted" no_mount hello:
t_eq "the repository 'mine' is empty again" "$(ls "$CO/build/run/repository/mine" 2>&1)" ""
t_eq "no loop device left on the walk's files" "$(wait_loop_count 0 "$T")" 0
RUN_PID=""

# --- Ctrl-C --------------------------------------------------------------------------
LOG2=$T/run2.log
start_run "$LOG2"
i=0
until grep -q "Runtime up and running" "$LOG2" || [ $i -ge 900 ]; do
	sleep 0.1
	i=$((i + 1))
done
t_run "make run starts again" grep -q "Runtime up and running" "$LOG2"
t_expect "a second make run is refused while the first has the console" 2 \
	"make run: a runtime already listens on $CONSOLE" \
	timeout 120 env -u MAKEFLAGS -u MAKELEVEL make -C "$NS_TOP" --no-print-directory \
	BUILD="$NS_BUILD" RUN_DIR="$T/second" run
t_run "... and has not touched its directory" test ! -e "$T/second"
# shellcheck disable=SC2086
(cd "$CO" && env $url_env build/bin/nstar install build/examples/npk/hello-world-0.0.1.npk examples &&
	env $url_env build/bin/nstar start hello-world) >"$T/ex.out" 2>&1
t_eq "an example installs into 'examples' (its key) and starts" "$(cat "$T/ex.out")" \
	"installed build/examples/npk/hello-world-0.0.1.npk into examples
started hello-world:0.0.1"
i=0
until grep -q "hello-world:0.0.1: Hello again" "$LOG2" || [ $i -ge 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
t_run "hello-world runs" grep -q "hello-world:0.0.1: Hello again" "$LOG2"
kill -INT "-$RUN_PID"
wait_exit 20
t_run "Ctrl-C: make run ends" test "$ST" != running
t_run "Ctrl-C: the runtime shut down in order" grep -q "Shutdown complete" "$LOG2"
t_run "Ctrl-C: hello-world was stopped" grep -q "Process hello-world:0.0.1 exited" "$LOG2"
t_run "Ctrl-C: no process of make run left" sh -c "! kill -0 -$RUN_PID 2>/dev/null"
t_run "Ctrl-C: nothing of hello-world mounted" no_mount hello-world:
t_eq "Ctrl-C: no loop device left on the walk's files" "$(wait_loop_count 0 "$T")" 0
[ "$ST" = running ] || RUN_PID=""
t_done
