#!/bin/sh
# northstard's PID-1 mode on the host (issue 15), in a pid namespace of its own where
# the binary is PID 1: the dispatch as `init`, the daemon started by PID 1, container
# output on PID 1's console, orphans reaped, the halt after SIGTERM, a shutdown request
# and a failed critical container (power off, or reboot with init.halt), a config that
# does not load; and config `modules` errors. The boot as the initramfs' /init, with
# rootfs, dm-verity and the real power-off, is tests/vm/pid1_boot.sh.
. "$(dirname "$0")/../lib.sh"
. "$NS_TOP/tests/daemon_lib.sh"
daemon_init

# the dispatch: a link named init that is not PID 1 refuses with a reason
ln -s "$NS_BIN" "$T/init"
t_expect "init not as PID 1 refuses, naming PID-1 mode" 2 "PID-1 mode needs PID 1" "$T/init"

manifest app 0.0.1 <<'EOF2'
init: /bin/sh
args: [-c, "echo app-line-on-console"]
uid: 1000
gid: 1000
io:
  stdout: pipe
  stderr: pipe
EOF2
pack app 0.0.1
manifest crit 0.0.1 <<'EOF2'
init: /bin/sh
args: [-c, "sleep 1; echo crit-failing; exit 3"]
uid: 1000
gid: 1000
autostart: critical
io:
  stdout: pipe
  stderr: pipe
EOF2
pack crit 0.0.1
cp "$T/app-0.0.1.npk" "$T/repo/app:0.0.1.npk"
write_config
sed -i "s/^cgroup: .*/cgroup: northstar-pid1-$$/" "$T/northstar.yaml"

# modules: errors name the module; the daemon does not start
cp "$T/northstar.yaml" "$T/base.yaml"
printf 'modules:\n  - %s/none.ko\n' "$T" >>"$T/northstar.yaml"
t_expect "a missing module stops the start, named" 1 "modules: $T/none.ko" \
	"$NS_BIN" northstard -c "$T/northstar.yaml"
printf 'not an ELF module\n' >"$T/bad.ko"
cp "$T/base.yaml" "$T/northstar.yaml"
printf 'modules:\n  - %s/bad.ko\n' "$T" >>"$T/northstar.yaml"
t_expect "a file the kernel refuses as a module stops the start, named" 1 "modules: load $T/bad.ko" \
	"$NS_BIN" northstard -c "$T/northstar.yaml"
cp "$T/base.yaml" "$T/northstar.yaml"
printf 'modules:\n  - loop.ko\n' >>"$T/northstar.yaml"
t_expect "--check refuses a relative module path" 1 "modules: the path must be absolute" \
	"$NS_BIN" northstard --check -c "$T/northstar.yaml"
cp "$T/base.yaml" "$T/northstar.yaml"

if ! command -v unshare >/dev/null || ! command -v nsenter >/dev/null; then
	t_skip "PID-1 mode in a pid namespace" "unshare and nsenter (util-linux) missing"
	t_done
	exit 0
fi

