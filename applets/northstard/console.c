/* The console server (spec console §1-§2): the global listener (unix:// with mode
 * 0600, or tcp://, loopback unless allow_remote), connections with newline framing,
 * the handshake, requests in order, the raw NPK stream of install, and bounded output
 * queues. Connections are freed in a sweep after each round of events, so a handler
 * may close any connection, its own included, and carry on safely. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "libns/io.h"
#include "libns/util.h"
#include "nsd.h"

#define DEFAULT_PORT 4200
#define STREAM_CHUNK (64u << 10)

/* --- listener ------------------------------------------------------------------ */

static int listen_unix(struct nsd *d, const char *path, struct ns_err *err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (!path[0] || strlen(path) >= sizeof(sa.sun_path))
		return ns_err_set(err, ENAMETOOLONG,
				  "console: unix socket path '%s' is empty or "
				  "longer than %zu bytes",
				  path, sizeof(sa.sun_path) - 1);
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return ns_err_sys(err, errno, "console: socket");
	(void)unlink(path);
	mode_t old = umask(0177); /* born 0600: no window where others may connect */
	int r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (r < 0 || chmod(path, 0600) < 0 || listen(fd, SOMAXCONN) < 0) {
		r = ns_err_sys(err, errno, "console: listen on '%s'", path);
		close(fd);
		return r;
	}
	snprintf(d->listener.path, sizeof(d->listener.path), "%s", path);
	return fd;
}

/* HOST[:PORT], [V6][:PORT]; numeric addresses and "localhost" only (no NSS). */
static int parse_tcp(const char *s, struct sockaddr_storage *ss, socklen_t *len, struct ns_err *err)
{
	char host[256];
	unsigned long port = DEFAULT_PORT;
	const char *p;
	if (s[0] == '[') {
		const char *end = strchr(s, ']');
		if (!end || (size_t)(end - s - 1) >= sizeof(host))
			return ns_err_set(err, EINVAL, "console: bad address '%s'", s);
		snprintf(host, sizeof(host), "%.*s", (int)(end - s - 1), s + 1);
		p = end + 1;
	} else {
		p = strchr(s, ':');
		size_t n = p ? (size_t)(p - s) : strlen(s);
		if (n >= sizeof(host))
			return ns_err_set(err, EINVAL, "console: bad address '%s'", s);
		snprintf(host, sizeof(host), "%.*s", (int)n, s);
		if (!p)
			p = s + n;
	}
	if (*p == ':') {
		char *end;
		port = strtoul(p + 1, &end, 10);
		if (end == p + 1 || *end || port == 0 || port > 65535)
			return ns_err_set(err, EINVAL, "console: bad port in '%s'", s);
	} else if (*p) {
		return ns_err_set(err, EINVAL, "console: bad address '%s'", s);
	}
	if (!strcmp(host, "localhost"))
		snprintf(host, sizeof(host), "127.0.0.1");
	struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)port);
		*len = sizeof(*v4);
	} else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*v6);
	} else {
		return ns_err_set(err, EINVAL,
				  "console: '%s' is not a numeric address or localhost", host);
	}
	return 0;
}

static bool is_loopback(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr) >> 24) == 127;
	const struct in6_addr *a = &((const struct sockaddr_in6 *)ss)->sin6_addr;
	return IN6_IS_ADDR_LOOPBACK(a) || (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
}

static int listen_tcp(struct nsd *d, const char *spec, struct ns_err *err)
{
	struct sockaddr_storage ss;
	socklen_t len;
	if (parse_tcp(spec, &ss, &len, err) < 0)
		return ns_err_ret(err);
	if (!is_loopback(&ss) && !d->cfg.global.allow_remote)
		return ns_err_set(err, EPERM,
				  "console: tcp://%s is not a loopback address: the console has no "
				  "authentication; set console.global.allow_remote to listen there",
				  spec);
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;
	if (fd < 0)
		return ns_err_sys(err, errno, "console: socket");
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, SOMAXCONN) < 0) {
		int r = ns_err_sys(err, errno, "console: listen on tcp://%s", spec);
		close(fd);
		return r;
	}
	return fd;
}

