#!/bin/sh
# northstard's cgroups on pure v2 (the essentials of tests/integration/daemon_cgroup.sh,
# which runs on the host's v1 controllers): limits in their files with the container's
# processes inside, a memory eater OOM-killed at its limit with the c_group
# notification, a CPU eater held to its 20% quota by the cgroup's counter (through
# inspect), a task bomb held to its pids.max (and the default pids.max of a container
# without one, issue 14), statistics, an invalid attrs refused at start, and no cgroup directory left
# after kill, OOM, failed start, shutdown, or a daemon killed with SIGKILL and started
# again. When the kernel runs SELinux (the VM boots with security=selinux, no policy
# loaded), the manifest's exec context takes effect at the application's exec. The
# console is driven over tcp with busybox nc; daemon_cgroup.prep.sh packs the NPKs.
. "$(dirname "$0")/../lib.sh"

I=/images/dcg
W=/tmp/dcg
RT=northstar-cg
CG=/sys/fs/cgroup
mkdir -p "$W"
ip link set lo up
cat >"$W/northstar.yaml" <<EOT
run_dir: $W/run
data_dir: $W/data
socket_dir: $W/sockets
cgroup: $RT
console:
  global:
    bind: tcp://127.0.0.1:4201
    permissions: full
repositories:
  signed:
    type:
      fs:
        dir: $I/repo
    key: $I/test.pub
    verity: userspace
EOT
# console SECS LINE...: a subscribed session sending each line, then listening SECS
console() {
	secs=$1
	shift
	{
		printf '{"connect":{"version":"0.9.3","subscribe_notifications":true}}\n'
		for l in "$@"; do
			sleep 1
			printf '%s\n' "$l"
		done
		sleep "$secs"
	} | nc 127.0.0.1 4201
}
start() { printf '{"request":{"start":{"container":"%s:0.0.1","init":null,"arguments":[],"environment":{}}}}' "$1"; }
kill9() { printf '{"request":{"kill":{"container":"%s:0.0.1","signal":9}}}' "$1"; }
inspect() { printf '{"request":{"inspect":{"container":"%s:0.0.1"}}}' "$1"; }
has() { printf '%s' "$2" | grep -qF -- "$3" && t_ok "$1" || t_fail "$1" "$2"; }
leftovers() { [ -d "$CG/$RT" ] && find "$CG/$RT" -mindepth 1 -type d; return 0; }
t_clean() {
	i=0
	while [ -n "$(leftovers)" ] && [ $i -lt 20 ]; do sleep 0.2; i=$((i + 1)); done
	t_eq "$1: no cgroup directory left" "$(leftovers | tr '\n' ' ')" ""
}
val() { [ -f "$1" ] && tr '\n' ';' <"$1" | sed 's/;$//'; }

SELINUX=no
if mkdir -p /sys/fs/selinux 2>/dev/null && mount -t selinuxfs selinuxfs /sys/fs/selinux 2>/dev/null; then
	SELINUX=yes
fi

NR=/tmp/newroot
root_switch='mkdir -p '"$NR"' && mount -t tmpfs tmpfs '"$NR"' &&
	for d in bin build images proc sys dev tmp; do
		mkdir -p '"$NR"'/$d && mount --rbind /$d '"$NR"'/$d || exit 1
	done && cd '"$NR"' && mount --move . / && exec chroot . "$@"'
daemon_start() {
	unshare -m sh -c "$root_switch" sh "$NS_BIN" northstard -v -c "$W/northstar.yaml" >>"$W/log" 2>&1 &
	DPID=$!
	i=0
	while [ "$(grep -c "Runtime up and running" "$W/log")" -lt "$1" ] && [ $i -lt 150 ]; do
		sleep 0.2
		i=$((i + 1))
	done
	[ "$(grep -c "Runtime up and running" "$W/log")" -ge "$1" ]
}
: >"$W/log"
if ! daemon_start 1; then
	t_fail "northstard starts" "$(cat "$W/log")"
	t_done
	exit 1
