/* A small squashfs reader for tests: walks an image the writer produced and
 * compares it, entry by entry, with the in-memory tree it was made from (types,
 * modes, owners, sizes, contents, targets, devices, hard links, xattr counts),
 * checking every offset it follows against the image's bounds. Returns 0, or -1
 * with a reason in ck->why. Shared by fuzz_squashfs.c and test_squashfs.c. */
#ifndef NS_SQFS_CHECK_H
#define NS_SQFS_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "libns/squashfs_int.h"

struct sqck {
	const uint8_t *img;
	size_t len;
	uint32_t bs, nfrags, ninodes, nxattrs;
	uint16_t flags, nids;
	uint64_t used, inode_start, dir_start, frag_start, id_start, xattr_start, export_start;
	uint8_t *inodes, *dirs; /* decompressed tables */
	size_t inodes_len, dirs_len;
	uint64_t *imap, *dmap; /* compressed block offset -> uncompressed offset, pairs */
	size_t imap_n, dmap_n;
	uint32_t *inum_of; /* by inode number: 0 unseen, else 1 + seen count */
	uint8_t *blk, *blk2;
	char why[256];
};

#define CK_FAIL(ck, ...)                                                                           \
	do {                                                                                       \
		snprintf((ck)->why, sizeof((ck)->why), __VA_ARGS__);                               \
		return -1;                                                                         \
	} while (0)

static inline uint16_t ck16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}
static inline uint32_t ck32(const uint8_t *p)
{
	return ck16(p) | (uint32_t)ck16(p + 2) << 16;
}
static inline uint64_t ck64(const uint8_t *p)
{
	return ck32(p) | (uint64_t)ck32(p + 4) << 32;
}

/* One block at off of csize bytes (raw or zlib) into out (at most cap bytes). */
static int ck_block(struct sqck *ck, uint64_t off, size_t csize, bool raw, uint8_t *out, size_t cap,
		    size_t *ret_len)
{
	if (off > ck->used || csize > ck->used - off)
		CK_FAIL(ck, "block at %llu+%zu beyond the image", (unsigned long long)off, csize);
	if (raw) {
		if (csize > cap)
			CK_FAIL(ck, "raw block of %zu bytes", csize);
		memcpy(out, ck->img + off, csize);
		*ret_len = csize;
		return 0;
	}
	uLongf n = cap;
	if (uncompress(out, &n, ck->img + off, csize) != Z_OK)
		CK_FAIL(ck, "block at %llu does not inflate", (unsigned long long)off);
	*ret_len = n;
	return 0;
}

/* One metadata block at off: its data into out (8 KiB), its on-disk size. */
static int ck_meta(struct sqck *ck, uint64_t off, uint8_t *out, size_t *ret_len, size_t *ret_disk)
{
	if (off + 2 > ck->used)
		CK_FAIL(ck, "metadata header beyond the image");
	uint16_t h = ck16(ck->img + off);
	size_t c = h & 0x7fff;
	if (c == 0 || c > SQ_META_SIZE)
		CK_FAIL(ck, "metadata block of %zu bytes", c);
	*ret_disk = 2 + c;
	return ck_block(ck, off + 2, c, h & SQ_META_RAW, out, SQ_META_SIZE, ret_len);
}

/* Decompresses the metadata blocks in [start, end) into one buffer. */
static int ck_stream(struct sqck *ck, uint64_t start, uint64_t end, uint8_t **ret, size_t *ret_len,
		     uint64_t **ret_map, size_t *ret_n)
{
	size_t cap = 0, len = 0, n = 0;
	uint8_t *buf = NULL;
	uint64_t *map = NULL;
	for (uint64_t off = start; off < end;) {
		buf = realloc(buf, cap = len + SQ_META_SIZE);
		map = realloc(map, (n + 1) * 2 * sizeof(*map));
		size_t got, disk;
		if (!buf || !map || ck_meta(ck, off, buf + len, &got, &disk) < 0) {
			free(buf);
			free(map);
			return -1;
		}
		map[2 * n] = off - start;
		map[2 * n + 1] = len;
		n++;
		len += got;
		off += disk;
	}
	(void)cap;
	*ret = buf;
	*ret_len = len;
	*ret_map = map;
	*ret_n = n;
	return 0;
}

