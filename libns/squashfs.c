/* The squashfs writer's entry points: build the tree (source directory plus the
 * extra entries), then write data, inode and directory tables, the lookup tables
 * and the superblock, in the order the kernel expects them. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io.h"
#include "squashfs_int.h"
#include "util.h"

#define SQ_PAD 4096

void ns_sqfs_opts_init(struct ns_sqfs_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->comp = NS_SQFS_GZIP;
	o->block_size = NS_SQFS_BLOCK_DEFAULT;
}

static int check_opts(const struct ns_sqfs_opts *in, struct ns_sqfs_opts *o, struct ns_err *err)
{
	*o = *in;
	if (!o->block_size)
		o->block_size = NS_SQFS_BLOCK_DEFAULT;
	if (o->block_size < NS_SQFS_BLOCK_MIN || o->block_size > NS_SQFS_BLOCK_MAX ||
	    (o->block_size & (o->block_size - 1)))
		return ns_err_set(err, EINVAL,
				  "block size %u: must be a power of two from 4 KiB to 1 MiB",
				  o->block_size);
	if (o->comp != NS_SQFS_GZIP && o->comp != NS_SQFS_NONE)
		return ns_err_set(err, EINVAL, "unknown compression %d", (int)o->comp);
	return 0;
}

static int add_data(struct sq_data *d, struct sq_tree *t, struct sq_node *n, struct ns_err *err)
{
	for (size_t i = 0; i < n->nkids; i++) {
		struct sq_node *k = n->kids[i];
		int r = 0;
		if (k->type == SQ_IT_DIR)
			r = add_data(d, t, k, err);
		else if (k->type == SQ_IT_REG && !k->link)
			r = sq_data_add(d, k, t->src, err);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Writes every file's data and returns the encoded fragment table entries. */
static int write_data(struct sq_tree *t, const struct ns_sqfs_opts *o, struct sq_out *out,
		      uint8_t **ret_frags, uint32_t *ret_nfrags, struct ns_err *err)
{
	struct sq_data *d = NULL;
	int r = sq_data_new(&d, out, o, err);
	if (r >= 0)
		r = add_data(d, t, t->root, err);
	if (r >= 0)
		r = sq_data_finish(d, err);
	uint32_t n = 0;
	const struct sq_frag_entry *f = r >= 0 ? sq_data_frags(d, &n) : NULL;
	uint8_t *tab = r >= 0 ? calloc((size_t)n + 1, 16) : NULL;
	if (r >= 0 && !tab)
		r = ns_err_set(err, ENOMEM, "out of memory");
	for (uint32_t i = 0; r >= 0 && i < n; i++) {
		ns_put_le64(tab + i * 16, f[i].start);
		ns_put_le32(tab + i * 16 + 8, f[i].size);
	}
	sq_data_free(d);
	*ret_frags = tab;
	*ret_nfrags = n;
	return r;
}

struct sq_super {
	uint32_t nfrags, nids;
	uint16_t flags;
	uint64_t root, used, ids, xattrs, inodes, dirs, frags, exports;
};

static void put_super(uint8_t *p, const struct sq_tree *t, const struct ns_sqfs_opts *o,
		      const struct sq_super *s)
{
	memset(p, 0, SQ_SUPER_SIZE);
	ns_put_le32(p, SQ_MAGIC);
	ns_put_le32(p + 4, t->count);
	ns_put_le32(p + 8, o->mtime);
	ns_put_le32(p + 12, o->block_size);
	ns_put_le32(p + 16, s->nfrags);
	ns_put_le16(p + 20, SQ_COMP_GZIP);
	ns_put_le16(p + 22, (uint16_t)__builtin_ctz(o->block_size));
	ns_put_le16(p + 24, s->flags);
	ns_put_le16(p + 26, (uint16_t)s->nids);
	ns_put_le16(p + 28, 4);
	ns_put_le16(p + 30, 0);
	ns_put_le64(p + 32, s->root);
	ns_put_le64(p + 40, s->used);
	ns_put_le64(p + 48, s->ids);
	ns_put_le64(p + 56, s->xattrs);
	ns_put_le64(p + 64, s->inodes);
	ns_put_le64(p + 72, s->dirs);
	ns_put_le64(p + 80, s->frags);
	ns_put_le64(p + 88, s->exports);
}

