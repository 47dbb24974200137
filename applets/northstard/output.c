/* Container output: each line of a pipe goes to the log tagged with the container
 * (io: pipe), or the bytes are copied to one of our own descriptors (io: inherit).
 * Buffering is bounded: a line longer than NSD_OUTPUT_LINE_MAX is logged in parts. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "libns/io.h"
#include "nsd.h"

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
	o->copy_to = copy_to;
	snprintf(o->tag, sizeof(o->tag), "%s", tag);
	if (nsd_epoll_add(d, fd, EPOLLIN, &o->ev, err) < 0) {
		free(o);
		return NULL;
	}
	o->next = d->outputs;
	d->outputs = o;
	return o;
}

static void emit(struct nsd *d, struct nsd_output *o, const char *s, size_t n)
{
	if (n && s[n - 1] == '\r')
		n--;
	ns_info(&d->log, o->tag, "%.*s", (int)n, s);
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
	for (int rounds = 0; rounds < 16; rounds++) {
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
			(void)ns_write_full(o->copy_to, o->buf, (size_t)n);
			continue;
		}
		o->len += (size_t)n;
		emit_lines(d, o, false);
	}
	return OUT_MORE;
}

void nsd_output_read(struct nsd *d, struct nsd_output *o)
{
	if (o->fd >= 0)
		read_some(d, o);
}

void nsd_output_close(struct nsd *d, struct nsd_output *o)
{
	o->owned = true; /* freed here, not at EOF */
	while (o->fd >= 0 && read_some(d, o) == OUT_MORE)
		;
	if (o->fd >= 0) {
		emit_lines(d, o, true);
		nsd_epoll_del(d, o->fd);
		close(o->fd);
	}
	unlink_output(d, o);
	free(o);
}
