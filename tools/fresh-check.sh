#!/bin/sh
# A new user's first run, reproduced: a fresh Debian 12 (bookworm) minbase root with only
# git, make and ca-certificates, this checkout's current commit cloned under /root (mode
# 0700), and the README's two commands (make demo, then make check) run in it as root.
# Prints both results and wall times; exits non-zero when either fails.
#
#   tools/fresh-check.sh [--keep] [--demo-only]     (as root; make fresh-check)
#     --keep        keep the root (its path is printed) for a look inside; nothing stays
#                   mounted either way
#     --demo-only   run make demo alone
#   NS_FRESH_CACHE  where the root is built and cached (default /var/cache/northstar-fresh);
#                   delete it to rebuild the root from the archive
#
# Only committed work is tested: the clone is of HEAD. apt inside the root uses the Debian
# archive the host's apt uses (read from its sources), nothing else.
# The root's / is a plain directory, not a mount point, as in a chroot or some containers.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${NS_FRESH_CACHE:-/var/cache/northstar-fresh}
SUITE=bookworm
KEEP=0 DEMO_ONLY=0
for a in "$@"; do
	case $a in
	--keep) KEEP=1 ;;
	--demo-only) DEMO_ONLY=1 ;;
	*)
		echo "usage: tools/fresh-check.sh [--keep] [--demo-only]" >&2
		exit 2
		;;
	esac
done
say() { printf 'fresh-check: %s\n' "$*"; }
die() {
	say "$*" >&2
	exit 1
}
[ "$(id -u)" = 0 ] || die "run as root (debootstrap, chroot and the suite need it)"
[ -f /etc/debian_version ] && command -v apt-get >/dev/null 2>&1 ||
	die "needs a Debian host (debootstrap and apt-get)"

# The Debian archive of the host's apt, one line per suite: "URI SUITE". apt parses
# both the one-line and the deb822 source formats for us.
host_archive() {
	apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(TARGET_OF)' 'Created-By: Packages' \
		2>/dev/null | awk '$3 == "deb" && $2 ~ /^'$SUITE'(-updates|-security)?$/ { print $1, $2 }' |
		sort -u
}
ARCHIVE=$(host_archive)
MIRROR=$(echo "$ARCHIVE" | awk '$2 == "'$SUITE'" { print $1; exit }')
[ -n "$MIRROR" ] || die "the host's apt has no $SUITE archive (its sources, then apt-get update)"

if ! command -v debootstrap >/dev/null 2>&1; then
	say "installing debootstrap"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap ||
		die "cannot install debootstrap"
fi

