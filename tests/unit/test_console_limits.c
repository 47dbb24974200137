/* The console's bounds (issue 14): the address rules the configuration applies (so
 * --check refuses what start-up refuses), the limit options with their defaults and
 * rejections, and the line buffer's growth as a budget sees it in advance. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/un.h>

#include "libns/config.h"
#include "libns/console_addr.h"
#include "libns/linebuf.h"
#include "testlib.h"

#define BASE "run_dir: /r\ndata_dir: /d\nsocket_dir: /s\ncgroup: ns\n"

static int parse(const char *text, struct ns_config *c, struct ns_err *err)
{
	return ns_config_parse("t.yaml", text, strlen(text), c, err);
}

static int test_addresses(void)
{
	struct ns_console_addr a;
	struct ns_err err = {0};
	CHECK_OK(ns_console_addr_parse("tcp://localhost", false, &a, &err), &err);
	struct sockaddr_in *v4 = (struct sockaddr_in *)&a.ss;
	CHECK(a.ss.ss_family == AF_INET && ntohs(v4->sin_port) == 4200);
	CHECK(ntohl(v4->sin_addr.s_addr) == 0x7f000001);
	CHECK_OK(ns_console_addr_parse("tcp://127.1.2.3:1", false, &a, &err), &err);
	CHECK_OK(ns_console_addr_parse("tcp://[::1]:65535", false, &a, &err), &err);
	CHECK(a.ss.ss_family == AF_INET6);
	CHECK_OK(ns_console_addr_parse("tcp://[::ffff:127.0.0.1]", false, &a, &err), &err);
	CHECK_OK(ns_console_addr_parse("tcp://0.0.0.0:4200", true, &a, &err), &err);
	CHECK_OK(ns_console_addr_parse("unix:///run/ns/console", false, &a, &err), &err);
	CHECK(a.ss.ss_family == AF_UNIX && !strcmp(a.path, "/run/ns/console"));
	const struct {
		const char *bind, *want;
	} bad[] = {
	    {"tcp://0.0.0.0:4200", "tcp://0.0.0.0:4200 is not a loopback address"},
	    {"tcp://[::]:4200", "is not a loopback address"},
	    {"tcp://[::ffff:10.0.0.1]:4200", "is not a loopback address"},
	    {"tcp://192.0.2.1", "is not a loopback address"},
	    {"tcp://console.example", "'console.example' is not a numeric address or localhost"},
	    {"tcp://127.0.0.1:0", "bad port in '127.0.0.1:0'"},
	    {"tcp://127.0.0.1:65536", "bad port"},
	    {"tcp://127.0.0.1:", "bad port"},
	    {"tcp://127.0.0.1:80x", "bad port"},
	    {"tcp://[::1", "bad address '[::1'"},
	    {"tcp://[::1]x", "bad address"},
	    {"unix://", "is not absolute"},
	    {"unix://run/console", "unix socket path 'run/console' is not absolute"},
	    {"udp://127.0.0.1", "expected unix://PATH or tcp://HOST:PORT"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ns_err_clear(&err);
		CHECK_FAIL(ns_console_addr_parse(bad[i].bind, false, &a, &err), &err, bad[i].want);
	}
	char longpath[160] = "unix:///";
	memset(longpath + 8, 'a', 120);
	CHECK_FAIL(ns_console_addr_parse(longpath, false, &a, &err), &err, "longer than 107 bytes");
	return 0;
}

static int test_limit_options(void)
{
	struct ns_err err = {0};
	struct ns_config c;
	CHECK_OK(parse(BASE, &c, &err), &err);
	CHECK_INT(c.console_options.max_buffered_size, 16 << 20);
	CHECK_INT(c.console_options.request_timeout_ns, 10000000000ull);
	CHECK_INT(c.console_options.handshake_timeout_ns, 0); /* containers: none */
	ns_config_free(&c);
	CHECK_OK(parse(BASE
		       "console:\n  global:\n    bind: unix:///c\n    permissions: full\n"
		       "    options:\n      max_connections: 5\n      max_buffered_size: 2MiB\n"
		       "      handshake_timeout: 1s\n      request_timeout: 0s\n"
		       "  options:\n    handshake_timeout: 3s\n",
		       &c, &err),
		 &err);
	CHECK_INT(c.global.options.max_connections, 5);
	CHECK_INT(c.global.options.max_buffered_size, 2 << 20);
	CHECK_INT(c.global.options.handshake_timeout_ns, 1000000000ull);
	CHECK_INT(c.global.options.request_timeout_ns, 0);
	CHECK_INT(c.console_options.handshake_timeout_ns, 3000000000ull);
	ns_config_free(&c);
	CHECK_OK(parse(BASE "console:\n  global:\n    bind: unix:///c\n    permissions: full\n", &c,
		       &err),
		 &err);
	CHECK_INT(c.global.options.max_connections, 256);
	CHECK_INT(c.global.options.handshake_timeout_ns, 10000000000ull); /* spec §1.4 */
	ns_config_free(&c);

