/* nstar's pure logic: addresses, operands, start's command line, signals, tables,
 * strace lines, error and notification texts, JSON pretty-printing. The applet's files
 * are compiled in here, as the unit tests link only libns. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "applets/nstar/args.c"
#include "applets/nstar/format.c"
#include "applets/nstar/strace.c"
#include "applets/nstar/table.c"
#include "applets/nstar/url.c"
#include "libns/jsonstrict.h"
#include "testlib.h"

/* --- addresses ------------------------------------------------------------------------ */

static int test_url_tcp(void)
{
	struct nstar_url u;
	struct ns_err err;
	CHECK_OK(nstar_url_parse("tcp://localhost", &u, &err), &err);
	CHECK(!u.is_unix);
	CHECK_STR(u.host, "localhost");
	CHECK_INT(u.port, 4200);
	CHECK_OK(nstar_url_parse("tcp://127.0.0.1:1234/", &u, &err), &err);
	CHECK_STR(u.host, "127.0.0.1");
	CHECK_INT(u.port, 1234);
	CHECK_OK(nstar_url_parse("tcp://[::1]:65535", &u, &err), &err);
	CHECK_STR(u.host, "::1");
	CHECK_INT(u.port, 65535);
	CHECK_OK(nstar_url_parse("tcp://[fe80::1]", &u, &err), &err);
	CHECK_INT(u.port, 4200);
	return 0;
}

static int test_url_unix(void)
{
	struct nstar_url u;
	struct ns_err err;
	CHECK_OK(nstar_url_parse("unix:///run/northstar/console", &u, &err), &err);
	CHECK(u.is_unix);
	CHECK_STR(u.path, "/run/northstar/console");
	char longpath[200] = "unix:///";
	memset(longpath + 8, 'a', 150);
	CHECK_FAIL(nstar_url_parse(longpath, &u, &err), &err, "socket path too long");
	return 0;
}

static int test_url_bad(void)
{
	struct nstar_url u;
	struct ns_err err;
	CHECK_FAIL(nstar_url_parse("http://localhost", &u, &err), &err,
		   "invalid url 'http://localhost': the scheme must be tcp:// or unix://");
	CHECK_FAIL(nstar_url_parse("localhost:4200", &u, &err), &err, "invalid url");
	CHECK_FAIL(nstar_url_parse("tcp://", &u, &err), &err, "missing host");
	CHECK_FAIL(nstar_url_parse("tcp://example.com", &u, &err), &err, "no name resolution");
	CHECK_FAIL(nstar_url_parse("tcp://127.0.0.1:65536", &u, &err), &err, "port");
	CHECK_FAIL(nstar_url_parse("tcp://127.0.0.1:", &u, &err), &err, "port");
	CHECK_FAIL(nstar_url_parse("tcp://127.0.0.1:x", &u, &err), &err, "port");
	CHECK_FAIL(nstar_url_parse("tcp://127.0.0.1/x", &u, &err), &err, "no path");
	CHECK_FAIL(nstar_url_parse("tcp://[::1", &u, &err), &err, "missing ']'");
	CHECK_FAIL(nstar_url_parse("tcp://[127.0.0.1]", &u, &err), &err, "not an IPv6");
	CHECK_FAIL(nstar_url_parse("unix://relative", &u, &err), &err, "unix:///ABSOLUTE");
	CHECK_FAIL(nstar_url_parse("unix:/x", &u, &err), &err, "scheme");
	return 0;
}

/* --- operands --------------------------------------------------------------------------- */

/* What nstar adds when connect(2) fails: the reason by errno and address kind, the
 * address's origin, and the two ways to give another. */