/* The uncompressed offset of reference (block, off) in a decompressed stream. */
static int ck_ref(struct sqck *ck, const uint64_t *map, size_t n, size_t len, uint64_t block,
		  uint32_t off, size_t need, size_t *ret)
{
	for (size_t i = 0; i < n; i++)
		if (map[2 * i] == block) {
			uint64_t at = map[2 * i + 1] + off;
			if (at > len || need > len - at)
				CK_FAIL(ck, "reference %llu:%u beyond its table",
					(unsigned long long)block, off);
			*ret = (size_t)at;
			return 0;
		}
	CK_FAIL(ck, "reference to %llu is not a metadata block", (unsigned long long)block);
}

/* Entry i of a lookup table (entries of size es, locations at table). */
static int ck_lookup(struct sqck *ck, uint64_t table, uint32_t i, size_t es, uint8_t *out)
{
	uint64_t byte = (uint64_t)i * es, loc = table + byte / SQ_META_SIZE * 8;
	if (loc + 8 > ck->used)
		CK_FAIL(ck, "lookup table location beyond the image");
	uint8_t buf[SQ_META_SIZE];
	size_t got, disk;
	if (ck_meta(ck, ck64(ck->img + loc), buf, &got, &disk) < 0)
		return -1;
	if (byte % SQ_META_SIZE + es > got)
		CK_FAIL(ck, "lookup entry %u beyond its block", i);
	memcpy(out, buf + byte % SQ_META_SIZE, es);
	return 0;
}

static int ck_super(struct sqck *ck)
{
	const uint8_t *s = ck->img;
	if (ck->len < 4096 || ck->len % 4096)
		CK_FAIL(ck, "image size %zu is not a positive multiple of 4096", ck->len);
	if (ck32(s) != SQ_MAGIC || ck16(s + 28) != 4 || ck16(s + 30) != 0)
		CK_FAIL(ck, "bad magic or version");
	ck->ninodes = ck32(s + 4);
	ck->bs = ck32(s + 12);
	ck->nfrags = ck32(s + 16);
	ck->flags = ck16(s + 24);
	ck->nids = ck16(s + 26);
	ck->used = ck64(s + 40);
	ck->id_start = ck64(s + 48);
	ck->xattr_start = ck64(s + 56);
	ck->inode_start = ck64(s + 64);
	ck->dir_start = ck64(s + 72);
	ck->frag_start = ck64(s + 80);
	ck->export_start = ck64(s + 88);
	if (ck->bs < 4096 || ck->bs > (1u << 20) || (ck->bs & (ck->bs - 1)) ||
	    ck16(s + 22) != __builtin_ctz(ck->bs))
		CK_FAIL(ck, "bad block size %u", ck->bs);
	if (ck->used > ck->len || ck->len - ck->used >= 4096 || ck16(s + 20) != SQ_COMP_GZIP)
		CK_FAIL(ck, "bytes used %llu, image %zu", (unsigned long long)ck->used, ck->len);
	if (!(SQ_SUPER_SIZE <= ck->inode_start && ck->inode_start < ck->dir_start &&
	      ck->dir_start <= ck->frag_start && ck->frag_start <= ck->id_start &&
	      ck->id_start < ck->used && ck->nids > 0))
		CK_FAIL(ck, "tables out of order");
	if (ck->export_start != SQ_INVALID &&
	    (ck->export_start < ck->frag_start || ck->export_start > ck->id_start))
		CK_FAIL(ck, "export table out of place");
	if (ck->xattr_start != SQ_INVALID) {
		if (ck->xattr_start < ck->id_start || ck->xattr_start + 16 > ck->used)
			CK_FAIL(ck, "xattr table out of place");
		ck->nxattrs = ck32(s + ck->xattr_start + 8);
	}
	return 0;
}

/* Where the directory table ends: the first block of the next table. */
static int ck_dir_end(struct sqck *ck, uint64_t *ret)
{
	uint64_t t = ck->nfrags			      ? ck->frag_start
		     : ck->export_start != SQ_INVALID ? ck->export_start
						      : ck->id_start;
	if (t + 8 > ck->used)
		CK_FAIL(ck, "table location beyond the image");
	*ret = ck64(ck->img + t);
	if (*ret < ck->dir_start || *ret > t)
		CK_FAIL(ck, "directory table end out of place");
	return 0;
}

