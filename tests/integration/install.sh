#!/bin/sh
# make install: the files it installs (exactly), the stripped static binary and its
# links, the sample configuration never overwritten, the man pages and completions in
# contrib/ matching the binary, the systemd unit (systemd-analyze verify), and the
# sysvinit/busybox init script driving the real daemon: start, status, restart, stop,
# with Debian's start-stop-daemon and sh and with busybox's.
. "$NS_TOP/tests/lib.sh"
. "$NS_TOP/tests/daemon_lib.sh"
cd "$NS_TOP" || exit 1

T=$(mktemp -d /tmp/ns-install.XXXXXX)
SLEEPER=""
cleanup() {
	[ -n "$SLEEPER" ] && kill "$SLEEPER" 2>/dev/null
	pid=$(cat "$T/pid" 2>/dev/null)
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null && sleep 0.2
	daemon_cgroups_remove
	rm -rf "$T"
}
trap cleanup EXIT INT TERM

# make install with the build's own binary; BUILD is the tree run.sh tests.
inst() { make --no-print-directory -s BUILD="$NS_BUILD" "$@" install >"$T/make.log" 2>&1; }

# --- the file list ---------------------------------------------------------------------
D=$T/dest
if inst DESTDIR="$D" PREFIX=/usr INIT="systemd sysv"; then
	t_ok "make install DESTDIR PREFIX=/usr INIT='systemd sysv' succeeds"
else
	t_fail "make install DESTDIR PREFIX=/usr INIT='systemd sysv' succeeds" "$(cat "$T/make.log")"
fi
got=$(cd "$D" && find . ! -type d | sort | tr '\n' ' ')
want="./etc/init.d/S60northstard ./etc/northstar/northstar.yaml ./usr/bin/northstar \
./usr/bin/nstar ./usr/bin/sextant ./usr/lib/systemd/system/northstard.service \
./usr/sbin/northstard ./usr/sbin/ns-init ./usr/share/bash-completion/completions/nstar \
./usr/share/fish/vendor_completions.d/nstar.fish ./usr/share/man/man1/nstar.1 \
./usr/share/man/man1/sextant.1 ./usr/share/man/man8/northstard.8 \
./usr/share/man/man8/ns-init.8 ./usr/share/zsh/site-functions/_nstar "
t_eq "install: exactly the expected files" "$got" "$want"

b=$D/usr/bin/northstar
if readelf -S "$b" | grep -q '\.symtab'; then
	t_fail "install: the binary is stripped" "$(readelf -S "$b" | grep -E 'symtab|debug')"
else
	t_ok "install: the binary is stripped"
fi
if readelf -l "$b" | grep -q INTERP; then
	t_fail "install: the binary is static (no program interpreter)"
else
	t_ok "install: the binary is static (no program interpreter)"
fi
t_eq "install: links" "$(readlink "$D/usr/bin/nstar") $(readlink "$D/usr/bin/sextant") \
$(readlink "$D/usr/sbin/northstard") $(readlink "$D/usr/sbin/ns-init")" \
	"northstar northstar ../bin/northstar ../bin/northstar"
t_expect "install: northstard runs through its sbin link" 0 "northstard (northstar)" \
	"$D/usr/sbin/northstard" --version
t_expect "install: nstar runs through its bin link" 0 "nstar (northstar)" "$D/usr/bin/nstar" --version
t_eq "install: modes" "$(stat -c %a "$b" "$D/etc/northstar/northstar.yaml" \
	"$D/usr/lib/systemd/system/northstard.service" "$D/etc/init.d/S60northstard" | tr '\n' ' ')" \
	"755 644 644 755 "
if grep -q '@[A-Z]*@' "$D/usr/lib/systemd/system/northstard.service" "$D/etc/init.d/S60northstard"; then
	t_fail "install: service files carry the install's paths" \
		"$(grep -n '@[A-Z]*@' "$D/usr/lib/systemd/system/northstard.service" "$D/etc/init.d/S60northstard")"
else
	t_ok "install: service files carry the install's paths"
fi
t_expect "install: the sample configuration names what it lacks (the key)" 1 \
	"/etc/northstar/northstar.pub" "$D/usr/sbin/northstard" -c "$D/etc/northstar/northstar.yaml" --check

