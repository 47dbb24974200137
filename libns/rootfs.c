#include "rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "mounts.h"
#include "netns.h"
#include "path.h"
#include "util.h"

#define NS_HOSTNAME_MAX 64 /* the kernel's limit (HOST_NAME_MAX) */

static bool needs_source(enum ns_mount_type t)
{
	return t == NS_MOUNT_BIND || t == NS_MOUNT_PERSIST || t == NS_MOUNT_RESOURCE ||
	       t == NS_MOUNT_SOCKETS;
}

static int check_mount(const struct ns_rootfs_mount *m, struct ns_err *err)
{
	const char *kind = ns_mount_kind(m->type);
	if ((unsigned)m->type > NS_MOUNT_SOCKETS)
		return ns_err_set(err, EINVAL, "mount type %d is unknown", (int)m->type);
	if (!m->target || !ns_path_is_clean_abs(m->target) || strcmp(m->target, "/") == 0)
		return ns_err_set(err, EINVAL,
				  "%s target '%s' is not a clean absolute path below /", kind,
				  m->target ? m->target : "(none)");
	if (needs_source(m->type) && (!m->source || m->source[0] != '/'))
		return ns_err_set(err, EINVAL, "%s on '%s' needs an absolute host path", kind,
				  m->target);
	if (m->type == NS_MOUNT_RESOURCE && (!m->subdir || ns_path_has_dotdot(m->subdir)))
		return ns_err_set(err, EINVAL, "resource on '%s' needs a dir without '..'",
				  m->target);
	if (m->type == NS_MOUNT_TMPFS && m->size == 0)
		return ns_err_set(err, EINVAL, "tmpfs on '%s' needs a size (0 would be unlimited)",
				  m->target);
	return 0;
}

int ns_rootfs_plan_check(const struct ns_rootfs_plan *p, struct ns_err *err)
{
	if (!p->root || p->root[0] != '/')
		return ns_err_set(err, EINVAL, "root '%s' is not an absolute path",
				  p->root ? p->root : "(none)");
	for (size_t i = 0; i < p->nmounts; i++) {
		if (check_mount(&p->mounts[i], err) < 0)
			return ns_err_ret(err);
		for (size_t j = 0; j < i; j++)
			if (strcmp(p->mounts[i].target, p->mounts[j].target) == 0)
				return ns_err_set(err, EINVAL, "mount target '%s' appears twice",
						  p->mounts[i].target);
	}
	return 0;
}

static size_t path_depth(const char *p)
{
	size_t d = 0;
	for (; *p; p++)
		d += *p == '/';
	return d;
}

void ns_rootfs_mount_order(const struct ns_rootfs_plan *p, size_t *order)
{
	/* Insertion sort: plans are short, and it needs no context pointer. */
	for (size_t i = 0; i < p->nmounts; i++) {
		const char *t = p->mounts[i].target;
		size_t d = path_depth(t), j = i;
		for (; j > 0; j--) {
			const char *u = p->mounts[order[j - 1]].target;
			size_t e = path_depth(u);
			if (e < d || (e == d && strcmp(u, t) <= 0))
				break;
			order[j] = order[j - 1];
		}
		order[j] = i;
	}
}

/* Making the host's tree private from the host's own namespace would be a disaster. */
static int refuse_host_mount_ns(struct ns_err *err)
{
	struct stat self, init;
	if (stat("/proc/self/ns/mnt", &self) < 0 || stat("/proc/1/ns/mnt", &init) < 0)
		return 0; /* no way to tell (no /proc, or PID 1 not ours to inspect) */
	if (self.st_dev == init.st_dev && self.st_ino == init.st_ino)
		return ns_err_set(err, EPERM,
				  "refusing to build a root in the host's mount namespace");
	return 0;
}

static int set_hostname(const char *name, struct ns_err *err)
{
	if (!name)
		return 0;
	size_t len = strnlen(name, NS_HOSTNAME_MAX); /* longer names are cut */
	if (sethostname(name, len) < 0)
		return ns_err_sys(err, errno, "sethostname '%.*s'", (int)len, name);
	return 0;
}

/* No mount event crosses between the host and the container in either direction. */
static int make_tree_private(struct ns_err *err)
{
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return ns_err_sys(err, errno, "make the mount tree private");
	return 0;
}

/* Binds the image root onto itself: the copy is a mount point pivot_root accepts, and
 * its flags are ours to change. Returns the new root's fd. */
