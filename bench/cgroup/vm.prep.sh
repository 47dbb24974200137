#!/bin/sh
# Host side of the VM benchmark: the figure script and its manifest into the guest.
set -eu
mkdir -p "$VM_ROOT/bench/cgroup"
cp "$NS_TOP/bench/cgroup/bench.sh" "$VM_ROOT/bench/cgroup/"
cp "$NS_TOP/bench/cgroup/manifest.yaml" "$VM_ROOT/bench/cgroup/"
