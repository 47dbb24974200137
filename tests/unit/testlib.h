/* A tiny TAP unit-test harness: each test returns 0 (pass), NS_TEST_FAIL, or
 * ns_test_skip("why"). tests/run.sh counts the TAP lines. */
#ifndef NS_TESTLIB_H
#define NS_TESTLIB_H

#include <stdio.h>
#include <string.h>

#include "libns/err.h"

#define NS_TEST_FAIL 1
#define NS_TEST_SKIP 77

struct ns_test {
	const char *name;
	int (*fn)(void);
};

#define T(fn)                                                                                      \
	{                                                                                          \
#fn, fn                                                                            \
	}

int ns_test_run(const struct ns_test *tests, size_t n, int argc, char **argv);
int ns_test_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A fresh temporary directory, removed with its contents at exit. */
const char *ns_test_tmpdir(void);
/* Writes a file under the temporary directory and returns its path (static buffer
 * per call site is not needed: the result is strdup'ed and freed at exit). */
const char *ns_test_write(const char *name, const void *data, size_t len);

#define NS_TEST_MAIN(...)                                                                          \
	int main(int argc, char **argv)                                                            \
	{                                                                                          \
		static const struct ns_test tests_[] = {__VA_ARGS__};                              \
		return ns_test_run(tests_, sizeof(tests_) / sizeof(tests_[0]), argc, argv);        \
	}

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
			return NS_TEST_FAIL;                                                       \
		}                                                                                  \
	} while (0)

#define CHECK_STR(a, b)                                                                            \
	do {                                                                                       \
		const char *a_ = (a), *b_ = (b);                                                   \
		if (!a_ || !b_ || strcmp(a_, b_) != 0) {                                           \
			fprintf(stderr, "  %s:%d: '%s' != '%s'\n", __FILE__, __LINE__,             \
				a_ ? a_ : "(null)", b_ ? b_ : "(null)");                           \
			return NS_TEST_FAIL;                                                       \
		}                                                                                  \
	} while (0)

#define CHECK_INT(a, b)                                                                            \
	do {                                                                                       \
		long long a_ = (long long)(a), b_ = (long long)(b);                                \
		if (a_ != b_) {                                                                    \
			fprintf(stderr, "  %s:%d: %s == %lld, expected %lld\n", __FILE__,          \
				__LINE__, #a, a_, b_);                                             \
			return NS_TEST_FAIL;                                                       \
		}                                                                                  \
	} while (0)

/* expr must succeed (>= 0); on failure prints err's message. */
#define CHECK_OK(expr, err)                                                                        \
	do {                                                                                       \
		if ((expr) < 0) {                                                                  \
			fprintf(stderr, "  %s:%d: %s failed: %s\n", __FILE__, __LINE__, #expr,     \
				(err)->msg);                                                       \
			return NS_TEST_FAIL;                                                       \
		}                                                                                  \
	} while (0)

/* expr must fail, and err's message must contain needle. */
#define CHECK_FAIL(expr, err, needle)                                                              \
	do {                                                                                       \
		ns_err_clear(err);                                                                 \
		if ((expr) >= 0) {                                                                 \
			fprintf(stderr, "  %s:%d: %s unexpectedly succeeded\n", __FILE__,          \
				__LINE__, #expr);                                                  \
			return NS_TEST_FAIL;                                                       \
		}                                                                                  \
		if (!strstr((err)->msg, (needle))) {                                               \
			fprintf(stderr, "  %s:%d: error '%s' lacks '%s'\n", __FILE__, __LINE__,    \
				(err)->msg, (needle));                                             \
			return NS_TEST_FAIL;                                                       \
		}                                                                                  \
	} while (0)

#endif
