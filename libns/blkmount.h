/* Mounting a squashfs image that lies inside a file (an NPK): loop → squashfs, or with
 * verity parameters loop → dm-verity → squashfs. Read-only, nosuid, and nodev unless
 * the options allow device nodes. */
#ifndef NS_BLKMOUNT_H
#define NS_BLKMOUNT_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "blkctx.h"
#include "dm.h"
#include "err.h"
#include "verity.h"

struct ns_blk_image {
	int fd;		 /* the file holding the image (the NPK), kept open by the caller */
	uint64_t offset; /* fs.img within it */
	uint64_t size;	 /* fs.img bytes: squashfs, and with verity its superblock and tree */
	const struct ns_verity_params *verity; /* NULL: mount without verification */
};

/* Northstar's default loop_device_timeout. */
#define NS_BLK_LOOP_TIMEOUT_MS 10000

/* NULL options mean: NS_BLK_LOOP_TIMEOUT_MS, buffered I/O, no SELinux context, nodev. */
struct ns_blk_options {
	unsigned loop_timeout_ms;    /* loop_device_timeout */
	bool direct_io;		     /* loop direct I/O when the kernel allows it */
	const char *selinux_context; /* mount "context=", or NULL */
	/* Mount without MS_NODEV. Northstar mounts container roots this way because sextant
	 * bakes /dev nodes (null, zero, ...) into images with a manifest "dev" mount; the
	 * default here is the stricter nodev. */
	bool allow_device_nodes;
};

/* A mounted image, owned by the caller; ns_blk_umount undoes it. */
struct ns_blk_mount {
	char target[PATH_MAX];
	char name[DM_NAME_LEN];	       /* the device name (dm name when verified) */
	char source[DM_NAME_LEN + 16]; /* the device mounted: /dev/loopN, /dev/dm-N ... */
	char node[DM_NAME_LEN + 16];   /* a node we made (/dev/mapper/<name>) or "" */
	dev_t loop_dev;
	dev_t dm_dev; /* 0 when unverified */
	bool verified;
	bool direct_io; /* the loop device does direct I/O */
	bool mounted;
};

/* Mounts img on target (an existing directory). name is the device name: required with
 * verity (e.g. "northstar-<name>-<version>"), a label for the loop device otherwise.
 * Device-mapper is only touched when img->verity is set. On failure every earlier step
 * is undone: no mount, dm device, device node or loop device stays behind. After
 * success the dm device is already marked for deferred removal and the loop device
 * autoclears, so both go away with the mount even if the caller dies. */
int ns_blk_mount(struct ns_blk_ctx *ctx, const struct ns_blk_image *img, const char *name,
		 const char *target, const struct ns_blk_options *opt, struct ns_blk_mount *ret,
		 struct ns_err *err);

/* Unmounts (no lazy detach: a busy mount fails with EBUSY and stays as it was), then
 * removes the node we made; the dm and loop devices follow their last user. */
int ns_blk_umount(struct ns_blk_ctx *ctx, struct ns_blk_mount *m, struct ns_err *err);

/* For a verified mount: 'V', or 'C' once the kernel saw a block that fails its hash. */
int ns_blk_verity_state(struct ns_blk_ctx *ctx, const struct ns_blk_mount *m, char *ret_state,
			struct ns_err *err);

#endif
