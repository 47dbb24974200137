#include "loop.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sys/ioctl.h>
#include <linux/loop.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "util.h"

/* LOOP_SET_STATUS64 answers EAGAIN while the kernel (or udev) still probes the device. */
#define LOOP_STATUS_TRIES 8

static int check_config(const struct ns_loop_config *cfg, struct ns_err *err)
{
	struct stat st;
	if (cfg->backing_fd < 0)
		return ns_err_set(err, EBADF, "no backing file descriptor");
	if (fstat(cfg->backing_fd, &st) < 0)
		return ns_err_sys(err, errno, "fstat backing file");
	if (!S_ISREG(st.st_mode))
		return ns_err_set(err, EINVAL, "backing file is not a regular file");
	if (cfg->size == 0)
		return ns_err_set(err, EINVAL, "image size is 0");
	uint64_t fsize = (uint64_t)st.st_size;
	if (cfg->offset > fsize || cfg->size > fsize - cfg->offset)
		return ns_err_set(err, EINVAL,
				  "image at offset %" PRIu64 " with size %" PRIu64
				  " extends beyond the end of the file (%" PRIu64
				  " bytes): truncated file or bad offset",
				  cfg->offset, cfg->size, fsize);
	return 0;
}

static void fill_info(struct loop_info64 *info, const struct ns_loop_config *cfg, bool dio)
{
	memset(info, 0, sizeof(*info));
	info->lo_offset = cfg->offset;
	info->lo_sizelimit = cfg->size;
	info->lo_flags = LO_FLAGS_READ_ONLY | LO_FLAGS_AUTOCLEAR | (dio ? LO_FLAGS_DIRECT_IO : 0);
	if (cfg->label)
		snprintf((char *)info->lo_file_name, sizeof(info->lo_file_name), "%s", cfg->label);
}

static bool is_race(int r)
{
	return r == -EBUSY || r == -EAGAIN || r == -ENXIO;
}

/* Opens /dev/loopN, making the node from sysfs when no devtmpfs or udev did.
 * -ENXIO means the device vanished between LOOP_CTL_GET_FREE and here. */
static int open_loop_node(struct ns_blk_ctx *ctx, int nr, struct ns_loop *lo, struct ns_err *err)
{
	char sysfs[64];
	struct stat st;
	dev_t dev = 0;

	snprintf(lo->path, sizeof(lo->path), "/dev/loop%d", nr);
	snprintf(sysfs, sizeof(sysfs), "/sys/block/loop%d/dev", nr);
	int r = ns_blk_read_devno(sysfs, &dev, err);
	if (r == -ENOENT && access("/sys/block", F_OK) == 0)
		return ns_err_set(err, ENXIO, "loop%d vanished before it could be used", nr);
	if (r < 0 && r != -ENOENT)
		return r;
	if (r == 0) {
		r = ns_blk_ensure_node(ctx, lo->path, S_IFBLK, dev, false, NULL, err);
		if (r < 0)
			return r;
	}
	lo->fd = ns_blk_open(ctx, lo->path, O_RDONLY | O_CLOEXEC, 0);
	if (lo->fd < 0) {
		int e = errno == ENOENT ? ENXIO : errno;
		return ns_err_sys(err, e, "open '%s'", lo->path);
	}
	if (fstat(lo->fd, &st) < 0 || !S_ISBLK(st.st_mode) || (dev && st.st_rdev != dev)) {
		ns_closep(&lo->fd);
		return ns_err_set(err, ENODEV, "'%s' is not the block device loop%d", lo->path, nr);
	}
	lo->nr = nr;
	lo->devno = st.st_rdev;
	return 0;
}

/* 0: bound; 1: the kernel lacks LOOP_CONFIGURE; < 0: failed (a race errno is retried). */
static int bind_configure(struct ns_blk_ctx *ctx, struct ns_loop *lo,
			  const struct ns_loop_config *cfg, struct ns_err *err)
{
	struct loop_config lc;
	memset(&lc, 0, sizeof(lc));
	lc.fd = (uint32_t)cfg->backing_fd;
	fill_info(&lc.info, cfg, cfg->direct_io);
	if (ns_blk_ioctl(ctx, lo->fd, LOOP_CONFIGURE, &lc) == 0)
		return 0;
	if (errno == EINVAL && cfg->direct_io) {
		/* Newer kernels refuse direct I/O (backing file system without O_DIRECT, an
		 * offset not aligned to its block size) where older ones fell back. */
		fill_info(&lc.info, cfg, false);
		if (ns_blk_ioctl(ctx, lo->fd, LOOP_CONFIGURE, &lc) == 0)
			return 0;
	}
	/* Kernels before 5.8 answer an unknown loop ioctl with EINVAL, others ENOTTY. */
	if (errno == ENOTTY || errno == EINVAL)
		return 1;
	return ns_err_sys(err, errno, "LOOP_CONFIGURE %s", lo->path);
}

