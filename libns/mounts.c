#include "mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devfs.h"
#include "hostpath.h"
#include "path.h"
#include "procmask.h"
#include "util.h"

const char *ns_mount_kind(enum ns_mount_type t)
{
	static const char *const names[] = {
	    [NS_MOUNT_BIND] = "bind",	      [NS_MOUNT_PERSIST] = "persist",
	    [NS_MOUNT_PROC] = "proc",	      [NS_MOUNT_SYSFS] = "sysfs",
	    [NS_MOUNT_RESOURCE] = "resource", [NS_MOUNT_TMPFS] = "tmpfs",
	    [NS_MOUNT_DEV] = "dev",	      [NS_MOUNT_SOCKETS] = "sockets",
	};
	return (unsigned)t < ARRAY_SIZE(names) ? names[t] : "unknown";
}

static int check_target_type(int fd, const char *path, bool dir, struct ns_err *err)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return ns_err_sys(err, errno, "mount point '%s': stat", path);
	/* The O_NOFOLLOW walk of kernels without openat2 returns a trailing symlink. */
	if (S_ISLNK(st.st_mode))
		return ns_err_set(err, ELOOP, "mount point '%s' is a symlink (refused)", path);
	if (dir && !S_ISDIR(st.st_mode))
		return ns_err_set(err, ENOTDIR, "mount point '%s' is not a directory", path);
	if (!dir && S_ISDIR(st.st_mode))
		return ns_err_set(err, EISDIR, "mount point '%s' is a directory, its source is not",
				  path);
	return 0;
}

