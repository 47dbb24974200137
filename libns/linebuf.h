/* Newline framing for the console: reads from a (typically non-blocking) fd and hands out
 * complete lines, with a bound on the line length. It follows tokio's LinesCodec, which
 * Northstar uses: a line is the bytes before '\n' with one trailing '\r' removed; a line
 * longer than the maximum (counting the '\r', not the '\n') is an error after which the
 * connection is to be closed; at EOF an unterminated remainder is the last line.
 * The bytes after the last line taken stay available raw (the NPK data of install). */
#ifndef NS_LINEBUF_H
#define NS_LINEBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "err.h"

struct ns_linebuf {
	char *buf;
	size_t start, end; /* unconsumed bytes are buf[start..end) */
	size_t cap, max_line;
	size_t scanned; /* bytes after start already known to hold no '\n' */
	bool eof;
};

/* max_line is the longest line accepted, in bytes. The buffer grows on demand up to
 * max_line + 1 bytes. */
void ns_linebuf_init(struct ns_linebuf *lb, size_t max_line);
void ns_linebuf_free(struct ns_linebuf *lb);

/* One read(2) into free space. Returns the bytes read (> 0), 0 at EOF, -EAGAIN when the
 * fd has nothing now, -ENOBUFS when the buffer holds max_line + 1 bytes of complete lines
 * (take lines first), or another -errno with err set. */
ssize_t ns_linebuf_fill(struct ns_linebuf *lb, int fd, struct ns_err *err);

/* The capacity the buffer will have after the next fill: a caller that bounds memory
 * asks before it reads. */
size_t ns_linebuf_next_cap(const struct ns_linebuf *lb);

/* The next complete line: returns 1 and sets *line (not NUL-terminated; valid until the
 * next fill) and *len. Returns 0 when no complete line is buffered yet, and -EMSGSIZE
 * with err set when the pending line exceeds max_line. */
int ns_linebuf_next(struct ns_linebuf *lb, const char **line, size_t *len, struct ns_err *err);

/* Raw access to the buffered bytes after the lines taken so far. */
size_t ns_linebuf_pending(const struct ns_linebuf *lb, const char **data);
void ns_linebuf_consume(struct ns_linebuf *lb, size_t n);

/* Copies bytes into the buffer as if read from the fd (for tests and for callers that
 * read themselves). Returns 0, or -ENOBUFS when they do not fit. */
int ns_linebuf_feed(struct ns_linebuf *lb, const void *data, size_t len);

#endif
