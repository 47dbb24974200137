/* Host paths opened for a container (bind sources, the persist and socket directories):
 * walked one component at a time without letting anyone but the operator redirect the
 * walk. A container that can write a host directory can plant a symlink there for its
 * next start; that symlink must never be followed.
 *
 * A symlink is followed only when it is the operator's: the link itself is owned by
 * root, and every directory the walk has passed through to reach it (from the root of
 * the walk, or from where the last absolute link restarted it) is owned by root and
 * writable by neither group nor others (the sticky bit does not help: others can still
 * add entries). Its target is then walked the same way: relative targets from the
 * directory holding the link, absolute ones from the root again. ".." is the physical
 * parent and never leaves the root. Any other symlink refuses the path, naming it.
 * Magic links are never followed: only a link's text is walked. */
#ifndef NS_HOSTPATH_H
#define NS_HOSTPATH_H

#include "err.h"

/* Symlinks followed in one walk before it fails with ELOOP (the kernel's limit). */
#define NS_HOSTPATH_MAXLINKS 40

/* Opens the absolute path with O_PATH, walking from rootfd (which stands for "/").
 * what names the path in messages ("host path", "socket directory", ...). Returns the
 * descriptor, or a negative errno: ELOOP for a refused symlink, ENOENT for a missing
 * component, with err naming the path and the component. */
int ns_hostpath_open_at(int rootfd, const char *path, const char *what, struct ns_err *err);

/* ns_hostpath_open_at from the process's root directory; a relative path is taken
 * from the working directory, whose own path is walked the same way. */
int ns_hostpath_open(const char *path, const char *what, struct ns_err *err);

#endif
