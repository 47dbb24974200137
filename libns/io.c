#include "io.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

ssize_t ns_read_full(int fd, void *buf, size_t len)
{
	size_t done = 0;
	while (done < len) {
		ssize_t n = read(fd, (char *)buf + done, len - done);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

int ns_write_full(int fd, const void *buf, size_t len)
{
	size_t done = 0;
	while (done < len) {
		ssize_t n = write(fd, (const char *)buf + done, len - done);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		done += (size_t)n;
	}
	return 0;
}

ssize_t ns_pread_full(int fd, void *buf, size_t len, uint64_t off)
{
	size_t done = 0;
	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done, (off_t)(off + done));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

int ns_pwrite_full(int fd, const void *buf, size_t len, uint64_t off)
{
	size_t done = 0;
	while (done < len) {
		ssize_t n = pwrite(fd, (const char *)buf + done, len - done, (off_t)(off + done));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		done += (size_t)n;
	}
	return 0;
}

int ns_read_fd(int fd, size_t max, char **ret_buf, size_t *ret_len, struct ns_err *err)
{
	size_t cap = 4096, len = 0;
	ns_autofree char *buf = malloc(cap + 1);
	if (!buf)
		return ns_err_set(err, ENOMEM, "out of memory");
	for (;;) {
		if (len == cap) {
			if (cap > max)
				return ns_err_set(err, EFBIG, "larger than %zu bytes", max);
			size_t ncap = cap * 2;
			char *nb = realloc(buf, ncap + 1);
			if (!nb)
				return ns_err_set(err, ENOMEM, "out of memory");
			buf = nb;
			cap = ncap;
		}
		ssize_t n = read(fd, buf + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return ns_err_sys(err, errno, "read");
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max)
			return ns_err_set(err, EFBIG, "larger than %zu bytes", max);
	}
	buf[len] = '\0';
	*ret_len = len;
	*ret_buf = ns_steal_ptr(&buf);
	return 0;
}

int ns_read_file_at(int dirfd, const char *path, size_t max, char **ret_buf, size_t *ret_len,
		    struct ns_err *err)
{
	ns_autoclose int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return ns_err_sys(err, errno, "open '%s'", path);
	if (ns_read_fd(fd, max, ret_buf, ret_len, err) < 0)
		return ns_err_wrap(err, "'%s'", path);
	return 0;
}

int ns_write_file_atomic(const char *path, const void *data, size_t len, unsigned mode,
			 struct ns_err *err)
{
	char tmp[PATH_MAX];
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid()) >= (int)sizeof(tmp))
		return ns_err_set(err, ENAMETOOLONG, "path too long: '%s'", path);
	ns_autoclose int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0)
		return ns_err_sys(err, errno, "create '%s'", tmp);
	int r = ns_write_full(fd, data, len);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0) {
		unlink(tmp);
		return ns_err_sys(err, -r, "write '%s'", path);
	}
	return 0;
}

int ns_write_string_at(int dirfd, const char *path, const char *s, struct ns_err *err)
{
	ns_autoclose int fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
	if (fd < 0)
		return ns_err_sys(err, errno, "open '%s'", path);
	size_t len = strlen(s);
	for (;;) {
		ssize_t n = write(fd, s, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return ns_err_sys(err, errno, "write '%s' to '%s'", s, path);
		if ((size_t)n != len)
			return ns_err_set(err, EIO, "short write of '%s' to '%s'", s, path);
		return 0;
	}
}

int ns_copy_fd(int in, int out, uint64_t len, struct ns_err *err)
{
	char buf[65536];
	while (len > 0) {
		size_t want = len < sizeof(buf) ? (size_t)len : sizeof(buf);
		ssize_t n = ns_read_full(in, buf, want);
		if (n < 0)
			return ns_err_sys(err, (int)-n, "read");
		if (n == 0)
			return ns_err_set(err, EIO, "unexpected end of input");
		int r = ns_write_full(out, buf, (size_t)n);
		if (r < 0)
			return ns_err_sys(err, -r, "write");
		len -= (uint64_t)n;
	}
	return 0;
}
