#!/usr/bin/python3
"""Flips one bit in a part of an NPK and repairs the zip CRCs, so that only the
cryptography can notice.

  npk_tamper.py IN OUT PART     PART: manifest signature comment squashfs hashtree
"""
import struct
import sys
import zipfile
import zlib


def main():
    src, dst, part = sys.argv[1:4]
    data = bytearray(open(src, "rb").read())
    z = zipfile.ZipFile(src)
    infos = {i.filename: i for i in z.infolist()}

    def data_range(name):
        i = infos[name]
        h = i.header_offset
        n, e = struct.unpack("<HH", data[h + 26:h + 30])
        return h + 30 + n + e, i.file_size

    if part == "comment":
        at = len(data) - len(z.comment) + z.comment.index(b"0.9")  # "0.9.3" -> "1.9.3"
        data[at] ^= 0x01
    elif part in ("manifest", "signature"):
        off, size = data_range(part + ".yaml")
        text = bytes(data[off:off + size])
        # A character inside a value, so the YAML still parses: only a hash can notice.
        key = b"name: " if part == "manifest" else b"signature: "
        at = off + text.index(key) + len(key) + 1
        if part == "manifest":
            data[at] ^= 0x01
        else:  # another base64 digit: a flipped bit may leave the alphabet ('A' -> '@')
            data[at] = ord("B") if data[at] != ord("B") else ord("A")
    else:
        off, size = data_range("fs.img")
        sig = z.read("signature.yaml").decode()
        vo = int(sig.split("verity-offset: ")[1].split("\n")[0])
        at = off + 100 if part == "squashfs" else off + vo + 4096 + 7
        data[at] ^= 0x01

    # Repair the CRC of every entry in its local and central headers.
    for i in z.infolist():
        off, size = data_range(i.filename)
        crc = zlib.crc32(bytes(data[off:off + size])) & 0xffffffff
        struct.pack_into("<I", data, i.header_offset + 14, crc)
    cd = data.rindex(b"PK\x05\x06")
    cd_off = struct.unpack("<I", data[cd + 16:cd + 20])[0]
    p = cd_off
    while data[p:p + 4] == b"PK\x01\x02":
        n, e, c = struct.unpack("<HHH", data[p + 28:p + 34])
        name = bytes(data[p + 46:p + 46 + n]).decode()
        off, size = data_range(name)
        struct.pack_into("<I", data, p + 16, zlib.crc32(bytes(data[off:off + size])) & 0xffffffff)
        p += 46 + n + e + c
    open(dst, "wb").write(data)


main()
