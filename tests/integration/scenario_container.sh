#!/bin/sh
# Northstar's scenario suite, what the test-container sees (spec tests-and-security.md
# §1a, tests.rs, and mod sched): ids (also from manifests repacked with other ids, as
# Northstar's with_manifest), parent and session, capabilities, rlimits, descriptors, mount
# flags, seccomp argument rules, the scheduling policy; and the test-container's commands
# of §3 against the runtime's mounts (persist, read-only root and resource, tmpfs).
. "$(dirname "$0")/../lib.sh"
. "$NS_TOP/tests/scenario_lib.sh"
scen_init

# tc_inspect: runs the test-container's inspect and leaves its lines (without the log's
# prefix) in $T/inspect; the container is stopped again.
tc_inspect() {
	ti_from=$((A_AT + 1))
	tc inspect
	s_assume "inspect done" "test-container:0.0.1: Sleeping\.\.\.$"
	sed -n "${ti_from},${A_AT}p" "$T/log" | grep -a " test-container:0.0.1: " |
		sed 's/.* test-container:0\.0\.1: //' >"$T/inspect"
	stop $TC
}
# has NAME LINE: $T/inspect has exactly this line; has_re NAME REGEX: a line matches
has() {
	if grep -qxF -- "$2" "$T/inspect"; then s_ok "$1"; else s_fail "$1" "no line '$2' in: $(cat "$T/inspect")"; fi
}
has_re() {
	if grep -qE -- "$2" "$T/inspect"; then s_ok "$1"; else s_fail "$1" "no line /$2/ in: $(cat "$T/inspect")"; fi
}
# repacked SED...: the test-container repacked with sed applied to its manifest, installed
# in place of the original
repacked() {
	rm -f "$T/tc-repacked.npk"
	s_run "repack the test-container ($*)" with_manifest "$NPK/test-container-0.0.1.npk" \
		"$T/tc-repacked.npk" "$@"
	s_expect "install the repacked test-container" 0 "installed" NS install "$T/tc-repacked.npk" mem
}
install_resource() {
	s_expect "install test-resource" 0 "installed" NS install "$NPK/test-resource-0.0.1.npk" mem
}

scenario container_uses_manifest_uid
install_test_container
tc_inspect
has "getuid: 1000" "getuid: 1000"

scenario container_uses_correct_uid_multiple
install_resource
for uid in 10 1000 3000; do
	repacked -e "s/^uid: 1000\$/uid: $uid/"
	tc_inspect
	has "uid $uid: getuid: $uid" "getuid: $uid"
	s_expect "uninstall" 0 "uninstalled" NS uninstall $TC
done

scenario container_uses_correct_gid
install_resource
for gid in 10 1000 3000; do
	repacked -e "s/^gid: 1000\$/gid: $gid/"
	tc_inspect
	has "gid $gid: getgid: $gid" "getgid: $gid"
	s_expect "uninstall" 0 "uninstalled" NS uninstall $TC
done

scenario container_ppid_must_be_init
install_test_container
tc_inspect
has "getppid: 1 (the child of the container's init)" "getppid: 1"
has "getpid: 2" "getpid: 2"

scenario container_sid_must_be_init_or_none
install_test_container
tc_inspect
has "getsid: 1" "getsid: 1"

scenario container_shall_only_have_configured_capabilities
install_test_container
tc_inspect
for set in ambient bounding effective inheritable permitted; do
	has "caps $set: {}" "caps $set: {}"
done

scenario container_rlimits
install_test_container
tc_inspect
has "nproc 10000/20000 from the manifest" \
	"Max processes             10000                20000                processes "

scenario container_shall_only_have_configured_fds
install_test_container
tc_inspect
# the daemon's /dev/null, named from the mount namespace's root: under a chroot whose / is
# no mount point that is the chroot's path, so only the end is compared there
if mountpoint -q /; then
	has "fd 0: /dev/null" "    /proc/self/fd/0: /dev/null"
else
	has_re "fd 0: /dev/null (in a chroot)" "^    /proc/self/fd/0: (/.*)?/dev/null$"
fi
has_re "fd 1: a pipe" "^    /proc/self/fd/1: pipe:\[[0-9]+\]$"
has_re "fd 2: a pipe" "^    /proc/self/fd/2: pipe:\[[0-9]+\]$"
for fd in 3 4 5 6; do
	has_re "fd $fd: a manifest socket" "^    /proc/self/fd/$fd: socket:\[[0-9]+\]$"
done
has "total: 7 (stdin, stdout, stderr, 4 sockets; no console)" "    total: 7"

