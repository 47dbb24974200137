#!/bin/sh
# northstard's cgroups (issue 8) on the host's layout (this machine: v1 controllers,
# hybrid), through the console: limits, weights and throttles in their files, the
# container's processes inside its cgroup, a memory eater OOM-killed at its limit with
# the c_group notification, a CPU eater held to its 20% quota by the cgroup's own
# counter, statistics in inspect, invalid parent and attrs refused (at install by the
# manifest parser, at start by libns), and no cgroup directory left after exit, kill,
# crash, failed start, shutdown, or a daemon killed with SIGKILL and started again. A
# machine without cgroups still runs containers. The VM runs the essentials on pure v2
# (tests/vm/daemon_cgroup.test.sh).
. "$(dirname "$0")/../lib.sh"
. "$NS_TOP/tests/daemon_lib.sh"
daemon_init

H=$NS_BUILD/tests/helpers
PROBE=$("$H/cgtool" probe 2>&1)
if ! printf '%s\n' "$PROBE" | grep -q '^memory: v[12] '; then
	t_skip "cgroups" "no memory controller here: $PROBE"
	t_done
	exit 0
fi
RT=nsd-cgtest-$$ # the runtime cgroup: our own name, other tests may run meanwhile
ver() { printf '%s\n' "$PROBE" | sed -n "s/^$1: \(v[12]\) .*/\1/p"; }
mnt() { printf '%s\n' "$PROBE" | sed -n "s/^$1: v[12] //p"; }
mounts() { printf '%s\n' "$PROBE" | sed -n 's/^[a-z]*: v[12] //p' | sort -u; }
# cgdir CTRL NAME: the container's directory on CTRL's hierarchy
cgdir() { echo "$(mnt "$1")/$RT/$2"; }
# container cgroups left (the runtime's own directory and the daemon's leaf aside)
leftovers() {
	for m in $(mounts); do
		[ -d "$m/$RT" ] && find "$m/$RT" -mindepth 1 -type d ! -name '@northstard'
	done
	return 0
}
runtime_dirs() { for m in $(mounts); do [ -d "$m/$RT" ] && echo "$m/$RT"; done; return 0; }
t_clean() { t_eq "$1: no cgroup directory left" "$(leftovers | tr '\n' ' ')" ""; }
V=$(ver memory)

cp "$H/memeater" "$H/cpueater" "$T/root/bin/"
base() { # base NAME: a manifest header; the rest comes from stdin
	manifest "$1" 0.0.1 <<EOF
init: /bin/sh
args: [-c, "exec sleep 60"]
uid: 1000
gid: 1000
io:
  stdout: pipe
  stderr: pipe
mounts:
  /proc:
    type: proc
$(cat)
EOF
}
base limits <<'EOF'
cgroups:
  memory:
    memory_hard_limit: 33554432
    memory_soft_limit: 16777216
    memory_swap_limit: 67108864
    swappiness: 10
  cpu:
    shares: 512
    quota: 20000
    period: 100000
    cpus: '0'
    mems: '0'
  blkio:
    weight: 100
    weight_device: []
    throttle_read_bps_device: [{major: 7, minor: 0, rate: 1048576}]
    throttle_read_iops_device: []
    throttle_write_bps_device: []
    throttle_write_iops_device: [{major: 7, minor: 0, rate: 100}]
EOF
pack limits 0.0.1
base oom <<'EOF'
cgroups:
  memory: {oom_monitor: true, memory_hard_limit: 33554432, memory_swap_limit: 33554432}
EOF
sed -i 's|^args: .*|args: [-c, "exec /bin/memeater 256"]|' "$T/oom-0.0.1.yaml"
pack oom 0.0.1
base cpu <<'EOF'
cgroups:
  cpu: {quota: 20000, period: 100000}
EOF
sed -i 's|^args: .*|args: [-c, "echo ready; sleep 2; /bin/cpueater 3; exec sleep 60"]|' "$T/cpu-0.0.1.yaml"
pack cpu 0.0.1
base plain </dev/null
pack plain 0.0.1
base nested <<'EOF'
cgroups:
  parent: group/sub
  memory: {memory_hard_limit: 67108864}
EOF
pack nested 0.0.1

