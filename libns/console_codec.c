/* Shared machinery of the console codec: strict parsing into a context that tracks the
 * field path for messages, typed readers, and the builders the encoders use. */
#include "console_codec.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "json.h"
#include "jsonstrict.h"
#include "utf8.h"

struct ns_cmem_block {
	struct ns_cmem_block *next;
	max_align_t data[];
};

void ns_console_mem_free(struct ns_console_mem *mem)
{
	if (!mem)
		return;
	cJSON_Delete(mem->json);
	while (mem->blocks) {
		struct ns_cmem_block *b = mem->blocks;
		mem->blocks = b->next;
		free(b);
	}
	free(mem);
}

int ns_cdec_begin(struct ns_cdec *d, const char *line, size_t len, struct ns_err *err,
		  const cJSON **root)
{
	cJSON *json;
	memset(d, 0, sizeof(*d));
	d->err = err;
	static const struct ns_json_limits limits = {NS_CONSOLE_MAX_DEPTH, NS_CONSOLE_MAX_TOKENS};
	int r = ns_json_parse_strict(line, len, &limits, &json, err);
	if (r < 0)
		return r;
	d->mem = calloc(1, sizeof(*d->mem));
	if (!d->mem) {
		cJSON_Delete(json);
		return ns_err_set(err, ENOMEM, "out of memory");
	}
	d->mem->json = json;
	*root = json;
	return 0;
}

size_t ns_cdec_push(struct ns_cdec *d, const char *fmt, ...)
{
	size_t mark = d->pathlen;
	if (d->pathlen + 1 < sizeof(d->path)) {
		va_list ap;
		va_start(ap, fmt);
		int n = vsnprintf(d->path + d->pathlen, sizeof(d->path) - d->pathlen, fmt, ap);
		va_end(ap);
		if (n > 0)
			d->pathlen += (size_t)n;
		if (d->pathlen >= sizeof(d->path))
			d->pathlen = sizeof(d->path) - 1;
	}
	return mark;
}

void ns_cdec_pop(struct ns_cdec *d, size_t mark)
{
	d->pathlen = mark;
	d->path[mark] = '\0';
}

int ns_cdec_fail(struct ns_cdec *d, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return ns_err_set(d->err, EINVAL, "%s: %s", d->pathlen ? d->path : "message", msg);
}

void *ns_cdec_alloc(struct ns_cdec *d, size_t n, size_t size)
{
	if (n && size > (SIZE_MAX - sizeof(struct ns_cmem_block)) / n) {
		ns_err_set(d->err, ENOMEM, "%s: too many elements", d->path);
		return NULL;
	}
	struct ns_cmem_block *b = calloc(1, sizeof(*b) + n * size);
	if (!b) {
		ns_err_set(d->err, ENOMEM, "out of memory");
		return NULL;
	}
	b->next = d->mem->blocks;
	d->mem->blocks = b;
	return b->data;
}

const char *ns_cjson_kind(const cJSON *v)
{
	if (cJSON_IsString(v))
		return "a string";
	if (cJSON_IsNumber(v))
		return "a number";
	if (cJSON_IsBool(v))
		return "a boolean";
	if (cJSON_IsNull(v))
		return "null";
	if (cJSON_IsArray(v))
		return "an array";
	return "an object";
}

int ns_cdec_object(struct ns_cdec *d, const cJSON *v)
{
	if (!cJSON_IsObject(v))
		return ns_cdec_fail(d, "expected an object, got %s", ns_cjson_kind(v));
	return 0;
}

static int variant_index(const char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return (int)i;
	return -1;
}

