#include <errno.h>

#include "libns/version.h"
#include "testlib.h"

static int test_names(void)
{
	char big[2001];
	memset(big, 'a', sizeof(big));
	CHECK(ns_name_valid("hello-world", 11));
	CHECK(ns_name_valid("foo-bar.qwerty12", 16));
	CHECK(ns_name_valid("A_b.C-9", 7));
	CHECK(ns_name_valid(big, 1024));
	CHECK(!ns_name_valid(big, 1025));
	CHECK(!ns_name_valid(big, 2000));
	CHECK(!ns_name_valid("", 0));
	CHECK(!ns_name_valid("a%", 2));
	CHECK(!ns_name_valid("^foo", 4));
	CHECK(!ns_name_valid("test*", 5));
	CHECK(!ns_name_valid("a\0b", 3));
	CHECK(!ns_name_valid("\0", 1));
	CHECK(!ns_name_valid("test/../test", 12));
	CHECK(!ns_name_valid("a:b", 3));
	CHECK(!ns_name_valid("a b", 3));
	/* stronger than Northstar: names become directory names */
	CHECK(!ns_name_valid(".", 1));
	CHECK(!ns_name_valid("..", 2));
	CHECK(ns_name_valid("...", 3));
	CHECK(ns_name_valid(".a", 2));
	return 0;
}

static int test_version_parse(void)
{
	struct ns_version v;
	char buf[64];
	CHECK_INT(ns_version_parse("0.0.1", &v), 0);
	CHECK(v.major == 0 && v.minor == 0 && v.patch == 1);
	CHECK_INT(ns_version_parse("1.2.3-rc.1+build.5", &v), 0);
	CHECK_STR(ns_version_str(&v, buf, sizeof(buf)), "1.2.3");
	CHECK_INT(ns_version_parse("1.0.0+20130313144700", &v), 0);
	CHECK_INT(ns_version_parse("1.0.0-alpha-1.0a.x-y", &v), 0);
	CHECK_INT(ns_version_parse("1.0.0-0", &v), 0);
	CHECK_INT(ns_version_parse("1.0.0+001", &v), 0); /* build may have leading zeros */
	CHECK_INT(ns_version_parse("18446744073709551615.0.0", &v), 0);
	CHECK(v.major == UINT64_MAX);
	CHECK_STR(ns_version_str(&v, buf, sizeof(buf)), "18446744073709551615.0.0");

	static const char *const bad[] = {
	    "",		 "1",	   "1.0",    "v1.0.0",	 "1.0.0.0",    "01.0.0", "1.00.0",
	    "1.0.00",	 "1.0.0-", "1.0.0+", "1.0.0-01", "1.0.0-a..b", "1.0.0 ", " 1.0.0",
	    "1.0.0-a_b", "1.0.x",  "1..0",   "-1.0.0",	 "1.0.0+b+c",  "a.b.c",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (ns_version_parse(bad[i], &v) == 0) {
			fprintf(stderr, "  '%s' parsed\n", bad[i]);
			return NS_TEST_FAIL;
		}
	}
	CHECK_INT(ns_version_parse("18446744073709551616.0.0", &v), -ERANGE);
	return 0;
}

static int test_version_order(void)
{
	static const char *const ordered[] = {"0.0.1", "0.1.0", "1.0.0", "1.1.0",
					      "1.1.1", "2.0.0", "3.0.0", "10.0.0"};
	struct ns_version a, b;
	for (size_t i = 0; i + 1 < sizeof(ordered) / sizeof(ordered[0]); i++) {
		CHECK_INT(ns_version_parse(ordered[i], &a), 0);
		CHECK_INT(ns_version_parse(ordered[i + 1], &b), 0);
		CHECK(ns_version_cmp(&a, &b) < 0);
		CHECK(ns_version_cmp(&b, &a) > 0);
		CHECK_INT(ns_version_cmp(&a, &a), 0);
	}
	/* pre-release parts are dropped, so these are equal */
	CHECK_INT(ns_version_parse("1.0.0-rc1", &a), 0);
	CHECK_INT(ns_version_parse("1.0.0", &b), 0);
	CHECK_INT(ns_version_cmp(&a, &b), 0);
	return 0;
}

