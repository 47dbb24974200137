#!/bin/sh
# The figures of one layout (host or VM), one line each "NAME runs=N mean_us=.. p50_us=..":
# northstard's start of /bin/true without and with a cgroup holding a memory and CPU limit
# (cgtool bench, in one process), and a shell doing the same cgroup directory work
# (mkdir, the limits, rmdir) as the outside reference.
#   bench/cgroup/bench.sh BUILD N MANIFEST
B=$1 N=$2 M=$3
CG=$B/tests/helpers/cgtool
RT=nsbench-$$
"$CG" bench "$N" "$RT" "$M" || exit 1
probe=$("$CG" probe)
ver=$(printf '%s\n' "$probe" | sed -n 's/^memory: \(v[12]\) .*/\1/p')
dirs=$(printf '%s\n' "$probe" | sed -n 's/^[a-z]*: v[12] //p' | sort -u | sed "s|\$|/$RT|" | tr '\n' ' ')
mem=$(printf '%s\n' "$probe" | sed -n 's/^memory: v[12] //p')/$RT/x
cpu=$(printf '%s\n' "$probe" | sed -n 's/^cpu: v[12] //p')/$RT/x
set=$(printf '%s\n' "$probe" | sed -n 's/^cpuset: v1 //p')
for d in $dirs; do mkdir -p "$d"; done
[ -n "$set" ] && cat "$set/cpuset.cpus" >"$set/$RT/cpuset.cpus" && cat "$set/cpuset.mems" >"$set/$RT/cpuset.mems"
if [ "$ver" = v2 ]; then
	echo "+memory +cpu" >"$(printf '%s\n' "$probe" | sed -n 's/^memory: v2 //p')/$RT/cgroup.subtree_control"
	limits="echo 67108864 >$mem/memory.max && echo 20 >$cpu/cpu.weight && echo '50000 100000' >$cpu/cpu.max"
else
	limits="echo 67108864 >$mem/memory.limit_in_bytes && echo 512 >$cpu/cpu.shares &&
		echo 100000 >$cpu/cpu.cfs_period_us && echo 50000 >$cpu/cpu.cfs_quota_us"
	[ -n "$set" ] && limits="$limits && cat $set/cpuset.cpus >$set/$RT/x/cpuset.cpus &&
		cat $set/cpuset.mems >$set/$RT/x/cpuset.mems"
fi
mk= rm=
for d in $dirs; do mk="$mk $d/x" rm="$rm $d/x"; done
printf 'shell '
"$B/tests/helpers/blktool" timeit "$N" -- sh -c "mkdir $mk && $limits && rmdir $rm" || exit 1
for d in $dirs; do rmdir "$d"; done
