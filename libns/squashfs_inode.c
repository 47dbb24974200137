/* The inode table and the directory table. Inodes go out in post-order, so every
 * directory listing is written after the inodes it points at and a directory's
 * inode after its listing. Listings are split into runs (one header each) that
 * never cross an 8 KiB metadata block, so large directories get an index entry
 * per block. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "squashfs_int.h"
#include "util.h"

struct tctx {
	struct sq_tables *tb;
	const struct sq_ids *ids;
	const struct ns_sqfs_opts *o;
	uint32_t root_parent;
	uint8_t *run; /* one listing run: header and up to 256 entries */
	uint8_t *index;
	size_t index_len, index_cap;
};

static size_t put_header(struct tctx *c, uint8_t *p, const struct sq_node *n, enum sq_itype type)
{
	ns_put_le16(p, (uint16_t)type);
	ns_put_le16(p + 2, n->mode & 07777);
	ns_put_le16(p + 4, sq_ids_index(c->ids, n->uid));
	ns_put_le16(p + 6, sq_ids_index(c->ids, n->gid));
	ns_put_le32(p + 8, c->o->mtime);
	ns_put_le32(p + 12, n->inum);
	return 16;
}

static int emit(struct tctx *c, struct sq_node *n, const uint8_t *p, size_t len, struct ns_err *err)
{
	n->iref = sq_meta_ref(&c->tb->inodes);
	n->written = true;
	if (c->tb->export)
		c->tb->export[n->inum - 1] = n->iref;
	return sq_meta_add(&c->tb->inodes, p, len, err);
}

static int write_file_inode(struct tctx *c, struct sq_node *n, struct ns_err *err)
{
	uint64_t bs = c->o->block_size;
	uint64_t nblocks = n->frag != SQ_NO_FRAG ? n->size / bs : (n->size + bs - 1) / bs;
	bool ext = n->start > UINT32_MAX || n->size > UINT32_MAX || n->nlink > 1 ||
		   n->xattr_id != SQ_NO_XATTR || n->sparse;
	size_t len = 16 + (ext ? 40 : 16) + nblocks * 4;
	uint8_t *p = malloc(len);
	if (!p)
		return ns_err_set(err, ENOMEM, "out of memory");
	uint8_t *q = p + put_header(c, p, n, ext ? SQ_IT_REG + SQ_IT_EXT : SQ_IT_REG);
	if (ext) {
		ns_put_le64(q, n->start);
		ns_put_le64(q + 8, n->size);
		ns_put_le64(q + 16, n->sparse);
		ns_put_le32(q + 24, n->nlink);
		ns_put_le32(q + 28, n->frag);
		ns_put_le32(q + 32, n->frag_off);
		ns_put_le32(q + 36, n->xattr_id);
		q += 40;
	} else {
		ns_put_le32(q, (uint32_t)n->start);
		ns_put_le32(q + 4, n->frag);
		ns_put_le32(q + 8, n->frag_off);
		ns_put_le32(q + 12, (uint32_t)n->size);
		q += 16;
	}
	for (uint64_t i = 0; i < nblocks; i++)
		ns_put_le32(q + i * 4, n->blocks ? n->blocks[i] : 0);
	int r = emit(c, n, p, len, err);
	free(p);
	return r;
}

static int write_other_inode(struct tctx *c, struct sq_node *n, struct ns_err *err)
{
	uint8_t buf[16 + 12 + SQ_SYMLINK_MAX];
	bool ext = n->xattr_id != SQ_NO_XATTR;
	uint8_t *q = buf + put_header(c, buf, n, ext ? n->type + SQ_IT_EXT : n->type);
	ns_put_le32(q, n->nlink);
	q += 4;
	if (n->type == SQ_IT_SYMLINK) {
		size_t l = strlen(n->target);
		ns_put_le32(q, (uint32_t)l);
		memcpy(q + 4, n->target, l);
		q += 4 + l;
	} else if (n->type == SQ_IT_BLK || n->type == SQ_IT_CHR) {
		/* the kernel's new_encode_dev */
		ns_put_le32(q, (n->minor & 0xff) | (n->major << 8) | ((n->minor & ~0xffu) << 12));
		q += 4;
	}
	if (ext) {
		ns_put_le32(q, n->xattr_id);
		q += 4;
	}
	return emit(c, n, buf, (size_t)(q - buf), err);
}

static int add_index(struct tctx *c, uint32_t offset, uint32_t block, const char *name,
		     struct ns_err *err)
{
	size_t l = strlen(name);
	if (c->index_cap - c->index_len < 12 + l) {
		size_t cap = c->index_cap ? c->index_cap * 2 : 4096;
		uint8_t *p = realloc(c->index, cap);
		if (!p)
			return ns_err_set(err, ENOMEM, "out of memory");
		c->index = p;
		c->index_cap = cap;
	}
	uint8_t *p = c->index + c->index_len;
	ns_put_le32(p, offset);
	ns_put_le32(p + 4, block);
	ns_put_le32(p + 8, (uint32_t)(l - 1));
	memcpy(p + 12, name, l);
	c->index_len += 12 + l;
	return 0;
}

