# Shared by tools/deps.sh, cross-deps.sh and musl-deps.sh (sourced): Debian package
# checks and apt-get with retries. APT_WHO names the caller in messages.

# The packages of the list given that are not installed, space-separated.
packages_missing() {
	for p in "$@"; do
		st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)
		case "$st" in
		*"install ok installed"*) ;;
		*) printf '%s ' "$p" ;;
		esac
	done
}

# apt-get with a wait for the package lock and a few retries for a flaky mirror.
apt_retry() {
	n=0
	while :; do
		if DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 "$@"; then
			return 0
		fi
		n=$((n + 1))
		[ $n -ge 4 ] && return 1
		echo "${APT_WHO:-apt}: apt-get $1 failed, retrying in $((n * 5)) s" >&2
		sleep $((n * 5))
	done
}

# 'apt-get source' needs deb-src entries: mirror the configured deb entries.
ensure_deb_src() {
	if grep -rqsE '^(deb-src|Types:.*deb-src)' /etc/apt/sources.list /etc/apt/sources.list.d/; then
		return 0
	fi
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		sed 's/^Types: deb$/Types: deb-src/' "$f" >/etc/apt/sources.list.d/northstar-src-$(basename "$f")
	done
	if [ -f /etc/apt/sources.list ]; then
		sed -n 's/^deb \(.*\)/deb-src \1/p' /etc/apt/sources.list >/etc/apt/sources.list.d/northstar-src.list
	fi
	apt_retry update -qq
}
