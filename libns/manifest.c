/* ns_manifest_parse: the top level of the manifest, its required fields, and the
 * cross-field rules. The sections live in manifest_fields.c, manifest_mounts.c,
 * manifest_cgroups.c, manifest_seccomp.c and manifest_custom.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "manifest_int.h"
#include "util.h"

/* Northstar's field order, which is also the order of the serializations. */
enum {
	F_NAME,
	F_VERSION,
	F_CONSOLE,
	F_INIT,
	F_ARGS,
	F_ENV,
	F_UID,
	F_GID,
	F_SCHED,
	F_MOUNTS,
	F_AUTOSTART,
	F_CGROUPS,
	F_NETWORK,
	F_SECCOMP,
	F_SELINUX,
	F_CAPABILITIES,
	F_SUPPL_GROUPS,
	F_RLIMITS,
	F_SOCKETS,
	F_IO,
	F_CUSTOM,
	F_COUNT
};

static const char *const field_names[F_COUNT] = {
    "name",    "version",      "console",      "init",	    "args",    "env",	  "uid",
    "gid",     "sched",	       "mounts",       "autostart", "cgroups", "network", "seccomp",
    "selinux", "capabilities", "suppl_groups", "rlimits",   "sockets", "io",	  "custom",
};

static int parse_name_version(struct mctx *c, const struct ns_ynode *root, struct mfield *f)
{
	int r;
	const char *version;
	if ((r = mc_require(c, root, "", f[F_NAME].val, "name")) < 0 ||
	    (r = mc_require(c, root, "", f[F_VERSION].val, "version")) < 0)
		return r;
	if ((r = mc_string(c, f[F_NAME].val, "name", &c->m->name)) < 0)
		return r;
	if (!ns_name_valid(c->m->name, strlen(c->m->name)))
		return mc_err(c, f[F_NAME].val, "name",
			      "invalid name '%.64s' (1 to 1024 of [0-9A-Za-z._-], not '.' or '..')",
			      c->m->name);
	if ((r = mc_string(c, f[F_VERSION].val, "version", &version)) < 0)
		return r;
	r = ns_version_parse(version, &c->m->version);
	if (r < 0)
		return mc_err(
		    c, f[F_VERSION].val, "version",
		    "invalid version '%.64s' (expected MAJOR.MINOR.PATCH, no leading zeros)",
		    version);
	return 0;
}

static int parse_id(struct mctx *c, const struct ns_ynode *root, const struct mfield *f,
		    uint16_t *out)
{
	uint64_t v;
	int r;
	if ((r = mc_require(c, root, "", f->val, f->name)) < 0 ||
	    (r = mc_u64(c, f->val, f->name, UINT16_MAX, "u16", &v)) < 0)
		return r;
	if (v == 0)
		return mc_err(c, f->val, f->name, "%s must be greater than 0", f->name);
	*out = (uint16_t)v;
	return 0;
}

static int parse_init(struct mctx *c, const struct ns_ynode *v)
{
	const char *bad;
	int r;
	if (mc_is_null(v))
		return 0;
	if ((r = mc_string(c, v, "init", &c->m->init)) < 0)
		return r;
	if ((bad = mv_init(c->m->init)))
		return mc_err(c, v, "init", "%s", bad);
	return 0;
}