static uint16_t super_flags(const struct ns_sqfs_opts *o, bool xattrs)
{
	uint16_t f = 0;
	if (o->comp == NS_SQFS_NONE)
		f |= SQ_FL_NOI | SQ_FL_NOD | SQ_FL_NOF | SQ_FL_NOX | SQ_FL_NO_ID_COMP;
	f |= o->no_fragments ? SQ_FL_NO_FRAGS : SQ_FL_ALWAYS_FRAGS;
	if (o->exports)
		f |= SQ_FL_EXPORTABLE;
	if (!xattrs)
		f |= SQ_FL_NO_XATTRS;
	return f;
}

/* The tables after the data, in the kernel's order: inodes, directories, fragments,
 * export, ids, xattrs. */
static int write_tables(struct sq_tree *t, const struct ns_sqfs_opts *o, struct sq_out *out,
			struct sq_comp *c, struct sq_super *s, const uint8_t *frags,
			struct ns_err *err)
{
	struct sq_ids ids = {0};
	struct sq_xattrs *xa = NULL;
	struct sq_tables tb = {0};
	int r = sq_ids_collect(&ids, t, err);
	if (r >= 0)
		r = sq_xattrs_build(&xa, t, err);
	if (r >= 0)
		r = sq_tables_build(&tb, t, &ids, o, c, err);
	s->inodes = out->pos;
	if (r >= 0)
		r = sq_out_write(out, tb.inodes.out, tb.inodes.len, err);
	s->dirs = out->pos;
	if (r >= 0)
		r = sq_out_write(out, tb.dirs.out, tb.dirs.len, err);
	s->frags = out->pos;
	if (r >= 0 && s->nfrags)
		r = sq_write_table(out, c, frags, (size_t)s->nfrags * 16, NULL, 0, &s->frags, err);
	s->exports = SQ_INVALID;
	ns_autofree uint8_t *tab = calloc(t->count + ids.n + 1, 8);
	if (r >= 0 && !tab)
		r = ns_err_set(err, ENOMEM, "out of memory");
	if (r >= 0 && o->exports) {
		for (uint32_t i = 0; i < t->count; i++)
			ns_put_le64(tab + i * 8, tb.export[i]);
		r = sq_write_table(out, c, tab, (size_t)t->count * 8, NULL, 0, &s->exports, err);
	}
	for (size_t i = 0; r >= 0 && i < ids.n; i++)
		ns_put_le32(tab + i * 4, ids.ids[i]);
	if (r >= 0)
		r = sq_write_table(out, c, tab, ids.n * 4, NULL, 0, &s->ids, err);
	s->xattrs = SQ_INVALID;
	if (r >= 0 && sq_xattrs_count(xa))
		r = sq_xattrs_write(xa, out, c, &s->xattrs, err);
	s->nids = (uint32_t)ids.n;
	s->root = t->root->iref;
	s->flags = super_flags(o, sq_xattrs_count(xa) > 0);
	sq_tables_free(&tb);
	sq_xattrs_free(xa);
	free(ids.ids);
	return r;
}

static int finish_image(struct sq_tree *t, const struct ns_sqfs_opts *o, struct sq_out *out,
			struct sq_super *s, uint64_t *ret_size, struct ns_err *err)
{
	static const uint8_t zero[SQ_PAD];
	s->used = out->pos;
	size_t pad = (size_t)((SQ_PAD - out->pos % SQ_PAD) % SQ_PAD);
	if (sq_out_write(out, zero, pad, err) < 0 || sq_out_flush(out, err) < 0)
		return ns_err_ret(err);
	uint8_t sb[SQ_SUPER_SIZE];
	put_super(sb, t, o, s);
	int r = ns_pwrite_full(out->fd, sb, sizeof(sb), out->base);
	if (r < 0)
		return ns_err_sys(err, -r, "write the superblock");
	if (lseek(out->fd, (off_t)(out->base + out->pos), SEEK_SET) < 0)
		return ns_err_sys(err, errno, "seek past the image");
	if (ret_size)
		*ret_size = out->pos;
	return 0;
}

