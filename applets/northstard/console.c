/* Console connections (spec console §1-§2): the global console's clients and the
 * containers' consoles alike. Newline framing up to max_request_size, the handshake
 * (within 10 s for external clients), requests in order, the raw NPK stream of
 * install, max_requests_per_sec by pausing reads, and output queues bounded by design:
 * the next request is read only once the last answer is written, so a queue holds at
 * most one answer and the notifications, and a subscriber with more than
 * notification_buffer_size lines waiting is disconnected. Nothing here blocks: a
 * client that never reads costs its queue and nothing else.
 *
 * Connections are freed in a sweep after each round of events, so a handler may close
 * any connection, its own included, and carry on safely. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "libns/io.h"
#include "libns/util.h"
#include "nsd.h"

#define STREAM_CHUNK  (64u << 10)
#define STREAM_SPLICE (256u << 10)
/* Deadlines are checked on a 50 ms grid: one timer wake-up serves many connections
 * (10,000 clients connecting at once), and nothing is ever handled early. */
#define TIMER_GRID_MS 50

static uint64_t ms_of(uint64_t ns)
{
	return ns / 1000000u;
}

/* --- epoll and the timer ----------------------------------------------------------- */

/* Output first: the next request is read once the last answer is out. A connection
 * that yielded with lines still buffered waits for EPOLLOUT too, which comes at once
 * (its socket is writable): epoll would not wake us for bytes already read. A
 * rate-limited connection leaves the set (a peer's hang-up would wake us without end). */
static void update_events(struct nsd *d, struct nsd_conn *c)
{
	if (c->state == NSD_CONN_CLOSED)
		return;
	uint32_t want = c->outlen || c->yielded ? EPOLLOUT : c->resume_ms ? 0 : EPOLLIN;
	if (want == c->events)
		return;
	struct epoll_event e = {.events = want, .data.ptr = &c->ev};
	int op = !c->events ? EPOLL_CTL_ADD : !want ? EPOLL_CTL_DEL : EPOLL_CTL_MOD;
	if (epoll_ctl(d->epfd, op, c->fd, &e) < 0) {
		ns_warn(&d->log, NSD_TAG, "console: epoll_ctl: %s: closing a connection",
			strerror(errno));
		nsd_conn_close(d, c);
		return;
	}
	c->events = want;
}

static void note_deadline(struct nsd *d, uint64_t when)
{
	if (when && (!d->listener.next_ms || when < d->listener.next_ms))
		d->listener.next_ms = when;
}

static void set_deadline(struct nsd *d, struct nsd_conn *c, uint64_t when)
{
	c->deadline_ms = when;
	note_deadline(d, when);
}

void nsd_console_arm_timer(struct nsd *d)
{
	uint64_t next = d->listener.next_ms;
	uint64_t want = next ? (next + TIMER_GRID_MS - 1) / TIMER_GRID_MS * TIMER_GRID_MS : 0;
	if (want == d->listener.armed_ms)
		return;
	struct itimerspec its = {0};
	its.it_value.tv_sec = (time_t)(want / 1000);
	its.it_value.tv_nsec = (long)(want % 1000) * 1000000L;
	if (timerfd_settime(d->timerfd, want ? TFD_TIMER_ABSTIME : 0, &its, NULL) == 0)
		d->listener.armed_ms = want;
}

/* --- connections ------------------------------------------------------------------- */

struct nsd_conn *nsd_conn_new(struct nsd *d, int fd, struct nsd_container *owner)
{
	struct nsd_conn *c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return NULL;
	}
	c->ev.kind = NSD_EV_CONN;
	c->fd = fd;
	c->pipe[0] = c->pipe[1] = -1;
	c->state = NSD_CONN_HANDSHAKE;
	c->owner = owner;
	if (owner) {
		c->perms = nsd_manifest(owner)->console.perms;
		c->self = (struct ns_token_party){NS_TOKEN_CONTAINER, nsd_manifest(owner)->name};
		c->opts = &d->cfg.console_options;
	} else {
		c->perms = d->cfg.global.perms;
		c->self = (struct ns_token_party){NS_TOKEN_CONSOLE, NS_CONSOLE_IDENTITY_EXTERN};
		c->opts = &d->cfg.global.options;
	}
	/* spec §1.4: external clients must connect within 10 s (handshake_timeout); the
	 * containers' consoles have no deadline unless console.options sets one */
	if (c->opts->handshake_timeout_ns)
		set_deadline(d, c, nsd_now_ms() + ms_of(c->opts->handshake_timeout_ns));
	d->listener.pools[owner ? 1 : 0].conns++;
	c->last_ms = nsd_now_ms();
	ns_linebuf_init(&c->lb, (size_t)c->opts->max_request_size);
	c->next = d->conns;
	d->conns = c;
	update_events(d, c);
	return c->state == NSD_CONN_CLOSED ? NULL : c;
}

