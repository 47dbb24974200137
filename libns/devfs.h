/* A fresh, minimal /dev for the container: a small tmpfs holding the host's full,
 * null, random, tty, urandom and zero nodes (bind-mounted onto empty files, which needs
 * no CAP_MKNOD and keeps the real devices), the fd and stdio links, and a /dev/shm
 * tmpfs; then made read-only. */
#ifndef NS_DEVFS_H
#define NS_DEVFS_H

#include "err.h"
#include "mountapi.h"

#define NS_DEVFS_SHM_SIZE (64u << 20) /* /dev/shm, bytes */

/* Mounts the /dev tmpfs on targetfd and fills it. */
int ns_devfs_mount(struct ns_mount_ctx *ctx, int targetfd, struct ns_err *err);

/* Opens the host's /dev/<name> (O_PATH) and checks it is character device
 * major:minor, so a tampered host /dev is never passed on. */
int ns_devfs_host_node(const char *name, unsigned major, unsigned minor, struct ns_err *err);

#endif
