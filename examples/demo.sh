#!/bin/sh
# make demo: what a new user sees first. The runtime with the example configuration in a
# temporary directory; hello-world installed into a keyed repository with nstar, started,
# its output shown from northstard's log, stopped; then a clean shutdown that leaves
# nothing mounted, running or attached.
#
#   sh examples/demo.sh BUILD      (make demo builds and packs the examples first)
set -u
BUILD=$(cd "${1:-build}" && pwd)
TOP=$(cd "$(dirname "$0")/.." && pwd)
NS=$BUILD/northstar
NPK=$BUILD/examples/npk/hello-world-0.0.1.npk
KEY=$BUILD/examples/keys/northstar.pub
DPID=""
D=""

say() { printf '\n== %s\n' "$*"; }
show() { printf '   %s\n' "$@"; }
# run CMD...: prints the command as typed, then runs it
run() {
	printf '$ %s\n' "$*" | sed "s|$BUILD/bin/||; s|$TOP/||g"
	"$@"
}
fail() {
	echo "demo: $*" >&2
	[ -n "$D" ] && [ -f "$D/northstard.log" ] && tail -n 20 "$D/northstard.log" | sed 's/^/   | /' >&2
	exit 1
}
cleanup() {
	if [ -n "$DPID" ] && kill -0 "$DPID" 2>/dev/null; then
		kill -TERM "$DPID" 2>/dev/null
		i=0
		while kill -0 "$DPID" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
		kill -KILL "$DPID" 2>/dev/null
	fi
	[ -n "$D" ] && rm -rf "$D"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE
# log_wait REGEX SECS: waits for a line of northstard's log
log_wait() {
	i=0
	while [ $i -lt $(($2 * 10)) ]; do
		grep -qE -- "$1" "$D/northstard.log" && return 0
		kill -0 "$DPID" 2>/dev/null || return 1
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

[ "$(id -u)" = 0 ] || fail "the runtime needs root (namespaces, loop devices, mounts): run make demo as root"
[ -x "$NS" ] && [ -f "$NPK" ] && [ -f "$KEY" ] || fail "$NPK is missing: run make examples first"

say "1. Built: one static binary, four applets"
show "build/northstar, $(stat -c %s "$NS") bytes, statically linked; its applets:"
"$NS" --list | sed 's/^/     /'
show "$(ls "$BUILD/examples/npk" | wc -l) example containers packed into build/examples/npk/," \
	"signed with build/examples/keys/northstar.key"

D=$(mktemp -d /tmp/northstar-demo.XXXXXX) || fail "mktemp"
chmod 755 "$D"
# dm-verity when the kernel has it; otherwise the userspace check (docs/config.md)
verity=userspace
if [ ! -e /sys/module/dm_verity ]; then
	modprobe -q dm-verity 2>/dev/null
fi
[ -e /sys/module/dm_verity ] && [ -e /dev/mapper/control ] && verity=kernel
sed -e "s|/run/northstar/run|$D/run|; s|/var/lib/northstar/data|$D/data|" \
	-e "s|/run/northstar/sockets|$D/sockets|; s|^cgroup: northstar$|cgroup: northstar-demo|" \
	-e "s|unix:///run/northstar/console|unix://$D/console|" \
	-e "s|/var/lib/northstar/repository|$D/repository|; s|/etc/northstar/northstar.pub|$KEY|" \
	-e "s|^\(    key: .*\)$|\1\n    verity: $verity|" \
	"$TOP/config/northstar.yaml" >"$D/northstar.yaml"
mkdir -p "$D/repository"
say "2. A configuration: config/northstar.yaml with its paths in $D"
show "repositories 'default' (a directory) and 'memory', both trusting the examples' key;" \
	"images checked by $([ $verity = kernel ] && echo "dm-verity" || echo "hashing in userspace (this kernel has no dm-verity)")"
"$NS" northstard -c "$D/northstar.yaml" --check >/dev/null 2>&1 ||
	fail "the generated configuration is refused: $("$NS" northstard -c "$D/northstar.yaml" --check 2>&1)"

say "3. Start the runtime (its log goes to $D/northstard.log)"
printf '$ northstard -c %s/northstar.yaml &\n' "$D"
"$BUILD/bin/northstard" -c "$D/northstar.yaml" >"$D/northstard.log" 2>&1 &
DPID=$!
log_wait "Runtime up and running" 10 || fail "northstard did not come up"
show "$(grep -m 1 "Runtime up and running" "$D/northstard.log" | sed 's/^[^ ]* [A-Z]* *//')"
export NSTAR_URL="unix://$D/console"
show "(nstar finds it through NSTAR_URL=$NSTAR_URL)"

say "4. Install hello-world into the keyed repository 'default'"
run "$BUILD/bin/nstar" install "$NPK" default || fail "install failed"
run "$BUILD/bin/nstar" repositories

say "5. Start it"
run "$BUILD/bin/nstar" start hello-world || fail "start failed"
log_wait "hello-world:0.0.1: \.\.\.and hello again #2 " 10 || fail "no output from hello-world"
run "$BUILD/bin/nstar" list

say "6. Its output, from northstard's log (io: pipe)"
grep "hello-world:0.0.1: " "$D/northstard.log" | sed 's/^[^ ]* [A-Z]* *//' | head -n 4 |
	sed 's/^/   /'

say "7. Stop it (SIGTERM) and wait for its exit"
run "$BUILD/bin/nstar" kill hello-world || fail "kill failed"
log_wait "Process hello-world:0.0.1 exited" 10 || fail "hello-world did not exit"
show "$(grep "Process hello-world:0.0.1 exited" "$D/northstard.log" | sed 's/^[^ ]* [A-Z]* *//')"

say "8. Shut the runtime down"
run "$BUILD/bin/nstar" shutdown || fail "shutdown failed"
wait "$DPID"
rc=$?
DPID=""
[ $rc = 0 ] || fail "northstard exited with status $rc"
show "$(tail -n 1 "$D/northstard.log" | sed 's/^[^ ]* [A-Z]* *//') (exit status 0)"

say "9. Nothing left behind"
i=0
loops() { cat /sys/block/loop*/loop/backing_file 2>/dev/null | grep -c "^$D/"; }
while [ "$(loops)" != 0 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
[ "$(loops)" = 0 ] || fail "a loop device is still attached to $D"
! grep -q " $D" /proc/self/mountinfo || fail "something is still mounted under $D"
for p in /proc/[0-9]*; do
	if tr '\0' ' ' 2>/dev/null <"$p/cmdline" | grep -q "$D/northstar.yaml"; then
		fail "a process of the demo still runs: $p"
	fi
done
rm -rf "$D"
show "no mount, no loop device, no process; $D removed" \
	"Next: examples/README.md (every example), docs/nstar.md, docs/config.md, make check"
D=""
