#!/bin/sh
# Host side of initscript.test.sh: the init script as 'make install-sysv' writes it, in
# the guest at /images/initscript/etc/init.d/S60northstard.
set -eu
make -s --no-print-directory -C "$NS_TOP" install-sysv DESTDIR="$VM_ROOT/images/initscript" \
	PREFIX=/usr >/dev/null
