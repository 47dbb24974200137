/* The sockets a manifest declares: made in socket_dir before the start (libns/sockets.h),
 * passed to ns-init with the launch description, removed when the container exits. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libns/sockets.h"
#include "nsd.h"

/* <name>:<version>:<socket>, the name Northstar gives the file. */
static char *socket_file(const struct nsd_container *c, const struct ns_socket *s)
{
	char *f = NULL;
	return asprintf(&f, "%s:%s", c->id, s->name) < 0 ? NULL : f;
}

int nsd_sockets_create(struct nsd *d, const struct nsd_container *c, struct nsd_process *p,
		       int *fds, struct ns_err *err)
{
	const struct ns_manifest *m = nsd_manifest(c);
	if (m->nsockets > NS_LAUNCH_FDS_MAX)
		return ns_err_set(err, E2BIG, "%zu sockets, more than %d", m->nsockets,
				  NS_LAUNCH_FDS_MAX);
	p->sockets = calloc(m->nsockets + 1, sizeof(*p->sockets));
	if (!p->sockets)
		return ns_err_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < m->nsockets; i++) {
		char *file = socket_file(c, &m->sockets[i]);
		if (!file)
			return ns_err_set(err, ENOMEM, "out of memory");
		p->sockets[p->nsockets] = file;
		fds[i] = ns_socket_create(d->cfg.socket_dir, file, &m->sockets[i], err);
		if (fds[i] < 0) {
			free(file);
			p->sockets[p->nsockets] = NULL;
			return ns_err_wrap(err, "socket %s", m->sockets[i].name);
		}
		p->nsockets++;
	}
	return 0;
}

void nsd_sockets_remove(struct nsd *d, struct nsd_process *p)
{
	for (size_t i = 0; i < p->nsockets; i++) {
		struct ns_err err = {0};
		if (ns_socket_remove(d->cfg.socket_dir, p->sockets[i], &err) < 0)
			ns_warn(&d->log, NSD_TAG, "%s", err.msg);
		free(p->sockets[i]);
	}
	free(p->sockets);
	p->sockets = NULL;
	p->nsockets = 0;
}
