#include <errno.h>

#include "libns/units.h"
#include "testlib.h"

static int size_ok(const char *s, int frac, unsigned long long want)
{
	uint64_t v = 0;
	int r = ns_parse_size(s, frac, &v);
	if (r != 0 || v != want) {
		fprintf(stderr, "  size '%s': r=%d v=%llu want %llu\n", s, r, (unsigned long long)v,
			want);
		return 0;
	}
	return 1;
}

static int test_sizes(void)
{
	CHECK(size_ok("100", 0, 100));
	CHECK(size_ok("100kB", 0, 100000));
	CHECK(size_ok("100MB", 0, 100000000));
	CHECK(size_ok("100GB", 0, 100000000000ull));
	CHECK(size_ok("20M", 0, 20000000));
	CHECK(size_ok("1 GiB", 0, 1ull << 30));
	CHECK(size_ok("1MiB", 0, 1 << 20));
	CHECK(size_ok("1ki", 0, 1024));
	CHECK(size_ok(" 7 b ", 0, 7));
	CHECK(size_ok("1.5MiB", 1, 3 << 19));
	CHECK(size_ok("1e", 0, 1000000000000000000ull));
	return 0;
}

static int test_bad_sizes(void)
{
	uint64_t v;
	CHECK_INT(ns_parse_size("", 0, &v), -EINVAL);
	CHECK_INT(ns_parse_size("MB", 0, &v), -EINVAL);
	CHECK_INT(ns_parse_size("-1", 0, &v), -EINVAL);
	CHECK_INT(ns_parse_size("1.5MB", 0, &v), -EINVAL);
	CHECK_INT(ns_parse_size("10 parsecs", 0, &v), -EINVAL);
	CHECK_INT(ns_parse_size("1 MB x", 0, &v), -EINVAL);
	CHECK_INT(ns_parse_size("20eib", 0, &v), -ERANGE);
	CHECK_INT(ns_parse_size("99999999999999999999", 0, &v), -ERANGE);
	return 0;
}

static int test_durations(void)
{
	uint64_t v;
	CHECK_INT(ns_parse_duration("5s", &v), 0);
	CHECK_INT(v, 5000000000ull);
	CHECK_INT(ns_parse_duration("1m", &v), 0);
	CHECK_INT(v, 60000000000ull);
	CHECK_INT(ns_parse_duration("100ms", &v), 0);
	CHECK_INT(v, 100000000ull);
	CHECK_INT(ns_parse_duration("1h 30m", &v), 0);
	CHECK_INT(v, 5400000000000ull);
	CHECK_INT(ns_parse_duration("2days", &v), 0);
	CHECK_INT(v, 172800000000000ull);
	CHECK_INT(ns_parse_duration("10 sec", &v), 0);
	CHECK_INT(v, 10000000000ull);
	CHECK_INT(ns_parse_duration("", &v), -EINVAL);
	CHECK_INT(ns_parse_duration("5", &v), -EINVAL);
	CHECK_INT(ns_parse_duration("5 parsecs", &v), -EINVAL);
	CHECK_INT(ns_parse_duration("1.5s", &v), -EINVAL);
	CHECK_INT(ns_parse_duration("-5s", &v), -EINVAL);
	CHECK_INT(ns_parse_duration("99999999999y", &v), -ERANGE);
	return 0;
}

static int test_format_duration(void)
{
	char buf[128];
	ns_format_duration(63012004007ull, buf, sizeof(buf));
	CHECK_STR(buf, "1m 3s 12ms 4us 7ns");
	ns_format_duration(0, buf, sizeof(buf));
	CHECK_STR(buf, "0s");
	ns_format_duration(86400000000000ull * 2 + 1000000000ull, buf, sizeof(buf));
	CHECK_STR(buf, "2days 1s");
	return 0;
}

NS_TEST_MAIN(T(test_sizes), T(test_bad_sizes), T(test_durations), T(test_format_duration))
