#!/bin/sh
# Host side of daemon.test.sh: a key pair and two signed NPKs (the second with a flipped
# bit in its image) for northstard's dm-verity path, in the guest at /images/daemon.
set -eu
D=$VM_ROOT/images/daemon
rm -rf "$D"
mkdir -p "$D/root/bin" "$D/repo"
cp "${VM_BUSYBOX:-$(command -v busybox)}" "$D/root/bin/busybox"
ln -s busybox "$D/root/bin/sh"
"${NS_HOST_BIN:-$NS_BUILD/northstar}" sextant gen-key -n test -o "$D" >/dev/null
for n in app bad; do
	printf 'name: %s\nversion: 0.0.1\ninit: /bin/sh\nargs: [-c, "echo hello from dm-verity"]\nuid: 1000\ngid: 1000\nio:\n  stdout: pipe\n  stderr: pipe\n' \
		"$n" >"$D/$n.yaml"
	"${NS_HOST_BIN:-$NS_BUILD/northstar}" sextant pack -m "$D/$n.yaml" -r "$D/root" -k "$D/test.key" \
		-o "$D/$n.npk" >/dev/null
done
rm -rf "$D/root"
cp "$D/app.npk" "$D/repo/app:0.0.1.npk"
python3 "$NS_TOP/tests/npk_tamper.py" "$D/bad.npk" "$D/repo/bad:0.0.1.npk" squashfs
rm -f "$D/test.key" "$D"/*.npk "$D"/*.yaml
