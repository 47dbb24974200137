#include "hostpath.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "path.h"
#include "util.h"

struct walk {
	int rootfd;
	struct stat root;
	const char *path; /* as asked, for messages */
	const char *what;
	int dir;		  /* where the walk stands */
	char cur[PATH_MAX];	  /* its path, for messages */
	char rest[PATH_MAX];	  /* what is left to walk */
	bool trusted;		  /* every directory passed so far is the operator's */
	char untrusted[PATH_MAX]; /* the first that is not */
	unsigned links;
};

/* Root's, and nobody else can add, remove or rename an entry in it. Group write is
 * refused even for group 0: an ACL's mask shows there too. */
static bool operators_dir(const struct stat *st)
{
	return st->st_uid == 0 && !(st->st_mode & (S_IWGRP | S_IWOTH));
}

static void note_dir(struct walk *w, const struct stat *st)
{
	if (w->trusted && !operators_dir(st)) {
		w->trusted = false;
		snprintf(w->untrusted, sizeof(w->untrusted), "%s", w->cur);
	}
}

static int restart_at_root(struct walk *w, struct ns_err *err)
{
	int fd = fcntl(w->rootfd, F_DUPFD_CLOEXEC, 3);
	if (fd < 0)
		return ns_err_sys(err, errno, "%s '%s': dup the root", w->what, w->path);
	if (w->dir >= 0)
		close(w->dir);
	w->dir = fd;
	strcpy(w->cur, "/");
	w->trusted = true;
	note_dir(w, &w->root);
	return 0;
}

static void cur_push(struct walk *w, const char *name)
{
	size_t n = strlen(w->cur);
	/* too long a walk fails on rest first; this only keeps messages bounded */
	snprintf(w->cur + n, sizeof(w->cur) - n, "%s%s", n > 1 ? "/" : "", name);
}

static void cur_pop(struct walk *w)
{
	char *s = strrchr(w->cur, '/');
	if (s == w->cur)
		s[1] = '\0';
	else if (s)
		*s = '\0';
}

static bool at_root(const struct walk *w)
{
	struct stat st;
	return fstat(w->dir, &st) == 0 && st.st_dev == w->root.st_dev &&
	       st.st_ino == w->root.st_ino;
}

