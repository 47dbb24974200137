#include "persist.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hostpath.h"
#include "libc_compat.h"
#include "util.h"

/* Deeper directories are moved up to the top of the tree rather than descended into,
 * so a hostile tree of any depth is wiped with a bounded number of open descriptors. */
#define WIPE_MAX_DEPTH 32

static bool name_ok(const char *name)
{
	return name && name[0] && strlen(name) <= NAME_MAX && !strchr(name, '/') &&
	       strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

static int open_data_dir(const char *data_dir, const char *name, struct ns_err *err)
{
	if (!name_ok(name))
		return ns_err_set(err, EINVAL, "persist: '%s' is not a plain directory name",
				  name ? name : "");
	/* the operator's setting, but below a directory a container can write no symlink
	 * of its making is followed (libns/hostpath.h) */
	ns_autoclose int dfd = ns_hostpath_open(data_dir, "data directory", err);
	if (dfd < 0)
		return ns_err_wrap(err, "persist: open data directory '%s'", data_dir);
	struct stat st;
	if (fstat(dfd, &st) < 0)
		return ns_err_sys(err, errno, "persist: stat data directory '%s'", data_dir);
	if (!S_ISDIR(st.st_mode))
		return ns_err_set(err, ENOTDIR, "persist: data directory '%s' is not a directory",
				  data_dir);
	return ns_steal_fd(&dfd);
}

int ns_persist_prepare(const char *data_dir, const char *name, uid_t uid, gid_t gid, int *ret_fd,
		       struct ns_err *err)
{
	if (ns_persist_is_tombstone(name))
		return ns_err_set(err, EINVAL, "persist: '%s' is a tombstone, not a container's",
				  name);
	ns_autoclose int dfd = open_data_dir(data_dir, name, err);
	if (dfd < 0)
		return dfd;
	if (mkdirat(dfd, name, 0700) < 0 && errno != EEXIST)
		return ns_err_sys(err, errno, "persist: create '%s/%s'", data_dir, name);
	ns_autoclose int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && (errno == ELOOP || errno == ENOTDIR))
		return ns_err_set(err, ELOOP,
				  "persist: '%s/%s' is a symlink or not a directory (refused)",
				  data_dir, name);
	if (fd < 0)
		return ns_err_sys(err, errno, "persist: open '%s/%s'", data_dir, name);
	if (fchown(fd, uid, gid) < 0)
		return ns_err_sys(err, errno, "persist: chown '%s/%s' to %u:%u", data_dir, name,
				  (unsigned)uid, (unsigned)gid);
	if (fchmod(fd, 0700) < 0)
		return ns_err_sys(err, errno, "persist: chmod '%s/%s'", data_dir, name);
	if (ret_fd)
		*ret_fd = ns_steal_fd(&fd);
	return 0;
}

struct wipe {
	int topfd;	 /* the persist directory itself */
	unsigned moved;	 /* names given to directories moved up */
	const char *top; /* for messages */
};

static int wipe_dir(struct wipe *w, int fd, unsigned depth, struct ns_err *err);

/* Parks a too-deep directory at the top under a fresh name; a later pass wipes it. */
static int move_up(struct wipe *w, int fd, const char *name, struct ns_err *err)
{
	for (int tries = 0; tries < 1000; tries++) {
		char fresh[32];
		snprintf(fresh, sizeof(fresh), ".ns-wipe-%u", w->moved++);
		if (ns_renameat2(fd, name, w->topfd, fresh, RENAME_NOREPLACE) == 0)
			return 0;
		if (errno != EEXIST)
			return ns_err_sys(err, errno, "persist: move a deep directory up in '%s'",
					  w->top);
	}
	return ns_err_set(err, EEXIST, "persist: no free name to move a directory up in '%s'",
			  w->top);
}

static int unlink_entry(struct wipe *w, int fd, const char *name, struct ns_err *err)
{
	if (unlinkat(fd, name, 0) < 0 && errno != ENOENT)
		return ns_err_sys(err, errno, "persist: remove '%s' in '%s'", name, w->top);
	return 0;
}

/* Removes one entry of fd. Only directories opened with O_NOFOLLOW are entered, so a
 * symlink (or one swapped in for a directory) is unlinked itself. */
static int wipe_entry(struct wipe *w, int fd, const struct dirent *e, unsigned depth,
		      struct ns_err *err)
{
	const char *name = e->d_name;
	if (e->d_type != DT_DIR && e->d_type != DT_UNKNOWN)
		return unlink_entry(w, fd, name, err);
	ns_autoclose int sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sub < 0 && (errno == ELOOP || errno == ENOTDIR))
		return unlink_entry(w, fd, name, err);
	if (sub < 0 && errno == ENOENT)
		return 0;
	if (sub < 0)
		return ns_err_sys(err, errno, "persist: open '%s' in '%s'", name, w->top);
	if (depth + 1 >= WIPE_MAX_DEPTH)
		return move_up(w, fd, name, err);
	if (wipe_dir(w, sub, depth + 1, err) < 0)
		return ns_err_ret(err);
	if (unlinkat(fd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return ns_err_sys(err, errno, "persist: remove directory '%s' in '%s'", name,
				  w->top);
	return 0;
}

/* Passes over the directory until a pass finds it empty: entries added or moved in
 * during a pass are not missed. */
static int wipe_dir(struct wipe *w, int fd, unsigned depth, struct ns_err *err)
{
	ns_autoclosedir DIR *d = ns_opendir_dup(fd);
	if (!d)
		return ns_err_sys(err, errno, "persist: read directory in '%s'", w->top);
	for (;;) {
		size_t seen = 0;
		rewinddir(d);
		errno = 0;
		for (struct dirent *e; (e = readdir(d)); errno = 0) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			seen++;
			if (wipe_entry(w, fd, e, depth, err) < 0)
				return ns_err_ret(err);
		}
		if (errno)
			return ns_err_sys(err, errno, "persist: read directory in '%s'", w->top);
		if (seen == 0)
			return 0;
	}
}

