#!/bin/sh
# docs/sextant.md holds each command's --help verbatim.
. "$(dirname "$0")/../lib.sh"
doc="$NS_TOP/docs/sextant.md"
for c in "" pack verify inspect unpack gen-key; do
	title="## sextant${c:+ $c}"
	want=$(awk -v t="$title" '$0 == t { f = 1; next } f && /^```$/ { if (in_) exit; in_ = 1; next } f && in_' "$doc")
	got=$("$NS_BIN" sextant $c --help)
	t_eq "docs/sextant.md has 'sextant${c:+ $c} --help'" "$got" "$want"
done
t_done
