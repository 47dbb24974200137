#!/bin/sh
# nstar for a person (issue 16): a failed connection says which address was tried, why
# and how to give another; runtime errors are sentences with the container and a hint
# (start, kill, umount, uninstall, install misuse) while -j keeps the exact wire form;
# -o json is the result alone; TERM=dumb writes no escape byte; the completion offers
# the installed containers; the daemon's log says why a start or an install failed.
. "$(dirname "$0")/../lib.sh"
. "$NS_TOP/tests/daemon_lib.sh"
N() { "$NS_BIN" nstar "$@"; }

# --- connection failures, before any daemon ---------------------------------------------
# The default is the shipped configuration's console; this machine normally runs no
# daemon there (if one answers, the failure text cannot be seen).
if [ -S /run/northstar/console ] && N list >/dev/null 2>&1; then
	t_skip "default address: failure text" "a daemon listens on /run/northstar/console"
else
	out=$(env -u NSTAR_URL "$NS_BIN" nstar list 2>&1)
	rc=$?
	t_eq "default address: exit status 1" "$rc" 1
	t_run "default address: names the shipped socket" \
		grep -qF "cannot connect to the console at unix:///run/northstar/console: " <<EOF
$out
EOF
	t_run "default address: says where the address came from and how to give another" \
		grep -qF "The address came from nstar's default; give another with --url URL or the environment variable NSTAR_URL" <<EOF
$out
EOF
fi

daemon_init
out=$(N -u "unix://$T/nope.sock" list 2>&1)
t_eq "--url, no socket file: exit status 1" "$?" 1
t_run "--url, no socket file: the address" grep -qF "cannot connect to the console at unix://$T/nope.sock: " <<EOF
$out
EOF
t_run "--url, no socket file: the daemon is probably not running, and the config key" \
	grep -qF "The socket file does not exist, so northstard is probably not running, or its console listens elsewhere (the key console.global.bind" <<EOF
$out
EOF
t_run "--url: the origin named" grep -qF "The address came from --url;" <<EOF
$out
EOF
t_expect "NSTAR_URL: the origin named" 1 "The address came from NSTAR_URL;" \
	env NSTAR_URL="unix://$T/nope.sock" "$NS_BIN" nstar list
: >"$T/stale.sock"
t_expect "a file nobody listens on: probably not running" 1 \
	"nothing listens on it: northstard is probably not running" N -u "unix://$T/stale.sock" ls
t_expect "tcp, refused: the address and the hint" 1 \
	"Nothing listens there: northstard is probably not running" N -u tcp://127.0.0.1:1 list
t_run "help: the default is the shipped socket" sh -c "'$NS_BIN' nstar --help | grep -qF 'unix:///run/northstar/console, the console of the'"

# --- a daemon with an app, a resource and two versions of another ------------------------
manifest hello 0.0.1 <<'EOF2'
init: /bin/sleep
args: ["100"]
uid: 1000
gid: 1000
EOF2
pack hello 0.0.1
manifest res 0.0.1 <<'EOF2'
uid: 1000
gid: 1000
EOF2
pack res 0.0.1
manifest two 0.0.1 <<'EOF2'
init: /bin/true
uid: 1000
gid: 1000
EOF2
pack two 0.0.1
sed 's/0.0.1/0.0.2/' "$T/two-0.0.1.yaml" >"$T/two-0.0.2.yaml" && pack two 0.0.2
# an app whose init is not in its root: the start fails in the runtime
manifest noinit 0.0.1 <<'EOF2'
init: /bin/does-not-exist
uid: 1000
gid: 1000
EOF2
pack noinit 0.0.1
# an app whose resource is not installed
manifest needy 0.0.1 <<'EOF2'
init: /bin/true
uid: 1000
gid: 1000
mounts:
  /x:
    type: resource
    name: nores
    version: ^1.0
    dir: /
EOF2
pack needy 0.0.1
# signed with another key than the repositories'
"$NS_BIN" sextant gen-key -n other -o "$T" >/dev/null
"$NS_BIN" sextant pack -m "$T/hello-0.0.1.yaml" -r "$T/root" -k "$T/other.key" -o "$T/other.npk" >/dev/null
write_config "  kernel:
    type: mem
    key: $T/test.pub"
