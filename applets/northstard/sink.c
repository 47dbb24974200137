/* The queues in front of our own output: the log sink (the log's queue, config
 * log.buffer_size) and the descriptors io: inherit copies container output to. Nothing
 * here ever waits for a reader: bytes that do not fit are refused (the caller counts
 * them), and a queue with bytes waiting is on the epoll set for EPOLLOUT until it is
 * empty, so an idle sink costs no wake-ups.
 *
 * Copies to our stderr go into the log's own queue, and copies to stdout too when it is
 * the same file (`2>&1`): two queues writing one pipe would cut each other's lines. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nsd.h"

/* Bytes io: inherit may keep queued per descriptor when it has a queue of its own. */
#define NSD_COPY_QUEUE (64u << 10)

static bool same_file(int a, int b)
{
	struct stat sa, sb;
	return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

/* A queue of our own for fd, unless fd is not open. */
static int own_queue(struct nsd_sink *s, int fd, struct ns_err *err)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return 0; /* closed: copies are dropped, as writes to it would fail */
	s->q = calloc(1, sizeof(*s->q));
	if (!s->q)
		return ns_err_set(err, ENOMEM, "out of memory");
	if (ns_outq_open(s->q, fd, NSD_COPY_QUEUE, 0, err) < 0) {
		free(s->q);
		s->q = NULL;
		return ns_err_ret(err);
	}
	s->own = true;
	return 0;
}

int nsd_sinks_init(struct nsd *d, struct ns_err *err)
{
	for (int i = 0; i < 3; i++) {
		d->sinks[i] = (struct nsd_sink){.ev.kind = NSD_EV_SINK, .watched = -1};
	}
	if (ns_log_queue(&d->log, d->cfg.log.buffer_size, err) < 0)
		return ns_err_ret(err);
	d->sinks[NSD_SINK_LOG].q = d->log.q;
	if (d->log.q && d->log.fd == STDERR_FILENO)
		d->sinks[2].q = d->log.q;
	else if (own_queue(&d->sinks[2], STDERR_FILENO, err) < 0)
		return ns_err_ret(err);
	if (d->sinks[2].q && same_file(STDOUT_FILENO, STDERR_FILENO))
		d->sinks[1].q = d->sinks[2].q;
	else if (own_queue(&d->sinks[1], STDOUT_FILENO, err) < 0)
		return ns_err_ret(err);
	return 0;
}

/* Only the sink that owns a queue watches it (the others share it). */
static bool owner(const struct nsd *d, int i)
{
	return d->sinks[i].q && (i == NSD_SINK_LOG || d->sinks[i].own);
}

void nsd_sinks_sync(struct nsd *d)
{
	for (int i = 0; i < 3; i++) {
		struct nsd_sink *s = &d->sinks[i];
		if (!owner(d, i))
			continue;
		int fd = s->q->len ? ns_outq_wait_fd(s->q) : -1;
		if (fd == s->watched)
			continue;
		if (s->watched >= 0)
			nsd_epoll_del(d, s->watched);
		s->watched = -1;
		struct ns_err err = {0};
		if (fd >= 0 && nsd_epoll_add(d, fd, EPOLLOUT, &s->ev, &err) == 0)
			s->watched = fd;
		/* not watchable (it cannot fail on a pipe, tty or socket): the next record's
		 * flush or the next sync tries again */
	}
}

void nsd_sink_event(struct nsd *d, struct nsd_sink *s)
{
	if (s->q == d->log.q)
		ns_log_flush(&d->log); /* also reports records it lost */
	else if (s->q)
		ns_outq_flush(s->q);
}

bool nsd_sink_copy(struct nsd *d, int fd, const void *p, size_t n)
{
	struct nsd_sink *s = &d->sinks[fd == STDOUT_FILENO ? 1 : 2];
	if (!s->q || !ns_outq_push(s->q, p, n, false))
		return false;
	nsd_sink_event(d, s);
	return true;
}

void nsd_sinks_close(struct nsd *d, int timeout_ms)
{
	for (int i = 0; i < 3; i++) {
		struct nsd_sink *s = &d->sinks[i];
		if (s->watched >= 0)
			nsd_epoll_del(d, s->watched);
		s->watched = -1;
		if (owner(d, i) && i != NSD_SINK_LOG) {
			(void)ns_outq_drain(s->q, timeout_ms);
			ns_outq_close(s->q);
			free(s->q);
		}
		s->q = NULL;
	}
	ns_log_drain(&d->log, timeout_ms); /* the log's queue goes with ns_log_close */
}
