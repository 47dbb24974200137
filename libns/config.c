#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "console_addr.h"
#include "io.h"
#include "manifest.h"
#include "units.h"

#define CONFIG_MAX_BYTES (1u << 20)

/* One parse: the document, for positions, and the error to fill. */
struct cfgp {
	const struct ns_ydoc *doc;
	struct ns_err *err;
};

static int bad(struct cfgp *p, const struct ns_ynode *n, const char *key, const char *what)
{
	return ns_yerr(p->err, p->doc, n, EINVAL, "%s: %s", key, what);
}

static int want_kind(struct cfgp *p, const struct ns_ynode *n, enum ns_ykind k, const char *key)
{
	if (n->kind == k)
		return 0;
	return ns_yerr(p->err, p->doc, n, EINVAL, "%s: expected %s, found %s", key,
		       ns_ykind_name(k), ns_ykind_name(n->kind));
}

static int get_str(struct cfgp *p, const struct ns_ynode *n, const char *key, const char **out)
{
	int r = want_kind(p, n, NS_YSCALAR, key);
	if (r < 0)
		return r;
	if (ns_yscalar_has_nul(n) || n->len == 0)
		return bad(p, n, key, n->len ? "contains a NUL byte" : "must not be empty");
	*out = n->str;
	return 0;
}

static int get_u64(struct cfgp *p, const struct ns_ynode *n, const char *key, uint64_t max,
		   uint64_t *out)
{
	int r = want_kind(p, n, NS_YSCALAR, key);
	if (r < 0)
		return r;
	if (ns_yscalar_u64(n, out) < 0 || *out > max)
		return bad(p, n, key, "expected an unsigned integer in range");
	return 0;
}

static int get_bool(struct cfgp *p, const struct ns_ynode *n, const char *key, bool *out)
{
	if (n->kind != NS_YSCALAR || ns_yscalar_bool(n, out) < 0)
		return bad(p, n, key, "expected true or false");
	return 0;
}

/* Sizes: an integer of bytes, or a string with a unit ("100MB", "1 MiB"). */
static int get_size(struct cfgp *p, const struct ns_ynode *n, const char *key, uint64_t *out)
{
	int r = want_kind(p, n, NS_YSCALAR, key);
	if (r < 0)
		return r;
	if (ns_yscalar_u64(n, out) == 0 || ns_parse_size(n->str, 1, out) == 0)
		return 0;
	return bad(p, n, key, "expected a size such as 1048576, \"100MB\" or \"1MiB\"");
}

static int get_duration(struct cfgp *p, const struct ns_ynode *n, const char *key, uint64_t *out_ns)
{
	int r = want_kind(p, n, NS_YSCALAR, key);
	if (r < 0)
		return r;
	if (ns_parse_duration(n->str, out_ns) < 0)
		return bad(p, n, key, "expected a duration such as \"5s\", \"1m\" or \"500ms\"");
	return 0;
}

static int unknown(struct cfgp *p, const struct ns_ynode *k, const char *section)
{
	return ns_yerr(p->err, p->doc, k, EINVAL, "unknown key '%s' in %s", k->str, section);
}

/* Keys repeat only by mistake: YAML allows it, we refuse it. */
static int check_map(struct cfgp *p, const struct ns_ynode *m, const char *section)
{
	int r = want_kind(p, m, NS_YMAP, section);
	if (r < 0)
		return r;
	for (size_t i = 0; i < m->n; i++) {
		const struct ns_ynode *k = ns_ymap_key(m, i);
		if (k->kind != NS_YSCALAR)
			return bad(p, k, section, "keys must be scalars");
		for (size_t j = 0; j < i; j++)
			if (!strcmp(ns_ymap_key(m, j)->str, k->str))
				return ns_yerr(p->err, p->doc, k, EINVAL, "%s: duplicate key '%s'",
					       section, k->str);
	}
	return 0;
}

