/* Persist directories data_dir/<name>, shared by every version of a container. The
 * daemon prepares one on each start and wipes it on request, never following a
 * symlink planted at it or inside it (the CVE-2022-21658 class of races). */
#ifndef NS_PERSIST_H
#define NS_PERSIST_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "err.h"

/* Creates data_dir/<name> when missing, then sets it to mode 0700 owned by uid:gid
 * through a descriptor. A symlink or non-directory at data_dir/<name> is refused.
 * data_dir itself is the operator's and may be a symlink. With ret_fd, hands back an
 * O_RDONLY|O_DIRECTORY descriptor of the directory. */
int ns_persist_prepare(const char *data_dir, const char *name, uid_t uid, gid_t gid, int *ret_fd,
		       struct ns_err *err);

/* A wipe is two steps. First data_dir/<name> is renamed, in one rename(2) with
 * RENAME_NOREPLACE, to a tombstone: NS_PERSIST_TOMB_PREFIX and 16 random hex digits, a
 * name no container can have (':' is not in [0-9A-Za-z._-]). From then on the next
 * prepare of <name> makes a fresh empty directory, whatever happens to the tombstone.
 * Then the tombstone is deleted; a daemon that dies before that finishes it at start-up
 * (ns_persist_tombstones lists them). */
#define NS_PERSIST_TOMB_PREFIX ".wipe:"

/* True for a tombstone's name. */
bool ns_persist_is_tombstone(const char *name);

/* Renames data_dir/<name> to a fresh tombstone, written to tomb. Returns 1 when renamed,
 * 0 when there was nothing to rename (tomb set to ""). A symlink at data_dir/<name> is
 * renamed itself, never followed. */
int ns_persist_tombstone(const char *data_dir, const char *name, char *tomb, size_t size,
			 struct ns_err *err);

/* Undoes ns_persist_tombstone when what the wipe belonged to failed: renames tomb back to
 * name unless name exists again. */
int ns_persist_untombstone(const char *data_dir, const char *tomb, const char *name,
			   struct ns_err *err);

/* Removes the tombstone data_dir/<tomb> and everything in it, through directory
 * descriptors opened with O_NOFOLLOW: a symlink anywhere is removed itself, its target
 * never touched. Missing: nothing to do. Only tombstone names are accepted. */
int ns_persist_wipe_tombstone(const char *data_dir, const char *tomb, struct ns_err *err);

/* Both steps at once: removes data_dir/<name> and everything in it. */
int ns_persist_wipe(const char *data_dir, const char *name, struct ns_err *err);

/* The tombstones in data_dir: *ret holds *ret_n names (ns_persist_names_free). */
int ns_persist_tombstones(const char *data_dir, char ***ret, size_t *ret_n, struct ns_err *err);
void ns_persist_names_free(char **v, size_t n);

#endif
