#!/bin/sh
# The isolation of issue 6 as a container started by northstard sees it (a probe in
# the image reports its view): ids and groups, the five capability sets, NoNewPrivs,
# seccomp, rlimits, the scheduling policy, descriptors, environment, hostname, the
# network, the masked /proc, a seccomp violation, threads and fork under the default
# profile (tests/helpers/forkthreads: threads that fork, children that start threads,
# posix_spawn) without capabilities; and ns-init's own state seen from the host.
. "$(dirname "$0")/../lib.sh"
. "$NS_TOP/tests/daemon_lib.sh"
daemon_init
cp "$NS_BUILD/tests/helpers/forkthreads" "$T/root/bin/forkthreads"

manifest probe 0.0.1 <<'EOF'
init: /bin/isoprobe
args: [report]
uid: 1000
gid: 1001
suppl_groups: [audio, no-such-group]
env:
  FOO: bar
io:
  stdout: pipe
  stderr: pipe
sched:
  policy: !fifo
    priority: 11
cgroups:
  cpu:
    # realtime time for the fifo policy where the kernel has RT group scheduling on
    # cgroup v1 (elsewhere noted and ignored)
    realtime_runtime: 100000
seccomp:
  profile: default
  allow:
    syslog: !args
      index: 0
      values: [10]
rlimits:
  nproc:
    soft: 10000
    hard: 20000
mounts:
  /proc:
    type: proc
  /dev:
    type: dev
  /sys:
    type: sysfs
EOF
pack probe 0.0.1
sed 's/^name: probe/name: capable/; s/^suppl_groups.*/capabilities: [CAP_NET_BIND_SERVICE, CAP_CHOWN]/' \
	"$T/probe-0.0.1.yaml" >"$T/capable-0.0.1.yaml"
pack capable 0.0.1

manifest sock 0.0.1 <<'EOF'
init: /bin/isoprobe
args: [report]
uid: 1000
gid: 1000
io:
  stdout: pipe
  stderr: pipe
sockets:
  srv:
    type: stream
    mode: 0o660
    uid: 1000
    gid: 1000
  dg:
    type: datagram
    mode: 0o600
    passcred: true
mounts:
  /proc:
    type: proc
EOF
pack sock 0.0.1

# the default profile and nothing else: no capabilities, no extra rule
manifest threads 0.0.1 <<'EOF'
init: /bin/forkthreads
args: [/bin/true]
uid: 1000
gid: 1000
io:
  stdout: pipe
  stderr: pipe
seccomp:
  profile: default
EOF
pack threads 0.0.1

write_config
daemon_start || { t_fail "daemon starts" "$(cat "$T/log")"; t_done; exit 1; }
C install "$T/probe-0.0.1.npk" default >/dev/null
C install "$T/capable-0.0.1.npk" default >/dev/null

# report NAME [ARGS]: runs the probe and leaves its output in $T/report
report() {
	mark=$(wc -l <"$T/log")
	r=$(C run "$@")
	tail -n +"$((mark + 1))" "$T/log" | grep "INFO  $1: " | sed "s/.* $1: //" >"$T/report"
	printf '%s' "$r"
}
field() { grep "^$1" "$T/report" | head -n 1 | tr -s ' \t' ' '; }

t_eq "probe runs" "$(report probe:0.0.1)" '{"exit":{"code":0}}'
t_eq "uid: real, effective, saved, fs" "$(field Uid:)" "Uid: 1000 1000 1000 1000"
t_eq "gid: real, effective, saved, fs" "$(field Gid:)" "Gid: 1001 1001 1001 1001"
t_eq "groups from the host's group file" "$(field Groups:)" "Groups: 29 "
t_run "an unknown group is skipped and logged" grep -q "unknown group 'no-such-group' skipped" "$T/log"
for s in CapInh CapPrm CapEff CapBnd CapAmb; do
	t_eq "no capabilities by default: $s" "$(field $s:)" "$s: 0000000000000000"
done
t_eq "NoNewPrivs" "$(field NoNewPrivs:)" "NoNewPrivs: 1"
t_eq "seccomp filter on" "$(field Seccomp:)" "Seccomp: 2"
t_eq "signal mask empty" "$(field SigBlk:)" "SigBlk: 0000000000000000"
t_eq "no ignored signals" "$(field SigIgn:)" "SigIgn: 0000000000000000"
t_eq "rlimit nproc" "$(field 'rlimit nproc')" "rlimit nproc 10000 20000"
t_eq "sched fifo 11" "$(field 'sched policy')" "sched policy 1 priority 11 nice 0"
t_eq "descriptors: exactly 0, 1, 2" "$(grep -c '^fd ' "$T/report")" 3
if mountpoint -q /; then
	t_eq "fd 0 is /dev/null" "$(field 'fd 0')" "fd 0 /dev/null"
