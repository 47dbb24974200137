/* Responses (server to client, spec §3.2) with their results, the error variants of
 * §3.5, and the container data of inspect. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "console_codec.h"
#include "util.h"

/* --- error variants -------------------------------------------------------------- */
enum { F_CONTAINER = 1, F_TEXT = 2, F_RESOURCE = 4, F_REPOSITORY = 8, F_STATUS = 16 };

static const struct error_desc {
	const char *name;
	const char *text_key; /* the key of the free text, for F_TEXT */
	unsigned fields;
} error_descs[NS_ERROR_COUNT] = {
    [NS_ERROR_CONFIGURATION] = {"configuration", "context", F_TEXT},
    [NS_ERROR_DUPLICATE_CONTAINER] = {"duplicate_container", NULL, F_CONTAINER},
    [NS_ERROR_INVALID_CONTAINER] = {"invalid_container", NULL, F_CONTAINER},
    [NS_ERROR_INVALID_ARGUMENTS] = {"invalid_arguments", "cause", F_TEXT},
    [NS_ERROR_MOUNT_BUSY] = {"mount_busy", NULL, F_CONTAINER},
    [NS_ERROR_UMOUNT_BUSY] = {"umount_busy", NULL, F_CONTAINER},
    [NS_ERROR_START_CONTAINER_STARTED] = {"start_container_started", NULL, F_CONTAINER},
    [NS_ERROR_START_CONTAINER_RESOURCE] = {"start_container_resource", NULL, F_CONTAINER},
    [NS_ERROR_START_CONTAINER_MISSING_RESOURCE] = {"start_container_missing_resource", NULL,
						   F_CONTAINER | F_RESOURCE},
    [NS_ERROR_START_CONTAINER_FAILED] = {"start_container_failed", "error", F_CONTAINER | F_TEXT},
    [NS_ERROR_STOP_CONTAINER_NOT_STARTED] = {"stop_container_not_started", NULL, F_CONTAINER},
    [NS_ERROR_INVALID_REPOSITORY] = {"invalid_repository", NULL, F_REPOSITORY},
    [NS_ERROR_INSTALL_DUPLICATE] = {"install_duplicate", NULL, F_CONTAINER},
    [NS_ERROR_CRITICAL_CONTAINER] = {"critical_container", NULL, F_CONTAINER | F_STATUS},
    [NS_ERROR_UNEXPECTED] = {"unexpected", "error", F_TEXT},
};

static const char *const response_names[NS_RESP_COUNT] = {
    [NS_RESP_IDENT] = "ident",
    [NS_RESP_INSPECT] = "inspect",
    [NS_RESP_INSTALL] = "install",
    [NS_RESP_KILL] = "kill",
    [NS_RESP_LIST] = "list",
    [NS_RESP_MOUNT] = "mount",
    [NS_RESP_PERMISSION_DENIED] = "permission_denied",
    [NS_RESP_REPOSITORIES] = "repositories",
    [NS_RESP_SHUTDOWN] = "shutdown",
    [NS_RESP_START] = "start",
    [NS_RESP_TOKEN] = "token",
    [NS_RESP_TOKEN_VERIFICATION] = "token_verification",
    [NS_RESP_UMOUNT] = "umount",
    [NS_RESP_UNINSTALL] = "uninstall",
    [NS_RESP_LOGS] = "logs",
};

/* VerificationResult has no rename: its variants are capitalised. */
static const char *const verification_names[] = {
    [NS_VERIFY_OK] = "Ok",
    [NS_VERIFY_INVALID] = "Invalid",
    [NS_VERIFY_EXPIRED] = "Expired",
    [NS_VERIFY_FUTURE] = "Future",
};

static const char *const result_names[] = {"ok", "error"};

const char *ns_error_kind_name(enum ns_error_kind k)
{
	return (unsigned)k < NS_ERROR_COUNT ? error_descs[k].name : NULL;
}

const char *ns_response_kind_name(enum ns_response_kind k)
{
	return (unsigned)k < NS_RESP_COUNT ? response_names[k] : NULL;
}

const char *ns_verification_name(enum ns_verification v)
{
	return (unsigned)v < ARRAY_SIZE(verification_names) ? verification_names[v] : NULL;
}

