/* Loop devices by raw ioctls: a file (an NPK) attached read-only at an offset and size,
 * with autoclear, so the device goes away once its last user (a mount, a dm table) does. */
#ifndef NS_LOOP_H
#define NS_LOOP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "blkctx.h"
#include "err.h"

struct ns_loop_config {
	int backing_fd;	     /* a regular file (or memfd) opened for reading */
	uint64_t offset;     /* where the image starts in it */
	uint64_t size;	     /* image bytes from offset: > 0, within the file */
	bool direct_io;	     /* ask for direct I/O; silently buffered when refused */
	unsigned timeout_ms; /* loop_device_timeout: how long races are retried */
	const char *label;   /* shown as the device's lo_file_name; may be NULL */
};

struct ns_loop {
	int fd; /* /dev/loopN, read-only; -1 once released */
	int nr; /* N */
	dev_t devno;
	bool direct_io; /* the kernel does direct I/O for it */
	char path[32];	/* /dev/loopN */
};

/* Attaches cfg to a free loop device: LOOP_CONFIGURE, or LOOP_SET_FD and
 * LOOP_SET_STATUS64 on kernels without it (remembered in ctx), then checks with
 * LOOP_GET_STATUS64 that offset, size limit, read-only and autoclear took effect.
 * Races (another process takes the device, the device vanishes) are retried with
 * back-off until cfg->timeout_ms. On failure nothing stays attached. */
int ns_loop_attach(struct ns_blk_ctx *ctx, const struct ns_loop_config *cfg, struct ns_loop *ret,
		   struct ns_err *err);

/* Error path: unbinds the device (LOOP_CLR_FD) and closes it. Accepts a released loop. */
void ns_loop_detach(struct ns_blk_ctx *ctx, struct ns_loop *lo);

/* Success path: closes our descriptor once a mount or dm table holds the device;
 * autoclear detaches it when that user goes away. */
void ns_loop_release(struct ns_loop *lo);

#endif