void ns_console_options_default(struct ns_console_options *o)
{
	o->token_validity_ns = 60ull * 1000000000;
	o->max_requests_per_sec = 1000;
	o->max_request_size = 1u << 20;
	o->max_npk_install_size = 256u << 20;
	o->npk_stream_timeout_ns = 10ull * 1000000000;
	o->max_connections = 256;
	o->max_buffered_size = 16u << 20;
	o->handshake_timeout_ns = 10ull * 1000000000; /* the global console's (spec §1.4) */
	o->request_timeout_ns = 10ull * 1000000000;
}

/* The keys that bound what a console's clients hold (issue 14): 1 when k is one of
 * them (*r the result), 0 when it is not. */
static int parse_limit_option(struct cfgp *p, const char *k, const struct ns_ynode *v,
			      const char *section, struct ns_console_options *o, int *r)
{
	if (!strcmp(k, "max_connections")) {
		*r = get_u64(p, v, k, 1u << 20, &o->max_connections);
		if (*r == 0 && o->max_connections == 0)
			*r = bad(p, v, k, "must be at least 1");
		if (*r == 0 && strcmp(section, "console.global.options"))
			*r = bad(p, v, k,
				 "only in console.global.options (a container's console is one "
				 "connection)");
	} else if (!strcmp(k, "max_buffered_size")) {
		*r = get_size(p, v, k, &o->max_buffered_size);
	} else if (!strcmp(k, "handshake_timeout")) {
		*r = get_duration(p, v, k, &o->handshake_timeout_ns);
	} else if (!strcmp(k, "request_timeout")) {
		*r = get_duration(p, v, k, &o->request_timeout_ns);
	} else {
		return 0;
	}
	return 1;
}

/* Rules between options, once the section is read. */
static int check_limits(struct cfgp *p, const struct ns_ynode *m, const char *section,
			const struct ns_console_options *o)
{
	if (o->max_buffered_size <= o->max_request_size)
		return ns_yerr(p->err, p->doc, m, EINVAL,
			       "%s: max_buffered_size (%llu) must be larger than max_request_size "
			       "(%llu): it holds one line of that size and more",
			       section, (unsigned long long)o->max_buffered_size,
			       (unsigned long long)o->max_request_size);
	return 0;
}

static int parse_options(struct cfgp *p, const struct ns_ynode *m, const char *section,
			 struct ns_console_options *o)
{
	int r = check_map(p, m, section);
	for (size_t i = 0; r == 0 && i < m->n; i++) {
		const char *k = ns_ymap_key(m, i)->str;
		const struct ns_ynode *v = ns_ymap_val(m, i);
		if (!strcmp(k, "token_validity"))
			r = get_duration(p, v, k, &o->token_validity_ns);
		else if (!strcmp(k, "max_requests_per_sec"))
			r = get_u64(p, v, k, UINT32_MAX, &o->max_requests_per_sec);
		else if (!strcmp(k, "max_request_size"))
			r = get_size(p, v, k, &o->max_request_size);
		else if (!strcmp(k, "max_npk_install_size"))
			r = get_size(p, v, k, &o->max_npk_install_size);
		else if (!strcmp(k, "npk_stream_timeout"))
			r = get_duration(p, v, k, &o->npk_stream_timeout_ns);
		else if (!parse_limit_option(p, k, v, section, o, &r))
			r = unknown(p, ns_ymap_key(m, i), section);
		if (r == 0 && !strcmp(k, "max_requests_per_sec") && o->max_requests_per_sec == 0)
			r = bad(p, v, k, "must be at least 1");
		if (r == 0 && !strcmp(k, "max_request_size") && o->max_request_size < 64)
			r = bad(p, v, k, "must be at least 64 bytes");
	}
	return r < 0 ? r : check_limits(p, m, section, o);
}

