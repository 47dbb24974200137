/* PID-1 mode's own root: the initramfs' rootfs is the bottom mount of every mount
 * namespace, and pivot_root refuses it (it has no parent mount). Like switch_root, we
 * move the initramfs' files into a tmpfs, file by file (the memory peak is one file),
 * mount that tmpfs onto / and chroot into it. rootfs is then empty: a container that
 * climbs out of its root with chroot (it needs CAP_SYS_CHROOT) ends in an empty
 * directory, not among the initramfs' files (docs/security.md, issue 15). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include "libns/io.h"
#include "libns/util.h"
#include "nsd_init.h"

#define NSD_INIT_NEWROOT "/.northstar-root"

static int copy_file(int sdir, int ddir, const char *name, const struct stat *st,
		     struct ns_err *err)
{
	ns_autoclose int in = openat(sdir, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (in < 0)
		return ns_err_sys(err, errno, "open %s", name);
	ns_autoclose int out =
	    openat(ddir, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, st->st_mode & 07777);
	if (out < 0)
		return ns_err_sys(err, errno, "create %s", name);
	char buf[65536];
	ssize_t n;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (ns_write_full(out, buf, (size_t)n) < 0)
			return ns_err_sys(err, errno, "write %s", name);
	if (n < 0)
		return ns_err_sys(err, errno, "read %s", name);
	if (fchown(out, st->st_uid, st->st_gid) < 0 || fchmod(out, st->st_mode & 07777) < 0)
		return ns_err_sys(err, errno, "chown %s", name);
	return 0;
}

/* Moves the entries of sdir (on device dev) into ddir; entries on other devices (mount
 * points) and skip (our new root) stay. */
static int move_tree(int sdir, int ddir, dev_t dev, const char *skip, struct ns_err *err)
{
	DIR *d = fdopendir(dup(sdir));
	if (!d)
		return ns_err_sys(err, errno, "opendir");
	struct dirent *e;
	int r = 0;
	while (r == 0 && (e = readdir(d))) {
		const char *n = e->d_name;
		struct stat st;
		if (!strcmp(n, ".") || !strcmp(n, "..") || (skip && !strcmp(n, skip)))
			continue;
		if (fstatat(sdir, n, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			r = ns_err_sys(err, errno, "stat %s", n);
			break;
		}
		if (st.st_dev != dev)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (mkdirat(ddir, n, st.st_mode & 07777) < 0 && errno != EEXIST) {
				r = ns_err_sys(err, errno, "mkdir %s", n);
				break;
			}
			ns_autoclose int s2 = openat(sdir, n, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			ns_autoclose int d2 = openat(ddir, n, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (s2 < 0 || d2 < 0) {
				r = ns_err_sys(err, errno, "open %s", n);
				break;
			}
			r = move_tree(s2, d2, dev, NULL, err);
			if (r == 0 && (fchown(d2, st.st_uid, st.st_gid) < 0 ||
				       fchmod(d2, st.st_mode & 07777) < 0))
				r = ns_err_sys(err, errno, "chown %s", n);
			if (r == 0)
				(void)unlinkat(sdir, n,
					       AT_REMOVEDIR); /* busy when it holds a mount */
			continue;
		}
		if (S_ISREG(st.st_mode)) {
			r = copy_file(sdir, ddir, n, &st, err);
		} else if (S_ISLNK(st.st_mode)) {
			char target[4096];
			ssize_t len = readlinkat(sdir, n, target, sizeof(target) - 1);
			if (len < 0)
				r = ns_err_sys(err, errno, "readlink %s", n);
			else {
				target[len] = 0;
				if (symlinkat(target, ddir, n) < 0)
					r = ns_err_sys(err, errno, "symlink %s", n);
			}
		} else if (mknodat(ddir, n, st.st_mode, st.st_rdev) < 0) {
			r = ns_err_sys(err, errno, "mknod %s", n);
		}
		if (r == 0 && unlinkat(sdir, n, 0) < 0)
			r = ns_err_sys(err, errno, "remove %s", n);
	}
	closedir(d);
	return r;
}

/* Whether / is the rootfs mount itself (nothing was mounted over it). */
static bool root_is_rootfs(void)
{
	ns_autofclose FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[1024];
	if (!f) { /* no /proc yet: rootfs is a ramfs or tmpfs, a disk's root never */
		struct statfs sf;
		return statfs("/", &sf) == 0 &&
		       /* f_type is a signed int on 32-bit ABIs: compare the bits */
		       ((uint32_t)sf.f_type == (uint32_t)RAMFS_MAGIC ||
			(uint32_t)sf.f_type == (uint32_t)TMPFS_MAGIC);
	}
	while (fgets(line, sizeof(line), f)) {
		char mp[256], type[64];
		const char *sep = strstr(line, " - ");
		if (sep && sscanf(line, "%*s %*s %*s %*s %255s", mp) == 1 &&
		    sscanf(sep + 3, "%63s", type) == 1 && !strcmp(mp, "/"))
			return !strcmp(type, "rootfs");
	}
	return false;
}

int nsd_init_leave_rootfs(struct ns_err *err)
{
	struct stat st;
	if (!root_is_rootfs())
		return 0;
	if (stat("/", &st) < 0)
		return ns_err_sys(err, errno, "stat /");
	if (mkdir(NSD_INIT_NEWROOT, 0755) < 0 && errno != EEXIST)
		return ns_err_sys(err, errno, "mkdir %s", NSD_INIT_NEWROOT);
	if (mount("tmpfs", NSD_INIT_NEWROOT, "tmpfs", MS_NOSUID, "mode=0755") < 0)
		return ns_err_sys(err, errno, "mount a tmpfs on %s", NSD_INIT_NEWROOT);
	ns_autoclose int src = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ns_autoclose int dst = open(NSD_INIT_NEWROOT, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (src < 0 || dst < 0)
		return ns_err_sys(err, errno, "open the roots");
	int r = move_tree(src, dst, st.st_dev, NSD_INIT_NEWROOT + 1, err);
	if (r < 0)
		return ns_err_wrap(err, "move the initramfs into a tmpfs");
	/* as switch_root: the tmpfs becomes / and our root */
	if (fchdir(dst) < 0 || mount(".", "/", NULL, MS_MOVE, NULL) < 0 || chroot(".") < 0 ||
	    chdir("/") < 0)
		return ns_err_sys(err, errno, "switch to the new root");
	return 1;
}
