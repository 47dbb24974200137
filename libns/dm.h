/* Raw device-mapper ioctls on /dev/mapper/control, without libdevmapper or udev. Every
 * request is built by ns_dm_prepare and sent through the context's ioctl entry. */
#ifndef NS_DM_H
#define NS_DM_H

#include <sys/ioctl.h>
#include <linux/dm-ioctl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "blkctx.h"
#include "err.h"

/* The interface version we ask for: 4.27 brought deferred removal (Linux 3.13). */
#define NS_DM_VERSION_MAJOR 4
#define NS_DM_VERSION_MINOR 27

struct ns_dm {
	int fd;		     /* /dev/mapper/control */
	uint32_t version[3]; /* the kernel's ioctl interface version */
};

/* Opens the control device and checks the interface version. Fails with ENODEV and a
 * clear message when the kernel has no device-mapper. */
int ns_dm_open(struct ns_blk_ctx *ctx, struct ns_dm *ret, struct ns_err *err);
void ns_dm_close(struct ns_dm *dm);

/* Clears io (size bytes, 8-byte aligned), fills version, sizes and name. name may be
 * NULL for requests about no device. Fails on a name the kernel would refuse. */
int ns_dm_prepare(struct dm_ioctl *io, size_t size, const char *name, struct ns_err *err);

/* Builds a DM_TABLE_LOAD request with one target in a fresh buffer (free it). */
int ns_dm_build_table(const char *name, const char *target_type, uint64_t sectors,
		      const char *params, bool readonly, struct dm_ioctl **ret, struct ns_err *err);

/* DM_DEV_CREATE; *ret_dev is the new device's number. A name still held by a device in
 * deferred removal (EBUSY) is retried a bounded number of times. */
int ns_dm_create(struct ns_blk_ctx *ctx, struct ns_dm *dm, const char *name, dev_t *ret_dev,
		 struct ns_err *err);
/* DM_TABLE_LOAD of one target of length sectors, from sector 0. ENOMEM (a kernel race
 * with the teardown of a previous device) is retried a bounded number of times. */
int ns_dm_load_table(struct ns_blk_ctx *ctx, struct ns_dm *dm, const char *name,
		     const char *target_type, uint64_t sectors, const char *params, bool readonly,
		     struct ns_err *err);
/* DM_DEV_SUSPEND without DM_SUSPEND_FLAG: makes the loaded table live. */
int ns_dm_resume(struct ns_blk_ctx *ctx, struct ns_dm *dm, const char *name, struct ns_err *err);
/* DM_DEV_REMOVE. deferred: the device goes when its last user closes it. Otherwise a
 * device still busy (EBUSY, a closing user) is retried a bounded number of times. A
 * device already gone counts as removed. */
int ns_dm_remove(struct ns_blk_ctx *ctx, struct ns_dm *dm, const char *name, bool deferred,
		 struct ns_err *err);
/* DM_TABLE_STATUS: the first target's status text ("V" or "C" for verity). */
int ns_dm_status(struct ns_blk_ctx *ctx, struct ns_dm *dm, const char *name, char *buf, size_t size,
		 struct ns_err *err);
/* DM_LIST_VERSIONS: whether the kernel knows target_type now. */
bool ns_dm_has_target(struct ns_blk_ctx *ctx, struct ns_dm *dm, const char *target_type);

#endif