int sq_write_tree(struct sq_tree *t, const struct ns_sqfs_opts *in, int out_fd, uint64_t *ret_size,
		  struct ns_err *err)
{
	struct ns_sqfs_opts o;
	if (check_opts(in, &o, err) < 0)
		return ns_err_ret(err);
	struct sq_out out;
	struct sq_comp c;
	struct sq_super s = {0};
	uint8_t sb[SQ_SUPER_SIZE] = {0};
	ns_autofree uint8_t *frags = NULL;
	if (sq_out_init(&out, out_fd, err) < 0) {
		sq_out_free(&out);
		return ns_err_ret(err);
	}
	int r = sq_comp_init(&c, o.comp, err);
	if (r >= 0)
		r = sq_out_write(&out, sb, sizeof(sb), err);
	if (r >= 0)
		r = write_data(t, &o, &out, &frags, &s.nfrags, err);
	if (r >= 0)
		r = write_tables(t, &o, &out, &c, &s, frags, err);
	if (r >= 0)
		r = finish_image(t, &o, &out, &s, ret_size, err);
	sq_comp_free(&c);
	sq_out_free(&out);
	return r;
}

int ns_sqfs_write(const char *src_dir, const struct ns_fsx_list *extras,
		  const struct ns_sqfs_opts *o, int out_fd, uint64_t *ret_size, struct ns_err *err)
{
	struct ns_sqfs_opts checked;
	struct sq_tree t;
	if (check_opts(o, &checked, err) < 0 || sq_tree_init(&t, err) < 0)
		return ns_err_ret(err);
	int r = 0;
	if (src_dir)
		r = sq_scan(&t, src_dir, o->no_xattrs, err);
	if (r >= 0)
		r = sq_merge_extras(&t, extras, err);
	if (r >= 0)
		r = sq_tree_finish(&t, &checked, err);
	if (r >= 0)
		r = sq_write_tree(&t, &checked, out_fd, ret_size, err);
	sq_tree_free(&t);
	return r;
}

int ns_sqfs_write_file(const char *src_dir, const struct ns_fsx_list *extras,
		       const struct ns_sqfs_opts *o, const char *out_path, uint64_t *ret_size,
		       struct ns_err *err)
{
	char tmp[PATH_MAX];
	const char *slash = strrchr(out_path, '/');
	int dl = slash ? (int)(slash - out_path) + 1 : 0;
	if (snprintf(tmp, sizeof(tmp), "%.*s.%s.XXXXXX", dl, out_path, out_path + dl) >=
	    (int)sizeof(tmp))
		return ns_err_set(err, ENAMETOOLONG, "'%s': path too long", out_path);
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return ns_err_sys(err, errno, "create a temporary file beside '%s'", out_path);
	uint64_t size = 0;
	int r = ns_sqfs_write(src_dir, extras, o, fd, &size, err);
	if (r >= 0 && fchmod(fd, 0644) < 0)
		r = ns_err_sys(err, errno, "chmod '%s'", tmp);
	if (r >= 0 && fsync(fd) < 0)
		r = ns_err_sys(err, errno, "fsync '%s'", tmp);
	if (close(fd) < 0 && r >= 0)
		r = ns_err_sys(err, errno, "close '%s'", tmp);
	if (r >= 0 && rename(tmp, out_path) < 0)
		r = ns_err_sys(err, errno, "rename '%s' to '%s'", tmp, out_path);
	if (r < 0) {
		(void)unlink(tmp);
		return ns_err_wrap(err, "write squashfs '%s'", out_path);
	}
	if (ret_size)
		*ret_size = size;
	return 0;
}
