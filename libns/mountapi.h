/* The file-descriptor mount API (open_tree, move_mount, fsopen/fsconfig/fsmount,
 * mount_setattr) behind small helpers that name what failed. Mounts are made on
 * descriptors, never on paths, so a symlink swapped in after a check cannot redirect
 * them. open_tree, move_mount and fsmount exist on every supported kernel (>= 5.2);
 * mount_setattr needs 5.12 and falls back to a bind remount. */
#ifndef NS_MOUNTAPI_H
#define NS_MOUNTAPI_H

#include <stdbool.h>

#include "err.h"

/* Mount attributes, the kernel's MOUNT_ATTR_* values. */
enum {
	NS_MNT_RDONLY = 0x1,
	NS_MNT_NOSUID = 0x2,
	NS_MNT_NODEV = 0x4,
	NS_MNT_NOEXEC = 0x8,
};
#define NS_MNT_LOCKDOWN (NS_MNT_RDONLY | NS_MNT_NOSUID | NS_MNT_NODEV | NS_MNT_NOEXEC)

/* State shared by the steps that build one container root. */
struct ns_mount_ctx {
	int rootfd;		     /* the new root, a mount; targets resolve beneath it */
	bool no_setattr;	     /* no mount_setattr: set on ENOSYS, or by tests */
	const char *selinux_context; /* context= for the filesystems we create, or NULL */
};

/* A detached copy of the mount at fd (a file or a directory), without its submounts
 * unless recursive. Returns the tree's fd. what names it in messages. */
int ns_mnt_clone(int fd, bool recursive, const char *what, struct ns_err *err);

/* A detached new filesystem: opts holds key, value pairs ending with a NULL key (a
 * NULL value sets a flag option); the kernel's own message is added to failures.
 * Returns the mount's fd. */
int ns_mnt_fresh(const char *fstype, const char *const *opts, unsigned attrs, const char *what,
		 struct ns_err *err);

/* Attaches the detached mount mntfd on top of targetfd (an O_PATH fd). */
int ns_mnt_attach(int mntfd, int targetfd, const char *what, struct ns_err *err);

/* Adds attrs (NS_MNT_*) to the attached mount whose root mntfd is, keeping the flags it
 * has. recursive also covers its submounts, which needs mount_setattr: without it
 * (ctx->no_setattr) a recursive request fails rather than leave submounts writable. */
int ns_mnt_add_attrs(struct ns_mount_ctx *ctx, int mntfd, unsigned attrs, bool recursive,
		     const char *what, struct ns_err *err);

/* Clones the mount holding srcfd (rooted at srcfd's file), attaches it on targetfd and
 * adds attrs, then checks the flags took. Returns the attached mount's fd, or < 0. */
int ns_mnt_bind(struct ns_mount_ctx *ctx, int srcfd, int targetfd, unsigned attrs, bool recursive,
		const char *what, struct ns_err *err);

/* A new filesystem (see ns_mnt_fresh) attached on targetfd. Returns its fd, or < 0. */
int ns_mnt_fresh_at(const char *fstype, const char *const *opts, unsigned attrs, int targetfd,
		    const char *what, struct ns_err *err);

/* The current NS_MNT_* flags of the mount holding fd. */
int ns_mnt_get_attrs(int fd, unsigned *attrs, struct ns_err *err);

#endif