# pid1_start LOG [CONFIG]: the binary as `init` ($P1_BIN, when set) and PID 1 of new pid and mount
# namespaces; sets UPID (unshare) and IPID (our PID 1, as the host sees it).
pid1_start() {
	: >"$1"
	unshare -pfm $NS_UNSHARE_PROP sh -c "$NS_PRIVATE_MOUNTS"' && mount -t proc proc /proc && exec "$@"' sh \
		"${P1_BIN:-$T/init}" \
		-c "${2:-$T/northstar.yaml}" >"$1" 2>&1 &
	UPID=$!
	IPID=
	ps_end=$(($(date +%s) + 30)) # a deadline: a loaded machine starts slowly
	while [ "$(date +%s)" -le $ps_end ]; do
		[ -z "$IPID" ] && IPID=$(pgrep -P "$UPID" 2>/dev/null | head -n 1)
		grep -qE "Runtime up and running|northstard ended" "$1" && return 0
		sleep 0.1
	done
	return 1
}
# pid1_end: waits (at most 15 s) for unshare; rc is its exit status (128 + the signal
# that ended PID 1: reboot() in a pid namespace ends its init with SIGINT or SIGHUP)
pid1_end() {
	i=0
	while [ $i -lt 150 ] && [ -e "/proc/$UPID" ] &&
		[ "$(awk '{print $3}' "/proc/$UPID/stat" 2>/dev/null)" != Z ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -KILL "$UPID" 2>/dev/null
	wait "$UPID" 2>/dev/null
	rc=$?
}
has() { grep -qF -- "$3" "$2" && t_ok "$1" || t_fail "$1" "$(tail -n 30 "$2")"; }
# has_soon NAME FILE TEXT: has, once TEXT shows up (up to 15 s: a loaded machine is slow)
has_soon() {
	hs_end=$(($(date +%s) + 15))
	while ! grep -qF -- "$3" "$2" && [ "$(date +%s)" -le $hs_end ]; do sleep 0.1; done
	has "$@"
}

L=$T/init1.log
pid1_start "$L"
has "PID 1 starts northstard with the named config" "$L" "init: starting northstard -c $T/northstar.yaml"
has "northstard runs under PID 1" "$L" "Runtime up and running"
"$NS_BIN" nstar -u "unix://$T/console" start app:0.0.1 >/dev/null 2>&1
has_soon "container output reaches PID 1's console" "$L" "app-line-on-console"
# an orphan: sh starts sleep and exits at once; sleep is reparented to our PID 1
opid=$(nsenter -t "$IPID" -p -- sh -c 'sleep 0.3 & echo $!')
has_soon "an orphan is reaped by PID 1" "$L" "init: reaped orphan $opid (exit status 0)"
zombies=$(ps --ppid "$IPID" -o stat= 2>/dev/null | grep -c Z)
t_eq "no zombie under PID 1" "$zombies" 0
kill -TERM "$IPID"
pid1_end
has "SIGTERM to PID 1 stops northstard" "$L" "init: SIGTERM: stopping northstard"
has "northstard shuts down in order" "$L" "Shutdown complete"
has "then PID 1 powers off" "$L" "init: powering off"
t_eq "PID 1 ends by the power-off (SIGINT in a pid namespace)" "$rc" 130

# a shutdown request, and init.halt: reboot
L=$T/init2.log
printf 'init:\n  halt: reboot\n' >>"$T/northstar.yaml"
pid1_start "$L"
"$NS_BIN" nstar -u "unix://$T/console" shutdown >/dev/null 2>&1
pid1_end
has "a shutdown request ends northstard, then PID 1 reboots (init.halt)" "$L" "init: rebooting"
t_eq "PID 1 ends by the reboot (SIGHUP in a pid namespace)" "$rc" 129

# a failed critical container
cp "$T/base.yaml" "$T/northstar.yaml"
cp "$T/crit-0.0.1.npk" "$T/repo/crit:0.0.1.npk"
L=$T/init3.log
pid1_start "$L"
pid1_end
has "a failed critical container shuts northstard down" "$L" "Critical container crit:0.0.1 failed"
has "then PID 1 powers off" "$L" "init: powering off"
t_eq "PID 1 ends by the power-off" "$rc" 130
rm -f "$T/repo/crit:0.0.1.npk"

# a configuration that does not load: PID 1 still halts, never hangs or returns
L=$T/init4.log
pid1_start "$L" "$T/none.yaml"
pid1_end
has "a daemon that cannot start is reported" "$L" "init: northstard ended (exit status 1)"
has "and PID 1 powers off" "$L" "init: powering off"
t_eq "PID 1 ends by the power-off, not by returning" "$rc" 130

# which names PID 1 dispatches to PID-1 mode: northstard (rdinit=/sbin/northstard) does,
# the client and the NPK tool keep their meaning (a container engine's first process)
ln -s "$NS_BIN" "$T/northstard"
L=$T/init5.log
P1_BIN=$T/northstard pid1_start "$L" "$T/none.yaml"
pid1_end
has "northstard started as PID 1 is PID-1 mode" "$L" "init: powering off"
t_expect "nstar as PID 1 is the client" 0 "nstar (northstar)" \
	unshare -pfm $NS_UNSHARE_PROP sh -c "$NS_PRIVATE_MOUNTS"' && mount -t proc proc /proc && exec "$@"' sh \
		"$NS_BIN" nstar --version
t_expect "sextant as PID 1 is the NPK tool" 0 "sextant (northstar)" \
	unshare -pfm $NS_UNSHARE_PROP sh -c "$NS_PRIVATE_MOUNTS"' && mount -t proc proc /proc && exec "$@"' sh \
		"$NS_BIN" sextant --version
t_done
