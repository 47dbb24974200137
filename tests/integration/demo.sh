#!/bin/sh
# make demo, as a new user runs it: it succeeds, shows hello-world's output from the
# runtime's log and the clean shutdown, and leaves nothing behind (its temporary
# directory, a process, a mount or a loop device).
. "$(dirname "$0")/../lib.sh"
if ! t_need_root; then
	t_skip "make demo" "needs root"
	t_done
	exit 0
fi
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
env -u MAKEFLAGS -u MAKELEVEL make -C "$NS_TOP" --no-print-directory BUILD="$NS_MAKE_BUILD" demo \
	>"$OUT" 2>&1
t_eq "make demo: exit status 0" "$?" 0
for line in "== 1. Built: one static binary, four applets" \
	"== 4. Install hello-world into the keyed repository 'default'" \
	"installed $NS_BUILD/examples/npk/hello-world-0.0.1.npk into default" \
	"started hello-world:0.0.1" \
	"   hello-world:0.0.1: Hello again hello-world:0.0.1!" \
	"   hello-world:0.0.1: ...and hello again #1 hello-world:0.0.1 ..." \
	"signalled hello-world:0.0.1 with signal 15" \
	"   northstard: Shutdown complete (exit status 0)" \
	"== 9. Nothing left behind"; do
	if grep -qxF -- "$line" "$OUT"; then t_ok "shows: $line"; else t_fail "shows: $line" "$(cat "$OUT")"; fi
done
t_run "hello-world exited through SIGTERM" \
	grep -q "Process hello-world:0.0.1 exited after .* with status Signalled(SIGTERM)" "$OUT"
dir=$(sed -n 's/^== 2. A configuration: .* with its paths in \(.*\)$/\1/p' "$OUT")
t_run "the demo names its directory" test -n "$dir"
t_run "its directory is removed" test ! -e "$dir"
left=0
for p in /proc/[0-9]*; do
	tr '\0' ' ' 2>/dev/null <"$p/cmdline" | grep -q "${dir:-none}/northstar.yaml" && left=$((left + 1))
done
t_eq "no process of the demo" "$left" 0
t_run "no mount under its directory" sh -c "! grep -q ' ${dir:-none}' /proc/self/mountinfo"
# Only the demo's own loop devices and mounts: other runtimes on this machine (a
# parallel test, another user) come and go meanwhile.
t_eq "no loop device on a file of its directory" "$(wait_loop_count 0 "${dir:-none}")" 0
t_done