static int parse_perms(struct cfgp *p, const struct ns_ynode *n, uint32_t *out)
{
	if (n->kind == NS_YSCALAR && !strcmp(n->str, "full")) {
		*out = NS_PERM_FULL;
		return 0;
	}
	if (n->kind != NS_YSEQ)
		return bad(p, n, "permissions", "expected \"full\" or a list of permissions");
	*out = 0;
	for (size_t i = 0; i < n->n; i++) {
		const struct ns_ynode *it = n->items[i];
		enum ns_perm perm;
		if (it->kind != NS_YSCALAR || ns_perm_parse(it->str, &perm) < 0)
			return ns_yerr(p->err, p->doc, it, EINVAL,
				       "permissions: invalid permission '%s'",
				       it->kind == NS_YSCALAR ? it->str : "?");
		*out |= 1u << perm;
	}
	return 0;
}

/* Start-up's rules for the address (allow_remote may come after bind): here, so that
 * --check applies them too. */
static int check_bind(struct cfgp *p, const struct ns_ynode *m, const struct ns_console_global *g)
{
	struct ns_console_addr addr;
	struct ns_err e = {0};
	if (ns_console_addr_parse(g->bind, g->allow_remote, &addr, &e) == 0)
		return 0;
	return ns_yerr(p->err, p->doc, ns_ymap_get(m, "bind"), e.errnum ? e.errnum : EINVAL,
		       "bind: %s", e.msg);
}

static int parse_global(struct cfgp *p, const struct ns_ynode *m, struct ns_console_global *g)
{
	int r = check_map(p, m, "console.global");
	bool have_bind = false, have_perms = false;
	ns_console_options_default(&g->options);
	for (size_t i = 0; r == 0 && i < m->n; i++) {
		const char *k = ns_ymap_key(m, i)->str;
		const struct ns_ynode *v = ns_ymap_val(m, i);
		if (!strcmp(k, "bind")) {
			r = get_str(p, v, k, &g->bind);
			have_bind = true;
			if (r == 0 && strncmp(g->bind, "unix://", 7) &&
			    strncmp(g->bind, "tcp://", 6))
				r = bad(p, v, k, "expected unix://PATH or tcp://HOST:PORT");
		} else if (!strcmp(k, "permissions")) {
			r = parse_perms(p, v, &g->perms);
			have_perms = true;
		} else if (!strcmp(k, "options")) {
			r = parse_options(p, v, "console.global.options", &g->options);
		} else if (!strcmp(k, "allow_remote")) {
			r = get_bool(p, v, k, &g->allow_remote);
		} else {
			r = unknown(p, ns_ymap_key(m, i), "console.global");
		}
	}
	if (r == 0 && (!have_bind || !have_perms))
		r = bad(p, m, "console.global",
			have_bind ? "'permissions' is required" : "'bind' is required");
	return r < 0 ? r : check_bind(p, m, g);
}

static int parse_console(struct cfgp *p, const struct ns_ynode *m, struct ns_config *c)
{
	int r = check_map(p, m, "console");
	for (size_t i = 0; r == 0 && i < m->n; i++) {
		const char *k = ns_ymap_key(m, i)->str;
		const struct ns_ynode *v = ns_ymap_val(m, i);
		if (!strcmp(k, "global")) {
			r = parse_global(p, v, &c->global);
			c->has_global = true;
		} else if (!strcmp(k, "options")) {
			r = parse_options(p, v, "console.options", &c->console_options);
		} else {
			r = unknown(p, ns_ymap_key(m, i), "console");
		}
	}
	return r;
}