int ns_cdec_variant(struct ns_cdec *d, const cJSON *v, const char *const *names, size_t n, int *idx,
		    const cJSON **payload)
{
	const char *name;
	if (cJSON_IsString(v)) {
		name = v->valuestring;
		*payload = NULL;
	} else if (cJSON_IsObject(v) && v->child && !v->child->next) {
		name = v->child->string;
		*payload = v->child;
	} else {
		return ns_cdec_fail(d, "expected a variant name or an object with one key, got %s",
				    cJSON_IsObject(v) ? "an object with more or fewer keys"
						      : ns_cjson_kind(v));
	}
	*idx = variant_index(names, n, name);
	if (*idx < 0)
		return ns_cdec_fail(d, "unknown variant \"%.64s\"", name);
	return 0;
}

int ns_cdec_unit(struct ns_cdec *d, const cJSON *payload)
{
	if (payload)
		return ns_cdec_fail(d, "variant \"%.64s\" takes no value; write it as a string",
				    payload->string);
	return 0;
}

int ns_cdec_str(struct ns_cdec *d, const cJSON *v, const char **out)
{
	if (!cJSON_IsString(v))
		return ns_cdec_fail(d, "expected a string, got %s", ns_cjson_kind(v));
	*out = v->valuestring;
	return 0;
}

int ns_cdec_name(struct ns_cdec *d, const cJSON *v, const char **out)
{
	int r = ns_cdec_str(d, v, out);
	if (r < 0)
		return r;
	if (!ns_name_valid(*out, strlen(*out)))
		return ns_cdec_fail(
		    d, "invalid container name \"%.64s\": 1 to 1024 of [0-9A-Za-z._-]", *out);
	return 0;
}

int ns_cdec_id(struct ns_cdec *d, const cJSON *v, struct ns_console_id *out)
{
	const char *s = NULL;
	struct ns_container_id id;
	struct ns_err e = {0};
	int r = ns_cdec_str(d, v, &s);
	if (r < 0)
		return r;
	if (ns_container_id_parse(s, &id, &e) < 0)
		return ns_cdec_fail(d, "invalid container id %s", e.msg);
	/* The name is the text before the first ':' of the string the message owns: end it
	 * there instead of copying it. */
	v->valuestring[strlen(id.name)] = '\0';
	out->name = v->valuestring;
	out->version = id.version;
	return 0;
}

int ns_cdec_version(struct ns_cdec *d, const cJSON *v, struct ns_version *out)
{
	const char *s = NULL;
	int r = ns_cdec_str(d, v, &s);
	if (r < 0)
		return r;
	if (ns_version_parse(s, out) < 0)
		return ns_cdec_fail(d, "invalid version \"%.64s\": expected MAJOR.MINOR.PATCH", s);
	return 0;
}

static int int_fail(struct ns_cdec *d, const cJSON *v, int r, const char *range)
{
	if (!cJSON_IsNumber(v))
		return ns_cdec_fail(d, "expected an integer, got %s", ns_cjson_kind(v));
	if (r == -EINVAL)
		return ns_cdec_fail(d, "expected an integer, got %.64s", v->valuestring);
	return ns_cdec_fail(d, "%.64s is out of range %s", v->valuestring, range);
}

int ns_cdec_u64(struct ns_cdec *d, const cJSON *v, uint64_t max, uint64_t *out)
{
	int r = ns_json_exact_u64(v, max, out);
	if (r < 0) {
		char range[64];
		snprintf(range, sizeof(range), "0..%" PRIu64, max);
		return int_fail(d, v, r, range);
	}
	return 0;
}

int ns_cdec_i64(struct ns_cdec *d, const cJSON *v, int64_t min, int64_t max, int64_t *out)
{
	int r = ns_json_exact_i64(v, min, max, out);
	if (r < 0) {
		char range[64];
		snprintf(range, sizeof(range), "%" PRId64 "..%" PRId64, min, max);
		return int_fail(d, v, r, range);
	}
	return 0;
}

int ns_cdec_base64(struct ns_cdec *d, const cJSON *v, const uint8_t **out, size_t *len)
{
	const char *s = NULL;
	int r = ns_cdec_str(d, v, &s);
	if (r < 0)
		return r;
	size_t slen = strlen(s);
	uint8_t *buf = ns_cdec_alloc(d, slen / 4 * 3 + 1, 1);
	if (!buf)
		return -ENOMEM;
	if (ns_base64_decode(s, slen, buf, slen / 4 * 3 + 1, len) < 0)
		return ns_cdec_fail(d, "not canonical padded base64");
	*out = buf;
	return 0;
}

