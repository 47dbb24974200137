#!/bin/sh
# Host side of cgroup.test.sh: the shared test cases (the helpers cgtool, memeater and
# cpueater come with every test helper).
set -eu
cp "$NS_TOP/tests/cgroup_cases.sh" "$VM_ROOT/tests/cgroup_cases.sh"
