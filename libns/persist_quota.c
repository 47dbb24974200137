#include "persist_quota.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/dqblk_xfs.h>
#include <linux/fs.h>
#include <linux/quota.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "util.h"

#ifndef SYS_quotactl_fd
#define SYS_quotactl_fd 443 /* the same on every architecture (5.14) */
#endif

/* Directories of an untagged tree deeper than this are refused: only data written
 * before the limit was configured needs the walk, and a descriptor per level is kept. */
#define TAG_MAX_DEPTH 128

static bool ours(uint32_t id)
{
	return id >= NS_PERSIST_PROJID_BASE &&
	       id - NS_PERSIST_PROJID_BASE < NS_PERSIST_PROJID_COUNT;
}

/* The block device of fd's file system, from its mount's source in mountinfo: what
 * quotactl wants where quotactl_fd is missing. */
static int quota_device(int fd, char *dev, size_t size)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -errno;
	ns_autofclose FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return -errno;
	char line[4096];
	while (fgets(line, sizeof(line), f)) {
		unsigned maj, min;
		char src[PATH_MAX];
		const char *sep = strstr(line, " - ");
		if (!sep || sscanf(line, "%*s %*s %u:%u", &maj, &min) != 2 ||
		    makedev(maj, min) != st.st_dev || sscanf(sep + 3, "%*s %4095s", src) != 1)
			continue;
		if (strlen(src) >= size)
			return -ENAMETOOLONG;
		strcpy(dev, src);
		return 0;
	}
	return -ENODEV;
}

/* quotactl on fd's file system for project id: quotactl_fd, or quotactl with the block
 * device on kernels without it. ENOSYS from quotactl_fd is also what a file system
 * without quota support answers; a call with fd -1 tells the two apart (EBADF). */
static int qctl(int fd, int cmd, uint32_t id, void *addr)
{
	int qcmd = QCMD(cmd, PRJQUOTA);
	if (syscall(SYS_quotactl_fd, fd, qcmd, id, addr) == 0)
		return 0;
	if (errno != ENOSYS)
		return -errno;
	if (syscall(SYS_quotactl_fd, -1, qcmd, id, addr) < 0 && errno != ENOSYS)
		return -ENOSYS; /* the call exists: the file system has no quotas */
	char dev[PATH_MAX];
	int r = quota_device(fd, dev, sizeof(dev));
	if (r < 0)
		return r;
	if (syscall(SYS_quotactl, qcmd, dev, id, addr) < 0)
		return -errno;
	return 0;
}

