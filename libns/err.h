/* Error object carried up the call chain: a caller-owned buffer, so it needs no
 * allocation and stays usable after fork and under memory pressure. */
#ifndef NS_ERR_H
#define NS_ERR_H

#include <stddef.h>

struct ns_err {
	int errnum;	/* positive errno describing the failure class */
	char msg[1024]; /* human-readable, most general context first */
};

/* Sets the message and returns -errnum (or -EIO when errnum is 0). */
int ns_err_set(struct ns_err *e, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Like ns_err_set, appending ": <strerror(errnum)>". For failed system calls. */
int ns_err_sys(struct ns_err *e, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prepends "<context>: " to the message and returns -errnum. */
int ns_err_wrap(struct ns_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Returns the stored failure as a negative errno. */
static inline int ns_err_ret(const struct ns_err *e)
{
	return e->errnum > 0 ? -e->errnum : -5 /* EIO */;
}

static inline void ns_err_clear(struct ns_err *e)
{
	e->errnum = 0;
	e->msg[0] = '\0';
}

#endif
