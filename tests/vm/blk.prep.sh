#!/bin/sh
# Host side of blk.test.sh: the block-layer test images, in the guest at /images/blk.
set -eu
sh "$NS_TOP/tests/vm/mkimages.sh" "$VM_ROOT/images/blk"
rm -f "$VM_ROOT/images/blk/verity.out"
