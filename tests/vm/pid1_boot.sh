# The second boot of the VM suite (sourced by tests/vm/run.sh after tests/vm/lib.sh):
# the northstar binary alone as the initramfs' /init - no busybox, no shell - with its
# configuration, a key, the kernel modules (loaded by northstard from config
# `modules`) and two NPKs in a keyed repository, mounted through dm-verity:
#   climber  autostart relaxed, without CAP_SYS_CHROOT: tries to chroot out
#   app      autostart critical, with CAP_SYS_CHROOT: climbs out of its root (chroot x,
#            cd ../../.., chroot .; tests/helpers/climb) and lists what it finds, then
#            exits 7, which as a failed critical container shuts the runtime down and
#            powers the VM off
# The container images hold busybox and tests/helpers/climb; the initramfs does not.
#   pid1_initramfs BUILD ROOT OUT [LOG]  stages and packs it (LOG: config init.log)
#   pid1_check DIR                  TAP lines (ok/notok of run.sh) from DIR/console.log

pid1_initramfs() {
	build=$1 root=$2 out=$3 p1_log=${4:-console}
	rm -rf "$root"
	mkdir -p "$root/etc/northstar" "$root/lib/modules" "$root/repo"
	cp "$build/northstar" "$root/init"
	chmod 755 "$root/init"
	order=$(vm_module_order loop squashfs dm-mod dm-bufio reed_solomon dm-verity) || return 1
	list=
	for m in $order; do
		src=$VM_KDIR/lib/modules/$VM_KVER/$m
		dst=$root/lib/modules/$(basename "$m")
		case $m in
		*.ko.xz) xz -dc "$src" >"${dst%.xz}" && dst=${dst%.xz} ;;
		*.ko.zst) zstd -qdc "$src" >"${dst%.zst}" && dst=${dst%.zst} ;;
		*.ko.gz) gzip -dc "$src" >"${dst%.gz}" && dst=${dst%.gz} ;;
		*) cp "$src" "$dst" ;;
		esac
		list="$list  - /lib/modules/$(basename "$dst")
"
	done
	# loop twice: a module the kernel already has is fine
	first=$(printf '%s' "$list" | head -n 1)
	stage=$(mktemp -d)
	mkdir -p "$stage/root/bin" "$stage/root/x" # x: the directory to chroot into
	cp "$VM_BUSYBOX" "$stage/root/bin/busybox"
	cp "$build/tests/helpers/climb" "$stage/root/bin/climb"
	ln -s busybox "$stage/root/bin/sh"
	"${NS_HOST_BIN:-$build/northstar}" sextant gen-key -n test -o "$stage" >/dev/null || return 1
	cp "$stage/test.pub" "$root/etc/northstar/test.pub"
	cat >"$stage/app.yaml" <<'EOT'
name: app
version: 0.0.1
init: /bin/sh
args:
  - -c
  - |
    echo "pid1-app: hello from dm-verity"
    echo "pid1-app: $(/bin/climb /x)"
    /bin/busybox sleep 2 # climber's turn
    echo "pid1-app: done"
    exit 7
uid: 1000
gid: 1000
capabilities: [CAP_SYS_CHROOT]
autostart: critical
io:
  stdout: pipe
  stderr: pipe
EOT
	cat >"$stage/climber.yaml" <<'EOT'
name: climber
version: 0.0.1
init: /bin/sh
args:
  - -c
  - |
    echo "pid1-climber: $(/bin/climb /x)"
uid: 1000
gid: 1000
autostart: relaxed
io:
  stdout: pipe
  stderr: pipe
EOT
	for p1_n in app climber; do
		"${NS_HOST_BIN:-$build/northstar}" sextant pack -m "$stage/$p1_n.yaml" -r "$stage/root" -k "$stage/test.key" \
			-o "$root/repo/$p1_n:0.0.1.npk" >/dev/null || return 1
	done
	rm -rf "$stage"
	cat >"$root/etc/northstar/northstar.yaml" <<EOT
run_dir: /run/northstar
data_dir: /data
socket_dir: /run/northstar/sockets
cgroup: northstar
modules:
$list$first
init:
  halt: poweroff
  log: $p1_log
repositories:
  signed:
    type:
      fs:
        dir: /repo
    key: /etc/northstar/test.pub
