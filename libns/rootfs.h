/* The container's view: ns-init builds the container's root from a plan and
 * pivot_roots into it. The daemon resolves every host path of the plan (image root,
 * bind hosts, persist and socket directories, resource roots); ns-init, in a fresh
 * mount, UTS and network namespace that still sees a private copy of the host's mount
 * tree, calls ns_rootfs_enter. docs/rootfs.md describes each mount and its flags. */
#ifndef NS_ROOTFS_H
#define NS_ROOTFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "manifest.h"

struct ns_rootfs_mount {
	enum ns_mount_type type;
	const char *target; /* clean absolute path in the container */
	/* Host path: bind: the host path; persist: data_dir/<name> (its last component is
	 * never followed); sockets: the socket directory; resource: the root of the
	 * resource's mounted image. NULL for proc, sysfs, tmpfs and dev. */
	const char *source;
	const char *subdir; /* resource: the manifest's dir, resolved beneath source */
	unsigned options;   /* NS_MOPT_*: bind, resource */
	uint64_t size;	    /* tmpfs, bytes (> 0) */
};

/* Test-only switches (the plain value is 0). */
enum {
	NS_ROOTFS_NO_MOUNT_SETATTR = 1 << 0, /* act as a kernel before 5.12 */
};

struct ns_rootfs_plan {
	const char *root; /* host path of the container's mounted image */
	const struct ns_rootfs_mount *mounts;
	size_t nmounts;	      /* any order: mounted parents first */
	const char *hostname; /* set in the new UTS namespace; NULL keeps it */
	struct ns_network network;
	const char *netns_dir;	     /* where named netns live; NULL: "/run/netns" */
	const char *selinux_context; /* context= for the tmpfs mounts we create, or NULL */
	unsigned quirks;	     /* NS_ROOTFS_* test switches */
};

/* In a fresh mount namespace (refused in the host's): joins or prepares the network,
 * sets the hostname, makes the mount tree private, mounts the image root and every
 * plan mount beneath it, locks the root down (ro, nosuid, nodev) and pivot_roots.
 * Afterwards "/" is the container root, the cwd is "/", and nothing of the host's
 * mount tree is reachable. */
int ns_rootfs_enter(const struct ns_rootfs_plan *p, struct ns_err *err);

/* Checks targets (clean, absolute, not "/", no duplicates) and per-type fields. */
int ns_rootfs_plan_check(const struct ns_rootfs_plan *p, struct ns_err *err);

/* Mount order: parents before children (path depth, then bytes). Fills order[] with
 * indexes into p->mounts. */
void ns_rootfs_mount_order(const struct ns_rootfs_plan *p, size_t *order);

#endif