daemon_start || {
	t_fail "daemon starts" "$(tail "$T/log")"
	t_done
	exit 1
}
U="unix://$T/console"
NU() { "$NS_BIN" nstar -u "$U" "$@"; }
for npk in hello-0.0.1 res-0.0.1 two-0.0.1 two-0.0.2 noinit-0.0.1 needy-0.0.1; do
	NU install "$T/$npk.npk" default >/dev/null || t_fail "install $npk"
done

# t_err NAME CMD...: exit status 1 and exactly this error sentence on stderr ($WANT)
t_err() {
	te_n=$1
	shift
	te_o=$("$@" 2>&1 >/dev/null)
	te_r=$?
	t_eq "$te_n" "$te_r: $te_o" "1: Error: $WANT"
}
WANT="hello:0.0.1 is not started; nothing to stop (\`nstar list\` shows what runs)"
t_err "kill a stopped container: a sentence" NU kill hello
WANT="res:0.0.1 is a resource, not an app (its manifest has no init), so it cannot be started; start an app that uses it, or mount it (\`nstar mount res:0.0.1\`)"
t_err "start a resource: a sentence" NU start res
WANT="nope:1.0.0 is not installed; \`nstar list\` shows the installed containers"
t_err "start what is not installed: a sentence" NU start nope:1.0.0
WANT="no container named nope is installed; \`nstar list\` shows the installed containers"
t_err "a short name not installed: a sentence" NU uninstall nope
WANT="container two has multiple versions installed (0.0.1, 0.0.2); name one as NAME:VERSION, e.g. two:0.0.1"
t_err "a short name with two versions: the versions listed" NU start two
WANT="there is no repository 'nope'; \`nstar repositories\` lists the runtime's repositories"
t_err "install into an unknown repository: a sentence" NU install "$T/res-0.0.1.npk" nope
WANT="hello:0.0.1 is already installed; uninstall it first (\`nstar uninstall hello:0.0.1\`) or pack a new version"
t_err "install a duplicate: a sentence" NU install "$T/hello-0.0.1.npk" mem

t_expect "start" 0 "started hello:0.0.1" NU start hello
WANT="hello:0.0.1 is already running; stop it first (\`nstar kill hello:0.0.1\`) to start it anew"
t_err "start a running container: a sentence" NU start hello
WANT="hello:0.0.1 is running, so it (or the resource it uses) cannot be unmounted or uninstalled; stop it first (\`nstar kill hello:0.0.1\`)"
t_err "uninstall a running container: a sentence" NU uninstall hello
out=$(NU umount hello 2>"$T/err")
t_eq "umount a running container: the sentence in the table, exit 1" "$?: $out" "1: Name	Result
hello:0.0.1	$WANT"
t_eq "umount a running container: the count on stderr" "$(cat "$T/err")" "Error: 1 of 1 containers failed to umount"

# -j: the wire form, byte for byte, whatever the text says
out=$(NU -j start hello:0.0.1 2>"$T/err")
t_run "-j: the error exactly as sent" grep -qxF '{"response":{"start":{"error":{"container":"hello:0.0.1","error":{"start_container_started":{"container":"hello:0.0.1"}}}}}}' <<EOF
$out
EOF
t_eq "-j: stdout is only the session (handshake, request, response)" "$(printf '%s\n' "$out" | wc -l)" 4

# the signature of another key: the repository and its key file named
out=$(NU install "$T/other.npk" default 2>&1)
t_eq "another key: exit status 1" "$?" 1
t_run "another key: names the repository and the key file" grep -qF "signature.yaml: invalid signature: the NPK is not signed by the key of repository default ($T/test.pub); sign it with the matching private key" <<EOF
$out
EOF
t_run "another key: the daemon's log says the same" log_wait "Install failed: .*not signed by the key of repository default" 5

