/* A tiny blocking client for the console a container gets through NORTHSTAR_CONSOLE:
 * the handshake, one request at a time, and notifications. It speaks the newline
 * delimited JSON of Northstar 0.9 through libns's codec (libns/console_msg.h). */
#ifndef EXAMPLE_CLIENT_H
#define EXAMPLE_CLIENT_H

#include <stdbool.h>

#include "libns/console_msg.h"
#include "libns/linebuf.h"

struct ex_client {
	int fd;
	struct ns_linebuf lb;
	/* Notifications that arrive while a request waits for its response go here, with
	 * their raw line (not NUL-terminated). NULL drops them. */
	void (*on_notification)(const struct ns_console_notification *n, const char *line,
				size_t len, void *ctx);
	void *ctx;
};

/* Takes the console fd from NORTHSTAR_CONSOLE and shakes hands, subscribing to
 * notifications when asked. Fails with ENOENT outside a container with a console,
 * EACCES on a refused subscription, EPROTO on a refused version. */
int ex_client_connect(struct ex_client *c, bool subscribe, struct ns_err *err);

/* Sends req and waits for its response, handing notifications met on the way to
 * on_notification. On success out->kind is NS_FRAME_RESPONSE and out->response holds
 * the answer (possibly NS_RESP_PERMISSION_DENIED); free it with ns_console_frame_free. */
int ex_client_call(struct ex_client *c, const struct ns_console_request *req,
		   struct ns_console_frame *out, struct ns_err *err);

/* Blocks until the next notification and hands it to on_notification. */
int ex_client_wait_notification(struct ex_client *c, struct ns_err *err);

void ex_client_close(struct ex_client *c);

/* Shortcuts for the requests the examples make. Each fails with EACCES when the
 * console lacks the permission, and with EPROTO on an unexpected answer. */
/* The caller's identity: a container's own name and version, "extern:0.0.0" outside. */
int ex_client_ident(struct ex_client *c, struct ns_container_id *id, struct ns_err *err);

#endif