static int dec_missing_resource(struct ns_cdec *d, const cJSON *p, struct ns_console_error *out)
{
	struct ns_version_req req;
	int r = ns_cdec_field_name(d, p, "resource", &out->resource);
	if (r == 0)
		r = ns_cdec_field_str(d, p, "version", &out->version);
	if (r == 0 && ns_version_req_parse(out->version, &req) < 0) {
		size_t mark = ns_cdec_push(d, ".version");
		r = ns_cdec_fail(d, "invalid version requirement \"%.64s\"", out->version);
		ns_cdec_pop(d, mark);
	}
	return r;
}

static int dec_error_fields(struct ns_cdec *d, const cJSON *p, const struct error_desc *desc,
			    struct ns_console_error *out)
{
	const cJSON *v;
	int r = 0;
	if (desc->fields & F_CONTAINER)
		r = ns_cdec_field_id(d, p, "container", &out->container);
	if (r == 0 && desc->fields & F_RESOURCE)
		r = dec_missing_resource(d, p, out);
	if (r == 0 && desc->fields & F_TEXT)
		r = ns_cdec_field_str(d, p, desc->text_key, &out->text);
	if (r == 0 && desc->fields & F_REPOSITORY)
		r = ns_cdec_field_str(d, p, "repository", &out->repository);
	if (r == 0 && desc->fields & F_STATUS && (r = ns_cdec_field(d, p, "status", &v)) == 0) {
		size_t mark = ns_cdec_push(d, ".status");
		r = ns_cdec_exit_status(d, v, &out->status);
		ns_cdec_pop(d, mark);
	}
	return r;
}

static int dec_error(struct ns_cdec *d, const cJSON *v, struct ns_console_error *out)
{
	const char *names[NS_ERROR_COUNT];
	const cJSON *p;
	int idx;
	for (size_t i = 0; i < NS_ERROR_COUNT; i++)
		names[i] = error_descs[i].name;
	int r = ns_cdec_variant(d, v, names, NS_ERROR_COUNT, &idx, &p);
	if (r < 0)
		return r;
	out->kind = (enum ns_error_kind)idx;
	size_t mark = ns_cdec_push(d, ".%s", names[idx]);
	r = p ? ns_cdec_object(d, p) : ns_cdec_fail(d, "expected an object with the fields");
	if (r == 0)
		r = dec_error_fields(d, p, &error_descs[idx], out);
	ns_cdec_pop(d, mark);
	return r;
}

/* --- results ------------------------------------------------------------------------- */

static int dec_process(struct ns_cdec *d, const cJSON *p, struct ns_container_data *out)
{
	uint64_t pid;
	int r = ns_cdec_object(d, p);
	if (r == 0 && (r = ns_cdec_field_u64(d, p, "pid", UINT32_MAX, &pid)) == 0)
		out->pid = (uint32_t)pid;
	if (r == 0)
		r = ns_cdec_field_u64(d, p, "uptime", UINT64_MAX, &out->uptime_ns);
	if (r == 0 && (r = ns_cdec_field(d, p, "statistics", &out->statistics)) == 0) {
		size_t mark = ns_cdec_push(d, ".statistics");
		r = ns_cdec_object(d, out->statistics);
		ns_cdec_pop(d, mark);
	}
	return r;
}

static int dec_data(struct ns_cdec *d, const cJSON *v, struct ns_container_data *out)
{
	const cJSON *p;
	int r = ns_cdec_object(d, v);
	if (r == 0 && (r = ns_cdec_field(d, v, "manifest", &out->manifest)) == 0) {
		size_t mark = ns_cdec_push(d, ".manifest");
		r = ns_cdec_object(d, out->manifest);
		ns_cdec_pop(d, mark);
	}
	if (r == 0)
		r = ns_cdec_field_str(d, v, "repository", &out->repository);
	if (r == 0)
		r = ns_cdec_field_bool(d, v, "mounted", &out->mounted);
	if (r < 0)
		return r;
	p = cJSON_GetObjectItemCaseSensitive(v, "process");
	if (!p || cJSON_IsNull(p))
		return 0;
	out->running = true;
	size_t mark = ns_cdec_push(d, ".process");
	r = dec_process(d, p, out);
	ns_cdec_pop(d, mark);
	return r;
}

/* ok{container[, data]} | error{[container,] error}. install's error has no container;
 * data is non-NULL for inspect. */