int nsd_console_attach(struct nsd *d, struct nsd_container *c, int *child_fd, struct nsd_conn **ret,
		       struct ns_err *err)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return ns_err_sys(err, errno, "console socketpair");
	int fl = fcntl(sv[0], F_GETFL);
	if (fl < 0 || fcntl(sv[0], F_SETFL, fl | O_NONBLOCK) < 0) {
		int e = errno;
		close(sv[0]);
		close(sv[1]);
		return ns_err_sys(err, e, "console socketpair: O_NONBLOCK");
	}
	*ret = nsd_conn_new(d, sv[0], c);
	if (!*ret) {
		close(sv[1]);
		return ns_err_set(err, ENOMEM, "console: out of memory");
	}
	*child_fd = sv[1];
	return 0;
}

static void pipe_close(struct nsd_conn *c)
{
	for (int i = 0; i < 2; i++) {
		if (c->pipe[i] >= 0)
			close(c->pipe[i]);
		c->pipe[i] = -1;
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
	if (c->owner) {
		if (c->owner->proc && c->owner->proc->console == c)
			c->owner->proc->console = NULL;
		ns_debug(&d->log, NSD_TAG, "console of %s closed", c->owner->id);
	}
	pipe_close(c);
	close(c->fd); /* also leaves the epoll set */
	c->fd = -1;
	c->state = NSD_CONN_CLOSED;
	d->listener.closed++;
	d->listener.pools[c->owner ? 1 : 0].conns--;
	if (d->listener.fd_open > 1)
		d->listener.fd_open--;
	/* its memory goes now, not at the sweep: a budget that closed it needs the room */
	ns_linebuf_free(&c->lb);
	free(c->out);
	c->out = NULL;
	c->outlen = c->outcap = 0;
	nsd_conn_charge(d, c);
}

static void conn_free(struct nsd_conn *c)
{
	ns_linebuf_free(&c->lb);
	free(c->out);
	free(c->rate);
	free(c);
}

void nsd_console_sweep(struct nsd *d)
{
	if (!d->listener.closed)
		return;
	d->listener.closed = 0;
	for (struct nsd_conn **pp = &d->conns; *pp;) {
		struct nsd_conn *c = *pp;
		if (c->state == NSD_CONN_CLOSED) {
			*pp = c->next;
			conn_free(c);
		} else {
			pp = &c->next;
		}
	}
	struct ns_err err = {0};
	if (d->have_listener && d->listener.paused &&
	    nsd_epoll_add(d, d->listener.fd, EPOLLIN, &d->listener.ev, &err) == 0)
		d->listener.paused = false;
}

/* --- output ------------------------------------------------------------------------ */

static size_t count_lines(const char *p, size_t n)
{
	size_t k = 0;
	for (const char *end = p + n; (p = memchr(p, '\n', (size_t)(end - p))); p++)
		k++;
	return k;
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
	c->out_lines -= count_lines(c->out, off);
	memmove(c->out, c->out + off, c->outlen - off);
	c->outlen -= off;
	if (!c->outlen && c->outcap > (64u << 10)) { /* a big answer went: give it back */
		free(c->out);
		c->out = NULL;
		c->outcap = 0;
		nsd_conn_charge(d, c);
	}
}

/* Closes what must go for c to hold want bytes; false when c itself went. */
static bool within_budget(struct nsd *d, struct nsd_conn *c, uint64_t want)
{
	struct nsd_conn *v;
	while ((v = nsd_conn_over_budget(d, c, want)))
		nsd_conn_close(d, v);
	return c->state != NSD_CONN_CLOSED;
}

bool nsd_conn_send(struct nsd *d, struct nsd_conn *c, char *line, bool notification)
{
	if (c->state == NSD_CONN_CLOSED) {
		free(line);
		return false;
	}
	if (notification && c->out_lines >= d->cfg.notification_buffer_size) {
		ns_warn(&d->log, NSD_TAG,
			"console: a subscriber (%s) lags behind by more than %llu lines: "
			"disconnected",
			c->owner ? c->owner->id : "extern",
			(unsigned long long)d->cfg.notification_buffer_size);
		free(line);
		nsd_conn_close(d, c);
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
		nsd_conn_charge(d, c);
		if (!within_budget(d, c, c->charged)) {
			free(line);
			return false;
		}
	}
	memcpy(c->out + c->outlen, line, n);
	c->out[c->outlen + n] = '\n';
	c->outlen += n + 1;
	c->out_lines++;
	free(line);
	flush(d, c);
	/* what the socket did not take waits for EPOLLOUT; once all is out, the next
	 * EPOLLOUT event (at once) brings the connection back to reading */
	if (c->outlen)
		update_events(d, c);
	return c->state != NSD_CONN_CLOSED;
}

/* --- the handshake ----------------------------------------------------------------- */

/* "full", or the names joined as Northstar's log line lists them. */
static void perms_text(uint32_t perms, char *buf, size_t size)
{
	if (perms == NS_PERM_FULL) {
		snprintf(buf, size, "full");
		return;
	}
	size_t n = (size_t)snprintf(buf, size, "[");
	for (unsigned p = 0; p < NS_PERM_COUNT && n < size; p++)
		if (perms & (1u << p))
			n += (size_t)snprintf(buf + n, size - n, "%s%s", n > 1 ? ", " : "",
					      ns_perm_name(p));
	if (n < size)
		snprintf(buf + n, size - n, "]");
}

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
	char perms[256];
	perms_text(c->perms, perms, sizeof(perms));
	if (c->owner)
		ns_info(&d->log, NSD_TAG, "Container %s connected with permissions %s",
			c->owner->id, perms);
	else
		ns_info(&d->log, NSD_TAG, "Client extern connected with permissions %s", perms);
}

