/* The daemon's log (libns/log.c) with its queue (issue 14, items 10 and 11): records are
 * escaped, container output may use only its share of the queue while the applet's own
 * records still get in, records lost to a full queue are counted and reported once there
 * is room, and the log section of the configuration with its bad inputs. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "libns/config.h"
#include "libns/log.h"
#include "testlib.h"

/* A log on the write end of a fresh pipe; p[0] is for reading it back. */
static int pipe_log(struct ns_log *lg, int p[2], size_t queue)
{
	struct ns_err err;
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	ns_log_init(lg, "test", NS_LOG_INFO);
	lg->timestamps = false;
	lg->fd = p[1];
	return queue ? ns_log_queue(lg, queue, &err) : 0;
}

static size_t slurp(int fd, char *buf, size_t size)
{
	size_t n = 0;
	int fl = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	for (ssize_t r; n < size - 1 && (r = read(fd, buf + n, size - 1 - n)) > 0;)
		n += (size_t)r;
	buf[n] = '\0';
	fcntl(fd, F_SETFL, fl);
	return n;
}

static int test_records_escaped(void)
{
	struct ns_log lg;
	int p[2];
	char buf[4096];
	CHECK(pipe_log(&lg, p, 0) == 0);
	ns_info(&lg, "c:0.0.1", "name %s", "x\r\x1b[1Ay");
	static const char forged[] = "\rINFO  northstard: forged\x1b[2K";
	CHECK(ns_log_output(&lg, NS_LOG_INFO, "c:0.0.1", forged, sizeof(forged) - 1));
	char nul[] = {'a', 0, 'b'};
	CHECK(ns_log_output(&lg, NS_LOG_INFO, "c:0.0.1", nul, 3));
	slurp(p[0], buf, sizeof(buf));
	CHECK_STR(buf, "INFO  c:0.0.1: name x\\r\\x1b[1Ay\n"
		       "INFO  c:0.0.1: \\rINFO  northstard: forged\\x1b[2K\n"
		       "INFO  c:0.0.1: a\\x00b\n");
	ns_log_close(&lg);
	close(p[0]);
	close(p[1]);
	return 0;
}

/* A line of 2000 escape bytes stays one record, whole. */
static int test_longest_line(void)
{
	struct ns_log lg;
	int p[2];
	static char line[2000], buf[16384];
	memset(line, 0x1b, sizeof(line));
	CHECK(pipe_log(&lg, p, 1 << 16) == 0);
	CHECK(ns_log_output(&lg, NS_LOG_INFO, "c", line, sizeof(line)));
	size_t n = slurp(p[0], buf, sizeof(buf));
	CHECK_INT(n, strlen("INFO  c: ") + 4 * 2000 + 1);
	CHECK(buf[n - 1] == '\n' && !memchr(buf, '\x1b', n));
	ns_log_close(&lg);
	close(p[0]);
	close(p[1]);
	return 0;
}

/* Nobody reads: output fills three quarters and is refused; our own records still
 * get in; past the whole queue they are counted, and reported once it drains. */
static int test_priority_and_lost(void)
{
	struct ns_log lg;
	int p[2];
	CHECK(pipe_log(&lg, p, 16384) == 0);
	char fill[65536];
	memset(fill, 'f', sizeof(fill));
	CHECK(write(lg.q->fd, fill, sizeof(fill)) > 0); /* the pipe itself is full now */
	CHECK(ns_log_flush(&lg) == 0);
	int out = 0;
	while (ns_log_output(&lg, NS_LOG_INFO, "c", "output line", 11))
		out++;
	CHECK(out > 0 && lg.q->len <= 12288);
	CHECK(!ns_log_output_room(&lg, 11));
	ns_error(&lg, "northstard", "state change");
	CHECK(lg.lost == 0 && ns_log_wait_fd(&lg) == lg.q->fd);
	while (lg.lost < 3)
		ns_error(&lg, "northstard", "state change");
	/* the reader catches up */
	static char buf[1 << 20];
	size_t n = 0;
	for (int i = 0; i < 100 && ns_log_flush(&lg); i++)
		n += slurp(p[0], buf + n, sizeof(buf) - n);
	n += slurp(p[0], buf + n, sizeof(buf) - n);
	CHECK(lg.lost == 0 && lg.q->len == 0);
	CHECK(strstr(buf, "ERROR northstard: state change\n"));
	CHECK(strstr(buf, "WARN  test: 3 log records lost: the log was full\n"));
	CHECK(ns_log_output(&lg, NS_LOG_INFO, "c", "room again", 10));
	ns_log_close(&lg);
	close(p[0]);
	close(p[1]);
	return 0;
}

static int parse(const char *text, struct ns_config *c, struct ns_err *err)
{
	return ns_config_parse("t.yaml", text, strlen(text), c, err);
}

#define BASE "run_dir: /r\ndata_dir: /d\nsocket_dir: /s\ncgroup: ns\n"

static int test_config(void)
{
	struct ns_err err;
	struct ns_config c;
	CHECK_OK(parse(BASE, &c, &err), &err);
	CHECK_INT(c.log.buffer_size, 256 << 10);
	CHECK_INT(c.log.output_rate, 32 << 10);
	CHECK_INT(c.log.output_burst, 128 << 10);
	ns_config_free(&c);
	CHECK_OK(parse(BASE "log:\n  buffer_size: 1MiB\n  output_rate: 0\n  output_burst: 4096\n",
		       &c, &err),
		 &err);
	CHECK_INT(c.log.buffer_size, 1 << 20);
	CHECK_INT(c.log.output_rate, 0);
	CHECK_INT(c.log.output_burst, 4096);
	ns_config_free(&c);
	static const struct {
		const char *text, *want;
	} bad[] = {
	    {BASE "log: 1\n", "log: expected a mapping"},
	    {BASE "log:\n  buffer: 1\n", "unknown key 'buffer' in log"},
	    {BASE "log:\n  buffer_size: 1KiB\n", "log.buffer_size: must be between"},
	    {BASE "log:\n  buffer_size: 1GiB\n", "log.buffer_size: must be between"},
	    {BASE "log:\n  buffer_size: lots\n", "log.buffer_size: expected a size"},
	    {BASE "log:\n  buffer_size: -5\n", "log.buffer_size: expected a size"},
	    {BASE "log:\n  output_rate: 2GiB\n", "log.output_rate: must be at most"},
	    {BASE "log:\n  output_rate: [1]\n", "log.output_rate: expected"},
	    {BASE "log:\n  output_burst: 100\n", "log.output_burst: must be between"},
	    {BASE "log:\n  output_burst: 2000\n  output_burst: 5000\n", "duplicate key"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ns_err_clear(&err);
		if (parse(bad[i].text, &c, &err) >= 0) {
			fprintf(stderr, "  case %zu parsed\n", i);
			return NS_TEST_FAIL;
		}
		if (!strstr(err.msg, bad[i].want) || !strstr(err.msg, "t.yaml:")) {
			fprintf(stderr, "  case %zu: '%s' lacks '%s'\n", i, err.msg, bad[i].want);
			return NS_TEST_FAIL;
		}
	}
	return 0;
}

NS_TEST_MAIN(T(test_records_escaped), T(test_longest_line), T(test_priority_and_lost),
	     T(test_config))
