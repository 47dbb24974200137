#!/bin/sh
# northstard end to end: install over the console, start, output through the log, exit
# codes, signals, kill, inspect, list, the start request's overrides, and the errors of
# start and kill. Nothing may be left behind.
. "$(dirname "$0")/../lib.sh"
. "$NS_TOP/tests/daemon_lib.sh"
daemon_init

manifest hello 0.0.1 <<'EOF'
init: /bin/sh
args: [-c, "echo hello from $NORTHSTAR_CONTAINER; echo to-stderr >&2"]
uid: 1000
gid: 1000
env:
  FROM_MANIFEST: m
  SHARED: manifest
io:
  stdout: pipe
  stderr: pipe
mounts:
  /proc:
    type: proc
  /dev:
    type: dev
EOF
pack hello 0.0.1
sed 's/0.0.1/0.0.2/' "$T/hello-0.0.1.yaml" >"$T/hello-0.0.2.yaml"
pack hello 0.0.2
manifest quiet 0.0.1 <<'EOF'
init: /bin/sh
args: [-c, "echo not-logged"]
uid: 1000
gid: 1000
EOF
pack quiet 0.0.1
manifest res 0.0.1 <<'EOF'
uid: 1000
gid: 1000
EOF
pack res 0.0.1

write_config
daemon_start || { t_fail "daemon starts" "$(cat "$T/log")"; t_done; exit 1; }
t_ok "daemon starts"
before=$(leaks)

# --- simple requests -------------------------------------------------------------------
t_eq "ident" "$(C ident)" '{"response":{"ident":"extern:0.0.0"}}'
out=$(C repositories)
case $out in
'{"response":{"repositories":["default","mem"]}}' | '{"response":{"repositories":["mem","default"]}}')
	t_ok "repositories" ;;
*) t_fail "repositories" "$out" ;;
esac
t_eq "list: empty" "$(C list)" '{"response":{"list":[]}}'

# --- install -------------------------------------------------------------------------
t_eq "install into fs" "$(C install "$T/hello-0.0.1.npk" default)" \
	'{"response":{"install":{"ok":{"container":"hello:0.0.1"}}}}'
t_run "fs: the file is in the repository" test -f "$T/repo/hello:0.0.1.npk"
t_eq "install into mem" "$(C install "$T/hello-0.0.2.npk" mem)" \
	'{"response":{"install":{"ok":{"container":"hello:0.0.2"}}}}'
C install "$T/quiet-0.0.1.npk" mem >/dev/null
C install "$T/res-0.0.1.npk" mem >/dev/null
out=$(C list)
for id in hello:0.0.1 hello:0.0.2 quiet:0.0.1 res:0.0.1; do
	case $out in *"\"$id\""*) t_ok "list has $id" ;; *) t_fail "list has $id" "$out" ;; esac
done

# --- start, output, exit ----------------------------------------------------------------
t_eq "start: runs to exit 0" "$(C run hello:0.0.1)" '{"exit":{"code":0}}'
t_run "stdout line in the log, tagged" grep -q "hello:0.0.1: hello from hello:0.0.1$" "$T/log"
t_run "stderr line in the log, tagged" grep -q "hello:0.0.1: to-stderr$" "$T/log"
t_eq "discarded output: exit 0" "$(C run quiet:0.0.1)" '{"exit":{"code":0}}'
t_run "discarded output is not logged" sh -c "! grep -q not-logged '$T/log'"
for code in 0 1 10 127 128 255; do
	t_eq "exit code $code" "$(C run hello:0.0.1 --init /bin/sh --arg -c --arg "exit $code")" \
		"{\"exit\":{\"code\":$code}}"
done
t_eq "crash: SIGSEGV" "$(C run hello:0.0.1 --init /bin/sh --arg -c --arg 'kill -SEGV $$')" \
	'{"signalled":{"signal":11}}'
t_eq "abort: SIGABRT" "$(C run hello:0.0.1 --init /bin/sh --arg -c --arg 'kill -ABRT $$')" \
	'{"signalled":{"signal":6}}'
t_eq "start: init <INIT> substituted" \
	"$(C run hello:0.0.1 --init '<INIT>' --arg -c --arg 'echo init-was-substituted')" \
	'{"exit":{"code":0}}'
t_run "<INIT>: the manifest's init ran" grep -q "hello:0.0.1: init-was-substituted" "$T/log"

