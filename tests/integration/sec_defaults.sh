#!/bin/sh
# Issue 14, items 5 and 6: secure defaults for what a manifest leaves out.
#  - A manifest without `seccomp` gets the default profile: no user namespace, no
#    keyctl, io_uring answers ENOSYS, no foreign-ABI (ia32, x32) system call. A repository
#    with `missing_seccomp: unfiltered` restores Northstar's unfiltered run; an explicit
#    `seccomp` section is filtered there too.
#  - Every container has a pids limit: the manifest's `cgroups.pids.max`, else the
#    repository's `pids_max` (default 1024). A task bomb stops at the limit with EAGAIN,
#    pids.current never passes pids.max, the daemon and the host carry on, and the
#    cgroup is removed at the exit.
. "$(dirname "$0")/../lib.sh"
. "$NS_TOP/tests/daemon_lib.sh"
daemon_init
cp "$NS_BUILD/tests/helpers/forkthreads" "$T/root/bin/forkthreads"
CG=ns-secdef-$$

manifest plain 0.0.1 <<'EOF'
init: /bin/isoprobe
args: [report]
uid: 1000
gid: 1000
io:
  stdout: pipe
  stderr: pipe
mounts:
  /proc:
    type: proc
EOF
pack plain 0.0.1
sed 's/^name: plain/name: legacy/' "$T/plain-0.0.1.yaml" >"$T/legacy-0.0.1.yaml"
pack legacy 0.0.1
sed 's/^name: plain/name: legacy-explicit/' "$T/plain-0.0.1.yaml" >"$T/legacy-explicit-0.0.1.yaml"
printf 'seccomp:\n  profile: default\n' >>"$T/legacy-explicit-0.0.1.yaml"
pack legacy-explicit 0.0.1

# ordinary programs under the implicit profile: threads, forks from threads, spawn
manifest threads 0.0.1 <<'EOF'
init: /bin/forkthreads
args: [/bin/true]
uid: 1000
gid: 1000
io:
  stdout: pipe
  stderr: pipe
EOF
pack threads 0.0.1

# task bombs: forkthreads --bomb fork|thread N HOLD
bomb() { # NAME CGROUPS-YAML ARGS
	manifest "$1" 0.0.1 <<EOF
init: /bin/forkthreads
args: [--bomb, $3]
uid: 1000
gid: 1000
io:
  stdout: pipe
  stderr: pipe
$2
EOF
	pack "$1" 0.0.1
}
bomb bomb "" "fork, 3000, 4"
bomb bomb100 "cgroups: {pids: {max: 100}}" "fork, 3000, 4"
bomb threads100 "cgroups: {pids: {max: 100}}" "thread, 3000, 4"
bomb unlimited "cgroups: {pids: {max: max}}" "fork, 1500, 1"
bomb small "" "fork, 3000, 1"

write_config \
	"  legacy:" "    type: mem" "    key: $T/test.pub" "    verity: userspace" \
	"    missing_seccomp: unfiltered" \
	"  small:" "    type: mem" "    key: $T/test.pub" "    verity: userspace" \
	"    pids_max: 40"
sed -i "s/^cgroup: .*/cgroup: $CG/" "$T/northstar.yaml"
daemon_start || { t_fail "daemon starts" "$(cat "$T/log")"; t_done; exit 1; }
for n in plain threads bomb bomb100 threads100 unlimited; do
	C install "$T/$n-0.0.1.npk" default >/dev/null
done
C install "$T/legacy-0.0.1.npk" legacy >/dev/null
C install "$T/legacy-explicit-0.0.1.npk" legacy >/dev/null
C install "$T/small-0.0.1.npk" small >/dev/null

# report NAME [ARGS]: runs the container and leaves its output in $T/report
report() {
	mark=$(wc -l <"$T/log")
	r=$(C run "$@")
	tail -n +"$((mark + 1))" "$T/log" | grep "INFO  $1: " | sed "s/.* $1: //" >"$T/report"
	printf '%s' "$r"
}
try() { # NAME WHAT: isoprobe try WHAT in container NAME
	report "$1" --init /bin/isoprobe --arg try --arg "$2"
}
field() { grep "^$1" "$T/report" | head -n 1 | tr -s ' \t' ' '; }
KILLED='{"signalled":{"signal":31}}'
EXIT0='{"exit":{"code":0}}'