static int dec_result(struct ns_cdec *d, const cJSON *v, bool error_has_container,
		      struct ns_console_result *out, struct ns_container_data *data)
{
	const cJSON *p, *e;
	int idx;
	int r = ns_cdec_variant(d, v, result_names, 2, &idx, &p);
	if (r < 0)
		return r;
	out->ok = idx == 0;
	size_t mark = ns_cdec_push(d, ".%s", result_names[idx]);
	r = p ? ns_cdec_object(d, p) : ns_cdec_fail(d, "expected an object with the fields");
	if (r == 0 && (out->ok || error_has_container))
		r = ns_cdec_field_id(d, p, "container", &out->container);
	if (r == 0 && out->ok && data && (r = ns_cdec_field(d, p, "data", &e)) == 0) {
		size_t m = ns_cdec_push(d, ".data");
		r = dec_data(d, e, data);
		ns_cdec_pop(d, m);
	}
	if (r == 0 && !out->ok && (r = ns_cdec_field(d, p, "error", &e)) == 0) {
		size_t m = ns_cdec_push(d, ".error");
		r = dec_error(d, e, &out->error);
		ns_cdec_pop(d, m);
	}
	ns_cdec_pop(d, mark);
	return r;
}

static int dec_results(struct ns_cdec *d, const cJSON *v, struct ns_console_response *out)
{
	if (!cJSON_IsArray(v))
		return ns_cdec_fail(d, "expected an array, got %s", ns_cjson_kind(v));
	size_t n = (size_t)cJSON_GetArraySize(v), i = 0;
	out->results = ns_cdec_alloc(d, n ? n : 1, sizeof(*out->results));
	if (!out->results)
		return -ENOMEM;
	for (const cJSON *c = v->child; c; c = c->next, i++) {
		size_t mark = ns_cdec_push(d, "[%zu]", i);
		int r = dec_result(d, c, true, &out->results[i], NULL);
		ns_cdec_pop(d, mark);
		if (r < 0)
			return r;
		out->nresults++;
	}
	return 0;
}

static int dec_verification(struct ns_cdec *d, const cJSON *v, enum ns_verification *out)
{
	const cJSON *p;
	int idx;
	int r = ns_cdec_variant(d, v, verification_names, ARRAY_SIZE(verification_names), &idx, &p);
	if (r < 0)
		return r;
	*out = (enum ns_verification)idx;
	return ns_cdec_unit(d, p);
}

static int dec_denied(struct ns_cdec *d, const cJSON *v, struct ns_console_response *out)
{
	struct ns_console_request *q = ns_cdec_alloc(d, 1, sizeof(*q));
	if (!q)
		return -ENOMEM;
	out->denied = q;
	return ns_cdec_request(d, v, q);
}

/* logs: a result whose ok carries the lines too (console_logs.c). */
static int dec_logs(struct ns_cdec *d, const cJSON *p, struct ns_console_response *out)
{
	int r = dec_result(d, p, true, &out->result, NULL);
	if (r < 0 || !out->result.ok)
		return r;
	size_t mark = ns_cdec_push(d, ".ok");
	r = ns_cdec_logs(d, cJSON_GetObjectItemCaseSensitive(p, "ok"), &out->logs);
	ns_cdec_pop(d, mark);
	return r;
}

static int dec_payload(struct ns_cdec *d, const cJSON *p, struct ns_console_response *out)
{
	switch (out->kind) {
	case NS_RESP_IDENT:
		return ns_cdec_id(d, p, &out->ident);
	case NS_RESP_INSPECT:
		return dec_result(d, p, true, &out->result, &out->data);
	case NS_RESP_INSTALL:
		return dec_result(d, p, false, &out->result, NULL);
	case NS_RESP_KILL:
	case NS_RESP_START:
	case NS_RESP_UNINSTALL:
		return dec_result(d, p, true, &out->result, NULL);
	case NS_RESP_LIST:
		return ns_cdec_id_array(d, p, &out->list, &out->nlist);
	case NS_RESP_MOUNT:
	case NS_RESP_UMOUNT:
		return dec_results(d, p, out);
	case NS_RESP_PERMISSION_DENIED:
		return dec_denied(d, p, out);
	case NS_RESP_REPOSITORIES:
		return ns_cdec_str_array(d, p, true, &out->repositories, &out->nrepositories);
	case NS_RESP_TOKEN:
		return ns_cdec_token(d, p, out->token);
	case NS_RESP_TOKEN_VERIFICATION:
		return dec_verification(d, p, &out->verification);
	case NS_RESP_LOGS:
		return dec_logs(d, p, out);
	default:
		return ns_cdec_fail(d, "internal: unhandled response kind");
	}
}