static int bind_legacy(struct ns_blk_ctx *ctx, struct ns_loop *lo, const struct ns_loop_config *cfg,
		       struct ns_err *err)
{
	struct loop_info64 info;
	if (ns_blk_ioctl(ctx, lo->fd, LOOP_SET_FD, (void *)(uintptr_t)cfg->backing_fd) < 0)
		return ns_err_sys(err, errno, "LOOP_SET_FD %s", lo->path);
	fill_info(&info, cfg, false);
	for (unsigned i = 0;; i++) {
		if (ns_blk_ioctl(ctx, lo->fd, LOOP_SET_STATUS64, &info) == 0)
			break;
		if (errno == EAGAIN && i + 1 < LOOP_STATUS_TRIES) {
			ns_blk_backoff(i);
			continue;
		}
		int e = errno;
		(void)ns_blk_ioctl(ctx, lo->fd, LOOP_CLR_FD, NULL);
		/* Not a race any more: the device was ours. */
		return ns_err_set(err, e == EBUSY || e == EAGAIN ? EIO : e,
				  "LOOP_SET_STATUS64 %s: %s", lo->path, strerror(e));
	}
	/* Buffered I/O when direct I/O is refused: slower, not wrong. */
	if (cfg->direct_io)
		(void)ns_blk_ioctl(ctx, lo->fd, LOOP_SET_DIRECT_IO, (void *)1UL);
	return 0;
}

static int verify_status(struct ns_blk_ctx *ctx, struct ns_loop *lo,
			 const struct ns_loop_config *cfg, struct ns_err *err)
{
	struct loop_info64 got;
	if (ns_blk_ioctl(ctx, lo->fd, LOOP_GET_STATUS64, &got) < 0) {
		int e = errno == EBUSY || errno == EAGAIN || errno == ENXIO ? EIO : errno;
		return ns_err_sys(err, e, "LOOP_GET_STATUS64 %s", lo->path);
	}
	if (got.lo_offset != cfg->offset || got.lo_sizelimit != cfg->size)
		return ns_err_set(
		    err, EIO,
		    "%s: the kernel set offset %llu and size limit %llu instead of %" PRIu64
		    " and %" PRIu64,
		    lo->path, (unsigned long long)got.lo_offset,
		    (unsigned long long)got.lo_sizelimit, cfg->offset, cfg->size);
	if (!(got.lo_flags & LO_FLAGS_READ_ONLY))
		return ns_err_set(err, EIO, "%s: the kernel did not make it read-only", lo->path);
	if (!(got.lo_flags & LO_FLAGS_AUTOCLEAR))
		return ns_err_set(err, EIO, "%s: the kernel did not set autoclear", lo->path);
	lo->direct_io = (got.lo_flags & LO_FLAGS_DIRECT_IO) != 0;
	return 0;
}

static int bind_nr(struct ns_blk_ctx *ctx, int nr, const struct ns_loop_config *cfg,
		   struct ns_loop *lo, struct ns_err *err)
{
	int r = open_loop_node(ctx, nr, lo, err);
	if (r < 0)
		return r;
	r = 1;
	if (!ctx->no_loop_configure) {
		r = bind_configure(ctx, lo, cfg, err);
		if (r == 1)
			ctx->no_loop_configure = true;
	}
	if (r == 1)
		r = bind_legacy(ctx, lo, cfg, err);
	if (r < 0) {
		/* Not bound by us (maybe by a racing process): only close it. */
		ns_closep(&lo->fd);
		return r;
	}
	r = verify_status(ctx, lo, cfg, err);
	if (r < 0)
		ns_loop_detach(ctx, lo);
	return r;
}

int ns_loop_attach(struct ns_blk_ctx *ctx, const struct ns_loop_config *cfg, struct ns_loop *ret,
		   struct ns_err *err)
{
	int r = check_config(cfg, err);
	if (r < 0)
		return r;
	ns_autoclose int ctl = ns_blk_open_control(ctx, "/dev/loop-control", "loop-control", err);
	if (ctl < 0)
		return ctl;
	uint64_t deadline = ns_blk_now_ms() + cfg->timeout_ms;
	for (unsigned attempt = 0;; attempt++) {
		struct ns_loop lo = {.fd = -1, .nr = -1};
		int nr = ns_blk_ioctl(ctx, ctl, LOOP_CTL_GET_FREE, NULL);
		if (nr < 0)
			r = ns_err_sys(err, errno, "LOOP_CTL_GET_FREE: no free loop device");
		else
			r = bind_nr(ctx, nr, cfg, &lo, err);
		if (r == 0) {
			*ret = lo;
			return 0;
		}
		if (!is_race(r))
			return r;
		if (ns_blk_now_ms() >= deadline)
			return ns_err_wrap(err, "no loop device within %u ms (loop_device_timeout)",
					   cfg->timeout_ms);
		ns_blk_backoff(attempt);
	}
}

void ns_loop_detach(struct ns_blk_ctx *ctx, struct ns_loop *lo)
{
	if (lo->fd < 0)
		return;
	/* With other users left (a dm table) this only re-arms autoclear. */
	(void)ns_blk_ioctl(ctx, lo->fd, LOOP_CLR_FD, NULL);
	ns_closep(&lo->fd);
}

void ns_loop_release(struct ns_loop *lo)
{
	ns_closep(&lo->fd);
}
