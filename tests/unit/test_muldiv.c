#include <errno.h>

#include "libns/muldiv.h"
#include "testlib.h"

static int md_ok(uint64_t a, uint64_t b, uint64_t c, bool up, uint64_t want)
{
	uint64_t v = 0;
	int r = ns_muldiv64(a, b, c, up, &v);
	if (r != 0 || v != want) {
		fprintf(stderr, "  %llu * %llu / %llu (%s): r=%d v=%llu want %llu\n",
			(unsigned long long)a, (unsigned long long)b, (unsigned long long)c,
			up ? "up" : "down", r, (unsigned long long)v, (unsigned long long)want);
		return 0;
	}
	return 1;
}

static int test_known_answers(void)
{
	CHECK(md_ok(0, 5, 7, false, 0));
	CHECK(md_ok(6, 7, 3, false, 14));
	CHECK(md_ok(7, 1, 2, false, 3));
	CHECK(md_ok(7, 1, 2, true, 4));
	CHECK(md_ok(6, 1, 2, true, 3));
	/* the products overflow 64 bits, the quotients do not */
	CHECK(md_ok(UINT64_MAX, UINT64_MAX, UINT64_MAX, false, UINT64_MAX));
	CHECK(md_ok(1ull << 63, 4, 8, false, 1ull << 62));
	CHECK(md_ok(950000, 1000000000000ull, 1000000, true, 950000000000ull));
	CHECK(md_ok(999999999999999999ull, 1ull << 60, 1000000000000000000ull, false,
		    1152921504606846974ull));
	CHECK(md_ok(20000, 1000000, 100000, true, 200000));
	CHECK(md_ok(1, 1, 3, true, 1));
	CHECK(md_ok(0xffffffffffffull, 0x1000000000ull, 0x10000000000ull, false,
		    0xffffffffffffull >> 4));
	return 0;
}

static int test_errors(void)
{
	uint64_t v = 42;
	CHECK_INT(ns_muldiv64(1, 1, 0, false, &v), -EINVAL);
	CHECK_INT(ns_muldiv64(UINT64_MAX, 2, 1, false, &v), -ERANGE);
	CHECK_INT(ns_muldiv64(1ull << 32, 1ull << 32, 1, false, &v), -ERANGE);
	CHECK_INT(ns_muldiv64(UINT64_MAX, 3, 2, false, &v), -ERANGE);
	CHECK_INT(v, 42);
	return 0;
}

#ifdef __SIZEOF_INT128__
/* On hosts that have it, the 128-bit type is an oracle (the library never uses it). */
static int test_against_wide_type(void)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;
	for (int i = 0; i < 200000; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		uint64_t a = x, b = x * 0x2545f4914f6cdd1dull >> (i % 64), c = (x >> (i % 61)) | 1;
		unsigned __int128 p = (unsigned __int128)a * b;
		unsigned __int128 q = p / c + (i & 1 && p % c ? 1 : 0);
		uint64_t v;
		int r = ns_muldiv64(a, b, c, i & 1, &v);
		if (q >> 64)
			CHECK_INT(r, -ERANGE);
		else if (r != 0 || v != (uint64_t)q) {
			fprintf(stderr, "  case %d differs\n", i);
			return NS_TEST_FAIL;
		}
	}
	return 0;
}
#else
static int test_against_wide_type(void)
{
	return ns_test_skip("no 128-bit type on this target to compare with");
}
#endif

NS_TEST_MAIN(T(test_known_answers), T(test_errors), T(test_against_wide_type))
