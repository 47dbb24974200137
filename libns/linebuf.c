#include "linebuf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LINEBUF_MIN 4096

void ns_linebuf_init(struct ns_linebuf *lb, size_t max_line)
{
	memset(lb, 0, sizeof(*lb));
	lb->max_line = max_line;
}

void ns_linebuf_free(struct ns_linebuf *lb)
{
	free(lb->buf);
	lb->buf = NULL;
	lb->start = lb->end = lb->cap = lb->scanned = 0;
}

/* The growth make_room does: double (from LINEBUF_MIN), up to max_line + 1. */
static size_t grown(const struct ns_linebuf *lb)
{
	size_t limit = lb->max_line + 1;
	size_t cap = lb->cap ? lb->cap * 2 : LINEBUF_MIN;
	return cap > limit || cap < lb->cap ? limit : cap;
}

size_t ns_linebuf_next_cap(const struct ns_linebuf *lb)
{
	/* make_room moves the unconsumed bytes to the front, then grows only when full */
	if (lb->end - lb->start == lb->cap && lb->cap < lb->max_line + 1)
		return grown(lb);
	return lb->cap;
}

/* Makes room for more input: moves the unconsumed bytes to the front, then grows the
 * buffer up to max_line + 1 (one whole line with its '\n'). Returns the free space. */
static size_t make_room(struct ns_linebuf *lb)
{
	if (lb->start > 0) {
		memmove(lb->buf, lb->buf + lb->start, lb->end - lb->start);
		lb->end -= lb->start;
		lb->start = 0;
	}
	size_t limit = lb->max_line + 1;
	if (lb->end == lb->cap && lb->cap < limit) {
		size_t cap = grown(lb);
		char *b = realloc(lb->buf, cap);
		if (b) {
			lb->buf = b;
			lb->cap = cap;
		}
	}
	return lb->cap - lb->end;
}

ssize_t ns_linebuf_fill(struct ns_linebuf *lb, int fd, struct ns_err *err)
{
	size_t room = make_room(lb);
	if (room == 0) {
		if (lb->cap < lb->max_line + 1)
			return ns_err_set(err, ENOMEM, "out of memory for the line buffer");
		return ns_err_set(err, ENOBUFS, "line buffer full: take lines first");
	}
	for (;;) {
		ssize_t n = read(fd, lb->buf + lb->end, room);
		if (n > 0) {
			lb->end += (size_t)n;
			return n;
		}
		if (n == 0) {
			lb->eof = true;
			return 0;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return -EAGAIN;
		return ns_err_sys(err, errno, "read");
	}
}

int ns_linebuf_feed(struct ns_linebuf *lb, const void *data, size_t len)
{
	while (len > 0) {
		size_t room = make_room(lb);
		if (room == 0)
			return -ENOBUFS;
		size_t n = len < room ? len : room;
		memcpy(lb->buf + lb->end, data, n);
		lb->end += n;
		data = (const char *)data + n;
		len -= n;
	}
	return 0;
}

static void take(struct ns_linebuf *lb, size_t n, size_t skip, const char **line, size_t *len)
{
	*line = lb->buf + lb->start;
	*len = n;
	if (n > 0 && (*line)[n - 1] == '\r')
		(*len)--;
	lb->start += n + skip;
	lb->scanned = 0;
}

int ns_linebuf_next(struct ns_linebuf *lb, const char **line, size_t *len, struct ns_err *err)
{
	size_t avail = lb->end - lb->start;
	/* Look no further than one byte past the longest line: a line ending later is too
	 * long whatever follows. */
	size_t window = avail < lb->max_line + 1 ? avail : lb->max_line + 1;
	if (lb->scanned < window) {
		const char *p = lb->buf ? lb->buf + lb->start : NULL;
		const char *nl = p ? memchr(p + lb->scanned, '\n', window - lb->scanned) : NULL;
		if (nl) {
			take(lb, (size_t)(nl - p), 1, line, len);
			return 1;
		}
		lb->scanned = window;
	}
	if (avail > lb->max_line)
		return ns_err_set(err, EMSGSIZE, "line longer than %zu bytes", lb->max_line);
	if (lb->eof && avail > 0) {
		take(lb, avail, 0, line, len);
		return 1;
	}
	return 0;
}

size_t ns_linebuf_pending(const struct ns_linebuf *lb, const char **data)
{
	*data = lb->buf ? lb->buf + lb->start : NULL;
	return lb->end - lb->start;
}

void ns_linebuf_consume(struct ns_linebuf *lb, size_t n)
{
	size_t avail = lb->end - lb->start;
	lb->start += n < avail ? n : avail;
	lb->scanned = 0;
}