int ns_cdec_token(struct ns_cdec *d, const cJSON *v, uint8_t out[NS_TOKEN_LEN])
{
	const uint8_t *data;
	size_t len;
	int r = ns_cdec_base64(d, v, &data, &len);
	if (r < 0)
		return r;
	if (len != NS_TOKEN_LEN)
		return ns_cdec_fail(d, "a token has %d bytes, got %zu", NS_TOKEN_LEN, len);
	memcpy(out, data, NS_TOKEN_LEN);
	return 0;
}

static int array_size(struct ns_cdec *d, const cJSON *v, size_t *n)
{
	if (!cJSON_IsArray(v))
		return ns_cdec_fail(d, "expected an array, got %s", ns_cjson_kind(v));
	*n = 0;
	for (const cJSON *c = v->child; c; c = c->next)
		(*n)++;
	return 0;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A set must not name an element twice: checked on a sorted copy. */
static int check_unique(struct ns_cdec *d, const char **items, size_t n)
{
	if (n < 2)
		return 0;
	const char **sorted = ns_cdec_alloc(d, n, sizeof(*sorted));
	if (!sorted)
		return -ENOMEM;
	memcpy(sorted, items, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), str_cmp);
	for (size_t i = 1; i < n; i++)
		if (!strcmp(sorted[i - 1], sorted[i]))
			return ns_cdec_fail(d, "\"%.64s\" appears twice", sorted[i]);
	return 0;
}

int ns_cdec_str_array(struct ns_cdec *d, const cJSON *v, bool unique, const char ***out, size_t *n)
{
	int r = array_size(d, v, n);
	if (r < 0)
		return r;
	const char **items = ns_cdec_alloc(d, *n ? *n : 1, sizeof(*items));
	if (!items)
		return -ENOMEM;
	size_t i = 0;
	for (const cJSON *c = v->child; c; c = c->next, i++) {
		size_t mark = ns_cdec_push(d, "[%zu]", i);
		r = ns_cdec_str(d, c, &items[i]);
		ns_cdec_pop(d, mark);
		if (r < 0)
			return r;
	}
	if (unique && (r = check_unique(d, items, *n)) < 0)
		return r;
	*out = items;
	return 0;
}

int ns_cdec_id_array(struct ns_cdec *d, const cJSON *v, struct ns_console_id **out, size_t *n)
{
	int r = array_size(d, v, n);
	if (r < 0)
		return r;
	struct ns_console_id *ids = ns_cdec_alloc(d, *n ? *n : 1, sizeof(*ids));
	if (!ids)
		return -ENOMEM;
	size_t i = 0;
	for (const cJSON *c = v->child; c; c = c->next, i++) {
		size_t mark = ns_cdec_push(d, "[%zu]", i);
		r = ns_cdec_id(d, c, &ids[i]);
		ns_cdec_pop(d, mark);
		if (r < 0)
			return r;
	}
	*out = ids;
	return 0;
}

/* --- obj.key readers ------------------------------------------------------------ */

int ns_cdec_field(struct ns_cdec *d, const cJSON *obj, const char *key, const cJSON **out)
{
	*out = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!*out)
		return ns_cdec_fail(d, "missing field \"%s\"", key);
	return 0;
}

/* Runs reader on obj.key with ".key" on the path. */
#define FIELD(d, obj, key, call)                                                                   \
	({                                                                                         \
		const cJSON *fv;                                                                   \
		int r_ = ns_cdec_field(d, obj, key, &fv);                                          \
		if (r_ == 0) {                                                                     \
			size_t mark_ = ns_cdec_push(d, ".%s", key);                                \
			r_ = (call);                                                               \
			ns_cdec_pop(d, mark_);                                                     \
		}                                                                                  \
		r_;                                                                                \
	})

