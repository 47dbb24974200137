/* Console requests and the handshake: the spec's literal JSON decodes into the right
 * fields and encodes back to the same bytes; permissions map as spec §5 says. */
#include <errno.h>

#include "console_util.h"

#define TOKEN_B64 "AAAAAAAAAAUAAQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHw=="

/* Every request line of spec §3.1, as Northstar's client writes it. */
static const char *const spec_requests[] = {
    "{\"request\":\"ident\"}",
    "{\"request\":\"list\"}",
    "{\"request\":\"repositories\"}",
    "{\"request\":\"shutdown\"}",
    "{\"request\":{\"inspect\":{\"container\":\"hello-world:0.0.1\"}}}",
    "{\"request\":{\"install\":{\"repository\":\"default\",\"size\":1234567}}}",
    "{\"request\":{\"kill\":{\"container\":\"hello-world:0.0.1\",\"signal\":15}}}",
    "{\"request\":{\"mount\":{\"containers\":[\"hello-world:0.0.1\",\"cpueater:0.0.1\"]}}}",
    "{\"request\":{\"umount\":{\"containers\":[\"hello-world:0.0.1\"]}}}",
    "{\"request\":{\"start\":{\"container\":\"hello-world:0.0.1\",\"init\":null,\"arguments\":[],"
    "\"environment\":{}}}}",
    "{\"request\":{\"start\":{\"container\":\"hello-world:0.0.1\",\"init\":\"/hello-world\","
    "\"arguments\":[\"-v\"],\"environment\":{\"DEBUG\":\"1\"}}}}",
    "{\"request\":{\"token_create\":{\"target\":\"server\",\"shared\":\"aGVsbG8h\"}}}",
    "{\"request\":{\"token_verify\":{\"token\":\"" TOKEN_B64 "\",\"user\":\"client\","
    "\"shared\":\"aGVsbG8h\"}}}",
    "{\"request\":{\"uninstall\":{\"container\":\"hello-world:0.0.1\",\"wipe\":false}}}",
};

static int test_spec_requests_roundtrip(void)
{
	for (size_t i = 0; i < sizeof(spec_requests) / sizeof(spec_requests[0]); i++)
		CHECK_RT(spec_requests[i]);
	/* and each one through the typed decoder and encoder */
	for (size_t i = 0; i < sizeof(spec_requests) / sizeof(spec_requests[0]); i++) {
		struct ns_err err = {0};
		struct ns_console_request r;
		const char *line = spec_requests[i];
		CHECK_OK(ns_console_decode_request(line, strlen(line), &r, &err), &err);
		char *out = ns_console_encode_request(&r, &err);
		ns_console_request_free(&r);
		CHECK_STR(out, line);
		free(out);
	}
	return 0;
}

static int test_request_fields(void)
{
	struct ns_err err = {0};
	struct ns_console_request r;
	const char *l = spec_requests[10]; /* start with init, args, env */
	CHECK_OK(ns_console_decode_request(l, strlen(l), &r, &err), &err);
	CHECK_INT(r.kind, NS_REQ_START);
	CHECK_STR(r.container.name, "hello-world");
	CHECK_INT(r.container.version.patch, 1);
	CHECK_STR(r.init, "/hello-world");
	CHECK_INT(r.narguments, 1);
	CHECK_STR(r.arguments[0], "-v");
	CHECK_INT(r.nenvironment, 1);
	CHECK_STR(r.environment[0].key, "DEBUG");
	CHECK_STR(r.environment[0].value, "1");
	CHECK_INT(ns_console_request_perm(&r), NS_PERM_START_COMMAND);
	ns_console_request_free(&r);

	l = spec_requests[6]; /* kill */
	CHECK_OK(ns_console_decode_request(l, strlen(l), &r, &err), &err);
	CHECK_INT(r.kind, NS_REQ_KILL);
	CHECK_INT(r.signal, 15);
	ns_console_request_free(&r);

	l = spec_requests[5]; /* install */
	CHECK_OK(ns_console_decode_request(l, strlen(l), &r, &err), &err);
	CHECK_STR(r.repository, "default");
	CHECK_INT(r.size, 1234567);
	ns_console_request_free(&r);

	l = spec_requests[7]; /* mount */
	CHECK_OK(ns_console_decode_request(l, strlen(l), &r, &err), &err);
	CHECK_INT(r.ncontainers, 2);
	CHECK_STR(r.containers[1].name, "cpueater");
	ns_console_request_free(&r);

	l = spec_requests[12]; /* token_verify */
	CHECK_OK(ns_console_decode_request(l, strlen(l), &r, &err), &err);
	CHECK_STR(r.user, "client");
	CHECK_INT(r.shared_len, 6);
	CHECK(!memcmp(r.shared, "hello!", 6));
	CHECK_INT(r.token[7], 5);
	CHECK_INT(r.token[39], 31);
	ns_console_request_free(&r);

	l = spec_requests[13]; /* uninstall */
	CHECK_OK(ns_console_decode_request(l, strlen(l), &r, &err), &err);
	CHECK(!r.wipe);
	ns_console_request_free(&r);
	return 0;
}