/* Wipes what fd (an O_NOFOLLOW directory descriptor of data_dir/<name>) holds, then the
 * directory itself. */
static int wipe_at(int dfd, const char *data_dir, const char *name, struct ns_err *err)
{
	ns_autoclose int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0 && (errno == ELOOP || errno == ENOTDIR)) {
		if (unlinkat(dfd, name, 0) < 0 && errno != ENOENT)
			return ns_err_sys(err, errno, "persist: remove '%s/%s'", data_dir, name);
		return 0;
	}
	if (fd < 0)
		return ns_err_sys(err, errno, "persist: open '%s/%s'", data_dir, name);
	char top[PATH_MAX];
	snprintf(top, sizeof(top), "%s/%s", data_dir, name);
	struct wipe w = {.topfd = fd, .top = top};
	if (wipe_dir(&w, fd, 0, err) < 0)
		return ns_err_ret(err);
	if (unlinkat(dfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return ns_err_sys(err, errno, "persist: remove '%s'", top);
	return 0;
}

bool ns_persist_is_tombstone(const char *name)
{
	return name && !strncmp(name, NS_PERSIST_TOMB_PREFIX, strlen(NS_PERSIST_TOMB_PREFIX)) &&
	       name_ok(name);
}

int ns_persist_tombstone(const char *data_dir, const char *name, char *tomb, size_t size,
			 struct ns_err *err)
{
	ns_autoclose int dfd = open_data_dir(data_dir, name, err);
	if (dfd < 0)
		return dfd;
	if (ns_persist_is_tombstone(name))
		return ns_err_set(err, EINVAL, "persist: '%s' is a tombstone, not a container's",
				  name);
	if (size < sizeof(NS_PERSIST_TOMB_PREFIX) + 16)
		return ns_err_set(err, ENAMETOOLONG, "persist: tombstone name buffer too small");
	for (int tries = 0; tries < 16; tries++) {
		uint64_t rnd;
		if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
			return ns_err_sys(err, errno, "persist: getrandom");
		snprintf(tomb, size, "%s%016" PRIx64, NS_PERSIST_TOMB_PREFIX, rnd);
		/* The one step: from here on data_dir/<name> is gone, whatever happens next. */
		if (ns_renameat2(dfd, name, dfd, tomb, RENAME_NOREPLACE) == 0) {
			(void)fsync(dfd);
			return 1;
		}
		if (errno == ENOENT) {
			tomb[0] = '\0';
			return 0;
		}
		if (errno != EEXIST)
			return ns_err_sys(err, errno, "persist: rename '%s/%s' to '%s'", data_dir,
					  name, tomb);
	}
	return ns_err_set(err, EEXIST, "persist: no free tombstone name in '%s'", data_dir);
}

int ns_persist_untombstone(const char *data_dir, const char *tomb, const char *name,
			   struct ns_err *err)
{
	if (!ns_persist_is_tombstone(tomb) || ns_persist_is_tombstone(name))
		return ns_err_set(err, EINVAL, "persist: cannot rename '%s' back to '%s'", tomb,
				  name);
	ns_autoclose int dfd = open_data_dir(data_dir, name, err);
	if (dfd < 0)
		return dfd;
	if (ns_renameat2(dfd, tomb, dfd, name, RENAME_NOREPLACE) < 0)
		return ns_err_sys(err, errno, "persist: rename '%s/%s' back to '%s'", data_dir,
				  tomb, name);
	return 0;
}

int ns_persist_wipe_tombstone(const char *data_dir, const char *tomb, struct ns_err *err)
{
	if (!ns_persist_is_tombstone(tomb))
		return ns_err_set(err, EINVAL, "persist: '%s' is not a tombstone name",
				  tomb ? tomb : "");
	ns_autoclose int dfd = open_data_dir(data_dir, tomb, err);
	if (dfd < 0)
		return dfd;
	return wipe_at(dfd, data_dir, tomb, err);
}

int ns_persist_wipe(const char *data_dir, const char *name, struct ns_err *err)
{
	char tomb[64];
	int r = ns_persist_tombstone(data_dir, name, tomb, sizeof(tomb), err);
	if (r <= 0)
		return r;
	return ns_persist_wipe_tombstone(data_dir, tomb, err);
}

int ns_persist_tombstones(const char *data_dir, char ***ret, size_t *ret_n, struct ns_err *err)
{
	ns_autoclosedir DIR *d = opendir(data_dir);
	if (!d)
		return ns_err_sys(err, errno, "persist: open data directory '%s'", data_dir);
	char **v = NULL;
	size_t n = 0;
	errno = 0;
	for (struct dirent *e; (e = readdir(d)); errno = 0) {
		if (!ns_persist_is_tombstone(e->d_name))
			continue;
		char **nv = realloc(v, (n + 1) * sizeof(*v));
		char *s = nv ? strdup(e->d_name) : NULL;
		if (nv)
			v = nv;
		if (!s) {
			ns_persist_names_free(v, n);
			return ns_err_set(err, ENOMEM, "out of memory");
		}
		v[n++] = s;
	}
	if (errno) {
		int e = errno;
		ns_persist_names_free(v, n);
		return ns_err_sys(err, e, "persist: read data directory '%s'", data_dir);
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

void ns_persist_names_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}
