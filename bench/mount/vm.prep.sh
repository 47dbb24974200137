#!/bin/sh
# Host side of the VM benchmark: the references (veritysetup and util-linux mount) with
# their shared libraries; the images come from tests/vm/blk.prep.sh.
set -eu
. "$NS_TOP/tests/vm/lib.sh"
vm_copy_dynamic "$VM_ROOT" "$(command -v veritysetup)" /usr/bin/mount /usr/bin/umount
mkdir -p "$VM_ROOT/run/cryptsetup" "$VM_ROOT/etc"
: >"$VM_ROOT/etc/fstab"
