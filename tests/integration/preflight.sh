#!/bin/sh
# northstard --check, the preflight: every rule start-up applies, one line per check
# (`ok|warn|fail  WHAT: detail`, the fix in the detail), exit status 0 when nothing
# failed. A good configuration passes; a missing key, a world-writable data_dir, no
# device-mapper without `verity: userspace`, a console address that cannot be bound and
# the shipped config/northstar.yaml (its key is not installed) fail, each with its fix.
. "$(dirname "$0")/../lib.sh"
. "$NS_TOP/tests/daemon_lib.sh"
daemon_init

check() {
	"$NS_BIN" northstard -c "$T/bad.yaml" --check
}

write_config
t_expect "a good configuration passes" 0 "$T/northstar.yaml: ok" \
	"$NS_BIN" northstard -c "$T/northstar.yaml" --check
out=$("$NS_BIN" northstard -c "$T/northstar.yaml" --check 2>&1)
t_eq "every line is ok, warn or fail, then the summary" \
	"$(printf '%s\n' "$out" | grep -cvE '^(ok    |warn  |fail  )[^:]+: |: ok')" 0
for what in "config" "repository default: key" "run_dir" "data_dir" "socket_dir" \
	"repository default: dir" "device-mapper" "root" "namespaces" "seccomp" "loop" \
	"squashfs" "cgroups" "console"; do
	printf '%s\n' "$out" | grep -qE "^(ok|warn|fail) +$what: " || unchecked="$unchecked $what;"
done
t_eq "each rule is checked: keys, directories, device-mapper, root, kernel, cgroups, console" \
	"${unchecked:-}" ""
t_run "nothing was started or made" sh -c "[ ! -e '$T/run' ] && [ ! -e '$T/data' ]"

# --- a missing key file -----------------------------------------------------------------
sed "s|key: $T/test.pub|key: $T/keys/missing.pub|" "$T/northstar.yaml" >"$T/bad.yaml"
t_expect "a missing key fails" 1 "fail  repository default: key: " check
t_expect "... naming the file" 1 "$T/keys/missing.pub" check
t_expect "... with the command that makes it" 1 "sextant gen-key -n missing -o $T/keys" check
t_expect "... and the summary counts both repositories" 1 "$T/bad.yaml: 2 failed" check

# --- a world-writable data_dir ----------------------------------------------------------
cp "$T/northstar.yaml" "$T/bad.yaml"
mkdir -p "$T/data"
chmod 0777 "$T/data"
t_expect "a world-writable data_dir fails" 1 "fail  data_dir: $T/data is writable by others" check
t_expect "... with the fix" 1 "chmod go-w $T/data" check
chmod 0700 "$T/data"
t_expect "... and passes once fixed" 0 "$T/bad.yaml: ok" check

# --- device-mapper missing, verity not userspace ----------------------------------------
sed '/^  default:/,/^  mem:/s/^    verity: userspace$//' "$T/northstar.yaml" >"$T/bad.yaml"
dm_hidden() { # /dev/mapper hidden in a mount namespace of the check's own
	unshare -m --propagation private sh -c 'mount -t tmpfs none /dev/mapper && exec "$@"' sh "$@"
}
dm_as_is() { "$@"; }
if [ ! -e /dev/mapper/control ]; then
	DM=dm_as_is
elif command -v unshare >/dev/null; then
	DM=dm_hidden
else
	DM=""
fi
if [ -n "$DM" ]; then
	t_expect "no device-mapper and dm-verity: fails" 1 \
		"fail  device-mapper: /dev/mapper/control is missing, and repositories default verify with dm-verity" \
		$DM "$NS_BIN" northstard -c "$T/bad.yaml" --check
	t_expect "... naming verity: userspace as the fix" 1 \
		"set \`verity: userspace\` on these repositories" $DM "$NS_BIN" northstard -c "$T/bad.yaml" --check
else
	t_skip "no device-mapper and dm-verity: fails" "device-mapper is present and unshare is missing"
fi

# --- a console address that cannot be bound ----------------------------------------------
sed "s|bind: unix://$T/console|bind: unix://$T/nodir/console|" "$T/northstar.yaml" >"$T/bad.yaml"
t_expect "a unix console in a missing directory fails" 1 \
	"fail  console: unix://$T/nodir/console: the directory $T/nodir does not exist" check
t_expect "... with the fix" 1 "mkdir -p $T/nodir" check
sed "s|bind: unix://$T/console|bind: tcp://192.0.2.1:4200\n    allow_remote: true|" \
	"$T/northstar.yaml" >"$T/bad.yaml"
t_expect "a TCP address of no interface here fails" 1 "fail  console: tcp://192.0.2.1:4200 cannot be bound" check
t_expect "... with the fix" 1 "an address of this host" check

# --- what --check did before stays ---------------------------------------------------------
printf 'run_dir: /x\ndata_dir: /y\nsocket_dir: /z\ncgroup: c\nbogus: 1\n' >"$T/bad.yaml"
t_expect "a configuration error keeps file:line:column" 1 "fail  config: $T/bad.yaml:5:1" check

# --- the shipped configuration -----------------------------------------------------------
if [ -e /etc/northstar/northstar.pub ]; then
	t_skip "config/northstar.yaml: its missing key fails" "/etc/northstar/northstar.pub exists here"
else
	t_expect "config/northstar.yaml: its missing key fails" 1 \
		"fail  repository default: key: open public key '/etc/northstar/northstar.pub'" \
		"$NS_BIN" northstard -c "$NS_TOP/config/northstar.yaml" --check
	t_expect "... with the commands that make it" 1 \
		"mkdir -p /etc/northstar; sextant gen-key -n northstar -o /etc/northstar" \
		"$NS_BIN" northstard -c "$NS_TOP/config/northstar.yaml" --check
fi
t_done
