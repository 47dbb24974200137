/* Entries an NPK image needs beyond the packed root: the mount points of the
 * manifest's mounts, the /dev nodes of a `dev` mount and the /proc links (spec
 * npk-format §6.2). Both the native squashfs writer and the mksquashfs driver take
 * this list, so the two produce the same tree. */
#ifndef NS_FSEXTRA_H
#define NS_FSEXTRA_H

#include <stddef.h>
#include <stdint.h>

enum ns_fsx_type { NS_FSX_DIR, NS_FSX_CHR, NS_FSX_SYMLINK };

struct ns_fsx {
	const char *path; /* absolute, clean ("/dev/null"); parents come earlier in the list */
	enum ns_fsx_type type;
	uint32_t mode;	  /* permission bits only (0755, 0666, 0777) */
	uint32_t uid, gid;
	uint32_t major, minor; /* NS_FSX_CHR */
	const char *target;    /* NS_FSX_SYMLINK */
	const char *selinux;   /* security.selinux label, or NULL */
};

struct ns_fsx_list {
	struct ns_fsx *items;
	size_t n;
};

#endif
