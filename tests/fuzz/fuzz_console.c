/* libFuzzer target: the console decoders on arbitrary bytes. Whatever decodes must encode,
 * decode again and encode to the same text (encoding is total over decoded messages and
 * decoding is stable), with no crash, leak or out-of-bounds read. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "libns/console_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_frame_roundtrip(const char *line, size_t len)
{
	struct ns_err err;
	struct ns_console_frame f, g;
	if (ns_console_decode_frame(line, len, &f, &err) < 0)
		return;
	char *e1 = ns_console_encode_frame(&f, &err);
	ns_console_frame_free(&f);
	if (!e1)
		abort(); /* a decoded message must always encode */
	if (ns_console_decode_frame(e1, strlen(e1), &g, &err) < 0)
		abort(); /* and what we encode must decode */
	char *e2 = ns_console_encode_frame(&g, &err);
	ns_console_frame_free(&g);
	if (!e2 || strcmp(e1, e2) != 0)
		abort();
	free(e1);
	free(e2);
}

static void check_typed(const char *line, size_t len)
{
	struct ns_err err;
	struct ns_console_request q;
	struct ns_console_response r;
	struct ns_console_notification n;
	if (ns_console_decode_request(line, len, &q, &err) == 0) {
		(void)ns_console_request_perm(&q);
		char *s = ns_console_encode_request(&q, &err);
		if (!s)
			abort();
		free(s);
		ns_console_request_free(&q);
	}
	if (ns_console_decode_response(line, len, &r, &err) == 0) {
		char *s = ns_console_encode_response(&r, &err);
		if (!s)
			abort();
		free(s);
		ns_console_response_free(&r);
	}
	if (ns_console_decode_notification(line, len, &n, &err) == 0)
		ns_console_notification_free(&n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *line = (const char *)data;
	check_frame_roundtrip(line, size);
	check_typed(line, size);
	return 0;
}
