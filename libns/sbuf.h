/* Text appended to a caller's fixed buffer, never past its end: what does not fit is cut,
 * and the buffer stays a terminated string. For messages built piece by piece. */
#ifndef NS_SBUF_H
#define NS_SBUF_H

#include <stddef.h>

struct ns_sbuf {
	char *buf;
	size_t size, len;
};

void ns_sbuf_put(struct ns_sbuf *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