EOT
	(cd "$root" && find . | cpio -o -H newc --quiet) >"$out"
}

# pid1_has NAME REGEX: a TAP line for whether the console shows a line matching REGEX.
pid1_has() {
	if grep -qE -- "$2" "$PID1_LOG"; then ok "pid1: $1"; else notok "pid1: $1" "$(tail -n 40 "$PID1_LOG")"; fi
}

pid1_check() {
	PID1_LOG=$1/console.txt
	tr -d '\r' <"$1/console.log" >"$PID1_LOG"
	pid1_has "the binary runs as /init and starts northstard" 'init: starting northstard -c /etc/northstar/northstar.yaml'
	# boot to the first line: init names the wall-clock time the kernel started
	k=$(sed -n 's/.*init: the kernel started at \([0-9.]*\).*/\1/p' "$PID1_LOG" | head -n 1)
	line=$(grep -m 1 'pid1-app: hello' "$PID1_LOG" | awk '{print $1}')
	if [ -n "$k" ] && [ -n "$line" ]; then
		t=$(date -d "$line" +%s.%N 2>/dev/null)
		[ -n "$t" ] && echo "# pid1: kernel start to the container's first line: $(echo "$t - $k" | bc) s"
	fi
	pid1_has "PID 1 moves the initramfs' files off rootfs" 'init: moved the initramfs into a tmpfs'
	pid1_has "modules load from config (an already loaded one is fine)" 'Loaded module /lib/modules/dm-verity.ko'
	pid1_has "the container's output reaches the console through dm-verity" 'pid1-app: hello from dm-verity'
	# refused by the capability check, or first by the default seccomp profile (SIGSYS)
	pid1_has "a container without CAP_SYS_CHROOT cannot chroot" \
		'pid1-climber: climb: chroot /x: EPERM|climber:0.0.1: Bad system call'
	if grep -q 'climber:0.0.1: pid1-climber: climb: / holds' "$PID1_LOG"; then
		notok "pid1: the container without CAP_SYS_CHROOT did not climb" "$(grep climb "$PID1_LOG")"
	else
		ok "pid1: the container without CAP_SYS_CHROOT did not climb"
	fi
	pid1_has "a chroot climb with CAP_SYS_CHROOT stays in the container's root" 'pid1-app: climb: / holds: bin x$'
	if ! grep -q 'pid1-app: climb: / holds:' "$PID1_LOG" ||
		grep 'pid1-app: climb: / holds:' "$PID1_LOG" | grep -qE ' (init|etc|repo|lib)( |$)'; then
		notok "pid1: the climb does not reach the initramfs' files" "$(grep 'pid1-app: climb' "$PID1_LOG")"
	else
		ok "pid1: the climb does not reach the initramfs' files"
	fi
	pid1_has "a failed critical container shuts the runtime down" 'Critical container app'
	pid1_has "PID 1 powers off after the orderly shutdown" 'init: powering off'
	pid1_has "the kernel powered off" 'reboot: Power down'
	if grep -qE 'Kernel panic|Attempted to kill init' "$PID1_LOG"; then
		notok "pid1: no kernel panic" "$(grep -E -A3 'Kernel panic|Attempted to kill init' "$PID1_LOG")"
	else
		ok "pid1: no kernel panic"
	fi
}

# The same boot with init.log: kmsg, under `quiet`: the lines go to /dev/kmsg at KERN_ERR
# and reach the console without rate limiting.
pid1_check_kmsg() {
	PID1_LOG=$1/console.txt
	tr -d '\r' <"$1/console.log" >"$PID1_LOG"
	pid1_has "kmsg: the daemon's lines reach the console under quiet" 'northstard: Runtime up and running'
	pid1_has "kmsg: the container's lines reach the console under quiet" 'app:0.0.1: pid1-app: hello from dm-verity'
	pid1_has "kmsg: every line of the container, none rate-limited away" 'app:0.0.1: pid1-app: done'
	if grep -q 'callbacks suppressed' "$PID1_LOG"; then
		notok "pid1: kmsg: no line suppressed" "$(grep 'callbacks suppressed' "$PID1_LOG")"
	else
		ok "pid1: kmsg: no line suppressed"
	fi
	pid1_has "kmsg: PID 1 powers off" 'reboot: Power down'
}
