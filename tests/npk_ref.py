#!/usr/bin/python3
"""An independent NPK packer and checker, written from the format spec alone.

It shares no code with libns: the zip comes from Python's zipfile, the hashes from
hashlib, Ed25519 from the cryptography package. Tests use it in both directions:
NPKs it packs must pass `sextant verify`, and NPKs sextant packs must pass `check`.

  npk_ref.py pack --manifest FILE --image SQUASHFS --out NPK [--key SEED] [--salt HEX]
  npk_ref.py check NPK [--pub KEY]

`check` prints "ok" and exits 0, or prints what is wrong and exits 1.
"""
import argparse
import base64
import hashlib
import os
import re
import struct
import sys
import uuid
import zipfile

from cryptography.hazmat.primitives.asymmetric import ed25519

BLOCK = 4096
HASHES_PER_BLOCK = BLOCK // 32
META = b"version: 0.9.3\n"


class Bad(Exception):
    pass


def salted(salt, block):
    return hashlib.sha256(salt + block).digest()


def hash_levels(data, salt):
    """Hash levels of the tree from the bottom up, each padded to whole blocks, and
    the root hash."""
    blocks = [data[i:i + BLOCK] for i in range(0, len(data), BLOCK)]
    if len(blocks) == 1:
        return [], salted(salt, blocks[0])
    levels = []
    while len(blocks) > 1:
        digests = b"".join(salted(salt, b) for b in blocks)
        digests += b"\0" * (-len(digests) % BLOCK)
        levels.append(digests)
        blocks = [digests[i:i + BLOCK] for i in range(0, len(digests), BLOCK)]
    return levels, salted(salt, blocks[0])


def superblock(data_blocks, salt, uid):
    sb = b"verity\0\0" + struct.pack("<II", 1, 1) + uid
    sb += b"sha256".ljust(32, b"\0")
    sb += struct.pack("<IIQH", BLOCK, BLOCK, data_blocks, len(salt)) + b"\0" * 6
    sb += salt.ljust(256, b"\0")
    return sb.ljust(BLOCK, b"\0")


