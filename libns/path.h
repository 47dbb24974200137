/* Path helpers that never let a joined path escape its root. */
#ifndef NS_PATH_H
#define NS_PATH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "err.h"

/* Joins a and b with exactly one '/'. Returns 0 or -ENAMETOOLONG. */
int ns_path_join(char *out, size_t size, const char *a, const char *b);

/* True for "/" and for absolute paths whose components are all non-empty and
 * neither "." nor "..", with no trailing '/'. */
bool ns_path_is_clean_abs(const char *p);

/* True when any component of p is "..". */
bool ns_path_has_dotdot(const char *p);

/* root + p, where p (absolute or relative) must not contain "..". */
int ns_path_beneath(char *out, size_t size, const char *root, const char *p, struct ns_err *err);

/* Opens p beneath rootfd without following any symlink and without leaving rootfd
 * (openat2 RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS, or an O_NOFOLLOW walk on kernels
 * without openat2). p may be absolute; it is taken relative to rootfd. */
int ns_open_beneath(int rootfd, const char *p, int flags, struct ns_err *err);

/* Creates every missing directory of p beneath rootfd with mode, never following a
 * symlink. Returns an O_PATH|O_DIRECTORY fd of the last one in *ret_fd if non-NULL. */
int ns_mkdir_beneath(int rootfd, const char *p, mode_t mode, int *ret_fd, struct ns_err *err);

/* mkdir -p on a host path (follows symlinks, as an administrator's config path may). */
int ns_mkdir_p(const char *path, mode_t mode, struct ns_err *err);

/* The last component of p (no allocation; "" for "/"). */
const char *ns_basename(const char *p);

#endif
