#!/bin/sh
# Issue 14, item 2: no shared session keyring. The daemon is started from a session
# keyring holding a secret (tests/helpers/keyprobe plant); no container finds it, each
# application has its own anonymous session keyring owned by its uid, and a key one
# container adds is not found by another of the same uid. The manifests allow keyctl,
# add_key and request_key on top of the default profile, which denies them: otherwise
# the probe would test the filter, not the keyrings.
. "$(dirname "$0")/../lib.sh"
. "$NS_TOP/tests/daemon_lib.sh"
daemon_init

KP=$NS_BUILD/tests/helpers/keyprobe
if ! "$KP" session >/dev/null 2>&1; then
	t_skip "keyrings" "the kernel has no keyrings (keyctl fails)"
	t_done
	exit 0
fi
cp "$KP" "$T/root/bin/keyprobe"
for n in kp:1000 kp2:1001 kp3:1000; do
	manifest "${n%:*}" 0.0.1 <<EOF
init: /bin/keyprobe
args: [session]
uid: ${n#*:}
gid: ${n#*:}
io:
  stdout: pipe
  stderr: pipe
seccomp:
  profile: default
  allow:
    keyctl: any
    add_key: any
    request_key: any
EOF
	pack "${n%:*}" 0.0.1
done

SECRET=s3cret-$$
write_config
# a cgroup of our own: helpers running beside us remove (and kill) "northstar-test"
sed -i "s/^cgroup: .*/cgroup: northstar-test-keyring-$$/" "$T/northstar.yaml"
NSD_WRAP="$KP plant ns-sec-secret $SECRET" daemon_start ||
	{ t_fail "daemon starts" "$(cat "$T/log")"; t_done; exit 1; }
planted=$(sed -n 's/^planted keyring=\([0-9]*\)$/\1/p' "$T/log" | head -n 1)
t_run "the daemon was started from a keyring holding the secret" test -n "$planted"
for n in kp kp2 kp3; do
	C install "$T/$n-0.0.1.npk" default | grep -q '"ok"' || t_fail "install $n"
done

probe() { # NAME ARGS...: runs keyprobe ARGS in NAME; its output lines on stdout
	pn=$1
	shift
	ln_before=$(wc -l <"$T/log")
	set -- $(for a in "$@"; do printf -- '--arg %s ' "$a"; done)
	C run "$pn:0.0.1" --init /bin/keyprobe "$@" >"$T/exit"
	tail -n +"$((ln_before + 1))" "$T/log" | sed -n "s/.*$pn:0.0.1: //p"
}

t_eq "uid 1000: the daemon's secret is not found" "$(probe kp read ns-sec-secret)" none
t_eq "uid 1000: the probe ran and found nothing" "$(cat "$T/exit")" '{"exit":{"code":1}}'
t_eq "uid 1001: the daemon's secret is not found" "$(probe kp2 read ns-sec-secret)" none

s1=$(probe kp session)
s2=$(probe kp2 session)
s3=$(probe kp session)
t_run "uid 1000: a session keyring owned by the application" \
	sh -c "echo '$s1' | grep -q '^session=[0-9]* uid=1000\$'"
t_run "uid 1001: a session keyring owned by the application" \
	sh -c "echo '$s2' | grep -q '^session=[0-9]* uid=1001\$'"
k1=${s1%% *} k2=${s2%% *} k3=${s3%% *}
t_run "two containers: different session keyrings ($k1, $k2)" test "$k1" != "$k2"
t_run "two starts of one container: different session keyrings" test "$k1" != "$k3"
t_run "no container has the daemon's starting keyring ($planted)" \
	sh -c "[ '$k1' != 'session=$planted' ] && [ '$k2' != 'session=$planted' ]"

# a key added in one container, looked for from another of the same uid while it runs
C start kp:0.0.1 --init /bin/sh --arg -c \
	--arg 'keyprobe add ns-sec-a secret-a && keyprobe read ns-sec-a && exec sleep 30' >/dev/null
log_wait "kp:0.0.1: found secret-a" 10
t_run "a container finds its own key" grep -q "kp:0.0.1: found secret-a" "$T/log"
t_eq "same uid, another container: not found" "$(probe kp3 read ns-sec-a)" none
t_eq "another uid: not found" "$(probe kp2 read ns-sec-a)" none
C killwait kp:0.0.1 9 >/dev/null
daemon_stop
t_done
