#include "blkctx.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "io.h"
#include "util.h"

static int sys_open(void *data, const char *path, int flags, mode_t mode)
{
	(void)data;
	return open(path, flags, mode);
}

static int sys_ioctl(void *data, int fd, unsigned long req, void *arg)
{
	(void)data;
	return ioctl(fd, req, arg);
}

static int sys_mount(void *data, const char *src, const char *target, const char *fstype,
		     unsigned long flags, const void *opts)
{
	(void)data;
	return mount(src, target, fstype, flags, opts);
}

static int sys_umount2(void *data, const char *target, int flags)
{
	(void)data;
	return umount2(target, flags);
}

static int sys_mknod(void *data, const char *path, mode_t mode, dev_t dev)
{
	(void)data;
	return mknod(path, mode, dev);
}

const struct ns_blk_ops ns_blk_sys_ops = {
    .open = sys_open,
    .ioctl = sys_ioctl,
    .mount = sys_mount,
    .umount2 = sys_umount2,
    .mknod = sys_mknod,
};

void ns_blk_ctx_init(struct ns_blk_ctx *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->ops = &ns_blk_sys_ops;
}

static const struct ns_blk_ops *ops_of(const struct ns_blk_ctx *ctx)
{
	return ctx->ops ? ctx->ops : &ns_blk_sys_ops;
}

int ns_blk_open(struct ns_blk_ctx *ctx, const char *path, int flags, mode_t mode)
{
	int fd;
	do
		fd = ops_of(ctx)->open(ctx->ops_data, path, flags, mode);
	while (fd < 0 && errno == EINTR);
	return fd;
}

int ns_blk_ioctl(struct ns_blk_ctx *ctx, int fd, unsigned long req, void *arg)
{
	int r;
	do
		r = ops_of(ctx)->ioctl(ctx->ops_data, fd, req, arg);
	while (r < 0 && errno == EINTR);
	return r;
}

int ns_blk_sys_mount(struct ns_blk_ctx *ctx, const char *src, const char *target,
		     const char *fstype, unsigned long flags, const void *opts)
{
	return ops_of(ctx)->mount(ctx->ops_data, src, target, fstype, flags, opts);
}

int ns_blk_umount2(struct ns_blk_ctx *ctx, const char *target, int flags)
{
	return ops_of(ctx)->umount2(ctx->ops_data, target, flags);
}

int ns_blk_mknod(struct ns_blk_ctx *ctx, const char *path, mode_t mode, dev_t dev)
{
	return ops_of(ctx)->mknod(ctx->ops_data, path, mode, dev);
}

int ns_blk_read_devno(const char *sysfs_path, dev_t *ret, struct ns_err *err)
{
	char buf[32];
	unsigned maj, min;
	char extra;
	ns_autoclose int fd = open(sysfs_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ns_err_sys(err, errno, "open '%s'", sysfs_path);
	ssize_t n = ns_read_full(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		return ns_err_sys(err, (int)-n, "read '%s'", sysfs_path);
	buf[n] = '\0';
	if (sscanf(buf, "%u:%u%c", &maj, &min, &extra) != 3 || extra != '\n')
		return ns_err_set(err, EINVAL, "'%s': expected 'major:minor', got '%.20s'",
				  sysfs_path, buf);
	*ret = makedev(maj, min);
	return 0;
}

static int make_parent_dir(const char *path, struct ns_err *err)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	if (!slash || slash == path)
		return 0;
	if ((size_t)(slash - path) >= sizeof(dir))
		return ns_err_set(err, ENAMETOOLONG, "device node path '%s' is too long", path);
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash - path] = '\0';
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return ns_err_sys(err, errno, "mkdir '%s'", dir);
	return 0;
}

static int check_node(const char *path, mode_t type, dev_t dev, bool replace, struct ns_err *err)
{
	struct stat st;
	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		return ns_err_sys(err, errno, "stat '%s'", path);
	}
	if ((st.st_mode & S_IFMT) == type && st.st_rdev == dev)
		return 1;
	if (!replace)
		return ns_err_set(err, EEXIST, "'%s' exists but is not the %s device %u:%u", path,
				  type == S_IFBLK ? "block" : "character", major(dev), minor(dev));
	/* A stale node of ours (left by a crash) with an old device number. */
	if (unlink(path) < 0 && errno != ENOENT)
		return ns_err_sys(err, errno, "remove stale node '%s'", path);
	return 0;
}

int ns_blk_ensure_node(struct ns_blk_ctx *ctx, const char *path, mode_t type, dev_t dev,
		       bool replace, bool *ret_made, struct ns_err *err)
{
	int r = check_node(path, type, dev, replace, err);
	if (r != 0)
		return r < 0 ? r : 0;
	r = make_parent_dir(path, err);
	if (r < 0)
		return r;
	if (ns_blk_mknod(ctx, path, type | 0600, dev) < 0) {
		if (errno != EEXIST)
			return ns_err_sys(err, errno, "mknod '%s' (%u:%u)", path, major(dev),
					  minor(dev));
		/* Someone (devtmpfs, udev) made it meanwhile: it must be right. */
		r = check_node(path, type, dev, false, err);
		return r < 0 ? r : 0;
	}
	if (ret_made)
		*ret_made = true;
	return 0;
}

int ns_blk_open_control(struct ns_blk_ctx *ctx, const char *node, const char *misc,
			struct ns_err *err)
{
	char sysfs[128];
	dev_t dev;
	int fd = ns_blk_open(ctx, node, O_RDWR | O_CLOEXEC, 0);
	if (fd >= 0)
		return fd;
	if (errno == ENODEV || errno == ENXIO)
		return ns_err_set(err, ENODEV, "'%s': the kernel has no %s driver", node, misc);
	if (errno != ENOENT)
		return ns_err_sys(err, errno, "open '%s'", node);
	snprintf(sysfs, sizeof(sysfs), "/sys/class/misc/%s/dev", misc);
	if (access(sysfs, F_OK) < 0)
		return ns_err_set(err, ENODEV, "'%s' is missing and the kernel has no %s driver",
				  node, misc);
	int r = ns_blk_read_devno(sysfs, &dev, err);
	if (r < 0)
		return r;
	r = ns_blk_ensure_node(ctx, node, S_IFCHR, dev, false, NULL, err);
	if (r < 0)
		return r;
	fd = ns_blk_open(ctx, node, O_RDWR | O_CLOEXEC, 0);
	if (fd < 0)
		return ns_err_sys(err, errno, "open '%s'", node);
	return fd;
}

uint64_t ns_blk_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void ns_blk_backoff(unsigned attempt)
{
	/* 1, 2, 4 ... 32 ms: short enough for a race to clear, long enough not to spin. */
	unsigned ms = 1u << (attempt < 5 ? attempt : 5);
	struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)ms * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}
