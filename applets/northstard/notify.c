/* Notifications (spec console §3.4): encoded once, queued on every subscribed
 * connection. A subscriber that falls behind by more than notification_buffer_size
 * is disconnected (nsd_conn_send). */
#include <stdlib.h>
#include <string.h>

#include "nsd.h"

void nsd_notify(struct nsd *d, const struct ns_console_notification *n)
{
	struct ns_err err = {0};
	char *line = NULL;
	for (struct nsd_conn *c = d->conns, *next; c; c = next) {
		next = c->next;
		if (!c->subscribed || c->state == NSD_CONN_HANDSHAKE || c->state == NSD_CONN_CLOSED)
			continue;
		if (!line && !(line = ns_console_encode_notification(n, &err))) {
			ns_error(&d->log, NSD_TAG, "notification: %s", err.msg);
			return;
		}
		char *copy = strdup(line);
		if (copy)
			nsd_conn_send(d, c, copy, true);
	}
	free(line);
}

void nsd_notify_container(struct nsd *d, enum ns_notification_kind kind,
			  const struct nsd_container *c)
{
	struct ns_console_notification n = {.kind = kind, .container = nsd_cid(c)};
	nsd_notify(d, &n);
}

void nsd_notify_exit(struct nsd *d, const struct nsd_container *c, const struct ns_exit_status *s)
{
	struct ns_console_notification n = {
	    .kind = NS_NOTIF_EXIT, .container = nsd_cid(c), .exit = *s};
	nsd_notify(d, &n);
}
