/* Typed readers over the YAML tree, with the scalar rules of serde_yaml 0.9, and the
 * manifest's allocation arena. Every failure names "source:line:col: field.path". */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest_int.h"

/* Bump allocator: the manifest is freed in one go. */
struct ns_manifest_arena {
	struct ns_manifest_arena *next;
	size_t used, cap;
	max_align_t data[];
};

void *mc_alloc(struct ns_manifest *m, size_t size)
{
	size = (size + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	if (size == 0)
		size = sizeof(max_align_t);
	struct ns_manifest_arena *a = m->arena;
	if (!a || a->cap - a->used < size) {
		/* small first, doubling to 16 KiB: a daemon keeps a manifest per installed
		 * container, and most fit in a few hundred bytes */
		size_t cap = a ? (a->cap < 8192 ? a->cap * 2 : 16384) : 1024;
		if (cap < size)
			cap = size;
		struct ns_manifest_arena *n = malloc(sizeof(*n) + cap);
		if (!n)
			return NULL;
		n->next = a;
		n->used = 0;
		n->cap = cap;
		m->arena = a = n;
	}
	void *p = (char *)a->data + a->used;
	a->used += size;
	memset(p, 0, size);
	return p;
}

char *mc_strndup(struct ns_manifest *m, const char *s, size_t len)
{
	char *p = mc_alloc(m, len + 1);
	if (p)
		memcpy(p, s, len);
	return p;
}

void ns_manifest_free(struct ns_manifest *m)
{
	struct ns_manifest_arena *a = m->arena;
	while (a) {
		struct ns_manifest_arena *next = a->next;
		free(a);
		a = next;
	}
	cJSON_Delete(m->custom);
	memset(m, 0, sizeof(*m));
}

int mc_err(struct mctx *c, const struct ns_ynode *n, const char *path, const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (path && *path)
		return ns_yerr(c->err, c->doc, n, EINVAL, "%s: %s", path, msg);
	return ns_yerr(c->err, c->doc, n, EINVAL, "%s", msg);
}

int mc_enomem(struct mctx *c)
{
	return ns_err_set(c->err, ENOMEM, "%s: out of memory", c->doc->source);
}

void mc_path(char *out, const char *parent, const char *child)
{
	if (parent && *parent)
		snprintf(out, MC_PATH_MAX, "%s.%s", parent, child);
	else
		snprintf(out, MC_PATH_MAX, "%s", child);
}

const char *mc_found(const struct ns_ynode *n, char *buf, size_t size)
{
	struct ns_yscalar v;
	if (!n)
		return "nothing";
	if (n->kind != NS_YSCALAR)
		return ns_ykind_name(n->kind);
	if (ns_yscalar_resolve(n, &v) < 0 || v.type == NS_YT_STR) {
		snprintf(buf, size, "the string '%.40s%s'", n->str, n->len > 40 ? "..." : "");
		return buf;
	}
	if (v.type == NS_YT_NULL)
		return "null";
	snprintf(buf, size, "%s '%.40s'", ns_ytype_name(v.type), n->str);
	return buf;
}

static bool key_is(const struct ns_ynode *k, const char *name)
{
	return k->kind == NS_YSCALAR && k->len == strlen(name) && memcmp(k->str, name, k->len) == 0;
}

static int unknown_field(struct mctx *c, const struct ns_ynode *k, const char *path,
			 const struct mfield *f, size_t nf)
{
	char expected[512];
	size_t off = 0;
	expected[0] = '\0';
	for (size_t i = 0; i < nf && off < sizeof(expected); i++)
		off += (size_t)snprintf(expected + off, sizeof(expected) - off, "%s%s",
					i ? ", " : "", f[i].name);
	if (k->kind != NS_YSCALAR)
		return mc_err(c, k, path, "a key must be a scalar, found %s",
			      ns_ykind_name(k->kind));
	return mc_err(c, k, path, "unknown field '%.64s', expected one of: %s", k->str, expected);
}

int mc_fields(struct mctx *c, const struct ns_ynode *map, const char *path, struct mfield *f,
	      size_t nf, bool deny_unknown)
{
	int r = mc_expect_map(c, map, path);
	if (r < 0)
		return r;
	for (size_t i = 0; i < nf; i++)
		f[i].key = f[i].val = NULL;
	for (size_t i = 0; i < map->n; i++) {
		const struct ns_ynode *k = ns_ymap_key(map, i);
		size_t j;
		for (j = 0; j < nf; j++)
			if (key_is(k, f[j].name))
				break;
		if (j == nf) {
			if (deny_unknown || k->kind != NS_YSCALAR)
				return unknown_field(c, k, path, f, nf);
			continue;
		}
		if (f[j].key) {
			char p[MC_PATH_MAX];
			mc_path(p, path, f[j].name);
			return mc_err(c, k, p, "duplicate field (first at line %u)",
				      f[j].key->line);
		}
		f[j].key = k;
		f[j].val = ns_ymap_val(map, i);
	}
	return 0;
}

const struct ns_ynode *mc_field(const struct mfield *f, size_t nf, const char *name)
{
	for (size_t i = 0; i < nf; i++)
		if (!strcmp(f[i].name, name))
			return f[i].val;
	return NULL;
}

int mc_require(struct mctx *c, const struct ns_ynode *map, const char *path,
	       const struct ns_ynode *val, const char *name)
{
	if (val)
		return 0;
	char p[MC_PATH_MAX];
	mc_path(p, path, name);
	return mc_err(c, map, p, "missing field");
}

bool mc_is_null(const struct ns_ynode *n)
{
	struct ns_yscalar v;
	if (!n)
		return true;
	if (n->kind != NS_YSCALAR)
		return false;
	if (!n->plain && !n->tag)
		return false;
	return ns_yscalar_resolve(n, &v) == 0 && v.type == NS_YT_NULL;
}

int mc_expect_map(struct mctx *c, const struct ns_ynode *n, const char *path)
{
	char buf[96];
	if (n && n->kind == NS_YMAP)
		return 0;
	return mc_err(c, n, path, "expected a mapping, found %s", mc_found(n, buf, sizeof(buf)));
}

int mc_expect_seq(struct mctx *c, const struct ns_ynode *n, const char *path)
{
	char buf[96];
	if (n && n->kind == NS_YSEQ)
		return 0;
	return mc_err(c, n, path, "expected a sequence, found %s", mc_found(n, buf, sizeof(buf)));
}

static int copy_scalar(struct mctx *c, const struct ns_ynode *n, const char *path, const char **out)
{
	if (ns_yscalar_has_nul(n))
		return mc_err(c, n, path, "string contains a NUL character");
	char *s = mc_strndup(c->m, n->str, n->len);
	if (!s)
		return mc_enomem(c);
	*out = s;
	return 0;
}

int mc_string(struct mctx *c, const struct ns_ynode *n, const char *path, const char **out)
{
	if (!n || n->kind != NS_YSCALAR)
		return mc_err(c, n, path, "expected a string, found %s",
			      n ? ns_ykind_name(n->kind) : "nothing");
	return copy_scalar(c, n, path, out);
}

int mc_string_typed(struct mctx *c, const struct ns_ynode *n, const char *path, const char **out)
{
	struct ns_yscalar v;
	char buf[96];
	if (!n || n->kind != NS_YSCALAR || ns_yscalar_resolve(n, &v) < 0 || v.type != NS_YT_STR)
		return mc_err(c, n, path, "expected a string, found %s (quote it)",
			      mc_found(n, buf, sizeof(buf)));
	return copy_scalar(c, n, path, out);
}

/* The integer value of n, or an error naming the expected type. */
static int scalar_int(struct mctx *c, const struct ns_ynode *n, const char *path, const char *what,
		      struct ns_yscalar *v)
{
	char buf[96];
	if (!n || n->kind != NS_YSCALAR || ns_yscalar_resolve(n, v) < 0 || v->type != NS_YT_INT)
		return mc_err(c, n, path, "expected %s, found %s", what,
			      mc_found(n, buf, sizeof(buf)));
	if (v->overflow)
		return mc_err(c, n, path, "integer '%.40s' out of range for %s", n->str, what);
	return 0;
}

int mc_u64(struct mctx *c, const struct ns_ynode *n, const char *path, uint64_t max,
	   const char *what, uint64_t *out)
{
	struct ns_yscalar v;
	int r = scalar_int(c, n, path, what, &v);
	if (r < 0)
		return r;
	if ((v.neg && v.mag != 0) || v.mag > max)
		return mc_err(c, n, path, "integer '%.40s' out of range for %s", n->str, what);
	*out = v.mag;
	return 0;
}

int mc_i64(struct mctx *c, const struct ns_ynode *n, const char *path, int64_t min, int64_t max,
	   const char *what, int64_t *out)
{
	struct ns_yscalar v;
	int r = scalar_int(c, n, path, what, &v);
	if (r < 0)
		return r;
	int64_t x;
	if (v.neg) {
		if (v.mag > (uint64_t)INT64_MAX + 1)
			goto range;
		x = v.mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v.mag;
	} else {
		if (v.mag > (uint64_t)INT64_MAX)
			goto range;
		x = (int64_t)v.mag;
	}
	if (x < min || x > max)
		goto range;
	*out = x;
	return 0;
range:
	return mc_err(c, n, path, "integer '%.40s' out of range for %s", n->str, what);
}

int mc_bool(struct mctx *c, const struct ns_ynode *n, const char *path, bool *out)
{
	struct ns_yscalar v;
	char buf[96];
	if (!n || n->kind != NS_YSCALAR || ns_yscalar_resolve(n, &v) < 0 || v.type != NS_YT_BOOL)
		return mc_err(c, n, path, "expected a boolean (true or false), found %s",
			      mc_found(n, buf, sizeof(buf)));
	*out = v.b;
	return 0;
}

const char *mc_tag_variant(const struct ns_ynode *n)
{
	if (!n || !n->tag || n->tag[0] != '!' || n->tag[1] == '\0')
		return NULL;
	return n->tag + 1;
}

const char *mc_data_variant(const struct mctx *c, const struct ns_ynode *n,
			    const struct ns_ynode **value)
{
	const char *tag = mc_tag_variant(n);
	*value = n;
	if (tag)
		return tag;
	if (c->json && n && n->kind == NS_YMAP && n->n == 1) {
		const struct ns_ynode *k = ns_ymap_key(n, 0);
		if (k->kind == NS_YSCALAR && !ns_yscalar_has_nul(k)) {
			*value = ns_ymap_val(n, 0);
			return k->str;
		}
	}
	return NULL;
}

static int expected_variants(struct mctx *c, const struct ns_ynode *n, const char *path,
			     const char *got, const char *const *names, size_t nnames)
{
	char expected[512];
	size_t off = 0;
	expected[0] = '\0';
	for (size_t i = 0; i < nnames && off < sizeof(expected); i++)
		off += (size_t)snprintf(expected + off, sizeof(expected) - off, "%s%s",
					i ? ", " : "", names[i]);
	return mc_err(c, n, path, "unknown variant '%.64s', expected one of: %s", got, expected);
}

int mc_unit_variant(struct mctx *c, const struct ns_ynode *n, const char *path,
		    const char *const *names, size_t nnames, unsigned *out)
{
	const char *tag = mc_tag_variant(n);
	const char *name;
	if (!n || n->kind != NS_YSCALAR)
		return mc_err(c, n, path, "expected one of the names, found %s",
			      n ? ns_ykind_name(n->kind) : "nothing");
	name = tag ? tag : n->str;
	if (ns_yscalar_has_nul(n))
		return mc_err(c, n, path, "string contains a NUL character");
	for (size_t i = 0; i < nnames; i++) {
		if (!strcmp(name, names[i])) {
			if (tag && n->len != 0)
				return mc_err(c, n, path, "'!%.64s' takes no value", tag);
			*out = (unsigned)i;
			return 0;
		}
	}
	return expected_variants(c, n, path, name, names, nnames);
}
