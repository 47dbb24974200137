# Helpers for the northstard integration tests (tests/integration/daemon_*.sh), sourced
# after tests/lib.sh. They build NPKs with sextant (busybox-static and isoprobe in the
# image), write a configuration, run the daemon in the background with its log in
# $T/log, and talk to it with tests/console_client.py (written from the protocol spec
# alone).
#
#   daemon_init                 temporary dir $T, key pair, the image root $T/root
#   write_config [YAML...]      $T/northstar.yaml; extra lines are appended (they land in
#                               `repositories`); $CONSOLE_OPTIONS goes into console.global
#   daemon_start [ARGS...]      starts northstard, waits for "Runtime up and running";
#                               $NSD_WRAP, when set, is a command or function put in
#                               front that must exec (not fork) what follows, so $DPID
#                               stays the daemon's pid
#   daemon_stop                 shutdown request, waits; returns the exit status
#   C ARGS...                   the console client on $T/console
#   manifest NAME VERSION       writes $T/NAME-VERSION.yaml from stdin (a header added)
#   pack NAME VERSION [ROOT]    packs $T/NAME-VERSION.yaml into $T/NAME-VERSION.npk
#   with_manifest IN OUT SED... repacks IN with sed applied to its manifest (signed with
#                               $NSD_KEY, default $T/test.key)
#   log_wait REGEX [SECS]       waits until the log has a line matching REGEX
#   leaks                       mounts, loop devices, processes and temporary files
#                               of the daemon, one line, for before/after comparisons
NSD_PY=${NSD_PY:-python3}
NSD_CLIENT="$NSD_PY $NS_TOP/tests/console_client.py"
BUSYBOX=$(command -v busybox 2>/dev/null)
DPID=""

daemon_need() {
	if ! t_need_root; then
		t_skip "daemon" "needs root"
		t_done
		exit 0
	fi
	if [ -z "$BUSYBOX" ] || ! command -v mksquashfs >/dev/null || ! command -v unsquashfs >/dev/null; then
		t_skip "daemon" "busybox-static and squashfs-tools missing (make deps)"
		t_done
		exit 0
	fi
}

# A daemon killed by the test leaves its runtime cgroup behind, and on cgroup v1 with RT
# group scheduling that cgroup keeps the whole real-time budget: the next runtime (under
# another name) could give none to its containers. Remove the tree in every hierarchy.
daemon_cgroups_remove() {
	dcr_name=$(sed -n 's/^cgroup: *//p' "$T/northstar.yaml" 2>/dev/null)
	[ -n "$dcr_name" ] || return 0
	for dcr_try in 1 2 3 4 5 6 7 8 9 10; do
		dcr_left=0
		for dcr_m in $(awk '$3 == "cgroup" || $3 == "cgroup2" {print $2}' /proc/self/mounts); do
			[ -d "$dcr_m/$dcr_name" ] || continue
			for dcr_d in $(find "$dcr_m/$dcr_name" -depth -type d); do
				for dcr_p in $(cat "$dcr_d/cgroup.procs" 2>/dev/null); do
					kill -KILL "$dcr_p" 2>/dev/null
				done
				rmdir "$dcr_d" 2>/dev/null || dcr_left=1
			done
		done
		[ $dcr_left = 0 ] && return 0
		sleep 0.2
	done
}

daemon_cleanup() {
	[ -n "${KEEP_LOG:-}" ] && cp "$T/log" "$KEEP_LOG"
	exec 3>&- 4<&- 2>/dev/null
	if [ -n "$DPID" ] && kill -0 "$DPID" 2>/dev/null; then
		kill -KILL "$DPID" 2>/dev/null
		sleep 0.2
	fi
	[ -n "${T:-}" ] && daemon_cgroups_remove
	[ -n "${T:-}" ] && rm -rf "$T"
}

daemon_init() {
	daemon_need
	T=$(mktemp -d /tmp/ns-daemon.XXXXXX)
	trap daemon_cleanup EXIT INT TERM
	"$NS_BIN" sextant gen-key -n test -o "$T" >/dev/null || exit 1
	mkdir -p "$T/root/bin" "$T/repo"
	cp "$BUSYBOX" "$T/root/bin/busybox"
	# applets as links: busybox finds its own applets through /proc/self/exe otherwise,
	# and not every test container mounts /proc
	for di_a in sh sleep cat echo tr hostname env ls id grep head stat touch true; do
		ln -s busybox "$T/root/bin/$di_a"
	done
	cp "$NS_BUILD/tests/helpers/isoprobe" "$T/root/bin/isoprobe"
	session_start
}

# The runtime cgroup is named after this test's pid: test files may run side by side.
write_config() {
	cat >"$T/northstar.yaml" <<EOF
run_dir: $T/run
data_dir: $T/data
socket_dir: $T/sockets
cgroup: northstar-test-$$
notification_buffer_size: 64
console:
  global:
    bind: unix://$T/console
    permissions: full
${CONSOLE_OPTIONS:-}
repositories:
  default:
    type:
      fs:
        dir: $T/repo
    key: $T/test.pub
    verity: userspace
  mem:
    type: mem
    key: $T/test.pub
    verity: userspace
EOF
	for wc_line in "$@"; do
		printf '%s\n' "$wc_line" >>"$T/northstar.yaml"
	done
}