# refused at start by libns (the manifest parser lets them through)
bad_start() { # bad_start NAME CGROUPS-YAML
	printf '%s\n' "$2" | base "$1"
	pack "$1" 0.0.1
}
bad_start badparent1 "cgroups: {parent: 'a//b'}"
bad_start badparent2 "cgroups: {parent: '@northstard/x'}"
bad_start badattr1 "cgroups: {memory: {attrs: {cpu.shares: '5'}}}"
bad_start badattr2 "cgroups: {memory: {attrs: {memory.no_such_file: '5'}}}"
bad_start badvalue "cgroups: {memory: {swappiness: 300}}"
bad_start badswap "cgroups: {memory: {memory_hard_limit: 67108864, memory_swap_limit: 33554432}}"
# refused at install by the manifest parser: packed by the independent packer
mkdir -p "$T/empty"
mksquashfs "$T/empty" "$T/empty.sqfs" -quiet -noappend -all-root >/dev/null
bad_install() { # bad_install NAME CGROUPS-YAML
	printf 'name: %s\nversion: 0.0.1\ninit: /bin/sh\nuid: 1000\ngid: 1000\n%s\n' "$1" "$2" \
		>"$T/$1.yaml"
	python3 "$NS_TOP/tests/npk_ref.py" pack --manifest "$T/$1.yaml" --image "$T/empty.sqfs" \
		--out "$T/$1.npk" --key "$T/test.key"
}
bad_install absparent "cgroups: {parent: /abs}"
bad_install upparent "cgroups: {parent: ../up}"
bad_install procsattr "cgroups: {memory: {attrs: {cgroup.procs: '1'}}}"
bad_install tasksattr "cgroups: {cpu: {attrs: {tasks: '1'}}}"

# a realtime policy: where cgroup v1 has RT group scheduling, only with realtime time
base rtnone <<'EOF'
sched:
  policy: !fifo
    priority: 5
EOF
sed -i 's|^args: .*|args: [-c, "exit 0"]|' "$T/rtnone-0.0.1.yaml"
pack rtnone 0.0.1
sed 's/^name: rtnone/name: rtbudget/' "$T/rtnone-0.0.1.yaml" >"$T/rtbudget-0.0.1.yaml"
printf 'cgroups:\n  cpu: {realtime_runtime: 100000}\n' >>"$T/rtbudget-0.0.1.yaml"
pack rtbudget 0.0.1
# below a parent of its own, on a period of its own: every level lends, scaled
sed 's/^name: rtnone/name: rtnested/' "$T/rtnone-0.0.1.yaml" >"$T/rtnested-0.0.1.yaml"
printf 'cgroups:\n  parent: rtgroup/sub\n  cpu: {realtime_runtime: 20000, realtime_period: 100000}\n' \
	>>"$T/rtnested-0.0.1.yaml"
sed -i 's|^args: .*|args: [-c, "exec sleep 60"]|' "$T/rtnested-0.0.1.yaml"
pack rtnested 0.0.1
# more than the machine has
sed 's/^name: rtnone/name: rtgreedy/' "$T/rtnone-0.0.1.yaml" >"$T/rtgreedy-0.0.1.yaml"
printf 'cgroups:\n  cpu: {realtime_runtime: 999999}\n' >>"$T/rtgreedy-0.0.1.yaml"
pack rtgreedy 0.0.1

write_config
sed -i "s/^cgroup: .*/cgroup: $RT/" "$T/northstar.yaml"
daemon_start || { t_fail "daemon starts" "$(cat "$T/log")"; t_done; exit 1; }
t_ok "daemon starts"
t_run "start-up: the layout is logged" grep -q "cgroups: [a-z0-9]* layout, runtime cgroup '$RT'" "$T/log"
t_eq "start-up: the runtime cgroup exists on every hierarchy" "$(runtime_dirs | wc -l)" "$(mounts | wc -l)"
for n in limits oom cpu plain nested rtnone rtbudget rtnested rtgreedy badparent1 badparent2 badattr1 badattr2 badvalue badswap; do
	C install "$T/$n-0.0.1.npk" default >/dev/null