# a start that fails in the runtime: the log line carries the reason
NU start noinit >"$T/noinit.out" 2>&1
t_run "Failed to start: the line carries the reason" log_wait "Failed to start noinit:0.0.1: .*does-not-exist" 5
WANT="needy:0.0.1 needs the resource nores version ^1.0, which is not installed; install it (\`nstar install NPK REPOSITORY\`) and start again"
t_err "start with a missing resource: a sentence" NU start needy
t_run "Failed to start: a missing resource in the log" \
	log_wait "Failed to start needy:0.0.1: needy:0.0.1 needs the resource nores version \\^1\\.0, which is not installed" 5
NU uninstall needy >/dev/null

# a kernel without device-mapper and a repository that wants dm-verity: the way out named
if [ -e /sys/class/misc/device-mapper ] || [ -e /dev/mapper/control ]; then
	t_skip "no device-mapper: 'verity: userspace' named" "this kernel has device-mapper"
else
	sed 's/^name: res/name: dmres/' "$T/res-0.0.1.yaml" >"$T/dmres-0.0.1.yaml" && pack dmres 0.0.1
	NU install "$T/dmres-0.0.1.npk" kernel >/dev/null
	out=$(NU mount dmres 2>&1)
	t_run "no device-mapper: the error names 'verity: userspace'" grep -qF \
		"set 'verity: userspace' on the repository to check its images without device-mapper" <<EOF
$out
EOF
	NU uninstall dmres >/dev/null
fi

# --- -o json -----------------------------------------------------------------------------
t_eq "list -o json: parsed, the containers in table order" \
	"$(NU list -o json | python3 -c 'import json, sys; print(" ".join("%s:%s:%s:%s" % (c["name"], c["version"], c["type"], c["pid"] is not None) for c in json.load(sys.stdin)))')" \
	"hello:0.0.1:app:True noinit:0.0.1:app:False two:0.0.1:app:False two:0.0.2:app:False res:0.0.1:resource:False"
t_eq "list --output json with nothing else on stdout" "$(NU list --output json 2>/dev/null | python3 -c 'import json, sys; d = json.load(sys.stdin); print(type(d).__name__, len(d), sorted(d[0]))')" \
	"list 5 ['mounted', 'name', 'pid', 'repository', 'type', 'uptime_ns', 'version']"
t_eq "inspect -o json: parsed" "$(NU inspect -o json hello | python3 -c 'import json, sys; d = json.load(sys.stdin); print(d["manifest"]["name"], d["repository"], d["process"]["pid"] > 0)')" \
	"hello default True"
t_eq "repositories -o json" "$(NU repositories -o json | python3 -c 'import json, sys; print(json.load(sys.stdin))')" "['default', 'kernel', 'mem']"
t_expect "-o: an unknown format is a usage error" 2 "unknown output format 'yaml' (text or json)" NU list -o yaml
t_eq "list --names" "$(NU list --names | tr '\n' ' ')" "hello:0.0.1 noinit:0.0.1 res:0.0.1 two:0.0.1 two:0.0.2 "

