/* The `persist` section of the configuration (ours; Northstar has none): size and inode
 * limits of the containers' persist directories, enforced by the kernel through
 * project quotas (libns/persist_quota.h). Kept apart from config.c: one section, one
 * file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "units.h"
#include "version.h"

static int perr(const struct ns_ydoc *doc, const struct ns_ynode *n, struct ns_err *err,
		const char *key, const char *what)
{
	return ns_yerr(err, doc, n, EINVAL, "persist.%s: %s", key, what);
}

/* Keys repeat only by mistake: refused, as everywhere in the configuration. */
static int want_map(const struct ns_ydoc *doc, const struct ns_ynode *m, struct ns_err *err,
		    const char *section)
{
	if (m->kind != NS_YMAP)
		return ns_yerr(err, doc, m, EINVAL, "%s: expected a mapping", section);
	for (size_t i = 0; i < m->n; i++) {
		const struct ns_ynode *k = ns_ymap_key(m, i);
		if (k->kind != NS_YSCALAR)
			return ns_yerr(err, doc, k, EINVAL, "%s: keys must be scalars", section);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(ns_ymap_key(m, j)->str, k->str))
				return ns_yerr(err, doc, k, EINVAL, "%s: duplicate key '%s'",
					       section, k->str);
	}
	return 0;
}

static bool is_off(const struct ns_ynode *n)
{
	return !strcmp(n->str, "off") || !strcmp(n->str, "unlimited");
}

/* A size: bytes or a unit ("64MiB"), rounded up to the quota's 1 KiB blocks; 0, "off" or
 * "unlimited": no limit. */
static int get_limit_size(const struct ns_ydoc *doc, const struct ns_ynode *n, struct ns_err *err,
			  const char *key, uint64_t *out)
{
	if (n->kind == NS_YSCALAR && !ns_yscalar_has_nul(n) && n->len > 0) {
		if (is_off(n)) {
			*out = 0;
			return 0;
		}
		if ((ns_yscalar_u64(n, out) == 0 || ns_parse_size(n->str, 1, out) == 0) &&
		    *out <= UINT64_MAX - 1023) {
			*out = (*out + 1023) & ~(uint64_t)1023;
			return 0;
		}
	}
	return perr(doc, n, err, key,
		    "expected a size such as 67108864 or \"64MiB\", or 0 / \"off\" for no limit");
}

static int get_limit_count(const struct ns_ydoc *doc, const struct ns_ynode *n, struct ns_err *err,
			   const char *key, uint64_t *out)
{
	if (n->kind == NS_YSCALAR && !ns_yscalar_has_nul(n) && n->len > 0) {
		if (is_off(n)) {
			*out = 0;
			return 0;
		}
		if (ns_yscalar_u64(n, out) == 0)
			return 0;
	}
	return perr(doc, n, err, key,
		    "expected a number of files such as 10000, or 0 / \"off\" for no limit");
}

/* size and inodes of m into l: the section itself (top) or a container's entry. */
static int parse_limits(const struct ns_ydoc *doc, const struct ns_ynode *m, struct ns_err *err,
			const char *where, bool top, struct ns_persist_limit *l)
{
	char key[1100], section[1100];
	snprintf(section, sizeof(section), "persist%s%s", top ? "" : ".containers.",
		 top ? "" : where);
	int r = want_map(doc, m, err, section);
	for (size_t i = 0; r == 0 && i < m->n; i++) {
		const struct ns_ynode *k = ns_ymap_key(m, i), *v = ns_ymap_val(m, i);
		if (top)
			snprintf(key, sizeof(key), "%s", k->str);
		else
			snprintf(key, sizeof(key), "containers.%s.%s", where, k->str);
		if (!strcmp(k->str, "size")) {
			r = get_limit_size(doc, v, err, key, &l->size);
			l->has_size = true;
		} else if (!strcmp(k->str, "inodes")) {
			r = get_limit_count(doc, v, err, key, &l->inodes);
			l->has_inodes = true;
		} else if (!top || strcmp(k->str, "containers")) {
			return ns_yerr(err, doc, k, EINVAL, "unknown key '%s' in %s", k->str,
				       section);
		}
	}
	return r;
}

static int parse_containers(const struct ns_ydoc *doc, const struct ns_ynode *m, struct ns_err *err,
			    struct ns_persist_config *pc)
{
	int r = want_map(doc, m, err, "persist.containers");
	if (r < 0)
		return r;
	pc->containers = calloc(m->n ? m->n : 1, sizeof(*pc->containers));
	if (!pc->containers)
		return ns_err_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; r == 0 && i < m->n; i++) {
		const struct ns_ynode *k = ns_ymap_key(m, i);
		struct ns_persist_limit *l = &pc->containers[pc->ncontainers++];
		if (!ns_name_valid(k->str, k->len))
			return perr(doc, k, err, "containers",
				    "a container name is 1 to 1024 of [0-9A-Za-z._-]");
		l->name = k->str;
		r = parse_limits(doc, ns_ymap_val(m, i), err, k->str, false, l);
	}
	return r;
}

int ns_config_parse_persist(const struct ns_ydoc *doc, const struct ns_ynode *m,
			    struct ns_persist_config *pc, struct ns_err *err)
{
	int r = parse_limits(doc, m, err, "persist", true, &pc->all);
	const struct ns_ynode *cs = r == 0 ? ns_ymap_get(m, "containers") : NULL;
	if (cs)
		r = parse_containers(doc, cs, err, pc);
	if (r < 0)
		return r;
	pc->quota = pc->all.size || pc->all.inodes;
	for (size_t i = 0; i < pc->ncontainers; i++)
		pc->quota |= pc->containers[i].size || pc->containers[i].inodes;
	return 0;
}

void ns_persist_config_limits(const struct ns_persist_config *pc, const char *name, uint64_t *size,
			      uint64_t *inodes)
{
	*size = pc->all.size;
	*inodes = pc->all.inodes;
	for (size_t i = 0; i < pc->ncontainers; i++) {
		const struct ns_persist_limit *l = &pc->containers[i];
		if (strcmp(l->name, name))
			continue;
		if (l->has_size)
			*size = l->size;
		if (l->has_inodes)
			*inodes = l->inodes;
	}
}
