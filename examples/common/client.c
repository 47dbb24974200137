/* The examples' console client (client.h). Blocking and single threaded on purpose:
 * the examples make a handful of requests and have nothing else to do meanwhile. */
#include "client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "example.h"

/* Responses carry at most a manifest or a container list; 16 MiB is far beyond both. */
#define EX_CLIENT_MAX_LINE (16u << 20)

static int send_line(int fd, char *json, struct ns_err *err)
{
	if (!json)
		return ns_err_ret(err);
	size_t len = strlen(json);
	/* MSG_NOSIGNAL: a runtime that went away is an error to report, not a SIGPIPE. */
	const char *parts[2] = {json, "\n"};
	size_t lens[2] = {len, 1};
	for (int i = 0; i < 2; i++) {
		size_t off = 0;
		while (off < lens[i]) {
			ssize_t n = send(fd, parts[i] + off, lens[i] - off, MSG_NOSIGNAL);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				int e = errno;
				free(json);
				return ns_err_sys(err, e, "write to the console");
			}
			off += (size_t)n;
		}
	}
	free(json);
	return 0;
}

/* The next line from the runtime: 1 with *line set, or a negative errno (EOF included). */
static int read_line(struct ex_client *c, const char **line, size_t *len, struct ns_err *err)
{
	for (;;) {
		int r = ns_linebuf_next(&c->lb, line, len, err);
		if (r != 0)
			return r;
		if (c->lb.eof)
			return ns_err_set(err, ECONNRESET, "the runtime closed the console");
		ssize_t n = ns_linebuf_fill(&c->lb, c->fd, err);
		if (n < 0)
			return (int)n;
	}
}

/* Exactly one frame. */
static int next_frame(struct ex_client *c, struct ns_console_frame *out, const char **line,
		      size_t *len, struct ns_err *err)
{
	int r = read_line(c, line, len, err);
	if (r < 0)
		return r;
	if ((r = ns_console_decode_frame(*line, *len, out, err)) < 0)
		return ns_err_wrap(err, "console message");
	return 0;
}

static void notify(struct ex_client *c, struct ns_console_frame *f, const char *line, size_t len)
{
	if (c->on_notification)
		c->on_notification(&f->notification, line, len, c->ctx);
	ns_console_frame_free(f);
}

/* Reads frames until one that is not a notification; notifications go to the callback. */
static int read_frame(struct ex_client *c, struct ns_console_frame *out, struct ns_err *err)
{
	for (;;) {
		const char *line;
		size_t len;
		int r = next_frame(c, out, &line, &len, err);
		if (r < 0)
			return r;
		if (out->kind != NS_FRAME_NOTIFICATION)
			return 0;
		notify(c, out, line, len);
	}
}

int ex_client_connect(struct ex_client *c, bool subscribe, struct ns_err *err)
{
	memset(c, 0, sizeof(*c));
	c->fd = ex_env_fd("NORTHSTAR_CONSOLE");
	if (c->fd < 0)
		return ns_err_set(err, ENOENT, "NORTHSTAR_CONSOLE is not set: no console");
	ns_linebuf_init(&c->lb, EX_CLIENT_MAX_LINE);
	struct ns_version v = ns_console_version();
	int r = send_line(c->fd, ns_console_encode_connect(&v, subscribe, err), err);
	if (r < 0)
		return r;
	struct ns_console_frame f;
	if ((r = read_frame(c, &f, err)) < 0)
		return ns_err_wrap(err, "handshake");
	enum ns_frame_kind kind = f.kind;
	enum ns_nack_kind nack = f.nack.kind;
	ns_console_frame_free(&f);
	if (kind == NS_FRAME_CONNECT_ACK)
		return 0;
	if (kind != NS_FRAME_CONNECT_NACK)
		return ns_err_set(err, EPROTO, "handshake: expected connect_ack");
	if (nack == NS_NACK_PERMISSION_DENIED)
		return ns_err_set(err, EACCES, "handshake: notifications are not permitted");
	return ns_err_set(
	    err, EPROTO, "handshake: the runtime refused protocol version %llu.%llu.%llu",
	    (unsigned long long)v.major, (unsigned long long)v.minor, (unsigned long long)v.patch);
}

int ex_client_call(struct ex_client *c, const struct ns_console_request *req,
		   struct ns_console_frame *out, struct ns_err *err)
{
	int r = send_line(c->fd, ns_console_encode_request(req, err), err);
	if (r < 0)
		return r;
	if ((r = read_frame(c, out, err)) < 0)
		return r;
	if (out->kind != NS_FRAME_RESPONSE) {
		ns_console_frame_free(out);
		return ns_err_set(err, EPROTO, "expected a response");
	}
	return 0;
}

int ex_client_wait_notification(struct ex_client *c, struct ns_err *err)
{
	struct ns_console_frame f;
	const char *line;
	size_t len;
	int r = next_frame(c, &f, &line, &len, err);
	if (r < 0)
		return r;
	if (f.kind != NS_FRAME_NOTIFICATION) {
		ns_console_frame_free(&f);
		return ns_err_set(err, EPROTO, "unexpected message between requests");
	}
	notify(c, &f, line, len);
	return 0;
}

void ex_client_close(struct ex_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	ns_linebuf_free(&c->lb);
}

int ex_client_ident(struct ex_client *c, struct ns_container_id *id, struct ns_err *err)
{
	struct ns_console_request req = {.kind = NS_REQ_IDENT};
	struct ns_console_frame f;
	int r = ex_client_call(c, &req, &f, err);
	if (r < 0)
		return r;
	if (f.response.kind == NS_RESP_PERMISSION_DENIED) {
		r = ns_err_set(err, EACCES, "ident: permission denied");
	} else if (f.response.kind != NS_RESP_IDENT) {
		r = ns_err_set(err, EPROTO, "ident: unexpected response");
	} else {
		snprintf(id->name, sizeof(id->name), "%s", f.response.ident.name);
		id->version = f.response.ident.version;
	}
	ns_console_frame_free(&f);
	return r;
}