static int test_connect_hint(void)
{
	struct nstar_url u;
	struct ns_err err;
	char buf[1024], text[128];
	CHECK_OK(nstar_url_parse("unix:///run/northstar/console", &u, &err), &err);
	CHECK_STR(nstar_url_str(&u, text, sizeof(text)), "unix:///run/northstar/console");
	nstar_connect_hint(&u, "nstar's default", ENOENT, buf, sizeof(buf));
	CHECK(strstr(buf, "The socket file does not exist, so northstard is probably not running"));
	CHECK(strstr(buf, "console.global.bind"));
	CHECK(strstr(buf, "\n  The address came from nstar's default; give another with --url URL "
			  "or the environment variable NSTAR_URL"));
	nstar_connect_hint(&u, "--url", ECONNREFUSED, buf, sizeof(buf));
	CHECK(strstr(buf, "nothing listens on it"));
	CHECK(strstr(buf, "came from --url"));
	nstar_connect_hint(&u, "--url", EACCES, buf, sizeof(buf));
	CHECK(strstr(buf, "mode 0600"));
	CHECK_OK(nstar_url_parse("tcp://[::1]:1", &u, &err), &err);
	CHECK_STR(nstar_url_str(&u, text, sizeof(text)), "tcp://[::1]:1");
	nstar_connect_hint(&u, "NSTAR_URL", ECONNREFUSED, buf, sizeof(buf));
	CHECK(strstr(buf, "Nothing listens there"));
	CHECK(strstr(buf, "came from NSTAR_URL"));
	/* an errno without a known reason gives only how to change the address */
	nstar_connect_hint(&u, "--url", EHOSTUNREACH, buf, sizeof(buf));
	CHECK(!strncmp(buf, "The address came from --url; ", 29));
	return 0;
}

static int test_color_wanted(void)
{
	CHECK(nstar_color_wanted(NULL, NULL));
	CHECK(nstar_color_wanted(NULL, "xterm-256color"));
	CHECK(nstar_color_wanted("", "xterm"));
	CHECK(!nstar_color_wanted("1", "xterm"));
	CHECK(!nstar_color_wanted(NULL, "dumb"));
	CHECK(nstar_term_dumb("dumb") && !nstar_term_dumb(NULL) && !nstar_term_dumb("vt100"));
	return 0;
}

static int test_container_arg(void)
{
	struct nstar_container_arg a;
	struct ns_err err;
	CHECK_OK(nstar_container_arg_parse("hello-world:0.0.1", &a, &err), &err);
	CHECK(a.has_version);
	CHECK_STR(a.id.name, "hello-world");
	CHECK_INT(a.id.version.patch, 1);
	CHECK_OK(nstar_container_arg_parse("hello-world", &a, &err), &err);
	CHECK(!a.has_version);
	CHECK_STR(a.id.name, "hello-world");
	CHECK_FAIL(nstar_container_arg_parse("a:1.0", &a, &err), &err, "invalid container 'a:1.0'");
	CHECK_FAIL(nstar_container_arg_parse("a/b", &a, &err), &err, "invalid container name");
	CHECK_FAIL(nstar_container_arg_parse("", &a, &err), &err, "invalid container name");
	return 0;
}

static int test_container_pick(void)
{
	struct ns_console_id list[] = {{"a", {1, 0, 0}}, {"b", {0, 0, 1}}, {"a", {2, 0, 0}}};
	struct nstar_container_arg a;
	struct ns_err err;
	CHECK_OK(nstar_container_arg_parse("b", &a, &err), &err);
	CHECK_OK(nstar_container_pick(&a, list, 3, &err), &err);
	CHECK(a.has_version);
	CHECK_INT(a.id.version.patch, 1);
	CHECK_OK(nstar_container_arg_parse("a", &a, &err), &err);
	CHECK_FAIL(nstar_container_pick(&a, list, 3, &err), &err,
		   "container a has multiple versions installed (1.0.0, 2.0.0); name one as "
		   "NAME:VERSION, e.g. a:1.0.0");
	CHECK_OK(nstar_container_arg_parse("c", &a, &err), &err);
	CHECK_FAIL(nstar_container_pick(&a, list, 3, &err), &err,
		   "no container named c is installed; `nstar list` shows the installed "
		   "containers");
	CHECK_FAIL(nstar_container_pick(&a, NULL, 0, &err), &err, "no container named c");
	return 0;
}