#define G BASE "console:\n  global:\n    bind: unix:///c\n    permissions: full\n"
	const struct {
		const char *text, *want;
	} bad[] = {
	    {G "    options:\n      max_connections: 0\n", "max_connections: must be at least 1"},
	    {G "    options:\n      max_connections: -1\n",
	     "max_connections: expected an unsigned"},
	    {G "    options:\n      max_connections: 2000000\n", "max_connections: expected"},
	    {BASE "console:\n  options:\n    max_connections: 4\n",
	     "max_connections: only in console.global.options"},
	    {G "    options:\n      max_buffered_size: 1MiB\n",
	     "max_buffered_size (1048576) must be larger than max_request_size (1048576)"},
	    {BASE "console:\n  options:\n    max_request_size: 20MiB\n",
	     "console.options: max_buffered_size (16777216) must be larger"},
	    {G "    options:\n      max_buffered_size: lots\n",
	     "max_buffered_size: expected a size"},
	    {G "    options:\n      handshake_timeout: 5\n",
	     "handshake_timeout: expected a duration"},
	    {G "    options:\n      request_timeout: [1s]\n", "request_timeout: expected a scalar"},
	    {BASE "console:\n  global:\n    bind: tcp://0.0.0.0\n    permissions: full\n",
	     "t.yaml:7:11: bind: tcp://0.0.0.0 is not a loopback address"},
	    {BASE "console:\n  global:\n    bind: unix://x\n    permissions: full\n",
	     "bind: unix socket path 'x' is not absolute"},
	};
#undef G
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ns_err_clear(&err);
		if (parse(bad[i].text, &c, &err) >= 0) {
			fprintf(stderr, "  case %zu parsed:\n%s\n", i, bad[i].text);
			return NS_TEST_FAIL;
		}
		if (!strstr(err.msg, bad[i].want)) {
			fprintf(stderr, "  case %zu: '%s' lacks '%s'\n", i, err.msg, bad[i].want);
			return NS_TEST_FAIL;
		}
	}
	/* allow_remote after bind still counts */
	CHECK_OK(parse(BASE "console:\n  global:\n    bind: tcp://0.0.0.0\n    permissions: "
			    "full\n    allow_remote: true\n",
		       &c, &err),
		 &err);
	ns_config_free(&c);
	return 0;
}

/* ns_linebuf_next_cap tells the capacity the next fill will have, before it reads. */
static int test_next_cap(void)
{
	struct ns_linebuf lb;
	ns_linebuf_init(&lb, 10000);
	CHECK_INT(ns_linebuf_next_cap(&lb), 4096);
	char chunk[4096];
	memset(chunk, 'a', sizeof(chunk));
	for (int i = 0; i < 3; i++) {
		size_t want = ns_linebuf_next_cap(&lb);
		CHECK_INT(ns_linebuf_feed(&lb, chunk, i < 2 ? sizeof(chunk) : 1000), 0);
		CHECK(lb.cap <= want);
	}
	CHECK_INT(lb.cap, 10001); /* 4096, 8192, then the limit */
	CHECK_INT(ns_linebuf_next_cap(&lb), 10001);
	ns_linebuf_free(&lb);
	ns_linebuf_init(&lb, 10000);
	CHECK_INT(ns_linebuf_feed(&lb, "x\n", 2), 0);
	CHECK_INT(ns_linebuf_next_cap(&lb), 4096); /* room left: no growth */
	ns_linebuf_free(&lb);
	return 0;
}

NS_TEST_MAIN(T(test_addresses), T(test_limit_options), T(test_next_cap))