int ns_cdec_field_str(struct ns_cdec *d, const cJSON *obj, const char *key, const char **out)
{
	return FIELD(d, obj, key, ns_cdec_str(d, fv, out));
}

int ns_cdec_field_opt_str(struct ns_cdec *d, const cJSON *obj, const char *key, const char **out)
{
	const cJSON *present = cJSON_GetObjectItemCaseSensitive(obj, key);
	*out = NULL;
	if (!present || cJSON_IsNull(present))
		return 0;
	return FIELD(d, obj, key, ns_cdec_str(d, fv, out));
}

int ns_cdec_field_name(struct ns_cdec *d, const cJSON *obj, const char *key, const char **out)
{
	return FIELD(d, obj, key, ns_cdec_name(d, fv, out));
}

int ns_cdec_field_id(struct ns_cdec *d, const cJSON *obj, const char *key,
		     struct ns_console_id *out)
{
	return FIELD(d, obj, key, ns_cdec_id(d, fv, out));
}

static int read_bool(struct ns_cdec *d, const cJSON *v, bool *out)
{
	if (!cJSON_IsBool(v))
		return ns_cdec_fail(d, "expected a boolean, got %s", ns_cjson_kind(v));
	*out = cJSON_IsTrue(v);
	return 0;
}

int ns_cdec_field_bool(struct ns_cdec *d, const cJSON *obj, const char *key, bool *out)
{
	return FIELD(d, obj, key, read_bool(d, fv, out));
}

int ns_cdec_field_u64(struct ns_cdec *d, const cJSON *obj, const char *key, uint64_t max,
		      uint64_t *out)
{
	return FIELD(d, obj, key, ns_cdec_u64(d, fv, max, out));
}

int ns_cdec_field_opt_u64(struct ns_cdec *d, const cJSON *obj, const char *key, bool *has,
			  uint64_t *out)
{
	const cJSON *present = cJSON_GetObjectItemCaseSensitive(obj, key);
	*has = false;
	*out = 0;
	if (!present || cJSON_IsNull(present))
		return 0;
	*has = true;
	return FIELD(d, obj, key, ns_cdec_u64(d, fv, UINT64_MAX, out));
}

int ns_cdec_field_i64(struct ns_cdec *d, const cJSON *obj, const char *key, int64_t min,
		      int64_t max, int64_t *out)
{
	return FIELD(d, obj, key, ns_cdec_i64(d, fv, min, max, out));
}

/* --- encoding ----------------------------------------------------------------------- */

cJSON *ns_cenc_oom(struct ns_err *err)
{
	ns_err_set(err, ENOMEM, "out of memory");
	return NULL;
}

static cJSON *made(struct ns_err *err, cJSON *item)
{
	return item ? item : ns_cenc_oom(err);
}

cJSON *ns_cenc_object(struct ns_err *err)
{
	return made(err, cJSON_CreateObject());
}

cJSON *ns_cenc_array(struct ns_err *err)
{
	return made(err, cJSON_CreateArray());
}

static cJSON *missing(struct ns_err *err, const char *field)
{
	ns_err_set(err, EINVAL, "%s: missing (NULL)", field);
	return NULL;
}

cJSON *ns_cenc_str(struct ns_err *err, const char *field, const char *s)
{
	if (!s)
		return missing(err, field);
	if (!ns_utf8_valid(s, strlen(s))) {
		ns_err_set(err, EINVAL, "%s: not valid UTF-8", field);
		return NULL;
	}
	return made(err, cJSON_CreateString(s));
}

cJSON *ns_cenc_text(struct ns_err *err, const char *field, const char *s)
{
	if (!s)
		return missing(err, field);
	char *clean = ns_utf8_lossy(s);
	if (!clean)
		return ns_cenc_oom(err);
	cJSON *item = cJSON_CreateString(clean);
	free(clean);
	return made(err, item);
}

