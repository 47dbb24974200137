/* `custom`: any YAML value, kept as the JSON value serde_json would make of it.
 * Numbers are raw items with their exact text (cJSON would round integers beyond
 * 2^53), object keys are sorted and a repeated key keeps its last value. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest_int.h"

void ns_format_double(double d, char *buf, size_t size)
{
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, size, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	if (!strpbrk(buf, ".eEn"))
		strncat(buf, ".0", size - strlen(buf) - 1);
}

static cJSON *value(struct mctx *c, const struct ns_ynode *n, const char *path);

static cJSON *scalar(struct mctx *c, const struct ns_ynode *n, const char *path)
{
	struct ns_yscalar v;
	char buf[64];
	if (ns_yscalar_resolve(n, &v) < 0) {
		mc_err(c, n, path, "'%.40s' does not fit its tag %s", n->str, n->tag);
		return NULL;
	}
	switch (v.type) {
	case NS_YT_NULL:
		return cJSON_CreateNull();
	case NS_YT_BOOL:
		return cJSON_CreateBool(v.b);
	case NS_YT_INT:
		if (v.overflow || (v.neg && v.mag > (uint64_t)INT64_MAX + 1)) {
			mc_err(c, n, path, "integer '%.40s' out of range", n->str);
			return NULL;
		}
		if (v.neg && v.mag != 0)
			snprintf(buf, sizeof(buf), "-%" PRIu64, v.mag);
		else
			snprintf(buf, sizeof(buf), "%" PRIu64, v.mag);
		return cJSON_CreateRaw(buf);
	case NS_YT_FLOAT:
		if (!isfinite(v.f)) /* serde_json has no infinities or NaN: they become null */
			return cJSON_CreateNull();
		ns_format_double(v.f, buf, sizeof(buf));
		return cJSON_CreateRaw(buf);
	case NS_YT_STR:
		if (ns_yscalar_has_nul(n)) {
			mc_err(c, n, path, "string contains a NUL character");
			return NULL;
		}
		return cJSON_CreateString(n->str);
	}
	return NULL;
}

struct key_at {
	const char *key;
	size_t at;
};

static int cmp_key_at(const void *a, const void *b)
{
	const struct key_at *x = a, *y = b;
	int r = strcmp(x->key, y->key);
	return r ? r : (x->at < y->at ? -1 : x->at > y->at);
}

static cJSON *object(struct mctx *c, const struct ns_ynode *n, const char *path)
{
	struct key_at *keys = calloc(n->n ? n->n : 1, sizeof(*keys));
	cJSON *obj = cJSON_CreateObject();
	if (!keys || !obj)
		goto oom;
	for (size_t i = 0; i < n->n; i++) {
		const struct ns_ynode *k = ns_ymap_key(n, i);
		if (k->kind != NS_YSCALAR || ns_yscalar_has_nul(k)) {
			mc_err(c, k, path, "object keys must be strings");
			goto fail;
		}
		keys[i].key = k->str;
		keys[i].at = i;
	}
	qsort(keys, n->n, sizeof(*keys), cmp_key_at);
	for (size_t i = 0; i < n->n; i++) {
		if (i + 1 < n->n && !strcmp(keys[i].key, keys[i + 1].key))
			continue; /* a later value wins */
		char kpath[MC_PATH_MAX];
		mc_path(kpath, path, keys[i].key);
		cJSON *item = value(c, ns_ymap_val(n, keys[i].at), kpath);
		if (!item)
			goto fail;
		if (!cJSON_AddItemToObject(obj, keys[i].key, item)) {
			cJSON_Delete(item);
			goto oom;
		}
	}
	free(keys);
	return obj;
oom:
	mc_enomem(c);
fail:
	free(keys);
	cJSON_Delete(obj);
	return NULL;
}

static cJSON *value(struct mctx *c, const struct ns_ynode *n, const char *path)
{
	if (n->tag && strncmp(n->tag, "tag:yaml.org,2002:", 18)) {
		mc_err(c, n, path, "tags such as %.40s are not supported here", n->tag);
		return NULL;
	}
	if (n->kind == NS_YSCALAR) {
		cJSON *s = scalar(c, n, path);
		if (!s && c->err->errnum == 0)
			mc_enomem(c);
		return s;
	}
	if (n->kind == NS_YMAP)
		return object(c, n, path);
	cJSON *arr = cJSON_CreateArray();
	if (!arr) {
		mc_enomem(c);
		return NULL;
	}
	for (size_t i = 0; i < n->n; i++) {
		cJSON *item = value(c, n->items[i], path);
		if (!item) {
			cJSON_Delete(arr);
			return NULL;
		}
		cJSON_AddItemToArray(arr, item);
	}
	return arr;
}

int mp_custom(struct mctx *c, const struct ns_ynode *v)
{
	if (mc_is_null(v))
		return 0;
	c->err->errnum = 0;
	c->m->custom = value(c, v, "custom");
	return c->m->custom ? 0 : ns_err_ret(c->err);
}
