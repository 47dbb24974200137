#include "path.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"

int ns_path_join(char *out, size_t size, const char *a, const char *b)
{
	size_t la = strlen(a);
	while (la > 1 && a[la - 1] == '/')
		la--;
	while (*b == '/')
		b++;
	int n;
	if (*b == '\0')
		n = snprintf(out, size, "%.*s", (int)la, a);
	else if (la == 1 && a[0] == '/')
		n = snprintf(out, size, "/%s", b);
	else
		n = snprintf(out, size, "%.*s/%s", (int)la, a, b);
	return (n < 0 || (size_t)n >= size) ? -ENAMETOOLONG : 0;
}

static bool component_is(const char *c, size_t len, const char *what)
{
	return len == strlen(what) && memcmp(c, what, len) == 0;
}

bool ns_path_is_clean_abs(const char *p)
{
	if (p[0] != '/')
		return false;
	if (p[1] == '\0')
		return true;
	const char *c = p + 1;
	for (;;) {
		const char *end = strchrnul(c, '/');
		size_t len = (size_t)(end - c);
		if (len == 0 || component_is(c, len, ".") || component_is(c, len, ".."))
			return false;
		if (*end == '\0')
			return true;
		c = end + 1;
	}
}

bool ns_path_has_dotdot(const char *p)
{
	const char *c = p;
	for (;;) {
		const char *end = strchrnul(c, '/');
		if (component_is(c, (size_t)(end - c), ".."))
			return true;
		if (*end == '\0')
			return false;
		c = end + 1;
	}
}

int ns_path_beneath(char *out, size_t size, const char *root, const char *p, struct ns_err *err)
{
	if (ns_path_has_dotdot(p))
		return ns_err_set(err, EINVAL, "path '%s' must not contain '..'", p);
	if (ns_path_join(out, size, root, p) < 0)
		return ns_err_set(err, ENAMETOOLONG, "path too long: '%s' beneath '%s'", p, root);
	return 0;
}

static int openat2_beneath(int rootfd, const char *rel, int flags)
{
	struct open_how how = {
	    .flags = (unsigned)(flags | O_CLOEXEC),
	    .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	if (flags & O_CREAT)
		how.mode = 0600;
	long fd = syscall(SYS_openat2, rootfd, rel, &how, sizeof(how));
	return fd < 0 ? -errno : (int)fd;
}

/* Fallback for kernels without openat2: walk one component at a time. */
static int walk_beneath(int rootfd, const char *rel, int flags)
{
	char buf[PATH_MAX];
	if (snprintf(buf, sizeof(buf), "%s", rel) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	ns_autoclose int dir = openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return -errno;
	char *save = NULL;
	char *c = strtok_r(buf, "/", &save);
	if (!c)
		return ns_steal_fd(&dir);
	while (c) {
		char *next = strtok_r(NULL, "/", &save);
		if (strcmp(c, "..") == 0)
			return -EXDEV;
		if (strcmp(c, ".") == 0) {
			c = next;
			continue;
		}
		int f = next ? (O_PATH | O_DIRECTORY) : flags;
		int fd = openat(dir, c, f | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0 && errno == ENOTDIR && next) {
			/* O_DIRECTORY|O_NOFOLLOW on a symlink says ENOTDIR: name the symlink,
			 * as openat2's RESOLVE_NO_SYMLINKS (ELOOP) does */
			struct stat st;
			if (fstatat(dir, c, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
				return -ELOOP;
			errno = ENOTDIR;
		}
		if (fd < 0)
			return errno == ELOOP ? -ELOOP : -errno;
		close(dir);
		dir = fd;
		c = next;
	}
	return ns_steal_fd(&dir);
}

int ns_open_beneath(int rootfd, const char *p, int flags, struct ns_err *err)
{
	const char *rel = p;
	while (*rel == '/')
		rel++;
	if (*rel == '\0')
		rel = ".";
	if (ns_path_has_dotdot(rel))
		return ns_err_set(err, EINVAL, "path '%s' must not contain '..'", p);
	int fd = openat2_beneath(rootfd, rel, flags);
	if (fd == -ENOSYS || fd == -EPERM /* openat2 filtered by a seccomp policy */)
		fd = walk_beneath(rootfd, rel, flags);
	if (fd == -ELOOP)
		return ns_err_set(err, ELOOP, "'%s' passes through a symlink", p);
	if (fd == -EXDEV)
		return ns_err_set(err, EXDEV, "'%s' leaves its root", p);
	if (fd < 0)
		return ns_err_sys(err, -fd, "open '%s'", p);
	return fd;
}

int ns_mkdir_beneath(int rootfd, const char *p, mode_t mode, int *ret_fd, struct ns_err *err)
{
	char buf[PATH_MAX];
	if (ns_path_has_dotdot(p))
		return ns_err_set(err, EINVAL, "path '%s' must not contain '..'", p);
	if (snprintf(buf, sizeof(buf), "%s", p) >= (int)sizeof(buf))
		return ns_err_set(err, ENAMETOOLONG, "path too long: '%s'", p);
	ns_autoclose int dir = fcntl(rootfd, F_DUPFD_CLOEXEC, 3);
	if (dir < 0)
		return ns_err_sys(err, errno, "dup");
	char *save = NULL;
	for (char *c = strtok_r(buf, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (strcmp(c, ".") == 0)
			continue;
		if (mkdirat(dir, c, mode) < 0 && errno != EEXIST)
			return ns_err_sys(err, errno, "mkdir '%s' in '%s'", c, p);
		int fd = openat(dir, c, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			if (errno == ELOOP || errno == ENOTDIR)
				return ns_err_set(err, ELOOP, "'%s' in '%s' is not a directory", c,
						  p);
			return ns_err_sys(err, errno, "open '%s' in '%s'", c, p);
		}
		close(dir);
		dir = fd;
	}
	if (ret_fd)
		*ret_fd = ns_steal_fd(&dir);
	return 0;
}

int ns_mkdir_p(const char *path, mode_t mode, struct ns_err *err)
{
	char buf[PATH_MAX];
	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return ns_err_set(err, ENAMETOOLONG, "path too long: '%s'", path);
	for (char *s = buf + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char saved = *s;
		*s = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return ns_err_sys(err, errno, "mkdir '%s'", buf);
		*s = saved;
		if (saved == '\0')
			break;
	}
	struct stat st;
	if (stat(path, &st) < 0)
		return ns_err_sys(err, errno, "stat '%s'", path);
	if (!S_ISDIR(st.st_mode))
		return ns_err_set(err, ENOTDIR, "'%s' is not a directory", path);
	return 0;
}

const char *ns_basename(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}