def pack(args):
    with open(args.manifest, "rb") as f:
        manifest = f.read()
    with open(args.image, "rb") as f:
        image = f.read()
    image += b"\0" * (-len(image) % BLOCK)
    sig_text = None
    if args.key:
        with open(args.key, "rb") as f:
            seed = f.read(32)
        salt = bytes.fromhex(args.salt) if args.salt else os.urandom(32)
        levels, root = hash_levels(image, salt)
        tree = b"".join(reversed(levels))  # top level first
        offset = len(image)
        image = image + superblock(offset // BLOCK, salt, uuid.uuid4().bytes) + tree
        doc = ("meta:\n  hash: %s\nmanifest.yaml:\n  hash: %s\nfs.img:\n"
               "  verity-hash: %s\n  verity-offset: %d\n") % (
                   hashlib.sha256(META).hexdigest(), hashlib.sha256(manifest).hexdigest(),
                   root.hex(), offset)
        key = ed25519.Ed25519PrivateKey.from_private_bytes(seed)
        sig = base64.b64encode(key.sign(doc.encode())).decode()
        sig_text = (doc + "---\nsignature: " + sig).encode()

    with zipfile.ZipFile(args.out, "w", zipfile.ZIP_STORED) as z:
        z.comment = META

        def add(name, data, extra=b""):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED
            info.external_attr = 0o100644 << 16
            info.extra = extra
            z.writestr(info, data)

        add("manifest.yaml", manifest)
        if sig_text is not None:
            add("signature.yaml", sig_text)
        # Align fs.img's data to 4096 with an APPNOTE 0xA11E padding field.
        end = z.fp.tell() + 30 + len("fs.img")
        pad = -end % BLOCK
        while pad and pad < 6:
            pad += BLOCK
        extra = struct.pack("<HHH", 0xA11E, pad - 4, BLOCK) + b"\0" * (pad - 6) if pad else b""
        add("fs.img", image, extra)


def parse_hashes(doc):
    m = re.fullmatch(r"meta:\n  hash: ([0-9a-fA-F]{64})\nmanifest\.yaml:\n  hash: ([0-9a-fA-F]{64})\n"
                     r"fs\.img:\n  verity-hash: ([0-9a-f]{64})\n  verity-offset: ([0-9]+)\n", doc)
    if not m:
        raise Bad("signature.yaml: hashes document not in the expected form")
    return m.group(1).lower(), m.group(2).lower(), m.group(3), int(m.group(4))


def data_offset(path, info):
    with open(path, "rb") as f:
        f.seek(info.header_offset)
        lfh = f.read(30)
    if lfh[:4] != b"PK\3\4":
        raise Bad("fs.img: no local header at %d" % info.header_offset)
    name_len, extra_len = struct.unpack("<HH", lfh[26:30])
    return info.header_offset + 30 + name_len + extra_len


def check(args):
    with zipfile.ZipFile(args.npk) as z:
        if z.testzip() is not None:
            raise Bad("zip CRC error in %s" % z.testzip())
        infos = {i.filename: i for i in z.infolist()}
        if len(infos) != len(z.infolist()):
            raise Bad("duplicate zip entry names")
        for i in z.infolist():
            if i.compress_type != zipfile.ZIP_STORED:
                raise Bad("%s is compressed" % i.filename)
        if "manifest.yaml" not in infos or "fs.img" not in infos:
            raise Bad("manifest.yaml or fs.img missing")
        if z.infolist()[-1].filename != "fs.img":
            raise Bad("fs.img is not the last entry")
        m = re.fullmatch(rb"(?:---\n)?version: (\d+)\.(\d+)\.(\d+)\n?", z.comment)
        if not m or (int(m.group(1)), int(m.group(2))) < (0, 9):
            raise Bad("zip comment is not a meta version >= 0.9: %r" % z.comment)
        manifest = z.read("manifest.yaml")
        fs = infos["fs.img"]
        off = data_offset(args.npk, fs)
        if off % BLOCK:
            raise Bad("fs.img data at %d is not 4096-aligned" % off)
        with open(args.npk, "rb") as f:
            f.seek(off)
            image = f.read(fs.file_size)
        if args.pub is None:
            print("ok")
            return
        if "signature.yaml" not in infos:
            raise Bad("signature.yaml missing")
        text = z.read("signature.yaml").decode()
        doc, sep, rest = text.partition("---\n")
        if not sep:
            raise Bad("signature.yaml has no '---' separator")
        sm = re.fullmatch(r"signature: ([A-Za-z0-9+/]{86}==)\n?", rest)
        if not sm:
            raise Bad("signature.yaml: signature not 88 base64 characters")
        with open(args.pub, "rb") as f:
            pub = ed25519.Ed25519PublicKey.from_public_bytes(f.read())
        try:
            pub.verify(base64.b64decode(sm.group(1)), doc.encode())
        except Exception:
            raise Bad("invalid signature")
        meta_hash, manifest_hash, root_hex, offset = parse_hashes(doc)
        if meta_hash != hashlib.sha256(z.comment).hexdigest():
            raise Bad("meta hash mismatch")
        if manifest_hash != hashlib.sha256(manifest).hexdigest():
            raise Bad("manifest hash mismatch")
    if offset % BLOCK or offset + BLOCK > len(image):
        raise Bad("verity-offset %d out of range" % offset)
    sb = image[offset:offset + BLOCK]
    magic, version, htype = sb[:8], *struct.unpack("<II", sb[8:16])
    algo = sb[32:64].rstrip(b"\0")
    dbs, hbs, nblocks, salt_size = struct.unpack("<IIQH", sb[64:82])
    if (magic, version, htype, algo, dbs, hbs) != (b"verity\0\0", 1, 1, b"sha256", BLOCK, BLOCK):
        raise Bad("verity superblock fields unexpected")
    if nblocks != offset // BLOCK or salt_size > 256:
        raise Bad("verity superblock data blocks or salt size wrong")
    salt = sb[88:88 + salt_size]
    levels, root = hash_levels(image[:offset], salt)
    if root.hex() != root_hex:
        raise Bad("root hash mismatch")
    tree = b"".join(reversed(levels))
    if image[offset + BLOCK:] != tree:
        raise Bad("hash tree bytes differ")
    print("ok")


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    pk = sub.add_parser("pack")
    pk.add_argument("--manifest", required=True)
    pk.add_argument("--image", required=True)
    pk.add_argument("--out", required=True)
    pk.add_argument("--key")
    pk.add_argument("--salt")
    ck = sub.add_parser("check")
    ck.add_argument("npk")
    ck.add_argument("--pub")
    args = p.parse_args()
    try:
        pack(args) if args.cmd == "pack" else check(args)
    except (Bad, zipfile.BadZipFile, KeyError) as e:
        print("npk_ref: %s" % e)
        sys.exit(1)


if __name__ == "__main__":
    main()