fi
t_ok "northstard starts"
t_run "the v2 layout is logged" grep -q "cgroups: v2 layout, runtime cgroup '$RT'" "$W/log"

# --- limits --------------------------------------------------------------------------------
lim=$(console 4 "$(start limits)" "$(inspect limits)")
has "limits: started" "$lim" '{"response":{"start":{"ok":{"container":"limits:0.0.1"}}}}'
D=$CG/$RT/limits
t_eq "memory_hard_limit -> memory.max" "$(val "$D/memory.max")" 33554432
t_eq "memory_soft_limit -> memory.low" "$(val "$D/memory.low")" 16777216
t_eq "memory_swap_limit - hard limit -> memory.swap.max" "$(val "$D/memory.swap.max")" 33554432
t_eq "shares 512 -> cpu.weight 20" "$(val "$D/cpu.weight")" 20
t_eq "quota and period -> cpu.max" "$(val "$D/cpu.max")" "20000 100000"
tdev=$(cat /images/dcg/throttle_dev 2>/dev/null || echo 7:0) # 7:7 on 32-bit kernels (prep)
t_eq "throttles -> io.max ($tdev)" "$(val "$D/io.max")" "$tdev rbps=1048576 wbps=max riops=max wiops=100"
t_run "swappiness noted as ignored on v2" grep -q "limits:0.0.1: cgroups.memory.swappiness.* ignored" "$W/log"
t_eq "ns-init and the application are in the cgroup" "$(wc -l <"$D/cgroup.procs")" 2
t_eq "no cgroups.pids: the repository default in pids.max" "$(val "$D/pids.max")" 1024
has "inspect: statistics with the pids limit" "$lim" '"max":1024'
has "inspect: statistics with the memory limit" "$lim" '"limit_in_bytes":33554432'
has "inspect: statistics with the cpu usage" "$lim" '"usage_ns":'
out=$(console 2 "$(kill9 limits)")
has "limits: killed" "$out" '{"notification":{"exit":["limits:0.0.1",{"signalled":{"signal":9}}]}}'
t_clean "kill"

# --- OOM ----------------------------------------------------------------------------------------
out=$(console 10 "$(start oom)")
has "oom: killed at its limit" "$out" '{"notification":{"exit":["oom:0.0.1",{"signalled":{"signal":9}}]}}'
ev=$(printf '%s\n' "$out" | grep '"c_group":\["oom:0.0.1"' | tail -n 1)
kills=$(printf '%s' "$ev" | sed -n 's/.*"oom_kill":\([0-9]*\).*/\1/p')
if [ -n "$kills" ] && [ "$kills" -ge 1 ]; then
	t_ok "oom: the c_group notification names it, oom_kill $kills ($ev)"
else
	t_fail "oom: the c_group notification names it, with oom_kill >= 1" "$out"
fi
t_run "oom: logged" grep -q "Process oom:0.0.1 is out of memory" "$W/log"
t_clean "oom"

# --- CPU quota --------------------------------------------------------------------------------
# The counter is read right before the eater ("go") and after it: what ns-init's setup
# and the shell's 'sleep 2' used (slow under TCG: 27% instead of <= 25% on armhf when
# read from "ready") is not counted against the eater's 3 s.
logwait() {
	i=0
	while ! grep -q "$1" "$W/log" && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
}
usage() { sed -n 's/^usage_usec //p' "$CG/$RT/cpu/cpu.stat"; }
console 0 "$(start cpu)" >/dev/null
logwait "cpu:0.0.1: go"
u0=$(usage)
logwait "cpu:0.0.1: spun"
u1=$(usage)
ms=$(sed -n 's/.*cpu:0.0.1: spun \([0-9]*\) ms.*/\1/p' "$W/log" | tail -n 1)
if [ -n "$u0" ] && [ -n "$u1" ] && [ -n "$ms" ] && [ "$ms" -gt 0 ]; then
	pct=$(((u1 - u0) / 10 / ms))
	# Up to 35%: under TCG on a loaded host the bandwidth timer fires late and a
	# throttled group overruns its periods (26% and 29% seen); unthrottled is ~100%.
	if [ $pct -ge 10 ] && [ $pct -le 35 ]; then
		t_ok "cpu: a 20% quota gives $pct% of a CPU over $ms ms (cgroup counter)"
	else
		t_fail "cpu: a 20% quota gives 10..35% of a CPU" "$pct% ($((u1 - u0)) us over $ms ms)"
	fi