static int test_command_split(void)
{
	struct nstar_command c;
	struct ns_err err;
	CHECK_OK(nstar_command_split(0, NULL, &c, &err), &err);
	CHECK(c.init == NULL && c.nargs == 0 && c.nenv == 0);
	nstar_command_free(&c);

	char *w1[] = {"DEBUG=1", "<INIT>", "-v"};
	CHECK_OK(nstar_command_split(3, w1, &c, &err), &err);
	CHECK_INT(c.nenv, 1);
	CHECK_STR(c.env[0].key, "DEBUG");
	CHECK_STR(c.env[0].value, "1");
	CHECK_STR(c.init, "<INIT>");
	CHECK_INT(c.nargs, 1);
	CHECK_STR(c.args[0], "-v");
	nstar_command_free(&c);

	/* Only leading KEY=VALUE words are environment; a later key replaces an earlier. */
	char *w2[] = {"A=1", "B=x=y", "A=2", "/bin/sh", "C=3", "-c", "echo"};
	CHECK_OK(nstar_command_split(7, w2, &c, &err), &err);
	CHECK_INT(c.nenv, 2);
	CHECK_STR(c.env[0].key, "A");
	CHECK_STR(c.env[0].value, "2");
	CHECK_STR(c.env[1].key, "B");
	CHECK_STR(c.env[1].value, "x=y");
	CHECK_STR(c.init, "/bin/sh");
	CHECK_INT(c.nargs, 3);
	CHECK_STR(c.args[0], "C=3");
	CHECK_STR(c.args[2], "echo");
	nstar_command_free(&c);

	/* Environment alone, an empty value, and "=x" (no key) as init. */
	char *w3[] = {"EMPTY=", "=x", "y"};
	CHECK_OK(nstar_command_split(3, w3, &c, &err), &err);
	CHECK_INT(c.nenv, 1);
	CHECK_STR(c.env[0].value, "");
	CHECK_STR(c.init, "=x");
	CHECK_INT(c.nargs, 1);
	nstar_command_free(&c);
	char *w4[] = {"K=V"};
	CHECK_OK(nstar_command_split(1, w4, &c, &err), &err);
	CHECK(c.nenv == 1 && c.init == NULL && c.nargs == 0);
	nstar_command_free(&c);
	return 0;
}

static int test_signal_parse(void)
{
	int32_t s;
	CHECK(nstar_signal_parse("9", &s) == 0 && s == 9);
	CHECK(nstar_signal_parse("0", &s) == 0 && s == 0);
	CHECK(nstar_signal_parse("-1", &s) == 0 && s == -1);
	CHECK(nstar_signal_parse("2147483647", &s) == 0 && s == INT32_MAX);
	CHECK(nstar_signal_parse("-2147483648", &s) == 0 && s == INT32_MIN);
	CHECK(nstar_signal_parse("2147483648", &s) < 0);
	CHECK(nstar_signal_parse("TERM", &s) == 0 && s == 15);
	CHECK(nstar_signal_parse("SIGKILL", &s) == 0 && s == 9);
	CHECK(nstar_signal_parse("sigint", &s) == 0 && s == 2);
	CHECK(nstar_signal_parse("hup", &s) == 0 && s == 1);
	CHECK(nstar_signal_parse("SIG", &s) < 0);
	CHECK(nstar_signal_parse("FOO", &s) < 0);
	CHECK(nstar_signal_parse("9x", &s) < 0);
	CHECK(nstar_signal_parse("", &s) < 0);
	uint64_t n;
	CHECK(nstar_count_parse("18446744073709551615", UINT64_MAX, &n) == 0 && n == UINT64_MAX);
	CHECK(nstar_count_parse("18446744073709551616", UINT64_MAX, &n) < 0);
	CHECK(nstar_count_parse("-1", UINT64_MAX, &n) < 0);
	return 0;
}

/* --- tables ------------------------------------------------------------------------------ */

