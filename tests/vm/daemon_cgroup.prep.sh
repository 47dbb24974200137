#!/bin/sh
# Host side of daemon_cgroup.test.sh: a key pair and the NPKs of the cgroup test (a
# memory eater, a CPU eater, limits, a plain container, an SELinux-labelled one, a task
# bomb against a pids limit), in
# the guest at /images/dcg.
set -eu
D=$VM_ROOT/images/dcg
rm -rf "$D"
mkdir -p "$D/root/bin" "$D/repo"
cp "${VM_BUSYBOX:-$(command -v busybox)}" "$D/root/bin/busybox"
ln -s busybox "$D/root/bin/sh"
cp "$NS_BUILD/tests/helpers/memeater" "$NS_BUILD/tests/helpers/cpueater" \
	"$NS_BUILD/tests/helpers/forkthreads" "$D/root/bin/"
"${NS_HOST_BIN:-$NS_BUILD/northstar}" sextant gen-key -n test -o "$D" >/dev/null
# The throttles go on loop0, the device the container reads its image from, except on a
# 32-bit kernel: there a throttled read in the first five minutes after boot hits
# "kernel BUG at block/blk-throttle.c:751!" (docs/integration.md), so they go on loop7,
# which nothing reads; io.max shows them all the same.
TDEV=0
[ "${VM_ARCH:-amd64}" = armhf ] && TDEV=7
echo "7:$TDEV" >"$D/throttle_dev"
npk() { # npk NAME ARGS CGROUPS-AND-MORE
	printf 'name: %s\nversion: 0.0.1\ninit: /bin/sh\nargs: [-c, "%s"]\nuid: 1000\ngid: 1000\nio:\n  stdout: pipe\n  stderr: pipe\nmounts:\n  /proc:\n    type: proc\n%s\n' \
		"$1" "$2" "$3" >"$D/$1.yaml"
	"${NS_HOST_BIN:-$NS_BUILD/northstar}" sextant pack -m "$D/$1.yaml" -r "$D/root" -k "$D/test.key" \
		-o "$D/repo/$1:0.0.1.npk" >/dev/null
}
npk oom "exec /bin/memeater 256" 'cgroups:
  memory: {oom_monitor: true, memory_hard_limit: 33554432, memory_swap_limit: 33554432}'
npk cpu "echo ready; sleep 2; echo go; /bin/cpueater 3; exec sleep 60" 'cgroups:
  cpu: {quota: 20000, period: 100000}'
npk limits "exec sleep 60" 'cgroups:
  memory: {memory_hard_limit: 33554432, memory_soft_limit: 16777216, memory_swap_limit: 67108864, swappiness: 10}
  cpu: {shares: 512, quota: 20000, period: 100000}
  blkio:
    weight: 100
    weight_device: []
    throttle_read_bps_device: [{major: 7, minor: '"$TDEV"', rate: 1048576}]
    throttle_read_iops_device: []
    throttle_write_bps_device: []
    throttle_write_iops_device: [{major: 7, minor: '"$TDEV"', rate: 100}]'
npk plain "exec sleep 60" ''
npk pids "exec /bin/forkthreads --bomb fork 3000 3" 'cgroups: {pids: {max: 50}}'
npk badattr "exit 0" 'cgroups: {memory: {attrs: {memory.no_such_file: "5"}}}'
npk labelled 'echo app $(cat /proc/self/attr/current)' 'selinux: {exec: unlabeled}'
rm -rf "$D/root" "$D/test.key" "$D"/*.yaml
