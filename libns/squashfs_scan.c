/* Reads a source directory into the writer's tree: types, modes, owners, sizes,
 * link targets, device numbers and xattrs, never following a symlink. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "squashfs_int.h"
#include "util.h"

/* Only these prefixes fit squashfs; others (system.* ACLs) are left out, as
 * mksquashfs does. */
static bool xattr_storable(const char *name)
{
	return strncmp(name, "user.", 5) == 0 || strncmp(name, "trusted.", 8) == 0 ||
	       strncmp(name, "security.", 9) == 0;
}

static int read_xattrs(struct sq_node *n, const char *path, struct ns_err *err)
{
	ssize_t len = llistxattr(path, NULL, 0);
	if (len < 0 && (errno == ENOTSUP || errno == ENODATA))
		return 0;
	if (len < 0)
		return ns_err_sys(err, errno, "list xattrs of '%s'", path);
	if (len == 0)
		return 0;
	ns_autofree char *names = malloc((size_t)len);
	if (!names)
		return ns_err_set(err, ENOMEM, "out of memory");
	len = llistxattr(path, names, (size_t)len);
	if (len < 0)
		return ns_err_sys(err, errno, "list xattrs of '%s' (changed during packing?)",
				  path);
	for (char *name = names; name < names + len; name += strlen(name) + 1) {
		if (!xattr_storable(name))
			continue;
		ssize_t vlen = lgetxattr(path, name, NULL, 0);
		if (vlen < 0)
			return ns_err_sys(err, errno, "read xattr %s of '%s'", name, path);
		ns_autofree uint8_t *val = malloc((size_t)vlen + 1);
		if (!val)
			return ns_err_set(err, ENOMEM, "out of memory");
		vlen = lgetxattr(path, name, val, (size_t)vlen);
		if (vlen < 0)
			return ns_err_sys(err, errno, "read xattr %s of '%s'", name, path);
		int r = sq_node_set_xattr(n, name, val, (size_t)vlen, err);
		if (r < 0)
			return r;
	}
	return 0;
}

static int read_link(struct sq_node *n, const char *path, const struct stat *st, struct ns_err *err)
{
	if (st->st_size <= 0 || st->st_size > SQ_SYMLINK_MAX)
		return ns_err_set(err, ENAMETOOLONG, "'%s': symlink target of %lld bytes", path,
				  (long long)st->st_size);
	n->target = malloc((size_t)st->st_size + 1);
	if (!n->target)
		return ns_err_set(err, ENOMEM, "out of memory");
	ssize_t l = readlink(path, n->target, (size_t)st->st_size + 1);
	if (l < 0)
		return ns_err_sys(err, errno, "readlink '%s'", path);
	if (l != st->st_size)
		return ns_err_set(err, EAGAIN, "'%s': symlink changed during packing", path);
	n->target[l] = '\0';
	return 0;
}

static int type_of(mode_t m, enum sq_itype *ret)
{
	switch (m & S_IFMT) {
	case S_IFDIR:
		*ret = SQ_IT_DIR;
		return 0;
	case S_IFREG:
		*ret = SQ_IT_REG;
		return 0;
	case S_IFLNK:
		*ret = SQ_IT_SYMLINK;
		return 0;
	case S_IFBLK:
		*ret = SQ_IT_BLK;
		return 0;
	case S_IFCHR:
		*ret = SQ_IT_CHR;
		return 0;
	case S_IFIFO:
		*ret = SQ_IT_FIFO;
		return 0;
	case S_IFSOCK:
		*ret = SQ_IT_SOCK;
		return 0;
	default:
		return -1;
	}
}

/* Fills n's attributes from path's lstat. */
static int fill_node(struct sq_node *n, const char *path, bool no_xattrs, struct ns_err *err)
{
	struct stat st;
	bool root = n->parent == NULL; /* the source root itself may be a symlink */
	if ((root ? stat(path, &st) : lstat(path, &st)) < 0)
		return ns_err_sys(err, errno, "stat '%s'", path);
	if (root && !S_ISDIR(st.st_mode))
		return ns_err_set(err, ENOTDIR, "'%s' is not a directory", path);
	enum sq_itype type;
	if (type_of(st.st_mode, &type) < 0)
		return ns_err_set(err, EINVAL, "'%s': cannot store file type 0%o", path,
				  (unsigned)(st.st_mode & S_IFMT));
	n->type = type;
	n->mode = st.st_mode & 07777;
	n->uid = st.st_uid;
	n->gid = st.st_gid;
	n->dev = st.st_dev;
	n->ino = st.st_ino;
	n->maybe_linked = type != SQ_IT_DIR && st.st_nlink > 1;
	if (type == SQ_IT_REG)
		n->size = (uint64_t)st.st_size;
	if (type == SQ_IT_BLK || type == SQ_IT_CHR) {
		n->major = major(st.st_rdev);
		n->minor = minor(st.st_rdev);
		if (n->major > 0xfff || n->minor > 0xfffff)
			return ns_err_set(err, ERANGE, "'%s': device number %u:%u too large", path,
					  n->major, n->minor);
	}
	if (type == SQ_IT_SYMLINK && read_link(n, path, &st, err) < 0)
		return ns_err_ret(err);
	return no_xattrs ? 0 : read_xattrs(n, path, err);
}

static int scan_dir(struct sq_node *dir, char *path, size_t len, bool no_xattrs, struct ns_err *err)
{
	DIR *d = opendir(path);
	if (!d)
		return ns_err_sys(err, errno, "open directory '%s'", path);
	ns_autoclosedir DIR *dd = d;
	struct dirent *de;
	errno = 0;
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (!sq_node_new(dir, de->d_name, SQ_IT_REG, err))
			return ns_err_wrap(err, "'%s'", path);
		errno = 0;
	}
	if (errno)
		return ns_err_sys(err, errno, "read directory '%s'", path);
	ns_closedirp(&dd); /* entries are read: keep no descriptor open while descending */
	for (size_t i = 0; i < dir->nkids; i++) {
		struct sq_node *k = dir->kids[i];
		size_t l = strlen(k->name);
		if (len + 1 + l >= PATH_MAX)
			return ns_err_set(err, ENAMETOOLONG, "'%s/%s': path too long", path,
					  k->name);
		path[len] = '/';
		memcpy(path + len + 1, k->name, l + 1);
		int r = fill_node(k, path, no_xattrs, err);
		if (r >= 0 && k->type == SQ_IT_DIR)
			r = scan_dir(k, path, len + 1 + l, no_xattrs, err);
		path[len] = '\0';
		if (r < 0)
			return r;
	}
	return 0;
}

int sq_scan(struct sq_tree *t, const char *src, bool no_xattrs, struct ns_err *err)
{
	size_t len = strlen(src);
	while (len > 1 && src[len - 1] == '/')
		len--;
	if (len >= PATH_MAX)
		return ns_err_set(err, ENAMETOOLONG, "'%s': path too long", src);
	if (!(t->src = strndup(src, len)))
		return ns_err_set(err, ENOMEM, "out of memory");
	ns_autofree char *path = malloc(PATH_MAX);
	if (!path)
		return ns_err_set(err, ENOMEM, "out of memory");
	memcpy(path, t->src, len + 1);
	int r = fill_node(t->root, path, no_xattrs, err);
	if (r < 0)
		return r;
	return scan_dir(t->root, path, len, no_xattrs, err);
}