static int parse_top(struct mctx *c, const struct ns_ynode *root)
{
	static int (*const sections[F_COUNT])(struct mctx *, const struct ns_ynode *) = {
	    [F_CONSOLE] = mp_console,
	    [F_ARGS] = mp_args,
	    [F_ENV] = mp_env,
	    [F_SCHED] = mp_sched,
	    [F_MOUNTS] = mp_mounts,
	    [F_AUTOSTART] = mp_autostart,
	    [F_CGROUPS] = mp_cgroups,
	    [F_NETWORK] = mp_network,
	    [F_SECCOMP] = mp_seccomp,
	    [F_SELINUX] = mp_selinux,
	    [F_CAPABILITIES] = mp_capabilities,
	    [F_SUPPL_GROUPS] = mp_suppl_groups,
	    [F_RLIMITS] = mp_rlimits,
	    [F_SOCKETS] = mp_sockets,
	    [F_IO] = mp_io,
	    [F_CUSTOM] = mp_custom,
	};
	struct mfield f[F_COUNT];
	int r;
	if (!root)
		return ns_err_set(c->err, EINVAL, "%s: the manifest is empty", c->doc->source);
	for (size_t i = 0; i < F_COUNT; i++)
		f[i].name = field_names[i];
	if ((r = mc_fields(c, root, "", f, F_COUNT, true)) < 0 ||
	    (r = parse_name_version(c, root, f)) < 0 || (r = parse_init(c, f[F_INIT].val)) < 0 ||
	    (r = parse_id(c, root, &f[F_UID], &c->m->uid)) < 0 ||
	    (r = parse_id(c, root, &f[F_GID], &c->m->gid)) < 0)
		return r;
	for (size_t i = 0; i < F_COUNT; i++)
		if (sections[i] && (r = sections[i](c, f[i].val)) < 0)
			return r;
	return mv_resource_container(c, f, F_COUNT);
}

/* Whole input is one JSON object (what serde_json would accept). Only text that starts
 * with '{' is tried: cJSON_Parse resets a global error position, which is best kept
 * away from the block-style YAML that nearly every manifest is. */
static bool is_json(const char *text, size_t len)
{
	const char *p = text, *end = text + len, *stop = NULL;
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	if (p == end || *p != '{')
		return false;
	cJSON *j = cJSON_ParseWithLengthOpts(p, (size_t)(end - p), &stop, false);
	bool ok = j != NULL;
	for (; ok && stop < end; stop++)
		if (*stop != ' ' && *stop != '\t' && *stop != '\n' && *stop != '\r')
			ok = false;
	cJSON_Delete(j);
	return ok;
}

/* Nodes of the tree under n (depth is bounded by the loader). */
static size_t count_nodes(const struct ns_ynode *n)
{
	size_t k = 1;
	if (n->kind != NS_YSCALAR)
		for (size_t i = 0; i < (n->kind == NS_YMAP ? 2 * n->n : n->n); i++)
			k += count_nodes(n->items[i]);
	return k;
}

int ns_manifest_parse(const char *source, const char *text, size_t len, struct ns_manifest *m,
		      struct ns_err *err)
{
	struct ns_ydoc doc;
	struct ns_manifest t;
	int r;
	memset(m, 0, sizeof(*m));
	memset(&t, 0, sizeof(t));
	if (len > NS_MANIFEST_MAX_BYTES)
		return ns_err_set(err, E2BIG, "%s: %zu bytes, more than a manifest may have (%d)",
				  source, len, NS_MANIFEST_MAX_BYTES);
	if ((r = ns_yaml_load(source, text, len, &doc, err)) < 0)
		return r;
	size_t nodes = doc.root ? count_nodes(doc.root) : 0;
	if (nodes > NS_MANIFEST_MAX_NODES) {
		ns_ydoc_free(&doc);
		return ns_err_set(err, E2BIG,
				  "%s: %zu YAML nodes, more than a manifest may have (%d)", source,
				  nodes, NS_MANIFEST_MAX_NODES);
	}
	struct mctx c = {.doc = &doc, .err = err, .m = &t, .json = is_json(text, len)};
	r = parse_top(&c, doc.root);
	ns_ydoc_free(&doc);
	if (r < 0) {
		ns_manifest_free(&t);
		return r;
	}
	*m = t;
	return 0;
}

bool ns_manifest_equal(const struct ns_manifest *a, const struct ns_manifest *b)
{
	cJSON *ja = ns_manifest_to_json(a), *jb = ns_manifest_to_json(b);
	char *sa = ja ? cJSON_PrintUnformatted(ja) : NULL;
	char *sb = jb ? cJSON_PrintUnformatted(jb) : NULL;
	bool eq = sa && sb && !strcmp(sa, sb);
	free(sa);
	free(sb);
	cJSON_Delete(ja);
	cJSON_Delete(jb);
	return eq;
}
