/* The in-memory tree the squashfs writer packs: nodes, extra entries merged in,
 * and the final pass that sorts, links hard links and numbers the inodes. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "path.h"
#include "util.h"
#include "squashfs_int.h"

static bool name_ok(const char *name)
{
	size_t len = strlen(name);
	return len > 0 && len <= SQ_NAME_MAX && !strchr(name, '/') && strcmp(name, ".") != 0 &&
	       strcmp(name, "..") != 0;
}

struct sq_node *sq_node_new(struct sq_node *parent, const char *name, enum sq_itype type,
			    struct ns_err *err)
{
	if (parent && !name_ok(name)) {
		char where[512];
		sq_node_path(parent, NULL, where, sizeof(where));
		ns_err_set(err, strlen(name) > SQ_NAME_MAX ? ENAMETOOLONG : EINVAL,
			   "'%s/%.40s...': name invalid or longer than %d bytes", where, name,
			   SQ_NAME_MAX);
		return NULL;
	}
	struct sq_node *n = calloc(1, sizeof(*n));
	if (!n || !(n->name = strdup(name))) {
		free(n);
		ns_err_set(err, ENOMEM, "out of memory");
		return NULL;
	}
	n->type = type;
	n->parent = parent;
	n->frag = SQ_NO_FRAG;
	n->xattr_id = SQ_NO_XATTR;
	n->mode = type == SQ_IT_SYMLINK ? 0777 : 0755;
	if (!parent)
		return n;
	if (parent->nkids == parent->capkids) {
		size_t cap = parent->capkids ? parent->capkids * 2 : 8;
		struct sq_node **k = realloc(parent->kids, cap * sizeof(*k));
		if (!k) {
			free(n->name);
			free(n);
			ns_err_set(err, ENOMEM, "out of memory");
			return NULL;
		}
		parent->kids = k;
		parent->capkids = cap;
	}
	parent->kids[parent->nkids++] = n;
	return n;
}

static void node_free(struct sq_node *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->nkids; i++)
		node_free(n->kids[i]);
	for (size_t i = 0; i < n->nxattrs; i++) {
		free(n->xattrs[i].name);
		free(n->xattrs[i].value);
	}
	free(n->xattrs);
	free(n->kids);
	free(n->name);
	free(n->target);
	free(n->blocks);
	free(n);
}

int sq_tree_init(struct sq_tree *t, struct ns_err *err)
{
	memset(t, 0, sizeof(*t));
	t->root = sq_node_new(NULL, "", SQ_IT_DIR, err);
	return t->root ? 0 : -ENOMEM;
}

void sq_tree_free(struct sq_tree *t)
{
	node_free(t->root);
	free(t->src);
	memset(t, 0, sizeof(*t));
}

struct sq_node *sq_node_child(const struct sq_node *dir, const char *name)
{
	for (size_t i = 0; i < dir->nkids; i++)
		if (strcmp(dir->kids[i]->name, name) == 0)
			return dir->kids[i];
	return NULL;
}

static int xattr_cmp(const void *a, const void *b)
{
	return strcmp(((const struct sq_xattr *)a)->name, ((const struct sq_xattr *)b)->name);
}

int sq_node_set_xattr(struct sq_node *n, const char *name, const void *val, size_t len,
		      struct ns_err *err)
{
	struct sq_xattr *x = NULL;
	for (size_t i = 0; i < n->nxattrs; i++)
		if (strcmp(n->xattrs[i].name, name) == 0)
			x = &n->xattrs[i];
	if (!x) {
		struct sq_xattr *v = realloc(n->xattrs, (n->nxattrs + 1) * sizeof(*v));
		if (!v)
			return ns_err_set(err, ENOMEM, "out of memory");
		n->xattrs = v;
		x = &v[n->nxattrs];
		memset(x, 0, sizeof(*x));
		if (!(x->name = strdup(name)))
			return ns_err_set(err, ENOMEM, "out of memory");
		n->nxattrs++;
	}
	uint8_t *copy = malloc(len ? len : 1);
	if (!copy)
		return ns_err_set(err, ENOMEM, "out of memory");
	memcpy(copy, val, len);
	free(x->value);
	x->value = copy;
	x->len = len;
	qsort(n->xattrs, n->nxattrs, sizeof(*n->xattrs), xattr_cmp);
	return 0;
}

int sq_node_path(const struct sq_node *n, const char *src, char *buf, size_t size)
{
	/* measure, then fill from the end: no depth limit */
	size_t prefix = src ? strlen(src) : 0, len = prefix;
	for (const struct sq_node *p = n; p && p->parent; p = p->parent)
		len += 1 + strlen(p->name);
	if (len == 0 && !src)
		len = 1; /* "/" */
	if (len + 1 > size) {
		if (size)
			buf[0] = '\0';
		return -ENAMETOOLONG;
	}
	memcpy(buf, src ? src : "/", src ? prefix : 1);
	buf[len] = '\0';
	size_t end = len;
	for (const struct sq_node *p = n; p && p->parent; p = p->parent) {
		size_t l = strlen(p->name);
		end -= l;
		memcpy(buf + end, p->name, l);
		buf[--end] = '/';
	}
	return 0;
}

