#!/usr/bin/env python3
"""Test tool for tests/integration/squashfs.sh.

  squashfs_tree.py make DIR ORDER RANDFILE   build the test tree (ORDER fwd|rev: creation order)
  squashfs_tree.py list DIR [UID GID MTIME]  one line per entry: type, mode, owner, nlink, size or
                                             device, mtime, link target, user/security xattrs,
                                             sha256 of the content (owner and mtime replaced
                                             when given)
  squashfs_tree.py lln UID GID               normalises 'unsquashfs -lln' (stdin) and the input
  squashfs_tree.py lln-of DIR UID GID        tree to the same columns
  squashfs_tree.py manyids DIR N             N files with distinct uids and gids
"""
import hashlib
import os
import socket
import stat
import sys


def make(root, order, randfile):
    rand = open(randfile, "rb").read()
    phases = {"dir": [], "file": [], "post": []}

    def add(fn, phase="file"):
        phases[phase].append(fn)

    j = os.path.join
    add(lambda: os.makedirs(j(root, "empty-dir")), "dir")
    deep = root
    for i in range(40):
        deep = j(deep, "level%02d" % i)
    add(lambda: os.makedirs(deep), "dir")
    add(lambda: open(j(deep, "bottom.txt"), "w").write("the bottom\n"))
    add(lambda: os.makedirs(j(root, "many")), "dir")
    for i in range(5000):
        add(lambda i=i: open(j(root, "many", "f%05d" % i), "wb").write(rand[i * 7:i * 7 + (i * 37) % 3000]))
    add(lambda: open(j(root, "random-20M"), "wb").write(rand[:20 << 20]))
    add(lambda: open(j(root, "text-20M"), "wb").write(b"".join(b"line %08d of a compressible file\n" % i for i in range(600000))[:20 << 20]))
    add(lambda: open(j(root, "exact-block"), "wb").write(rand[100:100 + 131072 * 3]))
    add(lambda: open(j(root, "blocks-and-tail"), "wb").write(rand[5000:5000 + 1000003]))
    add(lambda: open(j(root, "text-and-tail"), "wb").write(b"tail %d\n" % 7 * 250000))
    add(lambda: open(j(root, "empty"), "wb").close())
    add(lambda: os.link(j(root, "exact-block"), j(root, "hardlink-a")), "post")
    add(lambda: os.makedirs(j(root, "sub")), "dir")
    add(lambda: os.link(j(root, "exact-block"), j(root, "sub", "hardlink-b")), "post")

    def sparse():
        with open(j(root, "sparse"), "wb") as f:
            f.truncate(5 << 20)
            f.seek(2 << 20)
            f.write(rand[:1000])
    add(sparse)
    add(lambda: os.symlink("exact-block", j(root, "link-rel")))
    add(lambda: os.symlink("/nonexistent/target", j(root, "link-dangling")))
    add(lambda: os.symlink("x" * 1000, j(root, "link-long")))
    add(lambda: os.mknod(j(root, "chr"), 0o620 | stat.S_IFCHR, os.makedev(1, 3)))
    add(lambda: os.mknod(j(root, "chr-bigminor"), 0o600 | stat.S_IFCHR, os.makedev(4, 70000)))
    add(lambda: os.mknod(j(root, "blk"), 0o660 | stat.S_IFBLK, os.makedev(7, 200)))
    add(lambda: os.mkfifo(j(root, "fifo"), 0o640))

    def sock():
        s = socket.socket(socket.AF_UNIX)
        s.bind(j(root, "sock"))
        s.close()
    add(sock)
    add(lambda: open(j(root, "setuid"), "w").write("#!/bin/sh\n"))
    add(lambda: os.chmod(j(root, "setuid"), 0o4755), "post")
    add(lambda: os.makedirs(j(root, "sticky")), "dir")
    add(lambda: os.chmod(j(root, "sticky"), 0o1777), "post")
    add(lambda: open(j(root, "n" * 255), "w").write("long name\n"))
    add(lambda: open(j(root, "spaces and ünïcode"), "w").write("x\n"))
    add(lambda: os.setxattr(j(root, "exact-block"), "user.color", b"blue"), "post")
    add(lambda: os.setxattr(j(root, "sub"), "user.one", b"1"), "post")
    add(lambda: os.setxattr(j(root, "sub"), "user.two", b"\x00\x01binary"), "post")
    add(lambda: os.setxattr(j(root, "empty"), "user.color", b"blue"), "post")
    add(lambda: os.chmod(root, 0o751), "post")
    files = phases["file"][::-1] if order == "rev" else phases["file"]
    for fn in phases["dir"] + files + phases["post"]:
        fn()