# --- item 5: no seccomp section -----------------------------------------------------
t_eq "no seccomp section: runs" "$(report plain:0.0.1)" "$EXIT0"
t_eq "no seccomp section: the filter is on (Seccomp: 2)" "$(field Seccomp:)" "Seccomp: 2"
t_eq "no seccomp section: unshare(CLONE_NEWUSER) is killed" "$(try plain:0.0.1 unshare-user)" "$KILLED"
t_eq "no seccomp section: keyctl is killed" "$(try plain:0.0.1 keyctl)" "$KILLED"
t_eq "no seccomp section: io_uring_setup runs" "$(try plain:0.0.1 io_uring)" "$EXIT0"
t_eq "no seccomp section: io_uring_setup answers ENOSYS" "$(cat "$T/report")" \
	"io_uring: errno 38 (Function not implemented)"
t_eq "no seccomp section: an x32 system call is killed" "$(try plain:0.0.1 x32)" "$KILLED"
# int 0x80 from a 64-bit process faults (SIGSEGV) before seccomp sees it when the kernel
# has no ia32 emulation; where it has, the filter must kill it
if [ "$(uname -m)" = x86_64 ] &&
	sh -c '"$0" try int80' "$NS_BUILD/tests/helpers/isoprobe" 2>/dev/null | grep -q "int80: ok"; then
	t_eq "no seccomp section: an ia32 system call (int 0x80) is killed" "$(try plain:0.0.1 int80)" "$KILLED"
else
	t_skip "no seccomp section: an ia32 system call (int 0x80) is killed" \
		"this kernel has no ia32 emulation (int 0x80 faults on the host)"
fi
t_eq "no seccomp section: threads, forks from threads, spawn work" "$(report threads:0.0.1)" "$EXIT0"
t_eq "no seccomp section: forkthreads steps" "$(tr '\n' ' ' <"$T/report")" \
	"threads 4 forks 4 fork ok spawn ok "
t_run "no seccomp section in the default repository: no 'unfiltered' warning" \
	sh -c "! grep -q 'plain:0.0.1.*without a system call filter' '$T/log'"

# missing_seccomp: unfiltered (Northstar's behaviour)
t_eq "missing_seccomp: unfiltered: runs" "$(report legacy:0.0.1)" "$EXIT0"
t_eq "missing_seccomp: unfiltered: no filter (Seccomp: 0)" "$(field Seccomp:)" "Seccomp: 0"
t_run "missing_seccomp: unfiltered: the start is logged as unfiltered" \
	grep -q "legacy:0.0.1: no seccomp section: runs without a system call filter (repository 'legacy'" "$T/log"
t_eq "missing_seccomp: unfiltered: unshare(CLONE_NEWUSER) is not killed" "$(try legacy:0.0.1 unshare-user)" "$EXIT0"
if mountpoint -q /; then
	t_eq "missing_seccomp: unfiltered: unshare(CLONE_NEWUSER) succeeds" "$(cat "$T/report")" "unshare-user: ok 0"
else # the kernel refuses user namespaces to a process whose root is not its namespace's
	t_eq "missing_seccomp: unfiltered: unshare(CLONE_NEWUSER) refused by the kernel in a chroot" \
		"$(cut -d' ' -f1-3 "$T/report")" "unshare-user: errno 1"
fi
t_eq "missing_seccomp: unfiltered: keyctl is not killed" "$(try legacy:0.0.1 keyctl)" "$EXIT0"
t_eq "missing_seccomp: unfiltered: an x32 system call reaches the kernel" "$(try legacy:0.0.1 x32)" "$EXIT0"
host_uring=$("$NS_BUILD/tests/helpers/isoprobe" try io_uring)
t_eq "missing_seccomp: unfiltered: io_uring_setup answers as on the host" \
	"$(try legacy:0.0.1 io_uring; echo; cat "$T/report")" "$EXIT0
$host_uring"
t_eq "missing_seccomp: unfiltered: an explicit seccomp section is still filtered" \
	"$(try legacy-explicit:0.0.1 unshare-user)" "$KILLED"

# --- item 6: the pids limit ---------------------------------------------------------
PIDS_MNT=$(awk '$3 == "cgroup" && $4 ~ /(^|,)pids(,|$)/ {print $2; exit}' /proc/self/mounts)
if [ -z "$PIDS_MNT" ]; then
	v2=$(awk '$3 == "cgroup2" {print $2; exit}' /proc/self/mounts)
	[ -n "$v2" ] && grep -qw pids "$v2/cgroup.controllers" 2>/dev/null && PIDS_MNT=$v2
fi
if [ -z "$PIDS_MNT" ]; then
	t_skip "pids limit" "this kernel has no pids controller mounted"
	daemon_stop
	t_done
	exit 0
fi