/* Each row: requirement, version, whether it matches (semver 1.0 semantics). */
static const struct {
	const char *req, *ver;
	bool match;
} req_rows[] = {
    {">=0.0.1", "0.0.1", true},
    {">=0.0.2", "0.0.1", false},
    {">=0.0.2", "0.0.2", true},
    {">=0.0.3", "0.0.2", false},
    {"*", "0.0.0", true},
    {"*", "99.1.2", true},
    {"x", "1.2.3", true},
    {"^1.2.3", "1.2.3", true},
    {"^1.2.3", "1.9.0", true},
    {"^1.2.3", "1.2.2", false},
    {"^1.2.3", "2.0.0", false},
    {"^0.2.3", "0.2.9", true},
    {"^0.2.3", "0.3.0", false},
    {"^0.2.3", "0.2.2", false},
    {"^0.0.3", "0.0.3", true},
    {"^0.0.3", "0.0.4", false},
    {"^1.2", "1.2.0", true},
    {"^1.2", "1.1.9", false},
    {"^1", "1.99.0", true},
    {"^0", "0.9.9", true},
    {"^0", "1.0.0", false},
    {"^0.0", "0.0.9", true},
    {"^0.0", "0.1.0", false},
    {"1.2", "1.5.0", true}, /* default operator is caret */
    {"1.2.3", "1.2.4", true},
    {"~1.2.3", "1.2.9", true},
    {"~1.2.3", "1.3.0", false},
    {"~1.2.3", "1.2.2", false},
    {"~1.2", "1.2.0", true},
    {"~1.2", "1.3.0", false},
    {"~1", "1.9.9", true},
    {"~1", "2.0.0", false},
    {"1.*", "1.4.5", true},
    {"1.*", "2.0.0", false},
    {"1.2.*", "1.2.7", true},
    {"1.2.*", "1.3.0", false},
    {"1.X", "1.0.0", true},
    {"=1.2.3", "1.2.3", true},
    {"=1.2.3", "1.2.4", false},
    {"=1.2", "1.2.8", true},
    {"=1", "1.8.8", true},
    {">1", "1.9.9", false},
    {">1", "2.0.0", true},
    {">1.2", "1.2.9", false},
    {">1.2", "1.3.0", true},
    {">1.2.3", "1.2.4", true},
    {">1.2.3", "1.2.3", false},
    {"<1.2", "1.1.9", true},
    {"<1.2", "1.2.0", false},
    {"<=1.2", "1.2.9", true},
    {"<=1.2", "1.3.0", false},
    {"<1", "0.9.9", true},
    {"<1", "1.0.0", false},
    {">=1.0, <2", "1.5.0", true},
    {">=1.0, <2", "2.0.0", false},
    {">= 1.0 ,  < 2", "1.0.0", true},
    {"  >=1.0", "1.0.0", true},
    /* a comparator's pre-release against a release version */
    {">1.0.0-alpha", "1.0.0", true},
    {">=1.0.0-alpha", "1.0.0", true},
    {"=1.0.0-alpha", "1.0.0", false},
    {"<1.0.0-alpha", "1.0.0", false},
    {"<=1.0.0-alpha", "1.0.0", false},
    {"<1.0.0-alpha", "0.9.0", true},
    {"^1.0.0-alpha", "1.0.0", true},
    {"~1.0.0-alpha", "1.0.0", true},
    {"=1.0.0+build", "1.0.0", true},
};

static int test_req_match(void)
{
	for (size_t i = 0; i < sizeof(req_rows) / sizeof(req_rows[0]); i++) {
		struct ns_version_req req;
		struct ns_version v;
		CHECK_INT(ns_version_req_parse(req_rows[i].req, &req), 0);
		CHECK_INT(ns_version_parse(req_rows[i].ver, &v), 0);
		if (ns_version_req_matches(&req, &v) != req_rows[i].match) {
			fprintf(stderr, "  '%s' vs %s: expected %s\n", req_rows[i].req,
				req_rows[i].ver, req_rows[i].match ? "match" : "no match");
			return NS_TEST_FAIL;
		}
	}
	return 0;
}

