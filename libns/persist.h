/* Persist directories data_dir/<name>, shared by every version of a container. The
 * daemon prepares one on each start and wipes it on request, never following a
 * symlink planted at it or inside it (the CVE-2022-21658 class of races). */
#ifndef NS_PERSIST_H
#define NS_PERSIST_H

#include <sys/types.h>

#include "err.h"

/* Creates data_dir/<name> when missing, then sets it to mode 0700 owned by uid:gid
 * through a descriptor. A symlink or non-directory at data_dir/<name> is refused.
 * data_dir itself is the operator's and may be a symlink. With ret_fd, hands back an
 * O_RDONLY|O_DIRECTORY descriptor of the directory. */
int ns_persist_prepare(const char *data_dir, const char *name, uid_t uid, gid_t gid, int *ret_fd,
		       struct ns_err *err);

/* Removes data_dir/<name> and everything in it, through directory descriptors opened
 * with O_NOFOLLOW: a symlink anywhere is removed itself, its target never touched. A
 * symlink at data_dir/<name> is removed too. Missing: nothing to do. */
int ns_persist_wipe(const char *data_dir, const char *name, struct ns_err *err);

#endif
