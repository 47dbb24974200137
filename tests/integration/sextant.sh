#!/bin/sh
# sextant end to end: gen-key, pack, verify, inspect, unpack, against outside oracles
# (veritysetup, unzip, Python's zipfile, an independent packer written from the spec).
. "$(dirname "$0")/../lib.sh"
PY=/usr/bin/python3
REF="$NS_TOP/tests/npk_ref.py"
TAMPER="$NS_TOP/tests/npk_tamper.py"
S="$NS_BUILD/bin/sextant"
FIX="$NS_TOP/tests/fixtures"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1

# --- command lines -----------------------------------------------------------------
t_expect "no command: usage error" 2 "missing command" "$S"
t_expect "unknown command: usage error" 2 "unknown command 'frob'" "$S" frob
t_expect "pack without --out: usage error" 2 "--manifest-path and --out are required" "$S" pack -m x
t_expect "pack: bad compression" 2 "unknown compression 'brotli'" "$S" pack -m x -o y -c brotli
t_expect "pack: xz needs mksquashfs" 2 "compression 'xz' needs --mksquashfs" "$S" pack -m x -o y -c xz
t_expect "pack: bad block size" 2 "--block-size must be a power of two" "$S" pack -m x -o y -b 5000
t_expect "pack: bad salt" 2 "--salt needs 64 hex digits" "$S" pack -m x -o y --salt abc
t_expect "pack: bad SOURCE_DATE_EPOCH" 2 "SOURCE_DATE_EPOCH is not a time" \
	env SOURCE_DATE_EPOCH=yesterday "$S" pack -m x -o y
t_expect "verify: two NPKs" 2 "expected one NPK" "$S" verify a b
t_expect "inspect: --short and --json" 2 "exclude each other" "$S" inspect -s --json a
t_expect "unpack: missing --out" 2 "--npk and --out are required" "$S" unpack -n a
t_expect "gen-key: missing --name" 2 "--name and --out are required" "$S" gen-key -o .
t_expect "pack --help" 0 "usage: sextant pack" "$S" pack --help

# --- keys --------------------------------------------------------------------------
t_expect "gen-key writes a pair" 0 "wrote ./k.key and ./k.pub" "$S" gen-key -n k -o .
t_eq "gen-key: .key is 0600" "$(stat -c %a k.key)" 600
t_eq "gen-key: 32-byte seed and public key" "$(stat -c %s k.key) $(stat -c %s k.pub)" "32 32"
cp k.key k.key.orig
t_expect "gen-key never overwrites" 1 "exists" "$S" gen-key -n k -o .
t_run "gen-key left the old key alone" cmp k.key k.key.orig

# --- a container to pack -----------------------------------------------------------
mkdir -p root/bin root/etc
printf '#!/bin/sh\necho hello\n' >root/bin/hello
chmod 755 root/bin/hello
head -c 1200000 /dev/urandom >root/etc/blob # > 128 blocks: the tree has two levels
cat >m.yaml <<'EOF'
name: hello
version: 0.0.2
init: /bin/hello
uid: 100
gid: 1
env:
  HELLO: north
mounts:
  /dev: {type: dev}
  /proc: {type: proc}
  /data: {type: persist}
  /lib:
    type: bind
    host: /lib
  /tmp:
    type: tmpfs
    size: 20M
EOF
export SOURCE_DATE_EPOCH=1700000000
SALT=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
UUID=12345678-1234-4234-8234-123456789abc
t_expect "pack a signed NPK" 0 "wrote ./hello-0.0.2.npk" \
	"$S" pack -m m.yaml -r root -k k.key -o . --salt $SALT --uuid $UUID
N=hello-0.0.2.npk
t_expect "verify with the key" 0 "signature valid, hashes and verity tree verified" \
	"$S" verify $N --key k.pub
t_expect "verify with another key fails" 1 "invalid signature" \
	"$S" verify $N --key "$FIX/northstar.pub"
t_expect "the independent checker accepts it" 0 "ok" $PY "$REF" check $N --pub k.pub
t_expect "unzip -t accepts it" 0 "No errors detected" unzip -t $N
t_expect "zipfile.testzip accepts it" 0 "None" \
	$PY -c "import zipfile,sys; print(zipfile.ZipFile(sys.argv[1]).testzip())" $N
t_eq "entries in Northstar's order" "$($PY -c "import zipfile,sys; print(' '.join(zipfile.ZipFile(sys.argv[1]).namelist()))" $N)" \
	"manifest.yaml signature.yaml fs.img"

# veritysetup on the bare fs.img, with the signed root hash and offset.
$PY - $N fs.img <<'EOF'
import struct, sys, zipfile
z = zipfile.ZipFile(sys.argv[1]); i = z.getinfo("fs.img"); d = open(sys.argv[1], "rb").read()
n, e = struct.unpack("<HH", d[i.header_offset + 26:i.header_offset + 30])
o = i.header_offset + 30 + n + e
open(sys.argv[2], "wb").write(d[o:o + i.file_size])
EOF
sig=$(unzip -p $N signature.yaml)
root=$(printf '%s\n' "$sig" | sed -n 's/ *verity-hash: //p')
off=$(printf '%s\n' "$sig" | sed -n 's/ *verity-offset: //p')
t_run "veritysetup verify accepts the tree" veritysetup verify fs.img fs.img "$root" --hash-offset="$off"
t_expect "unsquashfs lists the image" 0 "/bin/hello" unsquashfs -lln fs.img
t_expect "the image has the /dev nodes" 0 "crw-rw-rw- 100/1" unsquashfs -lln fs.img
t_expect "the image has the bind mount point, read-only" 0 "dr-xr-xr-x 100/1" unsquashfs -lln fs.img