done
# --- limits, weights and throttles in their files -------------------------------------------
C start limits:0.0.1 >/dev/null
insp=$(C inspect limits:0.0.1)
init=$(json_get "$insp" response inspect ok data process pid)
app=$(grep -l "^PPid:[[:space:]]*$init\$" /proc/[0-9]*/status 2>/dev/null | head -n 1 | cut -d/ -f3)
val() { [ -f "$1" ] && tr '\n' ';' <"$1" | sed 's/;$//'; }
if [ "$V" = v1 ]; then
	M=$(cgdir memory limits) C1=$(cgdir cpu limits) S=$(cgdir cpuset limits) B=$(cgdir blkio limits)
	t_eq "v1: memory_hard_limit -> memory.limit_in_bytes" "$(val "$M/memory.limit_in_bytes")" 33554432
	t_eq "v1: memory_soft_limit -> memory.soft_limit_in_bytes" "$(val "$M/memory.soft_limit_in_bytes")" 16777216
	t_eq "v1: memory_swap_limit -> memory.memsw.limit_in_bytes" "$(val "$M/memory.memsw.limit_in_bytes")" 67108864
	t_eq "v1: swappiness -> memory.swappiness" "$(val "$M/memory.swappiness")" 10
	t_eq "v1: shares -> cpu.shares" "$(val "$C1/cpu.shares")" 512
	t_eq "v1: quota -> cpu.cfs_quota_us" "$(val "$C1/cpu.cfs_quota_us")" 20000
	t_eq "v1: period -> cpu.cfs_period_us" "$(val "$C1/cpu.cfs_period_us")" 100000
	t_eq "v1: cpus -> cpuset.cpus" "$(val "$S/cpuset.cpus")" 0
	t_eq "v1: read bps -> blkio.throttle.read_bps_device" "$(val "$B/blkio.throttle.read_bps_device")" "7:0 1048576"
	t_eq "v1: write iops -> blkio.throttle.write_iops_device" "$(val "$B/blkio.throttle.write_iops_device")" "7:0 100"
	w=$(val "$B/blkio.weight")
	[ -z "$w" ] && w=$(val "$B/blkio.bfq.weight")
	if [ -n "$w" ]; then
		t_eq "v1: blkio weight -> blkio.weight or blkio.bfq.weight" "$w" 100
	else
		t_run "v1: blkio weight without CFQ or BFQ is logged" grep -q "cgroups.blkio.weight ignored" "$T/log"
	fi
	for c in memory cpu cpuset blkio; do
		t_run "v1: the application is in the $c cgroup" grep -q ":$c:/$RT/limits\$" "/proc/$app/cgroup"
		t_run "v1: ns-init is in the $c cgroup" grep -q ":$c:/$RT/limits\$" "/proc/$init/cgroup"
	done
else
	D=$(cgdir memory limits)
	t_eq "v2: memory.max" "$(val "$D/memory.max")" 33554432
	t_eq "v2: memory.low" "$(val "$D/memory.low")" 16777216
	t_eq "v2: memory.swap.max (swap alone)" "$(val "$D/memory.swap.max")" 33554432
	t_eq "v2: cpu.weight" "$(val "$D/cpu.weight")" 20
	t_eq "v2: cpu.max" "$(val "$D/cpu.max")" "20000 100000"
	t_eq "v2: io.max" "$(val "$D/io.max")" "7:0 rbps=1048576 wbps=max riops=max wiops=100"
	t_run "v2: the application is in its cgroup" grep -q "^0::/$RT/limits\$" "/proc/$app/cgroup"
fi

# --- statistics in inspect ---------------------------------------------------------------
stats=$(json_get "$insp" response inspect ok data process statistics)
for k in '"memory":{"memory":{' '"limit_in_bytes":33554432' '"usage_in_bytes":' '"cpu":{' \
	'"stat":' '"usage_ns":' '"blkio":{'; do
	case $stats in
	*"$k"*) t_ok "inspect statistics: $k" ;;
	*) t_fail "inspect statistics: $k" "$stats" ;;
	esac
done
t_eq "inspect of a stopped container: no process" \
	"$(json_get "$(C inspect plain:0.0.1)" response inspect ok data process)" "null"

t_eq "kill: Signalled(9)" "$(C killwait limits:0.0.1 9)" \
	'{"notification":{"exit":["limits:0.0.1",{"signalled":{"signal":9}}]}}'
t_clean "kill"

# --- OOM: the memory eater, the c_group notification ----------------------------------------
# a subscriber of its own, printing every notification until oom's exit
$NSD_PY - "$T/console" "$NS_TOP/tests" >"$T/notif" 2>&1 <<'EOF' &
import sys
sys.path.insert(0, sys.argv[2])
from console_client import Client
c = Client("unix://" + sys.argv[1], 60)
c.connect(True)
print("ready", flush=True)
while True:
    line = c.notification()
    print(line, flush=True)
    if '"exit":["oom:' in line:
        break
