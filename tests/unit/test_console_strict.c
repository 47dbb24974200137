/* Hostile input to the console decoders: every refusal names the problem and where. */
#include <errno.h>

#include "console_util.h"
#include "libns/jsonstrict.h"
#include "libns/utf8.h"

#define KILL(sig)     "{\"request\":{\"kill\":{\"container\":\"a:1.0.0\",\"signal\":" sig "}}}"
#define INSTALL(size) "{\"request\":{\"install\":{\"repository\":\"r\",\"size\":" size "}}}"
#define REPO(s)	      "{\"request\":{\"install\":{\"repository\":\"" s "\",\"size\":1}}}"

static int test_bad_json(void)
{
	CHECK_REFUSED("", "empty line");
	CHECK_REFUSED(" \r", "empty line");
	CHECK_REFUSED("{", "invalid JSON at byte");
	CHECK_REFUSED("{\"request\":\"list\",}", "invalid JSON");
	CHECK_REFUSED("{\"request\" \"list\"}", "invalid JSON");
	CHECK_REFUSED("[\"list\",]", "invalid JSON");
	CHECK_REFUSED("{\"request\":\"list\"} x", "unexpected character at byte 19");
	CHECK_REFUSED("{\"request\":\"list\"} {}",
		      "trailing characters after the JSON value at byte 19");
	CHECK_REFUSED("{\"request\":'list'}", "unexpected character at byte 11");
	CHECK_REFUSED("{\"request\":\"list\"]", "invalid JSON");
	CHECK_REFUSED("]", "unbalanced bracket at byte 0");
	CHECK_REFUSED("{\"request\":\"li\\st\"}", "invalid escape in string at byte 14");
	CHECK_REFUSED("{\"request\":\"list}", "unterminated string at byte 11");
	CHECK_REFUSED("{\"request\":tru}", "unexpected character");
	/* cJSON skips every byte <= 0x20 as whitespace; JSON allows four */
	CHECK_REFUSED("{\x01\"request\":\"list\"}", "unexpected character at byte 1");
	CHECK_REFUSED("\xef\xbb\xbf{\"request\":\"list\"}", "unexpected character at byte 0");
	CHECK_REFUSED("[]", "message: expected a JSON object, got an array");
	CHECK_REFUSED("\"list\"", "expected a JSON object, got a string");
	return 0;
}

static int test_bad_numbers(void)
{
	CHECK_REFUSED(KILL("1.5"), "request.kill.signal: expected an integer, got 1.5");
	CHECK_REFUSED(KILL("15.0"), "request.kill.signal: expected an integer, got 15.0");
	CHECK_REFUSED(KILL("1e1"), "request.kill.signal: expected an integer, got 1e1");
	CHECK_REFUSED(KILL("-0"), "request.kill.signal: expected an integer, got -0");
	CHECK_REFUSED(KILL("2147483648"), "request.kill.signal: 2147483648 is out of range "
					  "-2147483648..2147483647");
	CHECK_REFUSED(KILL("-2147483649"), "out of range");
	CHECK_REFUSED(KILL("\"15\""), "request.kill.signal: expected an integer, got a string");
	CHECK_REFUSED(KILL("null"), "request.kill.signal: expected an integer, got null");
	CHECK_REFUSED(KILL("015"), "number with a leading zero");
	CHECK_REFUSED(KILL("+15"), "unexpected character");
	CHECK_REFUSED(KILL("1."), "invalid number");
	CHECK_REFUSED(KILL(".5"), "unexpected character");
	CHECK_REFUSED(KILL("1e"), "invalid number");
	CHECK_REFUSED(KILL("-"), "invalid number");
	CHECK_REFUSED(INSTALL("-1"),
		      "request.install.size: -1 is out of range 0..18446744073709551615");
	CHECK_REFUSED(INSTALL("18446744073709551616"), "request.install.size: 18446744073709551616 "
						       "is out of range");
	CHECK_REFUSED(INSTALL("1e400"), "request.install.size: expected an integer, got 1e400");
	CHECK_REFUSED(INSTALL("99999999999999999999999999999999"), "out of range");
	/* exact beyond 2^53, where a double would round */
	struct ns_err err = {0};
	struct ns_console_request r;
	const char *l = INSTALL("9007199254740993");
	CHECK_OK(ns_console_decode_request(l, strlen(l), &r, &err), &err);
	CHECK(r.size == 9007199254740993ull);
	ns_console_request_free(&r);
	return 0;
}

