#!/bin/sh
# Runs in the VM (pure cgroup v2): the figures of bench/cgroup/bench.sh.
sh /bench/cgroup/bench.sh "$NS_BUILD" "${NS_BENCH_VM_N:-50}" /bench/cgroup/manifest.yaml 2>&1
