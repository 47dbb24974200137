/* The bounded output queue (libns/outq.c) and the token bucket (libns/tbucket.c) that
 * keep the daemon from waiting on a slow log sink (issue 14, item 10): pushes are whole
 * or refused, the reserve takes only urgent bytes, a full pipe never blocks a flush, the
 * descriptor we were given keeps its flags, a dead reader empties the queue, and the
 * drain at exit is bounded. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "libns/outq.h"
#include "libns/tbucket.h"
#include "testlib.h"

static int test_admission(void)
{
	struct ns_outq q;
	struct ns_err err;
	int p[2];
	CHECK(pipe(p) == 0);
	CHECK_OK(ns_outq_open(&q, p[1], 100, 25, &err), &err);
	char x[100];
	memset(x, 'x', sizeof(x));
	CHECK(ns_outq_push(&q, x, 70, false));
	CHECK(!ns_outq_push(&q, x, 6, false)); /* 76 > 75: the output share is full */
	CHECK_INT(q.len, 70);		       /* refused whole: nothing was queued */
	CHECK(ns_outq_push(&q, x, 5, false));
	CHECK(ns_outq_room(&q, 25, true) && !ns_outq_room(&q, 26, true));
	CHECK(ns_outq_push(&q, x, 25, true));
	CHECK(!ns_outq_push(&q, x, 1, true));
	CHECK(!ns_outq_push(&q, x, 101, true));
	CHECK_INT(ns_outq_flush(&q), 0);
	char got[200];
	CHECK_INT(read(p[0], got, sizeof(got)), 100);
	ns_outq_close(&q);
	CHECK_INT(ns_outq_open(&q, p[1], 10, 10, &err), -EINVAL);
	ns_outq_close(&q); /* harmless after a failed open */
	close(p[0]);
	close(p[1]);
	return 0;
}

/* A pipe nobody reads: flush returns at once with bytes pending, and the pipe's own
 * description stays blocking (the shell's end of `2>` is not changed under it). */
