/* The container table: every installed container, by id. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nsd.h"

struct nsd_container *nsd_find(struct nsd *d, const struct ns_console_id *id)
{
	for (struct nsd_container *c = d->containers; c; c = c->next) {
		const struct ns_manifest *m = nsd_manifest(c);
		if (!strcmp(m->name, id->name) && !ns_version_cmp(&m->version, &id->version))
			return c;
	}
	return NULL;
}

struct nsd_container *nsd_find_str(struct nsd *d, const char *id)
{
	for (struct nsd_container *c = d->containers; c; c = c->next)
		if (!strcmp(c->id, id))
			return c;
	return NULL;
}

struct nsd_container *nsd_running_named(struct nsd *d, const char *name)
{
	for (struct nsd_container *c = d->containers; c; c = c->next)
		if (c->proc && !strcmp(nsd_manifest(c)->name, name))
			return c;
	return NULL;
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
		if (!satisfies(c, m) || nsd_repo_distrust(user->repo, c->repo))
			continue;
		if (!best ||
		    ns_version_cmp(&nsd_manifest(c)->version, &nsd_manifest(best)->version) > 0)
			best = c;
	}
	for (struct nsd_container *c = d->containers; c; c = c->next) {
		const char *reason =
		    satisfies(c, m) ? nsd_repo_distrust(user->repo, c->repo) : NULL;
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

struct nsd_container *nsd_resource_user(struct nsd *d, const struct nsd_container *res)
{
	for (struct nsd_container *c = d->containers; c; c = c->next) {
		if (!c->proc)
			continue;
		for (size_t i = 0; i < c->proc->nresources; i++)
			if (c->proc->resources[i] == res)
				return c;
	}
	return NULL;
}

void nsd_add(struct nsd *d, struct nsd_container *c)
{
	struct nsd_container **pp = &d->containers;
	while (*pp) /* install order: list and autostart follow it */
		pp = &(*pp)->next;
	c->next = NULL;
	*pp = c;
}

void nsd_remove(struct nsd *d, struct nsd_container *c)
{
	for (struct nsd_container **pp = &d->containers; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			return;
		}
}

void nsd_container_free(struct nsd_container *c)
{
	if (!c)
		return;
	if (c->img.manifest.arena)
		ns_manifest_free(&c->img.manifest);
	free(c->img.manifest_text);
	if (c->img.fd >= 0)
		close(c->img.fd);
	free(c->id);
	free(c->file);
	free(c->blk);
	free(c);
}

size_t nsd_count(const struct nsd *d)
{
	size_t n = 0;
	for (const struct nsd_container *c = d->containers; c; c = c->next)
		n++;
	return n;
}