static char *render(const struct nstar_table *t, enum nstar_table_mode mode)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		return NULL;
	nstar_table_print(t, f, mode);
	fclose(f);
	return text;
}

static int test_table(void)
{
	static const char *const titles[] = {"Name", "Uptime"};
	const char *r1[] = {"hello-world", "5s 12ms"}, *r2[] = {"a\tb", ""};
	const unsigned char st[] = {NSTAR_STYLE_BOLD, NSTAR_STYLE_GREEN};
	struct nstar_table t;
	nstar_table_init(&t, titles, 2);
	CHECK(nstar_table_add(&t, r1, st) == 0);
	CHECK(nstar_table_add(&t, r2, st) == 0);
	char *tsv = render(&t, NSTAR_TABLE_TSV);
	char *pretty = render(&t, NSTAR_TABLE_PRETTY);
	char *color = render(&t, NSTAR_TABLE_COLOR);
	nstar_table_free(&t);
	int ok = tsv && pretty && color;
	ok = ok && !strcmp(tsv, "Name\tUptime\nhello-world\t5s 12ms\na b\t\n");
	ok = ok && !strcmp(pretty, " Name        | Uptime  \n"
				   "-------------+---------\n"
				   " hello-world | 5s 12ms \n"
				   " a\tb         |         \n");
	ok = ok && !strcmp(color, " \033[1mName\033[0m        | \033[1mUptime\033[0m  \n"
				  "-------------+---------\n"
				  " \033[1mhello-world\033[0m | \033[32m5s 12ms\033[0m \n"
				  " \033[1ma\tb\033[0m         |         \n");
	if (!ok)
		fprintf(stderr, "tsv:\n%s\npretty:\n%s\ncolor:\n%s\n", tsv, pretty, color);
	free(tsv);
	free(pretty);
	free(color);
	return ok ? 0 : NS_TEST_FAIL;
}

static int test_table_utf8_and_empty(void)
{
	static const char *const titles[] = {"Name"};
	const char *r[] = {"\xc3\xa9t\xc3\xa9"}; /* "été": 3 columns, 5 bytes */
	struct nstar_table t;
	nstar_table_init(&t, titles, 1);
	char *empty = render(&t, NSTAR_TABLE_PRETTY);
	CHECK(nstar_table_add(&t, r, NULL) == 0);
	char *one = render(&t, NSTAR_TABLE_PRETTY);
	nstar_table_free(&t);
	int ok = empty && one && !strcmp(empty, " Name \n------\n") &&
		 !strcmp(one, " Name \n------\n \xc3\xa9t\xc3\xa9  \n");
	free(empty);
	free(one);
	CHECK(ok);
	CHECK_INT(nstar_text_width("\xe2\x82\xac"
				   "1"),
		  2);
	return 0;
}

/* --- strace ------------------------------------------------------------------------------ */

static const char *syscall_of(const char *line)
{
	static char buf[64];
	const char *name;
	size_t len;
	if (!nstar_strace_syscall(line, strlen(line), &name, &len))
		return "";
	snprintf(buf, sizeof(buf), "%.*s", (int)len, name);
	return buf;
}

static int test_strace(void)
{
	CHECK_STR(syscall_of("execve(\"/bin/true\", [\"true\"], 0x7ffd /* 20 vars */) = 0\n"),
		  "execve");
	CHECK_STR(syscall_of("12345 openat(AT_FDCWD, \"/etc/ld.so.cache\", O_RDONLY) = 3"),
		  "openat");
	CHECK_STR(syscall_of("[pid  4242] futex(0x7f, FUTEX_WAKE_PRIVATE, 1) = 0"), "futex");
	CHECK_STR(syscall_of("  \t write(1, \"hi\\n\", 3) = 3"), "write");
	CHECK_STR(syscall_of("1234read(3, \"\", 4096) = 0"), "read");
	CHECK_STR(syscall_of("epoll_create1(EPOLL_CLOEXEC) = 3"), "epoll_create1");
	/* \d+ backs off one digit at a time: "123(" names the call "3". */
	CHECK_STR(syscall_of("123("), "3");
	CHECK_STR(syscall_of("+++ exited with 0 +++"), "");
	CHECK_STR(syscall_of("--- SIGCHLD {si_signo=SIGCHLD} ---"), "");
	CHECK_STR(syscall_of("12345 <... read resumed>\"x\", 1) = 1"), "");
	CHECK_STR(syscall_of("[pid 1] 2 read("), "");
	CHECK_STR(syscall_of("[unterminated read("), "");
	CHECK_STR(syscall_of("read (3)"), "");
	CHECK_STR(syscall_of(""), "");
	return 0;
}

