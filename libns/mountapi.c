#include "mountapi.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"

/* Toolchains older than the kernel (musl, old glibc headers) may lack these. The
 * numbers of system calls added after 4.20 are the same on every architecture. */
#ifndef SYS_open_tree
#define SYS_open_tree 428
#endif
#ifndef SYS_move_mount
#define SYS_move_mount 429
#endif
#ifndef SYS_fsopen
#define SYS_fsopen 430
#endif
#ifndef SYS_fsconfig
#define SYS_fsconfig 431
#endif
#ifndef SYS_fsmount
#define SYS_fsmount 432
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif
#define NS_OPEN_TREE_CLONE     1u
#define NS_MOVE_MOUNT_F_EMPTY  0x04u
#define NS_MOVE_MOUNT_T_EMPTY  0x40u
#define NS_FSOPEN_CLOEXEC      1u
#define NS_FSMOUNT_CLOEXEC     1u
#define NS_FSCONFIG_SET_FLAG   0u
#define NS_FSCONFIG_SET_STRING 1u
#define NS_FSCONFIG_CMD_CREATE 6u

struct ns_mount_attr {
	uint64_t attr_set, attr_clr, propagation, userns_fd;
};

/* Appends the messages the kernel queued on a filesystem context ("e tmpfs: Bad value
 * for 'size'") to err, which already names the failed step. */
static void append_fs_log(int fsfd, struct ns_err *err)
{
	char line[256];
	for (int i = 0; i < 8; i++) {
		ssize_t n = read(fsfd, line, sizeof(line) - 1);
		if (n <= 0)
			return;
		while (n > 0 && line[n - 1] == '\n')
			n--;
		line[n] = '\0';
		size_t len = strlen(err->msg);
		snprintf(err->msg + len, sizeof(err->msg) - len, " (kernel: %s)",
			 n > 2 && line[1] == ' ' ? line + 2 : line);
	}
}

int ns_mnt_clone(int fd, bool recursive, const char *what, struct ns_err *err)
{
	unsigned flags = NS_OPEN_TREE_CLONE | O_CLOEXEC | AT_EMPTY_PATH;
	if (recursive)
		flags |= AT_RECURSIVE;
	long t = syscall(SYS_open_tree, fd, "", flags);
	if (t < 0)
		return ns_err_sys(err, errno, "%s: clone the mount (open_tree)", what);
	return (int)t;
}