else # named from the mount namespace's root, which lies outside a chroot
	t_run "fd 0 is /dev/null (in a chroot)" sh -c "echo '$(field 'fd 0')' | grep -qE '^fd 0 (/.*)?/dev/null$'"
fi
t_run "fd 1 and 2 are pipes" sh -c "grep -q '^fd 1 pipe:' '$T/report' && grep -q '^fd 2 pipe:' '$T/report'"

# the same NPK repacked with other ids (Northstar's with_manifest)
with_manifest "$T/probe-0.0.1.npk" "$T/probe-ids.npk" \
	-e 's/^name: probe$/name: probe-ids/' -e 's/^uid: 1000$/uid: 3000/' -e 's/^gid: 1001$/gid: 10/'
C install "$T/probe-ids.npk" default >/dev/null
t_eq "repacked manifest: runs" "$(report probe-ids:0.0.1)" '{"exit":{"code":0}}'
t_eq "repacked manifest: uid 3000" "$(field Uid:)" "Uid: 3000 3000 3000 3000"
t_eq "repacked manifest: gid 10" "$(field Gid:)" "Gid: 10 10 10 10"

t_eq "capabilities from the manifest" "$(report capable:0.0.1)" '{"exit":{"code":0}}'
for s in CapInh CapPrm CapEff CapBnd CapAmb; do
	t_eq "listed capabilities only: $s" "$(field $s:)" "$s: 0000000000000401"
done

sh_probe() { report probe:0.0.1 --init /bin/busybox --arg sh --arg -c --arg "$1"; }
t_eq "env" "$(sh_probe 'env | sort')" '{"exit":{"code":0}}'
t_eq "env: the manifest's and the runtime's" "$(grep -E '^(FOO|NORTHSTAR_)' "$T/report" | tr '\n' ' ')" \
	"FOO=bar NORTHSTAR_CONTAINER=probe:0.0.1 NORTHSTAR_NAME=probe NORTHSTAR_VERSION=0.0.1 "
sh_probe 'hostname' >/dev/null
t_eq "hostname" "$(cat "$T/report")" "probe"
sh_probe 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "' >/dev/null
t_eq "network: only lo" "$(cat "$T/report")" "lo"
sh_probe 'cat /sys/class/net/lo/operstate /sys/class/net/lo/flags' >/dev/null
t_eq "network: lo is up" "$(cat "$T/report" | tail -n 1)" "0x9"
t_eq "/proc/kcore reads empty" "$(sh_probe '[ -z "$(head -c 1 /proc/kcore)" ]')" '{"exit":{"code":0}}'
t_eq "/proc/sys read-only" "$(sh_probe 'echo x >/proc/sys/kernel/hostname')" '{"exit":{"code":1}}'
t_eq "/proc shows the container's processes only" \
	"$(sh_probe 'for p in /proc/[0-9]*; do [ ${p#/proc/} -lt 20 ] || exit 1; done')" '{"exit":{"code":0}}'
t_eq "PID 1 is ns-init" "$(sh_probe 'grep -qx ns-init /proc/1/comm')" '{"exit":{"code":0}}'
t_eq "the application is PID 2, a child of PID 1" "$(sh_probe '[ $$ = 2 ] && [ $PPID = 1 ]')" \
	'{"exit":{"code":0}}'
t_eq "/proc/1/exe cannot be opened for writing" "$(sh_probe 'echo x >/proc/1/exe')" \
	'{"exit":{"code":1}}'

iso() {
	iso_args=""
	for a in "$@"; do iso_args="$iso_args --arg $a"; done
	# shellcheck disable=SC2086
	C run probe:0.0.1 --init /bin/isoprobe --arg try $iso_args
}
t_eq "seccomp violation: Signalled(31)" "$(iso unshare)" '{"signalled":{"signal":31}}'
t_eq "manifest arg rule: the allowed value passes" "$(iso syscall 103 10)" '{"exit":{"code":0}}'
t_eq "manifest arg rule: another value is killed" "$(iso syscall 103 3)" '{"signalled":{"signal":31}}'
t_eq "profile arg rule: personality(0xffffffff) passes" "$(iso personality 0xffffffff)" \
	'{"exit":{"code":0}}'
