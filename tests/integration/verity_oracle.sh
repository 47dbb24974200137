#!/bin/sh
# Outside tools as oracles for libns's NPK code: veritysetup for the hash tree and
# superblock (byte-identical files), unzip and Python's zipfile for the zips we write.
. "$(dirname "$0")/../lib.sh"

TOOL=$NS_BUILD/tests/helpers/npktool
SALT=7d4342e389cd8170072d595950576be3e9b075150ee53955dfe6c9b1decd7d5b
UUID=4e49fa0c-4608-4996-99ae-50ae78103a53
KEY=$NS_TOP/tests/fixtures/northstar.key
PUB=$NS_TOP/tests/fixtures/northstar.pub
mkdir -p "$NS_BUILD/tmp"
tmp=$(mktemp -d "$NS_BUILD/tmp/verity_oracle.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

if [ ! -x "$TOOL" ]; then
	t_fail "npktool helper is built" "missing $TOOL (make helpers)"
	t_done
	exit 1
fi

# --- the hash tree against veritysetup format --------------------------------------
if command -v veritysetup >/dev/null 2>&1; then
	head -c $((16385 * 4096)) /dev/urandom >"$tmp/random"
	for n in 1 2 127 128 129 300 16385; do
		d=$((n * 4096))
		head -c "$d" "$tmp/random" >"$tmp/ours"
		cp "$tmp/ours" "$tmp/theirs"
		ours=$("$TOOL" verity-format "$tmp/ours" "$tmp/ours" "$d" "$d" "$SALT" "$UUID")
		theirs=$(veritysetup format --hash-offset="$d" --data-blocks="$n" --salt="$SALT" \
			--uuid="$UUID" "$tmp/theirs" "$tmp/theirs" | sed -n 's/^Root hash:[[:space:]]*//p')
		t_eq "$n blocks: root hash equals veritysetup's" "$ours" "$theirs"
		t_run "$n blocks: file byte-identical to veritysetup format" cmp "$tmp/ours" "$tmp/theirs"
		t_run "$n blocks: veritysetup verify accepts ours" \
			veritysetup verify --hash-offset="$d" "$tmp/ours" "$tmp/ours" "$ours"
	done
	# A separate hash file, as veritysetup formats by default.
	head -c $((300 * 4096)) "$tmp/random" >"$tmp/data"
	ours=$("$TOOL" verity-format "$tmp/data" "$tmp/hash.ours" 0 $((300 * 4096)) "$SALT" "$UUID")
	veritysetup format --salt="$SALT" --uuid="$UUID" "$tmp/data" "$tmp/hash.theirs" >/dev/null
	t_run "separate hash file byte-identical to veritysetup format" \
		cmp "$tmp/hash.ours" "$tmp/hash.theirs"
	rm -f "$tmp/random" "$tmp/ours" "$tmp/theirs"
else
	t_skip "veritysetup oracle" "veritysetup (cryptsetup-bin) is not installed"
fi

# --- NPKs we write, read by other tools ---------------------------------------------
if command -v mksquashfs >/dev/null 2>&1; then
	mkdir -p "$tmp/root/bin" "$tmp/root/etc"
	echo "hello" >"$tmp/root/etc/hosts"
	head -c 300000 /dev/urandom >"$tmp/root/bin/blob"
	mksquashfs "$tmp/root" "$tmp/fs.sq" -noappend -quiet -no-progress >/dev/null
	printf 'name: hello\nversion: 0.0.2\ninit: /hello\nuid: 100\ngid: 1\n' >"$tmp/manifest.yaml"
	t_run "pack signed" "$TOOL" pack -k "$KEY" -s "$SALT" -u "$UUID" "$tmp/fs.sq" \
		"$tmp/manifest.yaml" "$tmp/signed.npk"
	t_run "pack unsigned" "$TOOL" pack "$tmp/fs.sq" "$tmp/manifest.yaml" "$tmp/unsigned.npk"
	for npk in signed unsigned; do
		f=$tmp/$npk.npk
		if command -v unzip >/dev/null 2>&1; then
			t_expect "$npk: unzip -t" 0 "No errors detected" unzip -t "$f"
		else
			t_skip "$npk: unzip -t" "unzip is not installed"
		fi
		if command -v python3 >/dev/null 2>&1; then
			t_expect "$npk: Python zipfile testzip" 0 "ok" python3 -c "
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None
assert all(i.compress_type == zipfile.ZIP_STORED for i in z.infolist())
assert z.comment == b'version: 0.9.3\n', z.comment
print('ok', [i.filename for i in z.infolist()])" "$f"
		else
			t_skip "$npk: Python zipfile testzip" "python3 is not installed"
		fi
	done
	t_expect "signed: verify with the key" 0 "OK" "$TOOL" verify -p "$PUB" "$tmp/signed.npk"
	info=$("$TOOL" info -p "$PUB" "$tmp/signed.npk")
	off=$(printf '%s\n' "$info" | sed -n 's/^verity_offset: //p')
	root=$(printf '%s\n' "$info" | sed -n 's/^root_hash: //p')
	mkdir "$tmp/x"
	t_run "signed: extract" "$TOOL" extract "$tmp/signed.npk" "$tmp/x"
	t_run "signed: squashfs part is the image, zero-padded" sh -c \
		"head -c $off '$tmp/x/fs.img' | cmp -n \$(stat -c %s '$tmp/fs.sq') - '$tmp/fs.sq'"
	if command -v veritysetup >/dev/null 2>&1; then
		t_run "signed: veritysetup verify accepts fs.img" \
			veritysetup verify --hash-offset="$off" "$tmp/x/fs.img" "$tmp/x/fs.img" "$root"
	fi
	if command -v unsquashfs >/dev/null 2>&1; then
		t_expect "signed: unsquashfs reads fs.img" 0 "etc/hosts" unsquashfs -l "$tmp/x/fs.img"
	fi
	# tests/npk_ref.py: an independent packer and checker written from the spec.
	if python3 -c 'import cryptography' 2>/dev/null; then
		REF="python3 $NS_TOP/tests/npk_ref.py"
		t_expect "npk_ref.py check accepts our signed NPK" 0 "ok" \
			$REF check --pub "$PUB" "$tmp/signed.npk"
		t_expect "npk_ref.py check accepts our unsigned NPK" 0 "ok" \
			$REF check "$tmp/unsigned.npk"
		$REF pack --manifest "$tmp/manifest.yaml" --image "$tmp/fs.sq" --key "$KEY" \
			--salt "$SALT" --out "$tmp/ref-signed.npk"
		$REF pack --manifest "$tmp/manifest.yaml" --image "$tmp/fs.sq" \
			--out "$tmp/ref-unsigned.npk"
		t_expect "we verify npk_ref.py's signed NPK" 0 "OK" \
			"$TOOL" verify -p "$PUB" "$tmp/ref-signed.npk"
		t_expect "we verify npk_ref.py's unsigned NPK" 0 "OK" \
			"$TOOL" verify "$tmp/ref-unsigned.npk"
		t_eq "npk_ref.py's signed NPK has our root hash" \
			"$("$TOOL" info -p "$PUB" "$tmp/ref-signed.npk" | sed -n 's/^root_hash: //p')" \
			"$root"
	else
		t_skip "npk_ref.py in both directions" "python3-cryptography is not installed"
	fi
	# The same salt and UUID give the same bytes.
	"$TOOL" pack -k "$KEY" -s "$SALT" -u "$UUID" "$tmp/fs.sq" "$tmp/manifest.yaml" \
		"$tmp/again.npk"
	t_run "signed: reproducible with fixed salt and UUID" cmp "$tmp/signed.npk" "$tmp/again.npk"
else
	t_skip "NPKs read by unzip and zipfile" "mksquashfs (squashfs-tools) is not installed"
fi

# --- the Northstar-packed fixture ------------------------------------------------------
t_expect "Northstar fixture verifies with its key" 0 "OK" "$TOOL" verify -p "$PUB" \
	"$NS_TOP/tests/fixtures/message-0.0.1.npk"
t_done