cJSON *ns_cenc_name(struct ns_err *err, const char *field, const char *s)
{
	if (!s)
		return missing(err, field);
	if (!ns_name_valid(s, strlen(s))) {
		ns_err_set(err, EINVAL, "%s: invalid container name \"%.64s\"", field, s);
		return NULL;
	}
	return made(err, cJSON_CreateString(s));
}

char *ns_console_id_str(const struct ns_console_id *id, char *buf, size_t size)
{
	char ver[64];
	snprintf(buf, size, "%s:%s", id->name ? id->name : "",
		 ns_version_str(&id->version, ver, sizeof(ver)));
	return buf;
}

struct ns_console_id ns_console_id_of(const struct ns_container_id *id)
{
	return (struct ns_console_id){.name = id->name, .version = id->version};
}

cJSON *ns_cenc_id(struct ns_err *err, const char *field, const struct ns_console_id *id)
{
	char buf[NS_CONTAINER_ID_STR_MAX];
	if (!id->name)
		return missing(err, field);
	if (!ns_name_valid(id->name, strlen(id->name))) {
		ns_err_set(err, EINVAL, "%s: invalid container name \"%.64s\"", field, id->name);
		return NULL;
	}
	return made(err, cJSON_CreateString(ns_console_id_str(id, buf, sizeof(buf))));
}

cJSON *ns_cenc_version(struct ns_err *err, const struct ns_version *v)
{
	char buf[64];
	return made(err, cJSON_CreateString(ns_version_str(v, buf, sizeof(buf))));
}

cJSON *ns_cenc_u64(struct ns_err *err, uint64_t v)
{
	return made(err, ns_json_u64(v));
}

cJSON *ns_cenc_i64(struct ns_err *err, int64_t v)
{
	return made(err, ns_json_i64(v));
}

cJSON *ns_cenc_bool(struct ns_err *err, bool b)
{
	return made(err, cJSON_CreateBool(b));
}

cJSON *ns_cenc_null(struct ns_err *err)
{
	return made(err, cJSON_CreateNull());
}

cJSON *ns_cenc_base64(struct ns_err *err, const uint8_t *data, size_t len)
{
	if (len && !data)
		return missing(err, "bytes");
	char *s = ns_base64_encode(data, len);
	if (!s)
		return ns_cenc_oom(err);
	cJSON *item = cJSON_CreateString(s);
	free(s);
	return made(err, item);
}

cJSON *ns_cenc_ref(struct ns_err *err, const char *field, const cJSON *obj)
{
	if (!cJSON_IsObject(obj)) {
		ns_err_set(err, EINVAL, "%s: expected a JSON object", field);
		return NULL;
	}
	return made(err, cJSON_CreateObjectReference(obj->child));
}

int ns_cenc_put(struct ns_err *err, cJSON *obj, const char *key, cJSON *item)
{
	if (!obj || !item) {
		cJSON_Delete(item);
		return ns_err_ret(err);
	}
	if (!cJSON_AddItemToObject(obj, key, item)) {
		cJSON_Delete(item);
		return ns_err_set(err, ENOMEM, "out of memory");
	}
	return 0;
}

int ns_cenc_append(struct ns_err *err, cJSON *arr, cJSON *item)
{
	if (!arr || !item) {
		cJSON_Delete(item);
		return ns_err_ret(err);
	}
	if (!cJSON_AddItemToArray(arr, item)) {
		cJSON_Delete(item);
		return ns_err_set(err, ENOMEM, "out of memory");
	}
	return 0;
}

cJSON *ns_cenc_wrap(struct ns_err *err, const char *key, cJSON *item)
{
	if (!item)
		return NULL;
	cJSON *o = ns_cenc_object(err);
	if (ns_cenc_put(err, o, key, item) < 0) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

char *ns_cenc_print(struct ns_err *err, cJSON *root)
{
	if (!root)
		return NULL;
	char *s = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	if (!s)
		ns_err_set(err, ENOMEM, "out of memory");
	return s;
}