def xattrs(p):
    try:
        names = sorted(n for n in os.listxattr(p, follow_symlinks=False)
                       if n.startswith(("user.", "security.")))
    except OSError:
        return ""
    return ",".join("%s=%s" % (n, os.getxattr(p, n, follow_symlinks=False).hex()) for n in names)


def entries(root, rel=""):
    """Depth first, names in byte order: the order of a squashfs listing."""
    if not rel:
        yield ""
    for n in sorted(os.listdir(os.path.join(root, rel)), key=os.fsencode):
        r = os.path.join(rel, n)
        yield r
        if stat.S_ISDIR(os.lstat(os.path.join(root, r)).st_mode):
            yield from entries(root, r)


def listing(root, uid=None, gid=None, mtime=None):
    for rel in entries(root):
        p = os.path.join(root, rel) if rel else root
        st = os.lstat(p)
        t = stat.S_IFMT(st.st_mode)
        size = "-"
        if t == stat.S_IFREG:
            size = "%d:%s" % (st.st_size, hashlib.sha256(open(p, "rb").read()).hexdigest()[:16])
        elif t in (stat.S_IFCHR, stat.S_IFBLK):
            size = "%d,%d" % (os.major(st.st_rdev), os.minor(st.st_rdev))
        target = os.readlink(p) if t == stat.S_IFLNK else ""
        nlink = "-" if t == stat.S_IFDIR else st.st_nlink
        print("/%s %o %s/%s %s %s %s %s %s" % (
            rel, st.st_mode, st.st_uid if uid is None else uid, st.st_gid if gid is None else gid,
            nlink, size, int(st.st_mtime) if mtime is None else mtime, target, xattrs(p)))


def lln_of(root, uid, gid):
    for rel in entries(root):
        p = os.path.join(root, rel) if rel else root
        st = os.lstat(p)
        t = stat.S_IFMT(st.st_mode)
        size = "-"
        if t == stat.S_IFREG:
            size = str(st.st_size)
        elif t == stat.S_IFLNK:
            size = str(len(os.readlink(p)))
        elif t in (stat.S_IFCHR, stat.S_IFBLK):
            size = "%d,%d" % (os.major(st.st_rdev), os.minor(st.st_rdev))
        elif t in (stat.S_IFIFO, stat.S_IFSOCK):
            size = "0"
        target = " -> " + os.readlink(p) if t == stat.S_IFLNK else ""
        print("%s %s/%s %s /%s%s" % (stat.filemode(st.st_mode), uid, gid, size, rel, target))


def lln(uid, gid):
    for line in sys.stdin:
        f = line.rstrip("\n").split(None, 2)
        if len(f) < 3 or not f[1].count("/"):
            continue
        mode, owner, rest = f
        if mode[0] in "cb":
            maj, rest = rest.split(",", 1)
            mn, rest = rest.split(None, 1)
            # unsquashfs prints rdev >> 8 and rdev & 0xff; decode it as the kernel does
            rdev = (int(maj) << 8) | int(mn)
            size = "%d,%d" % ((rdev & 0xfff00) >> 8, (rdev & 0xff) | ((rdev >> 12) & 0xfff00))
        else:
            size, rest = rest.split(None, 1)
        path = rest.split(None, 2)[2]  # after date and time
        path = path[len("squashfs-root"):] or "/"
        if mode[0] == "d":
            size = "-"
        print("%s %s %s %s" % (mode, owner, size, path))


def manyids(root, n):
    os.makedirs(root)
    for i in range(n):
        p = os.path.join(root, "f%d" % i)
        open(p, "w").close()
        os.chown(p, 100000 + 2 * i, 100001 + 2 * i)


cmd = sys.argv[1]
if cmd == "make":
    make(sys.argv[2], sys.argv[3], sys.argv[4])
elif cmd == "list":
    a = sys.argv[3:]
    listing(sys.argv[2], *(a if a else []))
elif cmd == "lln":
    lln(sys.argv[2], sys.argv[3])
elif cmd == "lln-of":
    lln_of(sys.argv[2], sys.argv[3], sys.argv[4])
elif cmd == "manyids":
    manyids(sys.argv[2], int(sys.argv[3]))