/* --- notification and JSON texts (errors: test_console_errtext.c)
 * ------------------------------------------------ */

static int test_notification_texts(void)
{
	char buf[512];
	struct ns_console_notification n = {.kind = NS_NOTIF_EXIT,
					    .container = {"crashing", {0, 0, 1}},
					    .exit = {.kind = NS_EXIT_CODE, .code = 101}};
	CHECK_STR(nstar_notification_text(&n, buf, sizeof(buf)),
		  "container crashing:0.0.1 exited with status exit code 101");
	n.exit = (struct ns_exit_status){.kind = NS_EXIT_SIGNALLED, .signal = 15};
	CHECK_STR(nstar_notification_text(&n, buf, sizeof(buf)),
		  "container crashing:0.0.1 exited with status signalled 15");
	n.kind = NS_NOTIF_STARTED;
	CHECK_STR(nstar_notification_text(&n, buf, sizeof(buf)), "started crashing:0.0.1");
	n.kind = NS_NOTIF_UNINSTALL;
	CHECK_STR(nstar_notification_text(&n, buf, sizeof(buf)), "uninstalled crashing:0.0.1");
	n.kind = NS_NOTIF_CGROUP;
	n.memory = (struct ns_memory_event){.has_oom = true, .oom = 1};
	CHECK_STR(nstar_notification_text(&n, buf, sizeof(buf)),
		  "container crashing:0.0.1 memory event Memory(MemoryNotification { low: None, "
		  "high: None, max: None, oom: Some(1), oom_kill: None })");
	n.kind = NS_NOTIF_SHUTDOWN;
	CHECK_STR(nstar_notification_text(&n, buf, sizeof(buf)), "shutting down");
	return 0;
}

static int test_json_pretty(void)
{
	static const char in[] =
	    "{\"a\":[1,{},[],\"x\\\"\\u0001\\u00e9\"],\"b\":{\"c\":null,\"d\":true},"
	    "\"big\":18446744073709551615,\"f\":-1.5e3}";
	static const char want[] = "{\n"
				   "  \"a\": [\n"
				   "    1,\n"
				   "    {},\n"
				   "    [],\n"
				   "    \"x\\\"\\u0001\xc3\xa9\"\n"
				   "  ],\n"
				   "  \"b\": {\n"
				   "    \"c\": null,\n"
				   "    \"d\": true\n"
				   "  },\n"
				   "  \"big\": 18446744073709551615,\n"
				   "  \"f\": -1.5e3\n"
				   "}";
	struct ns_json_limits limits = {64, 1000};
	struct ns_err err;
	cJSON *tree;
	CHECK_OK(ns_json_parse_strict(in, strlen(in), &limits, &tree, &err), &err);
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	CHECK(f);
	nstar_json_pretty(f, tree, 0);
	fclose(f);
	cJSON_Delete(tree);
	int same = text && !strcmp(text, want);
	if (!same)
		fprintf(stderr, "got:\n%s\n", text);
	free(text);
	return same ? 0 : NS_TEST_FAIL;
}

NS_TEST_MAIN(T(test_url_tcp), T(test_url_unix), T(test_url_bad), T(test_connect_hint),
	     T(test_color_wanted), T(test_container_arg), T(test_container_pick),
	     T(test_command_split), T(test_signal_parse), T(test_table),
	     T(test_table_utf8_and_empty), T(test_strace), T(test_notification_texts),
	     T(test_json_pretty))