int nsd_console_listen(struct nsd *d, struct ns_err *err)
{
	if (!d->cfg.has_global)
		return 0;
	const char *bind = d->cfg.global.bind;
	int fd = !strncmp(bind, "unix://", 7) ? listen_unix(d, bind + 7, err)
					      : listen_tcp(d, bind + 6, err);
	if (fd < 0)
		return fd;
	d->listener.fd = fd;
	d->listener.ev.kind = NSD_EV_LISTENER;
	if (nsd_epoll_add(d, fd, EPOLLIN, &d->listener.ev, err) < 0) {
		close(fd);
		return ns_err_ret(err);
	}
	d->have_listener = true;
	ns_info(&d->log, NSD_TAG, "Console listening on %s", bind);
	return 0;
}

/* --- connections --------------------------------------------------------------- */

static void set_events(struct nsd *d, struct nsd_conn *c)
{
	if (c->state == NSD_CONN_CLOSED)
		return;
	/* pending output first: the next request is read once the last answer is out */
	bool out = c->outlen > 0;
	if (out == c->want_out)
		return;
	struct epoll_event e = {.events = out ? EPOLLOUT : EPOLLIN, .data.ptr = &c->ev};
	if (epoll_ctl(d->epfd, EPOLL_CTL_MOD, c->fd, &e) == 0)
		c->want_out = out;
}

void nsd_console_accept(struct nsd *d)
{
	for (int i = 0; i < 64; i++) {
		int fd = accept4(d->listener.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0 && (errno == EMFILE || errno == ENFILE)) {
			/* the pending connection would wake us again and again: listen no more
			 * until a connection goes */
			ns_warn(&d->log, NSD_TAG, "console: out of descriptors: not accepting "
				"until a connection closes");
			nsd_epoll_del(d, d->listener.fd);
			d->listener.paused = true;
			return;
		}
		if (fd < 0)
			return;
		struct nsd_conn *c = calloc(1, sizeof(*c));
		struct ns_err err = {0};
		if (!c) {
			close(fd);
			return;
		}
		c->ev.kind = NSD_EV_CONN;
		c->fd = fd;
		c->state = NSD_CONN_HANDSHAKE;
		c->perms = d->cfg.global.perms;
		c->peer = "extern";
		c->deadline_ms = nsd_now_ms() + NSD_CONNECT_TIMEOUT_MS;
		c->stream_timeout_ms = d->cfg.global.options.npk_stream_timeout_ns / 1000000u;
		ns_linebuf_init(&c->lb, (size_t)d->cfg.global.options.max_request_size);
		if (nsd_epoll_add(d, fd, EPOLLIN, &c->ev, &err) < 0) {
			ns_linebuf_free(&c->lb);
			close(fd);
			free(c);
			continue;
		}
		c->next = d->conns;
		d->conns = c;
		ns_debug(&d->log, NSD_TAG, "console: client connected");
	}
}

void nsd_conn_close(struct nsd *d, struct nsd_conn *c)
{
	if (c->state == NSD_CONN_CLOSED)
		return;
	if (c->inst) {
		nsd_install_abort(d, c->inst);
		free(c->inst);
		c->inst = NULL;
	}
	close(c->fd); /* also leaves the epoll set */
	c->fd = -1;
	c->state = NSD_CONN_CLOSED;
}

static void conn_free(struct nsd_conn *c)
{
	ns_linebuf_free(&c->lb);
	free(c->out);
	free(c);
}

void nsd_console_sweep(struct nsd *d)
{
	bool freed = false;
	for (struct nsd_conn **pp = &d->conns; *pp;) {
		struct nsd_conn *c = *pp;
		if (c->state == NSD_CONN_CLOSED) {
			*pp = c->next;
			conn_free(c);
			freed = true;
		} else {
			pp = &c->next;
		}
	}
	struct ns_err err = {0};
	if (freed && d->have_listener && d->listener.paused &&
	    nsd_epoll_add(d, d->listener.fd, EPOLLIN, &d->listener.ev, &err) == 0)
		d->listener.paused = false;
}

static void flush(struct nsd *d, struct nsd_conn *c)
{
	size_t off = 0;
	while (off < c->outlen) {
		ssize_t n = send(c->fd, c->out + off, c->outlen - off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n <= 0) {
			nsd_conn_close(d, c);
			return;
		}
		off += (size_t)n;
	}
	memmove(c->out, c->out + off, c->outlen - off);
	c->outlen -= off;
	if (c->outlen == 0)
		c->lagging = 0;
	set_events(d, c);
}