static int fs_configure(int fsfd, const char *const *opts, const char *fstype, struct ns_err *err)
{
	for (; opts && opts[0]; opts += 2) {
		const char *key = opts[0], *value = opts[1];
		long r = value ? syscall(SYS_fsconfig, fsfd, NS_FSCONFIG_SET_STRING, key, value, 0)
			       : syscall(SYS_fsconfig, fsfd, NS_FSCONFIG_SET_FLAG, key, NULL, 0);
		if (r < 0) {
			ns_err_sys(err, errno, "%s: option '%s%s%.64s'", fstype, key,
				   value ? "=" : "", value ? value : "");
			append_fs_log(fsfd, err);
			return ns_err_ret(err);
		}
	}
	if (syscall(SYS_fsconfig, fsfd, NS_FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
		ns_err_sys(err, errno, "%s: create the filesystem", fstype);
		append_fs_log(fsfd, err);
		return ns_err_ret(err);
	}
	return 0;
}

int ns_mnt_fresh(const char *fstype, const char *const *opts, unsigned attrs, const char *what,
		 struct ns_err *err)
{
	ns_autoclose int fsfd = (int)syscall(SYS_fsopen, fstype, NS_FSOPEN_CLOEXEC);
	if (fsfd < 0)
		return ns_err_sys(err, errno, "%s: open a %s filesystem (fsopen)", what, fstype);
	/* The source mount(8) would give ("proc /proc proc ..."), not "none": tools and
	 * Northstar's own tests read it from /proc/mounts. */
	if (syscall(SYS_fsconfig, fsfd, NS_FSCONFIG_SET_STRING, "source", fstype, 0) < 0)
		return ns_err_sys(err, errno, "%s: name the %s filesystem's source", what, fstype);
	if (fs_configure(fsfd, opts, fstype, err) < 0)
		return ns_err_wrap(err, "%s", what);
	long m = syscall(SYS_fsmount, fsfd, NS_FSMOUNT_CLOEXEC, attrs);
	if (m < 0) {
		ns_err_sys(err, errno, "%s: mount the %s filesystem (fsmount)", what, fstype);
		append_fs_log(fsfd, err);
		return ns_err_ret(err);
	}
	return (int)m;
}

int ns_mnt_attach(int mntfd, int targetfd, const char *what, struct ns_err *err)
{
	if (syscall(SYS_move_mount, mntfd, "", targetfd, "",
		    NS_MOVE_MOUNT_F_EMPTY | NS_MOVE_MOUNT_T_EMPTY) < 0)
		return ns_err_sys(err, errno, "%s: attach the mount (move_mount)", what);
	return 0;
}

int ns_mnt_get_attrs(int fd, unsigned *attrs, struct ns_err *err)
{
	struct statvfs sv;
	if (fstatvfs(fd, &sv) < 0)
		return ns_err_sys(err, errno, "statvfs");
	unsigned a = 0;
	a |= (sv.f_flag & ST_RDONLY) ? NS_MNT_RDONLY : 0;
	a |= (sv.f_flag & ST_NOSUID) ? NS_MNT_NOSUID : 0;
	a |= (sv.f_flag & ST_NODEV) ? NS_MNT_NODEV : 0;
	a |= (sv.f_flag & ST_NOEXEC) ? NS_MNT_NOEXEC : 0;
	*attrs = a;
	return 0;
}

/* Kernels before 5.12: MS_REMOUNT|MS_BIND sets the whole flag word, so the flags the
 * mount already has (statvfs) are passed along with the new ones. */
static int remount_add_attrs(int mntfd, unsigned attrs, const char *what, struct ns_err *err)
{
	struct statvfs sv;
	if (fstatvfs(mntfd, &sv) < 0)
		return ns_err_sys(err, errno, "%s: statvfs", what);
	unsigned long keep =
	    ST_RDONLY | ST_NOSUID | ST_NODEV | ST_NOEXEC | ST_NOATIME | ST_NODIRATIME | ST_RELATIME;
	unsigned long flags = MS_BIND | MS_REMOUNT | (sv.f_flag & keep);
	flags |= (attrs & NS_MNT_RDONLY) ? MS_RDONLY : 0;
	flags |= (attrs & NS_MNT_NOSUID) ? MS_NOSUID : 0;
	flags |= (attrs & NS_MNT_NODEV) ? MS_NODEV : 0;
	flags |= (attrs & NS_MNT_NOEXEC) ? MS_NOEXEC : 0;
	char proc[64];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", mntfd);
	if (mount(NULL, proc, NULL, flags, NULL) < 0)
		return ns_err_sys(err, errno, "%s: remount with its flags", what);
	return 0;
}

int ns_mnt_add_attrs(struct ns_mount_ctx *ctx, int mntfd, unsigned attrs, bool recursive,
		     const char *what, struct ns_err *err)
{
	if (!ctx->no_setattr) {
		struct ns_mount_attr a = {.attr_set = attrs};
		unsigned flags = AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0);
		if (syscall(SYS_mount_setattr, mntfd, "", flags, &a, sizeof(a)) == 0)
			return 0;
		if (errno != ENOSYS)
			return ns_err_sys(err, errno, "%s: set mount flags (mount_setattr)", what);
		ctx->no_setattr = true;
	}
	if (recursive)
		return ns_err_set(err, ENOSYS,
				  "%s: a recursive bind needs mount_setattr (Linux 5.12) to "
				  "apply its flags to the submounts",
				  what);
	return remount_add_attrs(mntfd, attrs, what, err);
}

static int check_attrs(int mntfd, unsigned want, const char *what, struct ns_err *err)
{
	unsigned got = 0;
	if (ns_mnt_get_attrs(mntfd, &got, err) < 0)
		return ns_err_wrap(err, "%s", what);
	if ((got & want) != want)
		return ns_err_set(err, EIO,
				  "%s: the kernel did not apply the mount flags 0x%x (has 0x%x)",
				  what, want, got);
	return 0;
}

int ns_mnt_bind(struct ns_mount_ctx *ctx, int srcfd, int targetfd, unsigned attrs, bool recursive,
		const char *what, struct ns_err *err)
{
	ns_autoclose int tree = ns_mnt_clone(srcfd, recursive, what, err);
	if (tree < 0)
		return tree;
	if (ns_mnt_attach(tree, targetfd, what, err) < 0)
		return ns_err_ret(err);
	if (ns_mnt_add_attrs(ctx, tree, attrs, recursive, what, err) < 0)
		return ns_err_ret(err);
	if (check_attrs(tree, attrs, what, err) < 0)
		return ns_err_ret(err);
	return ns_steal_fd(&tree);
}

int ns_mnt_fresh_at(const char *fstype, const char *const *opts, unsigned attrs, int targetfd,
		    const char *what, struct ns_err *err)
{
	ns_autoclose int mnt = ns_mnt_fresh(fstype, opts, attrs, what, err);
	if (mnt < 0)
		return mnt;
	if (ns_mnt_attach(mnt, targetfd, what, err) < 0)
		return ns_err_ret(err);
	if (check_attrs(mnt, attrs, what, err) < 0)
		return ns_err_ret(err);
	return ns_steal_fd(&mnt);
}
