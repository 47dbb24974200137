/* The Unix sockets a manifest declares (`sockets`): created by the daemon in its socket
 * directory as <dir>/<name>:<version>:<socket>, passed to the container as descriptors
 * and named in NORTHSTAR_SOCKET_<socket>; peers reach the files through a `sockets`
 * mount. */
#ifndef NS_SOCKETS_H
#define NS_SOCKETS_H

#include "err.h"
#include "manifest.h"

/* Creates the socket file dir/file for s: a stale entry at that name is removed
 * (unlinked, never followed), the socket is bound while the umask keeps the new file
 * at mode 0 (nobody can connect before its owner and mode are set), then chowned to
 * s->uid/s->gid when given and chmodded to s->mode through the directory, then stream
 * and seq_packet sockets listen. SO_PASSCRED when asked. The path must fit sun_path.
 * Returns the socket (close-on-exec). Changes the process's umask for a moment: call
 * it from a single thread. */
int ns_socket_create(const char *dir, const char *file, const struct ns_socket *s,
		     struct ns_err *err);

/* Removes dir/file (a missing one is fine). */
int ns_socket_remove(const char *dir, const char *file, struct ns_err *err);

#endif
