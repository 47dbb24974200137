#include "devfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "util.h"

struct dev_node {
	const char *name;
	unsigned major, minor;
};

/* The nodes Northstar's sextant bakes into an image with a `dev` mount. */
static const struct dev_node dev_nodes[] = {
    {"full", 1, 7}, {"null", 1, 3},    {"random", 1, 8},
    {"tty", 5, 0},  {"urandom", 1, 9}, {"zero", 1, 5},
};

static const struct {
	const char *name, *target;
} dev_links[] = {
    {"fd", "/proc/self/fd"},
    {"stdin", "/proc/self/fd/0"},
    {"stdout", "/proc/self/fd/1"},
    {"stderr", "/proc/self/fd/2"},
};

int ns_devfs_host_node(const char *name, unsigned major, unsigned minor, struct ns_err *err)
{
	ns_autoclose int dev = open("/dev", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dev < 0)
		return ns_err_sys(err, errno, "open the host's /dev");
	ns_autoclose int fd = openat(dev, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return ns_err_sys(err, errno, "open the host's /dev/%s", name);
	struct stat st;
	if (fstat(fd, &st) < 0)
		return ns_err_sys(err, errno, "stat the host's /dev/%s", name);
	if (!S_ISCHR(st.st_mode) || major(st.st_rdev) != major || minor(st.st_rdev) != minor)
		return ns_err_set(err, ENODEV, "the host's /dev/%s is not character device %u:%u",
				  name, major, minor);
	return ns_steal_fd(&fd);
}

/* An empty file in the tmpfs with the host's node bound on it, read-only (a node on a
 * read-only mount still reads and writes, but cannot be chmod'ed or chown'ed, which
 * would change the host's node), nosuid, noexec. */
static int bind_node(struct ns_mount_ctx *ctx, int devfd, const struct dev_node *n,
		     struct ns_err *err)
{
	ns_autoclose int host = ns_devfs_host_node(n->name, n->major, n->minor, err);
	if (host < 0)
		return host;
	int f = openat(devfd, n->name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (f < 0)
		return ns_err_sys(err, errno, "create /dev/%s", n->name);
	close(f);
	ns_autoclose int target = openat(devfd, n->name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (target < 0)
		return ns_err_sys(err, errno, "open /dev/%s", n->name);
	char what[64];
	snprintf(what, sizeof(what), "/dev/%s", n->name);
	unsigned attrs = NS_MNT_RDONLY | NS_MNT_NOSUID | NS_MNT_NOEXEC;
	ns_autoclose int mnt = ns_mnt_bind(ctx, host, target, attrs, false, what, err);
	return mnt < 0 ? mnt : 0;
}

static int mount_shm(struct ns_mount_ctx *ctx, int devfd, struct ns_err *err)
{
	if (mkdirat(devfd, "shm", 0755) < 0)
		return ns_err_sys(err, errno, "create /dev/shm");
	ns_autoclose int target =
	    openat(devfd, "shm", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (target < 0)
		return ns_err_sys(err, errno, "open /dev/shm");
	char size[32];
	snprintf(size, sizeof(size), "%u", NS_DEVFS_SHM_SIZE);
	const char *opts[] = {"size", size, "mode", "1777", "context", ctx->selinux_context, NULL};
	if (!ctx->selinux_context)
		opts[4] = NULL;
	unsigned attrs = NS_MNT_NOSUID | NS_MNT_NODEV | NS_MNT_NOEXEC;
	ns_autoclose int mnt = ns_mnt_fresh_at("tmpfs", opts, attrs, target, "/dev/shm", err);
	return mnt < 0 ? mnt : 0;
}

static int make_links(int devfd, struct ns_err *err)
{
	for (size_t i = 0; i < ARRAY_SIZE(dev_links); i++)
		if (symlinkat(dev_links[i].target, devfd, dev_links[i].name) < 0)
			return ns_err_sys(err, errno, "create /dev/%s", dev_links[i].name);
	return 0;
}

int ns_devfs_mount(struct ns_mount_ctx *ctx, int targetfd, struct ns_err *err)
{
	/* Small and fixed: the tmpfs only holds placeholders, links and a directory. */
	const char *opts[] = {"mode",	   "755", "size",    "65536",
			      "nr_inodes", "64",  "context", ctx->selinux_context,
			      NULL};
	if (!ctx->selinux_context)
		opts[6] = NULL;
	/* nodev too: each node is its own bind mount, whose flags are the ones that count. */
	unsigned attrs = NS_MNT_NOSUID | NS_MNT_NOEXEC | NS_MNT_NODEV;
	ns_autoclose int dev = ns_mnt_fresh_at("tmpfs", opts, attrs, targetfd, "/dev", err);
	if (dev < 0)
		return dev;
	for (size_t i = 0; i < ARRAY_SIZE(dev_nodes); i++)
		if (bind_node(ctx, dev, &dev_nodes[i], err) < 0)
			return ns_err_ret(err);
	if (make_links(dev, err) < 0 || mount_shm(ctx, dev, err) < 0)
		return ns_err_ret(err);
	/* Read-only like the image /dev it replaces: nothing can be added or renamed. */
	return ns_mnt_add_attrs(ctx, dev, NS_MNT_RDONLY, false, "/dev", err);
}
