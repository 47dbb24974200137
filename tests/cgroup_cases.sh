# cgroup test cases shared by the host (tests/integration/cgroup.sh: v1 controllers,
# hybrid) and the VM (tests/vm/cgroup.test.sh: pure v2). Sourced after tests/lib.sh;
# the caller sets CG_EXPECT_MODES (the layouts it accepts, e.g. "hybrid v1") and W (a
# scratch directory). Runs every case through tests/helpers/cgtool, which uses
# libns/cgroup.[ch] as northstard does. POSIX sh (busybox in the VM).

H=$NS_BUILD/tests/helpers
CG=$H/cgtool
RT=nstest-$$ # a runtime cgroup of our own: other tests may use cgroups meanwhile

PROBE=$("$CG" probe 2>&1)
MODE=$(printf '%s\n' "$PROBE" | sed -n 's/^mode: //p')
# ver CTRL: v1, v2 or "" (missing)
ver() { printf '%s\n' "$PROBE" | sed -n "s/^$1: \(v[12]\) .*/\1/p"; }
mounts() { printf '%s\n' "$PROBE" | sed -n 's/^[a-z]*: v[12] //p' | sort -u; }

# leftovers: every directory of our runtime cgroup still present.
leftovers() {
	for m in $(mounts); do
		[ -d "$m/$RT" ] && find "$m/$RT" -type d
	done
	return 0
}
t_clean() { t_eq "$1: no cgroup directory left" "$(leftovers | tr '\n' ' ')" ""; }

# gone PID: the process has ended (a zombie waiting for its reaper counts as ended).
gone() { [ ! -e "/proc/$1" ] || grep -q '^[0-9]* (.*) [ZX] ' "/proc/$1/stat" 2>/dev/null; }

# manifest FILE: a manifest whose cgroups section is read from stdin (indented 2).
manifest() {
	{
		printf 'name: eater\nversion: 0.0.1\ninit: /eater\nuid: 1000\ngid: 1000\ncgroups:\n'
		sed 's/^/  /'
	} >"$1"
}

# value FILE: a control file's content on one line ("" when missing).
cat >"$W/show.sh" <<'EOF'
for f in "$@"; do
	if [ -f "$f" ]; then v=$(tr '\n' ';' <"$f"); else v=MISSING; fi
	echo "$(basename "$f")=${v%;}"
done
EOF
# got OUTPUT FILE: the value show.sh printed for FILE.
got() { printf '%s\n' "$1" | sed -n "s/^$2=//p" | head -n 1; }

case_probe() {
	case " $CG_EXPECT_MODES " in
	*" $MODE "*) t_ok "probe: layout '$MODE'" ;;
	*) t_fail "probe: layout '$MODE', expected one of: $CG_EXPECT_MODES" "$PROBE" ;;
	esac
	for c in memory cpu cpuacct; do
		if [ -n "$(ver $c)" ]; then t_ok "probe: $c found ($(ver $c))"; else t_fail "probe: $c found" "$PROBE"; fi
	done
}