static int test_full_pipe_never_blocks(void)
{
	struct ns_outq q;
	struct ns_err err;
	int p[2];
	CHECK(pipe(p) == 0);
	CHECK_OK(ns_outq_open(&q, p[1], 1 << 20, 0, &err), &err);
	CHECK(q.mode == NS_OUTQ_NONBLOCK && q.own_fd && q.fd != p[1]);
	CHECK(ns_outq_wait_fd(&q) == q.fd);
	char line[100];
	memset(line, 'a', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\n';
	for (int i = 0; i < 5000; i++) /* 500 KB, far more than a pipe holds */
		CHECK(ns_outq_push(&q, line, sizeof(line), false));
	size_t left = ns_outq_flush(&q);
	CHECK(left > 0 && left < 500000);
	CHECK(!(fcntl(p[1], F_GETFL) & O_NONBLOCK));
	/* the reader catches up: everything arrives, in order, in whole lines */
	size_t total = 0;
	char buf[65536];
	CHECK(fcntl(p[0], F_SETFL, O_NONBLOCK) == 0);
	while (total < 500000) {
		ssize_t n = read(p[0], buf, sizeof(buf));
		if (n > 0) {
			for (ssize_t i = 0; i < n; i++)
				CHECK(buf[i] == ((total + (size_t)i) % 100 == 99 ? '\n' : 'a'));
			total += (size_t)n;
		}
		ns_outq_flush(&q);
	}
	CHECK_INT(total, 500000);
	CHECK_INT(q.len, 0);
	ns_outq_close(&q);
	close(p[0]);
	close(p[1]);
	return 0;
}

/* Fills q with 100-byte lines until the descriptor takes no more; true when flush then
 * returned with bytes pending (it did not wait). */
static bool fill_and_flush(struct ns_outq *q)
{
	char line[100];
	memset(line, 'b', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\n';
	while (ns_outq_push(q, line, sizeof(line), false))
		;
	return ns_outq_flush(q) > 0;
}

/* A tty nobody reads (a serial console under XOFF): our own description of the same
 * terminal, non-blocking; the one we were given keeps its flags. */
static int test_tty(void)
{
	struct ns_outq q;
	struct ns_err err;
	int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0)
		return ns_test_skip("no pseudo-terminal");
	int s = open(ptsname(m), O_WRONLY | O_NOCTTY | O_CLOEXEC);
	CHECK(s >= 0);
	CHECK_OK(ns_outq_open(&q, s, 1 << 20, 0, &err), &err);
	CHECK(q.mode == NS_OUTQ_NONBLOCK && q.own_fd);
	CHECK(fill_and_flush(&q));
	CHECK(!(fcntl(s, F_GETFL) & O_NONBLOCK));
	ns_outq_close(&q);
	close(s);
	close(m);
	return 0;
}

/* A socket (a supervisor's log stream): send(MSG_DONTWAIT), the socket stays blocking. */
static int test_socket(void)
{
	struct ns_outq q;
	struct ns_err err;
	int sv[2];
	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
	CHECK_OK(ns_outq_open(&q, sv[1], 4 << 20, 0, &err), &err);
	CHECK(q.mode == NS_OUTQ_SEND && !q.own_fd);
	CHECK(fill_and_flush(&q));
	CHECK(!(fcntl(sv[1], F_GETFL) & O_NONBLOCK));
	ns_outq_close(&q);
	close(sv[0]);
	close(sv[1]);
	return 0;
}

/* The fallback (no /proc): poll before each write of at most PIPE_BUF, on the blocking
 * descriptor itself; a full pipe still does not make flush wait. */
static int test_poll_fallback(void)
{
	struct ns_outq q;
	struct ns_err err;
	int p[2];
	CHECK(pipe(p) == 0);
	CHECK_OK(ns_outq_open(&q, p[1], 1 << 20, 0, &err), &err);
	close(q.fd);
	q.fd = p[1];
	q.own_fd = false;
	q.mode = NS_OUTQ_POLL;
	CHECK(fill_and_flush(&q));
	CHECK(ns_outq_wait_fd(&q) == p[1]);
	char buf[8192];
	CHECK(read(p[0], buf, sizeof(buf)) > 0); /* a page free again */
	size_t before = q.len;
	CHECK(ns_outq_flush(&q) < before);
	ns_outq_close(&q);
	close(p[0]);
	close(p[1]);
	return 0;
}

/* The reader is gone: the pending bytes are discarded, the queue takes more. */
static int test_dead_reader(void)
{
	struct ns_outq q;
	struct ns_err err;
	int p[2];
	signal(SIGPIPE, SIG_IGN);
	CHECK(pipe(p) == 0);
	CHECK_OK(ns_outq_open(&q, p[1], 4096, 0, &err), &err);
	close(p[0]);
	CHECK(ns_outq_push(&q, "gone\n", 5, false));
	CHECK_INT(ns_outq_flush(&q), 0);
	CHECK_INT(q.discarded, 5);
	CHECK(ns_outq_push(&q, "more\n", 5, false));
	ns_outq_close(&q);
	close(p[1]);
	return 0;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int test_drain_is_bounded(void)
{
	struct ns_outq q;
	struct ns_err err;
	int p[2];
	CHECK(pipe(p) == 0);
	CHECK_OK(ns_outq_open(&q, p[1], 1 << 20, 0, &err), &err);
	static char big[200000];
	CHECK(ns_outq_push(&q, big, sizeof(big), false));
	long long t0 = now_ms();
	CHECK_INT(ns_outq_drain(&q, 200), -ETIMEDOUT);
	long long dt = now_ms() - t0;
	CHECK(dt >= 150 && dt < 2000);
	ns_outq_close(&q);
	close(p[0]);
	close(p[1]);
	return 0;
}

/* A regular file is written directly: nothing stays pending, nothing to wait on. */
static int test_regular_file(void)
{
	struct ns_outq q;
	struct ns_err err;
	char path[4096];
	snprintf(path, sizeof(path), "%s/log", ns_test_tmpdir());
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	CHECK(fd >= 0);
	CHECK_OK(ns_outq_open(&q, fd, 4096, 1024, &err), &err);
	CHECK(q.mode == NS_OUTQ_DIRECT && !q.own_fd && ns_outq_wait_fd(&q) == -1);
	CHECK(ns_outq_push(&q, "line\n", 5, false));
	CHECK_INT(ns_outq_flush(&q), 0);
	CHECK_INT(lseek(fd, 0, SEEK_END), 5);
	ns_outq_close(&q);
	close(fd);
	return 0;
}

static int test_tbucket(void)
{
	struct ns_tbucket b;
	ns_tbucket_init(&b, 1000, 4000, 10000); /* 1000/s, bursts of 4000 */
	CHECK(ns_tbucket_take(&b, 4000, 10000));
	CHECK(!ns_tbucket_take(&b, 1, 10000));
	CHECK(!ns_tbucket_take(&b, 2, 10001)); /* 1 ms: one unit */
	CHECK(ns_tbucket_take(&b, 1, 10001));
	CHECK(!ns_tbucket_take(&b, 500, 10400)); /* 399 by now */
	CHECK(ns_tbucket_take(&b, 399, 10400));
	CHECK(ns_tbucket_take(&b, 4000, 99999999)); /* long idle: full, never more */
	CHECK(!ns_tbucket_take(&b, 1, 99999999));
	/* a refused take takes nothing */
	CHECK(!ns_tbucket_take(&b, 3000, 100001999));
	CHECK(ns_tbucket_take(&b, 2000, 100001999));
	/* a low rate still refills, in thousandths */
	ns_tbucket_init(&b, 3, 5000, 0);
	CHECK(ns_tbucket_take(&b, 5000, 0));
	for (uint64_t t = 1; t <= 1000; t++)
		(void)ns_tbucket_take(&b, 0, t);
	CHECK(ns_tbucket_take(&b, 3, 1000));
	/* rate 0: unlimited */
	ns_tbucket_init(&b, 0, 4096, 0);
	CHECK(ns_tbucket_take(&b, UINT64_MAX / 2, 0));
	return 0;
}

NS_TEST_MAIN(T(test_admission), T(test_full_pipe_never_blocks), T(test_tty), T(test_socket),
	     T(test_poll_fallback), T(test_dead_reader), T(test_drain_is_bounded),
	     T(test_regular_file), T(test_tbucket))
