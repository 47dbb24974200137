/* Requests (client to server, spec §3.1): decoding and encoding of every variant. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "console_codec.h"
#include "utf8.h"

static const char *const request_names[NS_REQ_COUNT] = {
    [NS_REQ_IDENT] = "ident",
    [NS_REQ_INSPECT] = "inspect",
    [NS_REQ_INSTALL] = "install",
    [NS_REQ_KILL] = "kill",
    [NS_REQ_LIST] = "list",
    [NS_REQ_MOUNT] = "mount",
    [NS_REQ_REPOSITORIES] = "repositories",
    [NS_REQ_SHUTDOWN] = "shutdown",
    [NS_REQ_START] = "start",
    [NS_REQ_TOKEN_CREATE] = "token_create",
    [NS_REQ_TOKEN_VERIFY] = "token_verify",
    [NS_REQ_UMOUNT] = "umount",
    [NS_REQ_UNINSTALL] = "uninstall",
    [NS_REQ_LOGS] = "logs",
};

const char *ns_request_kind_name(enum ns_request_kind k)
{
	return (unsigned)k < NS_REQ_COUNT ? request_names[k] : NULL;
}

static bool request_is_unit(enum ns_request_kind k)
{
	return k == NS_REQ_IDENT || k == NS_REQ_LIST || k == NS_REQ_REPOSITORIES ||
	       k == NS_REQ_SHUTDOWN;
}

/* environment: a map of strings; keys are unique (the strict parser refuses duplicates). */
static int dec_environment(struct ns_cdec *d, const cJSON *obj, struct ns_console_request *out)
{
	const cJSON *v;
	int r = ns_cdec_field(d, obj, "environment", &v);
	if (r < 0)
		return r;
	size_t mark = ns_cdec_push(d, ".environment");
	if ((r = ns_cdec_object(d, v)) < 0)
		goto out;
	size_t n = 0;
	for (const cJSON *c = v->child; c; c = c->next)
		n++;
	out->environment = ns_cdec_alloc(d, n ? n : 1, sizeof(*out->environment));
	if (!out->environment) {
		r = -ENOMEM;
		goto out;
	}
	for (const cJSON *c = v->child; c; c = c->next) {
		size_t m = ns_cdec_push(d, ".%.64s", c->string);
		struct ns_kv *kv = &out->environment[out->nenvironment];
		kv->key = c->string;
		r = ns_cdec_str(d, c, &kv->value);
		ns_cdec_pop(d, m);
		if (r < 0)
			goto out;
		out->nenvironment++;
	}
out:
	ns_cdec_pop(d, mark);
	return r;
}

static int dec_start(struct ns_cdec *d, const cJSON *p, struct ns_console_request *out)
{
	const cJSON *v;
	int r = ns_cdec_field_id(d, p, "container", &out->container);
	if (r == 0)
		r = ns_cdec_field_opt_str(d, p, "init", &out->init);
	if (r == 0 && (r = ns_cdec_field(d, p, "arguments", &v)) == 0) {
		size_t mark = ns_cdec_push(d, ".arguments");
		r = ns_cdec_str_array(d, v, false, &out->arguments, &out->narguments);
		ns_cdec_pop(d, mark);
	}
	if (r == 0)
		r = dec_environment(d, p, out);
	return r;
}

static int dec_containers(struct ns_cdec *d, const cJSON *p, struct ns_console_request *out)
{
	const cJSON *v;
	int r = ns_cdec_field(d, p, "containers", &v);
	if (r < 0)
		return r;
	size_t mark = ns_cdec_push(d, ".containers");
	r = ns_cdec_id_array(d, v, &out->containers, &out->ncontainers);
	ns_cdec_pop(d, mark);
	return r;
}

static int dec_shared(struct ns_cdec *d, const cJSON *p, struct ns_console_request *out)
{
	const cJSON *v;
	int r = ns_cdec_field(d, p, "shared", &v);
	if (r < 0)
		return r;
	size_t mark = ns_cdec_push(d, ".shared");
	r = ns_cdec_base64(d, v, &out->shared, &out->shared_len);
	ns_cdec_pop(d, mark);
	return r;
}

