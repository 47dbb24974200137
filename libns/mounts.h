/* The mounts of a rootfs plan, one type at a time, each resolved beneath the new root
 * without following symlinks and given its flags by a separate, checked step. */
#ifndef NS_MOUNTS_H
#define NS_MOUNTS_H

#include <stdbool.h>

#include "err.h"
#include "mountapi.h"
#include "rootfs.h"

/* Mounts m beneath ctx->rootfd. */
int ns_mount_one(struct ns_mount_ctx *ctx, const struct ns_rootfs_mount *m, struct ns_err *err);

/* Opens path beneath basefd (O_PATH), refusing a symlink at it or in any parent. A
 * missing path is created (a directory when dir, else an empty file) if its parent is
 * writable, as inside a tmpfs; in the read-only image it is an error. The result must
 * be a directory when dir and must not be one otherwise. */
int ns_mount_target_at(int basefd, const char *path, bool dir, struct ns_err *err);

/* Refuses (EXDEV) a mount whose root, at mntfd, is not the file srcfd was opened on:
 * the check after a bind that nothing was swapped between resolution and mount. */
int ns_mount_check_source(int srcfd, int mntfd, const char *target, struct ns_err *err);

/* A short name for a mount type ("bind", "tmpfs", ...). */
const char *ns_mount_kind(enum ns_mount_type t);

#endif