static int test_bad_strings(void)
{
	CHECK_REFUSED(REPO("\xff"), "invalid UTF-8 at byte 37");
	CHECK_REFUSED(REPO("\xc0\xaf"), "invalid UTF-8");	  /* overlong '/' */
	CHECK_REFUSED(REPO("\xed\xa0\x80"), "invalid UTF-8");	  /* a surrogate */
	CHECK_REFUSED(REPO("\xf4\x90\x80\x80"), "invalid UTF-8"); /* above U+10FFFF */
	CHECK_REFUSED(REPO("\xe2\x82"), "invalid UTF-8");	  /* truncated */
	CHECK_REFUSED(REPO("a\\u0000b"), "NUL (\\u0000) in string at byte 38");
	CHECK_REFUSED(REPO("\\ud800"), "unpaired surrogate escape");
	CHECK_REFUSED(REPO("\\udc00\\ud800"), "unpaired surrogate escape");
	CHECK_REFUSED(REPO("\\ud800\\u0041"), "unpaired surrogate escape");
	CHECK_REFUSED(REPO("\\u12"), "invalid \\u escape");
	CHECK_REFUSED(REPO("tab\there"), "control character in string at byte 40");
	CHECK_REFUSED("\xff", "invalid UTF-8 at byte 0");
	/* NUL bytes: in a string, and after the object */
	static const char nul_in[] =
	    "{\"request\":{\"install\":{\"repository\":\"a\0b\",\"size\":1}}}";
	CHECK(refuse_request(nul_in, sizeof(nul_in) - 1, "NUL byte in string at byte 38") == 0);
	static const char nul_after[] = "{\"request\":\"list\"}\0";
	CHECK(refuse_request(nul_after, sizeof(nul_after) - 1, "NUL byte at byte 18") == 0);
	return 0;
}

static int test_bad_structure(void)
{
	char deep[300];
	size_t n = 0;
	n += (size_t)snprintf(deep, sizeof(deep), "{\"request\":{\"kill\":{\"x\":");
	for (int i = 0; i < 70; i++)
		deep[n++] = '[';
	for (int i = 0; i < 70; i++)
		deep[n++] = ']';
	n += (size_t)snprintf(deep + n, sizeof(deep) - n, "}}}");
	CHECK(refuse_request(deep, n, "nesting deeper than 64 at byte") == 0);

	/* a flat line with more values than a message ever needs */
	size_t big = 40000 * 2 + 100;
	char *many = malloc(big);
	CHECK(many);
	n = (size_t)snprintf(many, big, "{\"request\":\"list\",\"x\":[");
	for (int i = 0; i < 40000; i++)
		n += (size_t)snprintf(many + n, big - n, "0,");
	n += (size_t)snprintf(many + n - 1, big - n + 1, "]}") - 1;
	int r = refuse_request(many, n, "more than 32768 JSON values and keys at byte");
	free(many);
	CHECK(r == 0);

	CHECK_REFUSED("{\"request\":\"frobnicate\"}", "request: unknown variant \"frobnicate\"");
	CHECK_REFUSED("{\"request\":\"List\"}", "request: unknown variant \"List\"");
	CHECK_REFUSED("{\"request\":{\"frob\":{}}}", "request: unknown variant \"frob\"");
	CHECK_REFUSED("{\"request\":{\"list\":null,\"ident\":null}}",
		      "request: expected a variant name or an object with one key");
	CHECK_REFUSED("{\"request\":{}}",
		      "request: expected a variant name or an object with one key");
	CHECK_REFUSED("{\"request\":7}",
		      "request: expected a variant name or an object with one key, "
		      "got a number");
	CHECK_REFUSED("{\"request\":{\"list\":null}}", "request: variant \"list\" takes no value");
	CHECK_REFUSED("{\"request\":\"kill\"}", "request.kill: expected an object with the fields");
	CHECK_REFUSED("{\"request\":{\"kill\":[\"a:1.0.0\",9]}}",
		      "request.kill: expected an object, got an array");
	CHECK_REFUSED("{\"request\":{\"kill\":{\"container\":\"a:1.0.0\"}}}",
		      "request.kill: missing field \"signal\"");
	CHECK_REFUSED(
	    "{\"request\":{\"kill\":{\"container\":\"a:1.0.0\",\"signal\":9,\"signal\":1}}}",
	    "duplicate key \"signal\" in $.request.kill");
	CHECK_REFUSED("{\"request\":\"list\",\"request\":\"list\"}",
		      "duplicate key \"request\" in $");
	CHECK_REFUSED("{\"request\":\"list\",\"response\":\"shutdown\"}",
		      "both \"request\" and \"response\"");
	CHECK_REFUSED("{\"hello\":1}", "no \"connect\"");
	CHECK_REFUSED("{\"connect_ack\":null}", "expected a request, got a connect_ack");
	CHECK_REFUSED("{\"response\":\"shutdown\"}", "expected a request, got a response");
	CHECK_REFUSED("{\"request\":{\"start\":{\"container\":\"a:1.0.0\",\"environment\":{}}}}",
		      "request.start: missing field \"arguments\"");
	CHECK_REFUSED("{\"request\":{\"start\":{\"container\":\"a:1.0.0\",\"arguments\":[]}}}",
		      "request.start: missing field \"environment\"");
	CHECK_REFUSED(
	    "{\"request\":{\"start\":{\"container\":\"a:1.0.0\",\"init\":1,\"arguments\":[],"
	    "\"environment\":{}}}}",
	    "request.start.init: expected a string, got a number");
	CHECK_REFUSED("{\"request\":{\"start\":{\"container\":\"a:1.0.0\",\"arguments\":[\"x\",2],"
		      "\"environment\":{}}}}",
		      "request.start.arguments[1]: expected a string, got a number");
	CHECK_REFUSED("{\"request\":{\"start\":{\"container\":\"a:1.0.0\",\"arguments\":{},"
		      "\"environment\":{}}}}",
		      "request.start.arguments: expected an array, got an object");
	CHECK_REFUSED("{\"request\":{\"start\":{\"container\":\"a:1.0.0\",\"arguments\":[],"
		      "\"environment\":{\"A\":1}}}}",
		      "request.start.environment.A: expected a string, got a number");
	CHECK_REFUSED("{\"request\":{\"start\":{\"container\":\"a:1.0.0\",\"arguments\":[],"
		      "\"environment\":[]}}}",
		      "request.start.environment: expected an object, got an array");
	CHECK_REFUSED("{\"request\":{\"uninstall\":{\"container\":\"a:1.0.0\",\"wipe\":\"yes\"}}}",
		      "request.uninstall.wipe: expected a boolean, got a string");
	CHECK_REFUSED("{\"request\":{\"uninstall\":{\"container\":\"a:1.0.0\"}}}",
		      "request.uninstall: missing field \"wipe\"");
	return 0;
}

