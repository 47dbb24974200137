#!/bin/sh
# The VM suite: boots Debian's kernel under qemu (TCG) once, runs every tests/vm/*.test.sh
# inside, and prints their TAP lines, renumbered, as one TAP stream.
#   tests/vm/run.sh BUILD
# Needs (tools/deps.sh installs them): qemu-system-x86, busybox-static, cpio, kmod, and
# apt-get to fetch linux-image-amd64's kernel into BUILD/vm-cache (kept by make clean).
# Adding a test: drop NAME.test.sh here (it sources ../lib.sh and prints TAP, like an
# integration test); files it needs come from a NAME.prep.sh run on the host with
# VM_ROOT set to the guest's root; extra modules go in modules.txt.
set -u
BUILD=$(cd "${1:-build}" && pwd)
VM_TOP=$(cd "$(dirname "$0")/../.." && pwd)
TIMEOUT=${NS_VM_TIMEOUT:-300}
. "$VM_TOP/tests/vm/lib.sh"
. "$VM_TOP/tests/vm/pid1_boot.sh"

n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/  # /'; }
finish() { echo "1..$n"; exit 0; }

missing=$(vm_missing)
if [ -n "$missing" ]; then
	ok "vm # SKIP missing: $missing (tools/deps.sh installs them)"
	finish
fi
if [ "$(id -u)" != 0 ]; then
	ok "vm # SKIP needs root (apt-get download, qemu)"
	finish
fi
W=$BUILD/vm
mkdir -p "$W"
if ! vm_kernel "$BUILD/vm-cache" 2>"$W/kernel.err"; then
	notok "fetch and unpack Debian's kernel" "$(cat "$W/kernel.err")"
	finish
fi
# The second boot: the binary alone as /init (tests/vm/pid1_boot.sh). NS_VM_ONLY=pid1
# runs it alone.
pid1_boot() {
	P=$W/pid1
	mkdir -p "$P"
	if ! pid1_initramfs "$BUILD" "$P/root" "$P/initrd.cpio" 2>"$P/initramfs.err"; then
		notok "pid1: build the initramfs" "$(cat "$P/initramfs.err")"
		return
	fi
	t0=$(date +%s)
	VM_APPEND="" vm_boot "$P" "$P/initrd.cpio" 120
	echo "# pid1: $(($(date +%s) - t0)) s in qemu (TCG); logs in $P"
	pid1_check "$P"
	K=$W/pid1-kmsg
	mkdir -p "$K"
	if ! pid1_initramfs "$BUILD" "$K/root" "$K/initrd.cpio" kmsg 2>"$K/initramfs.err"; then
		notok "pid1 kmsg: build the initramfs" "$(cat "$K/initramfs.err")"
		return
	fi
	VM_APPEND="" vm_boot "$K" "$K/initrd.cpio" 120
	pid1_check_kmsg "$K"
}
if [ "${NS_VM_ONLY:-}" = pid1 ]; then
	pid1_boot
	finish
fi
scripts=$(ls "$VM_TOP"/tests/vm/*.test.sh 2>/dev/null)
# shellcheck disable=SC2086
if ! vm_initramfs "$BUILD" "$W/root" "$W/initrd.cpio" $scripts 2>"$W/initramfs.err"; then
	notok "build the initramfs" "$(cat "$W/initramfs.err")"
	finish
fi
t0=$(date +%s)
vm_boot "$W" "$W/initrd.cpio" "$TIMEOUT"
rc=$?
secs=$(($(date +%s) - t0))
echo "# kernel $VM_KVER, $secs s in qemu (TCG); logs in $W"
tr -d '\r' <"$W/tap.log" >"$W/tap.txt"
if ! grep -q '^\[init\] VM-START' "$W/tap.txt"; then
	notok "the VM boots" "qemu status $rc; $(tail -n 30 "$W/console.log" "$W/qemu.log")"
	finish
fi
grep '^\[init\] # insmod' "$W/tap.txt"
for s in $scripts; do
	name=$(basename "$s" .sh)
	grep "^\[$name\] " "$W/tap.txt" | sed "s|^\[$name\] ||" >"$W/$name.tap"
	while IFS= read -r line; do
		case $line in
		"ok "*) ok "$name: $(echo "$line" | sed 's/^ok [0-9]* *-* *//')" ;;
		"not ok "*) notok "$name: $(echo "$line" | sed 's/^not ok [0-9]* *-* *//')" ;;
		"#"* | "  #"*) echo "$line" ;;
		esac
	done <"$W/$name.tap"
	grep -q '^1\.\.[0-9]' "$W/$name.tap" || notok "$name ran to its end" "$(tail -n 20 "$W/$name.tap")"
done
grep '^\[init\] # ' "$W/tap.txt" | sed 's/^\[init\] //'
if grep -q '^\[init\] VM-DONE' "$W/tap.txt"; then
	ok "the VM ran every script and powered off ($secs s)"
else
	notok "the VM ran every script and powered off" \
		"qemu status $rc after $secs s (limit $TIMEOUT s); console: $(tail -n 30 "$W/console.log")"
fi
pid1_boot
finish
