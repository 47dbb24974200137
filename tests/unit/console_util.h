/* Helpers shared by the console codec tests. */
#ifndef NS_TEST_CONSOLE_UTIL_H
#define NS_TEST_CONSOLE_UTIL_H

#include <stdlib.h>
#include <string.h>

#include "libns/console_msg.h"
#include "testlib.h"

/* Decodes line as any message and encodes it again: the text must come back exactly. */
static inline int roundtrip(const char *line)
{
	struct ns_err err = {0};
	struct ns_console_frame f;
	if (ns_console_decode_frame(line, strlen(line), &f, &err) < 0) {
		fprintf(stderr, "  decode %s\n    failed: %s\n", line, err.msg);
		return NS_TEST_FAIL;
	}
	char *out = ns_console_encode_frame(&f, &err);
	ns_console_frame_free(&f);
	if (!out) {
		fprintf(stderr, "  encode of %s failed: %s\n", line, err.msg);
		return NS_TEST_FAIL;
	}
	int same = strcmp(out, line) == 0;
	if (!same)
		fprintf(stderr, "  got  %s\n  want %s\n", out, line);
	free(out);
	return same ? 0 : NS_TEST_FAIL;
}

#define CHECK_RT(line) CHECK(roundtrip(line) == 0)

/* The request decoder must refuse line with a message containing needle. */
static inline int refuse_request(const char *line, size_t len, const char *needle)
{
	struct ns_err err = {0};
	struct ns_console_request r;
	if (ns_console_decode_request(line, len, &r, &err) == 0) {
		fprintf(stderr, "  accepted: %.*s\n", (int)len, line);
		ns_console_request_free(&r);
		return NS_TEST_FAIL;
	}
	if (!strstr(err.msg, needle)) {
		fprintf(stderr, "  %.*s\n    error '%s' lacks '%s'\n", (int)len, line, err.msg,
			needle);
		return NS_TEST_FAIL;
	}
	if (r.mem) {
		fprintf(stderr, "  failed decode left memory in the message\n");
		return NS_TEST_FAIL;
	}
	return 0;
}

#define CHECK_REFUSED(line, needle) CHECK(refuse_request(line, strlen(line), needle) == 0)

static inline int refuse_response(const char *line, const char *needle)
{
	struct ns_err err = {0};
	struct ns_console_response r;
	if (ns_console_decode_response(line, strlen(line), &r, &err) == 0) {
		fprintf(stderr, "  accepted: %s\n", line);
		ns_console_response_free(&r);
		return NS_TEST_FAIL;
	}
	if (!strstr(err.msg, needle)) {
		fprintf(stderr, "  %s\n    error '%s' lacks '%s'\n", line, err.msg, needle);
		return NS_TEST_FAIL;
	}
	return 0;
}

#define CHECK_RESP_REFUSED(line, needle) CHECK(refuse_response(line, needle) == 0)

static inline struct ns_console_id test_id(const char *name, unsigned ma, unsigned mi, unsigned pa)
{
	return (struct ns_console_id){.name = name, .version = {ma, mi, pa}};
}

#endif