/* What serde accepts besides the canonical form, and what it becomes. */
static int test_request_lenient_forms(void)
{
	struct ns_err err = {0};
	struct ns_console_request r;
	/* doc/console.md omits init; a pre-release suffix is dropped; unknown keys are
	 * ignored; whitespace around the object and a CR are fine. */
	const char *l =
	    "  {\"request\":{\"start\":{\"container\":\"a:1.0.0-rc1+b\",\"arguments\":[],"
	    "\"environment\":{},\"extra\":[1,{\"x\":null}]}},\"seq\":7} \r";
	CHECK_OK(ns_console_decode_request(l, strlen(l), &r, &err), &err);
	CHECK(r.init == NULL);
	CHECK_INT(ns_console_request_perm(&r), NS_PERM_START);
	char *out = ns_console_encode_request(&r, &err);
	ns_console_request_free(&r);
	CHECK_STR(out, "{\"request\":{\"start\":{\"container\":\"a:1.0.0\",\"init\":null,"
		       "\"arguments\":[],\"environment\":{}}}}");
	free(out);

	/* i32 signals, negative included, are the daemon's to judge (Northstar answers
	 * EINVAL in a kill error); an empty shared value is fine. */
	CHECK_RT("{\"request\":{\"kill\":{\"container\":\"a:1.0.0\",\"signal\":-2147483648}}}");
	CHECK_RT("{\"request\":{\"token_create\":{\"target\":\"extern\",\"shared\":\"\"}}}");
	CHECK_RT("{\"request\":{\"install\":{\"repository\":\"\",\"size\":18446744073709551615}}}");
	CHECK_RT("{\"request\":{\"mount\":{\"containers\":[]}}}");
	/* strings are escaped as serde_json does; non-ASCII stays raw */
	CHECK_RT("{\"request\":{\"start\":{\"container\":\"a:1.0.0\",\"init\":\"/b\\\"in\\\\\","
		 "\"arguments\":[\"\\n\\t\\u0001\",\"\xc3\xa9\xf0\x9f\x9a\x80\"],\"environment\":"
		 "{\"K\\u001f\":\"v/\"}}}}");
	/* escapes that serde_json also reads, written back the canonical way */
	l = "{\"request\":{\"install\":{\"repository\":\"\\u0041\\/\\ud83d\\ude80\",\"size\":0}}}";
	CHECK_OK(ns_console_decode_request(l, strlen(l), &r, &err), &err);
	CHECK_STR(r.repository, "A/\xf0\x9f\x9a\x80");
	ns_console_request_free(&r);
	return 0;
}

