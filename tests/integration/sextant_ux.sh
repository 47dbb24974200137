#!/bin/sh
# sextant as a new user meets it: gen-key makes its output directory, and pack warns
# (one line on stderr, naming the manifest, the init and the root) when the manifest's
# init cannot be in the container, without refusing to pack.
. "$(dirname "$0")/../lib.sh"
S="$NS_BUILD/bin/sextant"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1

# --- gen-key -o DIR ----------------------------------------------------------------
out=$("$S" gen-key -n me -o keys 2>&1)
t_eq "gen-key: a missing DIR is created, and said so" "$out" "created keys (mode 0700)
wrote keys/me.key and keys/me.pub"
t_eq "gen-key: the new DIR is 0700" "$(stat -c %a keys)" 700
t_eq "gen-key: both files in it" "$(ls keys | tr '\n' ' ')" "me.key me.pub "
out=$(umask 0 && "$S" gen-key -n me -o deep/er/keys 2>&1)
t_eq "gen-key: missing parents too" "$(printf '%s\n' "$out" | head -n 1)" \
	"created deep/er/keys (mode 0700)"
t_eq "gen-key: 0700 whatever the umask" "$(stat -c %a deep/er/keys)" 700
out=$("$S" gen-key -n other -o keys 2>&1)
t_eq "gen-key: an existing DIR is used as it is, without a word about it" "$out" \
	"wrote keys/other.key and keys/other.pub"
chmod 0755 keys
"$S" gen-key -n third -o keys >/dev/null 2>&1
t_eq "gen-key: an existing DIR keeps its mode" "$(stat -c %a keys)" 755
: >afile
t_expect "gen-key: DIR is a file: refused, naming it" 1 "afile" "$S" gen-key -n me -o afile
t_run "gen-key: nothing made beside the file" test ! -e afile/me.key

# --- pack: is init in the root? -----------------------------------------------------
manifest() { # FILE INIT [EXTRA YAML LINE...]
	f=$1 init=$2
	shift 2
	{
		printf 'name: app\nversion: 0.1.0\n'
		[ -n "$init" ] && printf 'init: %s\n' "$init"
		printf 'uid: 1000\ngid: 1000\n'
		for l in "$@"; do printf '%s\n' "$l"; done
	} >"$f"
}
# pack_err NAME MANIFEST [ARGS...]: packs into out/, prints stderr; the status must be 0
pack_err() {
	rm -rf out && mkdir out
	"$S" pack -m "$@" -o out 2>err >outp
	pe_rc=$?
	[ $pe_rc = 0 ] || echo "exit status $pe_rc: $(cat outp)"
	cat err
}
mkdir -p root/bin root/empty
printf '#!/bin/sh\necho hi\n' >root/bin/app
chmod 755 root/bin/app
printf 'data\n' >root/bin/data
ln -s bin/app root/app-link
ln -s ../bin root/empty/via

manifest ok.yaml /bin/app
t_eq "pack: init in the root: no warning" "$(pack_err ok.yaml -r root)" ""
t_eq "pack: and the NPK is written" "$(cat outp)" "wrote out/app-0.1.0.npk"

manifest missing.yaml /bin/nope
t_eq "pack: init missing from the root: one warning line naming manifest, init and root" \
	"$(pack_err missing.yaml -r root)" \
	"sextant pack: warning: missing.yaml: init '/bin/nope' is not a file in root 'root' and no mount of the manifest provides it: the container cannot start"
t_run "pack: a warning only: the NPK is written" test -f out/app-0.1.0.npk
t_eq "pack: stdout is as without the warning" "$(cat outp)" "wrote out/app-0.1.0.npk"

manifest nokey.yaml /bin/nope
"$S" gen-key -n k -o . >/dev/null
t_eq "pack: the same warning when signing" \
	"$(pack_err nokey.yaml -r root -k k.key | cut -d: -f1-3)" \
	"sextant pack: warning: nokey.yaml"

manifest noroot.yaml /bin/app
t_eq "pack: no --root: the init cannot be packed" "$(pack_err noroot.yaml)" \
	"sextant pack: warning: noroot.yaml: init '/bin/app' is not packed: no --root given and no mount of the manifest provides it"