else
	t_fail "cpu: the eater's time and the cgroup's usage" "ms=$ms u0=$u0 u1=$u1"
fi
cpu=$(console 1 "$(inspect cpu)")
ns=$(printf '%s' "$cpu" | sed -n 's/.*"usage_ns":\([0-9]*\).*/\1/p')
t_run "cpu: inspect's usage_ns is the cgroup's counter" test "${ns:-0}" -ge "$((u1 * 1000))"
console 2 "$(kill9 cpu)" >/dev/null
t_clean "cpu"

# --- pids limit (issue 14) -------------------------------------------------------------------
console 0 "$(start pids)" >/dev/null
logwait "pids:0.0.1: holding"
P=$CG/$RT/pids
t_eq "cgroups.pids.max 50 -> pids.max" "$(val "$P/pids.max")" 50
cur=$(val "$P/pids.current")
t_run "pids: pids.current ($cur) never passes pids.max" test "${cur:-999}" -le 50
made=$(sed -n 's/.*pids:0.0.1: created \([0-9]*\) of 3000.*/\1/p' "$W/log")
t_run "pids: a bomb of 3000 stops at the limit (created $made)" test "${made:-999}" -le 48
t_run "pids: fork fails with EAGAIN" grep -q "pids:0.0.1: failed errno 11" "$W/log"
t_run "pids: the kernel counted refusals" sh -c "grep -q '^max [1-9]' '$P/pids.events'"
logwait "Process pids:0.0.1 exited"
t_clean "pids"

# --- refusal ---------------------------------------------------------------------------------------
out=$(console 1 "$(start badattr)")
has "attrs naming a missing file: refused at start" "$out" "memory.no_such_file' does not exist"
t_clean "failed start"

# --- SELinux exec context ----------------------------------------------------------------------
if [ $SELINUX = yes ]; then
	console 3 "$(start labelled)" >/dev/null
	# without a policy every process is "kernel"; only an exec context changes that
	t_eq "SELinux: the test runs as kernel" "$(tr -d '\000' </proc/self/attr/current)" kernel
	t_run "SELinux: the application runs in the exec context" grep -q "labelled:0.0.1: app unlabeled" "$W/log"
else
	t_ok "SELinux: # SKIP the kernel runs without SELinux"
fi

# --- SIGKILL, restart, shutdown --------------------------------------------------------------------
console 1 "$(start plain)" >/dev/null
t_run "plain: its cgroup exists" test -d "$CG/$RT/plain"
kill -9 $DPID
wait $DPID 2>/dev/null
i=0
while [ -n "$(cat "$CG/$RT/plain/cgroup.procs" 2>/dev/null)" ] && [ $i -lt 20 ]; do sleep 0.2; i=$((i + 1)); done
t_run "SIGKILL: the container's cgroup outlives the daemon" test -d "$CG/$RT/plain"
if daemon_start 2; then t_ok "restart"; else t_fail "restart" "$(cat "$W/log")"; fi
t_run "restart: the stale cgroup's removal is logged" grep -q "removed stale cgroup 'plain'" "$W/log"
t_clean "restart after SIGKILL"
console 1 "$(start plain)" >/dev/null
console 1 '{"request":"shutdown"}' >/dev/null
wait $DPID
t_eq "shutdown: exit 0" "$?" 0
t_run "shutdown: the runtime cgroup is removed" test ! -d "$CG/$RT"
t_done