# The environment: the manifest's, with the request's on top, then NORTHSTAR_*.
C run hello:0.0.1 --init /bin/sh --env SHARED=request --env EXTRA=x --arg -c \
	--arg 'echo "env: $FROM_MANIFEST $SHARED $EXTRA $NORTHSTAR_NAME $NORTHSTAR_VERSION $NORTHSTAR_CONTAINER"' >/dev/null
t_run "env: merged, request wins, NORTHSTAR_* set" \
	grep -q "hello:0.0.1: env: m request x hello 0.0.1 hello:0.0.1$" "$T/log"
for k in NORTHSTAR_NAME NORTHSTAR_VERSION NORTHSTAR_CONTAINER NORTHSTAR_CONSOLE NORTHSTAR_SOCKET_x 'A=B'; do
	out=$(C request "{\"start\":{\"container\":\"hello:0.0.1\",\"init\":null,\"arguments\":[],\"environment\":{\"$k\":\"1\"}}}")
	case $out in
	*'"invalid_arguments"'*) t_ok "env: $k refused" ;;
	*) t_fail "env: $k refused" "$out" ;;
	esac
done

# --- signals and kill --------------------------------------------------------------------
for sig in 15 9 10 2; do
	C start hello:0.0.1 --init /bin/sh --arg -c --arg 'exec sleep 100' >/dev/null
	out=$(C killwait hello:0.0.1 $sig)
	t_eq "kill $sig: Signalled($sig)" "$out" \
		"{\"notification\":{\"exit\":[\"hello:0.0.1\",{\"signalled\":{\"signal\":$sig}}]}}"
done
t_run "kill: logged" grep -q "Killing hello:0.0.1 with SIGTERM" "$T/log"
t_run "exit: logged with its status" \
	grep -q "Process hello:0.0.1 exited after .* with status Signalled(SIGTERM)" "$T/log"

# A process that ignores SIGTERM is still stopped by SIGKILL; its children die with it.
C start hello:0.0.1 --init /bin/sh --arg -c --arg 'trap "" TERM; sleep 100 & exec sleep 100' >/dev/null
sleep 0.3
C kill hello:0.0.1 15 >/dev/null
sleep 0.3
insp=$(C inspect hello:0.0.1)
case $insp in *'"process":{"pid":'*) t_ok "SIGTERM ignored: still running" ;; *) t_fail "SIGTERM ignored: still running" "$insp" ;; esac
pid=$(json_get "$insp" response inspect ok data process pid)
t_run "inspect: pid is ns-init's, seen from the host" sh -c "grep -q '^Name:.*ns-init' /proc/$pid/status"
uptime=$(json_get "$insp" response inspect ok data process uptime)
t_run "inspect: uptime in ns" test "$uptime" -gt 100000000
t_eq "inspect: mounted" "$(json_get "$insp" response inspect ok data mounted)" "true"
t_eq "inspect: repository" "$(json_get "$insp" response inspect ok data repository)" "default"
t_eq "inspect: manifest" "$(json_get "$insp" response inspect ok data manifest env)" \
	'{"FROM_MANIFEST":"m","SHARED":"manifest"}'
children() { grep -l "^PPid:[[:space:]]*$1\$" /proc/[0-9]*/status 2>/dev/null | cut -d/ -f3; }
app=$(children "$pid")
inner="$app $(children "$app")"
t_eq "the application and its child run" "$(echo $inner | wc -w)" 2
t_eq "kill 9: Signalled(9)" "$(C killwait hello:0.0.1 9)" \
	'{"notification":{"exit":["hello:0.0.1",{"signalled":{"signal":9}}]}}'
left=0
for p in $pid $inner; do [ -d /proc/$p ] && left=$((left + 1)); done
t_eq "kill 9: no process of the container left" "$left" 0

# --- errors ------------------------------------------------------------------------------
t_eq "start unknown" "$(C start nope:1.0.0)" \
	'{"response":{"start":{"error":{"container":"nope:1.0.0","error":{"invalid_container":{"container":"nope:1.0.0"}}}}}}'
t_eq "start a resource" "$(C start res:0.0.1)" \
	'{"response":{"start":{"error":{"container":"res:0.0.1","error":{"start_container_resource":{"container":"res:0.0.1"}}}}}}'
