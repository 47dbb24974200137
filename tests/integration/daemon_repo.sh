#!/bin/sh
# northstard's repositories: fs and mem, keyed and not; install through a verified
# temporary file, every install failure (broken NPK, bad manifest, tampering, unknown
# or full repository, duplicates, over-size) with a clear error and nothing left
# behind; restart with installed containers, stale temporary files, invalid files
# skipped; uninstall with and without wipe; a keyed `verity: kernel` repository on a
# kernel without device-mapper; `verity: userspace` catching a tampered image.
. "$(dirname "$0")/../lib.sh"
. "$NS_TOP/tests/daemon_lib.sh"
daemon_init

manifest app 0.0.1 <<'EOF'
init: /bin/sh
args: [-c, "echo app-ran"]
uid: 1000
gid: 1000
io:
  stdout: pipe
  stderr: pipe
mounts:
  /data:
    type: persist
EOF
pack app 0.0.1
manifest small 0.0.1 <<'EOF'
uid: 1000
gid: 1000
EOF
mkdir -p "$T/empty"
pack small 0.0.1 "$T/empty"
# unsigned NPK
"$NS_BIN" sextant pack -m "$T/app-0.0.1.yaml" -r "$T/root" -o "$T/unsigned.npk" >/dev/null
# broken NPKs
head -c 5000 "$T/app-0.0.1.npk" >"$T/truncated.npk"
python3 "$NS_TOP/tests/npk_tamper.py" "$T/app-0.0.1.npk" "$T/tampered-manifest.npk" manifest
python3 "$NS_TOP/tests/npk_tamper.py" "$T/app-0.0.1.npk" "$T/tampered-image.npk" squashfs
# a signed NPK whose manifest is invalid (uid 0), packed by the independent packer
mksquashfs "$T/empty" "$T/empty.sqfs" -quiet -noappend -all-root >/dev/null
printf 'name: bad\nversion: 0.0.1\nuid: 0\ngid: 1000\n' >"$T/bad.yaml"
python3 "$NS_TOP/tests/npk_ref.py" pack --manifest "$T/bad.yaml" --image "$T/empty.sqfs" \
	--out "$T/bad-manifest.npk" --key "$T/test.key"

CONSOLE_OPTIONS="    options:
      max_npk_install_size: 10MB
      npk_stream_timeout: 1s"
write_config "  plain:
    type:
      fs:
        dir: $T/plain
  kernel:
    type: mem
    key: $T/test.pub
  one:
    type: mem
    capacity_num: 1
  tiny:
    type:
      fs:
        dir: $T/tiny
    capacity_size: 1000"
daemon_start || { t_fail "daemon starts" "$(cat "$T/log")"; t_done; exit 1; }
before=$(leaks)

# expect_install NAME FILE REPO NEEDLE: the install fails and the answer holds NEEDLE
expect_install() {
	r=$(C install "$2" "$3")
	case $r in
	*"$4"*) t_ok "$1" ;;
	*) t_fail "$1" "$r" ;;
	esac
}
expect_install "truncated NPK refused" "$T/truncated.npk" default '"unexpected":{"error":"'
expect_install "tampered manifest: signature check fails" "$T/tampered-manifest.npk" default \
	'manifest'
expect_install "unsigned NPK into a keyed repository" "$T/unsigned.npk" default 'signature'
expect_install "invalid manifest refused, named" "$T/bad-manifest.npk" default 'uid'
t_eq "unknown repository" "$(C install "$T/app-0.0.1.npk" nope)" \
	'{"response":{"install":{"error":{"error":{"invalid_repository":{"repository":"nope"}}}}}}'
t_eq "after the failures: nothing installed" "$(C list)" '{"response":{"list":[]}}'
t_eq "no temporary file, mount or loop device left" "$(leaks)" "$before"
t_eq "the repository directory is empty" "$(ls -A "$T/repo")" ""

t_eq "install" "$(C install "$T/app-0.0.1.npk" default)" \
	'{"response":{"install":{"ok":{"container":"app:0.0.1"}}}}'
t_eq "duplicate in the same repository" "$(C install "$T/app-0.0.1.npk" default)" \
	'{"response":{"install":{"error":{"error":{"install_duplicate":{"container":"app:0.0.1"}}}}}}'
t_eq "duplicate in another repository" "$(C install "$T/app-0.0.1.npk" mem)" \
	'{"response":{"install":{"error":{"error":{"install_duplicate":{"container":"app:0.0.1"}}}}}}'
t_eq "unsigned NPK into an unkeyed repository" "$(C install "$T/unsigned.npk" plain)" \
	'{"response":{"install":{"error":{"error":{"install_duplicate":{"container":"app:0.0.1"}}}}}}'
t_eq "capacity_num: first fits" "$(C install "$T/small-0.0.1.npk" one)" \
	'{"response":{"install":{"ok":{"container":"small:0.0.1"}}}}'
expect_install "capacity_num: the second is refused" "$T/app-0.0.1.npk" one \
	'max number of containers reached'
