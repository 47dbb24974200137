/* The line ring (libns/linering.c) that keeps a container's recent output for
 * `nstar logs`: an empty ring, lines that fit exactly, wrap-around of headers and text
 * over the buffer's end, eviction of the oldest lines, a line longer than the ring, and
 * clear. */
#include <errno.h>
#include <stdlib.h>

#include "libns/config.h"
#include "libns/linering.h"
#include "testlib.h"

/* The lines held, as "stream:time:text|..." (truncated ones end in '+'). */
static const char *dump(const struct ns_linering *r)
{
	static char out[8192];
	char text[2048];
	struct ns_linering_iter it;
	struct ns_linering_line l;
	size_t n = 0;
	out[0] = '\0';
	ns_linering_begin(r, &it);
	while (ns_linering_next(r, &it, &l, text, sizeof(text)))
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%u:%llu:%s%s|", l.stream,
				      (unsigned long long)l.time_ms, text, l.truncated ? "+" : "");
	return out;
}

static int test_empty(void)
{
	struct ns_linering r;
	struct ns_err err;
	CHECK_INT(ns_linering_init(&r, 10, &err), -EINVAL);
	CHECK(strstr(err.msg, "at least 64"));
	CHECK_OK(ns_linering_init(&r, 64, &err), &err);
	CHECK_STR(dump(&r), "");
	CHECK_INT(r.count, 0);
	ns_linering_free(&r);
	CHECK_STR(dump(&r), ""); /* a freed (zeroed) ring iterates as empty */
	CHECK_INT(ns_linering_push(&r, 0, 1, "x", 1), 0); /* and ignores a push */
	CHECK_INT(r.count, 0);
	ns_linering_free(&r);
	return 0;
}

static int test_exact_fit(void)
{
	struct ns_linering r;
	struct ns_err err;
	CHECK_OK(ns_linering_init(&r, 2 * (NS_LINERING_HDR + 16), &err), &err);
	CHECK_INT(ns_linering_push(&r, 0, 1, "aaaaaaaaaaaaaaaa", 16), 0);
	CHECK_INT(ns_linering_push(&r, 1, 2, "bbbbbbbbbbbbbbbb", 16), 1);
	CHECK_INT(r.used, r.cap); /* full to the byte, nothing dropped */
	CHECK_INT(r.evicted, 0);
	CHECK_STR(dump(&r), "0:1:aaaaaaaaaaaaaaaa|1:2:bbbbbbbbbbbbbbbb|");
	CHECK_INT(ns_linering_push(&r, 0, 3, "", 0), 2); /* one more byte of header: a */
	CHECK_STR(dump(&r), "1:2:bbbbbbbbbbbbbbbb|0:3:|");
	CHECK_INT(r.first, 1);
	CHECK_INT(r.evicted, 1);
	ns_linering_free(&r);
	return 0;
}

/* Records of odd sizes go round the buffer many times: headers and text split at its
 * end are read back whole, and the newest lines are always the ones held. */
static int test_wrap_around(void)
{
	struct ns_linering r;
	struct ns_err err;
	CHECK_OK(ns_linering_init(&r, 100, &err), &err);
	char line[32];
	for (unsigned i = 0; i < 1000; i++) {
		int n = snprintf(line, sizeof(line), "line %u%.*s", i, (int)(i % 7), "xxxxxxx");
		CHECK_INT(ns_linering_push(&r, i & 1, 1000 + i, line, (size_t)n), i);
		CHECK(r.used <= r.cap);
		/* the newest line is held, and what is held runs up to it without a gap */
		struct ns_linering_iter it;
		struct ns_linering_line l;
		char text[64];
		uint64_t want = r.first;
		ns_linering_begin(&r, &it);
		while (ns_linering_next(&r, &it, &l, text, sizeof(text))) {
			CHECK_INT(l.seq, want);
			CHECK_INT(l.time_ms, 1000 + want);
			CHECK_INT(l.stream, want & 1);
			snprintf(line, sizeof(line), "line %llu%.*s", (unsigned long long)want,
				 (int)(want % 7), "xxxxxxx");
			CHECK_STR(text, line);
			want++;
		}
		CHECK_INT(want, i + 1);
		CHECK_INT(r.first + r.count, i + 1);
		CHECK_INT(r.evicted, r.first);
	}
	CHECK(r.count >= 2); /* 100 bytes hold at least two of these lines */
	ns_linering_free(&r);
	return 0;
}