scenario proc_is_mounted_ro
install_test_container
tc_inspect
# Northstar's test looks for "proc /proc proc ro,"; the flags are checked in full
has_re "proc /proc proc ro,nosuid,nodev,noexec" "^proc /proc proc ro,nosuid,nodev,noexec,"

scenario mount_flags_are_set_for_bind_mounts
install_test_container
tc_inspect
has_re "/resource ro,nosuid,nodev,noexec" \
	"^/.* /resource [a-z0-9_]+ ro,([a-z0-9_]+,)*nosuid,([a-z0-9_]+,)*nodev,([a-z0-9_]+,)*noexec"
for d in /lib /lib64; do
	has_re "$d ro,nosuid,nodev" "^/.* $d [a-z0-9_]+ ro,([a-z0-9_]+,)*nosuid,([a-z0-9_]+,)*nodev"
done
has_re "/tmpfs rw,nosuid,nodev,noexec" "^[a-z]+ /tmpfs tmpfs rw,nosuid,nodev,noexec,"
# (the source is data_dir's device: "tmpfs" where /tmp is one)
has_re "/data rw,nosuid,nodev,noexec" "^[^ ]+ /data [a-z0-9_]+ rw,nosuid,nodev,noexec,"

scenario selinux_mounted_squasfs_has_correct_context
install_test_container
tc_inspect
if [ -e /sys/fs/selinux/enforce ]; then
	has_re "squashfs with the mount context" "squashfs .*context=.?unconfined_u:object_r:user_home_t:s0"
else
	has_re "no SELinux: the root is squashfs ro,nosuid,nodev" "^/dev/[a-z0-9/-]+ / squashfs ro,nosuid,nodev,"
fi

# --- seccomp: delete_module with the rule index 1, values [1], mask 0x06 ---------------
scenario seccomp_allowed_syscall_with_allowed_arg
install_test_container
tc call-delete-module 1
s_assume "allowed value" "test-container:0.0.1: delete_module syscall was successful"
stop $TC

scenario seccomp_allowed_syscall_with_masked_arg
install_test_container
tc call-delete-module 4
s_assume "no bits outside the mask" "test-container:0.0.1: delete_module syscall was successful"
stop $TC

scenario seccomp_allowed_syscall_with_prohibited_arg
install_test_container
tc call-delete-module 7
assume_exit $TC "signalled 31"
s_no_log "the call never returned" "delete_module syscall was successful" 0

# --- mod sched -------------------------------------------------------------------------
scenario policy_is_fifo
install_test_container
tc_inspect
has "sched_getscheduler: 1 (SCHED_FIFO)" "sched_getscheduler: 1"

scenario policy_is_idle
install_resource
repacked -e 's/^  policy: !fifo$/  policy: idle/' -e '/^    priority: 11$/d'
tc_inspect
has "sched_getscheduler: 5 (SCHED_IDLE)" "sched_getscheduler: 5"

scenario policy_other
install_resource
repacked -e 's/^  policy: !fifo$/  policy: !other {nice: 0}/' -e '/^    priority: 11$/d'
tc_inspect
has "sched_getscheduler: 0 (SCHED_OTHER)" "sched_getscheduler: 0"
has "getpriority: 0" "getpriority: 0"

scenario priority_matches_manifest
install_test_container
tc_inspect
has "sched_priority: 11" "sched_priority: 11"

# --- the test-container's commands (spec §3) against the runtime's mounts ----------------
scenario test_container_commands
install_test_container
tc write "Hello!" /data/file
s_assume "write into the persist mount" 'Executing "Write \{ message: "Hello!", path: "/data/file" \}"'
stop $TC
s_eq "the file reached data_dir" "$(cat "$T/data/test-container/file")" "Hello!"
s_eq "owned by the container's uid" "$(stat -c %u:%g "$T/data/test-container/file")" 1000:1000
tc cat /data/file
s_assume "the next start reads it back" "test-container:0.0.1: Hello!$"
stop $TC
tc touch /tmpfs/file
s_assume "touch in the tmpfs" "test-container:0.0.1: Sleeping\.\.\.$"
stop $TC
for path in /file /resource/file /lib/no-such-file; do
	tc touch $path
	assume_exit $TC "exit code 1"
	s_assume "touch $path fails: read-only" "test-container:0.0.1: .*$path.*Read-only file system"
done
tc cat /nonexistent
assume_exit $TC "exit code 1"
tc echo one two
s_assume "echo" "test-container:0.0.1: one two$"
stop $TC
s_expect "uninstall --wipe" 0 "uninstalled" NS uninstall -w $TC
s_assume "the persist dir is wiped" "Wiping persistent data dir .*/test-container of $TC"
s_run "data_dir/test-container is gone" test ! -e "$T/data/test-container"

scen_done
