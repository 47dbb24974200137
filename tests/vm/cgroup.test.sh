#!/bin/sh
# cgroups on pure v2 (the VM's /init mounts only cgroup2): the cases of
# tests/cgroup_cases.sh, which tests/integration/cgroup.sh runs on the host's v1
# controllers. cgroup.prep.sh puts the case file into the guest.
. "$(dirname "$0")/../lib.sh"

W=$(mktemp -d /tmp/cgroup-test.XXXXXX)
CG_EXPECT_MODES=v2
. "$NS_TOP/tests/cgroup_cases.sh"
cgroup_cases
t_done
