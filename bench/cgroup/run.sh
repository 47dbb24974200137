#!/bin/sh
# What a cgroup with a memory and a CPU limit adds to a container start, on the host
# (v1 controllers) and in the qemu VM (pure v2): a start of /bin/true without and with
# the cgroup as northstard does it (create, limits, attach, exec, wait, destroy), and
# libns's create + destroy against a shell doing the same directory work.
#   bench/cgroup/run.sh BUILD      (NS_BENCH_N iterations on the host, default 200)
set -u
BUILD=$(cd "${1:-build}" && pwd)
TOP=$(cd "$(dirname "$0")/../.." && pwd)
N=${NS_BENCH_N:-200}
CG=$BUILD/tests/helpers/cgtool

field() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
get() { printf '%s\n' "$1" | sed -n "s/^$2 //p"; }
row() { printf '  %-52s mean %8s us   p50 %8s us\n' "$1" "$(field "$2" mean_us)" "$(field "$2" p50_us)"; }
# table OUTPUT: the rows and ratios of one bench.sh run
table() {
	nocg=$(get "$1" nocg) cg=$(get "$1" cg) only=$(get "$1" cgonly) sh=$(get "$1" shell)
	row "start /bin/true, no cgroup (in one process)" "$nocg"
	row "start /bin/true in a cgroup with memory+CPU limits" "$cg"
	row "libns cgroup create + limits + destroy" "$only"
	row "shell: sh -c 'mkdir, echo limits, rmdir'" "$sh"
	echo "  ratio with / without cgroup: mean $(ratio "$(field "$cg" mean_us)" "$(field "$nocg" mean_us)"), p50 $(ratio "$(field "$cg" p50_us)" "$(field "$nocg" p50_us)")"
	echo "  ratio shell / libns (cgroup work): mean $(ratio "$(field "$sh" mean_us)" "$(field "$only" mean_us)"), p50 $(ratio "$(field "$sh" p50_us)" "$(field "$only" p50_us)")"
}

if [ "$(id -u)" != 0 ] || [ ! -x "$CG" ] || ! "$CG" probe >/dev/null 2>&1; then
	echo "cgroup: skipped (needs root, a cgroup file system and build/tests/helpers/cgtool)"
	exit 0
fi
out=$(sh "$TOP/bench/cgroup/bench.sh" "$BUILD" "$N" "$TOP/bench/cgroup/manifest.yaml") || {
	echo "cgroup: host run failed: $out"
	exit 1
}
echo "host ($(uname -r), $("$CG" probe | sed -n 's/^mode: //p') layout), $N iterations:"
table "$out"

. "$TOP/tests/vm/lib.sh"
missing=$(vm_missing)
if [ -n "$missing" ]; then
	echo "VM: skipped (missing: $missing)"
	exit 0
fi
V=$BUILD/bench-cgroup/vm
mkdir -p "$V"
vm_kernel "$BUILD/vm-cache" || exit 1
VM_PREP=$TOP/bench/cgroup/vm.prep.sh vm_initramfs "$BUILD" "$V/root" "$V/initrd.cpio" \
	"$TOP/bench/cgroup/vm-bench.sh" || exit 1
vm_boot "$V" "$V/initrd.cpio" 400
out=$(tr -d '\r' <"$V/tap.log" | sed -n 's/^\[vm-bench\] //p')
if [ -z "$(field "$(get "$out" cg)" mean_us)" ]; then
	echo "VM: no figures; console:"
	tail -n 20 "$V/console.log"
	printf '%s\n' "$out"
	exit 1
fi
echo "VM (qemu TCG, kernel $VM_KVER, pure v2; absolute times are emulated, compare ratios):"
table "$out"