manifest bound.yaml /bin/sh "mounts:" "  /bin: {type: bind, host: /bin}"
t_eq "pack: init below a bind mount: no warning" "$(pack_err bound.yaml -r root)" ""
t_eq "pack: ... also without a root" "$(pack_err bound.yaml)" ""
manifest res.yaml /res/bin/tool "mounts:" \
	"  /res: {type: resource, name: tools, version: '>=0.1.0', dir: /}"
t_eq "pack: init below a resource mount: no warning" "$(pack_err res.yaml -r root)" ""
manifest near.yaml /binx/app "mounts:" "  /bin: {type: bind, host: /bin}"
out=$(pack_err near.yaml -r root)
t_run "pack: a mount covers whole components only (/bin does not cover /binx)" \
	sh -c "printf '%s' \"\$1\" | grep -qF \"init '/binx/app' is not a file\"" - "$out"

manifest dir.yaml /bin
t_eq "pack: init is a directory" "$(pack_err dir.yaml -r root)" \
	"sextant pack: warning: dir.yaml: init '/bin' in root 'root' is not a regular file"
manifest noexec.yaml /bin/data
t_eq "pack: init not executable: the mode shown" "$(pack_err noexec.yaml -r root)" \
	"sextant pack: warning: noexec.yaml: init '/bin/data' in root 'root' is not executable (mode 0644)"
manifest link.yaml /app-link
t_eq "pack: init a symlink: left to the container's view, no warning" \
	"$(pack_err link.yaml -r root)" ""
manifest via.yaml /empty/via/app
t_eq "pack: a symlink on the way: no warning" "$(pack_err via.yaml -r root)" ""
manifest resource.yaml ""
t_eq "pack: a resource (no init): no warning" "$(pack_err resource.yaml -r root)" ""

# --- docs/manifest.md's minimal manifest ------------------------------------------------
awk '/^## A minimal manifest/ { on = 1; next } on && /^```yaml$/ { f = 1; next }
	f && /^```$/ { exit } f { print }' "$NS_TOP/docs/manifest.md" >minimal.yaml
t_run "docs/manifest.md begins with a minimal manifest" grep -q '^init: /hello' minimal.yaml
mkdir -p minroot
cp root/bin/app minroot/hello
t_eq "the minimal manifest packs without a warning" "$(pack_err minimal.yaml -r minroot)" ""
t_eq "... into hello-0.1.0.npk" "$(cat outp)" "wrote out/hello-0.1.0.npk"

# --- inspect: Northstar's layout, line for line --------------------------------------
# (manifest, a line break, two empty lines; the signature the same way or one line
# "No signature found"; unsquashfs -ll's listing as it names it, then an empty line)
layout() { # NPK: the lines as a shape, texts and listing folded
	"$S" inspect "$1" | python3 -c '
import sys
t = sys.stdin.read()
head, man = t.split("## manifest.yaml\n", 1)
man, rest = man.split("\n\n\n\n", 1)  # the text ends a line, println adds one, then two empty lines
sig, listing = rest.split("## SquashFS listing\n", 1)
if sig.startswith("## signature.yaml\n"):
    body, after = sig[len("## signature.yaml\n"):].split("\n\n\n", 1)
    sig = "signature " + ("ok" if "signature: " in body else "?") + ("" if after == "" else " +" + repr(after))
else:
    sig = repr(sig)
lines = listing.split("\n")
prefix = all(l.split()[-1].startswith("squashfs-root") for l in lines[:-2] if l)
print(head.count("\n"), sig, "listing:", prefix and "squashfs-root" or "other", repr(lines[-2:]))'
}
"$S" pack -m minimal.yaml -r minroot -o unsigned.npk >/dev/null 2>&1
t_eq "inspect, unsigned: no signature heading, one line instead" "$(layout unsigned.npk)" \
	"5 'No signature found\\n' listing: squashfs-root ['', '']"
"$S" pack -m minimal.yaml -r minroot -k keys/me.key -o signed.npk >/dev/null 2>&1
t_eq "inspect, signed: the signature as the manifest" "$(layout signed.npk)" \
	"6 signature ok listing: squashfs-root ['', '']"
t_done
