/* The console's requests (spec console §3.1-§3.2): each is checked against the
 * connection's permissions, carried out on the state, and answered in order;
 * notifications follow the answer. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libns/console_errtext.h"
#include "nsd.h"

#define TEXT_MAX 1024

static void respond(struct nsd *d, struct nsd_conn *c, const struct ns_console_response *r)
{
	struct ns_err err = {0};
	char *line = ns_console_encode_response(r, &err);
	if (!line) {
		ns_error(&d->log, NSD_TAG, "console: encode the %s response: %s",
			 ns_response_kind_name(r->kind), err.msg);
		nsd_conn_close(d, c);
		return;
	}
	nsd_conn_send(d, c, line, false);
}

static void result_ok(struct ns_console_result *res, const struct nsd_container *x)
{
	memset(res, 0, sizeof(*res));
	res->ok = true;
	res->container = nsd_cid(x);
}

static void result_error(struct ns_console_result *res, const struct ns_console_id *id,
			 const struct ns_console_error *e)
{
	memset(res, 0, sizeof(*res));
	res->container = *id;
	res->error = *e;
}

static void invalid_container(struct ns_console_result *res, const struct ns_console_id *id)
{
	struct ns_console_error e = {.kind = NS_ERROR_INVALID_CONTAINER, .container = *id};
	result_error(res, id, &e);
}

/* --- simple requests ------------------------------------------------------------ */

static void do_list(struct nsd *d, struct nsd_conn *c)
{
	size_t n = nsd_count(d), i = 0;
	struct ns_console_id *ids = calloc(n + 1, sizeof(*ids));
	if (!ids) {
		nsd_conn_close(d, c);
		return;
	}
	for (struct nsd_container *x = d->containers; x; x = x->next)
		ids[i++] = nsd_cid(x);
	struct ns_console_response r = {.kind = NS_RESP_LIST, .list = ids, .nlist = n};
	respond(d, c, &r);
	free(ids);
}

static void do_repositories(struct nsd *d, struct nsd_conn *c)
{
	const char **names = calloc(d->nrepos + 1, sizeof(*names));
	if (!names) {
		nsd_conn_close(d, c);
		return;
	}
	for (size_t i = 0; i < d->nrepos; i++)
		names[i] = d->repos[i].cfg->name;
	struct ns_console_response r = {
	    .kind = NS_RESP_REPOSITORIES, .repositories = names, .nrepositories = d->nrepos};
	respond(d, c, &r);
	free(names);
}

static void do_inspect(struct nsd *d, struct nsd_conn *c, const struct ns_console_request *q)
{
	struct ns_console_response r = {.kind = NS_RESP_INSPECT};
	struct nsd_container *x = nsd_find(d, &q->container);
	if (!x) {
		invalid_container(&r.result, &q->container);
		respond(d, c, &r);
		return;
	}
	result_ok(&r.result, x);
	cJSON *manifest = ns_manifest_to_json(nsd_manifest(x));
	cJSON *stats = nsd_container_statistics(d, x);
	r.data = (struct ns_container_data){
	    .manifest = manifest,
	    .repository = x->repo->cfg->name,
	    .mounted = x->blk != NULL,
	    .running = x->proc != NULL,
	    .pid = x->proc ? (uint32_t)x->proc->pid : 0,
	    .uptime_ns = x->proc ? nsd_now_ns() - x->proc->start_ns : 0,
	    .statistics = stats,
	};
	if (manifest && stats)
		respond(d, c, &r);
	else
		nsd_conn_close(d, c);
	cJSON_Delete(manifest);
	cJSON_Delete(stats);
}

static void do_kill(struct nsd *d, struct nsd_conn *c, const struct ns_console_request *q)
{
	struct ns_console_response r = {.kind = NS_RESP_KILL};
	struct nsd_container *x = nsd_find(d, &q->container);
	struct ns_console_error e = {0};
	char text[TEXT_MAX];
	if (!x)
		invalid_container(&r.result, &q->container);
	else if (nsd_kill(d, x, q->signal, &e, text, sizeof(text)) < 0)
		result_error(&r.result, &q->container, &e);
	else
		result_ok(&r.result, x);
	respond(d, c, &r);
}

/* The request's environment within the limits a manifest's has (spec §5b P-C3): more
 * would only be a way to make the daemon copy megabytes into every start. */
static bool env_too_big(const struct ns_console_request *q, char *text, size_t size)
{
	if (q->nenvironment > NS_ENV_MAX) {
		snprintf(text, size, "%zu environment variables, more than %d", q->nenvironment,
			 NS_ENV_MAX);
		return true;
	}
	for (size_t i = 0; i < q->nenvironment; i++) {
		const struct ns_kv *kv = &q->environment[i];
		if (strlen(kv->key) > NS_ENV_NAME_MAX || strlen(kv->value) > NS_ENV_VALUE_MAX) {
			snprintf(text, size,
				 "environment variable '%.64s': the name may have %d bytes and the "
				 "value %d",
				 kv->key, NS_ENV_NAME_MAX, NS_ENV_VALUE_MAX);
			return true;
		}
	}
	return false;
}