# --- reproducible ------------------------------------------------------------------
mkdir again
t_run "pack again" "$S" pack -m m.yaml -r root -k k.key -o again --salt $SALT --uuid $UUID
t_run "same input, same bytes" cmp $N again/$N
t_expect "pack with mksquashfs" 0 "wrote" \
	"$S" pack -m m.yaml -r root -k k.key -o mk.npk --mksquashfs mksquashfs
t_expect "the mksquashfs NPK verifies" 0 "verity tree verified" "$S" verify mk.npk --key k.pub

# --- tampering: one flipped bit, zip CRCs repaired ------------------------------------
for part in manifest:"invalid manifest hash" signature:"invalid signature" \
	comment:"invalid meta hash" squashfs:"does not match its hash" hashtree:"verity"; do
	what=${part%%:*} msg=${part#*:}
	$PY "$TAMPER" $N t-$what.npk $what
	t_run "tampered $what: zip CRCs still good" unzip -tq t-$what.npk
	t_expect "tampered $what fails verify" 1 "$msg" "$S" verify t-$what.npk --key k.pub
done

# --- interoperability ------------------------------------------------------------------
mksquashfs root ref.img -noappend -quiet -all-root >/dev/null 2>&1
$PY "$REF" pack --manifest m.yaml --image ref.img --key k.key --out ref.npk
t_expect "an NPK from the independent packer verifies" 0 "signature valid" \
	"$S" verify ref.npk --key k.pub
t_expect "Northstar's own NPK verifies with its key" 0 "message 0.0.1, signature valid" \
	"$S" verify "$FIX/message-0.0.1.npk" --key "$FIX/northstar.pub"
t_expect "inspect -s of Northstar's NPK" 0 \
	"name: message, version: 0.0.1, NPK version: 0.9.3, resource container: yes" \
	"$S" inspect -s "$FIX/message-0.0.1.npk"
t_expect "inspect lists entries and files" 0 "## SquashFS listing" "$S" inspect $N
t_expect "inspect --json" 0 '"verity"' "$S" inspect --json $N

# --- unsigned, clones, unpack --------------------------------------------------------
t_run "pack unsigned" "$S" pack -m m.yaml -r root -o plain.npk
t_eq "unsigned: no signature.yaml" "$($PY -c "import zipfile,sys; print(' '.join(zipfile.ZipFile(sys.argv[1]).namelist()))" plain.npk)" \
	"manifest.yaml fs.img"
t_expect "unsigned verifies structurally" 0 "unsigned" "$S" verify plain.npk
mkdir clones
t_run "pack --clones 3" "$S" pack -m m.yaml -r root -o clones --clones 3
t_eq "clone names" "$(ls clones | tr '\n' ' ')" "hello-0-0.0.2.npk hello-1-0.0.2.npk hello-2-0.0.2.npk "
t_expect "clones need a directory" 1 "--clones needs --out to be a directory" \
	"$S" pack -m m.yaml -o x.npk --clones 2
t_expect "unpack" 0 "unpacked" "$S" unpack -n $N -o un
t_run "unpack: the root's files" cmp un/root/etc/blob root/etc/blob
t_run "unpack: manifest and signature" test -f un/manifest.yaml -a -f un/signature.yaml -a ! -e un/fs.img
t_expect "unpack refuses to overwrite" 1 "File exists" "$S" unpack -n $N -o un
$PY - <<'EOF'
import zipfile
with zipfile.ZipFile("slip.npk", "w") as z:
    z.comment = b"version: 0.9.3\n"
    z.writestr("manifest.yaml", "name: a\nversion: 0.0.1\nuid: 1\ngid: 1\n")
    z.writestr("../evil", "x")
    z.writestr("fs.img", "")
EOF
t_expect "unpack refuses zip-slip names" 1 "../evil" "$S" unpack -n slip.npk -o slip
t_run "nothing written outside" test ! -e evil -a ! -e ../evil

# --- bad input -------------------------------------------------------------------------
printf 'name: x\nversion: 1\nuid: 1\ngid: 1\n' >bad.yaml
t_expect "pack: bad manifest names file:line:column" 1 "bad.yaml:2:10" "$S" pack -m bad.yaml -o .
t_expect "pack: missing root" 1 "/nonexistent" "$S" pack -m m.yaml -r /nonexistent -o nr.npk
t_run "pack: nothing left after a failure" test ! -e nr.npk
t_expect "pack: missing key" 1 "no.key" "$S" pack -m m.yaml -k no.key -o nk.npk
head -c 31 k.key >short.key
t_expect "pack: short key" 1 "short.key" "$S" pack -m m.yaml -k short.key -o sk.npk
t_expect "verify: not a zip" 1 "not a zip" "$S" verify m.yaml
t_expect "verify: missing file" 1 "No such file" "$S" verify nope.npk
t_run "no temporary files left" sh -c "! ls -a . again clones | grep -q -e '\\.tmp' -e sextant-image"
t_done
