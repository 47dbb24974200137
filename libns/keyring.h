/* Kernel keyrings: every process inherits its parent's session keyring, so without a
 * fresh one a container would possess (and could read) the keys of whoever started the
 * daemon, and of every other container. Raw keyctl, no libkeyutils. */
#ifndef NS_KEYRING_H
#define NS_KEYRING_H

#include "err.h"

/* Joins a fresh anonymous session keyring, owned by the caller's current fsuid and
 * fsgid (so call it after a uid change to give it to the new ids). Returns 0; -ENOSYS
 * when there are no keyrings to reach: the kernel has none, or keyctl is refused as a
 * whole (EPERM, as from Docker's default seccomp profile, which this process and all it
 * starts inherit); or another negative errno with err set, for example when only the
 * join is refused. Async-signal-safe: only system calls. */
int ns_keyring_new_session(struct ns_err *err);

#endif