# An existing configuration is the user's: a second install keeps it.
echo "# mine" >"$D/etc/northstar/northstar.yaml"
inst DESTDIR="$D" PREFIX=/usr INIT=none
t_eq "install: an existing configuration is kept" "$(cat "$D/etc/northstar/northstar.yaml")" "# mine"

# INIT chooses the service files; PREFIX=/usr/local keeps the configuration in it.
D2=$T/dest2
inst DESTDIR="$D2" PREFIX=/usr/local
t_eq "install: default INIT=systemd, PREFIX=/usr/local" \
	"$(cd "$D2" && find . -path '*systemd*' -type f -o -path '*init.d*' -type f -o -name '*.yaml' | sort | tr '\n' ' ')" \
	"./usr/local/etc/northstar/northstar.yaml ./usr/local/lib/systemd/system/northstard.service "
t_expect "install: the unit names the /usr/local paths" 0 \
	"ExecStart=/usr/local/sbin/northstard -c /usr/local/etc/northstar/northstar.yaml" \
	cat "$D2/usr/local/lib/systemd/system/northstard.service"

# --- generated files are current -------------------------------------------------------
if command -v help2man >/dev/null; then
	if sh tools/gen-contrib.sh "$NS_BUILD/bin" "$T/gen" >/dev/null 2>&1 &&
		d=$(diff -r contrib/man "$T/gen/man" && diff -r contrib/completion "$T/gen/completion"); then
		t_ok "contrib/man and contrib/completion match the binary (make contrib)"
	else
		t_fail "contrib/man and contrib/completion match the binary (make contrib)" "$d"
	fi
else
	t_skip "contrib/man and contrib/completion match the binary" "help2man missing (make deps)"
fi
t_expect "man: northstard(8) lists its options" 0 'fB\-\-check' cat contrib/man/northstard.8
t_expect "man: nstar(1) has a section per command" 0 '.SS install' cat contrib/man/nstar.1

# --- systemd unit ----------------------------------------------------------------------
unit=$D/usr/lib/systemd/system/northstard.service
t_expect "unit: Delegate=yes" 0 "Delegate=yes" grep -x 'Delegate=yes' "$unit"
t_expect "unit: KillMode=mixed" 0 "KillMode=mixed" grep -x 'KillMode=mixed' "$unit"
P=$T/prefix
inst PREFIX="$P" INIT="systemd sysv"
if ! command -v systemd-analyze >/dev/null; then
	t_skip "unit: systemd-analyze verify" "systemd-analyze not installed (package systemd)"
else
	# verify warns and still exits 0 on a bad line: no output at all is the pass.
	if out=$(systemd-analyze verify --man=no "$P/lib/systemd/system/northstard.service" 2>&1) &&
		[ -z "$out" ]; then
		t_ok "unit: systemd-analyze verify is silent"
	else
		t_fail "unit: systemd-analyze verify is silent" "$out"
	fi
	sed 's/^KillMode=mixed/KillMode=bogus/' "$P/lib/systemd/system/northstard.service" >"$T/bad.service"
	t_expect "unit: (control) verify reports a broken line" 0 "bogus" \
		systemd-analyze verify --man=no "$T/bad.service"
fi

# --- the init script against the real daemon -------------------------------------------
if ! t_need_root; then
	t_skip "init script" "needs root (it starts northstard)"
	t_done
	exit
fi
mkdir -p "$T/repo"
cat >"$T/northstar.yaml" <<YAML
run_dir: $T/run
data_dir: $T/data
socket_dir: $T/sockets
cgroup: ns-install-$$
console:
  global:
    bind: unix://$T/console
    permissions: full
repositories:
  default:
    type:
      fs:
        dir: $T/repo
YAML
cat >"$T/defaults" <<DEF
CONFIG=$T/northstar.yaml
PIDFILE=$T/pid
LOG=$T/log
STOP_TIMEOUT=10
DEF
script=$P/etc/init.d/S60northstard
export NORTHSTARD_DEFAULTS="$T/defaults"

# A PATH whose start-stop-daemon is busybox's, for the busybox run.
mkdir -p "$T/bb"
[ -n "$BUSYBOX" ] && ln -s "$BUSYBOX" "$T/bb/start-stop-daemon"

