# Host side of the qemu harness, sourced by tests/vm/run.sh and benchmarks.
#   vm_missing                    names the host tools that are missing (empty: none)
#   vm_kernel CACHE               Debian's kernel in CACHE; sets VM_KVER, VM_KDIR
#   vm_initramfs BUILD ROOT OUT SCRIPT...  stages ROOT and packs it to OUT (cpio newc)
#   vm_copy_dynamic ROOT PROG...  a host program and its shared libraries into ROOT
#   vm_boot OUT_DIR INITRD TIMEOUT  boots; console in OUT_DIR/console.log, the
#                                 scripts' output in OUT_DIR/tap.log
# VM_ARCH (default amd64; arm64, armhf for make check-cross) picks the kernel package,
# the static busybox (the host's for amd64, else busybox-static:VM_ARCH unpacked into the
# cache by vm_kernel) and the qemu machine. A test's consoles: amd64 has a second serial
# port for the tests' output; the arm "virt" machine has one, shared with the kernel.
# The guest runs every SCRIPT (kept at /tests/vm/ in the guest, beside /tests/lib.sh) in
# order, with NS_BUILD=/build, NS_BIN=/build/northstar and the test helpers in
# /build/tests/helpers, exactly as the host's integration tests see them.

VM_TOP=${VM_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
VM_ARCH=${VM_ARCH:-amd64}
VM_BUSYBOX=${VM_BUSYBOX:-/bin/busybox}
case $VM_ARCH in
amd64) VM_QEMU=qemu-system-x86_64 VM_KMETA=linux-image-amd64 ;;
arm64) VM_QEMU=qemu-system-aarch64 VM_KMETA=linux-image-arm64:arm64 ;;
armhf) VM_QEMU=qemu-system-arm VM_KMETA=linux-image-armmp-lpae:armhf ;;
*) VM_QEMU=unknown-arch-$VM_ARCH VM_KMETA=none ;;
esac

vm_missing() {
	m=
	for t in $VM_QEMU cpio apt-get dpkg-deb depmod timeout; do
		command -v $t >/dev/null 2>&1 || m="$m $t"
	done
	# The guest has no libc: busybox must be the static build (package busybox-static).
	[ "$VM_ARCH" = amd64 ] || { echo "${m# }"; return; } # fetched by vm_kernel
	if [ ! -x "$VM_BUSYBOX" ] || readelf -d "$VM_BUSYBOX" 2>/dev/null | grep -q NEEDED; then
		m="$m busybox-static"
	fi
	echo "${m# }"
}