case_limits_v1() {
	manifest "$W/lim.yaml" <<'EOF'
memory:
  memory_hard_limit: 33554432
  memory_soft_limit: 16777216
  memory_swap_limit: 67108864
  swappiness: 10
  kernel_memory_limit: 8388608
  kernel_tcp_memory_limit: 4194304
cpu:
  shares: 512
  quota: 20000
  period: 100000
  cpus: '0'
  mems: '0'
  realtime_period: 1000000
  realtime_runtime: 0
  attrs: {cpu.cfs_burst_us: '5000'}
blkio:
  weight: 100
  weight_device: []
  throttle_read_bps_device: [{major: 7, minor: 0, rate: 1048576}]
  throttle_read_iops_device: [{major: 7, minor: 0, rate: 200}]
  throttle_write_bps_device: [{major: 7, minor: 0, rate: 2097152}]
  throttle_write_iops_device: [{major: 7, minor: 0, rate: 100}]
  attrs: {}
EOF
	out=$("$CG" run "$RT" eater "$W/lim.yaml" -- sh -c 'M=$CG_MEMORY C=$CG_CPU S=$CG_CPUSET B=$CG_BLKIO
		sh '"$W/show.sh"' $M/memory.limit_in_bytes $M/memory.soft_limit_in_bytes \
		$M/memory.memsw.limit_in_bytes $M/memory.swappiness $M/memory.kmem.tcp.limit_in_bytes \
		$C/cpu.shares $C/cpu.cfs_quota_us $C/cpu.cfs_period_us $C/cpu.rt_period_us \
		$C/cpu.rt_runtime_us $C/cpu.cfs_burst_us $S/cpuset.cpus $S/cpuset.mems \
		$B/blkio.weight $B/blkio.bfq.weight $B/blkio.throttle.read_bps_device \
		$B/blkio.throttle.read_iops_device $B/blkio.throttle.write_bps_device \
		$B/blkio.throttle.write_iops_device' 2>&1)
	t_eq "v1: memory_hard_limit -> memory.limit_in_bytes" "$(got "$out" memory.limit_in_bytes)" 33554432
	t_eq "v1: memory_soft_limit -> memory.soft_limit_in_bytes" "$(got "$out" memory.soft_limit_in_bytes)" 16777216
	t_eq "v1: memory_swap_limit (memory + swap) -> memory.memsw.limit_in_bytes" \
		"$(got "$out" memory.memsw.limit_in_bytes)" 67108864
	t_eq "v1: swappiness -> memory.swappiness" "$(got "$out" memory.swappiness)" 10
	t_eq "v1: kernel_tcp_memory_limit -> memory.kmem.tcp.limit_in_bytes" \
		"$(got "$out" memory.kmem.tcp.limit_in_bytes)" 4194304
	if printf '%s' "$out" | grep -q 'note: cgroups.memory.kernel_memory_limit ignored'; then
		t_ok "v1: kernel_memory_limit the kernel ignores is noted"
	else
		t_skip "v1: kernel_memory_limit note" "this kernel still honours memory.kmem.limit_in_bytes"
	fi
	t_eq "v1: shares -> cpu.shares" "$(got "$out" cpu.shares)" 512
	t_eq "v1: quota -> cpu.cfs_quota_us" "$(got "$out" cpu.cfs_quota_us)" 20000
	t_eq "v1: period -> cpu.cfs_period_us" "$(got "$out" cpu.cfs_period_us)" 100000
	if [ "$(got "$out" cpu.rt_period_us)" = MISSING ]; then
		t_expect "v1: realtime without RT group scheduling is noted" 0 "" \
			sh -c "printf '%s' \"\$1\" | grep -q 'realtime_period ignored'" x "$out"
	else
		t_eq "v1: realtime_period -> cpu.rt_period_us" "$(got "$out" cpu.rt_period_us)" 1000000
		t_eq "v1: realtime_runtime -> cpu.rt_runtime_us" "$(got "$out" cpu.rt_runtime_us)" 0
	fi
	t_eq "v1: cpu attrs -> cpu.cfs_burst_us" "$(got "$out" cpu.cfs_burst_us)" 5000
	t_eq "v1: cpus -> cpuset.cpus" "$(got "$out" cpuset.cpus)" 0
	t_eq "v1: mems -> cpuset.mems" "$(got "$out" cpuset.mems)" 0
	w=$(got "$out" blkio.weight)
	[ "$w" = MISSING ] && w=$(got "$out" blkio.bfq.weight)
	if [ "$w" = MISSING ]; then
		t_expect "v1: blkio weight without CFQ or BFQ is noted" 0 "" \
			sh -c "printf '%s' \"\$1\" | grep -q 'blkio.weight ignored'" x "$out"
	else
		t_eq "v1: blkio weight -> blkio.weight or blkio.bfq.weight" "$w" 100
	fi
	t_eq "v1: read bps -> blkio.throttle.read_bps_device" "$(got "$out" blkio.throttle.read_bps_device)" "7:0 1048576"
	t_eq "v1: read iops" "$(got "$out" blkio.throttle.read_iops_device)" "7:0 200"
	t_eq "v1: write bps" "$(got "$out" blkio.throttle.write_bps_device)" "7:0 2097152"
	t_eq "v1: write iops" "$(got "$out" blkio.throttle.write_iops_device)" "7:0 100"
	t_clean "v1 limits"
}

case_limits_v2() {
	manifest "$W/lim.yaml" <<'EOF'
memory:
  memory_hard_limit: 33554432
  memory_soft_limit: 16777216
  memory_swap_limit: 67108864
  swappiness: 10
  kernel_memory_limit: 8388608
  kernel_tcp_memory_limit: 4194304
  attrs: {memory.high: '50003968'}
cpu:
  shares: 512
  quota: 20000
  period: 100000
  cpus: '0'
  mems: '0'
  realtime_period: 1000000
blkio:
  weight: 100
  weight_device: []
  throttle_read_bps_device: [{major: 7, minor: 0, rate: 1048576}]
  throttle_read_iops_device: []
  throttle_write_bps_device: []
  throttle_write_iops_device: [{major: 7, minor: 0, rate: 100}]
EOF
	out=$("$CG" run "$RT" eater "$W/lim.yaml" -- sh -c 'D=$CG_MEMORY
		sh '"$W/show.sh"' $D/memory.max $D/memory.low $D/memory.swap.max $D/memory.high \
		$D/cpu.weight $D/cpu.max $D/cpuset.cpus $D/cpuset.mems $D/io.weight $D/io.bfq.weight \
		$D/io.max' 2>&1)
	t_eq "v2: memory_hard_limit -> memory.max" "$(got "$out" memory.max)" 33554432
	t_eq "v2: memory_soft_limit -> memory.low" "$(got "$out" memory.low)" 16777216
	t_eq "v2: memory_swap_limit - memory_hard_limit -> memory.swap.max (swap only)" \
		"$(got "$out" memory.swap.max)" 33554432
	t_eq "v2: memory attrs -> memory.high" "$(got "$out" memory.high)" 50003968
	for n in swappiness kernel_memory_limit kernel_tcp_memory_limit realtime_runtime; do
		if printf '%s' "$out" | grep -q "note: cgroups\.[a-z]*\.$n.* ignored"; then
			t_ok "v2: $n noted as ignored"
		else
			t_fail "v2: $n noted as ignored" "$out"
		fi
	done
	t_eq "v2: shares 512 -> cpu.weight 1 + 510 * 9999 / 262142" "$(got "$out" cpu.weight)" 20
	t_eq "v2: quota and period -> cpu.max" "$(got "$out" cpu.max)" "20000 100000"
	t_eq "v2: cpus -> cpuset.cpus" "$(got "$out" cpuset.cpus)" 0
	t_eq "v2: mems -> cpuset.mems" "$(got "$out" cpuset.mems)" 0
	if [ "$(got "$out" io.weight)" != MISSING ]; then
		t_eq "v2: blkio weight 100 -> io.weight 1 + 90 * 9999 / 990" "$(got "$out" io.weight)" "default 910"
	elif [ "$(got "$out" io.bfq.weight)" != MISSING ]; then
		t_eq "v2: blkio weight -> io.bfq.weight" "$(got "$out" io.bfq.weight)" "default 100"
	else
		t_expect "v2: blkio weight without io.weight is noted" 0 "" \
			sh -c "printf '%s' \"\$1\" | grep -q 'blkio.weight ignored'" x "$out"
	fi
	t_eq "v2: throttles -> io.max" "$(got "$out" io.max)" "7:0 rbps=1048576 wbps=max riops=max wiops=100"
	t_clean "v2 limits"
}

case_oom() {
	manifest "$W/oom.yaml" <<'EOF'
memory: {oom_monitor: true, memory_hard_limit: 33554432, memory_swap_limit: 33554432}
EOF
	out=$("$CG" run "$RT" eater "$W/oom.yaml" -- "$H/memeater" 256 2>&1)
	t_expect "oom: the memory eater is killed at its limit" 0 "exit: signal 9" printf '%s' "$out"
	ev=$(printf '%s\n' "$out" | grep '^oom: ' | tail -n 1)
	kills=$(printf '%s' "$ev" | sed -n 's/.*oom_kill=\([0-9-]*\).*/\1/p')
	ooms=$(printf '%s' "$ev" | sed -n 's/.* oom=\([0-9-]*\).*/\1/p')
	if [ -n "$kills" ] && [ "$kills" -ge 1 ] && [ "$ooms" -ge 1 ]; then
		t_ok "oom: the OOM event came through the fd ($ev)"
	else
		t_fail "oom: the OOM event came through the fd" "$out"
	fi
	eaten=$(printf '%s\n' "$out" | sed -n 's/^eaten \([0-9]*\) MiB/\1/p' | tail -n 1)
	if [ "${eaten:-0}" -le 32 ]; then t_ok "oom: killed before 32 MiB (${eaten:-0} MiB reported)"; else t_fail "oom: killed at the limit" "$out"; fi
	t_clean "oom"
}

case_cpu() {
	manifest "$W/cpu.yaml" <<'EOF'
cpu: {quota: 20000, period: 100000}
EOF
	out=$("$CG" run "$RT" eater "$W/cpu.yaml" -- "$H/cpueater" 3 2>&1)
	ns=$(printf '%s\n' "$out" | sed -n 's/^cpu_usage_ns: //p')
	ms=$(printf '%s\n' "$out" | sed -n 's/^spun \([0-9]*\) ms/\1/p')
	if [ -n "$ns" ] && [ -n "$ms" ]; then
		pct=$((ns / 10000 / ms))
		if [ $pct -ge 10 ] && [ $pct -le 25 ]; then
			t_ok "cpu: a 20% quota gives $pct% of a CPU over $ms ms (cgroup counter)"
		else
			t_fail "cpu: a 20% quota gives 10..25% of a CPU" "$pct% ($ns ns over $ms ms): $out"
		fi
	else
		t_fail "cpu: usage counter and wall time reported" "$out"
	fi
	t_clean "cpu"
}

case_refusals() {
	for p in 'a//b' 'a/./b' 'a/' "@northstard/x"; do
		printf 'parent: %s\n' "'$p'" | manifest "$W/bad.yaml"
		t_expect "refused: parent '$p'" 1 "cgroups.parent '$p'" "$CG" run "$RT" eater "$W/bad.yaml" -- true
	done
	printf 'parent: ../up\n' | manifest "$W/bad.yaml"
	t_expect "refused by the manifest: parent '../up'" 1 "must not contain '..'" "$CG" run "$RT" eater "$W/bad.yaml" -- true
	printf 'parent: /abs\n' | manifest "$W/bad.yaml"
	t_expect "refused by the manifest: parent '/abs'" 1 "must be relative" "$CG" run "$RT" eater "$W/bad.yaml" -- true
	printf 'memory: {attrs: {cgroup.procs: "1"}}\n' | manifest "$W/bad.yaml"
	t_expect "refused: attrs cgroup.procs" 1 "names a cgroup core file" "$CG" run "$RT" eater "$W/bad.yaml" -- true
	printf 'cpu: {attrs: {cgroup.subtree_control: "+memory"}}\n' | manifest "$W/bad.yaml"
	t_expect "refused: attrs cgroup.subtree_control" 1 "names a cgroup core file" "$CG" run "$RT" eater "$W/bad.yaml" -- true
	printf 'memory: {attrs: {tasks: "1"}}\n' | manifest "$W/bad.yaml"
	t_expect "refused: attrs tasks" 1 "names a cgroup core file" "$CG" run "$RT" eater "$W/bad.yaml" -- true
	printf 'memory: {attrs: {cpu.shares: "5"}}\n' | manifest "$W/bad.yaml"
	t_expect "refused: attrs of another controller" 1 "is not a file of the memory controller" \
		"$CG" run "$RT" eater "$W/bad.yaml" -- true
	printf 'memory: {attrs: {memory.no_such_file: "5"}}\n' | manifest "$W/bad.yaml"
	t_expect "refused: attrs naming a missing file" 1 "memory.no_such_file' does not exist" \
		"$CG" run "$RT" eater "$W/bad.yaml" -- true
	printf 'memory: {memory_hard_limit: -2}\n' | manifest "$W/bad.yaml"
	t_expect "refused: memory_hard_limit -2" 1 "neither -1 (unlimited) nor a byte count" \
		"$CG" run "$RT" eater "$W/bad.yaml" -- true
	printf 'memory: {memory_hard_limit: 67108864, memory_swap_limit: 33554432}\n' | manifest "$W/bad.yaml"
	t_expect "refused: memory_swap_limit below memory_hard_limit" 1 "is below memory_hard_limit" \
		"$CG" run "$RT" eater "$W/bad.yaml" -- true
	printf 'blkio: {weight: 5, weight_device: [], throttle_read_bps_device: [], throttle_read_iops_device: [], throttle_write_bps_device: [], throttle_write_iops_device: []}\n' |
		manifest "$W/bad.yaml"
	t_expect "refused: blkio weight 5" 1 "5 is not in 10..1000" "$CG" run "$RT" eater "$W/bad.yaml" -- true
	printf 'parent: box\n' | manifest "$W/nest.yaml"
	t_expect "refused: a container inside another's cgroup" 1 "would lie inside the cgroup of a running container" \
		"$CG" run --open box=- "$RT" inner "$W/nest.yaml" -- true
	t_expect "refused: a container around another's cgroup" 1 "would contain the cgroup of a running container" \
		"$CG" run --open "inner=$W/nest.yaml" "$RT" box - -- true
	t_clean "refusals"
}

case_cleanup() {
	out=$("$CG" run "$RT" eater - -- sh -c "sleep 60 & echo \$! >$W/bg.pid; exit 3" 2>&1)
	t_expect "cleanup: exit status passed on" 0 "exit: code 3" printf '%s' "$out"
	bg=$(cat "$W/bg.pid")
	if gone "$bg"; then t_ok "cleanup: a left-over background task is killed"; else t_fail "cleanup: a left-over background task is killed" "pid $bg alive"; fi
	t_clean "exit"
	t_expect "cleanup: killed container" 0 "exit: signal 9" "$CG" run --kill-after 200 "$RT" eater - -- sleep 60
	t_clean "kill"
	t_expect "cleanup: crashed container" 0 "exit: signal 11" "$CG" run "$RT" eater - -- sh -c 'kill -SEGV $$'
	t_clean "crash"
	printf 'parent: group/sub\n' | manifest "$W/par.yaml"
	out=$("$CG" run --keep-runtime "$RT" eater "$W/par.yaml" -- sh -c 'echo "dir=$CG_MEMORY"' 2>&1)
	t_expect "parent: the cgroup lies below runtime/parent" 0 "/$RT/group/sub/eater" printf '%s' "$out"
	t_eq "parent: its directories are removed with it" "$(leftovers | grep -c "/$RT/group")" 0
	"$CG" cleanup "$RT" >/dev/null 2>&1
	t_clean "parent"
}

# A daemon killed with SIGKILL leaves its containers' cgroups; the next start removes them.
case_stale() {
	"$CG" run --keep-runtime "$RT" victim - -- sh -c "echo \$\$ >$W/victim.pid; exec sleep 60" \
		>"$W/victim.out" 2>&1 &
	tool=$!
	i=0
	while [ ! -s "$W/victim.pid" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -9 $tool
	wait $tool 2>/dev/null
	victim=$(cat "$W/victim.pid" 2>/dev/null)
	t_eq "stale: the cgroup outlives the killed helper" "$(leftovers | grep -c '/victim$')" "$(mounts | wc -l | tr -d ' ')"
	out=$("$CG" cleanup "$RT" 2>&1)
	t_expect "stale: the next start removes it" 0 "note: removed stale cgroup 'victim' (1 task killed)" printf '%s' "$out"
	if [ -n "$victim" ] && gone "$victim"; then t_ok "stale: its task was killed"; else t_fail "stale: its task was killed" "pid $victim: $out"; fi
	t_clean "stale"
}

# northstard started inside the runtime's cgroup moves itself to a leaf (v2: the parent
# of the containers must hold no process) and out again at the end.
case_daemon_inside() {
	for m in $(mounts); do
		mkdir -p "$m/$RT"
		# a new v1 cpuset cgroup takes no task before it has cpus and mems
		[ -f "$m/cpuset.mems" ] && [ ! -f "$m/cgroup.controllers" ] &&
			cat "$m/cpuset.cpus" >"$m/$RT/cpuset.cpus" && cat "$m/cpuset.mems" >"$m/$RT/cpuset.mems"
	done
	out=$(sh -c 'for m in '"$(mounts | tr '\n' ' ')"'; do echo $$ >"$m/'"$RT"'/cgroup.procs" || exit 9; done
		exec "$0" "$@"' "$CG" run "$RT" eater - -- sh -c 'cat /proc/$PPID/cgroup' 2>&1)
	t_expect "inside: a daemon in the runtime's cgroup still starts a container" 0 "exit: code 0" printf '%s' "$out"
	t_expect "inside: the daemon ran in the leaf meanwhile" 0 ":/$RT/@northstard" printf '%s' "$out"
	t_clean "inside"
}

case_stats() {
	manifest "$W/st.yaml" <<'EOF'
memory: {memory_hard_limit: 67108864}
EOF
	out=$("$CG" run --stats "$RT" eater "$W/st.yaml" -- "$H/memeater" 8 2>&1)
	st=$(printf '%s\n' "$out" | sed -n 's/^stats: //p')
	for k in '"memory":{"memory":{' '"limit_in_bytes":67108864' '"usage_in_bytes":' '"cpu":{' '"usage_ns":' '"blkio":{' '"io_serviced":'; do
		case $st in
		*"$k"*) t_ok "stats: has $k" ;;
		*) t_fail "stats: has $k" "$out" ;;
		esac
	done
	t_clean "stats"
}

case_attach() {
	t_expect "attach: by cgroup.procs" 0 "attach: procs" "$CG" run --attach procs "$RT" eater - -- true
	if [ "$MODE" = v2 ]; then
		t_expect "attach: clone3 CLONE_INTO_CGROUP by default on v2" 0 "attach: clone3" \
			"$CG" run "$RT" eater - -- sh -c 'grep -q "^0::/'"$RT"'/eater$" /proc/self/cgroup && echo inside'
		t_expect "attach: the clone3 child runs inside" 0 "inside" \
			"$CG" run "$RT" eater - -- sh -c 'grep -q "^0::/'"$RT"'/eater$" /proc/self/cgroup && echo inside'
	fi
	t_clean "attach"
}

# issue 14: cgroups.pids.max, the same file on v1 and v2, holds a task bomb
case_pids() {
	if [ -z "$(ver pids)" ]; then
		t_skip "pids: cgroups.pids.max" "this kernel has no pids controller mounted"
		return
	fi
	manifest "$W/pids.yaml" <<'EOF'
pids: {max: 20}
EOF
	out=$("$CG" run "$RT" eater "$W/pids.yaml" -- sh -c 'sh '"$W/show.sh"' $CG_PIDS/pids.max
		exec '"$H/forkthreads"' --bomb fork 100 0' 2>&1)
	t_eq "pids: max -> pids.max ($(ver pids))" "$(got "$out" pids.max)" 20
	made=$(printf '%s\n' "$out" | sed -n 's/^created \([0-9]*\) of 100$/\1/p')
	t_expect "pids: fork fails with EAGAIN" 0 "failed errno 11" printf '%s' "$out"
	t_run "pids: a bomb stops at the limit (created $made of 100)" test "${made:-100}" -lt 20
	t_clean "pids"
}

cgroup_cases() {
	case_probe
	if [ "$(ver memory)" = v2 ]; then case_limits_v2; else case_limits_v1; fi
	case_oom
	case_cpu
	case_refusals
	case_cleanup
	case_stale
	case_daemon_inside
	case_stats
	case_attach
	case_pids
}