/* --- the install stream ------------------------------------------------------------ */

/* The NPK cannot be written (ENOSPC...): the rest is drained, then the error answered. */
static void write_failed(struct nsd *d, struct nsd_install *in, int e)
{
	nsd_install_abort(d, in);
	memset(&in->error, 0, sizeof(in->error));
	nsd_error_text(&in->error, NS_ERROR_UNEXPECTED, in->errtext, sizeof(in->errtext),
		       "write the NPK: %s", strerror(e));
}

static void stream_bytes(struct nsd *d, struct nsd_conn *c, const char *buf, size_t n)
{
	struct nsd_install *in = c->inst;
	if (in->fd >= 0 && ns_write_full(in->fd, buf, n) < 0)
		write_failed(d, in, errno);
	in->remaining -= n;
}

static void stream_done(struct nsd *d, struct nsd_conn *c)
{
	pipe_close(c);
	c->state = NSD_CONN_READY;
	c->deadline_ms = 0;
	nsd_install_done(d, c);
	free(c->inst);
	c->inst = NULL;
}

void nsd_conn_begin_stream(struct nsd *d, struct nsd_conn *c)
{
	c->state = NSD_CONN_STREAM;
	/* a pipe for splice, bigger than the default 64 KiB where allowed; without one
	 * (out of descriptors) the bytes are copied */
	if (c->inst->fd >= 0 && pipe2(c->pipe, O_CLOEXEC | O_NONBLOCK) == 0)
		(void)fcntl(c->pipe[1], F_SETPIPE_SZ, STREAM_SPLICE);
	set_deadline(d, c, nsd_now_ms() + ms_of(c->opts->npk_stream_timeout_ns));
	const char *data;
	size_t n = ns_linebuf_pending(&c->lb, &data);
	if (n > c->inst->remaining)
		n = (size_t)c->inst->remaining;
	stream_bytes(d, c, data, n);
	ns_linebuf_consume(&c->lb, n);
	if (c->inst->remaining == 0)
		stream_done(d, c);
}

/* Moves up to want bytes from the socket into the NPK file through a pipe, without
 * copying them through our memory (splice). Returns the bytes taken from the socket,
 * 0 at end of file, or -errno (-EAGAIN: nothing now; -EINVAL: splice refused, use
 * read and write). A file that refuses them fails the install; they still count. */