# The linux-image-* package the metapackage ($VM_KMETA) points at.
vm_kernel_package() {
	pkg=$(apt-cache depends "$VM_KMETA" 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
	if [ -z "$pkg" ]; then
		apt-get update -qq >/dev/null 2>&1
		pkg=$(apt-cache depends "$VM_KMETA" 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
	fi
	echo "$pkg"
}

# vm_busybox CACHE: for another architecture, busybox-static:VM_ARCH's busybox, unpacked
# into CACHE (the host's busybox-static cannot sit beside it); sets VM_BUSYBOX.
vm_busybox() {
	cache=$1
	[ "$VM_ARCH" = amd64 ] && return 0
	VM_BUSYBOX=$cache/busybox-$VM_ARCH
	[ -x "$VM_BUSYBOX" ] && return 0
	deb=$(ls "$cache"/busybox-static_*_"$VM_ARCH".deb 2>/dev/null | tail -n 1)
	if [ -z "$deb" ]; then
		(cd "$cache" && apt-get download -o APT::Sandbox::User=root "busybox-static:$VM_ARCH") ||
			return 1
		deb=$(ls "$cache"/busybox-static_*_"$VM_ARCH".deb | tail -n 1)
	fi
	mkdir -p "$cache/bb.$$"
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$cache/bb.$$" ./bin/busybox &&
		mv "$cache/bb.$$/bin/busybox" "$VM_BUSYBOX"
	rm -rf "$cache/bb.$$"
	[ -x "$VM_BUSYBOX" ]
}

# vm_kernel CACHE: downloads (once) and unpacks (once) the kernel into CACHE.
vm_kernel() {
	cache=$1
	mkdir -p "$cache"
	pkg=$(vm_kernel_package)
	if [ -n "$pkg" ]; then
		deb=$(ls "$cache/${pkg%:*}_"*.deb 2>/dev/null | tail -n 1)
		if [ -z "$deb" ]; then
			# apt's sandbox user cannot write into the build tree: download as root.
			# Stale package lists name a file the archive dropped: update, retry once.
			(cd "$cache" && apt-get download -o APT::Sandbox::User=root "$pkg" >/dev/null 2>&1) ||
				{ apt-get update -qq >/dev/null 2>&1 && pkg=$(vm_kernel_package) &&
					(cd "$cache" && apt-get download -o APT::Sandbox::User=root "$pkg"); }
			deb=$(ls "$cache/${pkg%:*}_"*.deb 2>/dev/null | tail -n 1)
		fi
	else
		# No package lists (offline): whatever kernel was fetched before.
		deb=$(ls "$cache"/linux-image-*_"${VM_ARCH}".deb 2>/dev/null | tail -n 1)
	fi
	[ -n "$deb" ] || { echo "vm: cannot fetch $VM_KMETA's kernel package" >&2; return 1; }
	VM_KDIR=$cache/$(basename "$deb" .deb)
	if [ ! -f "$VM_KDIR/.complete" ]; then
		rm -rf "$VM_KDIR"
		mkdir -p "$VM_KDIR"
		dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$VM_KDIR" --wildcards './boot/vmlinuz-*' './lib/modules/*' ||
			return 1
		VM_KVER=$(ls "$VM_KDIR/lib/modules" | head -n 1)
		# The package leaves modules.dep to the postinst: compute it here.
		depmod -b "$VM_KDIR" "$VM_KVER" || return 1
		touch "$VM_KDIR/.complete"
	fi
	VM_KVER=$(ls "$VM_KDIR/lib/modules" | head -n 1)
	VM_VMLINUZ=$(ls "$VM_KDIR"/boot/vmlinuz-* | head -n 1)
	vm_busybox "$cache"
}

# vm_module_order NAME...: module files (relative to lib/modules/KVER), dependencies first.
vm_module_order() {
	awk -v want="$*" '
	function base(p) { sub(/.*\//, "", p); sub(/\.ko(\.xz|\.zst|\.gz)?$/, "", p); gsub(/-/, "_", p); return p }
	function visit(f,   n, d, i) {
		if (f in seen) return
		seen[f] = 1
		n = split(deps[f], d, " ")
		for (i = n; i >= 1; i--) visit(d[i])
		print f
	}
	{ f = $1; sub(/:$/, "", f); $1 = ""; deps[f] = $0; byname[base(f)] = f }
	END {
		n = split(want, w, " ")
		for (i = 1; i <= n; i++) {
			k = w[i]; gsub(/-/, "_", k)
			if (!(k in byname)) { print "vm: no module " w[i] > "/dev/stderr"; exit 1 }
			visit(byname[k])
		}
	}' "$VM_KDIR/lib/modules/$VM_KVER/modules.dep"
}

# vm_initramfs BUILD ROOT OUT SCRIPT...: the guest's file system, packed.
vm_initramfs() {
	build=$1 root=$2 out=$3
	shift 3
	rm -rf "$root"
	mkdir -p "$root/bin" "$root/dev" "$root/proc" "$root/sys" "$root/tmp" "$root/run" \
		"$root/mnt" "$root/lib/modules" "$root/tests/vm" "$root/build/tests/helpers" "$root/etc"
	cp "$VM_BUSYBOX" "$root/bin/busybox"
	cp "$build/northstar" "$root/build/northstar"
	for h in "$build"/tests/helpers/*; do
		[ -f "$h" ] && [ -x "$h" ] && cp "$h" "$root/build/tests/helpers/"
	done
	cp "$VM_TOP/tests/lib.sh" "$root/tests/lib.sh"
	cp "$VM_TOP/tests/vm/init" "$root/init"
	chmod 755 "$root/init"
	# Kernel modules, decompressed here: busybox insmod may not read .ko.xz/.ko.zst.
	modules=$(grep -v '^#' "$VM_TOP/tests/vm/modules.txt" | tr '\n' ' ')
	order=$(vm_module_order $modules) || return 1
	for m in $order; do
		src=$VM_KDIR/lib/modules/$VM_KVER/$m
		dst=$root/lib/modules/$(basename "$m")
		case $m in
		*.ko.xz) xz -dc "$src" >"${dst%.xz}" && dst=${dst%.xz} ;;
		*.ko.zst) zstd -qdc "$src" >"${dst%.zst}" && dst=${dst%.zst} ;;
		*.ko.gz) gzip -dc "$src" >"${dst%.gz}" && dst=${dst%.gz} ;;
		*) cp "$src" "$dst" ;;
		esac
		basename "$dst" >>"$root/lib/modules/load.order"
	done
	for s in "$@"; do
		cp "$s" "$root/tests/vm/"
		basename "$s" >>"$root/tests/vm/run.order"
	done
	# Host-side preparation hooks add their files (images ...) to the guest: every
	# tests/vm/*.prep.sh, and those a caller names in VM_PREP (a benchmark's).
	for p in "$VM_TOP"/tests/vm/*.prep.sh ${VM_PREP:-}; do
		[ -f "$p" ] || continue
		VM_ROOT=$root NS_BUILD=$build NS_TOP=$VM_TOP VM_BUSYBOX=$VM_BUSYBOX VM_ARCH=$VM_ARCH \
			NS_HOST_BIN=${NS_HOST_BIN:-$build/northstar} sh "$p" || {
			echo "vm: $(basename "$p") failed" >&2
			return 1
		}
	done
	(cd "$root" && find . | cpio -o -H newc --quiet) >"$out"
}

# vm_copy_dynamic ROOT PROGRAM...: a host program with its loader and shared libraries,
# at the same paths in the guest (for references such as veritysetup in benchmarks).
vm_copy_dynamic() {
	root=$1
	shift
	for prog in "$@"; do
		for f in "$prog" $(ldd "$prog" | awk '/=> \// {print $3} /^\t\/lib/ {print $1}'); do
			mkdir -p "$root$(dirname "$f")"
			cp -L "$f" "$root$f"
		done
	done
}

# vm_boot DIR INITRD TIMEOUT: TCG (KVM hung on these hosts), one CPU, serial console
# to DIR/console.log, the tests' output on the second serial port to DIR/tap.log.
# SELinux runs (without a policy: everything is allowed, contexts still apply) so that
# daemon_cgroup.test.sh sees the manifest's exec context take effect.
VM_APPEND=${VM_APPEND-security=selinux}
vm_boot() {
	dir=$1 initrd=$2 limit=$3
	: >"$dir/console.log"
	: >"$dir/tap.log"
	case $VM_ARCH in
	amd64)
		timeout -k 10 "$limit" qemu-system-x86_64 -accel tcg -cpu max -smp 1 -m 1G \
			-nographic -no-reboot -monitor none -nic none \
			-serial "file:$dir/console.log" -serial "file:$dir/tap.log" \
			-kernel "$VM_VMLINUZ" -initrd "$initrd" \
			-append "console=ttyS0 panic=-1 quiet rdinit=/init $VM_APPEND" </dev/null >"$dir/qemu.log" 2>&1
		;;
	*)
		# One PL011 for the kernel and the tests (ns_tap reaches init's environment);
		# pauth-impdef: the architected pointer-auth hash is slow under TCG.
		cpu=max,pauth-impdef=on
		[ "$VM_ARCH" = armhf ] && cpu=cortex-a15
		timeout -k 10 "$limit" "$VM_QEMU" -M virt -accel tcg -cpu "$cpu" -smp 1 -m 1G \
			-nographic -no-reboot -monitor none -nic none \
			-serial "file:$dir/console.log" \
			-kernel "$VM_VMLINUZ" -initrd "$initrd" \
			-append "console=ttyAMA0 panic=-1 quiet rdinit=/init ns_tap=/dev/ttyAMA0 $VM_APPEND" \
			</dev/null >"$dir/qemu.log" 2>&1
		cp "$dir/console.log" "$dir/tap.log"
		;;
	esac
}
