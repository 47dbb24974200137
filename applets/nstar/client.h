/* nstar's side of a console connection: the address, connect with a deadline, the
 * handshake, one request and its response, and the raw trace of -j (every byte read
 * and written, copied to a descriptor as it passes). The messages themselves are
 * libns/console_msg.h's. */
#ifndef NS_NSTAR_CLIENT_H
#define NS_NSTAR_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/un.h>

#include "libns/console_msg.h"
#include "libns/err.h"
#include "libns/linebuf.h"

#define NSTAR_DEFAULT_PORT 4200
/* The environment variable that gives the address when -u is not given. */
#define NSTAR_URL_ENV_NAME "NSTAR_URL"
/* connect(2) gets this long, as in Northstar's nstar; the handshake has -t. */
#define NSTAR_CONNECT_TIMEOUT_MS 5000
/* The client sets no line limit in Northstar; this one only bounds memory. */
#define NSTAR_MAX_LINE (64u << 20)

/* tcp://HOST[:PORT] (HOST an IPv4 address, [IPv6] or localhost) or unix:///PATH. */
struct nstar_url {
	bool is_unix;
	char host[64]; /* without brackets */
	uint16_t port;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};
/* Fails with EINVAL and a message starting "invalid url". Host names other than
 * localhost are refused here: a static binary has no resolver (docs/nstar.md). */
int nstar_url_parse(const char *text, struct nstar_url *url, struct ns_err *err);
/* The text of url: "unix:///PATH" or "tcp://HOST:PORT" ([HOST] for IPv6). */
char *nstar_url_str(const struct nstar_url *url, char *buf, size_t size);
/* What to tell the user after connect(2) to url failed with errnum: why it probably
 * failed (no socket file: the daemon is not running; refused; not allowed) and how to
 * give another address. origin says where url came from ("nstar's default", "NSTAR_URL",
 * "--url"). Lines after the first are indented by two spaces; no trailing newline. */
char *nstar_connect_hint(const struct nstar_url *url, const char *origin, int errnum, char *buf,
			 size_t size);

struct nstar_conn {
	int fd;
	int trace_fd;	/* -1, or where every byte read and written is copied */
	bool connected; /* connect(2) succeeded: a failure after it is the handshake's */
	struct ns_linebuf lb;
};

/* Connects (NSTAR_CONNECT_TIMEOUT_MS), sends connect and waits up to timeout_ns for
 * the ack. A nack, EOF or anything else is an error. trace_fd as in struct
 * nstar_conn. */
int nstar_conn_open(struct nstar_conn *c, const struct nstar_url *url, uint64_t timeout_ns,
		    bool subscribe, int trace_fd, struct ns_err *err);
void nstar_conn_close(struct nstar_conn *c);

/* Writes bytes to the server (and the trace). */
int nstar_conn_write(struct nstar_conn *c, const void *buf, size_t len, struct ns_err *err);
/* Encodes req and writes it as one line. */
int nstar_conn_send(struct nstar_conn *c, const struct ns_console_request *req, struct ns_err *err);
/* Reads the next message. deadline_ms is on CLOCK_MONOTONIC, or -1 to wait forever.
 * Returns 1 with a frame to free, 0 at EOF, or -errno (ETIMEDOUT at the deadline). */
int nstar_conn_recv(struct nstar_conn *c, int64_t deadline_ms, struct ns_console_frame *f,
		    struct ns_err *err);
/* Waits for the response to a request of kind, skipping notifications. A
 * permission_denied response is the error "permission denied" (EACCES); EOF is
 * ECONNRESET; a response of another kind is EPROTO. */
int nstar_conn_response(struct nstar_conn *c, enum ns_request_kind kind, struct ns_console_frame *f,
			struct ns_err *err);
/* nstar_conn_send, then nstar_conn_response. */
int nstar_conn_request(struct nstar_conn *c, const struct ns_console_request *req,
		       struct ns_console_frame *f, struct ns_err *err);

int64_t nstar_now_ms(void);

#endif
