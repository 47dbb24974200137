#!/bin/sh
# Static linking, probed and checked.
#   linkprobe.sh CC [FLAGS...]   prints "static-pie" when CC links a static PIE (its
#                                toolchain has rcrt1.o and the result needs no loader),
#                                "static" when only -static works; fails otherwise
#   linkprobe.sh --check FILE    fails, naming FILE, when FILE is dynamically linked (a
#                                program interpreter or a needed shared library)
set -u

# is_static FILE: no PT_INTERP, no DT_NEEDED. readelf reads every ELF machine.
is_static() {
	h=$(readelf -lW "$1" 2>/dev/null) || return 2
	printf '%s\n' "$h" | grep -q 'INTERP' && return 1
	readelf -dW "$1" 2>/dev/null | grep -q '(NEEDED)' && return 1
	return 0
}

if [ "${1:-}" = --check ]; then
	[ $# -eq 2 ] || { echo "usage: linkprobe.sh --check FILE" >&2; exit 2; }
	is_static "$2"
	case $? in
	0) exit 0 ;;
	1) echo "linkprobe: $2 is linked dynamically (it must be static)" >&2 ;;
	*) echo "linkprobe: $2: readelf cannot read it (is binutils installed?)" >&2 ;;
	esac
	rm -f "$2"
	exit 1
fi

[ $# -ge 1 ] || { echo "usage: linkprobe.sh CC [FLAGS...]" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'int main(void) { return 0; }\n' >"$tmp/p.c"
for mode in static-pie static; do
	if "$@" -fPIE "-$mode" -o "$tmp/p" "$tmp/p.c" >/dev/null 2>&1 && is_static "$tmp/p"; then
		echo "$mode"
		exit 0
	fi
done
echo "linkprobe: $* links neither -static-pie nor -static" >&2
exit 1