/* Writes the listing of dir and returns its size and index entry count. */
static int write_listing(struct tctx *c, const struct sq_node *dir, uint32_t *ret_size,
			 uint32_t *ret_nindex, struct ns_err *err)
{
	struct sq_meta *m = &c->tb->dirs;
	uint64_t start = m->total, last_indexed = start / SQ_META_SIZE;
	uint32_t nindex = 0;
	c->index_len = 0;
	for (size_t i = 0; i < dir->nkids;) {
		const struct sq_node *first =
		    dir->kids[i]->link ? dir->kids[i]->link : dir->kids[i];
		uint64_t hdr_at = m->total, blk = first->iref >> 16;
		size_t len = 12, count = 0;
		for (; i < dir->nkids && count < SQ_DIR_RUN_MAX; i++, count++) {
			const struct sq_node *k = dir->kids[i], *p = k->link ? k->link : k;
			int64_t delta = (int64_t)p->inum - first->inum;
			if ((p->iref >> 16) != blk || delta > 32767 || delta < -32768 ||
			    (count && (hdr_at + len) / SQ_META_SIZE != hdr_at / SQ_META_SIZE))
				break;
			size_t nl = strlen(k->name);
			uint8_t *e = c->run + len;
			ns_put_le16(e, (uint16_t)(p->iref & 0xffff));
			ns_put_le16(e + 2, (uint16_t)(int16_t)delta);
			ns_put_le16(e + 4, (uint16_t)p->type);
			ns_put_le16(e + 6, (uint16_t)(nl - 1));
			memcpy(e + 8, k->name, nl);
			len += 8 + nl;
		}
		ns_put_le32(c->run, (uint32_t)(count - 1));
		ns_put_le32(c->run + 4, (uint32_t)blk);
		ns_put_le32(c->run + 8, first->inum);
		if (hdr_at / SQ_META_SIZE > last_indexed) {
			last_indexed = hdr_at / SQ_META_SIZE;
			if (add_index(c, (uint32_t)(hdr_at - start), (uint32_t)m->len,
				      dir->kids[i - count]->name, err) < 0)
				return ns_err_ret(err);
			nindex++;
		}
		if (sq_meta_add(m, c->run, len, err) < 0)
			return ns_err_ret(err);
	}
	if (m->total - start + 3 > UINT32_MAX || nindex > UINT16_MAX)
		return ns_err_set(err, EFBIG, "directory too large for squashfs");
	*ret_size = (uint32_t)(m->total - start + 3);
	*ret_nindex = nindex;
	return 0;
}

static int write_dir_inode(struct tctx *c, struct sq_node *n, uint64_t listing, uint32_t size,
			   uint32_t nindex, struct ns_err *err)
{
	bool ext = size > UINT16_MAX || nindex || n->xattr_id != SQ_NO_XATTR;
	uint32_t parent = n->parent ? n->parent->inum : c->root_parent;
	size_t len = 16 + (ext ? 24 + c->index_len : 16);
	uint8_t *p = malloc(len);
	if (!p)
		return ns_err_set(err, ENOMEM, "out of memory");
	uint8_t *q = p + put_header(c, p, n, ext ? SQ_IT_DIR + SQ_IT_EXT : SQ_IT_DIR);
	if (ext) {
		ns_put_le32(q, n->nlink);
		ns_put_le32(q + 4, size);
		ns_put_le32(q + 8, (uint32_t)(listing >> 16));
		ns_put_le32(q + 12, parent);
		ns_put_le16(q + 16, (uint16_t)nindex);
		ns_put_le16(q + 18, (uint16_t)(listing & 0xffff));
		ns_put_le32(q + 20, n->xattr_id);
		if (c->index_len)
			memcpy(q + 24, c->index, c->index_len);
	} else {
		ns_put_le32(q, (uint32_t)(listing >> 16));
		ns_put_le32(q + 4, n->nlink);
		ns_put_le16(q + 8, (uint16_t)size);
		ns_put_le16(q + 10, (uint16_t)(listing & 0xffff));
		ns_put_le32(q + 12, parent);
	}
	int r = emit(c, n, p, len, err);
	free(p);
	return r;
}

static int write_dir(struct tctx *c, struct sq_node *n, struct ns_err *err)
{
	for (size_t i = 0; i < n->nkids; i++) {
		struct sq_node *k = n->kids[i], *p = k->link ? k->link : k;
		int r = 0;
		if (k->type == SQ_IT_DIR)
			r = write_dir(c, k, err);
		else if (!p->written)
			r = p->type == SQ_IT_REG ? write_file_inode(c, p, err)
						 : write_other_inode(c, p, err);
		if (r < 0)
			return r;
	}
	uint64_t listing = sq_meta_ref(&c->tb->dirs);
	uint32_t size = 0, nindex = 0;
	if (write_listing(c, n, &size, &nindex, err) < 0)
		return ns_err_ret(err);
	return write_dir_inode(c, n, listing, size, nindex, err);
}

int sq_tables_build(struct sq_tables *tb, struct sq_tree *t, const struct sq_ids *ids,
		    const struct ns_sqfs_opts *o, struct sq_comp *comp, struct ns_err *err)
{
	memset(tb, 0, sizeof(*tb));
	sq_meta_init(&tb->inodes, comp);
	sq_meta_init(&tb->dirs, comp);
	struct tctx c = {.tb = tb, .ids = ids, .o = o, .root_parent = t->count + 1};
	if (o->exports && !(tb->export = calloc(t->count, sizeof(*tb->export))))
		return ns_err_set(err, ENOMEM, "out of memory");
	if (!(c.run = malloc(12 + SQ_DIR_RUN_MAX * (8 + SQ_NAME_MAX))))
		return ns_err_set(err, ENOMEM, "out of memory");
	int r = write_dir(&c, t->root, err);
	if (r >= 0)
		r = sq_meta_finish(&tb->inodes, err);
	if (r >= 0)
		r = sq_meta_finish(&tb->dirs, err);
	free(c.run);
	free(c.index);
	return r;
}

void sq_tables_free(struct sq_tables *tb)
{
	sq_meta_free(&tb->inodes);
	sq_meta_free(&tb->dirs);
	free(tb->export);
	tb->export = NULL;
}