/* `type: mem`, `type: {fs: {dir: PATH}}` (Northstar's TOML shape) or `type: !fs {dir: PATH}`. */
static int parse_repo_type(struct cfgp *p, const struct ns_ynode *v, struct ns_repo_config *rc)
{
	const struct ns_ynode *body = NULL;
	if (v->kind == NS_YSCALAR && !v->tag && !strcmp(v->str, "mem")) {
		rc->type = NS_REPO_MEM;
		return 0;
	}
	if (v->tag && !strcmp(v->tag, "!fs"))
		body = v;
	else if (v->kind == NS_YMAP && v->n == 1 && !strcmp(ns_ymap_key(v, 0)->str, "fs"))
		body = ns_ymap_val(v, 0);
	if (!body)
		return bad(p, v, "type", "expected 'mem' or {fs: {dir: PATH}}");
	int r = check_map(p, body, "type.fs");
	const struct ns_ynode *dir = r == 0 ? ns_ymap_get(body, "dir") : NULL;
	if (r == 0 && (body->n != 1 || !dir))
		return bad(p, body, "type.fs", "expected exactly one key, 'dir'");
	rc->type = NS_REPO_FS;
	return r < 0 ? r : get_str(p, dir, "type.fs.dir", &rc->dir);
}

static bool repo_name_valid(const char *s);

/* `trust: [NAME, ...]`: names checked here, what they name by check_trust once every
 * repository is known. */
static int parse_trust(struct cfgp *p, const struct ns_ynode *v, struct ns_repo_config *rc)
{
	int r = want_kind(p, v, NS_YSEQ, "trust");
	for (size_t i = 0; r == 0 && i < v->n; i++) {
		const struct ns_ynode *it = v->items[i];
		const char *name = NULL;
		r = get_str(p, it, "trust", &name);
		if (r == 0 && !repo_name_valid(name))
			r = bad(p, it, "trust", "a repository name is 1..255 of [0-9A-Za-z._-]");
		for (size_t j = 0; r == 0 && j < i; j++)
			if (!strcmp(v->items[j]->str, name))
				r = ns_yerr(p->err, p->doc, it, EINVAL,
					    "trust: repository '%s' is listed twice", name);
	}
	rc->trust = v;
	return r;
}

/* A container of a keyed repository mounts only resources verified with a key: a trust
 * list belongs to a keyed repository and names other keyed ones. */
static int check_trust(struct cfgp *p, const struct ns_config *c)
{
	for (size_t i = 0; i < c->nrepos; i++) {
		const struct ns_repo_config *rc = &c->repos[i];
		if (!rc->trust)
			continue;
		if (!rc->key)
			return ns_yerr(p->err, p->doc, rc->trust, EINVAL,
				       "%s: trust: needs a 'key' (the containers of a repository "
				       "without one may mount any resource)",
				       rc->name);
		for (size_t j = 0; j < rc->trust->n; j++) {
			const struct ns_ynode *it = rc->trust->items[j];
			const struct ns_repo_config *t = ns_config_repo(c, it->str);
			const char *why = !t	    ? "is not a configured repository"
					  : t == rc ? "is the repository itself"
					  : !t->key ? "has no key: a repository without a key "
						      "can never be trusted"
						    : NULL;
			if (why)
				return ns_yerr(p->err, p->doc, it, EINVAL,
					       "%s: trust: repository '%s' %s", rc->name, it->str,
					       why);
		}
	}
	return 0;
}

/* Issue 14: what containers of the repository get when the manifest does not say.
 * Returns 1 when key is not one of these. */
static int parse_repo_defaults(struct cfgp *p, const struct ns_ynode *key, const struct ns_ynode *v,
			       struct ns_repo_config *rc)
{
	const char *k = key->str;
	if (!strcmp(k, "missing_seccomp")) {
		if (v->kind == NS_YSCALAR && !v->tag && !strcmp(v->str, "default"))
			rc->seccomp_unfiltered = false;
		else if (v->kind == NS_YSCALAR && !v->tag && !strcmp(v->str, "unfiltered"))
			rc->seccomp_unfiltered = true;
		else
			return bad(p, v, k, "expected 'default' or 'unfiltered'");
		return 0;
	}
	if (!strcmp(k, "pids_max")) {
		uint64_t u;
		if (v->kind == NS_YSCALAR && !v->tag && !strcmp(v->str, "max")) {
			rc->pids_max = -1;
			return 0;
		}
		if (v->kind != NS_YSCALAR || ns_yscalar_u64(v, &u) < 0 || u < NS_PIDS_MAX_MIN ||
		    u > NS_PIDS_MAX_LIMIT)
			return bad(p, v, k,
				   "expected 'max' or an integer from 2 (ns-init and the "
				   "application) to 4194304 (the kernel's limit)");
		rc->pids_max = (int64_t)u;
		return 0;
	}
	return 1;
}