t_eq "profile arg rule: personality(4) is killed" "$(iso personality 4)" '{"signalled":{"signal":31}}'
t_eq "threads work under the default profile" "$(iso pthread)" '{"exit":{"code":0}}'
t_eq "fork works under the default profile" "$(iso fork)" '{"exit":{"code":0}}'
C install "$T/threads-0.0.1.npk" default >/dev/null
t_eq "no capabilities, default profile only: threads, forks from threads, spawn" \
	"$(report threads:0.0.1)" '{"exit":{"code":0}}'
t_eq "forkthreads: every step" "$(tr '\n' ' ' <"$T/report")" "threads 4 forks 4 fork ok spawn ok "
t_eq "clone3 answers ENOSYS" "$(report probe:0.0.1 --init /bin/isoprobe --arg try --arg clone3 >/dev/null; cat "$T/report")" \
	"clone3: errno 38 (Function not implemented)"

# --- manifest sockets ------------------------------------------------------------------------
C install "$T/sock-0.0.1.npk" default >/dev/null
t_eq "sockets: the container runs" "$(report sock:0.0.1)" '{"exit":{"code":0}}'
t_eq "sockets: on 3 and 4, in name order" "$(grep -cE "^fd [34] socket:" "$T/report")" 2
t_eq "sockets: five descriptors in all" "$(grep -c '^fd ' "$T/report")" 5
report sock:0.0.1 --init /bin/busybox --arg sh --arg -c --arg 'env | grep NORTHSTAR_SOCKET | sort' >/dev/null
t_eq "sockets: named in the environment" "$(cat "$T/report" | tr '\n' ' ')" \
	"NORTHSTAR_SOCKET_dg=3 NORTHSTAR_SOCKET_srv=4 "
C start sock:0.0.1 --init /bin/busybox --arg sleep --arg 100 >/dev/null
t_eq "socket file: mode and owner" "$(stat -c '%F %a %u:%g' "$T/sockets/sock:0.0.1:srv")" \
	"socket 660 1000:1000"
t_eq "socket file: the datagram one" "$(stat -c '%F %a %u' "$T/sockets/sock:0.0.1:dg")" "socket 600 0"
t_eq "socket: listening, the host connects" "$(python3 -c 'import socket,sys
s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); print("connected")' "$T/sockets/sock:0.0.1:srv")" connected
C killwait sock:0.0.1 9 >/dev/null
t_eq "socket files removed at exit" "$(ls -A "$T/sockets")" ""

# --- ns-init seen from the host ------------------------------------------------------------
C start probe:0.0.1 --init /bin/busybox --arg sleep --arg 100 >/dev/null
pid=$(json_get "$(C inspect probe:0.0.1)" response inspect ok data process pid)
st=/proc/$pid/status
t_eq "ns-init keeps CAP_KILL only (effective)" "$(grep CapEff "$st" | tr -s '\t' ' ')" "CapEff: 0000000000000020"
t_eq "ns-init keeps CAP_KILL only (bounding)" "$(grep CapBnd "$st" | tr -s '\t' ' ')" "CapBnd: 0000000000000020"
t_eq "ns-init: no_new_privs" "$(grep NoNewPrivs "$st" | tr -s '\t' ' ')" "NoNewPrivs: 1"
policy() { awk '{ print $41 }' "/proc/$1/stat"; }
app=$(grep -l "^PPid:[[:space:]]*$pid\$" /proc/[0-9]*/status | cut -d/ -f3 | head -n 1)
t_eq "sched: the application runs SCHED_FIFO" "$(policy "$app")" 1
t_eq "sched: ns-init stays SCHED_OTHER" "$(policy "$pid")" 0
fds=$(ls "/proc/$pid/fd" | wc -l)
t_eq "ns-init: stdio, the launch socket and its signalfd only" "$fds" 5
t_run "ns-init: none of the daemon's descriptors" sh -c \
	"! ls -l /proc/$pid/fd | grep -qE 'memfd|eventpoll|$T/repo|loop'"
t_run "ns-init runs from a sealed memfd" sh -c "readlink /proc/$pid/exe | grep -q '^/memfd:northstar'"
t_eq "the exe cannot be written from the host either" \
	"$(sh -c "echo x >>/proc/$pid/exe" 2>/dev/null && echo written || echo refused)" refused
C killwait probe:0.0.1 15 >/dev/null
daemon_stop
t_done
