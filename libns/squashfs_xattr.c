/* The id table (uids and gids, inodes hold an index) and the xattr table (each
 * distinct set of xattrs stored once, inodes hold its number). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "squashfs_int.h"
#include "util.h"

/* --- ids ---------------------------------------------------------------------------- */

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static int ids_gather(uint32_t **v, size_t *n, size_t *cap, const struct sq_node *node,
		      struct ns_err *err)
{
	if (*cap - *n < 2) {
		size_t c = *cap ? *cap * 2 : 256;
		uint32_t *p = realloc(*v, c * sizeof(*p));
		if (!p)
			return ns_err_set(err, ENOMEM, "out of memory");
		*v = p;
		*cap = c;
	}
	(*v)[(*n)++] = node->uid;
	(*v)[(*n)++] = node->gid;
	for (size_t i = 0; i < node->nkids; i++)
		if (ids_gather(v, n, cap, node->kids[i], err) < 0)
			return ns_err_ret(err);
	return 0;
}

int sq_ids_collect(struct sq_ids *ids, const struct sq_tree *t, struct ns_err *err)
{
	size_t n = 0, cap = 0;
	uint32_t *v = NULL;
	if (ids_gather(&v, &n, &cap, t->root, err) < 0) {
		free(v);
		return ns_err_ret(err);
	}
	qsort(v, n, sizeof(*v), u32_cmp);
	size_t u = 0;
	for (size_t i = 0; i < n; i++)
		if (u == 0 || v[u - 1] != v[i])
			v[u++] = v[i];
	ids->ids = v;
	ids->n = u;
	if (u > UINT16_MAX) /* the superblock counts them in 16 bits */
		return ns_err_set(err, EFBIG, "%zu distinct uids and gids: squashfs holds %u", u,
				  UINT16_MAX);
	return 0;
}

uint16_t sq_ids_index(const struct sq_ids *ids, uint32_t id)
{
	const uint32_t *p = bsearch(&id, ids->ids, ids->n, sizeof(id), u32_cmp);
	return p ? (uint16_t)(p - ids->ids) : 0;
}

/* --- xattrs --------------------------------------------------------------------------- */

struct xset {
	uint8_t *blob; /* the key/value pairs as stored */
	size_t len;
	uint32_t count, hash;
};

struct sq_xattrs {
	struct xset *sets;
	uint32_t n, cap;
	uint32_t *table; /* open addressing: set number + 1, 0 = empty */
	size_t tcap;
};

static uint32_t fnv1a(const uint8_t *p, size_t len)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static int prefix_of(const char *name, const char **rest)
{
	static const char *const pfx[] = {"user.", "trusted.", "security."};
	for (int i = 0; i < 3; i++)
		if (strncmp(name, pfx[i], strlen(pfx[i])) == 0) {
			*rest = name + strlen(pfx[i]);
			return i;
		}
	return -1;
}

static int serialize(const struct sq_node *n, struct xset *s, struct ns_err *err)
{
	size_t len = 0;
	for (size_t i = 0; i < n->nxattrs; i++)
		len += 8 + strlen(n->xattrs[i].name) + n->xattrs[i].len;
	if (!(s->blob = malloc(len)))
		return ns_err_set(err, ENOMEM, "out of memory");
	uint8_t *p = s->blob;
	for (size_t i = 0; i < n->nxattrs; i++) {
		const char *rest;
		int type = prefix_of(n->xattrs[i].name, &rest);
		size_t nl = strlen(rest);
		if (type < 0 || nl == 0 || nl > UINT16_MAX || n->xattrs[i].len > UINT32_MAX / 2) {
			char path[512];
			sq_node_path(n, NULL, path, sizeof(path));
			return ns_err_set(err, EINVAL, "'%s': cannot store xattr '%s'", path,
					  n->xattrs[i].name);
		}
		ns_put_le16(p, (uint16_t)type);
		ns_put_le16(p + 2, (uint16_t)nl);
		memcpy(p + 4, rest, nl);
		p += 4 + nl;
		ns_put_le32(p, (uint32_t)n->xattrs[i].len);
		memcpy(p + 4, n->xattrs[i].value, n->xattrs[i].len);
		p += 4 + n->xattrs[i].len;
	}
	s->len = (size_t)(p - s->blob);
	s->count = (uint32_t)n->nxattrs;
	s->hash = fnv1a(s->blob, s->len);
	return 0;
}

