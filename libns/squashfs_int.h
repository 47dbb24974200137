/* Internals of the squashfs writer, shared by its files: the in-memory tree, the
 * output stream, the compressor, the metadata stream and the data writer. The
 * on-disk layout follows the kernel's squashfs 4.0 format. */
#ifndef NS_SQUASHFS_INT_H
#define NS_SQUASHFS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <zlib.h>

#include "bytes.h"
#include "err.h"
#include "fsextra.h"
#include "squashfs.h"

/* --- on-disk constants --------------------------------------------------------- */
#define SQ_MAGIC       0x73717368u
#define SQ_SUPER_SIZE  96
#define SQ_META_SIZE   8192
#define SQ_META_RAW    0x8000u	  /* metadata header: stored uncompressed */
#define SQ_BLOCK_RAW   (1u << 24) /* data block size word: stored uncompressed */
#define SQ_INVALID     UINT64_MAX
#define SQ_NO_FRAG     UINT32_MAX
#define SQ_NO_XATTR    UINT32_MAX
#define SQ_NAME_MAX    256
#define SQ_SYMLINK_MAX 4095 /* the kernel refuses targets beyond a page */
#define SQ_DIR_RUN_MAX 256
#define SQ_COMP_GZIP   1
#define SQ_ZLIB_LEVEL  9

#define SQ_FL_NOI	   0x0001
#define SQ_FL_NOD	   0x0002
#define SQ_FL_NOF	   0x0008
#define SQ_FL_NO_FRAGS	   0x0010
#define SQ_FL_ALWAYS_FRAGS 0x0020
#define SQ_FL_EXPORTABLE   0x0080
#define SQ_FL_NOX	   0x0100
#define SQ_FL_NO_XATTRS	   0x0200
#define SQ_FL_NO_ID_COMP   0x0800

/* inode types; the extended variant of a basic type is basic + 7 */
enum sq_itype {
	SQ_IT_DIR = 1,
	SQ_IT_REG,
	SQ_IT_SYMLINK,
	SQ_IT_BLK,
	SQ_IT_CHR,
	SQ_IT_FIFO,
	SQ_IT_SOCK,
};
#define SQ_IT_EXT 7

/* xattr name prefixes squashfs can store */
enum { SQ_XA_USER = 0, SQ_XA_TRUSTED = 1, SQ_XA_SECURITY = 2 };

/* --- the in-memory tree ---------------------------------------------------------- */
struct sq_xattr {
	char *name; /* full name ("user.a") */
	uint8_t *value;
	size_t len;
};

struct sq_node {
	char *name; /* "" for the root */
	struct sq_node *parent;
	enum sq_itype type;
	uint16_t mode; /* permission bits (07777) */
	uint32_t uid, gid;
	uint64_t size;	       /* regular files */
	uint32_t major, minor; /* devices */
	char *target;	       /* symlinks */
	const uint8_t *mem;    /* regular file content held in memory, or NULL: on disk */
	dev_t dev;	       /* on-disk identity, for hard links and change checks */
	ino_t ino;
	bool maybe_linked;	 /* st_nlink > 1 on disk */
	struct sq_node *link;	 /* hard link: the node that carries the inode */
	struct sq_xattr *xattrs; /* sorted by name */
	size_t nxattrs;
	struct sq_node **kids; /* directories, sorted by name once built */
	size_t nkids, capkids;

	/* filled while writing */
	uint32_t nlink;
	uint32_t inum;
	uint32_t xattr_id;
	uint64_t iref; /* inode reference: block << 16 | offset */
	bool written;
	uint64_t start;	  /* first data block */
	uint32_t *blocks; /* size words of the data blocks */
	uint32_t frag, frag_off;
	uint64_t sparse; /* bytes of all-zero blocks left out */
};

struct sq_tree {
	struct sq_node *root;
	char *src; /* source directory, or NULL when every file is in memory */
	uint32_t count;
	bool no_xattrs;
};

int sq_tree_init(struct sq_tree *t, struct ns_err *err);
void sq_tree_free(struct sq_tree *t);
struct sq_node *sq_node_new(struct sq_node *parent, const char *name, enum sq_itype type,
			    struct ns_err *err);
/* The child of dir called name, or NULL (linear before sorting, binary after). */
struct sq_node *sq_node_child(const struct sq_node *dir, const char *name);
int sq_node_set_xattr(struct sq_node *n, const char *name, const void *val, size_t len,
		      struct ns_err *err);
/* The path of n inside the image ("/a/b"), or the source path when src is given. */
int sq_node_path(const struct sq_node *n, const char *src, char *buf, size_t size);

