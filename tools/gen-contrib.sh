#!/bin/sh
# Regenerates the files 'make install' ships that come from the binary itself:
#   contrib/man/*.1, *.8        each applet's --help rendered by help2man
#   contrib/completion/*        nstar's bash, zsh and fish completion scripts
# They are kept in the repository so that an install from a cross build (whose binary
# cannot run on the build machine) has them too; tests/integration/install.sh checks
# that they match the binary. Run through 'make contrib'.
#   tools/gen-contrib.sh BINDIR OUTDIR    BINDIR holds the applet links (build/bin)
set -eu
bindir=$1 out=$2
command -v help2man >/dev/null || {
	echo "gen-contrib: help2man is missing (Debian package help2man, 'make deps')" >&2
	exit 1
}
mkdir -p "$out/man" "$out/completion"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# man APPLET SECTION SUMMARY [INCLUDE]: the page, without the generation date (.TH's
# third field) so that the file changes only when the help does.
man() {
	help2man -N -s "$2" -n "$3" ${4:+-i "$4"} -o "$tmp/page" "$bindir/$1"
	sed '/^\.TH /s/^\(\.TH [^ ]* "[^"]*"\) "[^"]*"/\1 ""/' "$tmp/page" >"$out/man/$1.$2"
}

# nstar's and sextant's commands each have their own help: one subsection per command,
# in roff's no-fill mode (a leading dot or quote escaped).
commands() { # APPLET SEEALSO
	echo '[COMMANDS]'
	"$bindir/$1" --help | sed -n '/^Commands:/,/^$/p' | sed -n 's/^  \([a-z-]*\).*/\1/p' |
		while read -r c; do
			[ "$c" = help ] && continue
			printf '.SS %s\n.nf\n' "$c"
			"$bindir/$1" "$c" --help | sed 's/\\/\\\\/g; s/^\./\\\&./; s/^'"'"'/\\\&'"'"'/'
			printf '.fi\n'
		done
	printf '[SEE ALSO]\n%s\n' "$2"
}
commands nstar "northstard(8), sextant(1); docs/nstar.md in the source." >"$tmp/nstar.h2m"
commands sextant "northstard(8); docs/sextant.md and docs/npk.md in the source." >"$tmp/sextant.h2m"
printf '[SEE ALSO]\nnstar(1), sextant(1), ns-init(8); docs/config.md and docs/runtime.md in the source.\n' \
	>"$tmp/northstard.h2m"
printf '[SEE ALSO]\nnorthstard(8); docs/runtime.md in the source.\n' >"$tmp/ns-init.h2m"

man northstard 8 "the Northstar container runtime daemon" "$tmp/northstard.h2m"
man ns-init 8 "PID 1 of a Northstar container" "$tmp/ns-init.h2m"
man nstar 1 "command-line client of the Northstar console" "$tmp/nstar.h2m"
man sextant 1 "pack, unpack, inspect and verify Northstar NPKs" "$tmp/sextant.h2m"

"$bindir/nstar" completion -s bash -o "$out/completion/nstar.bash"
"$bindir/nstar" completion -s zsh -o "$out/completion/_nstar"
"$bindir/nstar" completion -s fish -o "$out/completion/nstar.fish"
