/* Line framing over real non-blocking pipes: splitting, CRLF, the length limit, EOF and
 * the raw bytes that follow an install request. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "libns/linebuf.h"
#include "libns/util.h"
#include "testlib.h"

static int nb_pipe(int p[2])
{
	return pipe2(p, O_CLOEXEC | O_NONBLOCK);
}

static int put(int fd, const char *s)
{
	return write(fd, s, strlen(s)) == (ssize_t)strlen(s) ? 0 : -1;
}

/* Takes the next line and compares it with want. */
static int expect_line(struct ns_linebuf *lb, const char *want)
{
	struct ns_err err = {0};
	const char *line;
	size_t len;
	int r = ns_linebuf_next(lb, &line, &len, &err);
	if (r != 1) {
		fprintf(stderr, "  no line (%d %s), wanted '%s'\n", r, err.msg, want);
		return -1;
	}
	if (len != strlen(want) || memcmp(line, want, len)) {
		fprintf(stderr, "  got '%.*s', wanted '%s'\n", (int)len, line, want);
		return -1;
	}
	return 0;
}

static int test_lines_across_reads(void)
{
	struct ns_err err = {0};
	struct ns_linebuf lb;
	const char *line;
	size_t len;
	ns_autoclose int r = -1;
	ns_autoclose int w = -1;
	int p[2];
	CHECK(nb_pipe(p) == 0);
	r = p[0], w = p[1];
	ns_linebuf_init(&lb, 64);

	CHECK_INT(ns_linebuf_fill(&lb, r, &err), -EAGAIN);
	CHECK_INT(ns_linebuf_next(&lb, &line, &len, &err), 0);
	CHECK(put(w, "{\"request\":") == 0);
	CHECK_INT(ns_linebuf_fill(&lb, r, &err), 11);
	CHECK_INT(ns_linebuf_next(&lb, &line, &len, &err), 0);
	CHECK(put(w, "\"list\"}\r\n\n{\"a\":1}\nhalf") == 0);
	CHECK(ns_linebuf_fill(&lb, r, &err) > 0);
	CHECK(expect_line(&lb, "{\"request\":\"list\"}") == 0); /* CR removed */
	CHECK(expect_line(&lb, "") == 0);			/* empty line */
	CHECK(expect_line(&lb, "{\"a\":1}") == 0);
	CHECK_INT(ns_linebuf_next(&lb, &line, &len, &err), 0);
	CHECK(put(w, "\r\r\n") == 0);
	CHECK(ns_linebuf_fill(&lb, r, &err) > 0);
	CHECK(expect_line(&lb, "half\r") == 0); /* only one CR goes */

	/* EOF: an unterminated remainder is the last line, then nothing */
	CHECK(put(w, "tail") == 0);
	close(w);
	w = -1;
	CHECK(ns_linebuf_fill(&lb, r, &err) > 0);
	CHECK_INT(ns_linebuf_next(&lb, &line, &len, &err), 0);
	CHECK_INT(ns_linebuf_fill(&lb, r, &err), 0);
	CHECK(lb.eof);
	CHECK(expect_line(&lb, "tail") == 0);
	CHECK_INT(ns_linebuf_next(&lb, &line, &len, &err), 0);
	ns_linebuf_free(&lb);
	return 0;
}