mkdir -p "$CACHE"
TARBALL=$CACHE/$SUITE-minbase.tar
R=""
cleanup_mounts() {
	[ -n "$R" ] || return 0
	# What the suite may have left running inside the root keeps its mounts busy.
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/root" 2>/dev/null)" = "$R" ] && kill -KILL "${p#/proc/}" 2>/dev/null
	done
	# Loop devices on files inside the root.
	for f in /sys/block/loop*/loop/backing_file; do
		[ -f "$f" ] || continue
		case $(cat "$f" 2>/dev/null) in
		"$R"/*)
			d=${f#/sys/block/}
			losetup -d "/dev/${d%%/*}" 2>/dev/null
			;;
		esac
	done
	# Deepest first; several passes for mounts that come free late.
	for _ in 1 2 3 4 5; do
		m=$(awk -v r="$R" '$5 == r || index($5, r "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r)
		[ -n "$m" ] || return 0
		for d in $m; do umount "$d" 2>/dev/null || umount -l "$d" 2>/dev/null; done
		sleep 1
	done
	m=$(awk -v r="$R" '$5 == r || index($5, r "/") == 1 { print $5 }' /proc/self/mountinfo)
	[ -z "$m" ] || say "still mounted, left in place: $m" >&2
	[ -z "$m" ]
}
cleanup() {
	rc=$?
	trap - EXIT INT TERM HUP
	if cleanup_mounts; then
		if [ -n "$R" ] && [ "$KEEP" = 0 ]; then
			rm -rf --one-file-system "$R"
		elif [ -n "$R" ]; then
			say "kept the root: $R (chroot $R /bin/bash; remove it with rm -rf)"
		fi
	fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# The root, built once: debootstrap's minbase and the three packages a user adds.
if [ ! -s "$TARBALL" ]; then
	B=$(mktemp -d "$CACHE/build.XXXXXX")
	chmod 755 "$B"
	R=$B
	say "debootstrap --variant=minbase $SUITE from $MIRROR (once; cached in $TARBALL)"
	t0=$(date +%s)
	debootstrap --variant=minbase "$SUITE" "$B" "$MIRROR" >"$CACHE/debootstrap.log" 2>&1 ||
		die "debootstrap failed: see $CACHE/debootstrap.log"
	echo "$ARCHIVE" | awk '{ print "deb " $1 " " $2 " main" }' >"$B/etc/apt/sources.list"
	cp /etc/resolv.conf "$B/etc/resolv.conf" 2>/dev/null
	mount -t proc proc "$B/proc" || die "mount proc"
	chroot "$B" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
		sh -c 'apt-get update -qq && apt-get install -y -qq git make ca-certificates && apt-get clean' \
		>>"$CACHE/debootstrap.log" 2>&1 || die "installing git make ca-certificates failed: see $CACHE/debootstrap.log"
	umount "$B/proc"
	tar -C "$B" -cf "$TARBALL.tmp" . && mv "$TARBALL.tmp" "$TARBALL" || die "cannot write $TARBALL"
	rm -rf --one-file-system "$B"
	R=""
	say "root built in $(($(date +%s) - t0)) s"
fi

R=$(mktemp -d "$CACHE/root.XXXXXX")
tar -C "$R" -xf "$TARBALL" || die "cannot unpack $TARBALL"
chmod 755 "$R" # its / as on any machine (mktemp made it 0700; so may the tarball's ".")
cp /etc/resolv.conf "$R/etc/resolv.conf" 2>/dev/null
# The archive may have moved on since the root was cached: the same sources as the host.
echo "$ARCHIVE" | awk '{ print "deb " $1 " " $2 " main" }' >"$R/etc/apt/sources.list"

# The current commit, cloned locally under /root in a directory only root can enter.
COMMIT=$(git -C "$TOP" rev-parse HEAD) || die "$TOP is not a git checkout"
[ -z "$(git -C "$TOP" status --porcelain --untracked-files=no)" ] ||
	say "note: uncommitted changes in $TOP are not tested (the clone is of $COMMIT)"
chmod 700 "$R/root"
SRC=/root/work/northstar
mkdir -m 700 "$R/root/work"
git clone -q --no-hardlinks "$TOP" "$R$SRC" && git -C "$R$SRC" checkout -q --detach "$COMMIT" ||
	die "cannot clone $TOP into the root"
chmod 700 "$R$SRC"

# What the suite needs of the machine: proc, sysfs with the cgroup hierarchies, /dev with
# its loop and device-mapper nodes, a tmpfs /tmp and /run. The root itself is not bound
# onto itself: / stays a plain directory.
mount -t proc proc "$R/proc" &&
	mount --rbind /sys "$R/sys" && mount --make-rslave "$R/sys" &&
	mount --rbind /dev "$R/dev" && mount --make-rslave "$R/dev" &&
	mount -t tmpfs -o mode=1777 tmpfs "$R/tmp" &&
	mount -t tmpfs -o mode=755 tmpfs "$R/run" || die "cannot mount the root's file systems"
mkdir -p "$R/run/lock"

# in_root CMD: runs CMD in the checkout inside the root, with a clean environment.
in_root() {
	chroot "$R" /usr/bin/env -i HOME=/root USER=root LOGNAME=root TERM=dumb LANG=C.UTF-8 \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		sh -c "cd $SRC && $1"
}
LOG=$CACHE/logs
mkdir -p "$LOG"
# step NAME: make NAME in the root; its output goes to the terminal and LOG/NAME.log
step() {
	say "make $1 (commit $COMMIT, checkout $SRC)"
	t0=$(date +%s)
	{
		in_root "make $1" 2>&1
		echo $? >"$LOG/$1.rc"
	} | tee "$LOG/$1.log"
	rc=$(cat "$LOG/$1.rc")
	secs=$(($(date +%s) - t0))
	if [ "$rc" = 0 ]; then r=passed; else r="FAILED (exit $rc)"; fi
	echo "make $1: $r in $((secs / 60)) min $((secs % 60)) s" >>"$LOG/summary"
	[ "$rc" = 0 ]
}
: >"$LOG/summary"
rm -f "$LOG"/*.log "$LOG"/*.rc
fail=0
step demo || fail=1
[ "$DEMO_ONLY" = 1 ] || step check || fail=1
echo
say "results for $COMMIT (logs in $LOG):"
sed 's/^/  /' "$LOG/summary"
grep -h '^[0-9]* passed, [0-9]* failed' "$LOG/check.log" 2>/dev/null | tail -n 1 | sed 's/^/  make check: /'
exit $fail