EOF
watcher=$!
"$NS_BIN" nstar -u "unix://$T/console" notifications >"$T/nstar.out" 2>&1 &
nstar_pid=$!
i=0
while ! grep -q ready "$T/notif" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
sleep 0.3 # nstar's connection too
t_eq "oom: the memory eater is killed at its limit" "$(C run oom:0.0.1)" '{"signalled":{"signal":9}}'
wait $watcher
ev=$(grep '"c_group":\["oom:0.0.1"' "$T/notif" | tail -n 1)
kills=$(printf '%s' "$ev" | sed -n 's/.*"oom_kill":\([0-9]*\).*/\1/p')
if [ -n "$kills" ] && [ "$kills" -ge 1 ]; then
	t_ok "oom: the c_group notification names it, oom_kill $kills"
else
	t_fail "oom: the c_group notification names it, with oom_kill >= 1" "$(cat "$T/notif")"
fi
case $ev in
*'{"memory":{"low":'*'"high":'*'"max":'*'"oom":'*'"oom_kill":'*'}}]}}') t_ok "oom: the memory event in the spec's shape" ;;
*) t_fail "oom: the memory event in the spec's shape" "$ev" ;;
esac
first_cg=$(grep -n '"c_group":\["oom' "$T/notif" | head -n 1 | cut -d: -f1)
exit_at=$(grep -n '"exit":\["oom' "$T/notif" | head -n 1 | cut -d: -f1)
t_run "oom: c_group comes before the exit" test "${first_cg:-99}" -lt "${exit_at:-0}"
t_run "oom: logged" grep -q "Process oom:0.0.1 is out of memory" "$T/log"
kill $nstar_pid 2>/dev/null
wait $nstar_pid 2>/dev/null
t_run "oom: nstar prints the memory event" \
	grep -q "container oom:0.0.1 memory event Memory(MemoryNotification { .*oom_kill: Some([1-9]" \
	"$T/nstar.out"
eaten=$(grep 'oom:0.0.1: eaten' "$T/log" | tail -n 1 | sed 's/.*eaten \([0-9]*\) MiB/\1/')
if [ "${eaten:-0}" -le 32 ]; then t_ok "oom: killed by 32 MiB (${eaten:-0} MiB reported)"; else t_fail "oom: killed at 32 MiB" "$eaten"; fi
t_clean "oom"

# --- CPU: 20% quota by the cgroup's own counter -----------------------------------------------
# read when the container is ready and after the eater: ns-init's setup is not counted
if [ "$(ver cpuacct)" = v1 ]; then
	usage() { cat "$(cgdir cpuacct cpu)/cpuacct.usage"; }
else
	usage() { echo $(($(sed -n 's/^usage_usec //p' "$(cgdir cpu cpu)/cpu.stat") * 1000)); }
fi
C start cpu:0.0.1 >/dev/null
log_wait "cpu:0.0.1: ready" 15
u0=$(usage)
log_wait "cpu:0.0.1: spun [0-9]+ ms" 15
u1=$(usage)
ms=$(sed -n 's/.*cpu:0.0.1: spun \([0-9]*\) ms.*/\1/p' "$T/log" | tail -n 1)
if [ -n "$u0" ] && [ -n "$u1" ] && [ -n "$ms" ] && [ "$ms" -gt 0 ]; then
	pct=$(((u1 - u0) / 10000 / ms))
	if [ $pct -ge 10 ] && [ $pct -le 25 ]; then
		t_ok "cpu: a 20% quota gives $pct% of a CPU over $ms ms (cgroup counter)"
	else
		t_fail "cpu: a 20% quota gives 10..25% of a CPU" "$pct% ($((u1 - u0)) ns over $ms ms)"
	fi
else
	t_fail "cpu: the eater's time and the cgroup's usage" "ms=$ms u0=$u0 u1=$u1"
fi
ns=$(json_get "$(C inspect cpu:0.0.1)" response inspect ok data process statistics cpu usage_ns)
t_run "cpu: inspect's usage_ns is the cgroup's counter" test "${ns:-0}" -ge "$u1"
C killwait cpu:0.0.1 15 >/dev/null
t_clean "cpu"

# --- parent, refusals ---------------------------------------------------------------------------
C start nested:0.0.1 >/dev/null
t_run "parent: the cgroup lies at runtime/group/sub/nested" test -d "$(cgdir memory group/sub/nested)"
t_eq "parent: its limit" "$(val "$(cgdir memory group/sub/nested)/memory.$([ "$V" = v1 ] && echo limit_in_bytes || echo max)")" 67108864
C killwait nested:0.0.1 9 >/dev/null
t_clean "parent: removed with its parents"

