/* Size and inode limits of persist directories, enforced by the kernel through project
 * quotas on data_dir's file system (ext4 with the `quota` and `project` features mounted
 * with `prjquota`, xfs with `pquota`). Each data_dir/<name> gets a project id of its own
 * in [NS_PERSIST_PROJID_BASE, +NS_PERSIST_PROJID_COUNT), tagged on the directory with
 * FS_XFLAG_PROJINHERIT so everything made in it inherits the id, and limited with
 * quotactl Q_SETQUOTA on PRJQUOTA (quotactl_fd, or quotactl on the block device from
 * /proc/self/mountinfo on kernels before 5.14). No external tool is involved. */
#ifndef NS_PERSIST_QUOTA_H
#define NS_PERSIST_QUOTA_H

#include <stdint.h>

#include "err.h"

/* "NS" in the high half: ids an operator's own projects are unlikely to use. */
#define NS_PERSIST_PROJID_BASE	0x4e530000u
#define NS_PERSIST_PROJID_COUNT 0x10000u

struct ns_persist_usage {
	uint32_t projid;		    /* 0: the directory has no project of ours */
	uint64_t size_limit, size_used;	    /* bytes; limit 0: none */
	uint64_t inodes_limit, inodes_used; /* limit 0: none */
};

/* 0 when data_dir's file system enforces project quotas; otherwise an error naming
 * data_dir and what is missing. */
int ns_persist_quota_check(const char *data_dir, struct ns_err *err);

/* Gives data_dir/<name>, open as dirfd, a project of its own and the limits size
 * (bytes, 0: none) and inodes (0: none). The id is kept when the directory already has
 * one of ours that no other entry of data_dir uses; otherwise a free one is chosen
 * (starting from a hash of the name) and everything already in the directory is moved
 * to it, without following symlinks, the directory itself last. Writes the id to
 * *ret_projid when not NULL. */
int ns_persist_quota_apply(const char *data_dir, const char *name, int dirfd, uint64_t size,
			   uint64_t inodes, uint32_t *ret_projid, struct ns_err *err);

/* The project, limits and usage of data_dir/<name>; all 0 when it is missing or has no
 * project of ours. */
int ns_persist_quota_usage(const char *data_dir, const char *name, struct ns_persist_usage *u,
			   struct ns_err *err);

/* Bytes an unprivileged writer can still allocate on data_dir's file system. */
int ns_persist_free_space(const char *data_dir, uint64_t *ret, struct ns_err *err);

#endif