static int stage_root(const char *root, struct ns_err *err)
{
	ns_autoclose int src = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (src < 0)
		return ns_err_sys(err, errno, "open root '%s'", root);
	ns_autoclose int tree = ns_mnt_clone(src, false, root, err);
	if (tree < 0)
		return tree;
	if (ns_mnt_attach(tree, src, root, err) < 0)
		return ns_err_ret(err);
	return ns_steal_fd(&tree);
}

static int mount_all(struct ns_mount_ctx *ctx, const struct ns_rootfs_plan *p, struct ns_err *err)
{
	ns_autofree size_t *order = calloc(p->nmounts ? p->nmounts : 1, sizeof(*order));
	if (!order)
		return ns_err_set(err, ENOMEM, "mount order");
	ns_rootfs_mount_order(p, order);
	for (size_t i = 0; i < p->nmounts; i++) {
		const struct ns_rootfs_mount *m = &p->mounts[order[i]];
		if (ns_mount_one(ctx, m, err) < 0)
			return ns_err_wrap(err, "%s on '%s'", ns_mount_kind(m->type), m->target);
	}
	return 0;
}

/* ro and nosuid as Northstar; nodev as well, since /dev is a fresh tmpfs when the
 * container asks for one, so nodes baked into an image are never needed. */
static int lock_root(struct ns_mount_ctx *ctx, struct ns_err *err)
{
	unsigned attrs = NS_MNT_RDONLY | NS_MNT_NOSUID | NS_MNT_NODEV, got;
	if (ns_mnt_add_attrs(ctx, ctx->rootfd, attrs, false, "root", err) < 0)
		return ns_err_ret(err);
	if (ns_mnt_get_attrs(ctx->rootfd, &got, err) < 0)
		return ns_err_ret(err);
	if ((got & attrs) != attrs)
		return ns_err_set(err, EIO, "root: the kernel did not apply ro,nosuid,nodev");
	return 0;
}

static bool same_file(int a, int b)
{
	struct stat sa, sb;
	return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

/* pivot_root(".", ".") stacks the old root on top of the new one; it is then made a
 * slave (so detaching it propagates nowhere) and detached, leaving no path back. */
static int pivot_into(int rootfd, struct ns_err *err)
{
	ns_autoclose int oldroot = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (oldroot < 0)
		return ns_err_sys(err, errno, "open the old root");
	if (fchdir(rootfd) < 0)
		return ns_err_sys(err, errno, "chdir to the new root");
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return ns_err_sys(err, errno, "pivot_root");
	if (fchdir(oldroot) < 0)
		return ns_err_sys(err, errno, "chdir to the old root");
	if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return ns_err_sys(err, errno, "make the old root a slave");
	if (umount2(".", MNT_DETACH) < 0)
		return ns_err_sys(err, errno, "detach the old root");
	if (chdir("/") < 0)
		return ns_err_sys(err, errno, "chdir /");
	ns_autoclose int now = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (now < 0 || !same_file(now, rootfd))
		return ns_err_set(err, EIO, "after pivot_root '/' is not the container root");
	return 0;
}

int ns_rootfs_enter(const struct ns_rootfs_plan *p, struct ns_err *err)
{
	struct ns_mount_ctx ctx = {
	    .rootfd = -1,
	    .no_setattr = p->quirks & NS_ROOTFS_NO_MOUNT_SETATTR,
	    .selinux_context = p->selinux_context,
	};
	if (ns_rootfs_plan_check(p, err) < 0)
		return ns_err_wrap(err, "rootfs plan");
	if (refuse_host_mount_ns(err) < 0)
		return ns_err_ret(err);
	if (ns_net_enter(&p->network, p->netns_dir, err) < 0)
		return ns_err_wrap(err, "network");
	if (set_hostname(p->hostname, err) < 0)
		return ns_err_wrap(err, "hostname");
	if (make_tree_private(err) < 0)
		return ns_err_ret(err);
	ns_autoclose int rootfd = stage_root(p->root, err);
	if (rootfd < 0)
		return ns_err_wrap(err, "root");
	ctx.rootfd = rootfd;
	if (mount_all(&ctx, p, err) < 0)
		return ns_err_wrap(err, "mount");
	if (lock_root(&ctx, err) < 0)
		return ns_err_wrap(err, "root flags");
	return pivot_into(rootfd, err);
}