static int test_handshake(void)
{
	struct ns_err err = {0};
	struct ns_console_frame f;
	CHECK_RT("{\"connect\":{\"version\":\"0.9.3\",\"subscribe_notifications\":false}}");
	CHECK_RT("{\"connect\":{\"version\":\"0.9.3\",\"subscribe_notifications\":true}}");
	CHECK_RT("{\"connect_ack\":null}");
	CHECK_RT("{\"connect_nack\":{\"invalid_protocol_version\":{\"version\":\"0.9.3\"}}}");
	CHECK_RT("{\"connect_nack\":\"permission_denied\"}");

	const char *l =
	    "{\"connect\":{\"version\":\"0.10.1-pre\",\"subscribe_notifications\":true}}";
	CHECK_OK(ns_console_decode_frame(l, strlen(l), &f, &err), &err);
	CHECK_INT(f.kind, NS_FRAME_CONNECT);
	CHECK_INT(f.version.minor, 10);
	CHECK(f.subscribe_notifications);
	ns_console_frame_free(&f);

	/* a client accepts any connect_ack value, the old {"configuration":...} too */
	l = "{\"connect_ack\":{\"configuration\":{\"permissions\":[\"list\"]}}}";
	CHECK_OK(ns_console_decode_frame(l, strlen(l), &f, &err), &err);
	CHECK_INT(f.kind, NS_FRAME_CONNECT_ACK);
	ns_console_frame_free(&f);

	struct ns_version v = ns_console_version();
	char *s = ns_console_encode_connect(&v, false, &err);
	CHECK_STR(s, "{\"connect\":{\"version\":\"0.9.3\",\"subscribe_notifications\":false}}");
	free(s);
	s = ns_console_encode_connect_ack(&err);
	CHECK_STR(s, "{\"connect_ack\":null}");
	free(s);
	struct ns_console_nack nack = {NS_NACK_INVALID_PROTOCOL_VERSION, v};
	s = ns_console_encode_connect_nack(&nack, &err);
	CHECK_STR(s, "{\"connect_nack\":{\"invalid_protocol_version\":{\"version\":\"0.9.3\"}}}");
	free(s);

	/* both fields are required; the version is strict semver */
	l = "{\"connect\":{\"version\":\"0.9.3\"}}";
	CHECK_FAIL(ns_console_decode_frame(l, strlen(l), &f, &err), &err,
		   "connect: missing field \"subscribe_notifications\"");
	l = "{\"connect\":{\"version\":\"0.9\",\"subscribe_notifications\":false}}";
	CHECK_FAIL(ns_console_decode_frame(l, strlen(l), &f, &err), &err,
		   "connect.version: invalid version \"0.9\"");
	l = "{\"connect\":{\"version\":\"0.9.3\",\"subscribe_notifications\":0}}";
	CHECK_FAIL(ns_console_decode_frame(l, strlen(l), &f, &err), &err,
		   "connect.subscribe_notifications: expected a boolean, got a number");
	l = "{\"connect_nack\":\"nope\"}";
	CHECK_FAIL(ns_console_decode_frame(l, strlen(l), &f, &err), &err,
		   "connect_nack: unknown variant \"nope\"");
	return 0;
}

static int test_version_rule(void)
{
	struct ns_version server = ns_console_version();
	struct ns_version ok[] = {{0, 9, 0}, {0, 9, 7}, {0, 10, 0}, {1, 2, 3}};
	struct ns_version bad[] = {{0, 8, 9}, {0, 0, 1}};
	for (size_t i = 0; i < 4; i++)
		CHECK(ns_console_version_accepted(&server, &ok[i]));
	for (size_t i = 0; i < 2; i++)
		CHECK(!ns_console_version_accepted(&server, &bad[i]));
	return 0;
}