# --- TERM=dumb on a terminal: no escape byte ----------------------------------------------
pty() { script -qec "$1" /dev/null </dev/null; }
if command -v script >/dev/null; then
	esc=$(printf '\033')
	got=$(pty "env -u NO_COLOR TERM=xterm '$NS_BIN' nstar -u '$U' list")
	case $got in *"$esc"*) t_ok "TERM=xterm on a terminal: colours (the check below can fail)" ;;
	*) t_fail "TERM=xterm on a terminal: colours" "$got" ;; esac
	got=$(pty "env -u NO_COLOR TERM=dumb '$NS_BIN' nstar -u '$U' list")
	case $got in *"$esc"*) t_fail "TERM=dumb: no escape bytes" "$got" ;;
	*"hello:"* | *"hello "*) t_ok "TERM=dumb: no escape bytes" ;;
	*) t_fail "TERM=dumb: the table" "$got" ;; esac
	got=$(pty "TERM=xterm NO_COLOR=1 '$NS_BIN' nstar -u '$U' list")
	case $got in *"$esc"*) t_fail "NO_COLOR: no escape bytes" "$got" ;; *) t_ok "NO_COLOR: no escape bytes" ;; esac
	# install's progress bar (stderr on the terminal) clears its line with an escape
	for v in 1 2; do
		sed "s/^name: res/name: prog$v/" "$T/res-0.0.1.yaml" >"$T/prog$v-0.0.1.yaml" && pack prog$v 0.0.1
	done
	got=$(pty "env -u NO_COLOR TERM=xterm '$NS_BIN' nstar -u '$U' install '$T/prog1-0.0.1.npk' mem 2>&1")
	case $got in *"$esc"*) t_ok "TERM=xterm: install draws its bar (the check below can fail)" ;;
	*) t_fail "TERM=xterm: install draws its bar" "$got" ;; esac
	got=$(pty "env -u NO_COLOR TERM=dumb '$NS_BIN' nstar -u '$U' install '$T/prog2-0.0.1.npk' mem 2>&1")
	case $got in *"$esc"*) t_fail "TERM=dumb: install writes no escape bytes" "$got" ;;
	*"installed "*) t_ok "TERM=dumb: install writes no escape bytes" ;;
	*) t_fail "TERM=dumb: install" "$got" ;; esac
	NU uninstall prog1:0.0.1 >/dev/null
	NU uninstall prog2:0.0.1 >/dev/null
else
	t_skip "TERM=dumb" "script (util-linux) is missing"
fi

# --- completion of container operands ------------------------------------------------------
mkdir -p "$T/path"
ln -sf "$NS_BIN" "$T/path/nstar"
N completion -s bash >"$T/comp.bash"
# comp WORDS...: what bash's _nstar offers for the last word
comp() {
	PATH="$T/path:$PATH" LC_ALL=C bash -c '. "$0"; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _nstar; printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' \
		"$T/comp.bash" "$@"
}
t_eq "bash: start offers the installed containers" "$(comp nstar -u "$U" start "")" \
	"hello hello:0.0.1 noinit noinit:0.0.1 res res:0.0.1 two two:0.0.1 two:0.0.2 "
t_eq "bash: the prefix narrows" "$(comp nstar -u "$U" kill tw)" "two two:0.0.1 two:0.0.2 "
t_eq "bash: a URL split at its colons, as bash does" "$(comp nstar -u unix : "//$T/console" uninstall h)" "hello hello:0.0.1 "
t_eq "bash: mount takes several" "$(comp nstar -u "$U" mount res r)" "res res:0.0.1 "
t_eq "bash: start's second word is not a container" "$(comp nstar -u "$U" start hello h)" " "
t_eq "bash: nothing when the runtime is not reachable" "$(comp nstar -u "unix://$T/nope.sock" start "")" " "
if command -v zsh >/dev/null; then
	# zsh's completion system needs a terminal; its helper is called with compadd stubbed
	N completion -s zsh >"$T/comp.zsh"
	got=$(PATH="$T/path:$PATH" zsh -f -c 'compdef() { :; }; _call_program() { shift; eval "$*"; }
compadd() { [[ $1 == -- ]] && shift; print -l -- "$@"; }
. "$0"; nstar_url=$1; _nstar_containers' "$T/comp.zsh" "$U" | LC_ALL=C sort -u | tr '\n' ' ')
	t_eq "zsh: the installed containers, at the command line's -u" "$got" \
		"hello hello:0.0.1 noinit noinit:0.0.1 res res:0.0.1 two two:0.0.1 two:0.0.2 "
else
	t_skip "zsh completion" "zsh is not installed"
fi
if command -v fish >/dev/null; then
	N completion -s fish >"$T/comp.fish"
	t_eq "fish: start offers the installed containers" \
		"$(PATH="$T/path:$PATH" HOME=$T fish --no-config -c ". $T/comp.fish; complete -C'nstar -u $U start tw'" | sort | tr '\n' ' ')" \
		"two two:0.0.1 two:0.0.2 "
else
	t_skip "fish completion" "fish is not installed"
fi

NU kill hello >/dev/null
daemon_stop
t_done
