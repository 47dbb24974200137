#!/bin/sh
# The application child's isolation (libns/app_setup.c) in real child processes:
# ids and groups, the five capability sets, no_new_privs, seccomp (default profile,
# argument rules, kills, ENOSYS answers), rlimits, scheduling, descriptors, signals.
# tests/helpers/isoprobe applies a plan in a raw-cloned child of a two-threaded
# process, then execs a probe (itself in report/try mode, or busybox as an outside
# view); docs/security.md maps each property to the checks here.
. "$(dirname "$0")/../lib.sh"

P=$NS_BUILD/tests/helpers/isoprobe
BB=/bin/busybox
if ! t_need_root; then
	t_skip "isolation" "needs root"
	t_done
	exit 0
fi
if [ ! -x "$P" ]; then
	t_fail "isolation: $P is not built (make helpers)"
	t_done
	exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
U="--uid 1000 --gid 1000"
D="$U --seccomp-default"

# field NAME TEXT: the value of a /proc/self/status line, tabs made single spaces.
field() {
	printf '%s\n' "$2" | sed -n "s/^$1:[[:space:]]*//p" | tr -s '\t ' '  ' | sed 's/ *$//'
}
# has NAME TEXT NEEDLE: passes when TEXT contains the line NEEDLE exactly.
has() {
	if printf '%s\n' "$2" | grep -qxF -- "$3"; then t_ok "$1"; else t_fail "$1" "no line '$3' in: $2"; fi
}

# --- ids, groups, capabilities, no_new_privs --------------------------------------
cat >"$tmp/group" <<'EOF'
root:x:0:
# a comment
broken line
video:x:abc:
video:x:1234:alice
+nis:x:7:
audio:x:2345:
EOF
out=$("$P" $U --group video --group audio --group nope --group video --group-file "$tmp/group" \
	-- "$P" report 2>&1)
has "probe exits 0" "$out" "exit 0"
t_eq "uid: real, effective, saved, fs" "$(field Uid "$out")" "1000 1000 1000 1000"
t_eq "gid: real, effective, saved, fs" "$(field Gid "$out")" "1000 1000 1000 1000"
t_eq "groups resolved from the group file, bad lines skipped, duplicates merged" \
	"$(field Groups "$out")" "1234 2345"
has "an unknown group is skipped and reported" "$out" "isoprobe: skipped group 'nope'"
for set in CapInh CapPrm CapEff CapBnd CapAmb; do
	t_eq "no capabilities by default: $set" "$(field $set "$out")" 0000000000000000
done
t_eq "no_new_privs set" "$(field NoNewPrivs "$out")" 1
t_eq "no seccomp section: the default profile (issue 14)" "$(field Seccomp "$out")" 2
out=$("$P" $U --unfiltered -- "$P" report 2>&1)
t_eq "no seccomp section, seccomp_unfiltered: no filter (as Northstar)" "$(field Seccomp "$out")" 0
out=$("$P" $U --unfiltered --seccomp-default -- "$P" report 2>&1)
t_eq "a seccomp section, seccomp_unfiltered: filtered all the same" "$(field Seccomp "$out")" 2

out=$("$P" $U --cap CAP_NET_BIND_SERVICE --cap CAP_KILL -- "$P" report 2>&1)
for set in CapInh CapPrm CapEff CapBnd CapAmb; do
	t_eq "listed capabilities only: $set" "$(field $set "$out")" 0000000000000420
done
out=$("$P" $U --cap CAP_NET_BIND_SERVICE -- "$BB" sh -c 'grep ^Cap /proc/self/status' 2>&1)
t_eq "capabilities survive a second non-root exec (ambient)" "$(field CapEff "$out")" \
	0000000000000400

# busybox id adds "(name)" after an id the passwd or group file knows: a fresh machine
# has no user 1000, this one may have. Compared without the names.
out=$("$P" $D --group video --group-file "$tmp/group" -- "$BB" id 2>&1)
t_eq "outside view (busybox id): uid 1000, gid 1000, only group 1234" \
	"$(printf '%s\n' "$out" | sed -n 's/([^)]*)//g; /^uid=/p')" "uid=1000 gid=1000 groups=1234"
t_expect "uid 0 is refused" 2 "uid 0 is refused" "$P" --uid 0 --gid 1000 -- "$P" report
t_expect "gid 0 is refused" 2 "gid 0 is refused" "$P" --uid 1000 --gid 0 -- "$P" report
t_expect "a supplementary group with gid 0 is refused" 2 \
	"supplementary group 'root' is gid 0, which is refused" \
	"$P" $U --group root --group-file "$tmp/group" -- "$P" report

