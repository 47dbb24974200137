/* The stored-only zip subset NPKs use.
 *
 * The reader is strict: anything Northstar's packer would never write (compression,
 * ZIP64, data descriptors, encryption, multiple disks, odd names, duplicate names,
 * entries out of bounds, overlapping or leaving unowned gaps, central records that
 * disagree with local headers, trailing bytes) is refused with a message naming the
 * entry or offset. The data offset comes from the LOCAL header's name and extra
 * lengths, so both padding styles work: zip 2.x's 0xA11E field (local and central)
 * and zip 0.6's local-only "za" field.
 *
 * The writer produces the bytes of Rust's zip 2.2.0 as Northstar uses it: stored,
 * 1980-01-01 timestamps, version 1.0, Unix mode 0644, and optional data alignment with
 * the APPNOTE 0xA11E field repeated in the central record. */
#ifndef NS_ZIP_H
#define NS_ZIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define NS_ZIP_MAX_ENTRIES 16
#define NS_ZIP_NAME_MAX	   255
#define NS_ZIP_COMMENT_MAX 4096

struct ns_zip_entry {
	char name[NS_ZIP_NAME_MAX + 1];
	uint64_t lfh_offset;  /* local file header */
	uint64_t data_offset; /* from the LOCAL header's name and extra lengths */
	uint64_t size;	      /* stored: compressed size == uncompressed size */
	uint32_t crc;
};

struct ns_zip {
	struct ns_zip_entry entries[NS_ZIP_MAX_ENTRIES]; /* central directory order */
	size_t n;
	char comment[NS_ZIP_COMMENT_MAX + 1]; /* exact bytes, NUL-terminated */
	size_t comment_len;
	uint64_t cd_offset, cd_size;
};

/* Parses the end record, the central directory and every local header of the
 * file_size bytes at fd. Reads none of the entries' data. */
int ns_zip_open(int fd, uint64_t file_size, struct ns_zip *z, struct ns_err *err);
const struct ns_zip_entry *ns_zip_find(const struct ns_zip *z, const char *name);
/* Reads an entry whole (EFBIG beyond max bytes), NUL-terminates it and checks its
 * CRC-32. */
int ns_zip_read_entry(int fd, const struct ns_zip_entry *e, size_t max, char **ret, size_t *ret_len,
		      struct ns_err *err);
/* Streams an entry's data and compares its CRC-32 with the recorded one. */
int ns_zip_check_crc(int fd, const struct ns_zip_entry *e, struct ns_err *err);
/* CRC-32 of len bytes of fd at off. */
int ns_zip_crc_range(int fd, uint64_t off, uint64_t len, uint32_t *crc, struct ns_err *err);
/* Copies every entry into the directory dirfd under its own name, CRC-checked. Names
 * were validated at open (no '/', no "..", no NUL), and files are created with
 * O_EXCL | O_NOFOLLOW, so nothing lands outside dirfd or through a planted link. */
int ns_zip_extract(int fd, const struct ns_zip *z, int dirfd, struct ns_err *err);

/* Writer. Entries are appended in order with begin / write or copy / end; the local
 * header is patched with the CRC and size when the entry ends. Offsets and sizes must
 * stay below 4 GiB (no ZIP64, as Northstar writes). */
struct ns_zip_wentry {
	char name[NS_ZIP_NAME_MAX + 1];
	uint64_t lfh_offset, size;
	uint32_t crc;
	uint16_t pad; /* length of the 0xA11E extra field, 0 for none */
	uint16_t align;
};

struct ns_zip_writer {
	int fd; /* written with pwrite from offset 0; not owned */
	uint64_t off;
	struct ns_zip_wentry e[NS_ZIP_MAX_ENTRIES];
	size_t n;
	bool open; /* an entry is between begin and end */
};

void ns_zip_writer_init(struct ns_zip_writer *w, int fd);
/* align: 0 or 1 for none, else the data starts at a multiple of it (at most 4096). */
int ns_zip_writer_begin(struct ns_zip_writer *w, const char *name, uint16_t align,
			struct ns_err *err);
int ns_zip_writer_write(struct ns_zip_writer *w, const void *data, size_t len, struct ns_err *err);
/* Appends len bytes of in at in_off. */
int ns_zip_writer_copy(struct ns_zip_writer *w, int in, uint64_t in_off, uint64_t len,
		       struct ns_err *err);
int ns_zip_writer_end(struct ns_zip_writer *w, struct ns_err *err);
/* begin + write + end. */
int ns_zip_writer_add(struct ns_zip_writer *w, const char *name, const void *data, size_t len,
		      struct ns_err *err);
/* Writes the central directory and the end record with the archive comment. */
int ns_zip_writer_finish(struct ns_zip_writer *w, const char *comment, size_t comment_len,
			 struct ns_err *err);

#endif