# One client process serves every call (its start-up costs more than a request):
# the words go through a FIFO separated by \037, the output comes back until "<<end>>".
session_start() {
	mkfifo "$T/client.in" "$T/client.out"
	$NSD_CLIENT -u "unix://$T/console" session <"$T/client.in" >"$T/client.out" &
	SPID=$!
	exec 3>"$T/client.in" 4<"$T/client.out"
}

C() {
	c_first=1
	for c_arg in "$@"; do
		if [ $c_first = 1 ]; then printf '%s' "$c_arg"; else printf '\037%s' "$c_arg"; fi
		c_first=0
	done >&3
	printf '\n' >&3
	while IFS= read -r c_line <&4; do
		[ "$c_line" = "<<end>>" ] && return 0
		printf '%s\n' "$c_line"
	done
	return 1
}

daemon_start() {
	: >>"$T/log"
	ds_line=$(wc -l <"$T/log")
	if [ -n "${NSD_NOFILE:-}" ]; then # a descriptor limit for the daemon alone
		${NSD_WRAP:-} sh -c 'ulimit -n "$0" && exec "$@"' "$NSD_NOFILE" \
			"$NS_BIN" northstard -c "$T/northstar.yaml" -v "$@" >>"$T/log" 2>&1 &
	else
		${NSD_WRAP:-} "$NS_BIN" northstard -c "$T/northstar.yaml" -v "$@" >>"$T/log" 2>&1 &
	fi
	DPID=$!
	echo "$DPID" >>"$T/dpids"
	# a deadline in seconds, not a count of polls: a loaded machine starts slowly
	ds_end=$(($(date +%s) + ${NSD_START_SECS:-30}))
	while [ "$(date +%s)" -le $ds_end ]; do
		if tail -n +"$((ds_line + 1))" "$T/log" | grep -q "Runtime up and running"; then
			return 0
		fi
		kill -0 "$DPID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# Waits for the daemon to end; prints nothing, returns its exit status.
daemon_wait() {
	wait "$DPID"
	dw_rc=$?
	DPID=""
	return $dw_rc
}

daemon_stop() {
	C shutdown >/dev/null 2>&1
	daemon_wait
}

manifest() {
	{
		printf 'name: %s\nversion: %s\n' "$1" "$2"
		cat
	} >"$T/$1-$2.yaml"
}

pack() {
	"$NS_BIN" sextant pack -m "$T/$1-$2.yaml" -r "${3:-$T/root}" -k "$T/test.key" \
		-o "$T/$1-$2.npk" >/dev/null
}

with_manifest() {
	wm_in=$1 wm_out=$2
	shift 2
	wm_dir=$(mktemp -d "$T/wm.XXXXXX")
	"$NS_BIN" sextant unpack -n "$wm_in" -o "$wm_dir/u" >/dev/null &&
		sed "$@" "$wm_dir/u/manifest.yaml" >"$wm_dir/m.yaml" &&
		"$NS_BIN" sextant pack -m "$wm_dir/m.yaml" -r "$wm_dir/u/root" -k "${NSD_KEY:-$T/test.key}" \
			-o "$wm_out" >/dev/null
	wm_rc=$?
	rm -rf "$wm_dir"
	return $wm_rc
}

log_wait() {
	lw_i=0
	lw_max=$((${2:-10} * 10))
	while [ $lw_i -lt $lw_max ]; do
		grep -qE -- "$1" "$T/log" && return 0
		sleep 0.1
		lw_i=$((lw_i + 1))
	done
	return 1
}

# Loop devices backed by our repository files or our memfds.
our_loops() {
	ol_n=0
	for ol_f in /sys/block/loop*/loop/backing_file; do
		[ -f "$ol_f" ] || continue
		case $(cat "$ol_f" 2>/dev/null) in
		"$T"/*) ol_n=$((ol_n + 1)) ;;
		/memfd:northstar-npk-*) # a mem repository's: ours when one of our daemons made it
			ol_pid=$(sed 's|^/memfd:northstar-npk-\([0-9]*\).*|\1|' "$ol_f")
			grep -qx "$ol_pid" "$T/dpids" 2>/dev/null && ol_n=$((ol_n + 1)) ;;
		esac
	done
	echo $ol_n
}

# mounts (in the daemon's namespace, under $T), loop devices, the daemon's children,
# temporary install files
leaks() {
	# loop devices detach asynchronously (autoclear): up to 10 s on a loaded machine
	lk_end=$(($(date +%s) + 10))
	while [ "$(our_loops)" != "${1:-0}" ] && [ "$(date +%s)" -le $lk_end ]; do
		sleep 0.1
	done
	lk_m=$(grep -c " $T/run/" "/proc/$DPID/mountinfo" 2>/dev/null)
	lk_p=$(grep -l "^PPid:[[:space:]]*$DPID\$" /proc/[0-9]*/status 2>/dev/null | wc -l)
	lk_tmp=$(find "$T/repo" -name '.install-*' 2>/dev/null | wc -l)
	echo "mounts=$lk_m loops=$(our_loops) children=$lk_p tmpfiles=$lk_tmp"
}

# The first response value of a console answer, e.g. json_get "$out" response start ok
json_get() {
	$NSD_PY -c 'import json,sys
v=json.loads(sys.argv[1])
for k in sys.argv[2:]:
    v=v[int(k)] if isinstance(v,list) else v[k]
print(json.dumps(v,separators=(",",":")) if not isinstance(v,str) else v)' "$@" 2>/dev/null
}
