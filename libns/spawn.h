/* Running an outside program (mksquashfs, unsquashfs) from host tooling. Never
 * used by the runtime: northstard and ns-init run no helper programs. */
#ifndef NS_SPAWN_H
#define NS_SPAWN_H

#include <stddef.h>

#include "err.h"

/* Runs argv[0] (searched in PATH) with stdin from /dev/null. With out != NULL its
 * stdout and stderr are captured and the last outsize-1 bytes kept there,
 * NUL-terminated; otherwise they are inherited. extra_fd >= 0 is passed to the
 * child under the same number. Returns the exit status (0..255), or a negative
 * errno when it could not run or died of a signal (named in err, with the output's
 * tail). */
int ns_run(const char *const argv[], int extra_fd, char *out, size_t outsize, struct ns_err *err);

#endif