static int parse_repo_field(struct cfgp *p, const struct ns_ynode *key, const struct ns_ynode *v,
			    struct ns_repo_config *rc, bool *have_type)
{
	const char *k = key->str;
	uint64_t u;
	int r;
	if (!strcmp(k, "type")) {
		*have_type = true;
		return parse_repo_type(p, v, rc);
	}
	if (!strcmp(k, "key"))
		return get_str(p, v, k, &rc->key);
	if (!strcmp(k, "mount_on_start"))
		return get_bool(p, v, k, &rc->mount_on_start);
	if (!strcmp(k, "capacity_num")) {
		rc->has_capacity_num = true;
		r = get_u64(p, v, k, UINT32_MAX, &u);
		rc->capacity_num = (uint32_t)u;
		return r;
	}
	if (!strcmp(k, "capacity_size")) {
		rc->has_capacity_size = true;
		return get_size(p, v, k, &rc->capacity_size);
	}
	if (!strcmp(k, "trust"))
		return parse_trust(p, v, rc);
	if (!strcmp(k, "verity")) {
		if (v->kind == NS_YSCALAR && !strcmp(v->str, "kernel"))
			rc->verity = NS_REPO_VERITY_KERNEL;
		else if (v->kind == NS_YSCALAR && !strcmp(v->str, "userspace"))
			rc->verity = NS_REPO_VERITY_USERSPACE;
		else
			return bad(p, v, k, "expected 'kernel' or 'userspace'");
		return 0;
	}
	r = parse_repo_defaults(p, key, v, rc);
	return r == 1 ? unknown(p, key, "a repository") : r;
}

static bool repo_name_valid(const char *s)
{
	if (!*s || strlen(s) > 255)
		return false;
	for (; *s; s++)
		if (!ns_name_valid(s, 1))
			return false;
	return true;
}

static int parse_repos(struct cfgp *p, const struct ns_ynode *m, struct ns_config *c)
{
	int r = check_map(p, m, "repositories");
	if (r < 0)
		return r;
	c->repos = calloc(m->n ? m->n : 1, sizeof(*c->repos));
	if (!c->repos)
		return ns_err_set(p->err, ENOMEM, "out of memory");
	for (size_t i = 0; i < m->n; i++) {
		const struct ns_ynode *key = ns_ymap_key(m, i), *v = ns_ymap_val(m, i);
		struct ns_repo_config *rc = &c->repos[c->nrepos++];
		bool have_type = false;
		rc->name = key->str;
		if (!repo_name_valid(rc->name))
			return bad(p, key, "repositories", "a name is 1..255 of [0-9A-Za-z._-]");
		r = check_map(p, v, rc->name);
		for (size_t j = 0; r == 0 && j < v->n; j++)
			r = parse_repo_field(p, ns_ymap_key(v, j), ns_ymap_val(v, j), rc,
					     &have_type);
		if (r == 0 && !have_type)
			r = bad(p, v, rc->name, "'type' is required");
		if (r == 0 && rc->verity == NS_REPO_VERITY_USERSPACE && !rc->key)
			r = bad(p, v, rc->name, "'verity: userspace' needs a 'key'");
		if (r < 0)
			return r;
	}
	return check_trust(p, c);
}