/* --- extra entries ----------------------------------------------------------------- */

static void node_detach(struct sq_node *parent, struct sq_node *n)
{
	for (size_t i = 0; i < parent->nkids; i++)
		if (parent->kids[i] == n) {
			memmove(&parent->kids[i], &parent->kids[i + 1],
				(parent->nkids - i - 1) * sizeof(*parent->kids));
			parent->nkids--;
			break;
		}
	node_free(n);
}

/* The parent directory of the clean absolute path p, and its last component. */
static struct sq_node *walk_parent(struct sq_tree *t, const char *p, const char **ret_base,
				   struct ns_err *err)
{
	struct sq_node *dir = t->root;
	const char *s = p + 1;
	for (const char *slash; (slash = strchr(s, '/')); s = slash + 1) {
		char comp[SQ_NAME_MAX + 2];
		size_t l = (size_t)(slash - s);
		if (l > SQ_NAME_MAX) {
			ns_err_set(err, ENAMETOOLONG,
				   "extra entry '%s': a name is longer than %d bytes", p,
				   SQ_NAME_MAX);
			return NULL;
		}
		memcpy(comp, s, l);
		comp[l] = '\0';
		dir = sq_node_child(dir, comp);
		if (!dir || dir->type != SQ_IT_DIR) {
			ns_err_set(err, ENOENT,
				   "extra entry '%s': parent '%.*s' is not a directory", p,
				   (int)(slash - p), p);
			return NULL;
		}
	}
	*ret_base = s;
	return dir;
}

static const enum sq_itype fsx_types[] = {
    [NS_FSX_DIR] = SQ_IT_DIR, [NS_FSX_CHR] = SQ_IT_CHR, [NS_FSX_SYMLINK] = SQ_IT_SYMLINK};

static int merge_one(struct sq_tree *t, const struct ns_fsx *x, struct ns_err *err)
{
	if (!x->path || !ns_path_is_clean_abs(x->path))
		return ns_err_set(err, EINVAL, "extra entry '%s': not a clean absolute path",
				  x->path ? x->path : "(null)");
	if ((unsigned)x->type >= ARRAY_SIZE(fsx_types))
		return ns_err_set(err, EINVAL, "extra entry '%s': unknown type %d", x->path,
				  (int)x->type);
	enum sq_itype type = fsx_types[x->type];
	struct sq_node *n = t->root;
	if (strcmp(x->path, "/") != 0) {
		const char *base;
		struct sq_node *dir = walk_parent(t, x->path, &base, err);
		if (!dir)
			return -ENOENT;
		n = sq_node_child(dir, base);
		if (n && n->type == SQ_IT_DIR && type != SQ_IT_DIR)
			return ns_err_set(err, EEXIST,
					  "extra entry '%s' would replace a directory of the tree",
					  x->path);
		if (n && (n->type != type || type != SQ_IT_DIR)) {
			node_detach(dir, n);
			n = NULL;
		}
		if (!n && !(n = sq_node_new(dir, base, type, err)))
			return ns_err_wrap(err, "extra entry '%s'", x->path);
	} else if (type != SQ_IT_DIR) {
		return ns_err_set(err, EINVAL, "extra entry '/' must be a directory");
	}
	n->mode = x->mode & 07777;
	n->uid = x->uid;
	n->gid = x->gid;
	if (type == SQ_IT_CHR) {
		if (x->major > 0xfff || x->minor > 0xfffff)
			return ns_err_set(err, ERANGE,
					  "extra entry '%s': device %u:%u out of range", x->path,
					  x->major, x->minor);
		n->major = x->major;
		n->minor = x->minor;
	}
	if (type == SQ_IT_SYMLINK) {
		if (!x->target || !*x->target || strlen(x->target) > SQ_SYMLINK_MAX)
			return ns_err_set(err, EINVAL, "extra entry '%s': bad symlink target",
					  x->path);
		if (!(n->target = strdup(x->target)))
			return ns_err_set(err, ENOMEM, "out of memory");
	}
	if (x->selinux &&
	    sq_node_set_xattr(n, "security.selinux", x->selinux, strlen(x->selinux), err) < 0)
		return ns_err_ret(err);
	return 0;
}