bool nsd_conn_send(struct nsd *d, struct nsd_conn *c, char *line, bool notification)
{
	if (c->state == NSD_CONN_CLOSED) {
		free(line);
		return false;
	}
	size_t n = strlen(line);
	if (c->outlen + n + 1 > c->outcap) {
		size_t cap = (c->outlen + n + 1) * 2;
		char *o = realloc(c->out, cap);
		if (!o) {
			free(line);
			nsd_conn_close(d, c);
			return false;
		}
		c->out = o;
		c->outcap = cap;
	}
	memcpy(c->out + c->outlen, line, n);
	c->out[c->outlen + n] = '\n';
	c->outlen += n + 1;
	free(line);
	if (notification && c->outlen > n + 1 && ++c->lagging > d->cfg.notification_buffer_size) {
		ns_warn(&d->log, NSD_TAG,
			"console: a subscriber lags behind by more than %llu "
			"notifications: disconnected",
			(unsigned long long)d->cfg.notification_buffer_size);
		nsd_conn_close(d, c);
		return false;
	}
	flush(d, c);
	return c->state != NSD_CONN_CLOSED;
}

/* --- the handshake ----------------------------------------------------------------- */

static void handshake(struct nsd *d, struct nsd_conn *c, const struct ns_console_frame *f)
{
	struct ns_err err = {0};
	if (f->kind != NS_FRAME_CONNECT) {
		nsd_conn_close(d, c);
		return;
	}
	struct ns_version server = ns_console_version();
	struct ns_console_nack nack = {.version = server};
	bool ok = true;
	if (!ns_console_version_accepted(&server, &f->version)) {
		nack.kind = NS_NACK_INVALID_PROTOCOL_VERSION;
		ok = false;
	} else if (f->subscribe_notifications && !ns_console_subscribe_permitted(c->perms)) {
		nack.kind = NS_NACK_PERMISSION_DENIED;
		ok = false;
	}
	char *line =
	    ok ? ns_console_encode_connect_ack(&err) : ns_console_encode_connect_nack(&nack, &err);
	if (!line || !nsd_conn_send(d, c, line, false))
		return;
	if (!ok) { /* the nack is sent as far as the socket takes it, then the close */
		nsd_conn_close(d, c);
		return;
	}
	c->state = NSD_CONN_READY;
	c->subscribed = f->subscribe_notifications;
	c->deadline_ms = 0;
	ns_info(&d->log, NSD_TAG, "Client %s connected", c->peer);
}

/* --- the install stream ------------------------------------------------------------ */

static void stream_bytes(struct nsd *d, struct nsd_conn *c, const char *buf, size_t n)
{
	struct nsd_install *in = c->inst;
	if (in->fd >= 0 && ns_write_full(in->fd, buf, n) < 0) {
		int e = errno;
		nsd_install_abort(d, in);
		memset(&in->error, 0, sizeof(in->error));
		nsd_error_text(&in->error, NS_ERROR_UNEXPECTED, in->errtext, sizeof(in->errtext),
			       "write the NPK: %s", strerror(e));
	}
	in->remaining -= n;
}

static void stream_done(struct nsd *d, struct nsd_conn *c)
{
	c->state = NSD_CONN_READY;
	c->deadline_ms = 0;
	nsd_install_done(d, c);
	free(c->inst);
	c->inst = NULL;
}

void nsd_conn_begin_stream(struct nsd *d, struct nsd_conn *c)
{
	c->state = NSD_CONN_STREAM;
	c->deadline_ms = nsd_now_ms() + c->stream_timeout_ms;
	const char *data;
	size_t n = ns_linebuf_pending(&c->lb, &data);
	if (n > c->inst->remaining)
		n = (size_t)c->inst->remaining;
	stream_bytes(d, c, data, n);
	ns_linebuf_consume(&c->lb, n);
	if (c->inst->remaining == 0)
		stream_done(d, c);
}