static int parse_debug(struct cfgp *p, const struct ns_ynode *m, struct ns_config *c)
{
	int r = check_map(p, m, "debug");
	for (size_t i = 0; r == 0 && i < m->n; i++) {
		const struct ns_ynode *k = ns_ymap_key(m, i), *v = ns_ymap_val(m, i);
		if (strcmp(k->str, "commands"))
			return unknown(p, k, "debug");
		r = want_kind(p, v, NS_YSEQ, "debug.commands");
		if (r < 0)
			return r;
		c->debug_commands = calloc(v->n ? v->n : 1, sizeof(char *));
		if (!c->debug_commands)
			return ns_err_set(p->err, ENOMEM, "out of memory");
		for (size_t j = 0; r == 0 && j < v->n; j++)
			r = get_str(p, v->items[j], "debug.commands",
				    &c->debug_commands[c->ndebug_commands++]);
	}
	return r;
}

void ns_log_config_default(struct ns_log_config *l)
{
	l->buffer_size = 256u << 10;
	l->output_rate = 32u << 10;
	l->output_burst = 128u << 10;
	l->ring_size = 64u << 10;
	l->syslog_path = NS_LOG_SYSLOG_PATH;
}

/* Bounds: the queue must hold the longest record (a 2 KiB line escaped to 8 KiB) in the
 * share that output may use; a burst below the longest line would drop every such line. */
#define LOG_BUFFER_MIN (16u << 10)
#define LOG_BUFFER_MAX (64u << 20)
#define LOG_BURST_MIN  4096u
#define LOG_RATE_MAX   (1u << 30)
/* The ring of recent output is kept per container, so its size is what a hundred
 * containers cost a hundred times over; it must hold a header and a long line. */
#define LOG_RING_MIN (4u << 10)
#define LOG_RING_MAX (1u << 20)

static int parse_log(struct cfgp *p, const struct ns_ynode *m, struct ns_log_config *l)
{
	int r = check_map(p, m, "log");
	for (size_t i = 0; r == 0 && i < m->n; i++) {
		const char *k = ns_ymap_key(m, i)->str;
		const struct ns_ynode *v = ns_ymap_val(m, i);
		if (!strcmp(k, "buffer_size")) {
			r = get_size(p, v, "log.buffer_size", &l->buffer_size);
			if (r == 0 &&
			    (l->buffer_size < LOG_BUFFER_MIN || l->buffer_size > LOG_BUFFER_MAX))
				r = bad(p, v, "log.buffer_size", "must be between 16KiB and 64MiB");
		} else if (!strcmp(k, "output_rate")) {
			r = get_size(p, v, "log.output_rate", &l->output_rate);
			if (r == 0 && l->output_rate > LOG_RATE_MAX)
				r = bad(p, v, "log.output_rate",
					"must be at most 1GiB (per second)");
		} else if (!strcmp(k, "output_burst")) {
			r = get_size(p, v, "log.output_burst", &l->output_burst);
			if (r == 0 &&
			    (l->output_burst < LOG_BURST_MIN || l->output_burst > LOG_RATE_MAX))
				r = bad(p, v, "log.output_burst", "must be between 4KiB and 1GiB");
		} else if (!strcmp(k, "ring_size")) {
			r = get_size(p, v, "log.ring_size", &l->ring_size);
			if (r == 0 && l->ring_size &&
			    (l->ring_size < LOG_RING_MIN || l->ring_size > LOG_RING_MAX))
				r = bad(p, v, "log.ring_size",
					"must be 0 (off) or between 4KiB and 1MiB");
		} else if (!strcmp(k, "target")) {
			const char *t = NULL;
			r = get_str(p, v, "log.target", &t);
			l->has_target = true;
			if (r == 0 && ns_log_target_parse(t, &l->target) < 0)
				r = bad(p, v, "log.target",
					"expected 'stderr', 'kmsg' or 'syslog'");
		} else if (!strcmp(k, "syslog_path")) {
			r = get_str(p, v, "log.syslog_path", &l->syslog_path);
			if (r == 0 && l->syslog_path[0] != '/')
				r = bad(p, v, "log.syslog_path", "the path must be absolute");
			else if (r == 0 && strlen(l->syslog_path) >= NS_LOG_SYSLOG_PATH_MAX)
				r = bad(p, v, "log.syslog_path",
					"too long for a unix socket address");
		} else {
			r = unknown(p, ns_ymap_key(m, i), "log");
		}
	}
	return r;
}