static int ck_content(struct sqck *ck, const struct sq_node *n, const uint8_t *ino, bool ext,
		      size_t ino_len)
{
	uint64_t start = ext ? ck64(ino) : ck32(ino), size = ext ? ck64(ino + 8) : ck32(ino + 12);
	uint32_t frag = ck32(ino + (ext ? 28 : 4)), foff = ck32(ino + (ext ? 32 : 8));
	const uint8_t *bl = ino + (ext ? 40 : 16);
	if (size != n->size)
		CK_FAIL(ck, "size %llu, expected %llu", (unsigned long long)size,
			(unsigned long long)n->size);
	uint64_t nb = frag != SQ_NO_FRAG ? size / ck->bs : (size + ck->bs - 1) / ck->bs;
	if ((size_t)(bl - ino) + nb * 4 > ino_len)
		CK_FAIL(ck, "block list beyond the inode table");
	uint64_t pos = start, off = 0;
	for (uint64_t i = 0; i < nb; i++, bl += 4) {
		uint32_t w = ck32(bl), c = w & ~SQ_BLOCK_RAW;
		size_t want = size - off < ck->bs ? (size_t)(size - off) : ck->bs, got = want;
		if (w == 0)
			memset(ck->blk, 0, want);
		else if (ck_block(ck, pos, c, w & SQ_BLOCK_RAW, ck->blk, ck->bs, &got) < 0)
			return -1;
		if (got != want || memcmp(ck->blk, n->mem + off, want) != 0)
			CK_FAIL(ck, "content of block %llu differs", (unsigned long long)i);
		pos += c;
		off += want;
	}
	if (frag == SQ_NO_FRAG)
		return off == size ? 0 : (snprintf(ck->why, sizeof(ck->why), "short file"), -1);
	uint8_t fe[16];
	size_t got;
	if (frag >= ck->nfrags || ck_lookup(ck, ck->frag_start, frag, 16, fe) < 0)
		CK_FAIL(ck, "fragment %u of %u unreadable", frag, ck->nfrags);
	uint32_t w = ck32(fe + 8);
	if (ck_block(ck, ck64(fe), w & ~SQ_BLOCK_RAW, w & SQ_BLOCK_RAW, ck->blk2, ck->bs, &got) < 0)
		return -1;
	if (foff > got || size - off > got - foff ||
	    memcmp(ck->blk2 + foff, n->mem + off, (size_t)(size - off)) != 0)
		CK_FAIL(ck, "fragment content differs");
	return 0;
}

static int ck_inode(struct sqck *ck, const struct sq_node *n, uint64_t ref, uint32_t inum);

static int ck_xattr(struct sqck *ck, const struct sq_node *n, uint32_t id)
{
	if ((id != SQ_NO_XATTR) != (n->nxattrs > 0))
		CK_FAIL(ck, "xattrs present %d, expected %zu", id != SQ_NO_XATTR, n->nxattrs);
	if (id == SQ_NO_XATTR)
		return 0;
	uint8_t e[16];
	if (id >= ck->nxattrs || ck_lookup(ck, ck->xattr_start + 16, id, 16, e) < 0)
		CK_FAIL(ck, "xattr id %u of %u", id, ck->nxattrs);
	if (ck32(e + 8) != n->nxattrs)
		CK_FAIL(ck, "xattr count %u, expected %zu", ck32(e + 8), n->nxattrs);
	return 0;
}

/* An index entry's block must be the metadata block holding the run's header. */
static int ck_index_block(struct sqck *ck, uint32_t block, size_t hdr_at)
{
	for (size_t i = 0; i < ck->dmap_n; i++)
		if (ck->dmap[2 * i] == block && ck->dmap[2 * i + 1] <= hdr_at &&
		    hdr_at < ck->dmap[2 * i + 1] + SQ_META_SIZE)
			return 0;
	CK_FAIL(ck, "index entry names block %u, not the one holding its run", block);
}