int ns_cdec_response(struct ns_cdec *d, const cJSON *v, struct ns_console_response *out)
{
	const cJSON *p;
	int idx;
	memset(out, 0, sizeof(*out));
	int r = ns_cdec_variant(d, v, response_names, NS_RESP_COUNT, &idx, &p);
	if (r < 0)
		return r;
	out->kind = (enum ns_response_kind)idx;
	if (out->kind == NS_RESP_SHUTDOWN)
		return ns_cdec_unit(d, p);
	size_t mark = ns_cdec_push(d, ".%s", response_names[idx]);
	r = p ? dec_payload(d, p, out) : ns_cdec_fail(d, "expected a value");
	ns_cdec_pop(d, mark);
	return r;
}

/* --- encoding ------------------------------------------------------------------------ */

static int enc_error_fields(struct ns_err *err, cJSON *o, const struct error_desc *desc,
			    const struct ns_console_error *e)
{
	struct ns_version_req req;
	if (desc->fields & F_CONTAINER &&
	    ns_cenc_put(err, o, "container", ns_cenc_id(err, "container", &e->container)))
		return ns_err_ret(err);
	if (desc->fields & F_RESOURCE) {
		if (ns_cenc_put(err, o, "resource", ns_cenc_name(err, "resource", e->resource)))
			return ns_err_ret(err);
		if (e->version && ns_version_req_parse(e->version, &req) < 0)
			return ns_err_set(err, EINVAL, "version: invalid requirement \"%.64s\"",
					  e->version);
		if (ns_cenc_put(err, o, "version", ns_cenc_str(err, "version", e->version)))
			return ns_err_ret(err);
	}
	if (desc->fields & F_TEXT &&
	    ns_cenc_put(err, o, desc->text_key, ns_cenc_text(err, desc->text_key, e->text)))
		return ns_err_ret(err);
	if (desc->fields & F_REPOSITORY &&
	    ns_cenc_put(err, o, "repository", ns_cenc_str(err, "repository", e->repository)))
		return ns_err_ret(err);
	if (desc->fields & F_STATUS &&
	    ns_cenc_put(err, o, "status", ns_cenc_exit_status(err, &e->status)))
		return ns_err_ret(err);
	return 0;
}

static cJSON *enc_error(struct ns_err *err, const struct ns_console_error *e)
{
	if ((unsigned)e->kind >= NS_ERROR_COUNT) {
		ns_err_set(err, EINVAL, "error: unknown kind %d", (int)e->kind);
		return NULL;
	}
	const struct error_desc *desc = &error_descs[e->kind];
	cJSON *o = ns_cenc_object(err);
	if (!o || enc_error_fields(err, o, desc, e) < 0) {
		cJSON_Delete(o);
		ns_err_wrap(err, "error %s", desc->name);
		return NULL;
	}
	return ns_cenc_wrap(err, desc->name, o);
}

static cJSON *enc_data(struct ns_err *err, const struct ns_container_data *data)
{
	cJSON *o = ns_cenc_object(err), *p = NULL;
	if (ns_cenc_put(err, o, "manifest", ns_cenc_ref(err, "manifest", data->manifest)) ||
	    ns_cenc_put(err, o, "repository", ns_cenc_str(err, "repository", data->repository)) ||
	    ns_cenc_put(err, o, "mounted", ns_cenc_bool(err, data->mounted)))
		goto fail;
	if (data->running) {
		p = ns_cenc_object(err);
		if (ns_cenc_put(err, p, "pid", ns_cenc_u64(err, data->pid)) ||
		    ns_cenc_put(err, p, "uptime", ns_cenc_u64(err, data->uptime_ns)) ||
		    ns_cenc_put(err, p, "statistics",
				ns_cenc_ref(err, "statistics", data->statistics))) {
			cJSON_Delete(p);
			goto fail;
		}
	} else {
		p = ns_cenc_null(err);
	}
	if (ns_cenc_put(err, o, "process", p))
		goto fail;
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}

static cJSON *enc_result(struct ns_err *err, const struct ns_console_result *res,
			 bool error_has_container, const struct ns_container_data *data)
{
	cJSON *o = ns_cenc_object(err);
	int r = 0;
	if (res->ok || error_has_container)
		r = ns_cenc_put(err, o, "container", ns_cenc_id(err, "container", &res->container));
	if (r == 0 && res->ok && data)
		r = ns_cenc_put(err, o, "data", enc_data(err, data));
	if (r == 0 && !res->ok)
		r = ns_cenc_put(err, o, "error", enc_error(err, &res->error));
	if (r < 0) {
		cJSON_Delete(o);
		return NULL;
	}
	return ns_cenc_wrap(err, result_names[res->ok ? 0 : 1], o);
}