# --- rlimits and scheduling ----------------------------------------------------------
out=$("$P" $U --rlimit nofile=100:200 --rlimit nproc=10000:20000 --rlimit core=0: \
	--rlimit as=1000000000: -- "$P" report 2>&1)
has "rlimit nofile soft and hard" "$out" "rlimit nofile 100 200"
has "rlimit nproc soft and hard" "$out" "rlimit nproc 10000 20000"
has "rlimit core: absent hard is unlimited" "$out" "rlimit core 0 unlimited"
has "rlimit as: absent hard is unlimited" "$out" "rlimit as 1000000000 unlimited"
out=$("$P" $D --rlimit nproc=10000:20000 -- "$BB" cat /proc/self/limits 2>&1)
if printf '%s\n' "$out" | grep -qE '^Max processes +10000 +20000 +processes'; then
	t_ok "outside view (/proc/self/limits): Max processes 10000 20000"
else
	t_fail "outside view (/proc/self/limits): Max processes 10000 20000" "$out"
fi
t_expect "rlimit soft above hard refused before fork" 2 \
	"rlimit stack: soft limit 9 exceeds hard limit 8" \
	"$P" $U --rlimit stack=9:8 -- "$P" report
# above fs.nr_open, which even root cannot pass
out=$("$P" $U --rlimit nofile=100:2000000000 -- "$P" report 2>&1)
has "a failing step in the child reports its error" "$out" \
	"isoprobe: setup: rlimit nofile: set soft 100, hard 2000000000: Operation not permitted"
has "... and the child exits without exec" "$out" "exit 125"

for spec in "fifo:11 1 11 0" "rr:5 2 5 0" "batch:5 3 0 5" "idle 5 0 0" "other:-5 0 0 -5"; do
	set -- $spec
	out=$("$P" $U --sched "$1" -- "$P" report 2>&1)
	has "sched $1 applied (negative nice and real-time need the privileged phase)" "$out" \
		"sched policy $2 priority $3 nice $4"
done
t_expect "sched deadline refused with a reason" 2 \
	"sched deadline: not supported, the manifest gives it no runtime" \
	"$P" $U --sched deadline -- "$P" report

# --- descriptors and signals -------------------------------------------------------
echo a >"$tmp/a"
echo b >"$tmp/b"
out=$("$P" $U --keep "$tmp/b" --keep "$tmp/a" --leak 5 -- "$P" report 2>&1)
fds=$(printf '%s\n' "$out" | grep '^fd ')
t_eq "exactly 0-2 and the kept descriptors are open" "$(printf '%s\n' "$fds" | wc -l | tr -d ' ')" 5
has "stdin is /dev/null" "$fds" "fd 0 /dev/null"
has "kept descriptors compacted to 3.. in order (first)" "$fds" "fd 3 $tmp/b"
has "kept descriptors compacted to 3.. in order (second)" "$fds" "fd 4 $tmp/a"
t_eq "no kept descriptor is close-on-exec" "$(printf '%s\n' "$fds" | grep -c cloexec)" 0
out=$("$P" $U --dirty-signals -- "$P" report 2>&1)
t_eq "signal mask reset" "$(field SigBlk "$out")" 0000000000000000
t_eq "ignored signals reset" "$(field SigIgn "$out")" 0000000000000000
t_expect "parent-death signal set after the uid switch" 0 "pdeathsig: ok 9" \
	"$P" $U --pdeathsig 9 -- "$P" try pdeathsig

# --- seccomp: default profile ------------------------------------------------------
out=$("$P" $D -- "$P" report 2>&1)
t_eq "default profile: Seccomp 2 (filter mode)" "$(field Seccomp "$out")" 2
t_eq "default profile: one filter" "$(field Seccomp_filters "$out")" 1
t_eq "default profile: no_new_privs" "$(field NoNewPrivs "$out")" 1
out=$("$P" $D -- "$BB" sh -c 'cat /proc/self/status | grep ^Seccomp:' 2>&1)
has "the filter stays on in forked children after exec (busybox pipeline)" "$out" \
	"$(printf 'Seccomp:\t2')"
t_expect "denied syscall (unshare) kills with SIGSYS" 0 "signal 31" "$P" $D -- "$P" try unshare
t_expect "a violation in a second thread kills the whole process" 0 "signal 31" \
	"$P" $D -- "$P" try thread-unshare
t_expect "clone with a namespace flag kills" 0 "signal 31" "$P" $D -- "$P" try clone-ns
t_expect "CAP_NET_ADMIN does not unlock SYS_ADMIN syscalls" 0 "signal 31" \
	"$P" $D --cap CAP_NET_ADMIN -- "$P" try unshare
