/* Whole reads and writes that survive EINTR and short transfers. */
#ifndef NS_IO_H
#define NS_IO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"

/* Reads up to len bytes, stopping early only at EOF. Returns bytes read or -errno. */
ssize_t ns_read_full(int fd, void *buf, size_t len);
/* Writes all len bytes. Returns 0 or -errno. */
int ns_write_full(int fd, const void *buf, size_t len);
/* pread/pwrite that loop until done (pread stops at EOF). */
ssize_t ns_pread_full(int fd, void *buf, size_t len, uint64_t off);
int ns_pwrite_full(int fd, const void *buf, size_t len, uint64_t off);

/* Reads a whole file (at dirfd/path, or path when dirfd is AT_FDCWD) into a fresh
 * NUL-terminated buffer. Fails with EFBIG beyond max bytes. */
int ns_read_file_at(int dirfd, const char *path, size_t max, char **ret_buf, size_t *ret_len,
		    struct ns_err *err);
int ns_read_fd(int fd, size_t max, char **ret_buf, size_t *ret_len, struct ns_err *err);

/* Writes a file through a temporary name, fsync and rename, so readers see the old or
 * the new content, never a part. */
int ns_write_file_atomic(const char *path, const void *data, size_t len, unsigned mode,
			 struct ns_err *err);

/* Writes a short string to a file that exists (sysfs, cgroupfs, /proc). */
int ns_write_string_at(int dirfd, const char *path, const char *s, struct ns_err *err);

/* Copies exactly len bytes from in to out. */
int ns_copy_fd(int in, int out, uint64_t len, struct ns_err *err);

#endif