static cJSON *enc_results(struct ns_err *err, const struct ns_console_result *res, size_t n)
{
	cJSON *a = ns_cenc_array(err);
	for (size_t i = 0; i < n && a; i++) {
		if (ns_cenc_append(err, a, enc_result(err, &res[i], true, NULL)) < 0) {
			cJSON_Delete(a);
			a = NULL;
		}
	}
	return a;
}

static cJSON *enc_list(struct ns_err *err, const struct ns_console_response *r)
{
	cJSON *a = ns_cenc_array(err);
	for (size_t i = 0; i < r->nlist && a; i++) {
		if (ns_cenc_append(err, a, ns_cenc_id(err, "list", &r->list[i])) < 0) {
			cJSON_Delete(a);
			a = NULL;
		}
	}
	return a;
}

static cJSON *enc_repositories(struct ns_err *err, const struct ns_console_response *r)
{
	cJSON *a = ns_cenc_array(err);
	for (size_t i = 0; i < r->nrepositories && a; i++) {
		for (size_t j = 0; j < i; j++) {
			if (r->repositories[i] && r->repositories[j] &&
			    !strcmp(r->repositories[i], r->repositories[j])) {
				ns_err_set(err, EINVAL, "repositories: \"%.64s\" appears twice",
					   r->repositories[i]);
				cJSON_Delete(a);
				return NULL;
			}
		}
		if (ns_cenc_append(err, a, ns_cenc_str(err, "repositories", r->repositories[i])) <
		    0) {
			cJSON_Delete(a);
			a = NULL;
		}
	}
	return a;
}

static cJSON *enc_logs(struct ns_err *err, const struct ns_console_response *r)
{
	cJSON *w = enc_result(err, &r->result, true, NULL);
	if (w && r->result.ok &&
	    ns_cenc_logs(err, cJSON_GetObjectItemCaseSensitive(w, "ok"), &r->logs) < 0) {
		cJSON_Delete(w);
		return NULL;
	}
	return w;
}

static cJSON *enc_payload(struct ns_err *err, const struct ns_console_response *r)
{
	switch (r->kind) {
	case NS_RESP_IDENT:
		return ns_cenc_id(err, "ident", &r->ident);
	case NS_RESP_INSPECT:
		return enc_result(err, &r->result, true, &r->data);
	case NS_RESP_INSTALL:
		return enc_result(err, &r->result, false, NULL);
	case NS_RESP_KILL:
	case NS_RESP_START:
	case NS_RESP_UNINSTALL:
		return enc_result(err, &r->result, true, NULL);
	case NS_RESP_LIST:
		return enc_list(err, r);
	case NS_RESP_MOUNT:
	case NS_RESP_UMOUNT:
		return enc_results(err, r->results, r->nresults);
	case NS_RESP_PERMISSION_DENIED:
		if (!r->denied) {
			ns_err_set(err, EINVAL, "permission_denied: no request");
			return NULL;
		}
		return ns_cenc_request(err, r->denied);
	case NS_RESP_REPOSITORIES:
		return enc_repositories(err, r);
	case NS_RESP_TOKEN:
		return ns_cenc_base64(err, r->token, NS_TOKEN_LEN);
	case NS_RESP_TOKEN_VERIFICATION:
		if (!ns_verification_name(r->verification)) {
			ns_err_set(err, EINVAL, "token_verification: unknown result");
			return NULL;
		}
		return ns_cenc_str(err, "token_verification",
				   ns_verification_name(r->verification));
	case NS_RESP_LOGS:
		return enc_logs(err, r);
	default:
		ns_err_set(err, EINVAL, "unknown kind %d", (int)r->kind);
		return NULL;
	}
}

cJSON *ns_cenc_response(struct ns_err *err, const struct ns_console_response *r)
{
	const char *name = ns_response_kind_name(r->kind);
	if (r->kind == NS_RESP_SHUTDOWN)
		return ns_cenc_str(err, "response", name);
	cJSON *p = enc_payload(err, r);
	if (!p) {
		ns_err_wrap(err, "response %s", name ? name : "?");
		return NULL;
	}
	return ns_cenc_wrap(err, name, p);
}