t_expect "CAP_SYS_ADMIN adds its syscalls to the profile" 0 "unshare: ok 0" \
	"$P" $D --cap CAP_SYS_ADMIN -- "$P" try unshare
t_expect "EPERM as the violation action instead of a kill" 0 "unshare: errno 1" \
	"$P" $D --eperm -- "$P" try unshare
t_expect "threads work without capabilities (glibc falls back from clone3)" 0 "pthread: ok 0" \
	"$P" $D -- "$P" try pthread
t_expect "fork works without capabilities" 0 "fork: ok 7" "$P" $D -- "$P" try fork
t_expect "posix_spawn works without capabilities" 0 "spawn: ok 0" "$P" $D -- "$P" try spawn
t_expect "clone3 answers ENOSYS" 0 "clone3: errno 38" "$P" $D -- "$P" try clone3
t_expect "personality: an allowed value passes" 0 "personality: ok" \
	"$P" $D -- "$P" try personality 8
t_expect "personality: another value kills" 0 "signal 31" "$P" $D -- "$P" try personality 1
t_expect "socket AF_UNIX allowed" 0 "socket: ok" "$P" $D -- "$P" try socket 1
t_expect "socket AF_VSOCK answers EAFNOSUPPORT" 0 "socket: errno 97" \
	"$P" $D -- "$P" try socket 40
max=$("$P" try maxknown)
t_expect "a syscall newer than libseccomp ($((max + 1))) answers ENOSYS" 0 "syscall: errno 38" \
	"$P" $D -- "$P" try syscall $((max + 1))
t_expect "syscall 1023 (end of the ENOSYS window) answers ENOSYS" 0 "syscall: errno 38" \
	"$P" $D -- "$P" try syscall 1023
t_expect "syscall 1100 (outside the window) kills" 0 "signal 31" \
	"$P" $D -- "$P" try syscall 1100
t_expect "x32 ABI syscall kills (foreign ABI)" 0 "signal 31" "$P" $D -- "$P" try x32
if sh -c '"$0" try int80' "$P" 2>/dev/null | grep -q "int80: ok"; then
	t_expect "i386 syscall (int 0x80) kills (foreign architecture)" 0 "signal 31" \
		"$P" $D -- "$P" try int80
else
	t_skip "i386 syscall (int 0x80) kills (foreign architecture)" \
		"this kernel has no ia32 emulation"
fi

# --- seccomp: manifest argument rules ------------------------------------------------
# syslog(2) is outside the default profile without CAP_SYSLOG; its first argument is
# a small action number, and with a NULL buffer every action returns at once.
A="--allow syslog:0:10:"
t_expect "values rule: an allowed value passes" 0 "syscall: " "$P" $D $A -- "$P" try syscall 103 10
t_expect "values rule: another value kills" 0 "signal 31" "$P" $D $A -- "$P" try syscall 103 9
t_expect "values rule: the upper 32 bits are compared too" 0 "signal 31" \
	"$P" $D $A -- "$P" try syscall 103 0x10000000a
M="--allow syslog:0::0xa"
t_expect "mask rule: bits inside the mask pass" 0 "syscall: " "$P" $D $M -- "$P" try syscall 103 8
t_expect "mask rule: a bit outside the mask kills" 0 "signal 31" \
	"$P" $D $M -- "$P" try syscall 103 3
VM="--allow syslog:0:3:0xa"
t_expect "values OR mask: a listed value passes" 0 "syscall: " \
	"$P" $D $VM -- "$P" try syscall 103 3
t_expect "values OR mask: a value inside the mask passes" 0 "syscall: " \
	"$P" $D $VM -- "$P" try syscall 103 10
t_expect "values OR mask: neither kills" 0 "signal 31" "$P" $D $VM -- "$P" try syscall 103 4
t_expect "any: every value passes" 0 "syscall: " \
	"$P" $D --allow syslog -- "$P" try syscall 103 4
t_expect "manifest allow beats the profile's clone3 ENOSYS" 0 "clone3: ok" \
	"$P" $D --allow clone3 -- "$P" try clone3
out=$("$P" $D --allow no_such_call -- "$P" try noop 2>&1)
has "unknown syscall names are skipped and reported" "$out" \
	"isoprobe: skipped syscall 'no_such_call'"
has "... and the filter still loads" "$out" "exit 0"
t_expect "argument index above 5 refused before fork" 2 "argument index 6 is above 5" \
	"$P" $D --allow syslog:6:1: -- "$P" try noop
t_expect "an allow-list without the profile kills the first unlisted call" 0 "signal 31" \
	"$P" $U --seccomp-empty -- "$P" report

t_done