/* Fills t from the directory src. */
int sq_scan(struct sq_tree *t, const char *src, bool no_xattrs, struct ns_err *err);
/* Merges the extra entries into t. */
int sq_merge_extras(struct sq_tree *t, const struct ns_fsx_list *x, struct ns_err *err);
/* Sorts every directory, links hard links, numbers the inodes in the order the
 * inode table holds them, and applies forced ids. Checks the format's limits. */
int sq_tree_finish(struct sq_tree *t, const struct ns_sqfs_opts *o, struct ns_err *err);

/* --- output and compression --------------------------------------------------------- */
struct sq_out {
	int fd;
	uint64_t base; /* fd offset of the image start */
	uint64_t pos;  /* image bytes written or buffered */
	uint8_t *buf;
	size_t fill;
};

int sq_out_init(struct sq_out *o, int fd, struct ns_err *err);
int sq_out_write(struct sq_out *o, const void *p, size_t len, struct ns_err *err);
int sq_out_flush(struct sq_out *o, struct ns_err *err);
void sq_out_free(struct sq_out *o);

struct sq_comp {
	enum ns_sqfs_comp kind;
	z_stream zs;
	bool ready;
};

int sq_comp_init(struct sq_comp *c, enum ns_sqfs_comp kind, struct ns_err *err);
void sq_comp_free(struct sq_comp *c);
/* Compresses in into out (cap bytes). Returns the compressed size, 0 when the data
 * should be stored as it is (no smaller, or no compression), or -errno. */
int sq_compress(struct sq_comp *c, const uint8_t *in, size_t len, uint8_t *out, size_t cap);

/* A metadata stream: 8 KiB chunks, each compressed with a 2-byte header. */
struct sq_meta {
	struct sq_comp *comp;
	uint8_t *out; /* finished blocks */
	size_t len, cap;
	uint8_t cur[SQ_META_SIZE];
	size_t fill;
	uint64_t total; /* uncompressed bytes added */
};

void sq_meta_init(struct sq_meta *m, struct sq_comp *c);
void sq_meta_free(struct sq_meta *m);
static inline uint64_t sq_meta_ref(const struct sq_meta *m)
{
	return ((uint64_t)m->len << 16) | m->fill;
}
int sq_meta_add(struct sq_meta *m, const void *p, size_t len, struct ns_err *err);
int sq_meta_finish(struct sq_meta *m, struct ns_err *err);
/* Writes a lookup table (metadata blocks, then hdr if any, then the blocks' u64
 * locations) and returns the offset of hdr, or of the locations, in *ret_start. */
int sq_write_table(struct sq_out *out, struct sq_comp *c, const uint8_t *data, size_t len,
		   const void *hdr, size_t hdr_len, uint64_t *ret_start, struct ns_err *err);

/* --- file data and fragments -------------------------------------------------------- */
struct sq_frag_entry {
	uint64_t start;
	uint32_t size;
};

struct sq_data;
int sq_data_new(struct sq_data **ret, struct sq_out *out, const struct ns_sqfs_opts *o,
		struct ns_err *err);
/* Queues the content of one regular file (n->link == NULL). */
int sq_data_add(struct sq_data *d, struct sq_node *n, const char *src, struct ns_err *err);
/* Writes every queued block and the last fragment. */
int sq_data_finish(struct sq_data *d, struct ns_err *err);
const struct sq_frag_entry *sq_data_frags(const struct sq_data *d, uint32_t *ret_n);
void sq_data_free(struct sq_data *d);

/* --- ids and xattrs ------------------------------------------------------------------ */
struct sq_ids {
	uint32_t *ids; /* sorted */
	size_t n;
};
int sq_ids_collect(struct sq_ids *ids, const struct sq_tree *t, struct ns_err *err);
uint16_t sq_ids_index(const struct sq_ids *ids, uint32_t id);

struct sq_xattrs;
/* Gives every node with xattrs an xattr id (identical sets share one). */
int sq_xattrs_build(struct sq_xattrs **ret, struct sq_tree *t, struct ns_err *err);
uint32_t sq_xattrs_count(const struct sq_xattrs *x);
int sq_xattrs_write(struct sq_xattrs *x, struct sq_out *out, struct sq_comp *c, uint64_t *ret_start,
		    struct ns_err *err);
void sq_xattrs_free(struct sq_xattrs *x);

/* --- inode and directory tables -------------------------------------------------------- */
struct sq_tables {
	struct sq_meta inodes, dirs;
	uint64_t *export; /* inode reference by inode number - 1 */
};
int sq_tables_build(struct sq_tables *tb, struct sq_tree *t, const struct sq_ids *ids,
		    const struct ns_sqfs_opts *o, struct sq_comp *c, struct ns_err *err);
void sq_tables_free(struct sq_tables *tb);

/* Writes the image of an already finished tree (t's data from disk or memory). */
int sq_write_tree(struct sq_tree *t, const struct ns_sqfs_opts *o, int out_fd, uint64_t *ret_size,
		  struct ns_err *err);

#endif