int ns_persist_quota_check(const char *data_dir, struct ns_err *err)
{
	static const char how[] = "(ext4: made with 'mkfs.ext4 -O quota,project' and mounted "
				  "with 'prjquota'; xfs: mounted with 'pquota')";
	ns_autoclose int fd = open(data_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return ns_err_sys(err, errno, "persist: open data directory '%s'", data_dir);
	struct fsxattr fa;
	if (ioctl(fd, FS_IOC_FSGETXATTR, &fa) < 0)
		return ns_err_set(
		    err, EOPNOTSUPP,
		    "persist: limits are configured but data_dir '%s' cannot enforce "
		    "them: its file system has no project ids (FS_IOC_FSGETXATTR: %s) %s",
		    data_dir, strerror(errno), how);
	struct fs_quota_statv st = {.qs_version = FS_QSTATV_VERSION1};
	int r = qctl(fd, Q_XGETQSTATV, 0, &st);
	if (r < 0)
		return ns_err_set(err, EOPNOTSUPP,
				  "persist: limits are configured but data_dir '%s' cannot enforce "
				  "them: its file system has no quotas (quotactl: %s) %s",
				  data_dir, strerror(-r), how);
	if (!(st.qs_flags & FS_QUOTA_PDQ_ENFD))
		return ns_err_set(
		    err, EOPNOTSUPP,
		    "persist: limits are configured but data_dir '%s' cannot enforce "
		    "them: project quotas are %s on its file system %s",
		    data_dir, st.qs_flags & FS_QUOTA_PDQ_ACCT ? "counted but not enforced" : "off",
		    how);
	return 0;
}

static int get_projid(int fd, struct fsxattr *fa)
{
	return ioctl(fd, FS_IOC_FSGETXATTR, fa) < 0 ? -errno : 0;
}

static int set_projid(int fd, uint32_t id, bool inherit)
{
	struct fsxattr fa;
	if (ioctl(fd, FS_IOC_FSGETXATTR, &fa) < 0)
		return -errno;
	fa.fsx_projid = id;
	if (inherit)
		fa.fsx_xflags |= FS_XFLAG_PROJINHERIT;
	return ioctl(fd, FS_IOC_FSSETXATTR, &fa) < 0 ? -errno : 0;
}

/* The ids of ours that entries of data_dir other than skip carry, as a bitmap. */
static int used_ids(int dfd, const char *skip, uint8_t *bits, struct ns_err *err)
{
	ns_autoclosedir DIR *d = ns_opendir_dup(dfd);
	if (!d)
		return ns_err_sys(err, errno, "persist: read data directory");
	errno = 0;
	for (struct dirent *e; (e = readdir(d)); errno = 0) {
		if (e->d_name[0] == '.' && (!e->d_name[1] || !strcmp(e->d_name, "..")))
			continue;
		if (!strcmp(e->d_name, skip) || (e->d_type != DT_DIR && e->d_type != DT_UNKNOWN))
			continue;
		ns_autoclose int fd =
		    openat(dfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		struct fsxattr fa;
		if (fd >= 0 && get_projid(fd, &fa) == 0 && ours(fa.fsx_projid)) {
			uint32_t i = fa.fsx_projid - NS_PERSIST_PROJID_BASE;
			bits[i / 8] |= (uint8_t)(1u << (i % 8));
		}
	}
	if (errno)
		return ns_err_sys(err, errno, "persist: read data directory");
	return 0;
}

/* FNV-1a: the same name starts from the same id on every machine. */
static uint32_t name_hash(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

struct tag {
	uint32_t id;
	const char *top; /* for messages */
};

/* Moves everything under fd to t->id: directories also inherit it; regular files are
 * opened without following links and without blocking; links, devices, fifos and
 * sockets keep their id (they hold no data blocks worth a limit, and opening a device
 * node is not ours to do). */
static int tag_dir(const struct tag *t, int fd, unsigned depth, struct ns_err *err)
{
	if (depth >= TAG_MAX_DEPTH)
		return ns_err_set(err, ELOOP,
				  "persist: '%s' is deeper than %u levels: cannot put it under its "
				  "quota",
				  t->top, TAG_MAX_DEPTH);
	ns_autoclosedir DIR *d = ns_opendir_dup(fd);
	if (!d)
		return ns_err_sys(err, errno, "persist: read directory in '%s'", t->top);
	errno = 0;
	for (struct dirent *e; (e = readdir(d)); errno = 0) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (e->d_type != DT_DIR && e->d_type != DT_REG && e->d_type != DT_UNKNOWN)
			continue;
		ns_autoclose int sub = openat(
		    fd, e->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
		struct stat st;
		if (sub < 0 || fstat(sub, &st) < 0 ||
		    (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)))
			continue;
		if (S_ISDIR(st.st_mode) && tag_dir(t, sub, depth + 1, err) < 0)
			return ns_err_ret(err);
		int r = set_projid(sub, t->id, S_ISDIR(st.st_mode));
		if (r < 0)
			return ns_err_set(err, -r, "persist: set project %u on '%s' in '%s': %s",
					  t->id, e->d_name, t->top, strerror(-r));
	}
	if (errno)
		return ns_err_sys(err, errno, "persist: read directory in '%s'", t->top);
	return 0;
}

static int choose_id(int dfd, const char *name, uint32_t cur, uint32_t *id, struct ns_err *err)
{
	ns_autofree uint8_t *bits = calloc(NS_PERSIST_PROJID_COUNT / 8, 1);
	if (!bits)
		return ns_err_set(err, ENOMEM, "out of memory");
	if (used_ids(dfd, name, bits, err) < 0)
		return ns_err_ret(err);
	uint32_t start =
	    ours(cur) ? cur - NS_PERSIST_PROJID_BASE : name_hash(name) % NS_PERSIST_PROJID_COUNT;
	for (uint32_t k = 0; k < NS_PERSIST_PROJID_COUNT; k++) {
		uint32_t i = (start + k) % NS_PERSIST_PROJID_COUNT;
		if (!(bits[i / 8] & (1u << (i % 8)))) {
			*id = NS_PERSIST_PROJID_BASE + i;
			return 0;
		}
	}
	return ns_err_set(err, ENOSPC, "persist: all %u project ids are in use",
			  NS_PERSIST_PROJID_COUNT);
}

int ns_persist_quota_apply(const char *data_dir, const char *name, int dirfd, uint64_t size,
			   uint64_t inodes, uint32_t *ret_projid, struct ns_err *err)
{
	char top[PATH_MAX];
	snprintf(top, sizeof(top), "%s/%s", data_dir, name);
	ns_autoclose int dfd = open(data_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return ns_err_sys(err, errno, "persist: open data directory '%s'", data_dir);
	struct fsxattr fa;
	int r = get_projid(dirfd, &fa);
	if (r < 0)
		return ns_err_set(err, -r, "persist: read the project of '%s': %s", top,
				  strerror(-r));
	uint32_t id = 0;
	if (choose_id(dfd, name, fa.fsx_projid, &id, err) < 0)
		return ns_err_ret(err);
	if (id != fa.fsx_projid || !(fa.fsx_xflags & FS_XFLAG_PROJINHERIT)) {
		/* contents first: a walk cut short is done again at the next start */
		struct tag t = {id, top};
		if (tag_dir(&t, dirfd, 0, err) < 0)
			return ns_err_ret(err);
		r = set_projid(dirfd, id, true);
		if (r < 0)
			return ns_err_set(err, -r, "persist: set project %u on '%s': %s", id, top,
					  strerror(-r));
	}
	struct if_dqblk q = {
	    .dqb_bhardlimit = size / QIF_DQBLKSIZE,
	    .dqb_ihardlimit = inodes,
	    .dqb_valid = QIF_LIMITS,
	};
	r = qctl(dirfd, Q_SETQUOTA, id, &q);
	if (r < 0)
		return ns_err_set(err, -r, "persist: set the quota of project %u ('%s'): %s", id,
				  top, strerror(-r));
	if (ret_projid)
		*ret_projid = id;
	return 0;
}

int ns_persist_quota_usage(const char *data_dir, const char *name, struct ns_persist_usage *u,
			   struct ns_err *err)
{
	memset(u, 0, sizeof(*u));
	ns_autoclose int dfd = open(data_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return ns_err_sys(err, errno, "persist: open data directory '%s'", data_dir);
	ns_autoclose int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct fsxattr fa;
	if (fd < 0 || get_projid(fd, &fa) < 0 || !ours(fa.fsx_projid))
		return 0;
	struct if_dqblk q = {0};
	int r = qctl(fd, Q_GETQUOTA, fa.fsx_projid, &q);
	if (r < 0)
		return ns_err_set(err, -r, "persist: read the quota of project %u ('%s/%s'): %s",
				  fa.fsx_projid, data_dir, name, strerror(-r));
	u->projid = fa.fsx_projid;
	u->size_limit = q.dqb_bhardlimit * QIF_DQBLKSIZE;
	u->size_used = q.dqb_curspace;
	u->inodes_limit = q.dqb_ihardlimit;
	u->inodes_used = q.dqb_curinodes;
	return 0;
}

int ns_persist_free_space(const char *data_dir, uint64_t *ret, struct ns_err *err)
{
	struct statvfs sv;
	if (statvfs(data_dir, &sv) < 0)
		return ns_err_sys(err, errno, "persist: statvfs '%s'", data_dir);
	*ret = (uint64_t)sv.f_bavail * sv.f_frsize;
	return 0;
}
