/* The logs request and its response (ours; libns/console_logs.c): the wire form, byte
 * for byte, decoded and encoded again; the fields a decoded message carries; what the
 * decoder refuses; the permission it needs (inspect's). */
#include "console_util.h"

#define LINE1 "{\"time\":1765152000123,\"stream\":\"stdout\",\"text\":\"Hello\"}"
#define LINE2 "{\"time\":1765152000124,\"stream\":\"stderr\",\"text\":\"tab\\there \\u001b[31m\"}"

static int test_roundtrip(void)
{
	CHECK_RT("{\"request\":{\"logs\":{\"container\":\"hello:0.0.1\",\"follow\":false}}}");
	CHECK_RT("{\"request\":{\"logs\":{\"container\":\"hello:0.0.1\",\"follow\":true}}}");
	CHECK_RT("{\"response\":{\"logs\":{\"ok\":{\"container\":\"hello:0.0.1\",\"lines\":[" LINE1
		 "," LINE2 "],\"overwritten\":3,\"dropped\":0,\"not_recorded\":null,"
		 "\"end\":false}}}}");
	CHECK_RT(
	    "{\"response\":{\"logs\":{\"ok\":{\"container\":\"a:1.0.0\",\"lines\":[],"
	    "\"overwritten\":0,\"dropped\":0,\"not_recorded\":\"io: discard\",\"end\":true}}}}");
	CHECK_RT("{\"response\":{\"logs\":{\"error\":{\"container\":\"a:1.0.0\",\"error\":"
		 "{\"invalid_container\":{\"container\":\"a:1.0.0\"}}}}}}");
	/* a denied logs request echoes it */
	CHECK_RT("{\"response\":{\"permission_denied\":{\"logs\":{\"container\":\"a:1.0.0\","
		 "\"follow\":false}}}}");
	return 0;
}

static int test_fields(void)
{
	const char *line =
	    "{\"response\":{\"logs\":{\"ok\":{\"container\":\"hello:0.0.1\",\"lines\":[" LINE1
	    "," LINE2 "],\"overwritten\":3,\"dropped\":7,\"end\":true}}}}";
	struct ns_console_response r;
	struct ns_err err = {0};
	CHECK_OK(ns_console_decode_response(line, strlen(line), &r, &err), &err);
	CHECK(r.kind == NS_RESP_LOGS && r.result.ok);
	CHECK_STR(r.result.container.name, "hello");
	CHECK_INT(r.logs.nlines, 2);
	CHECK(r.logs.lines[0].time_ms == 1765152000123ull);
	CHECK(r.logs.lines[0].stream == NS_STREAM_STDOUT);
	CHECK_STR(r.logs.lines[0].text, "Hello");
	CHECK(r.logs.lines[1].stream == NS_STREAM_STDERR);
	CHECK_STR(r.logs.lines[1].text, "tab\there \x1b[31m");
	CHECK_INT(r.logs.overwritten, 3);
	CHECK_INT(r.logs.dropped, 7);
	CHECK(r.logs.not_recorded == NULL); /* a missing Option is null */
	CHECK(r.logs.end);
	ns_console_response_free(&r);

	const char *req =
	    "{\"request\":{\"logs\":{\"container\":\"hello:0.0.1\",\"follow\":true}}}";
	struct ns_console_request q;
	CHECK_OK(ns_console_decode_request(req, strlen(req), &q, &err), &err);
	CHECK(q.kind == NS_REQ_LOGS && q.follow);
	CHECK_STR(q.container.name, "hello");
	/* reading a container's output needs what inspect needs */
	CHECK(ns_console_request_perm(&q) == NS_PERM_INSPECT);
	CHECK(ns_console_request_permitted(1u << NS_PERM_INSPECT, &q));
	CHECK(!ns_console_request_permitted(~(1u << NS_PERM_INSPECT), &q));
	ns_console_request_free(&q);
	return 0;
}

/* Lines built by the daemon: invalid UTF-8 becomes U+FFFD, control characters are
 * JSON escapes; a bad stream is refused by the encoder. */
static int test_encode(void)
{
	struct ns_console_log_line lines[] = {
	    {.time_ms = 5, .stream = NS_STREAM_STDERR, .text = "bad \xff byte\r"},
	};
	struct ns_console_response r = {
	    .kind = NS_RESP_LOGS,
	    .result = {.ok = true, .container = {.name = "a", .version = {1, 2, 3}}},
	    .logs = {.lines = lines, .nlines = 1, .dropped = 2},
	};
	struct ns_err err = {0};
	char *s = ns_console_encode_response(&r, &err);
	CHECK(s);
	CHECK_STR(
	    s, "{\"response\":{\"logs\":{\"ok\":{\"container\":\"a:1.2.3\",\"lines\":[{\"time\":5,"
	       "\"stream\":\"stderr\",\"text\":\"bad \xef\xbf\xbd byte\\r\"}],"
	       "\"overwritten\":0,\"dropped\":2,\"not_recorded\":null,\"end\":false}}}}");
	free(s);
	lines[0].stream = NS_STREAM_COUNT;
	CHECK(!ns_console_encode_response(&r, &err));
	CHECK(strstr(err.msg, "unknown stream"));
	return 0;
}

static int test_bad(void)
{
	CHECK_REFUSED("{\"request\":{\"logs\":{\"container\":\"hello:0.0.1\"}}}", "follow");
	CHECK_REFUSED("{\"request\":{\"logs\":{\"follow\":true}}}", "container");
	CHECK_REFUSED("{\"request\":{\"logs\":{\"container\":\"hello\",\"follow\":true}}}",
		      "container");
	CHECK_REFUSED("{\"request\":{\"logs\":{\"container\":\"a:1.0.0\",\"follow\":1}}}",
		      "follow");
	CHECK_REFUSED("{\"request\":\"logs\"}", "logs");
	static const char ok[] = "{\"response\":{\"logs\":{\"ok\":{\"container\":\"a:1.0.0\",";
	CHECK(refuse_response(
		  "{\"response\":{\"logs\":{\"ok\":{\"container\":\"a:1.0.0\",\"overwritten\":0,"
		  "\"dropped\":0,\"end\":false}}}}",
		  "lines") == 0);
	char line[512];
	snprintf(line, sizeof(line),
		 "%s\"lines\":[{\"time\":1,\"stream\":\"stdin\",\"text\":\"x\"}],"
		 "\"overwritten\":0,\"dropped\":0,\"end\":false}}}}",
		 ok);
	CHECK(refuse_response(line, "unknown stream \"stdin\"") == 0);
	snprintf(line, sizeof(line),
		 "%s\"lines\":[{\"time\":-1,\"stream\":\"stdout\",\"text\":\"x\"}],"
		 "\"overwritten\":0,\"dropped\":0,\"end\":false}}}}",
		 ok);
	CHECK(refuse_response(line, ".lines[0].time") == 0);
	snprintf(line, sizeof(line),
		 "%s\"lines\":{},\"overwritten\":0,\"dropped\":0,\"end\":false}}}}", ok);
	CHECK(refuse_response(line, "expected an array") == 0);
	snprintf(line, sizeof(line),
		 "%s\"lines\":[],\"overwritten\":0,\"dropped\":0,\"end\":\"no\"}}}}", ok);
	CHECK(refuse_response(line, "end") == 0);
	return 0;
}

NS_TEST_MAIN(T(test_roundtrip), T(test_fields), T(test_encode), T(test_bad))