static int go_up(struct walk *w, struct ns_err *err)
{
	if (at_root(w))
		return 0; /* ".." of the root is the root, as in a chroot */
	int fd = openat(w->dir, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return ns_err_sys(err, errno, "%s '%s': open '..' of '%s'", w->what, w->path,
				  w->cur);
	close(w->dir);
	w->dir = fd;
	cur_pop(w);
	return 0;
}

/* The link at fd (named name in the current directory) replaces its component: its
 * target goes in front of what is left. */
static int follow(struct walk *w, int fd, const struct stat *st, const char *name, const char *left,
		  struct ns_err *err)
{
	char comp[PATH_MAX];
	snprintf(comp, sizeof(comp), "%s%s%s", w->cur, strcmp(w->cur, "/") ? "/" : "", name);
	if (st->st_uid != 0)
		return ns_err_set(err, ELOOP,
				  "%s '%s': '%s' is a symlink owned by uid %u, not root (refused)",
				  w->what, w->path, comp, (unsigned)st->st_uid);
	if (!w->trusted)
		return ns_err_set(err, ELOOP,
				  "%s '%s': '%s' is a symlink below '%s', which is not root's or "
				  "is writable by others (refused)",
				  w->what, w->path, comp, w->untrusted);
	if (++w->links > NS_HOSTPATH_MAXLINKS)
		return ns_err_set(err, ELOOP, "%s '%s': more than %d symlinks", w->what, w->path,
				  NS_HOSTPATH_MAXLINKS);
	char target[PATH_MAX];
	ssize_t n = readlinkat(fd, "", target, sizeof(target));
	if (n < 0)
		return ns_err_sys(err, errno, "%s '%s': read the symlink '%s'", w->what, w->path,
				  comp);
	if ((size_t)n >= sizeof(target))
		return ns_err_set(err, ENAMETOOLONG, "%s '%s': symlink '%s' is too long", w->what,
				  w->path, comp);
	target[n] = '\0';
	/* left is empty or starts with '/': a link to a file stays a file */
	char next[PATH_MAX];
	int len = snprintf(next, sizeof(next), "%s%s", target, left);
	if (len < 0 || (size_t)len >= sizeof(next))
		return ns_err_set(err, ENAMETOOLONG, "%s '%s': too long once '%s' is followed",
				  w->what, w->path, comp);
	memcpy(w->rest, next, (size_t)len + 1);
	return target[0] == '/' ? restart_at_root(w, err) : 0;
}

/* One component; *left points at what follows it. */
static int step(struct walk *w, const char *name, const char *left, struct ns_err *err)
{
	if (strcmp(name, "..") == 0) {
		int r = go_up(w, err);
		if (r == 0)
			memmove(w->rest, left, strlen(left) + 1);
		return r;
	}
	ns_autoclose int fd = openat(w->dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return ns_err_set(err, ENOENT, "%s '%s' does not exist (no '%s' in '%s')", w->what,
				  w->path, name, w->cur);
	if (fd < 0)
		return ns_err_sys(err, errno, "%s '%s': open '%s' in '%s'", w->what, w->path, name,
				  w->cur);
	struct stat st;
	if (fstat(fd, &st) < 0)
		return ns_err_sys(err, errno, "%s '%s': stat '%s'", w->what, w->path, name);
	if (S_ISLNK(st.st_mode))
		return follow(w, fd, &st, name, left, err);
	if (*left && !S_ISDIR(st.st_mode))
		return ns_err_set(err, ENOTDIR, "%s '%s': '%s' in '%s' is not a directory", w->what,
				  w->path, name, w->cur);
	close(w->dir);
	w->dir = ns_steal_fd(&fd);
	cur_push(w, name);
	if (S_ISDIR(st.st_mode))
		note_dir(w, &st);
	memmove(w->rest, left, strlen(left) + 1);
	return 0;
}

static int walk(struct walk *w, struct ns_err *err)
{
	for (;;) {
		char *c = w->rest;
		while (*c == '/')
			c++;
		if (*c == '\0')
			return 0;
		char name[NAME_MAX + 1];
		size_t len = strcspn(c, "/");
		if (len > NAME_MAX)
			return ns_err_set(err, ENAMETOOLONG, "%s '%s': a component is too long",
					  w->what, w->path);
		memcpy(name, c, len);
		name[len] = '\0';
		if (strcmp(name, ".") == 0) {
			memmove(w->rest, c + len, strlen(c + len) + 1);
			continue;
		}
		/* left is copied by step before rest is reused */
		char left[PATH_MAX];
		snprintf(left, sizeof(left), "%s", c + len);
		if (step(w, name, left, err) < 0)
			return ns_err_ret(err);
	}
}

/* shown is the path as the caller gave it, for messages */
static int open_at(int rootfd, const char *path, const char *shown, const char *what,
		   struct ns_err *err)
{
	struct walk w = {.rootfd = rootfd, .path = shown, .what = what, .dir = -1};
	if (fstat(rootfd, &w.root) < 0)
		return ns_err_sys(err, errno, "%s '%s': stat the root", what, shown);
	if (snprintf(w.rest, sizeof(w.rest), "%s", path) >= (int)sizeof(w.rest))
		return ns_err_set(err, ENAMETOOLONG, "%s '%s' is too long", what, shown);
	int r = restart_at_root(&w, err);
	if (r == 0)
		r = walk(&w, err);
	if (r < 0) {
		if (w.dir >= 0)
			close(w.dir);
		return r;
	}
	return w.dir;
}

int ns_hostpath_open_at(int rootfd, const char *path, const char *what, struct ns_err *err)
{
	if (!path || path[0] != '/')
		return ns_err_set(err, EINVAL, "%s '%s' is not absolute", what, path ? path : "");
	return open_at(rootfd, path, path, what, err);
}

int ns_hostpath_open(const char *path, const char *what, struct ns_err *err)
{
	ns_autoclose int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return ns_err_sys(err, errno, "%s '%s': open '/'", what, path);
	if (path[0] == '/')
		return ns_hostpath_open_at(root, path, what, err);
	/* a relative configuration path: the working directory is walked from "/" too */
	char cwd[PATH_MAX], abs[PATH_MAX];
	if (!getcwd(cwd, sizeof(cwd)))
		return ns_err_sys(err, errno, "%s '%s': the working directory", what, path);
	if (ns_path_join(abs, sizeof(abs), cwd, path) < 0)
		return ns_err_set(err, ENAMETOOLONG, "%s '%s' is too long", what, path);
	return open_at(root, abs, path, what, err);
}
