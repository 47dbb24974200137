/* A console connection from nstar's side: blocking I/O with poll deadlines where the
 * protocol has them (connect, the handshake), and the -j trace of every byte. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "libns/io.h"
#include "libns/units.h"
#include "libns/util.h"

int64_t nstar_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for events on fd until deadline_ms (-1: forever). 0 when ready, -ETIMEDOUT. */
static int wait_fd(int fd, short events, int64_t deadline_ms)
{
	for (;;) {
		int timeout = -1;
		if (deadline_ms >= 0) {
			int64_t left = deadline_ms - nstar_now_ms();
			if (left <= 0)
				return -ETIMEDOUT;
			timeout = left > 1000000 ? 1000000 : (int)left;
		}
		struct pollfd p = {.fd = fd, .events = events};
		int n = poll(&p, 1, timeout);
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return -errno;
	}
}

/* One connect(2) on a non-blocking socket, finished within the deadline. */
static int connect_addr(const struct sockaddr *sa, socklen_t len, int64_t deadline_ms, int *ret_fd)
{
	ns_autoclose int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	while (connect(fd, sa, len) < 0) {
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN && sa->sa_family == AF_UNIX) { /* backlog full: retry */
			if (nstar_now_ms() >= deadline_ms)
				return -ETIMEDOUT;
			usleep(10000);
			continue;
		}
		if (errno != EINPROGRESS)
			return -errno;
		int r = wait_fd(fd, POLLOUT, deadline_ms);
		if (r < 0)
			return r;
		int so = 0;
		socklen_t solen = sizeof(so);
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &so, &solen) < 0)
			return -errno;
		if (so != 0)
			return -so;
		break;
	}
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0)
		return -errno;
	*ret_fd = ns_steal_fd(&fd);
	return 0;
}

static int connect_tcp(const struct nstar_url *url, int64_t deadline_ms, int *ret_fd)
{
	struct sockaddr_in in4 = {.sin_family = AF_INET, .sin_port = htons(url->port)};
	struct sockaddr_in6 in6 = {.sin6_family = AF_INET6, .sin6_port = htons(url->port)};
	if (!strcmp(url->host, "localhost")) {
		/* The loopback addresses /etc/hosts gives localhost: IPv4 first. */
		in4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		int r = connect_addr((struct sockaddr *)&in4, sizeof(in4), deadline_ms, ret_fd);
		if (r != -ECONNREFUSED && r != -EADDRNOTAVAIL && r != -ENETUNREACH)
			return r;
		in6.sin6_addr = in6addr_loopback;
		int r6 = connect_addr((struct sockaddr *)&in6, sizeof(in6), deadline_ms, ret_fd);
		return r6 == -EAFNOSUPPORT || r6 == -EADDRNOTAVAIL ? r : r6;
	}
	if (inet_pton(AF_INET, url->host, &in4.sin_addr) == 1)
		return connect_addr((struct sockaddr *)&in4, sizeof(in4), deadline_ms, ret_fd);
	if (inet_pton(AF_INET6, url->host, &in6.sin6_addr) == 1)
		return connect_addr((struct sockaddr *)&in6, sizeof(in6), deadline_ms, ret_fd);
	return -EINVAL;
}

static int connect_url(const struct nstar_url *url, int *ret_fd, struct ns_err *err)
{
	int64_t deadline = nstar_now_ms() + NSTAR_CONNECT_TIMEOUT_MS;
	int r;
	if (url->is_unix) {
		struct sockaddr_un un = {.sun_family = AF_UNIX};
		memcpy(un.sun_path, url->path, strlen(url->path) + 1);
		r = connect_addr((struct sockaddr *)&un, sizeof(un), deadline, ret_fd);
	} else {
		r = connect_tcp(url, deadline, ret_fd);
	}
	if (r < 0) {
		char text[sizeof(url->path) + 16];
		return ns_err_sys(err, -r, "cannot connect to the console at %s",
				  nstar_url_str(url, text, sizeof(text)));
	}
	return 0;
}

