#include "err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int err_vset(struct ns_err *e, int errnum, const char *fmt, va_list ap)
{
	if (errnum <= 0)
		errnum = EIO;
	e->errnum = errnum;
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	return -errnum;
}

int ns_err_set(struct ns_err *e, int errnum, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = err_vset(e, errnum, fmt, ap);
	va_end(ap);
	return r;
}

int ns_err_sys(struct ns_err *e, int errnum, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = err_vset(e, errnum, fmt, ap);
	va_end(ap);
	size_t n = strlen(e->msg);
	if (n < sizeof(e->msg))
		snprintf(e->msg + n, sizeof(e->msg) - n, ": %s", strerror(e->errnum));
	return r;
}

int ns_err_wrap(struct ns_err *e, const char *fmt, ...)
{
	char ctx[256];
	char old[sizeof(e->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx, sizeof(ctx), fmt, ap);
	va_end(ap);
	memcpy(old, e->msg, sizeof(old));
	snprintf(e->msg, sizeof(e->msg), "%s: %s", ctx, old);
	if (e->errnum <= 0)
		e->errnum = EIO;
	return -e->errnum;
}
