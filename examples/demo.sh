#!/bin/sh
# make demo: what a new user sees first. Until the runtime lands it shows the applets.
set -eu
BUILD=${1:-build}
echo "== northstar: one static binary, several applets"
"$BUILD/northstar" --list