int sq_merge_extras(struct sq_tree *t, const struct ns_fsx_list *x, struct ns_err *err)
{
	for (size_t i = 0; x && i < x->n; i++) {
		int r = merge_one(t, &x->items[i], err);
		if (r < 0)
			return r;
	}
	return 0;
}

/* --- the final pass ------------------------------------------------------------------ */

static int kid_cmp(const void *a, const void *b)
{
	return strcmp((*(struct sq_node *const *)a)->name, (*(struct sq_node *const *)b)->name);
}

struct linkable {
	struct sq_node *n;
	size_t order;
};

static int linkable_cmp(const void *a, const void *b)
{
	const struct linkable *x = a, *y = b;
	if (x->n->dev != y->n->dev)
		return x->n->dev < y->n->dev ? -1 : 1;
	if (x->n->ino != y->n->ino)
		return x->n->ino < y->n->ino ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

struct finish_ctx {
	const struct ns_sqfs_opts *o;
	struct linkable *links;
	size_t nlinks, caplinks;
	uint64_t count;
};

/* Sorts, applies forced ids, counts directory links, gathers hard-link candidates
 * in sorted tree order. */
static int sort_pass(struct finish_ctx *c, struct sq_node *n, struct ns_err *err)
{
	if (c->o->force_ids) {
		n->uid = c->o->uid;
		n->gid = c->o->gid;
	}
	n->nlink = n->type == SQ_IT_DIR ? 2 : 1;
	if (n->maybe_linked && n->type != SQ_IT_DIR) {
		if (c->nlinks == c->caplinks) {
			size_t cap = c->caplinks ? c->caplinks * 2 : 64;
			struct linkable *l = realloc(c->links, cap * sizeof(*l));
			if (!l)
				return ns_err_set(err, ENOMEM, "out of memory");
			c->links = l;
			c->caplinks = cap;
		}
		c->links[c->nlinks] = (struct linkable){n, c->nlinks};
		c->nlinks++;
	}
	if (n->type != SQ_IT_DIR)
		return 0;
	if (n->nkids)
		qsort(n->kids, n->nkids, sizeof(*n->kids), kid_cmp);
	for (size_t i = 0; i < n->nkids; i++) {
		if (i && strcmp(n->kids[i - 1]->name, n->kids[i]->name) == 0) {
			char p[512];
			sq_node_path(n->kids[i], NULL, p, sizeof(p));
			return ns_err_set(err, EEXIST, "'%s': duplicate name", p);
		}
		if (n->kids[i]->type == SQ_IT_DIR)
			n->nlink++;
		int r = sort_pass(c, n->kids[i], err);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Post-order, as the inode table is written: a directory's inode follows its
 * entries' inodes, which lets each directory listing point at written inodes. */
static void number_pass(struct finish_ctx *c, struct sq_node *n)
{
	for (size_t i = 0; i < n->nkids; i++) {
		struct sq_node *k = n->kids[i];
		if (k->type == SQ_IT_DIR) {
			number_pass(c, k);
			continue;
		}
		struct sq_node *p = k->link ? k->link : k;
		if (!p->inum)
			p->inum = (uint32_t)++c->count;
	}
	n->inum = (uint32_t)++c->count;
}

static uint64_t count_inodes(const struct sq_node *n)
{
	uint64_t c = n->link ? 0 : 1;
	for (size_t i = 0; i < n->nkids; i++)
		c += count_inodes(n->kids[i]);
	return c;
}

int sq_tree_finish(struct sq_tree *t, const struct ns_sqfs_opts *o, struct ns_err *err)
{
	struct finish_ctx c = {.o = o};
	int r = sort_pass(&c, t->root, err);
	if (r < 0) {
		free(c.links);
		return r;
	}
	if (c.nlinks)
		qsort(c.links, c.nlinks, sizeof(*c.links), linkable_cmp);
	for (size_t i = 1; i < c.nlinks; i++) {
		struct sq_node *a = c.links[i - 1].n, *b = c.links[i].n;
		if (a->dev != b->dev || a->ino != b->ino)
			continue;
		struct sq_node *primary = a->link ? a->link : a;
		if (primary->type != b->type || primary->size != b->size || primary->mem != b->mem)
			continue; /* not one inode after all (an in-memory tree) */
		b->link = primary;
		primary->nlink++;
	}
	free(c.links);
	if (count_inodes(t->root) >= UINT32_MAX)
		return ns_err_set(err, EFBIG, "too many inodes for squashfs");
	number_pass(&c, t->root);
	t->count = (uint32_t)c.count;
	return 0;
}