static int test_bad_ids_and_tokens(void)
{
	CHECK_REFUSED(
	    "{\"request\":{\"inspect\":{\"container\":\"hello\"}}}",
	    "request.inspect.container: invalid container id 'hello': missing container version");
	CHECK_REFUSED(
	    "{\"request\":{\"inspect\":{\"container\":\"a:1.0\"}}}",
	    "request.inspect.container: invalid container id 'a:1.0': invalid container version");
	CHECK_REFUSED("{\"request\":{\"inspect\":{\"container\":\"a:v1.0.0\"}}}",
		      "invalid container id");
	CHECK_REFUSED("{\"request\":{\"inspect\":{\"container\":\"a%:1.0.0\"}}}",
		      "invalid container id");
	CHECK_REFUSED("{\"request\":{\"inspect\":{\"container\":\":1.0.0\"}}}",
		      "invalid container id");
	CHECK_REFUSED("{\"request\":{\"mount\":{\"containers\":[\"a:1.0.0\",\"b\"]}}}",
		      "request.mount.containers[1]: invalid container id 'b'");
	CHECK_REFUSED("{\"request\":{\"token_create\":{\"target\":\"a:1.0.0\",\"shared\":\"\"}}}",
		      "request.token_create.target: invalid container name \"a:1.0.0\"");
	CHECK_REFUSED("{\"request\":{\"token_create\":{\"target\":\"\",\"shared\":\"\"}}}",
		      "request.token_create.target: invalid container name");
	CHECK_REFUSED("{\"request\":{\"token_create\":{\"target\":\"b\",\"shared\":\"abc\"}}}",
		      "request.token_create.shared: not canonical padded base64");
	CHECK_REFUSED("{\"request\":{\"token_create\":{\"target\":\"b\",\"shared\":\"aGVsbG8\"}}}",
		      "not canonical padded base64");
	CHECK_REFUSED(
	    "{\"request\":{\"token_create\":{\"target\":\"b\",\"shared\":\"aGVs\\nbG8h\"}}}",
	    "not canonical padded base64");
	CHECK_REFUSED("{\"request\":{\"token_create\":{\"target\":\"b\",\"shared\":\"aGVsbG9=\"}}}",
		      "not canonical padded base64"); /* stray bits in the last symbol */
	CHECK_REFUSED("{\"request\":{\"token_create\":{\"target\":\"b\",\"shared\":\"a===\"}}}",
		      "not canonical padded base64");
	/* 39 and 41 bytes */
	CHECK_REFUSED(
	    "{\"request\":{\"token_verify\":{\"token\":\"AAAAAAAAAAUAAQIDBAUGBwgJCgsMDQ4PEBES"
	    "ExQVFhcYGRobHB0e\",\"user\":\"c\",\"shared\":\"\"}}}",
	    "request.token_verify.token: a token has 40 bytes, got 39");
	CHECK_REFUSED(
	    "{\"request\":{\"token_verify\":{\"token\":\"AAAAAAAAAAUAAQIDBAUGBwgJCgsMDQ4PEBES"
	    "ExQVFhcYGRobHB0eHyA=\",\"user\":\"c\",\"shared\":\"\"}}}",
	    "a token has 40 bytes, got 41");
	CHECK_REFUSED(
	    "{\"request\":{\"token_verify\":{\"token\":\"!!!\",\"user\":\"c\",\"shared\":\"\"}}}",
	    "request.token_verify.token: not canonical padded base64");
	return 0;
}