/* Closes idle console clients until the descriptor reserve is free for what follows. */
static void fd_reserve(struct nsd *d, const struct nsd_conn *keep, const char *why)
{
	struct nsd_conn *v;
	while ((v = nsd_console_fd_victim(d, keep, why)))
		nsd_conn_close(d, v);
}

/* A start never fails for the console's sake: clients are closed first if they hold the
 * descriptors it needs. */
static int start_reserved(struct nsd *d, struct nsd_conn *c, struct nsd_container *x,
			  const struct nsd_start_args *a, struct ns_console_error *e, char *text,
			  size_t size)
{
	fd_reserve(d, c, "a start");
	return nsd_start(d, x, a, e, text, size);
}

static void do_start(struct nsd *d, struct nsd_conn *c, const struct ns_console_request *q)
{
	struct ns_console_response r = {.kind = NS_RESP_START};
	struct nsd_container *x = nsd_find(d, &q->container);
	struct ns_console_error e = {0};
	char text[TEXT_MAX];
	struct nsd_start_args a = {
	    .init = q->init,
	    .args = q->arguments,
	    .nargs = q->narguments,
	    .env = q->environment,
	    .nenv = q->nenvironment,
	};
	bool ok = false;
	if (!x) {
		invalid_container(&r.result, &q->container);
	} else if (env_too_big(q, text, sizeof(text))) {
		e.kind = NS_ERROR_INVALID_ARGUMENTS;
		e.text = text;
		result_error(&r.result, &q->container, &e);
	} else if (start_reserved(d, c, x, &a, &e, text, sizeof(text)) < 0) {
		result_error(&r.result, &q->container, &e);
	} else {
		result_ok(&r.result, x);
		ok = true;
	}
	respond(d, c, &r);
	if (ok)
		nsd_notify_container(d, NS_NOTIF_STARTED, x);
}

static void do_uninstall(struct nsd *d, struct nsd_conn *c, const struct ns_console_request *q)
{
	struct ns_console_response r = {.kind = NS_RESP_UNINSTALL};
	struct nsd_container *x = nsd_find(d, &q->container);
	struct ns_console_error e = {0};
	char text[TEXT_MAX];
	if (!x) {
		invalid_container(&r.result, &q->container);
		respond(d, c, &r);
		return;
	}
	if (nsd_uninstall(d, x, q->wipe, &e, text, sizeof(text)) < 0) {
		result_error(&r.result, &q->container, &e);
		respond(d, c, &r);
		return;
	}
	ns_info(&d->log, NSD_TAG, "Uninstalled %s", x->id);
	result_ok(&r.result, x);
	respond(d, c, &r);
	nsd_notify_container(d, NS_NOTIF_UNINSTALL, x);
	nsd_container_free(x);
}

/* --- mount and umount: one result per container, in request order ---------------- */

static void mount_one(struct nsd *d, const struct ns_console_id *id, struct ns_console_result *res,
		      char *text)
{
	struct nsd_container *x = nsd_find(d, id);
	struct ns_err err = {0};
	if (!x || x->blk) { /* Northstar: mounting a mounted container is invalid too */
		invalid_container(res, id);
	} else if (nsd_mount(d, x, &err) < 0) {
		struct ns_console_error e = {.kind = NS_ERROR_UNEXPECTED, .text = text};
		snprintf(text, TEXT_MAX, "%s", err.msg);
		result_error(res, id, &e);
	} else {
		result_ok(res, x);
	}
}

static void umount_one(struct nsd *d, const struct ns_console_id *id, struct ns_console_result *res,
		       char *text)
{
	struct nsd_container *x = nsd_find(d, id);
	struct ns_err err = {0};
	struct ns_console_error e = {0};
	if (!x) {
		invalid_container(res, id);
		return;
	}
	struct nsd_container *user = x->proc ? x : nsd_resource_user(d, x);
	if (!x->blk || user) { /* not mounted is "busy" too, as in Northstar */
		nsd_error(&e, NS_ERROR_UMOUNT_BUSY, user ? user : x);
		result_error(res, id, &e);
	} else if (nsd_umount(d, x, &err) < 0) {
		e.kind = NS_ERROR_UNEXPECTED;
		e.text = text;
		snprintf(text, TEXT_MAX, "%s", err.msg);
		result_error(res, id, &e);
	} else {
		result_ok(res, x);
	}
}

static void do_mounts(struct nsd *d, struct nsd_conn *c, const struct ns_console_request *q,
		      bool mount)
{
	size_t n = q->ncontainers;
	struct ns_console_result *res = calloc(n + 1, sizeof(*res));
	char *texts = calloc(n + 1, TEXT_MAX);
	if (!res || !texts) {
		free(res);
		free(texts);
		nsd_conn_close(d, c);
		return;
	}
	if (mount) /* loop devices, mount descriptors */
		fd_reserve(d, c, "a mount");
	for (size_t i = 0; i < n; i++) {
		if (mount)
			mount_one(d, &q->containers[i], &res[i], texts + i * TEXT_MAX);
		else
			umount_one(d, &q->containers[i], &res[i], texts + i * TEXT_MAX);
	}
	struct ns_console_response r = {
	    .kind = mount ? NS_RESP_MOUNT : NS_RESP_UMOUNT, .results = res, .nresults = n};
	respond(d, c, &r);
	free(res);
	free(texts);
}

