#include "sbuf.h"

#include <stdarg.h>
#include <stdio.h>

void ns_sbuf_put(struct ns_sbuf *s, const char *fmt, ...)
{
	if (s->size == 0 || s->len + 1 >= s->size)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(s->buf + s->len, s->size - s->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		s->len += (size_t)n < s->size - s->len ? (size_t)n : s->size - s->len - 1;
}