static int dec_token(struct ns_cdec *d, const cJSON *p, struct ns_console_request *out)
{
	const cJSON *v;
	int r = ns_cdec_field(d, p, "token", &v);
	if (r < 0)
		return r;
	size_t mark = ns_cdec_push(d, ".token");
	r = ns_cdec_token(d, v, out->token);
	ns_cdec_pop(d, mark);
	return r;
}

static int dec_fields(struct ns_cdec *d, const cJSON *p, struct ns_console_request *out)
{
	int64_t i;
	int r;
	switch (out->kind) {
	case NS_REQ_INSPECT:
		return ns_cdec_field_id(d, p, "container", &out->container);
	case NS_REQ_INSTALL:
		r = ns_cdec_field_str(d, p, "repository", &out->repository);
		return r < 0 ? r : ns_cdec_field_u64(d, p, "size", UINT64_MAX, &out->size);
	case NS_REQ_KILL:
		r = ns_cdec_field_id(d, p, "container", &out->container);
		if (r == 0 &&
		    (r = ns_cdec_field_i64(d, p, "signal", INT32_MIN, INT32_MAX, &i)) == 0)
			out->signal = (int32_t)i;
		return r;
	case NS_REQ_MOUNT:
	case NS_REQ_UMOUNT:
		return dec_containers(d, p, out);
	case NS_REQ_START:
		return dec_start(d, p, out);
	case NS_REQ_TOKEN_CREATE:
		r = ns_cdec_field_name(d, p, "target", &out->target);
		return r < 0 ? r : dec_shared(d, p, out);
	case NS_REQ_TOKEN_VERIFY:
		r = dec_token(d, p, out);
		if (r == 0)
			r = ns_cdec_field_name(d, p, "user", &out->user);
		return r < 0 ? r : dec_shared(d, p, out);
	case NS_REQ_UNINSTALL:
		r = ns_cdec_field_id(d, p, "container", &out->container);
		return r < 0 ? r : ns_cdec_field_bool(d, p, "wipe", &out->wipe);
	case NS_REQ_LOGS:
		r = ns_cdec_field_id(d, p, "container", &out->container);
		return r < 0 ? r : ns_cdec_field_bool(d, p, "follow", &out->follow);
	default:
		return ns_cdec_fail(d, "internal: unhandled request kind");
	}
}

int ns_cdec_request(struct ns_cdec *d, const cJSON *v, struct ns_console_request *out)
{
	const cJSON *p;
	int idx;
	memset(out, 0, sizeof(*out));
	int r = ns_cdec_variant(d, v, request_names, NS_REQ_COUNT, &idx, &p);
	if (r < 0)
		return r;
	out->kind = (enum ns_request_kind)idx;
	if (request_is_unit(out->kind))
		return ns_cdec_unit(d, p);
	size_t mark = ns_cdec_push(d, ".%s", request_names[idx]);
	r = p ? ns_cdec_object(d, p) : ns_cdec_fail(d, "expected an object with the fields");
	if (r == 0)
		r = dec_fields(d, p, out);
	ns_cdec_pop(d, mark);
	return r;
}

/* --- encoding ------------------------------------------------------------------------ */

static cJSON *enc_str_array(struct ns_err *err, const char *field, const char *const *items,
			    size_t n)
{
	cJSON *a = ns_cenc_array(err);
	if (n && !items) {
		cJSON_Delete(a);
		ns_err_set(err, EINVAL, "%s: missing (NULL)", field);
		return NULL;
	}
	for (size_t i = 0; i < n && a; i++) {
		if (ns_cenc_append(err, a, ns_cenc_str(err, field, items[i])) < 0) {
			cJSON_Delete(a);
			a = NULL;
		}
	}
	return a;
}

static cJSON *enc_environment(struct ns_err *err, const struct ns_kv *env, size_t n)
{
	cJSON *o = ns_cenc_object(err);
	for (size_t i = 0; i < n && o; i++) {
		int r;
		if (!env[i].key || !ns_utf8_valid(env[i].key, strlen(env[i].key)))
			r = ns_err_set(err, EINVAL, "start.environment: key %zu is not UTF-8", i);
		else if (cJSON_GetObjectItemCaseSensitive(o, env[i].key))
			r = ns_err_set(err, EINVAL, "start.environment: duplicate key \"%.64s\"",
				       env[i].key);
		else
			r = ns_cenc_put(err, o, env[i].key,
					ns_cenc_str(err, "start.environment", env[i].value));
		if (r < 0) {
			cJSON_Delete(o);
			o = NULL;
		}
	}
	return o;
}