static int table_grow(struct sq_xattrs *x, struct ns_err *err)
{
	size_t cap = x->tcap ? x->tcap * 2 : 256;
	uint32_t *t = calloc(cap, sizeof(*t));
	if (!t)
		return ns_err_set(err, ENOMEM, "out of memory");
	for (uint32_t i = 0; i < x->n; i++) {
		size_t h = x->sets[i].hash & (cap - 1);
		while (t[h])
			h = (h + 1) & (cap - 1);
		t[h] = i + 1;
	}
	free(x->table);
	x->table = t;
	x->tcap = cap;
	return 0;
}

/* The number of the set equal to s, adding s when it is new (s's blob is taken). */
static int intern(struct sq_xattrs *x, struct xset *s, uint32_t *ret, struct ns_err *err)
{
	if ((x->n + 1) * 2 > x->tcap && table_grow(x, err) < 0)
		return ns_err_ret(err);
	size_t h = s->hash & (x->tcap - 1);
	for (; x->table[h]; h = (h + 1) & (x->tcap - 1)) {
		struct xset *o = &x->sets[x->table[h] - 1];
		if (o->hash == s->hash && o->len == s->len && !memcmp(o->blob, s->blob, s->len)) {
			free(s->blob);
			*ret = x->table[h] - 1;
			return 0;
		}
	}
	if (x->n == x->cap) {
		uint32_t cap = x->cap ? x->cap * 2 : 64;
		struct xset *v = realloc(x->sets, cap * sizeof(*v));
		if (!v)
			return ns_err_set(err, ENOMEM, "out of memory");
		x->sets = v;
		x->cap = cap;
	}
	x->sets[x->n] = *s;
	x->table[h] = x->n + 1;
	*ret = x->n++;
	return 0;
}

static int assign(struct sq_xattrs *x, struct sq_node *n, struct ns_err *err)
{
	if (n->nxattrs && !n->link) {
		struct xset s = {0};
		if (serialize(n, &s, err) < 0 || intern(x, &s, &n->xattr_id, err) < 0) {
			free(s.blob);
			return ns_err_ret(err);
		}
	}
	for (size_t i = 0; i < n->nkids; i++)
		if (assign(x, n->kids[i], err) < 0)
			return ns_err_ret(err);
	return 0;
}

int sq_xattrs_build(struct sq_xattrs **ret, struct sq_tree *t, struct ns_err *err)
{
	struct sq_xattrs *x = calloc(1, sizeof(*x));
	if (!x)
		return ns_err_set(err, ENOMEM, "out of memory");
	*ret = x;
	return assign(x, t->root, err);
}

uint32_t sq_xattrs_count(const struct sq_xattrs *x)
{
	return x ? x->n : 0;
}

int sq_xattrs_write(struct sq_xattrs *x, struct sq_out *out, struct sq_comp *c, uint64_t *ret_start,
		    struct ns_err *err)
{
	struct sq_meta kv;
	sq_meta_init(&kv, c);
	uint8_t *ids = calloc(x->n, 16);
	int r = ids ? 0 : ns_err_set(err, ENOMEM, "out of memory");
	for (uint32_t i = 0; r >= 0 && i < x->n; i++) {
		ns_put_le64(ids + i * 16, sq_meta_ref(&kv));
		ns_put_le32(ids + i * 16 + 8, x->sets[i].count);
		ns_put_le32(ids + i * 16 + 12, (uint32_t)x->sets[i].len);
		r = sq_meta_add(&kv, x->sets[i].blob, x->sets[i].len, err);
	}
	if (r >= 0)
		r = sq_meta_finish(&kv, err);
	uint64_t kv_start = out->pos;
	if (r >= 0)
		r = sq_out_write(out, kv.out, kv.len, err);
	uint8_t hdr[16] = {0};
	ns_put_le64(hdr, kv_start);
	ns_put_le32(hdr + 8, x->n);
	if (r >= 0)
		r = sq_write_table(out, c, ids, (size_t)x->n * 16, hdr, sizeof(hdr), ret_start,
				   err);
	sq_meta_free(&kv);
	free(ids);
	return r;
}

void sq_xattrs_free(struct sq_xattrs *x)
{
	if (!x)
		return;
	for (uint32_t i = 0; i < x->n; i++)
		free(x->sets[i].blob);
	free(x->sets);
	free(x->table);
	free(x);
}
