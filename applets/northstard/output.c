/* Container output: each line of a pipe goes to the log tagged with the container
 * (io: pipe), or the bytes are copied to one of our own descriptors (io: inherit).
 * Buffering is bounded: a line longer than NSD_OUTPUT_LINE_MAX is logged in parts.
 *
 * Output never makes the daemon wait (sink.c): what the log's queue cannot take, and
 * what is over the container's rate (config log.output_rate, .output_burst: a token
 * bucket of bytes shared by its stdout and stderr), is dropped and counted, and one
 * record "N lines dropped" per container says so once the log has room again, at most
 * once a second, and when the output ends. The log escapes every line (log.c).
 *
 * The lines of a container's io: pipe streams that the log got are also kept for
 * `nstar logs` (logs.c); the ones dropped are counted there too. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "nsd.h"

/* "2026-12-07T21:13:17.459Z INFO  " and ": " and the newline */
#define NSD_RECORD_OVERHEAD 34
/* A stream that had to drop output is not read for this long: what a flood costs the
 * daemon is then about one pipe's worth (64 KiB) per pause, not the container's whole
 * write speed (reading and dropping a `yes` flood took most of a core), and the
 * container waits in write() meanwhile, as it would on a slow terminal. What it wrote is
 * still metered and dropped as before once reading resumes. */
#define NSD_OUTPUT_PAUSE_MS 100

struct nsd_output *nsd_output_new(struct nsd *d, int fd, const char *tag, int copy_to,
				  struct ns_err *err)
{
	struct nsd_output *o = calloc(1, sizeof(*o));
	if (!o) {
		ns_err_set(err, ENOMEM, "out of memory");
		return NULL;
	}
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
		ns_err_sys(err, errno, "output pipe");
		free(o);
		return NULL;
	}
	o->ev.kind = NSD_EV_OUTPUT;
	o->fd = fd;
	o->limit = &o->own;
	nsd_output_limit_init(d, &o->own);
	o->copy_to = copy_to;
	snprintf(o->tag, sizeof(o->tag), "%s", tag);
	o->overhead = strlen(o->tag) + NSD_RECORD_OVERHEAD;
	if (nsd_epoll_add(d, fd, EPOLLIN, &o->ev, err) < 0) {
		free(o);
		return NULL;
	}
	o->next = d->outputs;
	d->outputs = o;
	return o;
}

void nsd_output_limit_init(struct nsd *d, struct nsd_outlimit *l)
{
	*l = (struct nsd_outlimit){0};
	ns_tbucket_init(&l->tb, d->cfg.log.output_rate, d->cfg.log.output_burst, nsd_now_ms());
}

static void dropped(struct nsd *d, struct nsd_output *o, uint64_t lines, uint64_t bytes)
{
	struct nsd_outlimit *l = o->limit;
	o->dropping = true;
	if (!l->lines && !l->bytes) {
		l->since_ms = nsd_now_ms();
		d->drops_pending = true;
	}
	l->lines += lines;
	l->bytes += bytes;
}

/* One record for what a container lost; force: whether or not the log has room. */
static void report(struct nsd *d, const char *tag, struct nsd_outlimit *l, bool force)
{
	if (!l->lines && !l->bytes)
		return;
	if (!force && (nsd_now_ms() < l->since_ms + 1000 || !ns_log_output_room(&d->log, 256)))
		return;
	if (l->lines)
		ns_warn(&d->log, tag, "%llu line%s dropped", (unsigned long long)l->lines,
			l->lines == 1 ? "" : "s");
	if (l->bytes)
		ns_warn(&d->log, tag, "%llu bytes of output dropped", (unsigned long long)l->bytes);
	l->lines = l->bytes = 0;
}

void nsd_output_limit_report(struct nsd *d, const char *tag, struct nsd_outlimit *l)
{
	report(d, tag, l, true);
}

bool nsd_output_report(struct nsd *d)
{
	bool left = false;
	uint64_t now = 0;
	for (struct nsd_output *o = d->outputs; o; o = o->next) {
		report(d, o->tag, o->limit, false);
		if (o->resume_ms && o->fd >= 0 &&
		    (now ? now : (now = nsd_now_ms())) >= o->resume_ms) {
			struct ns_err err = {0};
			if (nsd_epoll_add(d, o->fd, EPOLLIN, &o->ev, &err) == 0)
				o->resume_ms = 0;
		}
		left |= o->limit->lines || o->limit->bytes || o->resume_ms;
	}
	return left;
}

