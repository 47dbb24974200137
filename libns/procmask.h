/* Masks the parts of a container's /proc and /sys that leak host state or control the
 * host: empty files and directories over kernel memory, keys, timers and firmware,
 * read-only binds over the kernel's tunables. Only the entries that exist. */
#ifndef NS_PROCMASK_H
#define NS_PROCMASK_H

#include "err.h"
#include "mountapi.h"

/* procfd: the root of a proc mount attached beneath the container root. */
int ns_procfs_mask(struct ns_mount_ctx *ctx, int procfd, struct ns_err *err);

/* sysfd: the root of a sysfs mount attached beneath the container root. */
int ns_sysfs_mask(struct ns_mount_ctx *ctx, int sysfd, struct ns_err *err);

#endif
