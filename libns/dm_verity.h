/* A dm-verity device over a loop device holding a Northstar fs.img: squashfs, the
 * verity superblock, then the hash tree, all on the one device (npk-format.md §4). */
#ifndef NS_DM_VERITY_H
#define NS_DM_VERITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "blkctx.h"
#include "dm.h"
#include "err.h"
#include "verity.h"

/* Longest verity table: fixed words, two device numbers, five numbers, 64+512 hex. */
#define NS_VERITY_TABLE_MAX 768

struct ns_dm_verity {
	char name[DM_NAME_LEN];
	dev_t devno;
	char node[DM_NAME_LEN + 16]; /* /dev/dm-N, or /dev/mapper/<name> that we made */
	bool made_node;		     /* node is ours to remove */
};

/* Checks params against an image of image_size bytes: block sizes, data and hash areas
 * inside the image and apart, salt size. */
int ns_verity_check_params(const struct ns_verity_params *p, uint64_t image_size,
			   struct ns_err *err);

/* The verity target's parameters for data and hash both on dev:
 * "1 M:m M:m <dbs> <hbs> <data_blocks> <hash_start> sha256 <root hex> <salt hex or ->". */
int ns_verity_table(const struct ns_verity_params *p, dev_t dev, char *buf, size_t size,
		    struct ns_err *err);

/* Creates the read-only verity device name over dev (image_size bytes): DM_DEV_CREATE,
 * DM_TABLE_LOAD, resume, and a device node. On failure the device is removed again. */
int ns_dm_verity_create(struct ns_blk_ctx *ctx, struct ns_dm *dm, const char *name, dev_t dev,
			uint64_t image_size, const struct ns_verity_params *p,
			struct ns_dm_verity *ret, struct ns_err *err);

/* Removes the device now (error paths, before it is mounted) and the node we made. */
int ns_dm_verity_destroy(struct ns_blk_ctx *ctx, struct ns_dm *dm, struct ns_dm_verity *v,
			 struct ns_err *err);

/* The verity state from DM_TABLE_STATUS: 'V' (verified so far) or 'C' (corruption seen). */
int ns_dm_verity_state(struct ns_blk_ctx *ctx, const char *name, char *ret_state,
		       struct ns_err *err);

#endif