# One round: SH runs the script, with PATH_PRE in front of PATH.
round() {
	sh_=$1 tag=$2 pre=$3
	rs() { PATH="$pre$PATH" $sh_ "$script" "$@"; }
	t_expect "$tag: status before start: not running (3)" 3 "not running" rs status
	t_expect "$tag: start" 0 "Starting northstard: OK" rs start
	pid1=$(cat "$T/pid" 2>/dev/null)
	t_eq "$tag: the pid file names northstard" "$(cat "/proc/$pid1/comm" 2>/dev/null)" "northstard"
	t_expect "$tag: status: running" 0 "running (pid $pid1)" rs status
	t_expect "$tag: the console answers (installed nstar)" 0 "" \
		"$P/bin/nstar" -u "unix://$T/console" repositories
	t_expect "$tag: start again: already running" 0 "already running (pid $pid1)" rs start
	t_expect "$tag: restart" 0 "Starting northstard: OK" rs restart
	pid2=$(cat "$T/pid" 2>/dev/null)
	if [ -n "$pid2" ] && [ "$pid2" != "$pid1" ] && [ ! -d "/proc/$pid1" ]; then
		t_ok "$tag: restart replaced the daemon"
	else
		t_fail "$tag: restart replaced the daemon" "old $pid1 new $pid2"
	fi
	t_expect "$tag: the console answers after restart" 0 "" \
		"$P/bin/nstar" -u "unix://$T/console" repositories
	t_expect "$tag: stop" 0 "Stopping northstard: OK" rs stop
	if [ -d "/proc/$pid2" ] || [ -e "$T/pid" ]; then
		t_fail "$tag: stop ended the daemon and removed the pid file"
	else
		t_ok "$tag: stop ended the daemon and removed the pid file"
	fi
	STOPS=$((STOPS + 2))
	t_eq "$tag: each stop (restart's too) was the daemon's orderly shutdown" \
		"$(grep -c 'Shutdown complete' "$T/log")" "$STOPS"
	t_expect "$tag: status after stop: not running (3)" 3 "not running" rs status
	t_expect "$tag: stop when stopped" 0 "not running" rs stop
	left=$(find /sys/fs/cgroup -maxdepth 2 -name "ns-install-$$" 2>/dev/null)
	t_eq "$tag: no runtime cgroup left" "$left" ""
}
STOPS=0
round sh "init (sh, Debian start-stop-daemon)" ""
if [ -n "$BUSYBOX" ]; then
	round "$BUSYBOX sh" "init (busybox sh and start-stop-daemon)" "$T/bb:"
else
	t_skip "init (busybox)" "busybox missing (make deps)"
fi

# A stale pid file naming another process: not ours, never signalled.
sleep 60 &
SLEEPER=$!
echo "$SLEEPER" >"$T/pid"
t_expect "init: a pid file naming another process is stale (1)" 1 "stale pid file" sh "$script" status
t_expect "init: stop leaves that process alone" 0 "not running" sh "$script" stop
if kill -0 "$SLEEPER" 2>/dev/null; then t_ok "init: the other process still runs"; else
	t_fail "init: the other process still runs"; fi
echo "$SLEEPER" >"$T/pid"
t_expect "init: start over a stale pid file" 0 "Starting northstard: OK" sh "$script" start
t_expect "init: stop" 0 "OK" sh "$script" stop
kill "$SLEEPER" 2>/dev/null
SLEEPER=""

# The log to a device (LOG=/dev/console, here /dev/null): started once alive, never read.
cp "$T/defaults" "$T/defaults.file"
echo "LOG=/dev/null" >>"$T/defaults"
t_expect "init: LOG a device: start" 0 "Starting northstard: OK" sh "$script" start
t_expect "init: LOG a device: status" 0 "is running" sh "$script" status
t_expect "init: LOG a device: stop" 0 "Stopping northstard: OK" sh "$script" stop
cp "$T/defaults.file" "$T/defaults"

# A bad configuration: start fails with the daemon's message and leaves nothing running.
echo "bogus_key: 1" >>"$T/northstar.yaml"
t_expect "init: start with a bad configuration fails naming the key" 1 "bogus_key" sh "$script" start
t_expect "init: and nothing runs" 3 "not running" sh "$script" status
t_done