static int parse_top_field(struct cfgp *p, const struct ns_ynode *key, const struct ns_ynode *v,
			   struct ns_config *c)
{
	const char *k = key->str;
	if (!strcmp(k, "run_dir"))
		return get_str(p, v, k, &c->run_dir);
	if (!strcmp(k, "data_dir"))
		return get_str(p, v, k, &c->data_dir);
	if (!strcmp(k, "socket_dir"))
		return get_str(p, v, k, &c->socket_dir);
	if (!strcmp(k, "cgroup")) {
		int r = get_str(p, v, k, &c->cgroup);
		if (r == 0 &&
		    (strchr(c->cgroup, '/') || !strcmp(c->cgroup, "..") || !strcmp(c->cgroup, ".")))
			r = bad(p, v, k, "must be a single cgroup name, without '/'");
		return r;
	}
	if (!strcmp(k, "event_buffer_size"))
		return get_u64(p, v, k, 1u << 20, &c->event_buffer_size);
	if (!strcmp(k, "notification_buffer_size"))
		return get_u64(p, v, k, 1u << 20, &c->notification_buffer_size);
	if (!strcmp(k, "loop_device_timeout"))
		return get_duration(p, v, k, &c->loop_device_timeout_ns);
	if (!strcmp(k, "console"))
		return parse_console(p, v, c);
	if (!strcmp(k, "repositories"))
		return parse_repos(p, v, c);
	if (!strcmp(k, "debug"))
		return parse_debug(p, v, c);
	if (!strcmp(k, "persist"))
		return ns_config_parse_persist(p->doc, v, &c->persist, p->err);
	if (!strcmp(k, "log"))
		return parse_log(p, v, &c->log);
	if (!strcmp(k, "modules"))
		return ns_config_parse_modules(p->doc, v, c, p->err);
	if (!strcmp(k, "init"))
		return ns_config_parse_init(p->doc, v, &c->init, p->err);
	if (!strcmp(k, "missing_binds")) {
		if (v->kind == NS_YSCALAR && !v->tag && !strcmp(v->str, "skip"))
			c->missing_binds_fail = false;
		else if (v->kind == NS_YSCALAR && !v->tag && !strcmp(v->str, "fail"))
			c->missing_binds_fail = true;
		else
			return bad(p, v, k, "expected 'skip' or 'fail'");
		return 0;
	}
	return unknown(p, key, "the configuration");
}

static int check_required(struct cfgp *p, const struct ns_ynode *root, const struct ns_config *c)
{
	static const char *names[] = {"run_dir", "data_dir", "socket_dir", "cgroup"};
	const char *vals[] = {c->run_dir, c->data_dir, c->socket_dir, c->cgroup};
	for (size_t i = 0; i < 4; i++)
		if (!vals[i])
			return ns_yerr(p->err, p->doc, root, EINVAL, "'%s' is required", names[i]);
	if (c->event_buffer_size == 0 || c->notification_buffer_size == 0)
		return ns_yerr(p->err, p->doc, root, EINVAL, "buffer sizes must be at least 1");
	return 0;
}

int ns_config_parse(const char *source, const char *text, size_t len, struct ns_config *c,
		    struct ns_err *err)
{
	memset(c, 0, sizeof(*c));
	c->event_buffer_size = 256;
	c->notification_buffer_size = 128;
	c->loop_device_timeout_ns = 10ull * 1000000000;
	ns_console_options_default(&c->console_options);
	c->console_options.handshake_timeout_ns = 0; /* containers': none (spec §1.4) */
	ns_log_config_default(&c->log);
	int r = ns_yaml_load(source, text, len, &c->doc, err);
	if (r < 0)
		return r;
	struct cfgp p = {&c->doc, err};
	const struct ns_ynode *root = c->doc.root;
	if (!root)
		r = ns_err_set(err, EINVAL, "%s: the configuration is empty", source);
	if (r == 0)
		r = check_map(&p, root, "the configuration");
	for (size_t i = 0; r == 0 && i < root->n; i++)
		r = parse_top_field(&p, ns_ymap_key(root, i), ns_ymap_val(root, i), c);
	if (r == 0)
		r = check_required(&p, root, c);
	if (r < 0)
		ns_config_free(c);
	return r;
}