start_err() { # start_err NAME NEEDLE
	out=$(C start "$1:0.0.1")
	case $out in
	*'"start_container_failed":{"container":"'"$1"':0.0.1","error":"'*"$2"*) t_ok "refused at start: $1 ($2)" ;;
	*) t_fail "refused at start: $1 ($2)" "$out" ;;
	esac
}
before=$(leaks)
start_err badparent1 "cgroups.parent 'a//b'"
start_err badparent2 "cgroups.parent '@northstard/x'"
start_err badattr1 "is not a file of the memory controller"
start_err badattr2 "memory.no_such_file' does not exist"
# v2 has no swappiness: there the value is only noted
[ "$V" = v1 ] && start_err badvalue "cgroups.memory.swappiness: write '300'"
start_err badswap "is below memory_hard_limit"
t_clean "refused starts"
t_eq "refused starts: nothing mounted or left" "$(leaks)" "$before"
install_err() { # install_err NAME NEEDLE
	out=$(C install "$T/$1.npk" default)
	case $out in
	*"$2"*) t_ok "refused at install: $1 ($2)" ;;
	*) t_fail "refused at install: $1 ($2)" "$out" ;;
	esac
}
install_err absparent "must be relative"
install_err upparent "must not contain '..'"
install_err procsattr "names a cgroup core file"
install_err tasksattr "names a cgroup core file"

# --- realtime time (v1 RT group scheduling) ------------------------------------------------
if [ "$(ver cpu)" = v1 ] && [ -f "$(mnt cpu)/cpu.rt_runtime_us" ]; then
	C=$(mnt cpu)
	t_eq "realtime: an idle runtime cgroup holds no realtime time" "$(val "$C/$RT/cpu.rt_runtime_us")" 0
	start_err rtnone "cgroups.cpu.realtime_runtime"
	# realtime throttling off host-wide: the kernel allows it, so the runtime does too
	rt_sysctl=/proc/sys/kernel/sched_rt_runtime_us
	rt_old=$(cat "$rt_sysctl")
	if echo -1 >"$rt_sysctl" 2>/dev/null; then
		out=$(C run rtnone:0.0.1)
		echo "$rt_old" >"$rt_sysctl"
		t_eq "realtime: with throttling off host-wide (sched_rt_runtime_us -1), fifo runs without realtime time" \
			"$out" '{"exit":{"code":0}}'
	else
		t_skip "realtime: throttling off host-wide" "the kernel refused sched_rt_runtime_us -1"
	fi
	t_eq "realtime: fifo runs with cgroups.cpu.realtime_runtime" "$(C run rtbudget:0.0.1)" \
		'{"exit":{"code":0}}'
	t_eq "realtime: its time is given back" "$(val "$C/$RT/cpu.rt_runtime_us")" 0
	C start rtnested:0.0.1 >/dev/null
	t_eq "realtime: nested: the container has its own" \
		"$(val "$C/$RT/rtgroup/sub/rtnested/cpu.rt_runtime_us") $(val "$C/$RT/rtgroup/sub/rtnested/cpu.rt_period_us")" \
		"20000 100000"
	t_eq "realtime: nested: each level lends it, scaled to its period (1 s)" \
		"$(val "$C/$RT/rtgroup/sub/cpu.rt_runtime_us") $(val "$C/$RT/rtgroup/cpu.rt_runtime_us") $(val "$C/$RT/cpu.rt_runtime_us")" \
		"200000 200000 200000"
	t_eq "realtime: nested: the application runs SCHED_FIFO, ns-init does not" \
		"$(for p in $(cat "$C/$RT/rtgroup/sub/rtnested/tasks"); do awk '{print $41}' "/proc/$p/stat"; done | sort -u | tr '\n' ' ')" "0 1 "
	start_err rtgreedy "999999 us per 1000000 us cannot be lent to '$C/$RT'"
	out=$(C start rtgreedy:0.0.1)
	case $out in
	*"has $(val "$C/cpu.rt_runtime_us") us per 1000000 us of realtime time, held by '$RT' (200000 us)"*)
		t_ok "realtime: the refusal says what the machine has and who holds it" ;;
	*) t_fail "realtime: the refusal says what the machine has and who holds it" "$out" ;;
	esac
	t_eq "realtime: a refusal lends nothing" "$(val "$C/$RT/cpu.rt_runtime_us")" 200000
	C killwait rtnested:0.0.1 9 >/dev/null
	t_eq "realtime: all given back" "$(val "$C/$RT/cpu.rt_runtime_us")" 0
	t_clean "realtime"