int nstar_conn_write(struct nstar_conn *c, const void *buf, size_t len, struct ns_err *err)
{
	const char *p = buf;
	size_t left = len;
	while (left > 0) {
		ssize_t n = send(c->fd, p, left, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return ns_err_sys(err, errno, "write to the console");
		p += n;
		left -= (size_t)n;
	}
	if (c->trace_fd >= 0 && ns_write_full(c->trace_fd, buf, len) < 0)
		return ns_err_sys(err, errno, "write the trace");
	return 0;
}

/* Writes an encoded line with its newline in one piece. */
static int write_line(struct nstar_conn *c, char *line, struct ns_err *err)
{
	size_t len = strlen(line);
	ns_autofree char *buf = malloc(len + 1);
	if (!buf)
		return ns_err_set(err, ENOMEM, "out of memory");
	memcpy(buf, line, len);
	buf[len] = '\n';
	return nstar_conn_write(c, buf, len + 1, err);
}

int nstar_conn_send(struct nstar_conn *c, const struct ns_console_request *req, struct ns_err *err)
{
	ns_autofree char *line = ns_console_encode_request(req, err);
	if (!line)
		return ns_err_wrap(err, "encode the %s request", ns_request_kind_name(req->kind));
	return write_line(c, line, err);
}

/* One read into the line buffer, traced. 0 at EOF. */
static int fill(struct nstar_conn *c, int64_t deadline_ms, struct ns_err *err)
{
	int r = wait_fd(c->fd, POLLIN, deadline_ms);
	if (r < 0)
		return ns_err_sys(err, -r, "read from the console");
	ssize_t n = ns_linebuf_fill(&c->lb, c->fd, err);
	if (n < 0)
		return n == -EAGAIN ? 1 : ns_err_wrap(err, "read from the console");
	if (n > 0 && c->trace_fd >= 0 &&
	    ns_write_full(c->trace_fd, c->lb.buf + c->lb.end - (size_t)n, (size_t)n) < 0)
		return ns_err_sys(err, errno, "write the trace");
	return n > 0;
}

int nstar_conn_recv(struct nstar_conn *c, int64_t deadline_ms, struct ns_console_frame *f,
		    struct ns_err *err)
{
	for (;;) {
		const char *line;
		size_t len;
		int r = ns_linebuf_next(&c->lb, &line, &len, err);
		if (r < 0)
			return ns_err_wrap(err, "message from the server");
		if (r > 0) {
			if (ns_console_decode_frame(line, len, f, err) < 0) {
				ns_err_wrap(err, "bad message from the server");
				return -(err->errnum = EPROTO);
			}
			return 1;
		}
		if (c->lb.eof)
			return 0;
		r = fill(c, deadline_ms, err);
		if (r < 0)
			return r;
	}
}

/* The response kind that answers each request kind. */
static const enum ns_response_kind answer[NS_REQ_COUNT] = {
    [NS_REQ_IDENT] = NS_RESP_IDENT,
    [NS_REQ_INSPECT] = NS_RESP_INSPECT,
    [NS_REQ_INSTALL] = NS_RESP_INSTALL,
    [NS_REQ_KILL] = NS_RESP_KILL,
    [NS_REQ_LIST] = NS_RESP_LIST,
    [NS_REQ_MOUNT] = NS_RESP_MOUNT,
    [NS_REQ_REPOSITORIES] = NS_RESP_REPOSITORIES,
    [NS_REQ_SHUTDOWN] = NS_RESP_SHUTDOWN,
    [NS_REQ_START] = NS_RESP_START,
    [NS_REQ_TOKEN_CREATE] = NS_RESP_TOKEN,
    [NS_REQ_TOKEN_VERIFY] = NS_RESP_TOKEN_VERIFICATION,
    [NS_REQ_UMOUNT] = NS_RESP_UMOUNT,
    [NS_REQ_UNINSTALL] = NS_RESP_UNINSTALL,
    [NS_REQ_LOGS] = NS_RESP_LOGS,
};

/* Accepts f when it answers kind; otherwise frees it and sets err. */
static int check_response(struct ns_console_frame *f, enum ns_request_kind kind, struct ns_err *err)
{
	int r = 0;
	if (f->kind != NS_FRAME_RESPONSE)
		r = ns_err_set(err, EPROTO,
			       "unexpected message from the server while waiting "
			       "for the %s response",
			       ns_request_kind_name(kind));
	else if (f->response.kind == NS_RESP_PERMISSION_DENIED)
		r = ns_err_set(err, EACCES, "permission denied");
	else if (f->response.kind != answer[kind])
		r = ns_err_set(err, EPROTO, "the server answered a %s request with a %s response",
			       ns_request_kind_name(kind), ns_response_kind_name(f->response.kind));
	if (r < 0)
		ns_console_frame_free(f);
	return r;
}

int nstar_conn_response(struct nstar_conn *c, enum ns_request_kind kind, struct ns_console_frame *f,
			struct ns_err *err)
{
	for (;;) {
		int r = nstar_conn_recv(c, -1, f, err);
		if (r < 0)
			return r;
		if (r == 0)
			return ns_err_set(err, ECONNRESET,
					  "the server closed the connection before "
					  "answering the %s request",
					  ns_request_kind_name(kind));
		/* Only subscribers get notifications, but one arriving early is harmless. */
		if (f->kind != NS_FRAME_NOTIFICATION)
			return check_response(f, kind, err);
		ns_console_frame_free(f);
	}
}

int nstar_conn_request(struct nstar_conn *c, const struct ns_console_request *req,
		       struct ns_console_frame *f, struct ns_err *err)
{
	int r = nstar_conn_send(c, req, err);
	return r < 0 ? r : nstar_conn_response(c, req->kind, f, err);
}

static int handshake_reply(const struct ns_console_frame *f, struct ns_err *err)
{
	char v[64];
	if (f->kind == NS_FRAME_CONNECT_ACK)
		return 0; /* whatever its value: older servers sent an object */
	if (f->kind != NS_FRAME_CONNECT_NACK)
		return ns_err_set(err, EPROTO,
				  "unexpected message from the server during the "
				  "handshake");
	if (f->nack.kind == NS_NACK_PERMISSION_DENIED)
		return ns_err_set(err, EACCES, "permission denied");
	struct ns_version ours = ns_console_version();
	char o[64];
	return ns_err_set(
	    err, EPROTONOSUPPORT, "protocol version mismatch: the server speaks %s and refuses %s",
	    ns_version_str(&f->nack.version, v, sizeof(v)), ns_version_str(&ours, o, sizeof(o)));
}

static int handshake(struct nstar_conn *c, uint64_t timeout_ns, bool subscribe, struct ns_err *err)
{
	struct ns_version ours = ns_console_version();
	ns_autofree char *line = ns_console_encode_connect(&ours, subscribe, err);
	if (!line || write_line(c, line, err) < 0)
		return ns_err_ret(err);
	uint64_t ms = timeout_ns / 1000000;
	int64_t deadline = nstar_now_ms() + (ms > INT32_MAX ? INT32_MAX : (int64_t)ms);
	struct ns_console_frame f;
	int r = nstar_conn_recv(c, deadline, &f, err);
	if (r == -ETIMEDOUT) {
		char d[64];
		ns_format_duration(timeout_ns, d, sizeof(d));
		return ns_err_set(err, ETIMEDOUT, "no handshake reply from the server within %s",
				  d);
	}
	if (r < 0)
		return r;
	if (r == 0)
		return ns_err_set(err, ECONNRESET,
				  "the server closed the connection during the "
				  "handshake");
	r = handshake_reply(&f, err);
	ns_console_frame_free(&f);
	return r;
}

int nstar_conn_open(struct nstar_conn *c, const struct nstar_url *url, uint64_t timeout_ns,
		    bool subscribe, int trace_fd, struct ns_err *err)
{
	c->fd = -1;
	c->trace_fd = trace_fd;
	c->connected = false;
	ns_linebuf_init(&c->lb, NSTAR_MAX_LINE);
	int r = connect_url(url, &c->fd, err);
	if (r == 0) {
		c->connected = true;
		r = handshake(c, timeout_ns, subscribe, err);
	}
	if (r < 0)
		nstar_conn_close(c);
	return r;
}

void nstar_conn_close(struct nstar_conn *c)
{
	ns_closep(&c->fd);
	ns_linebuf_free(&c->lb);
}
