/* The squashfs writer's output stream, its compressor, and metadata: the 8 KiB
 * compressed chunks that hold inodes, directories and the lookup tables. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io.h"
#include "squashfs_int.h"
#include "util.h"

#define OUT_BUF (1u << 20)

int sq_out_init(struct sq_out *o, int fd, struct ns_err *err)
{
	memset(o, 0, sizeof(*o));
	o->fd = fd;
	off_t at = lseek(fd, 0, SEEK_CUR);
	if (at < 0)
		return ns_err_sys(err, errno, "output is not seekable");
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || (fl & O_APPEND)) /* pwrite would ignore the offsets */
		return ns_err_set(err, EINVAL, "output must be seekable and not O_APPEND");
	o->base = (uint64_t)at;
	if (!(o->buf = malloc(OUT_BUF)))
		return ns_err_set(err, ENOMEM, "out of memory");
	return 0;
}

int sq_out_flush(struct sq_out *o, struct ns_err *err)
{
	if (!o->fill)
		return 0;
	int r = ns_pwrite_full(o->fd, o->buf, o->fill, o->base + o->pos - o->fill);
	if (r < 0)
		return ns_err_sys(err, -r, "write image at offset %llu",
				  (unsigned long long)(o->pos - o->fill));
	o->fill = 0;
	return 0;
}

int sq_out_write(struct sq_out *o, const void *p, size_t len, struct ns_err *err)
{
	const uint8_t *s = p;
	while (len) {
		size_t n = OUT_BUF - o->fill < len ? OUT_BUF - o->fill : len;
		memcpy(o->buf + o->fill, s, n);
		o->fill += n;
		o->pos += n;
		s += n;
		len -= n;
		if (o->fill == OUT_BUF && sq_out_flush(o, err) < 0)
			return ns_err_ret(err);
	}
	return 0;
}

void sq_out_free(struct sq_out *o)
{
	free(o->buf);
	o->buf = NULL;
}

int sq_comp_init(struct sq_comp *c, enum ns_sqfs_comp kind, struct ns_err *err)
{
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	if (kind == NS_SQFS_NONE)
		return 0;
	/* mksquashfs's gzip defaults: level 9, 32 KiB window, default strategy */
	if (deflateInit2(&c->zs, SQ_ZLIB_LEVEL, Z_DEFLATED, 15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return ns_err_set(err, ENOMEM, "zlib: cannot initialise a compressor");
	c->ready = true;
	return 0;
}

void sq_comp_free(struct sq_comp *c)
{
	if (c->ready)
		deflateEnd(&c->zs);
	c->ready = false;
}

int sq_compress(struct sq_comp *c, const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	if (c->kind == NS_SQFS_NONE || len == 0)
		return 0;
	if (deflateReset(&c->zs) != Z_OK)
		return -EIO;
	c->zs.next_in = (uint8_t *)in;
	c->zs.avail_in = (uInt)len;
	c->zs.next_out = out;
	/* only a result smaller than the input is worth keeping */
	c->zs.avail_out = (uInt)(cap < len - 1 ? cap : len - 1);
	int z = deflate(&c->zs, Z_FINISH);
	if (z == Z_STREAM_END)
		return (int)c->zs.total_out;
	if (z == Z_OK || z == Z_BUF_ERROR)
		return 0;
	return -EIO;
}

void sq_meta_init(struct sq_meta *m, struct sq_comp *c)
{
	memset(m, 0, sizeof(*m));
	m->comp = c;
}

void sq_meta_free(struct sq_meta *m)
{
	free(m->out);
	m->out = NULL;
}

static int meta_flush_block(struct sq_meta *m, struct ns_err *err)
{
	if (m->cap - m->len < SQ_META_SIZE + 2) {
		size_t cap = m->cap ? m->cap * 2 : 65536;
		uint8_t *o = realloc(m->out, cap);
		if (!o)
			return ns_err_set(err, ENOMEM, "out of memory");
		m->out = o;
		m->cap = cap;
	}
	int z = sq_compress(m->comp, m->cur, m->fill, m->out + m->len + 2, SQ_META_SIZE);
	if (z < 0)
		return ns_err_set(err, EIO, "zlib: compressing metadata failed");
	if (z > 0) {
		ns_put_le16(m->out + m->len, (uint16_t)z);
	} else {
		ns_put_le16(m->out + m->len, (uint16_t)(m->fill | SQ_META_RAW));
		memcpy(m->out + m->len + 2, m->cur, m->fill);
		z = (int)m->fill;
	}
	m->len += 2 + (size_t)z;
	m->fill = 0;
	if (m->len > UINT32_MAX)
		return ns_err_set(err, EFBIG, "metadata table larger than 4 GiB");
	return 0;
}

int sq_meta_add(struct sq_meta *m, const void *p, size_t len, struct ns_err *err)
{
	const uint8_t *s = p;
	m->total += len;
	while (len) {
		size_t n = SQ_META_SIZE - m->fill < len ? SQ_META_SIZE - m->fill : len;
		memcpy(m->cur + m->fill, s, n);
		m->fill += n;
		s += n;
		len -= n;
		if (m->fill == SQ_META_SIZE && meta_flush_block(m, err) < 0)
			return ns_err_ret(err);
	}
	return 0;
}

int sq_meta_finish(struct sq_meta *m, struct ns_err *err)
{
	return m->fill ? meta_flush_block(m, err) : 0;
}

int sq_write_table(struct sq_out *out, struct sq_comp *c, const uint8_t *data, size_t len,
		   const void *hdr, size_t hdr_len, uint64_t *ret_start, struct ns_err *err)
{
	size_t nblocks = (len + SQ_META_SIZE - 1) / SQ_META_SIZE;
	ns_autofree uint8_t *locs = malloc(nblocks * 8 + 1);
	struct sq_meta m;
	sq_meta_init(&m, c);
	if (!locs)
		return ns_err_set(err, ENOMEM, "out of memory");
	uint64_t at = out->pos;
	for (size_t i = 0; i < nblocks; i++) {
		size_t n =
		    len - i * SQ_META_SIZE < SQ_META_SIZE ? len - i * SQ_META_SIZE : SQ_META_SIZE;
		ns_put_le64(locs + i * 8, at + m.len);
		if (sq_meta_add(&m, data + i * SQ_META_SIZE, n, err) < 0 ||
		    sq_meta_finish(&m, err) < 0) {
			sq_meta_free(&m);
			return ns_err_ret(err);
		}
	}
	int r = sq_out_write(out, m.out, m.len, err);
	sq_meta_free(&m);
	if (r < 0)
		return r;
	*ret_start = out->pos;
	if (hdr_len && sq_out_write(out, hdr, hdr_len, err) < 0)
		return ns_err_ret(err);
	return sq_out_write(out, locs, nblocks * 8, err);
}