else
	t_eq "realtime: fifo runs (no RT group scheduling here)" "$(C run rtnone:0.0.1)" \
		'{"exit":{"code":0}}'
fi

# --- exit, crash, failed start ---------------------------------------------------------------
t_eq "exit with a background task left" \
	"$(C run plain:0.0.1 --init /bin/sh --arg -c --arg 'sleep 60 & exit 3')" '{"exit":{"code":3}}'
t_clean "exit"
t_eq "crash" "$(C run plain:0.0.1 --init /bin/sh --arg -c --arg 'kill -SEGV $$')" \
	'{"signalled":{"signal":11}}'
t_clean "crash"
out=$(C start plain:0.0.1 --init /nonexistent)
case $out in *start_container_failed*) t_ok "failed start: refused" ;; *) t_fail "failed start: refused" "$out" ;; esac
t_clean "failed start"

# --- a daemon killed with SIGKILL; the next start removes its cgroups ------------------------
C start plain:0.0.1 >/dev/null
RTKILL=""
if [ "$(ver cpu)" = v1 ] && [ -f "$(mnt cpu)/cpu.rt_runtime_us" ]; then
	C start rtnested:0.0.1 >/dev/null
	RTKILL=$(val "$(mnt cpu)/$RT/cpu.rt_runtime_us")
fi
t_eq "SIGKILL: the container's cgroup exists" "$(leftovers | grep -c '/plain$')" "$(mounts | wc -l | tr -d ' ')"
kill -KILL "$DPID"
wait "$DPID" 2>/dev/null
DPID=""
t_eq "SIGKILL: its cgroups outlive the daemon" "$(leftovers | grep -c '/plain$')" "$(mounts | wc -l | tr -d ' ')"
daemon_start || { t_fail "daemon restarts" "$(cat "$T/log")"; t_done; exit 1; }
t_run "restart: the stale cgroup's removal is logged" grep -q "removed stale cgroup 'plain'" "$T/log"
if [ -n "$RTKILL" ]; then
	t_eq "restart: the killed runtime had lent realtime time" "$RTKILL" 200000
	t_eq "restart: and it is taken back" "$(val "$(mnt cpu)/$RT/cpu.rt_runtime_us")" 0
	t_run "restart: which is logged" grep -q "gave back the 200000 us per 1000000 us of realtime time a previous runtime held" "$T/log"
fi
t_clean "restart after SIGKILL"
t_eq "restart: the container starts again" "$(C run plain:0.0.1 --init /bin/true)" '{"exit":{"code":0}}'

# --- shutdown with a running container --------------------------------------------------------
C start plain:0.0.1 >/dev/null
daemon_stop
t_eq "shutdown: exit 0" "$?" 0
t_eq "shutdown: the runtime cgroup is removed" "$(runtime_dirs | tr '\n' ' ')" ""

# --- no usable cgroups: containers still run ----------------------------------------------------
# (every cgroup mount goes, also those mounted elsewhere: a chroot's bind of /sys, say)
cat >"$T/nocg" <<EOF
#!/bin/sh
exec unshare $NS_UNSHARE_PROP -m sh -c '$NS_PRIVATE_MOUNTS && umount -l /sys/fs/cgroup && \
	for m in \$(awk "\\\$3 ~ /^cgroup/ { print \\\$2 }" /proc/self/mounts | sort -r); do umount -l "\$m"; done &&
	exec "\$0" "\$@"' "$NS_BIN" "\$@"
EOF
chmod +x "$T/nocg"
NS_BIN_SAVED=$NS_BIN
NS_BIN=$T/nocg
daemon_start || { t_fail "no cgroups: the daemon starts" "$(cat "$T/log")"; t_done; exit 1; }
NS_BIN=$NS_BIN_SAVED
t_run "no cgroups: logged at start-up" log_wait "cgroups are not usable \\(.*\\): containers run without resource limits"
t_eq "no cgroups: a container with limits runs" "$(C run limits:0.0.1 --init /bin/true)" '{"exit":{"code":0}}'
t_run "no cgroups: its limits are logged as ignored" log_wait "limits:0.0.1: cgroups ignored: this machine has no usable cgroups"
daemon_stop
t_eq "no cgroups: shutdown exit 0" "$?" 0
t_eq "nothing of ours in any hierarchy" "$(runtime_dirs | tr '\n' ' ')" ""
t_done