static cJSON *enc_ids(struct ns_err *err, const struct ns_console_id *ids, size_t n)
{
	cJSON *a = ns_cenc_array(err);
	for (size_t i = 0; i < n && a; i++) {
		if (ns_cenc_append(err, a, ns_cenc_id(err, "containers", &ids[i])) < 0) {
			cJSON_Delete(a);
			a = NULL;
		}
	}
	return a;
}

static int enc_fields(struct ns_err *err, cJSON *o, const struct ns_console_request *r)
{
	switch (r->kind) {
	case NS_REQ_INSPECT:
		return ns_cenc_put(err, o, "container",
				   ns_cenc_id(err, "container", &r->container));
	case NS_REQ_INSTALL:
		if (ns_cenc_put(err, o, "repository",
				ns_cenc_str(err, "repository", r->repository)))
			return ns_err_ret(err);
		return ns_cenc_put(err, o, "size", ns_cenc_u64(err, r->size));
	case NS_REQ_KILL:
		if (ns_cenc_put(err, o, "container", ns_cenc_id(err, "container", &r->container)))
			return ns_err_ret(err);
		return ns_cenc_put(err, o, "signal", ns_cenc_i64(err, r->signal));
	case NS_REQ_MOUNT:
	case NS_REQ_UMOUNT:
		return ns_cenc_put(err, o, "containers",
				   enc_ids(err, r->containers, r->ncontainers));
	case NS_REQ_START:
		if (ns_cenc_put(err, o, "container", ns_cenc_id(err, "container", &r->container)) ||
		    ns_cenc_put(err, o, "init",
				r->init ? ns_cenc_str(err, "init", r->init) : ns_cenc_null(err)) ||
		    ns_cenc_put(err, o, "arguments",
				enc_str_array(err, "arguments", r->arguments, r->narguments)))
			return ns_err_ret(err);
		return ns_cenc_put(err, o, "environment",
				   enc_environment(err, r->environment, r->nenvironment));
	case NS_REQ_TOKEN_CREATE:
		if (ns_cenc_put(err, o, "target", ns_cenc_name(err, "target", r->target)))
			return ns_err_ret(err);
		return ns_cenc_put(err, o, "shared", ns_cenc_base64(err, r->shared, r->shared_len));
	case NS_REQ_TOKEN_VERIFY:
		if (ns_cenc_put(err, o, "token", ns_cenc_base64(err, r->token, NS_TOKEN_LEN)) ||
		    ns_cenc_put(err, o, "user", ns_cenc_name(err, "user", r->user)))
			return ns_err_ret(err);
		return ns_cenc_put(err, o, "shared", ns_cenc_base64(err, r->shared, r->shared_len));
	case NS_REQ_UNINSTALL:
		if (ns_cenc_put(err, o, "container", ns_cenc_id(err, "container", &r->container)))
			return ns_err_ret(err);
		return ns_cenc_put(err, o, "wipe", ns_cenc_bool(err, r->wipe));
	case NS_REQ_LOGS:
		if (ns_cenc_put(err, o, "container", ns_cenc_id(err, "container", &r->container)))
			return ns_err_ret(err);
		return ns_cenc_put(err, o, "follow", ns_cenc_bool(err, r->follow));
	default:
		return ns_err_set(err, EINVAL, "request: unknown kind %d", (int)r->kind);
	}
}

cJSON *ns_cenc_request(struct ns_err *err, const struct ns_console_request *r)
{
	const char *name = ns_request_kind_name(r->kind);
	if (!name) {
		ns_err_set(err, EINVAL, "request: unknown kind %d", (int)r->kind);
		return NULL;
	}
	if (request_is_unit(r->kind))
		return ns_cenc_str(err, "request", name);
	cJSON *o = ns_cenc_object(err);
	if (!o || enc_fields(err, o, r) < 0) {
		cJSON_Delete(o);
		ns_err_wrap(err, "request %s", name);
		return NULL;
	}
	return ns_cenc_wrap(err, name, o);
}