/* --- install ---------------------------------------------------------------------- */

static void do_install(struct nsd *d, struct nsd_conn *c, const struct ns_console_request *q)
{
	if (q->size > c->opts->max_npk_install_size) {
		ns_warn(&d->log, NSD_TAG,
			"console: install of %llu bytes is over the limit of "
			"%llu: closing the connection",
			(unsigned long long)q->size,
			(unsigned long long)c->opts->max_npk_install_size);
		nsd_conn_close(d, c);
		return;
	}
	c->inst = calloc(1, sizeof(*c->inst));
	if (!c->inst) {
		nsd_conn_close(d, c);
		return;
	}
	fd_reserve(d, c, "an install"); /* a temporary file, a pipe */
	nsd_install_begin(d, c->inst, q->repository, q->size);
	nsd_conn_begin_stream(d, c);
}

void nsd_install_done(struct nsd *d, struct nsd_conn *c)
{
	struct ns_console_response r = {.kind = NS_RESP_INSTALL};
	struct ns_console_error e = {0};
	const char *repo = c->inst->repo ? c->inst->repo->cfg->name : "";
	struct nsd_container *x = nsd_install_finish(d, c->inst, &e);
	if (!x) {
		r.result.error = e;
		char why[1024];
		ns_warn(&d->log, NSD_TAG, "Install failed: %s",
			e.text ? e.text : ns_console_errtext(&e, why, sizeof(why)));
		respond(d, c, &r);
		return;
	}
	ns_info(&d->log, NSD_TAG, "Installed %s into %s", x->id, repo);
	result_ok(&r.result, x);
	respond(d, c, &r);
	nsd_notify_container(d, NS_NOTIF_INSTALL, x);
}

/* --- tokens ----------------------------------------------------------------------- */

static void do_token(struct nsd *d, struct nsd_conn *c, const struct ns_console_request *q)
{
	struct ns_console_response r = {.kind = NS_RESP_TOKEN};
	struct ns_err err = {0};
	uint64_t now = nsd_now_ms() - d->start_ms;
	if (q->kind == NS_REQ_TOKEN_CREATE) {
		struct ns_token_party target = ns_token_party_named(q->target);
		if (ns_token_create(&d->token_key, now, &c->self, &target, q->shared, q->shared_len,
				    r.token, &err) < 0) {
			ns_error(&d->log, NSD_TAG, "token: %s", err.msg);
			nsd_conn_close(d, c);
			return;
		}
	} else {
		struct ns_token_party user = ns_token_party_named(q->user);
		r.kind = NS_RESP_TOKEN_VERIFICATION;
		r.verification =
		    ns_token_verify(&d->token_key, now, c->opts->token_validity_ns / 1000000u,
				    q->token, &user, &c->self, q->shared, q->shared_len);
	}
	respond(d, c, &r);
}

/* --- dispatch --------------------------------------------------------------------- */

void nsd_request(struct nsd *d, struct nsd_conn *c, const struct ns_console_request *q)
{
	struct ns_console_response r = {0};
	if (!ns_console_request_permitted(c->perms, q)) {
		r.kind = NS_RESP_PERMISSION_DENIED;
		r.denied = q;
		respond(d, c, &r);
		return;
	}
	switch (q->kind) {
	case NS_REQ_IDENT: /* a container's own id; extern:0.0.0 outside */
		r.kind = NS_RESP_IDENT;
		if (c->owner)
			r.ident = nsd_cid(c->owner);
		else
			r.ident.name = c->self.name;
		respond(d, c, &r);
		break;
	case NS_REQ_LIST:
		do_list(d, c);
		break;
	case NS_REQ_REPOSITORIES:
		do_repositories(d, c);
		break;
	case NS_REQ_SHUTDOWN:
		r.kind = NS_RESP_SHUTDOWN;
		respond(d, c, &r);
		nsd_request_shutdown(d, 0);
		break;
	case NS_REQ_INSPECT:
		do_inspect(d, c, q);
		break;
	case NS_REQ_INSTALL:
		do_install(d, c, q);
		break;
	case NS_REQ_KILL:
		do_kill(d, c, q);
		break;
	case NS_REQ_MOUNT:
	case NS_REQ_UMOUNT:
		do_mounts(d, c, q, q->kind == NS_REQ_MOUNT);
		break;
	case NS_REQ_START:
		do_start(d, c, q);
		break;
	case NS_REQ_TOKEN_CREATE:
	case NS_REQ_TOKEN_VERIFY:
		do_token(d, c, q);
		break;
	case NS_REQ_UNINSTALL:
		do_uninstall(d, c, q);
		break;
	case NS_REQ_LOGS: /* ours: logs.c */
		nsd_logs_request(d, c, q);
		break;
	default:
		nsd_conn_close(d, c);
		break;
	}
}
