/* Driving an outside mksquashfs, as Northstar's sextant does: the packed root plus
 * the manifest's extra entries as pseudo definitions. sextant's native squashfs
 * writer (squashfs.h) is the default; this stays as `--mksquashfs BIN`. */
#ifndef NS_MKSQUASHFS_H
#define NS_MKSQUASHFS_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "fsextra.h"

struct ns_mksquashfs_opts {
	const char *bin;	 /* "mksquashfs" or a path */
	const char *root;	 /* directory to pack; NULL packs nothing but the extras */
	uint32_t uid, gid;	 /* forced on every inode */
	const char *compression; /* gzip (default), lzo, xz, zstd, or none */
	uint32_t block_size;	 /* 0: mksquashfs's default */
	bool no_fragments;
	bool has_mtime; /* every timestamp set to mtime (SOURCE_DATE_EPOCH) */
	uint32_t mtime;
};

/* "mksquashfs version 4.5.1 (2022/03/17)" -> 4, 5. */
int ns_mksquashfs_version(const char *bin, unsigned *major, unsigned *minor, struct ns_err *err);

/* Writes the image to out_path (replaced). xattr (SELinux label) lines are passed
 * only to mksquashfs 4.6 and later; 4.5 cannot read them. */
int ns_mksquashfs(const struct ns_mksquashfs_opts *o, const struct ns_fsx_list *extras,
		  const char *out_path, struct ns_err *err);

#endif
