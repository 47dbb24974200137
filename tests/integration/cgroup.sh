#!/bin/sh
# cgroups on the host kernel: v1 controllers (this machine is hybrid: an empty v2 beside
# them). The same cases run on pure v2 in the VM (tests/vm/cgroup.test.sh); they live in
# tests/cgroup_cases.sh.
. "$(dirname "$0")/../lib.sh"

if ! t_need_root || ! grep -q cgroup /proc/self/mountinfo; then
	t_skip "cgroups" "needs root and a mounted cgroup file system"
	t_done
	exit 0
fi
W=$(mktemp -d "${TMPDIR:-/tmp}/cgroup-test.XXXXXX")
trap 'rm -rf "$W"' EXIT
CG_EXPECT_MODES="hybrid v1 v2"
[ -n "${NS_CG_EXPECT:-}" ] && CG_EXPECT_MODES=$NS_CG_EXPECT
. "$NS_TOP/tests/cgroup_cases.sh"
cgroup_cases
"$CG" cleanup "$RT" >/dev/null 2>&1
t_done
