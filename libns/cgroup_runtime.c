/* The runtime's cgroup: created under each hierarchy's mount point (as Northstar does),
 * controllers enabled on v2, this process moved to a leaf when it sits inside, and the
 * cgroups a killed daemon left behind emptied and removed. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup_int.h"
#include "util.h"

static bool inside(const char *own, const char *name)
{
	size_t n = strlen(name);
	return !strncmp(own, name, n) && (own[n] == '\0' || own[n] == '/');
}

/* Moves every process of the runtime's directory (this one included) into the leaf, so
 * that on v2 the directory may hand controllers to its children. */
static int enter_leaf(struct ns_cgroup_runtime *rt, size_t i, struct ns_err *err)
{
	struct ns_cgroup_dir *d = &rt->dir[i];
	char leaf[PATH_MAX];
	snprintf(leaf, sizeof(leaf), "%s/%s", d->path, NS_CGROUP_DAEMON_LEAF);
	const struct ns_cgroup_hier *h = &rt->layout.hier[i];
	bool cpuset_v1 = !h->v2 && (h->ctrls & (1u << NS_CGROUP_CPUSET));
	if (ns_cgroup_mkdirs(d->fd, d->path, NS_CGROUP_DAEMON_LEAF, cpuset_v1, NULL, err) < 0)
		return ns_err_ret(err);
	ns_autoclose int lfd =
	    openat(d->fd, NS_CGROUP_DAEMON_LEAF, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (lfd < 0)
		return ns_err_sys(err, errno, "open '%s'", leaf);
	if (ns_cgroup_move(lfd, leaf, getpid(), err) < 0)
		return ns_err_ret(err);
	rt->in_leaf[i] = true;
	if (!h->v2)
		return 0;
	char procs[4096];
	ssize_t n = ns_cgroup_read(d->fd, "cgroup.procs", procs, sizeof(procs));
	for (char *p = procs, *end; n > 0 && *p; p = end) {
		long pid = strtol(p, &end, 10);
		if (end == p)
			break;
		if (pid > 0 && ns_cgroup_move(lfd, leaf, (pid_t)pid, err) < 0 &&
		    err->errnum != ESRCH)
			return ns_err_ret(err);
	}
	return 0;
}

static int open_runtime_dir(struct ns_cgroup_runtime *rt, size_t i, const char *enable,
			    struct ns_err *err)
{
	const struct ns_cgroup_hier *h = &rt->layout.hier[i];
	struct ns_cgroup_dir *d = &rt->dir[i];
	ns_autoclose int root = open(h->mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return ns_err_sys(err, errno, "open cgroup mount '%s'", h->mount);
	bool cpuset_v1 = !h->v2 && (h->ctrls & (1u << NS_CGROUP_CPUSET));
	if (ns_cgroup_mkdirs(root, h->mount, rt->name, cpuset_v1, h->v2 ? enable : NULL, err) < 0)
		return ns_err_ret(err);
	if ((size_t)snprintf(d->path, sizeof(d->path), "%s/%s", h->mount, rt->name) >=
	    sizeof(d->path))
		return ns_err_set(err, ENAMETOOLONG, "'%s/%s' is too long", h->mount, rt->name);
	d->fd = openat(root, rt->name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (d->fd < 0)
		return ns_err_sys(err, errno, "open '%s'", d->path);
	if (h->own_visible && inside(h->own, rt->name)) {
		if (enter_leaf(rt, i, err) < 0)
			return ns_err_ret(err);
	} else {
		(void)unlinkat(d->fd, NS_CGROUP_DAEMON_LEAF, AT_REMOVEDIR); /* an old daemon's */
	}
	if (h->v2 && *enable) {
		/* The children get the controllers: one at a time, so a refusal names it. */
		char copy[128], *save = NULL;
		snprintf(copy, sizeof(copy), "%s", enable);
		for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
			int r = ns_cgroup_write(d->fd, "cgroup.subtree_control", t);
			if (r < 0)
				return ns_err_sys(
				    err, -r,
				    "enable controller '%s' in '%s/cgroup.subtree_control'", t + 1,
				    d->path);
		}
	}
	return 0;
}

/* --- stale cgroups ------------------------------------------------------------------ */
struct names {
	char **v;
	size_t n;
};

static void names_free(struct names *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
}

static int names_add(struct names *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i], name))
			return 0;
	char **v = realloc(s->v, (s->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	s->v = v;
	if (!(s->v[s->n] = strdup(name)))
		return -ENOMEM;
	s->n++;
	return 0;
}

/* The child cgroups of the runtime's directories (the leaf excepted), once each. */
static int children(const struct ns_cgroup_runtime *rt, struct names *out, struct ns_err *err)
{
	for (size_t i = 0; i < rt->layout.nhier; i++) {
		int dfd = fcntl(rt->dir[i].fd, F_DUPFD_CLOEXEC, 3);
		DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
		struct dirent *e;
		if (!d) {
			if (dfd >= 0)
				close(dfd);
			return ns_err_sys(err, errno, "list '%s'", rt->dir[i].path);
		}
		/* fdopendir on a dup shares the offset: start from the beginning. */
		rewinddir(d);
		while ((e = readdir(d)))
			if (e->d_type == DT_DIR && strcmp(e->d_name, ".") &&
			    strcmp(e->d_name, "..") && strcmp(e->d_name, NS_CGROUP_DAEMON_LEAF) &&
			    names_add(out, e->d_name) < 0) {
				closedir(d);
				return ns_err_set(err, ENOMEM, "out of memory");
			}
		closedir(d);
	}
	return 0;
}

/* Empties and removes everything below the runtime's directories but the leaf. */
static int remove_children(struct ns_cgroup_runtime *rt, struct ns_cgroup_notes *notes,
			   const char *why, struct ns_err *err)
{
	struct names s = {0};
	int r = children(rt, &s, err);
	for (size_t k = 0; r == 0 && k < s.n; k++) {
		unsigned killed = 0;
		for (size_t i = 0; r == 0 && i < rt->layout.nhier; i++) {
			char path[PATH_MAX];
			snprintf(path, sizeof(path), "%s/%s", rt->dir[i].path, s.v[k]);
			r = ns_cgroup_kill_remove(path, rt->layout.hier[i].v2, &rt->no_cgroup_kill,
						  0, true, &killed, err);
		}
		if (r == 0)
			ns_cgroup_note(notes, "removed %s cgroup '%s' (%u task%s killed)", why,
				       s.v[k], killed, killed == 1 ? "" : "s");
	}
	names_free(&s);
	return r;
}

int ns_cgroup_runtime_init(const struct ns_cgroup_layout *l, const char *name,
			   struct ns_cgroup_notes *notes, struct ns_cgroup_runtime **ret,
			   struct ns_err *err)
{
	char enable[128];
	if (!ns_cgroup_path_clean_rel(name) || strlen(name) >= NS_CGROUP_OWN_MAX)
		return ns_err_set(
		    err, EINVAL,
		    "runtime cgroup name '%s' must be a clean relative path (no '..', "
		    "'.', empty components or control characters)",
		    name);
	struct ns_cgroup_runtime *rt = calloc(1, sizeof(*rt));
	if (!rt)
		return ns_err_set(err, ENOMEM, "out of memory");
	rt->layout = *l;
	strcpy(rt->name, name);
	for (size_t i = 0; i < NS_CGROUP_HIER_MAX; i++)
		rt->dir[i].fd = -1;
	ns_cgroup_v2_enable_list(l, enable, sizeof(enable));
	for (size_t i = 0; i < l->nhier; i++)
		if (open_runtime_dir(rt, i, enable, err) < 0)
			goto fail;
	if (remove_children(rt, notes, "stale", err) < 0)
		goto fail;
	ns_cgroup_rt_reclaim(rt, notes);
	*ret = rt;
	return 0;
fail:
	ns_err_wrap(err, "runtime cgroup '%s'", name);
	{
		struct ns_err ignored;
		ns_cgroup_runtime_destroy(rt, &ignored);
	}
	return ns_err_ret(err);
}

/* Out of the leaf into the mount's root (exempt from v2's no-internal-process rule),
 * with whatever else was moved there. */
static int leave_leaf(struct ns_cgroup_runtime *rt, size_t i, struct ns_err *err)
{
	const struct ns_cgroup_hier *h = &rt->layout.hier[i];
	char leaf[PATH_MAX], procs[4096];
	ns_autoclose int root = open(h->mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return ns_err_sys(err, errno, "open '%s'", h->mount);
	snprintf(leaf, sizeof(leaf), "%s/%s", rt->dir[i].path, NS_CGROUP_DAEMON_LEAF);
	ns_autoclose int lfd = open(leaf, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t n = lfd >= 0 ? ns_cgroup_read(lfd, "cgroup.procs", procs, sizeof(procs)) : -1;
	for (char *p = procs, *end; n > 0 && *p; p = end) {
		long pid = strtol(p, &end, 10);
		if (end == p)
			break;
		if (pid > 0 && ns_cgroup_move(root, h->mount, (pid_t)pid, err) < 0 &&
		    err->errnum != ESRCH)
			return ns_err_ret(err);
	}
	rt->in_leaf[i] = false;
	if (rmdir(leaf) < 0 && errno != ENOENT)
		return ns_err_sys(err, errno, "rmdir '%s'", leaf);
	return 0;
}

int ns_cgroup_runtime_destroy(struct ns_cgroup_runtime *rt, struct ns_err *err)
{
	struct ns_err e2;
	int r = 0;
	if (!rt)
		return 0;
	while (rt->live && r == 0)
		r = ns_cgroup_destroy(rt->live, 0, err);
	while (rt->live) /* after a failure: forget the rest, keep the first error */
		ns_cgroup_destroy(rt->live, 0, &e2);
	bool opened = true;
	for (size_t i = 0; i < rt->layout.nhier; i++)
		opened = opened && rt->dir[i].fd >= 0;
	if (r == 0 && opened && remove_children(rt, NULL, "", err) < 0)
		r = ns_err_ret(err);
	for (size_t i = 0; i < rt->layout.nhier; i++) {
		struct ns_cgroup_dir *d = &rt->dir[i];
		if (d->fd < 0)
			continue;
		if (rt->in_leaf[i] && leave_leaf(rt, i, r == 0 ? err : &e2) < 0 && r == 0)
			r = ns_err_ret(err);
		close(d->fd);
		d->fd = -1;
		if (rmdir(d->path) < 0 && errno != ENOENT && r == 0)
			r = ns_err_sys(err, errno, "rmdir '%s'", d->path);
	}
	free(rt);
	return r;
}

const struct ns_cgroup_layout *ns_cgroup_runtime_layout(const struct ns_cgroup_runtime *rt)
{
	return &rt->layout;
}

const char *ns_cgroup_runtime_path(const struct ns_cgroup_runtime *rt, enum ns_cgroup_ctrl c)
{
	if ((unsigned)c >= NS_CGROUP_NCTRL || rt->layout.ctrl[c] < 0)
		return NULL;
	return rt->dir[rt->layout.ctrl[c]].path;
}
