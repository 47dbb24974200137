/* The extra image entries of spec npk-format §6.2, as Northstar's packer writes them
 * as mksquashfs pseudo definitions: every mount point with its ancestors (mode by
 * mount type, owned by the manifest uid:gid), the character devices of a `dev` mount
 * and, with a `proc` mount at /proc, the /proc/self/fd directory and the fd links. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "manifest_int.h"
#include "util.h"

struct fsx_builder {
	struct ns_fsx_list *l;
	size_t cap;
	uint32_t uid, gid;
};

static bool has_path(const struct ns_fsx_list *l, const char *p, size_t len)
{
	for (size_t i = 0; i < l->n; i++)
		if (strlen(l->items[i].path) == len && !memcmp(l->items[i].path, p, len))
			return true;
	return false;
}

/* Appends an entry for p[0..len) unless one exists: the first definition wins. */
static int add(struct fsx_builder *b, const char *p, size_t len, const struct ns_fsx *tmpl)
{
	if (has_path(b->l, p, len))
		return 0;
	if (b->l->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 16;
		struct ns_fsx *n = realloc(b->l->items, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		b->l->items = n;
		b->cap = cap;
	}
	char *path = strndup(p, len);
	if (!path)
		return -ENOMEM;
	struct ns_fsx *e = &b->l->items[b->l->n++];
	*e = *tmpl;
	e->path = path;
	e->uid = b->uid;
	e->gid = b->gid;
	return 0;
}

/* The directory p and each of its ancestors, top down, all with mode. */
static int add_dirs(struct fsx_builder *b, const char *p, uint32_t mode)
{
	const struct ns_fsx dir = {.type = NS_FSX_DIR, .mode = mode};
	int r;
	for (const char *s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/'))
		if ((r = add(b, p, (size_t)(s - p), &dir)) < 0)
			return r;
	return add(b, p, strlen(p), &dir);
}

static int add_child(struct fsx_builder *b, const char *dir, const char *name,
		     const struct ns_fsx *tmpl)
{
	size_t dl = strlen(dir), nl = strlen(name);
	char *p = malloc(dl + nl + 2);
	if (!p)
		return -ENOMEM;
	memcpy(p, dir, dl);
	p[dl] = '/';
	memcpy(p + dl + 1, name, nl + 1);
	int r = add(b, p, dl + nl + 1, tmpl);
	free(p);
	return r;
}

/* The labels are Northstar's, including its swapped full/null/random contexts, so
 * images match byte for byte. */
static const struct {
	const char *name;
	uint32_t major, minor;
	const char *selinux;
} dev_nodes[] = {
    {"full", 1, 7, "u:object_r:null_device:s0"},      {"null", 1, 3, "u:object_r:full_device:s0"},
    {"random", 1, 8, "u:object_r:full_device:s0"},    {"tty", 5, 0, "u:object_r:owntty_device:s0"},
    {"urandom", 1, 9, "u:object_r:random_device:s0"}, {"zero", 1, 5, "u:object_r:zero_device:s0"},
};

static const struct {
	const char *name, *target;
} fd_links[] = {
    {"fd", "/proc/self/fd"},
    {"stdin", "/proc/self/fd/0"},
    {"stdout", "/proc/self/fd/1"},
    {"stderr", "/proc/self/fd/2"},
};

static bool has_proc_at_proc(const struct ns_manifest *m)
{
	for (size_t i = 0; i < m->nmounts; i++)
		if (m->mounts[i].type == NS_MOUNT_PROC && !strcmp(m->mounts[i].target, "/proc"))
			return true;
	return false;
}

static int add_dev(struct fsx_builder *b, const struct ns_manifest *m, const char *target)
{
	int r;
	if ((r = add_dirs(b, target, 0755)) < 0)
		return r;
	for (size_t i = 0; i < ARRAY_SIZE(dev_nodes); i++) {
		const struct ns_fsx chr = {.type = NS_FSX_CHR,
					   .mode = 0666,
					   .major = dev_nodes[i].major,
					   .minor = dev_nodes[i].minor,
					   .selinux = dev_nodes[i].selinux};
		if ((r = add_child(b, target, dev_nodes[i].name, &chr)) < 0)
			return r;
	}
	if (!has_proc_at_proc(m))
		return 0;
	/* Northstar defines only /proc/self/fd; mksquashfs makes the missing parents
	 * itself (0755). Listing them here keeps parents ahead of their children. */
	const struct ns_fsx dir = {.type = NS_FSX_DIR};
	struct ns_fsx t = dir;
	t.mode = 0444; /* what the proc mount gives /proc */
	if ((r = add(b, "/proc", 5, &t)) < 0)
		return r;
	t.mode = 0755;
	if ((r = add(b, "/proc/self", 10, &t)) < 0)
		return r;
	t.mode = 0777;
	if ((r = add(b, "/proc/self/fd", 13, &t)) < 0)
		return r;
	for (size_t i = 0; i < ARRAY_SIZE(fd_links); i++) {
		const struct ns_fsx link = {.type = NS_FSX_SYMLINK,
					    .mode = 0777,
					    .target = fd_links[i].target,
					    .selinux = "u:r:su:s0"};
		if ((r = add_child(b, target, fd_links[i].name, &link)) < 0)
			return r;
	}
	return 0;
}

static uint32_t mount_mode(const struct ns_mount *mnt)
{
	switch (mnt->type) {
	case NS_MOUNT_BIND:
		return (mnt->options & NS_MOPT_RW) ? 0755 : 0555;
	case NS_MOUNT_PROC:
	case NS_MOUNT_SYSFS:
		return 0444;
	case NS_MOUNT_RESOURCE:
		return 0555;
	default: /* persist, sockets, tmpfs, dev */
		return 0755;
	}
}

void ns_fsx_list_free(struct ns_fsx_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free((char *)l->items[i].path);
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

int ns_manifest_fs_extras(const struct ns_manifest *m, struct ns_fsx_list *out, struct ns_err *err)
{
	struct ns_fsx_list l = {0};
	struct fsx_builder b = {.l = &l, .uid = m->uid, .gid = m->gid};
	int r = 0;
	/* m->mounts is sorted by target, as Northstar sorts them. */
	for (size_t i = 0; i < m->nmounts && r == 0; i++) {
		const struct ns_mount *mnt = &m->mounts[i];
		if (mnt->type == NS_MOUNT_DEV)
			r = add_dev(&b, m, mnt->target);
		else
			r = add_dirs(&b, mnt->target, mount_mode(mnt));
	}
	if (r < 0) {
		ns_fsx_list_free(&l);
		return ns_err_set(err, -r, "manifest: image entries: out of memory");
	}
	*out = l;
	return 0;
}