static int test_line_limit(void)
{
	struct ns_err err = {0};
	struct ns_linebuf lb;
	const char *line;
	size_t len;
	char big[40];

	/* exactly max bytes (a CR counts) is fine */
	ns_linebuf_init(&lb, 8);
	CHECK_INT(ns_linebuf_feed(&lb, "1234567\r\n", 9), 0);
	CHECK(expect_line(&lb, "1234567") == 0);
	CHECK_INT(ns_linebuf_feed(&lb, "12345678\n", 9), 0);
	CHECK(expect_line(&lb, "12345678") == 0);
	/* one more is an error, whether or not its newline has come */
	CHECK_INT(ns_linebuf_feed(&lb, "123456789\n", 10), -ENOBUFS);
	CHECK_FAIL(ns_linebuf_next(&lb, &line, &len, &err), &err, "line longer than 8 bytes");
	CHECK_INT(err.errnum, EMSGSIZE);
	ns_linebuf_free(&lb);

	ns_linebuf_init(&lb, 8);
	CHECK_INT(ns_linebuf_feed(&lb, "123456789", 9), 0);
	CHECK_FAIL(ns_linebuf_next(&lb, &line, &len, &err), &err, "line longer than 8 bytes");
	ns_linebuf_free(&lb);

	/* through a pipe: the reader stops at max + 1 bytes and reports the error */
	int p[2];
	CHECK(nb_pipe(p) == 0);
	ns_autoclose int r = p[0];
	ns_autoclose int w = p[1];
	memset(big, 'x', sizeof(big));
	CHECK(write(w, big, sizeof(big)) == (ssize_t)sizeof(big));
	ns_linebuf_init(&lb, 16);
	ssize_t got = 0, n;
	while ((n = ns_linebuf_fill(&lb, r, &err)) > 0) {
		got += n;
		if (ns_linebuf_next(&lb, &line, &len, &err) < 0)
			break;
	}
	CHECK_INT(err.errnum, EMSGSIZE);
	CHECK(got <= 17);
	ns_linebuf_free(&lb);

	/* a buffer full of complete lines: take lines first */
	CHECK(nb_pipe(p) == 0);
	ns_autoclose int r2 = p[0];
	ns_autoclose int w2 = p[1];
	CHECK(put(w2, "c\n") == 0);
	ns_linebuf_init(&lb, 3);
	CHECK_INT(ns_linebuf_feed(&lb, "a\nb\n", 4), 0);
	CHECK_INT(ns_linebuf_fill(&lb, r2, &err), -ENOBUFS);
	CHECK(expect_line(&lb, "a") == 0);
	CHECK_INT(ns_linebuf_fill(&lb, r2, &err), 2); /* room again */
	CHECK(expect_line(&lb, "b") == 0);
	CHECK(expect_line(&lb, "c") == 0);
	CHECK_INT(ns_linebuf_fill(&lb, r2, &err), -EAGAIN);
	ns_linebuf_free(&lb);
	return 0;
}

/* install: the request line, then raw bytes that may already sit in the buffer. */
static int test_raw_after_line(void)
{
	struct ns_err err = {0};
	struct ns_linebuf lb;
	const char *data;
	ns_linebuf_init(&lb, 1024);
	const char in[] = "{\"request\":{\"install\":{\"repository\":\"d\",\"size\":6}}}"
			  "\nPK\n\x03\x04\x00{\"request\":\"list\"}\n";
	CHECK_INT(ns_linebuf_feed(&lb, in, sizeof(in) - 1), 0);
	CHECK(expect_line(&lb, "{\"request\":{\"install\":{\"repository\":\"d\",\"size\":6}}}") ==
	      0);
	CHECK_INT(ns_linebuf_pending(&lb, &data), 6 + 19);
	CHECK(!memcmp(data, "PK\n\x03\x04\x00", 6));
	ns_linebuf_consume(&lb, 6);
	CHECK(expect_line(&lb, "{\"request\":\"list\"}") == 0);
	CHECK_INT(ns_linebuf_pending(&lb, &data), 0);
	ns_linebuf_consume(&lb, 100); /* clamps */
	CHECK_INT(ns_linebuf_pending(&lb, &data), 0);
	ns_linebuf_free(&lb);
	(void)err;
	return 0;
}

/* A line of 1 MiB (the default limit) arriving in small pieces. */
static int test_large_line_in_pieces(void)
{
	struct ns_err err = {0};
	struct ns_linebuf lb;
	const char *line;
	size_t len;
	size_t max = 1 << 20;
	char chunk[4096];
	memset(chunk, 'a', sizeof(chunk));
	ns_linebuf_init(&lb, max);
	for (size_t sent = 0; sent < max; sent += sizeof(chunk)) {
		CHECK_INT(ns_linebuf_feed(&lb, chunk, sizeof(chunk)), 0);
		CHECK_INT(ns_linebuf_next(&lb, &line, &len, &err), 0);
	}
	CHECK_INT(ns_linebuf_feed(&lb, "\n", 1), 0);
	CHECK_INT(ns_linebuf_next(&lb, &line, &len, &err), 1);
	CHECK_INT(len, max);
	CHECK_INT(lb.cap, max + 1);
	ns_linebuf_free(&lb);
	return 0;
}

NS_TEST_MAIN(T(test_lines_across_reads), T(test_line_limit), T(test_raw_after_line),
	     T(test_large_line_in_pieces))
