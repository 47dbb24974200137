/* A squashfs 4.0 writer (the kernel's on-disk format), so packing an NPK needs no
 * mksquashfs. The image holds a source tree merged with the extra entries of an
 * NPK (fsextra.h), with every inode's mtime and, optionally, owner forced, and it is
 * padded to a multiple of 4096. The same tree and options give the same bytes. */
#ifndef NS_SQUASHFS_H
#define NS_SQUASHFS_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "fsextra.h"

enum ns_sqfs_comp {
	NS_SQFS_GZIP, /* zlib streams, level 9 (mksquashfs's gzip default) */
	NS_SQFS_NONE, /* every block stored uncompressed (mksquashfs -noI -noD -noF -noX) */
};

#define NS_SQFS_BLOCK_DEFAULT (128u * 1024)
#define NS_SQFS_BLOCK_MIN     4096u
#define NS_SQFS_BLOCK_MAX     (1024u * 1024)

struct ns_sqfs_opts {
	enum ns_sqfs_comp comp;
	uint32_t block_size; /* power of two, 4 KiB .. 1 MiB; 0 = 128 KiB */
	bool force_ids;	     /* every inode (extras too) gets uid/gid below */
	uint32_t uid, gid;
	uint32_t mtime;	   /* every inode and the superblock (SOURCE_DATE_EPOCH) */
	bool no_fragments; /* tails as short blocks: each data block belongs to one file */
	bool no_xattrs;	   /* ignore the source's xattrs (extras' labels are kept) */
	bool exports;	   /* write the NFS export table */
	unsigned threads;  /* compression threads; 0 = online CPUs */
};

/* Fills o with the defaults: gzip, 128 KiB, fragments, xattrs, no forced ids,
 * mtime 0, no export table, one thread per CPU. */
void ns_sqfs_opts_init(struct ns_sqfs_opts *o);

/* Writes the image of src_dir (NULL: an empty root, 0755) plus extras (may be NULL)
 * to out_fd, starting at out_fd's current offset (so it can go straight into a
 * container file); out_fd must be seekable. On success the offset is left at the
 * image's end and *ret_size (if non-NULL) holds its padded size. On failure part of
 * an image may have been written: use ns_sqfs_write_file to leave nothing behind.
 * An extra dir at a path that is a source dir sets its attributes (the extra wins);
 * an extra of another type replaces a source non-directory; it may not replace a
 * source directory. */
int ns_sqfs_write(const char *src_dir, const struct ns_fsx_list *extras,
		  const struct ns_sqfs_opts *o, int out_fd, uint64_t *ret_size, struct ns_err *err);

/* ns_sqfs_write into a temporary file beside out_path, fsync'ed and renamed over
 * out_path on success, removed on failure. */
int ns_sqfs_write_file(const char *src_dir, const struct ns_fsx_list *extras,
		       const struct ns_sqfs_opts *o, const char *out_path, uint64_t *ret_size,
		       struct ns_err *err);

#endif