/* *p made absolute against cwd, the new string kept in c->abs_paths. */
static int absolute(struct ns_config *c, const char *cwd, const char **p, struct ns_err *err)
{
	if (!*p || (*p)[0] == '/')
		return 0;
	char **grown = realloc(c->abs_paths, (c->nabs_paths + 1) * sizeof(*grown));
	if (!grown)
		return ns_err_set(err, ENOMEM, "out of memory");
	c->abs_paths = grown;
	char *s = NULL;
	if (asprintf(&s, "%s/%s", cwd, *p) < 0)
		return ns_err_set(err, ENOMEM, "out of memory");
	c->abs_paths[c->nabs_paths++] = s;
	*p = s;
	return 0;
}

/* Relative paths are taken from the directory northstard is started in. They are made
 * absolute once, here, because start-up may change the working directory (in a chroot
 * it moves to a bind of its root) and mount targets must be absolute. */
static int make_paths_absolute(struct ns_config *c, struct ns_err *err)
{
	char cwd[PATH_MAX];
	if (!getcwd(cwd, sizeof(cwd)))
		return ns_err_sys(err, errno,
				  "the working directory (relative paths in the "
				  "configuration are taken from it)");
	int r = absolute(c, cwd, &c->run_dir, err);
	if (r == 0)
		r = absolute(c, cwd, &c->data_dir, err);
	if (r == 0)
		r = absolute(c, cwd, &c->socket_dir, err);
	for (size_t i = 0; r == 0 && i < c->nrepos; i++) {
		r = absolute(c, cwd, &c->repos[i].dir, err);
		if (r == 0)
			r = absolute(c, cwd, &c->repos[i].key, err);
	}
	return r;
}

int ns_config_load(const char *path, struct ns_config *c, struct ns_err *err)
{
	char *text = NULL;
	size_t len = 0;
	int r = ns_read_file_at(AT_FDCWD, path, CONFIG_MAX_BYTES, &text, &len, err);
	if (r < 0)
		return r;
	r = ns_config_parse(path, text, len, c, err);
	free(text);
	if (r == 0 && (r = make_paths_absolute(c, err)) < 0)
		ns_config_free(c);
	return r;
}

void ns_config_free(struct ns_config *c)
{
	free(c->repos);
	free(c->debug_commands);
	free(c->persist.containers);
	c->persist.containers = NULL;
	free(c->modules);
	c->modules = NULL;
	c->nmodules = 0;
	for (size_t i = 0; i < c->nabs_paths; i++)
		free(c->abs_paths[i]);
	free(c->abs_paths);
	c->abs_paths = NULL;
	c->nabs_paths = 0;
	ns_ydoc_free(&c->doc);
	c->repos = NULL;
	c->debug_commands = NULL;
	c->nrepos = c->ndebug_commands = 0;
}

bool ns_config_repo_trusts(const struct ns_repo_config *rc, const char *name)
{
	for (size_t i = 0; rc->trust && i < rc->trust->n; i++)
		if (!strcmp(rc->trust->items[i]->str, name))
			return true;
	return false;
}

int64_t ns_repo_pids_max(const struct ns_repo_config *rc)
{
	return rc && rc->pids_max ? rc->pids_max : NS_REPO_PIDS_MAX_DEFAULT;
}

const struct ns_repo_config *ns_config_repo(const struct ns_config *c, const char *name)
{
	for (size_t i = 0; i < c->nrepos; i++)
		if (!strcmp(c->repos[i].name, name))
			return &c->repos[i];
	return NULL;
}