/* Creates the last component of path; its parent must exist. */
static int create_target(int basefd, const char *path, bool dir, struct ns_err *err)
{
	char parent[PATH_MAX];
	if (snprintf(parent, sizeof(parent), "%s", path) >= (int)sizeof(parent))
		return ns_err_set(err, ENAMETOOLONG, "mount point '%s' is too long", path);
	char *slash = strrchr(parent, '/');
	const char *base = slash ? path + (slash - parent) + 1 : path;
	if (slash)
		*slash = '\0';
	struct ns_err sub = {0};
	ns_autoclose int pfd = ns_open_beneath(basefd, parent, O_PATH | O_DIRECTORY, &sub);
	if (pfd == -ELOOP)
		return ns_err_set(err, ELOOP, "mount point '%s' passes through a symlink (refused)",
				  path);
	if (pfd < 0)
		return ns_err_set(err, -pfd, "mount point '%s': parent: %s", path, sub.msg);
	int r = dir ? mkdirat(pfd, base, 0755)
		    : openat(pfd, base, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (r < 0 && errno == EROFS)
		return ns_err_set(err, ENOENT, "mount point '%s' does not exist in the image",
				  path);
	if (r < 0 && errno != EEXIST)
		return ns_err_sys(err, errno, "create mount point '%s'", path);
	if (!dir && r >= 0)
		close(r);
	int fd = openat(pfd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return ns_err_sys(err, errno, "open mount point '%s'", path);
	return fd;
}

int ns_mount_target_at(int basefd, const char *path, bool dir, struct ns_err *err)
{
	struct ns_err sub = {0};
	ns_autoclose int fd = ns_open_beneath(basefd, path, O_PATH, &sub);
	if (fd == -ENOENT)
		fd = create_target(basefd, path, dir, err);
	else if (fd == -ELOOP)
		return ns_err_set(
		    err, ELOOP, "mount point '%s' is or passes through a symlink (refused)", path);
	else if (fd < 0)
		return ns_err_set(err, -fd, "mount point '%s': %s", path, sub.msg);
	if (fd < 0)
		return fd;
	if (check_target_type(fd, path, dir, err) < 0)
		return ns_err_ret(err);
	return ns_steal_fd(&fd);
}

int ns_mount_check_source(int srcfd, int mntfd, const char *target, struct ns_err *err)
{
	struct stat src, got;
	if (fstat(srcfd, &src) < 0 || fstat(mntfd, &got) < 0)
		return ns_err_sys(err, errno, "mount on '%s': stat the source and the mount",
				  target);
	if (src.st_dev != got.st_dev || src.st_ino != got.st_ino)
		return ns_err_set(err, EXDEV,
				  "mount on '%s' shows another file than its checked source "
				  "(swapped during the start?)",
				  target);
	return 0;
}

/* Binds srcfd on the target; the target's type follows the source's. The mount comes
 * from srcfd, so nothing swapped in after the checks can be mounted; the mounted root,
 * and what the target's path now reaches, are still compared with srcfd. */
static int bind_onto_target(struct ns_mount_ctx *ctx, int srcfd, const char *target, unsigned attrs,
			    bool rec, struct ns_err *err)
{
	struct stat st;
	if (fstat(srcfd, &st) < 0)
		return ns_err_sys(err, errno, "stat the source");
	ns_autoclose int tfd = ns_mount_target_at(ctx->rootfd, target, S_ISDIR(st.st_mode), err);
	if (tfd < 0)
		return tfd;
	ns_autoclose int mnt = ns_mnt_bind(ctx, srcfd, tfd, attrs, rec, target, err);
	if (mnt < 0)
		return mnt;
	if (ns_mount_check_source(srcfd, mnt, target, err) < 0)
		return ns_err_ret(err);
	struct ns_err sub = {0};
	ns_autoclose int now = ns_open_beneath(ctx->rootfd, target, O_PATH, &sub);
	if (now < 0)
		return ns_err_set(err, -now, "mount on '%s': reopen: %s", target, sub.msg);
	return ns_mount_check_source(srcfd, now, target, err);
}

static unsigned option_attrs(unsigned o)
{
	return ((o & NS_MOPT_NOSUID) ? NS_MNT_NOSUID : 0) |
	       ((o & NS_MOPT_NODEV) ? NS_MNT_NODEV : 0) |
	       ((o & NS_MOPT_NOEXEC) ? NS_MNT_NOEXEC : 0);
}

/* A host path, walked without following any symlink but the operator's
 * (libns/hostpath.h): a container that can write there cannot redirect its next start.
 * A missing path fails the start. */
static int mount_bind(struct ns_mount_ctx *ctx, const struct ns_rootfs_mount *m, struct ns_err *err)
{
	ns_autoclose int src = ns_hostpath_open(m->source, "host path", err);
	if (src < 0)
		return src;
	/* nosuid always: setuid must never elevate, whatever the options say. */
	unsigned attrs = NS_MNT_NOSUID | option_attrs(m->options);
	if (!(m->options & NS_MOPT_RW))
		attrs |= NS_MNT_RDONLY;
	return bind_onto_target(ctx, src, m->target, attrs, m->options & NS_MOPT_REC, err);
}

static int open_host_dir(const char *path, const char *what, struct ns_err *err)
{
	ns_autoclose int fd = ns_hostpath_open(path, what, err);
	if (fd < 0)
		return fd;
	struct stat st;
	if (fstat(fd, &st) < 0)
		return ns_err_sys(err, errno, "%s '%s': stat", what, path);
	if (!S_ISDIR(st.st_mode))
		return ns_err_set(err, ENOTDIR, "%s '%s' is not a directory", what, path);
	return ns_steal_fd(&fd);
}

/* data_dir/<name>: data_dir is walked like a bind's host path; <name>, which its
 * container owns, is never followed. */
static int mount_persist(struct ns_mount_ctx *ctx, const struct ns_rootfs_mount *m,
			 struct ns_err *err)
{
	char dir[PATH_MAX];
	if (snprintf(dir, sizeof(dir), "%s", m->source) >= (int)sizeof(dir))
		return ns_err_set(err, ENAMETOOLONG, "persist path too long");
	char *slash = strrchr(dir, '/');
	if (!slash || slash[1] == '\0')
		return ns_err_set(err, EINVAL, "persist path '%s' has no directory name",
				  m->source);
	*slash = '\0';
	ns_autoclose int dfd = open_host_dir(dir[0] ? dir : "/", "data directory", err);
	if (dfd < 0)
		return dfd;
	struct ns_err sub = {0};
	ns_autoclose int src = ns_open_beneath(dfd, slash + 1, O_PATH | O_DIRECTORY, &sub);
	if (src == -ELOOP || src == -ENOTDIR)
		return ns_err_set(err, ELOOP,
				  "persist directory '%s' is a symlink or not a directory",
				  m->source);
	if (src < 0)
		return ns_err_set(err, -src, "persist directory '%s': %s", m->source, sub.msg);
	unsigned attrs = NS_MNT_NOSUID | NS_MNT_NODEV | NS_MNT_NOEXEC;
	return bind_onto_target(ctx, src, m->target, attrs, false, err);
}

/* Read-only: connect() on a socket needs no write access to its mount, and the
 * container can then neither create nor remove entries in the shared directory. */
static int mount_sockets(struct ns_mount_ctx *ctx, const struct ns_rootfs_mount *m,
			 struct ns_err *err)
{
	ns_autoclose int src = open_host_dir(m->source, "socket directory", err);
	if (src < 0)
		return src;
	return bind_onto_target(ctx, src, m->target, NS_MNT_LOCKDOWN, false, err);
}

/* Another container's image: dir resolves beneath its root, never through a symlink. */
static int mount_resource(struct ns_mount_ctx *ctx, const struct ns_rootfs_mount *m,
			  struct ns_err *err)
{
	ns_autoclose int rfd = open_host_dir(m->source, "resource root", err);
	if (rfd < 0)
		return rfd;
	struct ns_err sub = {0};
	ns_autoclose int src = ns_open_beneath(rfd, m->subdir, O_PATH, &sub);
	if (src == -ELOOP)
		return ns_err_set(
		    err, ELOOP,
		    "resource dir '%s' is or passes through a symlink in '%s' (refused)", m->subdir,
		    m->source);
	if (src == -ENOENT)
		return ns_err_set(err, ENOENT, "resource dir '%s' does not exist in '%s'",
				  m->subdir, m->source);
	if (src < 0)
		return ns_err_set(err, -src, "resource dir: %s", sub.msg);
	unsigned attrs = NS_MNT_RDONLY | NS_MNT_NOSUID | NS_MNT_NODEV;
	if (m->options & NS_MOPT_NOEXEC)
		attrs |= NS_MNT_NOEXEC;
	return bind_onto_target(ctx, src, m->target, attrs, false, err);
}

static int mount_proc(struct ns_mount_ctx *ctx, const struct ns_rootfs_mount *m, struct ns_err *err)
{
	ns_autoclose int tfd = ns_mount_target_at(ctx->rootfd, m->target, true, err);
	if (tfd < 0)
		return tfd;
	ns_autoclose int mnt = ns_mnt_fresh_at("proc", NULL, NS_MNT_LOCKDOWN, tfd, m->target, err);
	if (mnt < 0)
		return mnt;
	return ns_procfs_mask(ctx, mnt, err);
}

static int mount_sysfs(struct ns_mount_ctx *ctx, const struct ns_rootfs_mount *m,
		       struct ns_err *err)
{
	ns_autoclose int tfd = ns_mount_target_at(ctx->rootfd, m->target, true, err);
	if (tfd < 0)
		return tfd;
	ns_autoclose int mnt = ns_mnt_fresh_at("sysfs", NULL, NS_MNT_LOCKDOWN, tfd, m->target, err);
	if (mnt < 0)
		return mnt;
	return ns_sysfs_mask(ctx, mnt, err);
}

static int mount_tmpfs(struct ns_mount_ctx *ctx, const struct ns_rootfs_mount *m,
		       struct ns_err *err)
{
	char size[32];
	snprintf(size, sizeof(size), "%" PRIu64, m->size);
	const char *opts[] = {"size", size, "mode", "1777", "context", ctx->selinux_context, NULL};
	if (!ctx->selinux_context)
		opts[4] = NULL;
	ns_autoclose int tfd = ns_mount_target_at(ctx->rootfd, m->target, true, err);
	if (tfd < 0)
		return tfd;
	unsigned attrs = NS_MNT_NOSUID | NS_MNT_NODEV | NS_MNT_NOEXEC;
	ns_autoclose int mnt = ns_mnt_fresh_at("tmpfs", opts, attrs, tfd, m->target, err);
	return mnt < 0 ? mnt : 0;
}

static int mount_dev(struct ns_mount_ctx *ctx, const struct ns_rootfs_mount *m, struct ns_err *err)
{
	ns_autoclose int tfd = ns_mount_target_at(ctx->rootfd, m->target, true, err);
	if (tfd < 0)
		return tfd;
	return ns_devfs_mount(ctx, tfd, err);
}

int ns_mount_one(struct ns_mount_ctx *ctx, const struct ns_rootfs_mount *m, struct ns_err *err)
{
	switch (m->type) {
	case NS_MOUNT_BIND:
		return mount_bind(ctx, m, err);
	case NS_MOUNT_PERSIST:
		return mount_persist(ctx, m, err);
	case NS_MOUNT_PROC:
		return mount_proc(ctx, m, err);
	case NS_MOUNT_SYSFS:
		return mount_sysfs(ctx, m, err);
	case NS_MOUNT_RESOURCE:
		return mount_resource(ctx, m, err);
	case NS_MOUNT_TMPFS:
		return mount_tmpfs(ctx, m, err);
	case NS_MOUNT_DEV:
		return mount_dev(ctx, m, err);
	case NS_MOUNT_SOCKETS:
		return mount_sockets(ctx, m, err);
	}
	return ns_err_set(err, EINVAL, "unknown mount type %d", (int)m->type);
}
