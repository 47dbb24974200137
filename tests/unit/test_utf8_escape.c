/* ns_utf8_escape (libns/utf8.c): container text made safe for a log line on a terminal
 * (issue 14, item 11). Every control character, C1 code point, line separator, bidi
 * override and invalid byte becomes a visible escape; everything else is unchanged. */
#include "libns/utf8.h"
#include "testlib.h"

static const char *esc(const char *s, size_t len)
{
	static char out[NS_UTF8_ESCAPE_MAX(256)];
	ns_utf8_escape(s, len, out, sizeof(out));
	return out;
}
#define E(lit) esc(lit, sizeof(lit) - 1)

static int test_c0_and_del(void)
{
	CHECK_STR(E("\rINFO  northstard: forged"), "\\rINFO  northstard: forged");
	CHECK_STR(E("a\nb"), "a\\nb");
	CHECK_STR(E("\x1b[2J\x1b]0;title\x07"), "\\x1b[2J\\x1b]0;title\\x07");
	CHECK_STR(E("tab\tkept"), "tab\tkept");
	CHECK_STR(E("\x7f\x08\x0b\x0c\x1f"), "\\x7f\\x08\\x0b\\x0c\\x1f");
	/* a NUL inside the line is escaped too, and does not end it */
	CHECK_STR(esc("a\0b", 3), "a\\x00b");
	return 0;
}

static int test_c1_separators_bidi(void)
{
	CHECK_STR(E("\xc2\x85next"), "\\u0085next"); /* NEL */
	CHECK_STR(E("\xc2\x9b"
		    "31m"),
		  "\\u009b31m"); /* CSI */
	CHECK_STR(E("\xc2\x80\xc2\x9f"), "\\u0080\\u009f");
	CHECK_STR(E("a\xe2\x80\xa8"
		    "b\xe2\x80\xa9"),
		  "a\\u2028b\\u2029");
	CHECK_STR(E("\xe2\x80\xae"
		    "cba"),
		  "\\u202ecba"); /* RLO */
	CHECK_STR(E("\xe2\x81\xa6x\xe2\x81\xa9"), "\\u2066x\\u2069");
	return 0;
}

static int test_invalid_bytes(void)
{
	CHECK_STR(E("\xff"), "\\xff");
	CHECK_STR(E("\x80"), "\\x80");
	CHECK_STR(E("\xc0\xaf"), "\\xc0\\xaf");		 /* overlong '/' */
	CHECK_STR(E("\xed\xa0\x80"), "\\xed\\xa0\\x80"); /* surrogate */
	CHECK_STR(E("\xe2\x82"), "\\xe2\\x82");		 /* cut sequence at the end */
	CHECK_STR(E("\xe2\x82x"), "\\xe2\\x82x");
	CHECK_STR(E("\xc2\x1b"), "\\xc2\\x1b"); /* a control byte never hides in a sequence */
	return 0;
}

static int test_unchanged(void)
{
	const char *ok =
	    "plain ASCII, a \\x1b backslash, caf\xc3\xa9, \xe2\x82\xac, \xf0\x9f\x98\x80";
	CHECK_STR(esc(ok, strlen(ok)), ok);
	CHECK_STR(E("\xc2\xa0nbsp"), "\xc2\xa0nbsp"); /* U+00A0 is printable */
	CHECK_STR(E(""), "");
	return 0;
}

/* A short buffer cuts between escapes and sequences, never inside one. */
static int test_truncation(void)
{
	char out[8];
	CHECK_INT(ns_utf8_escape("ab\x1b"
				 "cd",
				 5, out, sizeof(out)),
		  7);
	CHECK_STR(out, "ab\\x1bc");
	CHECK_INT(ns_utf8_escape("abcde\x1b", 6, out, sizeof(out)), 5);
	CHECK_STR(out, "abcde");
	CHECK_INT(ns_utf8_escape("abcdef\xc3\xa9", 8, out, sizeof(out)), 6);
	CHECK_STR(out, "abcdef");
	CHECK_INT(ns_utf8_escape("x", 1, out, 1), 0);
	CHECK_STR(out, "");
	/* the worst case fits NS_UTF8_ESCAPE_MAX */
	char in[64], big[NS_UTF8_ESCAPE_MAX(64)];
	memset(in, 0xff, sizeof(in));
	CHECK_INT(ns_utf8_escape(in, sizeof(in), big, sizeof(big)), 4 * 64);
	return 0;
}

NS_TEST_MAIN(T(test_c0_and_del), T(test_c1_separators_bidi), T(test_invalid_bytes),
	     T(test_unchanged), T(test_truncation))