static int test_permissions(void)
{
	static const struct {
		const char *line;
		enum ns_perm perm;
	} cases[] = {
	    {"{\"request\":\"ident\"}", NS_PERM_IDENT},
	    {"{\"request\":\"list\"}", NS_PERM_LIST},
	    {"{\"request\":\"repositories\"}", NS_PERM_REPOSITORIES},
	    {"{\"request\":\"shutdown\"}", NS_PERM_SHUTDOWN},
	    {"{\"request\":{\"inspect\":{\"container\":\"a:0.0.1\"}}}", NS_PERM_INSPECT},
	    {"{\"request\":{\"install\":{\"repository\":\"d\",\"size\":1}}}", NS_PERM_INSTALL},
	    {"{\"request\":{\"kill\":{\"container\":\"a:0.0.1\",\"signal\":9}}}", NS_PERM_KILL},
	    {"{\"request\":{\"mount\":{\"containers\":[]}}}", NS_PERM_MOUNT},
	    {"{\"request\":{\"umount\":{\"containers\":[]}}}", NS_PERM_UMOUNT},
	    {"{\"request\":{\"start\":{\"container\":\"a:0.0.1\",\"init\":null,\"arguments\":[],"
	     "\"environment\":{}}}}",
	     NS_PERM_START},
	    {"{\"request\":{\"start\":{\"container\":\"a:0.0.1\",\"init\":\"/x\",\"arguments\":[],"
	     "\"environment\":{}}}}",
	     NS_PERM_START_COMMAND},
	    {"{\"request\":{\"start\":{\"container\":\"a:0.0.1\",\"init\":null,\"arguments\":[\"\"]"
	     ","
	     "\"environment\":{}}}}",
	     NS_PERM_START_COMMAND},
	    {"{\"request\":{\"start\":{\"container\":\"a:0.0.1\",\"init\":null,\"arguments\":[],"
	     "\"environment\":{\"A\":\"\"}}}}",
	     NS_PERM_START_COMMAND},
	    {"{\"request\":{\"token_create\":{\"target\":\"b\",\"shared\":\"\"}}}",
	     NS_PERM_TOKEN_CREATE},
	    {"{\"request\":{\"token_verify\":{\"token\":\"" TOKEN_B64 "\",\"user\":\"c\","
	     "\"shared\":\"\"}}}",
	     NS_PERM_TOKEN_VERIFICATION},
	    {"{\"request\":{\"uninstall\":{\"container\":\"a:0.0.1\",\"wipe\":true}}}",
	     NS_PERM_UNINSTALL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ns_err err = {0};
		struct ns_console_request r;
		CHECK_OK(ns_console_decode_request(cases[i].line, strlen(cases[i].line), &r, &err),
			 &err);
		CHECK_INT(ns_console_request_perm(&r), cases[i].perm);
		uint32_t only = 1u << cases[i].perm;
		CHECK(ns_console_request_permitted(only, &r));
		CHECK(ns_console_request_permitted(NS_PERM_FULL, &r));
		/* every other permission together is not enough */
		CHECK(!ns_console_request_permitted(NS_PERM_FULL & ~only, &r));
		ns_console_request_free(&r);
	}
	/* start_command does not imply start, nor the reverse */
	struct ns_console_request plain = {.kind = NS_REQ_START};
	CHECK(!ns_console_request_permitted(1u << NS_PERM_START_COMMAND, &plain));
	CHECK(ns_console_subscribe_permitted(1u << NS_PERM_NOTIFICATIONS));
	CHECK(!ns_console_subscribe_permitted(NS_PERM_FULL & ~(1u << NS_PERM_NOTIFICATIONS)));
	return 0;
}

/* Building requests by hand, as nstar does. */
static int test_encode_built_requests(void)
{
	struct ns_err err = {0};
	const char *args[] = {"-v", "--x=1"};
	struct ns_kv env[] = {{"DEBUG", "1"}, {"PATH", "/bin"}};
	struct ns_console_request r = {.kind = NS_REQ_START,
				       .container = test_id("hello-world", 0, 0, 1),
				       .init = "<INIT>",
				       .arguments = args,
				       .narguments = 2,
				       .environment = env,
				       .nenvironment = 2};
	char *s = ns_console_encode_request(&r, &err);
	CHECK_STR(s, "{\"request\":{\"start\":{\"container\":\"hello-world:0.0.1\",\"init\":"
		     "\"<INIT>\",\"arguments\":[\"-v\",\"--x=1\"],\"environment\":{\"DEBUG\":\"1\","
		     "\"PATH\":\"/bin\"}}}}");
	free(s);

	/* what Northstar could not decode is refused with the field named */
	env[1].key = "DEBUG";
	CHECK(!ns_console_encode_request(&r, &err));
	CHECK(strstr(err.msg, "duplicate key \"DEBUG\""));
	env[1].key = "PATH";
	args[1] = "\xff";
	CHECK(!ns_console_encode_request(&r, &err));
	CHECK(strstr(err.msg, "arguments: not valid UTF-8"));
	args[1] = "ok";
	r.container = test_id("bad/name", 1, 0, 0);
	CHECK(!ns_console_encode_request(&r, &err));
	CHECK(strstr(err.msg, "request start: container: invalid container name"));

	struct ns_console_request t = {.kind = NS_REQ_TOKEN_CREATE, .target = "a:b"};
	CHECK(!ns_console_encode_request(&t, &err));
	CHECK(strstr(err.msg, "target: invalid container name"));
	t.target = "server";
	t.shared = (const uint8_t *)"hello!";
	t.shared_len = 6;
	s = ns_console_encode_request(&t, &err);
	CHECK_STR(
	    s, "{\"request\":{\"token_create\":{\"target\":\"server\",\"shared\":\"aGVsbG8h\"}}}");
	free(s);

	struct ns_console_request bad = {.kind = NS_REQ_COUNT};
	CHECK(!ns_console_encode_request(&bad, &err));
	CHECK(strstr(err.msg, "unknown kind"));
	return 0;
}

NS_TEST_MAIN(T(test_spec_requests_roundtrip), T(test_request_fields), T(test_request_lenient_forms),
	     T(test_handshake), T(test_version_rule), T(test_permissions),
	     T(test_encode_built_requests))