static int test_req_str(void)
{
	static const struct {
		const char *in, *out;
	} rows[] = {
	    {">=0.0.1", ">=0.0.1"},
	    {"1.2", "^1.2"},
	    {"^1.2.3", "^1.2.3"},
	    {"*", "*"},
	    {" x ", "*"},
	    {"1.x", "1.*"},
	    {"1.2.X", "1.2.*"},
	    {">=1.*", ">=1"},
	    {"~1", "~1"},
	    {">= 1.0 ,< 2", ">=1.0, <2"},
	    {"=1.0.0-alpha+b", "=1.0.0-alpha"},
	    {"<=1.2.3-rc.1", "<=1.2.3-rc.1"},
	};
	char buf[NS_VERSION_REQ_STR_MAX];
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct ns_version_req req;
		CHECK_INT(ns_version_req_parse(rows[i].in, &req), 0);
		CHECK_STR(ns_version_req_str(&req, buf, sizeof(buf)), rows[i].out);
		/* the written form reads back to the same requirement */
		struct ns_version_req again;
		CHECK_INT(ns_version_req_parse(buf, &again), 0);
		char buf2[NS_VERSION_REQ_STR_MAX];
		CHECK_STR(ns_version_req_str(&again, buf2, sizeof(buf2)), buf);
	}
	return 0;
}

static int test_req_invalid(void)
{
	static const char *const bad[] = {
	    "",		 " ",	">",	    ">=",      "1.*.3", "1.0, *",    "*, 1.0",
	    "x1",	 "1,",	">=1.0.0-", "1.0.0.0", "a",	">=01.0",    "1.0 2.0",
	    "1.2.*-pre", "=>1", "1.2-a",    "^",       "~x",	">=1.0,,<2", "1.0.0-01",
	};
	struct ns_version_req req;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (ns_version_req_parse(bad[i], &req) == 0) {
			fprintf(stderr, "  '%s' parsed\n", bad[i]);
			return NS_TEST_FAIL;
		}
	}
	/* 32 comparators are fine, 33 are not (semver's limit) */
	char many[32 * 8 + 16] = "";
	for (int i = 0; i < 32; i++)
		strcat(many, i ? ", >=1" : ">=1");
	CHECK_INT(ns_version_req_parse(many, &req), 0);
	CHECK_INT(req.n, 32);
	strcat(many, ", >=1");
	CHECK_INT(ns_version_req_parse(many, &req), -E2BIG);
	/* pre-release text longer than we keep */
	char longpre[128] = "=1.0.0-";
	memset(longpre + 7, 'a', 70);
	CHECK(ns_version_req_parse(longpre, &req) < 0);
	return 0;
}

static int test_container_id(void)
{
	struct ns_container_id id;
	struct ns_err err;
	char buf[1200];
	CHECK_OK(ns_container_id_parse("test:0.0.1", &id, &err), &err);
	CHECK_STR(id.name, "test");
	CHECK(id.version.major == 0 && id.version.minor == 0 && id.version.patch == 1);
	CHECK_STR(ns_container_id_str(&id, buf, sizeof(buf)), "test:0.0.1");
	CHECK_OK(ns_container_id_parse("a:1.0.0-rc1", &id, &err), &err);
	CHECK_STR(ns_container_id_str(&id, buf, sizeof(buf)), "a:1.0.0");
	CHECK_FAIL(ns_container_id_parse("test", &id, &err), &err, "missing container version");
	CHECK_FAIL(ns_container_id_parse("tes%t:0.0.1", &id, &err), &err, "invalid name");
	CHECK_FAIL(ns_container_id_parse(":0.0.1", &id, &err), &err, "invalid name");
	CHECK_FAIL(ns_container_id_parse("..:0.0.1", &id, &err), &err, "invalid name");
	CHECK_FAIL(ns_container_id_parse("a:1.0", &id, &err), &err, "invalid container version");
	CHECK_FAIL(ns_container_id_parse("a:b:1.0.0", &id, &err), &err,
		   "invalid container version");
	CHECK_FAIL(ns_container_id_parse("a:v1.0.0", &id, &err), &err, "invalid container version");
	return 0;
}

NS_TEST_MAIN(T(test_names), T(test_version_parse), T(test_version_order), T(test_req_match),
	     T(test_req_str), T(test_req_invalid), T(test_container_id))
