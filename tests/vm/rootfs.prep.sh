#!/bin/sh
# Host side of rootfs.test.sh: a key pair's public half and a signed NPK holding busybox
# and tests/helpers/climb, in the guest at /images/rootfs.
set -eu
D=$VM_ROOT/images/rootfs
rm -rf "$D"
mkdir -p "$D/root/bin" "$D/root/x" "$D/repo"
cp "${VM_BUSYBOX:-$(command -v busybox)}" "$D/root/bin/busybox"
ln -s busybox "$D/root/bin/sh"
cp "$NS_BUILD/tests/helpers/climb" "$D/root/bin/climb"
"${NS_HOST_BIN:-$NS_BUILD/northstar}" sextant gen-key -n test -o "$D" >/dev/null
for n in climber nocap; do
	caps=
	[ $n = climber ] && caps='capabilities: [CAP_SYS_CHROOT]'
	printf 'name: %s\nversion: 0.0.1\ninit: /bin/sh\nargs: [-c, "echo %s: $(/bin/climb /x)"]\nuid: 1000\ngid: 1000\n%s\nio:\n  stdout: pipe\n  stderr: pipe\n' \
		"$n" "$n" "$caps" >"$D/$n.yaml"
	"${NS_HOST_BIN:-$NS_BUILD/northstar}" sextant pack -m "$D/$n.yaml" -r "$D/root" -k "$D/test.key" \
		-o "$D/repo/$n:0.0.1.npk" >/dev/null
done
rm -rf "$D/root" "$D/test.key" "$D"/*.yaml