static void stream_read(struct nsd *d, struct nsd_conn *c)
{
	char buf[STREAM_CHUNK];
	for (int rounds = 0; rounds < 16 && c->state == NSD_CONN_STREAM; rounds++) {
		size_t want =
		    c->inst->remaining < sizeof(buf) ? (size_t)c->inst->remaining : sizeof(buf);
		ssize_t n = read(c->fd, buf, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) { /* the client went away in the middle of the NPK */
			nsd_conn_close(d, c);
			return;
		}
		stream_bytes(d, c, buf, (size_t)n);
		c->deadline_ms = nsd_now_ms() + c->stream_timeout_ms;
		if (c->inst->remaining == 0)
			stream_done(d, c);
	}
}

/* --- lines --------------------------------------------------------------------------- */

static void line(struct nsd *d, struct nsd_conn *c, const char *s, size_t len)
{
	struct ns_console_frame f;
	struct ns_err err = {0};
	if (ns_console_decode_frame(s, len, &f, &err) < 0) {
		ns_debug(&d->log, NSD_TAG, "console: %s: closing the connection", err.msg);
		nsd_conn_close(d, c);
		return;
	}
	if (c->state == NSD_CONN_HANDSHAKE)
		handshake(d, c, &f);
	else if (f.kind != NS_FRAME_REQUEST)
		nsd_conn_close(d, c);
	else
		nsd_request(d, c, &f.request);
	ns_console_frame_free(&f);
}

/* Handles the buffered lines while no answer is pending. */
static void lines(struct nsd *d, struct nsd_conn *c)
{
	while ((c->state == NSD_CONN_HANDSHAKE || c->state == NSD_CONN_READY) && c->outlen == 0) {
		const char *s;
		size_t len;
		struct ns_err err = {0};
		int r = ns_linebuf_next(&c->lb, &s, &len, &err);
		if (r == 0 && c->lb.eof)
			nsd_conn_close(d, c);
		if (r <= 0) {
			if (r < 0)
				nsd_conn_close(d, c);
			return;
		}
		line(d, c, s, len);
	}
}

static void readable(struct nsd *d, struct nsd_conn *c)
{
	for (int rounds = 0; rounds < 16; rounds++) {
		if (c->state == NSD_CONN_STREAM) {
			stream_read(d, c);
			if (c->state == NSD_CONN_STREAM)
				return;
		}
		lines(d, c);
		if (c->state == NSD_CONN_CLOSED || c->outlen > 0)
			return;
		if (c->state == NSD_CONN_STREAM)
			continue;
		struct ns_err err = {0};
		ssize_t n = ns_linebuf_fill(&c->lb, c->fd, &err);
		if (n == -EAGAIN)
			return;
		if (n < 0 && n != -ENOBUFS) {
			nsd_conn_close(d, c);
			return;
		}
		if (n == 0)
			c->lb.eof = true;
	}
}

void nsd_conn_event(struct nsd *d, struct nsd_conn *c, uint32_t events)
{
	if (c->state == NSD_CONN_CLOSED)
		return;
	if (events & EPOLLOUT) {
		flush(d, c);
		if (c->state == NSD_CONN_CLOSED || c->outlen > 0)
			return;
	}
	(void)events; /* readable or drained: either way the next lines are due */
	readable(d, c);
}

/* --- timeouts and shutdown ------------------------------------------------------------ */

void nsd_console_timeouts(struct nsd *d, uint64_t now)
{
	for (struct nsd_conn *c = d->conns; c; c = c->next)
		if (c->state != NSD_CONN_CLOSED && c->deadline_ms && now >= c->deadline_ms) {
			ns_debug(&d->log, NSD_TAG, "console: %s timed out",
				 c->state == NSD_CONN_HANDSHAKE ? "connect" : "NPK stream");
			nsd_conn_close(d, c);
		}
	nsd_console_sweep(d);
}

uint64_t nsd_console_next_deadline(const struct nsd *d)
{
	uint64_t next = 0;
	for (const struct nsd_conn *c = d->conns; c; c = c->next)
		if (c->state != NSD_CONN_CLOSED && c->deadline_ms &&
		    (!next || c->deadline_ms < next))
			next = c->deadline_ms;
	return next;
}

void nsd_console_close_all(struct nsd *d)
{
	if (d->have_listener) {
		close(d->listener.fd);
		if (d->listener.path[0])
			(void)unlink(d->listener.path);
		d->have_listener = false;
	}
	for (struct nsd_conn *c = d->conns; c; c = c->next)
		nsd_conn_close(d, c);
	nsd_console_sweep(d);
}