static ssize_t stream_splice(struct nsd *d, struct nsd_conn *c, size_t want)
{
	struct nsd_install *in = c->inst;
	ssize_t n = splice(c->fd, NULL, c->pipe[1], NULL, want, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
	if (n <= 0)
		return n < 0 ? -errno : 0;
	for (size_t left = (size_t)n; left > 0;) {
		ssize_t w =
		    in->fd >= 0 ? splice(c->pipe[0], NULL, in->fd, NULL, left, SPLICE_F_MOVE) : -1;
		if (w < 0 && errno == EINTR)
			continue;
		if (w > 0) {
			left -= (size_t)w;
			continue;
		}
		if (in->fd >= 0)
			write_failed(d, in, w < 0 ? errno : EIO);
		char sink[4096]; /* the install failed: drop what the pipe holds */
		ssize_t r = read(c->pipe[0], sink, left < sizeof(sink) ? left : sizeof(sink));
		if (r <= 0)
			return -EIO;
		left -= (size_t)r;
	}
	in->remaining -= (uint64_t)n;
	return n;
}

static ssize_t stream_copy(struct nsd *d, struct nsd_conn *c, size_t want)
{
	char buf[STREAM_CHUNK];
	ssize_t n = read(c->fd, buf, want < sizeof(buf) ? want : sizeof(buf));
	if (n < 0)
		return -errno;
	if (n > 0)
		stream_bytes(d, c, buf, (size_t)n);
	return n;
}

static void stream_read(struct nsd *d, struct nsd_conn *c)
{
	for (int rounds = 0; rounds < 16 && c->state == NSD_CONN_STREAM; rounds++) {
		size_t want =
		    c->inst->remaining < STREAM_SPLICE ? (size_t)c->inst->remaining : STREAM_SPLICE;
		ssize_t n = -EINVAL;
		if (c->pipe[0] >= 0 && (n = stream_splice(d, c, want)) == -EINVAL) {
			close(c->pipe[0]); /* this file or socket cannot splice: copy */
			close(c->pipe[1]);
			c->pipe[0] = c->pipe[1] = -1;
		}
		if (n == -EINVAL)
			n = stream_copy(d, c, want);
		if (n == -EINTR)
			continue;
		if (n == -EAGAIN)
			return;
		if (n <= 0) { /* the client went away in the middle of the NPK */
			nsd_conn_close(d, c);
			return;
		}
		set_deadline(d, c, nsd_now_ms() + ms_of(c->opts->npk_stream_timeout_ns));
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

/* The rate limit holds the next message back: reading pauses until the sliding second
 * has room (the timer resumes it). */
static bool rate_pause(struct nsd *d, struct nsd_conn *c, uint64_t now)
{
	uint64_t resume;
	if (nsd_rate_admit(&c->rate, c->opts->max_requests_per_sec, now, &resume))
		return false;
	c->resume_ms = resume;
	note_deadline(d, resume);
	update_events(d, c);
	return true;
}

/* Handles up to 64 buffered lines while no answer is pending; true when it stopped at
 * that bound (lines may be left). */
static bool lines(struct nsd *d, struct nsd_conn *c)
{
	for (int i = 0; i < 64; i++) {
		if ((c->state != NSD_CONN_HANDSHAKE && c->state != NSD_CONN_READY) || c->outlen ||
		    c->resume_ms)
			return false;
		const char *s;
		size_t len;
		struct ns_err err = {0};
		uint64_t now = nsd_now_ms();
		if (rate_pause(d, c, now))
			return false;
		int r = ns_linebuf_next(&c->lb, &s, &len, &err);
		if (r == 0 && c->lb.eof)
			nsd_conn_close(d, c);
		if (r <= 0) {
			if (r < 0) {
				ns_debug(&d->log, NSD_TAG, "console: %s: closing the connection",
					 err.msg);
				nsd_conn_close(d, c);
			}
			return false;
		}
		nsd_rate_take(c->rate, now);
		c->line_ms = 0; /* a line came: the next one has its own time */
		c->last_ms = now;
		line(d, c, s, len);
	}
	return true;
}

/* request_timeout: bytes of a line begun wait for its end at most that long. They are
 * the client's doing only when every complete line was taken (no answer waiting, no
 * rate pause, no yield); otherwise the deadline stays as it was. */
static void line_deadline(struct nsd *d, struct nsd_conn *c)
{
	const char *rest;
	if (c->state != NSD_CONN_HANDSHAKE && c->state != NSD_CONN_READY) {
		c->line_ms = 0;
		return;
	}
	if (c->outlen || c->resume_ms || c->yielded)
		return;
	if (!ns_linebuf_pending(&c->lb, &rest))
		c->line_ms = 0;
	else if (!c->line_ms && c->opts->request_timeout_ns) {
		c->line_ms = nsd_now_ms() + ms_of(c->opts->request_timeout_ns);
		note_deadline(d, c->line_ms);
	}
}

/* Reads and handles lines, at most 16 reads at a time so that one busy client does not
 * starve the others; then it yields (c->yielded) and carries on in a later round. */
static void read_lines(struct nsd *d, struct nsd_conn *c)
{
	c->yielded = false;
	for (int rounds = 0; rounds < 16; rounds++) {
		if (c->state == NSD_CONN_STREAM) {
			stream_read(d, c);
			if (c->state == NSD_CONN_STREAM)
				return;
		}
		bool more = lines(d, c);
		if (c->state == NSD_CONN_CLOSED || c->outlen > 0 || c->resume_ms)
			return;
		if (c->state == NSD_CONN_STREAM || more)
			continue; /* the rest of the buffer before reading more */
		struct ns_err err = {0};
		uint64_t want = ns_linebuf_next_cap(&c->lb) + c->outcap;
		if (want > c->charged && !within_budget(d, c, want))
			return;
		ssize_t n = ns_linebuf_fill(&c->lb, c->fd, &err);
		nsd_conn_charge(d, c);
		if (n == -EAGAIN) {
			const char *rest;
			if (!ns_linebuf_pending(&c->lb,
						&rest)) { /* an idle client costs no buffer */
				ns_linebuf_free(&c->lb);
				nsd_conn_charge(d, c);
			}
			return;
		}
		if (n < 0 && n != -ENOBUFS) {
			nsd_conn_close(d, c);
			return;
		}
		if (n == 0)
			c->lb.eof = true;
	}
	c->yielded = true;
}

static void readable(struct nsd *d, struct nsd_conn *c)
{
	read_lines(d, c);
	line_deadline(d, c);
}

void nsd_conn_event(struct nsd *d, struct nsd_conn *c, uint32_t events)
{
	if (c->state == NSD_CONN_CLOSED)
		return;
	if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
		flush(d, c);
	/* readable, or the answer is out: either way the next lines are due */
	if (c->state != NSD_CONN_CLOSED && !c->outlen)
		readable(d, c);
	update_events(d, c);
}

/* --- timeouts and shutdown ------------------------------------------------------------ */

void nsd_console_timeouts(struct nsd *d, uint64_t now)
{
	d->listener.armed_ms = 0; /* it fired */
	d->listener.next_ms = 0;  /* found again below */
	for (struct nsd_conn *c = d->conns; c; c = c->next) {
		if (c->state == NSD_CONN_CLOSED)
			continue;
		if (c->deadline_ms && now >= c->deadline_ms) {
			ns_debug(&d->log, NSD_TAG, "console: %s timed out: closing the connection",
				 c->state == NSD_CONN_HANDSHAKE ? "connect" : "NPK stream");
			nsd_conn_close(d, c);
			continue;
		}
		if (c->line_ms && now >= c->line_ms && !c->outlen && !c->resume_ms) {
			ns_debug(&d->log, NSD_TAG,
				 "console: a line unfinished after request_timeout: closing the "
				 "connection");
			nsd_conn_close(d, c);
			continue;
		}
		if (c->resume_ms && now >= c->resume_ms) {
			c->resume_ms = 0;
			readable(d, c);
			update_events(d, c);
		}
		if (c->state != NSD_CONN_CLOSED) {
			note_deadline(d, c->deadline_ms);
			note_deadline(d, c->resume_ms);
			note_deadline(d, c->line_ms);
		}
	}
	nsd_console_sweep(d);
}

void nsd_console_close_all(struct nsd *d)
{
	nsd_console_listen_close(d);
	for (struct nsd_conn *c = d->conns; c; c = c->next)
		nsd_conn_close(d, c);
	nsd_console_sweep(d);
}
