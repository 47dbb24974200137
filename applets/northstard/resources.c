/* Which installed container a resource mount gets: the highest matching version among
 * the candidates its container's repository trusts (issue 14, item 3). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "nsd.h"

/* Why a container of repository user may not mount a resource of repository res, or
 * NULL when it may: a keyed repository trusts the repositories with the same key and
 * those its `trust` lists (all keyed); an unkeyed one trusts every repository. */
static const char *distrust(const struct nsd_repo *user, const struct nsd_repo *res)
{
	if (!user->has_key || user == res)
		return NULL;
	if (!res->has_key)
		return "the repository has no key";
	/* the key itself, not the name: one key may serve several repositories */
	if (!memcmp(user->key.key, res->key.key, sizeof(user->key.key)))
		return NULL;
	if (ns_config_repo_trusts(user->cfg, res->cfg->name))
		return NULL;
	return "another key, and not in its 'trust' list";
}

static bool satisfies(const struct nsd_container *c, const struct ns_mount *m)
{
	const struct ns_manifest *cm = nsd_manifest(c);
	return !strcmp(cm->name, m->name) && ns_version_req_matches(&m->req, &cm->version);
}

/* Appends to why[size] at *off; a text cut short ends in "...". */
static void why_add(char *why, size_t size, size_t *off, const char *fmt, ...)
{
	va_list ap;
	if (*off >= size)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(why + *off, size - *off, fmt, ap);
	va_end(ap);
	*off += n < 0 ? 0 : (size_t)n;
	if (*off >= size && size > 4)
		memcpy(why + size - 4, "...", 4);
}

/* Northstar sorts the candidates ascending and takes the first, the lowest matching
 * version (a bug, spec §2.5); the highest is what a requirement like ">=1" means. It
 * also takes candidates from any repository: a signed container would run an
 * unsigned resource. */
struct nsd_container *nsd_resolve_resource(struct nsd *d, const struct nsd_container *user,
					   const struct ns_mount *m, char *why, size_t size)
{
	struct nsd_container *best = NULL;
	size_t off = 0;
	if (size)
		why[0] = '\0';
	for (struct nsd_container *c = d->containers; c; c = c->next) {
		if (!satisfies(c, m) || distrust(user->repo, c->repo))
			continue;
		if (!best ||
		    ns_version_cmp(&nsd_manifest(c)->version, &nsd_manifest(best)->version) > 0)
			best = c;
	}
	for (struct nsd_container *c = d->containers; c; c = c->next) {
		const char *reason = satisfies(c, m) ? distrust(user->repo, c->repo) : NULL;
		if (!reason || (best && ns_version_cmp(&nsd_manifest(c)->version,
						       &nsd_manifest(best)->version) < 0))
			continue;
		if (off == 0)
			why_add(why, size, &off, "resource %s (%s): ", m->name, m->version_req);
		else
			why_add(why, size, &off, "; ");
		why_add(why, size, &off,
			"%s in repository '%s' passed over: not verified with a key trusted by "
			"'%s' (%s)",
			c->id, c->repo->cfg->name, user->repo->cfg->name, reason);
	}
	return best;
}