C start hello:0.0.1 --init /bin/sh --arg -c --arg 'exec sleep 100' >/dev/null
t_eq "start a running container" "$(C start hello:0.0.1)" \
	'{"response":{"start":{"error":{"container":"hello:0.0.1","error":{"start_container_started":{"container":"hello:0.0.1"}}}}}}'
t_eq "start another version of a running name" "$(C start hello:0.0.2)" \
	'{"response":{"start":{"error":{"container":"hello:0.0.2","error":{"start_container_started":{"container":"hello:0.0.1"}}}}}}'
t_eq "uninstall a running container" "$(C uninstall hello:0.0.1)" \
	'{"response":{"uninstall":{"error":{"container":"hello:0.0.1","error":{"umount_busy":{"container":"hello:0.0.1"}}}}}}'
t_eq "umount a running container" "$(C umount hello:0.0.1)" \
	'{"response":{"umount":[{"error":{"container":"hello:0.0.1","error":{"umount_busy":{"container":"hello:0.0.1"}}}}]}}'
t_eq "kill signal 0" "$(C kill hello:0.0.1 0)" \
	'{"response":{"kill":{"error":{"container":"hello:0.0.1","error":{"unexpected":{"error":"EINVAL: Invalid argument"}}}}}}'
C kill hello:0.0.1 9 >/dev/null
wait_until 10 'case $(C inspect hello:0.0.1) in *\"process\":{\"pid\":*) false ;; esac'
t_eq "kill a stopped container" "$(C kill hello:0.0.1 15)" \
	'{"response":{"kill":{"error":{"container":"hello:0.0.1","error":{"stop_container_not_started":{"container":"hello:0.0.1"}}}}}}'
t_eq "kill unknown" "$(C kill nope:1.0.0 15)" \
	'{"response":{"kill":{"error":{"container":"nope:1.0.0","error":{"invalid_container":{"container":"nope:1.0.0"}}}}}}'
out=$(C start hello:0.0.1 --init /nonexistent)
case $out in
*'"start_container_failed":{"container":"hello:0.0.1","error":"exec '"'"'/nonexistent'"'"': No such file or directory"'*)
	t_ok "exec failure: a start error with the reason" ;;
*) t_fail "exec failure: a start error with the reason" "$out" ;;
esac
t_eq "the daemon survived it" "$(C ident)" '{"response":{"ident":"extern:0.0.0"}}'
t_eq "start after a failed start" "$(C run hello:0.0.1)" '{"exit":{"code":0}}'

# --- mount and umount ----------------------------------------------------------------------
t_eq "mount: one result per container, in order" "$(C mount hello:0.0.2 nope:1.0.0 hello:0.0.1)" \
	'{"response":{"mount":[{"ok":{"container":"hello:0.0.2"}},{"error":{"container":"nope:1.0.0","error":{"invalid_container":{"container":"nope:1.0.0"}}}},{"error":{"container":"hello:0.0.1","error":{"invalid_container":{"container":"hello:0.0.1"}}}}]}}'
t_eq "umount" "$(C umount hello:0.0.1 hello:0.0.2)" \
	'{"response":{"umount":[{"ok":{"container":"hello:0.0.1"}},{"ok":{"container":"hello:0.0.2"}}]}}'
t_eq "umount: not mounted is busy (as Northstar)" "$(C umount hello:0.0.1)" \
	'{"response":{"umount":[{"error":{"container":"hello:0.0.1","error":{"umount_busy":{"container":"hello:0.0.1"}}}}]}}'
t_eq "mount: empty list" "$(C mount)" '{"response":{"mount":[]}}'
C umount quiet:0.0.1 >/dev/null
t_eq "nothing left mounted or running" "$(leaks)" "$before"

# --- uninstall ----------------------------------------------------------------------------
t_eq "uninstall" "$(C uninstall hello:0.0.1)" \
	'{"response":{"uninstall":{"ok":{"container":"hello:0.0.1"}}}}'
t_run "uninstall: the file is gone" test ! -e "$T/repo/hello:0.0.1.npk"
t_eq "uninstall unknown" "$(C uninstall hello:0.0.1)" \
	'{"response":{"uninstall":{"error":{"container":"hello:0.0.1","error":{"invalid_container":{"container":"hello:0.0.1"}}}}}}'

daemon_stop
t_eq "daemon exits 0 after shutdown" "$?" 0
t_run "shutdown complete logged" grep -q "Shutdown complete" "$T/log"
t_eq "no loop device left" "$(our_loops)" 0
t_done