# bomb_run NAME: starts the bomb, waits until it holds its tasks, and leaves
# "created K of N", "failed errno E", pids.current and pids.max in $T/bomb
bomb_run() {
	dir=$PIDS_MNT/$CG/$1
	C start "$1:0.0.1" >/dev/null
	if ! log_wait "INFO  $1:0.0.1: holding" 60; then
		echo "no hold" >"$T/bomb"
		return
	fi
	{
		grep "INFO  $1:0.0.1: " "$T/log" | sed "s/.* $1:0.0.1: //" | grep -E '^(created|failed)'
		echo "current $(cat "$dir/pids.current")"
		echo "max $(cat "$dir/pids.max")"
		echo "events $(cat "$dir/pids.events" 2>/dev/null)"
	} >"$T/bomb"
}
bomb_wait() { log_wait "Process $1:0.0.1 exited" 30; }
bfield() { sed -n "s/^$1 //p" "$T/bomb"; }

bomb_run bomb100
t_eq "cgroups.pids.max 100: written to pids.max" "$(bfield max)" 100
created=$(bfield created | cut -d' ' -f1)
t_run "cgroups.pids.max 100: the bomb stops below 100 tasks (created $created of 3000)" \
	test "${created:-9999}" -le 98 -a "${created:-0}" -ge 90
t_eq "cgroups.pids.max 100: fork fails with EAGAIN" "$(bfield failed)" "errno 11"
t_run "cgroups.pids.max 100: pids.current ($(bfield current)) never passes pids.max" \
	test "$(bfield current)" -le 100
t_run "cgroups.pids.max 100: the kernel counted refusals (pids.events: $(bfield events))" \
	sh -c "[ \"\$(sed -n 's/^events max //p' '$T/bomb')\" -gt 0 ]"
stats=$(C inspect bomb100:0.0.1)
t_eq "inspect: statistics.pids.max" "$(json_get "$stats" response inspect ok data process statistics pids max)" 100
t_run "inspect: statistics.pids.current" \
	test "$(json_get "$stats" response inspect ok data process statistics pids current)" -le 100
t_run "the daemon answers while the bomb holds its tasks (list)" \
	sh -c "printf '%s' '$(C list)' | grep -q bomb100"
t_run "the host still forks" sh -c 'for i in 1 2 3 4 5 6 7 8 9 10; do /bin/true || exit 1; done'
bomb_wait bomb100
t_run "cgroups.pids.max 100: the cgroup is removed at the exit" test ! -e "$PIDS_MNT/$CG/bomb100"

bomb_run threads100
created=$(bfield created | cut -d' ' -f1)
t_run "threads: the bomb stops below 100 tasks (created $created of 3000)" \
	test "${created:-9999}" -le 98 -a "${created:-0}" -ge 90
t_eq "threads: pthread_create fails with EAGAIN" "$(bfield failed)" "errno 11"
t_run "threads: pids.current ($(bfield current)) never passes pids.max" test "$(bfield current)" -le 100
bomb_wait threads100

bomb_run bomb
t_eq "no cgroups.pids: the repository default 1024 in pids.max" "$(bfield max)" 1024
created=$(bfield created | cut -d' ' -f1)
t_run "no cgroups.pids: a bomb of 3000 stops at the default (created $created)" \
	test "${created:-9999}" -le 1022 -a "${created:-0}" -ge 1000
t_eq "no cgroups.pids: fork fails with EAGAIN" "$(bfield failed)" "errno 11"
t_run "no cgroups.pids: pids.current ($(bfield current)) never passes 1024" test "$(bfield current)" -le 1024
bomb_wait bomb
t_run "no cgroups.pids: the cgroup is removed at the exit" test ! -e "$PIDS_MNT/$CG/bomb"

bomb_run small
t_eq "repository pids_max 40: written to pids.max" "$(bfield max)" 40
created=$(bfield created | cut -d' ' -f1)
t_run "repository pids_max 40: the bomb stops at it (created $created)" \
	test "${created:-9999}" -le 38 -a "${created:-0}" -ge 30
bomb_wait small

bomb_run unlimited
t_eq "cgroups.pids.max: max raises the default: pids.max" "$(bfield max)" max
t_eq "cgroups.pids.max: max: 1500 tasks (above the default 1024)" "$(bfield created)" "1500 of 1500"
t_eq "cgroups.pids.max: max: no failure" "$(bfield failed)" "errno 0"
bomb_wait unlimited

t_eq "no container cgroup is left" "$(find "$PIDS_MNT/$CG" -mindepth 1 -maxdepth 1 -type d ! -name '@northstard' | wc -l)" 0
daemon_stop
t_eq "daemon stops cleanly" $? 0
t_run "the runtime's pids cgroup is removed at shutdown" test ! -e "$PIDS_MNT/$CG"
t_done