expect_install "capacity_size: refused" "$T/app-0.0.1.npk" tiny 'size limit reached'
t_eq "capacity failures leave no file" "$(ls -A "$T/tiny")" ""
r=$(C install "$T/app-0.0.1.npk" default --size 20000000)
case $r in
*"connection closed"* | *"Broken pipe"* | *"reset by peer"*) t_ok "install larger than max_npk_install_size: connection closed" ;;
*) t_fail "install larger than max_npk_install_size: connection closed" "$r" ;;
esac
t_eq "the daemon still answers" "$(C ident)" '{"response":{"ident":"extern:0.0.0"}}'
t0=$(date +%s)
t_eq "a stalled NPK stream is closed after npk_stream_timeout" \
	"$(printf '{"request":{"install":{"repository":"default","size":100000}}}\nPK' |
		$NSD_CLIENT -u "unix://$T/console" -t 8 raw)" '{"connect_ack":null}
<closed>'
t_run "stalled stream: closed well before the client gave up" test $(($(date +%s) - t0)) -lt 7
python3 -c 'import socket,sys
s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(b"{\"connect\":{\"version\":\"0.9.3\",\"subscribe_notifications\":false}}\n")
s.recv(100)
s.sendall(b"{\"request\":{\"install\":{\"repository\":\"default\",\"size\":100000}}}\n" + b"PK" * 20000)
s.close()' "$T/console"
wait_until 10 '[ "$(find "$T/repo" -name ".install-*" | wc -l)" = 0 ]'
t_eq "client gone in the middle of the NPK: no temporary file left" \
	"$(find "$T/repo" -name '.install-*' | wc -l)" 0
t_eq "... and the daemon carries on" "$(C ident)" '{"response":{"ident":"extern:0.0.0"}}'
t_eq "no temporary file left" "$(find "$T/repo" "$T/tiny" -name '.install-*' | wc -l)" 0

# --- verity: userspace catches a tampered image at mount ------------------------------
C uninstall small:0.0.1 >/dev/null
C uninstall app:0.0.1 >/dev/null
t_eq "tampered image: the install checks signature and hashes only" \
	"$(C install "$T/tampered-image.npk" mem)" \
	'{"response":{"install":{"ok":{"container":"app:0.0.1"}}}}'
r=$(C start app:0.0.1)
case $r in
*"image check (verity: userspace)"*"data block"*) t_ok "tampered image: the mount is refused, the block named" ;;
*) t_fail "tampered image: the mount is refused, the block named" "$r" ;;
esac
t_eq "tampered image: nothing mounted" "$(leaks)" "$before"
C uninstall app:0.0.1 >/dev/null

# --- a keyed repository with dm-verity on a kernel without device-mapper ---------------
if [ -e /sys/class/misc/device-mapper ]; then
	t_skip "verity: kernel without device-mapper" "this kernel has device-mapper"
else
	t_eq "keyed kernel repository: install (signature checked)" \
		"$(C install "$T/app-0.0.1.npk" kernel)" \
		'{"response":{"install":{"ok":{"container":"app:0.0.1"}}}}'
	r=$(C start app:0.0.1)
	case $r in
	*device-mapper*) t_ok "start: a clear error naming device-mapper" ;;
	*) t_fail "start: a clear error naming device-mapper" "$r" ;;
	esac
	r=$(C mount app:0.0.1)
	case $r in
	*device-mapper*) t_ok "mount: the same error" ;;
	*) t_fail "mount: the same error" "$r" ;;
	esac
	t_eq "no mount or loop device left" "$(leaks)" "$before"
	C uninstall app:0.0.1 >/dev/null
fi

# --- restart: fs containers stay, mem ones go; stale and invalid files -------------------
C install "$T/app-0.0.1.npk" default >/dev/null
C install "$T/small-0.0.1.npk" mem >/dev/null
daemon_stop
t_eq "shutdown: exit 0" "$?" 0
: >"$T/repo/.install-0123456789abcdef"
cp "$T/truncated.npk" "$T/repo/junk.npk"
daemon_start || t_fail "restart" "$(tail "$T/log")"
t_eq "restart: the fs container is back, the mem one gone" "$(C list)" \
	'{"response":{"list":["app:0.0.1"]}}'
t_run "restart: stale temporary file removed" test ! -e "$T/repo/.install-0123456789abcdef"
t_run "restart: removal logged" grep -q "removed the stale temporary file" "$T/log"
t_run "restart: the invalid file is skipped and reported" grep -q "skipping junk.npk" "$T/log"
t_run "restart: the invalid file stays (not ours to delete)" test -f "$T/repo/junk.npk"
rm -f "$T/repo/junk.npk"
t_eq "restart: the container runs" "$(C run app:0.0.1)" '{"exit":{"code":0}}'

# --- uninstall and wipe ------------------------------------------------------------------
t_run "persist dir exists" test -d "$T/data/app"
C uninstall app:0.0.1 >/dev/null
t_run "uninstall without wipe keeps the data" test -d "$T/data/app"
C install "$T/app-0.0.1.npk" default >/dev/null
C run app:0.0.1 >/dev/null
t_eq "uninstall with wipe" "$(C uninstall --wipe app:0.0.1)" \
	'{"response":{"uninstall":{"ok":{"container":"app:0.0.1"}}}}'
t_run "wipe removed the data" test ! -e "$T/data/app"
t_run "wipe logged" grep -q "Wiping persistent data dir $T/data/app of app:0.0.1" "$T/log"
t_eq "everything gone" "$(ls -A "$T/repo")" ""
t_eq "nothing left behind" "$(leaks)" "$before"
daemon_stop
t_eq "no loop device left" "$(our_loops)" 0
t_done