/* The listing of dir: runs of a header and entries, matched against its kids. */
static int ck_listing(struct sqck *ck, const struct sq_node *dir, size_t at, size_t len,
		      const uint8_t *index, uint32_t nindex)
{
	size_t end = at + len, i = 0, start = at;
	uint32_t checked = 0;
	while (at < end) {
		if (end - at < 12)
			CK_FAIL(ck, "truncated directory header");
		uint32_t count = ck32(ck->dirs + at) + 1, blk = ck32(ck->dirs + at + 4);
		uint32_t base = ck32(ck->dirs + at + 8);
		size_t hdr = at - start;
		at += 12;
		if (count > SQ_DIR_RUN_MAX)
			CK_FAIL(ck, "directory run of %u entries", count);
		for (uint32_t k = 0; k < count; k++, i++) {
			if (end - at < 8 || i >= dir->nkids)
				CK_FAIL(ck, "directory has more entries than expected");
			const uint8_t *e = ck->dirs + at;
			size_t nl = ck16(e + 6) + 1u;
			if (nl > SQ_NAME_MAX || end - at - 8 < nl)
				CK_FAIL(ck, "bad entry name length");
			const struct sq_node *kid = dir->kids[i];
			if (strlen(kid->name) != nl || memcmp(kid->name, e + 8, nl) != 0)
				CK_FAIL(ck, "entry %zu is not '%s'", i, kid->name);
			if (k == 0 && checked < nindex && index) {
				/* an index entry, if any, points here */
				uint32_t io = ck32(index), il = ck32(index + 8) + 1;
				if (io == hdr) {
					if (il != nl || memcmp(index + 12, e + 8, nl) != 0)
						CK_FAIL(ck, "index name differs from its run");
					if (ck_index_block(ck, ck32(index + 4), at - 12) < 0)
						return -1;
					index += 12 + il;
					checked++;
				}
			}
			const struct sq_node *p = kid->link ? kid->link : kid;
			if (ck16(e + 4) != p->type)
				CK_FAIL(ck, "entry '%s' has type %u", kid->name, ck16(e + 4));
			uint64_t ref = (uint64_t)blk << 16 | ck16(e);
			if (ck_inode(ck, p, ref, base + (uint32_t)(int32_t)(int16_t)ck16(e + 2)) <
			    0)
				return -1;
			at += 8 + nl;
		}
	}
	if (i != dir->nkids || checked != nindex)
		CK_FAIL(ck, "%zu of %zu entries, %u of %u index entries", i, dir->nkids, checked,
			nindex);
	return 0;
}

static int ck_dir(struct sqck *ck, const struct sq_node *n, const uint8_t *p, bool ext,
		  size_t avail)
{
	uint32_t nlink = ck32(p + (ext ? 0 : 4)), size = ext ? ck32(p + 4) : ck16(p + 8);
	uint32_t blk = ext ? ck32(p + 8) : ck32(p), off = ck16(p + (ext ? 18 : 10));
	uint32_t nindex = ext ? ck16(p + 16) : 0;
	if (nlink != n->nlink || size < 3)
		CK_FAIL(ck, "directory nlink %u size %u", nlink, size);
	if (ext && ck_xattr(ck, n, ck32(p + 20)) < 0)
		return -1;
	size_t at = 0;
	if (size > 3 && ck_ref(ck, ck->dmap, ck->dmap_n, ck->dirs_len, blk, off, size - 3, &at) < 0)
		return -1;
	const uint8_t *index = ext ? p + 24 : NULL;
	size_t ilen = 0;
	for (uint32_t k = 0; k < nindex; k++) {
		if (24 + ilen + 12 > avail || 24 + ilen + 12 + ck32(index + ilen + 8) + 1 > avail)
			CK_FAIL(ck, "directory index beyond the inode table");
		ilen += 12 + ck32(index + ilen + 8) + 1;
	}
	return ck_listing(ck, n, at, size - 3, index, nindex);
}

