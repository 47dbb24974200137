/* A clean process state before exec: exactly the intended descriptors, and the
 * signal mask and dispositions reset from whatever the daemon or ns-init used. */
#ifndef NS_FDS_H
#define NS_FDS_H

#include <stddef.h>

#include "err.h"

#define NS_FDS_KEEP_MAX 256

/* Child side. Puts stdio[i] on descriptor i (a negative entry: /dev/null opened
 * read-write), keep[j] on 3 + j in order, all without O_CLOEXEC, and closes every
 * other descriptor (close_range, else a loop). A source may appear twice. Fails with
 * EBADF naming a source that is not open. Async-signal-safe. */
int ns_fds_arrange(const int stdio[3], const int *keep, size_t nkeep, struct ns_err *err);

/* Child side: every catchable signal back to SIG_DFL (SIG_IGN would survive exec),
 * then an empty signal mask. Async-signal-safe. */
int ns_signals_reset(struct ns_err *err);

#endif
