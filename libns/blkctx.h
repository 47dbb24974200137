/* The block layer's caller-owned context: the table of system calls that change kernel
 * state (the real calls by default, a fault-injecting table in tests) and what was learnt
 * about the running kernel. There is no global state: a daemon keeps one context per
 * worker thread, or guards a shared one with a lock. */
#ifndef NS_BLKCTX_H
#define NS_BLKCTX_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"

/* Each entry behaves like the system call of the same name: -1 and errno on failure.
 * data is the context's ops_data. */
struct ns_blk_ops {
	int (*open)(void *data, const char *path, int flags, mode_t mode);
	int (*ioctl)(void *data, int fd, unsigned long req, void *arg);
	int (*mount)(void *data, const char *src, const char *target, const char *fstype,
		     unsigned long flags, const void *opts);
	int (*umount2)(void *data, const char *target, int flags);
	int (*mknod)(void *data, const char *path, mode_t mode, dev_t dev);
};

struct ns_blk_ctx {
	const struct ns_blk_ops *ops; /* NULL: the real system calls */
	void *ops_data;
	bool no_loop_configure; /* the kernel refused LOOP_CONFIGURE: use SET_FD+SET_STATUS */
};

/* The real system calls, for fault-injecting tables that wrap them. */
extern const struct ns_blk_ops ns_blk_sys_ops;

void ns_blk_ctx_init(struct ns_blk_ctx *ctx);

/* Dispatch through the context's table (EINTR is retried for open and ioctl). */
int ns_blk_open(struct ns_blk_ctx *ctx, const char *path, int flags, mode_t mode);
int ns_blk_ioctl(struct ns_blk_ctx *ctx, int fd, unsigned long req, void *arg);
int ns_blk_sys_mount(struct ns_blk_ctx *ctx, const char *src, const char *target,
		     const char *fstype, unsigned long flags, const void *opts);
int ns_blk_umount2(struct ns_blk_ctx *ctx, const char *target, int flags);
int ns_blk_mknod(struct ns_blk_ctx *ctx, const char *path, mode_t mode, dev_t dev);

/* Reads a sysfs "major:minor" file (e.g. /sys/block/loop3/dev). */
int ns_blk_read_devno(const char *sysfs_path, dev_t *ret, struct ns_err *err);

/* Makes sure path is a node of type S_IFBLK or S_IFCHR for dev: keeps a correct one,
 * creates a missing one (and its parent directory) with mode 0600, fails on a wrong one
 * unless replace is set. Sets *ret_made when it created the node. */
int ns_blk_ensure_node(struct ns_blk_ctx *ctx, const char *path, mode_t type, dev_t dev,
		       bool replace, bool *ret_made, struct ns_err *err);

/* Opens a misc control device (/dev/loop-control, /dev/mapper/control), creating its
 * node from /sys/class/misc/<misc>/dev when no devtmpfs or udev made it. Returns the fd,
 * or -ENODEV when the kernel lacks the driver. */
int ns_blk_open_control(struct ns_blk_ctx *ctx, const char *node, const char *misc,
			struct ns_err *err);

/* Monotonic milliseconds, and a sleep for retry back-off. */
uint64_t ns_blk_now_ms(void);
void ns_blk_backoff(unsigned attempt);

#endif
