/* The container table: every installed container, by id. */
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
	ns_linering_free(&c->logs.ring);
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