static int test_longer_than_ring(void)
{
	struct ns_linering r;
	struct ns_err err;
	CHECK_OK(ns_linering_init(&r, 64, &err), &err);
	ns_linering_push(&r, 0, 1, "old", 3);
	char big[200];
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)('a' + i % 26);
	CHECK_INT(ns_linering_push(&r, 1, 2, big, sizeof(big)), 1);
	CHECK_INT(r.count, 1); /* it took the whole ring: the old line went */
	CHECK_INT(r.used, 64);
	struct ns_linering_iter it;
	struct ns_linering_line l;
	char text[256];
	ns_linering_begin(&r, &it);
	CHECK(ns_linering_next(&r, &it, &l, text, sizeof(text)));
	CHECK(l.truncated);
	CHECK_INT(l.len, 64 - NS_LINERING_HDR);
	CHECK(!memcmp(text, big, l.len) && text[l.len] == '\0');
	CHECK(!ns_linering_next(&r, &it, &l, text, sizeof(text)));
	/* a short copy buffer cuts the copy, not the line */
	ns_linering_begin(&r, &it);
	CHECK(ns_linering_next(&r, &it, &l, text, 5));
	CHECK_STR(text, "abcd");
	CHECK_INT(l.len, 64 - NS_LINERING_HDR);
	/* the next line pushes it out again */
	ns_linering_push(&r, 0, 3, "new", 3);
	CHECK_STR(dump(&r), "0:3:new|");
	ns_linering_free(&r);
	return 0;
}

/* Bytes of any value are kept as they are; clear forgets the lines and the numbers. */
static int test_bytes_and_clear(void)
{
	struct ns_linering r;
	struct ns_err err;
	CHECK_OK(ns_linering_init(&r, 128, &err), &err);
	ns_linering_push(&r, 300, UINT64_MAX, "a\0b\n\x1b", 5);
	struct ns_linering_iter it;
	struct ns_linering_line l;
	char text[16];
	ns_linering_begin(&r, &it);
	CHECK(ns_linering_next(&r, &it, &l, text, sizeof(text)));
	CHECK(l.len == 5 && !memcmp(text, "a\0b\n\x1b", 5));
	CHECK_INT(l.stream, 300 & 255);
	CHECK(l.time_ms == UINT64_MAX);
	ns_linering_clear(&r);
	CHECK_STR(dump(&r), "");
	CHECK_INT(ns_linering_push(&r, 0, 0, "z", 1), 0);
	CHECK_STR(dump(&r), "0:0:z|");
	ns_linering_free(&r);
	return 0;
}

/* log.ring_size in the daemon's config: 64KiB by default, 0 turns it off, bounds. */
static int test_config_ring_size(void)
{
	static const char base[] = "run_dir: /r\ndata_dir: /d\nsocket_dir: /s\ncgroup: ns\n";
	static const struct {
		const char *log;
		long long want; /* -1: refused */
	} cases[] = {
	    {"", 64 << 10},
	    {"log:\n  ring_size: 0\n", 0},
	    {"log:\n  ring_size: 4KiB\n", 4 << 10},
	    {"log:\n  ring_size: 1MiB\n", 1 << 20},
	    {"log:\n  ring_size: 100\n", -1},
	    {"log:\n  ring_size: 2MiB\n", -1},
	    {"log:\n  ring_size: big\n", -1},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[256];
		struct ns_config c;
		struct ns_err err = {0};
		snprintf(text, sizeof(text), "%s%s", base, cases[i].log);
		int r = ns_config_parse("t.yaml", text, strlen(text), &c, &err);
		if (cases[i].want < 0) {
			CHECK(r < 0);
			CHECK(strstr(err.msg, "t.yaml:") && strstr(err.msg, "log.ring_size"));
			continue;
		}
		CHECK_OK(r, &err);
		CHECK_INT(c.log.ring_size, cases[i].want);
		ns_config_free(&c);
	}
	return 0;
}

NS_TEST_MAIN(T(test_config_ring_size), T(test_empty), T(test_exact_fit), T(test_wrap_around),
	     T(test_longer_than_ring), T(test_bytes_and_clear))