static int ck_inode(struct sqck *ck, const struct sq_node *n, uint64_t ref, uint32_t inum)
{
	size_t at;
	if (ck_ref(ck, ck->imap, ck->imap_n, ck->inodes_len, ref >> 16, ref & 0xffff, 16, &at) < 0)
		return -1;
	const uint8_t *h = ck->inodes + at, *p = h + 16;
	size_t avail = ck->inodes_len - at - 16;
	uint16_t type = ck16(h);
	bool ext = type > SQ_IT_EXT;
	if ((unsigned)(ext ? type - SQ_IT_EXT : type) != (unsigned)n->type ||
	    ck16(h + 2) != n->mode)
		CK_FAIL(ck, "'%s': type %u mode %o", n->name, type, ck16(h + 2));
	uint16_t ui = ck16(h + 4), gi = ck16(h + 6);
	uint8_t idv[4];
	if (ui >= ck->nids || gi >= ck->nids || ck_lookup(ck, ck->id_start, ui, 4, idv) < 0 ||
	    ck32(idv) != n->uid || ck_lookup(ck, ck->id_start, gi, 4, idv) < 0 ||
	    ck32(idv) != n->gid)
		CK_FAIL(ck, "'%s': owner differs", n->name);
	if (ck32(h + 12) != inum || inum == 0 || inum > ck->ninodes)
		CK_FAIL(ck, "'%s': inode number %u, entry says %u", n->name, ck32(h + 12), inum);
	if (ck->inum_of[inum] && ck->inum_of[inum] != (uintptr_t)n % 0xffffffffu + 1)
		CK_FAIL(ck, "inode %u shared by two different files", inum);
	ck->inum_of[inum] = (uint32_t)((uintptr_t)n % 0xffffffffu + 1);
	static const size_t need[2][8] = {{0, 16, 16, 8, 8, 8, 4, 4}, {0, 24, 40, 8, 12, 12, 8, 8}};
	if (avail < need[ext][n->type])
		CK_FAIL(ck, "inode beyond the inode table");
	switch (n->type) {
	case SQ_IT_DIR:
		return ck_dir(ck, n, p, ext, avail);
	case SQ_IT_REG:
		if (ext && (ck32(p + 24) != n->nlink || ck_xattr(ck, n, ck32(p + 36)) < 0))
			CK_FAIL(ck, "'%s': nlink or xattrs", n->name);
		if (!ext && (n->nlink != 1 || n->nxattrs))
			CK_FAIL(ck, "'%s': basic inode for a linked file", n->name);
		return n->mem || !n->size ? ck_content(ck, n, p, ext, avail) : 0;
	case SQ_IT_SYMLINK: {
		uint32_t l = ck32(p + 4);
		if (ck32(p) != n->nlink || l != strlen(n->target) || l + 12 > avail ||
		    memcmp(p + 8, n->target, l) != 0)
			CK_FAIL(ck, "'%s': symlink differs", n->name);
		return ext ? ck_xattr(ck, n, ck32(p + 8 + l)) : ck_xattr(ck, n, SQ_NO_XATTR);
	}
	case SQ_IT_BLK:
	case SQ_IT_CHR: {
		uint32_t d = ck32(p + 4);
		if (ck32(p) != n->nlink || ((d & 0xfff00) >> 8) != n->major ||
		    ((d & 0xff) | ((d >> 12) & 0xfff00)) != n->minor)
			CK_FAIL(ck, "'%s': device differs", n->name);
		return ck_xattr(ck, n, ext ? ck32(p + 8) : SQ_NO_XATTR);
	}
	default:
		if (ck32(p) != n->nlink)
			CK_FAIL(ck, "'%s': nlink differs", n->name);
		return ck_xattr(ck, n, ext ? ck32(p + 4) : SQ_NO_XATTR);
	}
}

static void sqck_free(struct sqck *ck)
{
	free(ck->inodes);
	free(ck->dirs);
	free(ck->imap);
	free(ck->dmap);
	free(ck->inum_of);
	free(ck->blk);
	free(ck->blk2);
}

/* Checks img (len bytes) against the finished tree t. */
static int sqck_run(struct sqck *ck, const uint8_t *img, size_t len, const struct sq_tree *t)
{
	memset(ck, 0, sizeof(*ck));
	ck->img = img;
	ck->len = len;
	uint64_t dir_end;
	if (ck_super(ck) < 0 || ck_dir_end(ck, &dir_end) < 0)
		return -1;
	if (ck->ninodes != t->count)
		CK_FAIL(ck, "%u inodes, expected %u", ck->ninodes, t->count);
	if (ck_stream(ck, ck->inode_start, ck->dir_start, &ck->inodes, &ck->inodes_len, &ck->imap,
		      &ck->imap_n) < 0 ||
	    ck_stream(ck, ck->dir_start, dir_end, &ck->dirs, &ck->dirs_len, &ck->dmap,
		      &ck->dmap_n) < 0)
		return -1;
	ck->inum_of = calloc((size_t)ck->ninodes + 1, sizeof(*ck->inum_of));
	ck->blk = malloc(ck->bs);
	ck->blk2 = malloc(ck->bs);
	if (!ck->inum_of || !ck->blk || !ck->blk2)
		CK_FAIL(ck, "out of memory");
	return ck_inode(ck, t->root, ck64(img + 32), t->count);
}

#endif