/* A line costs what its record takes on the sink, so a flood of empty lines is metered
 * as what it is. The sink's room is checked before the rate: a line the queue must drop
 * anyway does not use up the container's budget. */
static void emit(struct nsd *d, struct nsd_output *o, const char *s, size_t n)
{
	if (n && s[n - 1] == '\r')
		n--;
	if (!ns_log_output_room(&d->log, n) ||
	    !ns_tbucket_take(&o->limit->tb, n + o->overhead, nsd_now_ms()) ||
	    !ns_log_output(&d->log, NS_LOG_INFO, o->tag, s, n)) {
		dropped(d, o, 1, 0);
		if (o->owner)
			o->owner->logs.dropped++;
	} else if (o->owner) {
		nsd_logs_line(d, o->owner, o->stream, s, n); /* what the log got, nstar logs gets */
	}
}

static void copy(struct nsd *d, struct nsd_output *o, size_t n)
{
	if (!ns_tbucket_take(&o->limit->tb, n, nsd_now_ms()) ||
	    !nsd_sink_copy(d, o->copy_to, o->buf, n))
		dropped(d, o, 0, n);
}

/* Logs every complete line; a full buffer without a newline is logged as it is. */
static void emit_lines(struct nsd *d, struct nsd_output *o, bool flush)
{
	size_t start = 0;
	for (size_t i = 0; i < o->len; i++)
		if (o->buf[i] == '\n') {
			emit(d, o, o->buf + start, i - start);
			start = i + 1;
		}
	if (start == 0 && (o->len == sizeof(o->buf) || (flush && o->len))) {
		emit(d, o, o->buf, o->len);
		start = o->len;
	} else if (flush && start < o->len) {
		emit(d, o, o->buf + start, o->len - start);
		start = o->len;
	}
	memmove(o->buf, o->buf + start, o->len - start);
	o->len -= start;
}

static void unlink_output(struct nsd *d, struct nsd_output *o)
{
	for (struct nsd_output **pp = &d->outputs; *pp; pp = &(*pp)->next)
		if (*pp == o) {
			*pp = o->next;
			return;
		}
}

static void at_eof(struct nsd *d, struct nsd_output *o)
{
	emit_lines(d, o, true);
	if (o->limit == &o->own)
		report(d, o->tag, o->limit, true);
	nsd_epoll_del(d, o->fd);
	close(o->fd);
	o->fd = -1;
	if (!o->owned) {
		unlink_output(d, o);
		free(o);
	}
}

enum { OUT_EOF, OUT_DRAINED, OUT_MORE };

/* OUT_EOF at end of file (o may be gone then), OUT_DRAINED when nothing is pending,
 * OUT_MORE after a bounded number of reads (other events get their turn). */
static int read_some(struct nsd *d, struct nsd_output *o)
{
	o->dropping = false;
	for (int rounds = 0; rounds < 16; rounds++) {
		if (o->dropping && !o->closing) { /* pause: see NSD_OUTPUT_PAUSE_MS */
			nsd_epoll_del(d, o->fd);
			o->resume_ms = nsd_now_ms() + NSD_OUTPUT_PAUSE_MS;
			d->drops_pending = true;
			return OUT_DRAINED;
		}
		ssize_t n = read(o->fd, o->buf + o->len, sizeof(o->buf) - o->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return OUT_DRAINED;
		if (n <= 0) {
			at_eof(d, o);
			return OUT_EOF;
		}
		if (o->copy_to >= 0) {
			copy(d, o, (size_t)n);
			continue;
		}
		o->len += (size_t)n;
		emit_lines(d, o, false);
	}
	return OUT_MORE;
}

void nsd_output_read(struct nsd *d, struct nsd_output *o)
{
	if (o->fd >= 0 && !o->resume_ms)
		read_some(d, o);
}

void nsd_output_close(struct nsd *d, struct nsd_output *o)
{
	o->owned = true; /* freed here, not at EOF */
	o->closing = true;
	while (o->fd >= 0 && read_some(d, o) == OUT_MORE)
		;
	if (o->fd >= 0) {
		emit_lines(d, o, true);
		nsd_epoll_del(d, o->fd);
		close(o->fd);
	}
	if (o->limit == &o->own)
		report(d, o->tag, o->limit, true);
	unlink_output(d, o);
	free(o);
}
