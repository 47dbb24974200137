#!/bin/sh
# The multicall binary: static linking, dispatch, --help/--version, install layout.
. "$(dirname "$0")/../lib.sh"

t_expect "static: no program interpreter" 1 "" sh -c "readelf -lW '$NS_BIN' | grep -q INTERP"
t_expect "static: no shared library" 1 "" sh -c "readelf -dW '$NS_BIN' | grep -q NEEDED"
t_expect "static-pie: position independent" 0 "DYN" readelf -hW "$NS_BIN"
t_expect "--list names every applet" 0 "sextant" "$NS_BIN" --list
for a in northstard nstar sextant ns-init; do
	t_expect "--list has $a" 0 "$a" "$NS_BIN" --list
	t_expect "$a --help through a link" 0 "usage: $a" "$NS_BUILD/bin/$a" --help
	t_expect "$a --version through a link" 0 "$a (northstar)" "$NS_BUILD/bin/$a" --version
	t_expect "northstar $a --help" 0 "usage: $a" "$NS_BIN" "$a" --help
done
t_expect "unknown applet argument: exit 2" 2 "unknown applet 'bogus'" "$NS_BIN" bogus
tmp=$(mktemp -d)
ln -s "$NS_BIN" "$tmp/frobnicate"
t_expect "unknown applet link: exit 2" 2 "unknown applet 'frobnicate'" "$tmp/frobnicate"
t_expect "no arguments: usage, exit 2" 2 "usage: northstar" "$NS_BIN"
t_expect "northstar --version" 0 "northstar 0." "$NS_BIN" --version

make -s -C "$NS_TOP" BUILD="$NS_MAKE_BUILD" install DESTDIR="$tmp/root" PREFIX=/usr >/dev/null 2>&1
t_run "make install puts the binary in PREFIX/bin" test -x "$tmp/root/usr/bin/northstar"
for a in nstar sextant; do
	t_eq "make install links $a" "$(readlink "$tmp/root/usr/bin/$a")" northstar
done
for a in northstard ns-init; do # run by root: in sbin
	t_eq "make install links $a" "$(readlink "$tmp/root/usr/sbin/$a")" ../bin/northstar
done
# mk/musl.mk, included first, defines targets of its own: the default goal stays "all"
# (a plain make once built musl's libraries into build/ and the binary against them)
t_eq "a plain make builds the binary, nothing else" \
	"$(make -n -C "$NS_TOP" BUILD="$NS_MAKE_BUILD" 2>&1 | grep -c 'musl')" 0
t_expect "make size prints the stripped size" 0 "bytes" make -s -C "$NS_TOP" BUILD="$NS_MAKE_BUILD" size
rm -rf "$tmp"
t_done