/* The lexer refuses what serde_json refuses and lets valid JSON through unchanged. */
static int test_strict_parser(void)
{
	struct ns_err err = {0};
	cJSON *j;
	const struct ns_json_limits lim8 = {8, 10000}, lim2 = {2, 10000}, few = {8, 5};
	const char *ok = " {\"a\":[1,-2,3.5e-1,true,false,null,\"\\u00e9\\t\"],\"b\":{}}\n";
	CHECK_OK(ns_json_parse_strict(ok, strlen(ok), &lim8, &j, &err), &err);
	uint64_t u;
	int64_t i;
	const cJSON *a = cJSON_GetObjectItem(j, "a");
	CHECK_INT(ns_json_exact_u64(cJSON_GetArrayItem(a, 0), 10, &u), 0);
	CHECK_INT(u, 1);
	CHECK_INT(ns_json_exact_u64(cJSON_GetArrayItem(a, 0), 0, &u), -ERANGE);
	CHECK_INT(ns_json_exact_u64(cJSON_GetArrayItem(a, 1), 10, &u), -ERANGE);
	CHECK_INT(ns_json_exact_i64(cJSON_GetArrayItem(a, 1), -2, 0, &i), 0);
	CHECK_INT(i, -2);
	CHECK_INT(ns_json_exact_i64(cJSON_GetArrayItem(a, 2), -9, 9, &i), -EINVAL);
	CHECK_INT(ns_json_exact_i64(cJSON_GetArrayItem(a, 3), -9, 9, &i), -EINVAL);
	CHECK_STR(cJSON_GetArrayItem(a, 6)->valuestring, "\xc3\xa9\t");
	cJSON_Delete(j);
	/* tokens are values and keys: [1,2,3,4] holds five */
	CHECK_OK(ns_json_parse_strict("[1,2,3,4]", 9, &few, &j, &err), &err);
	cJSON_Delete(j);
	CHECK_FAIL(ns_json_parse_strict("[1,2,3,4,5]", 11, &few, &j, &err), &err,
		   "more than 5 JSON values and keys at byte 9");
	CHECK_FAIL(ns_json_parse_strict("[[[]]]", 6, &lim2, &j, &err), &err,
		   "nesting deeper than 2");
	CHECK_OK(ns_json_parse_strict("[[]]", 4, &lim2, &j, &err), &err);
	cJSON_Delete(j);
	CHECK_FAIL(ns_json_parse_strict("{\"x\":[{\"k\":1,\"j\":2,\"k\":3}]}", 27, &lim8, &j, &err),
		   &err, "duplicate key \"k\" in $.x[0]");
	/* a wide object with a duplicate at the end */
	char wide[20000];
	size_t n = (size_t)snprintf(wide, sizeof(wide), "{");
	for (int k = 0; k < 1000; k++)
		n += (size_t)snprintf(wide + n, sizeof(wide) - n, "\"k%d\":%d,", k, k);
	n += (size_t)snprintf(wide + n, sizeof(wide) - n, "\"k5\":0}");
	CHECK_FAIL(ns_json_parse_strict(wide, n, &lim8, &j, &err), &err,
		   "duplicate key \"k5\" in $");
	return 0;
}

static int test_utf8(void)
{
	CHECK(ns_utf8_valid("h\xc3\xa9\xe2\x82\xac\xf0\x9f\x9a\x80", 10));
	CHECK(!ns_utf8_valid("\x80", 1));
	CHECK(!ns_utf8_valid("\xe0\x80\x80", 3)); /* overlong */
	CHECK(!ns_utf8_valid("\xf5\x80\x80\x80", 4));
	char *s = ns_utf8_lossy("a\xe2\x82z\xff");
	/* a maximal invalid subpart becomes one U+FFFD, as in Rust's from_utf8_lossy */
	CHECK_STR(s, "a\xef\xbf\xbdz\xef\xbf\xbd");
	free(s);
	return 0;
}

NS_TEST_MAIN(T(test_bad_json), T(test_bad_numbers), T(test_bad_strings), T(test_bad_structure),
	     T(test_bad_ids_and_tokens), T(test_strict_parser), T(test_utf8))
