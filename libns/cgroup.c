/* A container's cgroup: created below the runtime's (or a manifest parent), limits
 * applied, the first process attached, and everything removed at the end. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup_int.h"
#include "util.h"
#include "version.h"

/* True when a lies at or below b ("a/b" at or below "a"). */
static bool at_or_below(const char *a, const char *b)
{
	size_t n = strlen(b);
	return !strncmp(a, b, n) && (a[n] == '\0' || a[n] == '/');
}

/* Containers must not nest: a limit of one would bind the other, and v2 refuses
 * processes in a cgroup that hands controllers on. */
static int check_nesting(const struct ns_cgroup_runtime *rt, const char *rel, struct ns_err *err)
{
	for (const struct ns_cgroup *o = rt->live; o; o = o->next) {
		if (!strcmp(o->rel, rel))
			return ns_err_set(err, EEXIST, "cgroup '%s' is in use", rel);
		if (at_or_below(rel, o->rel))
			return ns_err_set(err, EBUSY,
					  "cgroup '%s' would lie inside the cgroup of "
					  "a running container ('%s')",
					  rel, o->rel);
		if (at_or_below(o->rel, rel))
			return ns_err_set(err, EBUSY,
					  "cgroup '%s' would contain the cgroup of a "
					  "running container ('%s')",
					  rel, o->rel);
	}
	return 0;
}

static int make_rel(const char *name, const struct ns_cgroups *m, char *rel, size_t size,
		    struct ns_err *err)
{
	size_t len = strlen(name);
	const char *bad;
	if (!ns_name_valid(name, len) || len > 255)
		return ns_err_set(err, EINVAL, "container name '%.64s' is not a cgroup name", name);
	const char *parent = m && m->present ? m->parent : NULL;
	if (parent && (bad = ns_cgroup_parent_check(parent)))
		return ns_err_set(err, EINVAL, "cgroups.parent '%.256s' %s", parent, bad);
	if ((size_t)snprintf(rel, size, "%s%s%s", parent ? parent : "", parent ? "/" : "", name) >=
	    size)
		return ns_err_set(err, ENAMETOOLONG, "cgroups.parent '%.64s...' is too long",
				  parent);
	return 0;
}

/* The parents a manifest `parent` made, deepest first, while they are empty. */
static void remove_parents(const struct ns_cgroup *cg, size_t i)
{
	char rel[PATH_MAX];
	strcpy(rel, cg->rel);
	for (char *slash = strrchr(rel, '/'); slash; slash = strrchr(rel, '/')) {
		*slash = '\0';
		if (unlinkat(cg->rt->dir[i].fd, rel, AT_REMOVEDIR) < 0)
			return; /* in use by another container, or not ours to remove */
	}
}

static int make_dirs(struct ns_cgroup *cg, struct ns_err *err)
{
	const struct ns_cgroup_runtime *rt = cg->rt;
	char enable[128];
	ns_cgroup_v2_enable_list(&rt->layout, enable, sizeof(enable));
	for (size_t i = 0; i < rt->layout.nhier; i++) {
		const struct ns_cgroup_hier *h = &rt->layout.hier[i];
		struct ns_cgroup_dir *d = &cg->dir[i];
		char path[PATH_MAX];
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", rt->dir[i].path, cg->rel) >=
		    sizeof(path))
			return ns_err_set(err, ENAMETOOLONG, "cgroup path of '%s' is too long",
					  cg->rel);
		if (faccessat(rt->dir[i].fd, cg->rel, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
			return ns_err_set(err, EEXIST, "cgroup '%s' already exists", path);
		bool cpuset_v1 = !h->v2 && (h->ctrls & (1u << NS_CGROUP_CPUSET));
		if (ns_cgroup_mkdirs(rt->dir[i].fd, rt->dir[i].path, cg->rel, cpuset_v1,
				     h->v2 ? enable : NULL, err) < 0)
			goto undo;
		d->fd =
		    openat(rt->dir[i].fd, cg->rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (d->fd < 0) {
			ns_err_sys(err, errno, "open '%s'", path);
			goto undo;
		}
		strcpy(d->path, path);
		continue;
	undo: /* what mkdirs made before failing */
		(void)unlinkat(rt->dir[i].fd, cg->rel, AT_REMOVEDIR);
		remove_parents(cg, i);
		return ns_err_ret(err);
	}
	return 0;
}

static void link_live(struct ns_cgroup *cg)
{
	struct ns_cgroup_runtime *rt = cg->rt;
	cg->next = rt->live;
	if (rt->live)
		rt->live->prev = cg;
	rt->live = cg;
}

static void unlink_live(struct ns_cgroup *cg)
{
	if (cg->prev)
		cg->prev->next = cg->next;
	else if (cg->rt->live == cg)
		cg->rt->live = cg->next;
	if (cg->next)
		cg->next->prev = cg->prev;
	cg->next = cg->prev = NULL;
}

int ns_cgroup_create(struct ns_cgroup_runtime *rt, const char *name, const struct ns_cgroups *m,
		     struct ns_cgroup_notes *notes, struct ns_cgroup **ret, struct ns_err *err)
{
	struct ns_cgroup_plan plan;
	struct ns_cgroup_caps caps;
	struct ns_err ignored;
	char rel[PATH_MAX];
	if (make_rel(name, m, rel, sizeof(rel), err) < 0 || check_nesting(rt, rel, err) < 0)
		return ns_err_wrap(err, "cgroup of '%s'", name);
	ns_cgroup_caps_from_layout(&rt->layout, &caps);
	if (ns_cgroup_plan_build(m, &caps, &plan, notes, err) < 0)
		return ns_err_wrap(err, "cgroup of '%s'", name);
	struct ns_cgroup *cg = calloc(1, sizeof(*cg));
	if (!cg) {
		ns_cgroup_plan_free(&plan);
		return ns_err_set(err, ENOMEM, "out of memory");
	}
	cg->rt = rt;
	cg->oom_fd = -1;
	strcpy(cg->rel, rel);
	for (size_t i = 0; i < NS_CGROUP_HIER_MAX; i++)
		cg->dir[i].fd = -1;
	link_live(cg);
	if (make_dirs(cg, err) < 0 || ns_cgroup_rt_reserve(cg, m, err) < 0 ||
	    ns_cgroup_plan_apply(&plan, cg, notes, err) < 0 ||
	    (m && m->present && m->memory.present && m->memory.oom_monitor &&
	     caps.present[NS_CGROUP_MEMORY] && ns_cgroup_oom_setup(cg, err) < 0)) {
		ns_cgroup_plan_free(&plan);
		ns_cgroup_destroy(cg, 0, &ignored);
		return ns_err_wrap(err, "cgroup of '%s'", name);
	}
	if (m && m->present && m->memory.present && m->memory.oom_monitor &&
	    !caps.present[NS_CGROUP_MEMORY])
		ns_cgroup_note(notes, "cgroups.memory.oom_monitor ignored: no memory controller");
	ns_cgroup_plan_free(&plan);
	*ret = cg;
	return 0;
}

int ns_cgroup_clone_fd(const struct ns_cgroup *cg)
{
	const struct ns_cgroup_layout *l = &cg->rt->layout;
	return l->nhier == 1 && l->hier[0].v2 ? cg->dir[0].fd : -1;
}

int ns_cgroup_attach(struct ns_cgroup *cg, pid_t pid, struct ns_err *err)
{
	for (size_t i = 0; i < cg->rt->layout.nhier; i++)
		if (cg->dir[i].fd >= 0 &&
		    ns_cgroup_move(cg->dir[i].fd, cg->dir[i].path, pid, err) < 0)
			return ns_err_wrap(err, "attach to cgroup '%s'", cg->rel);
	return 0;
}

const char *ns_cgroup_path(const struct ns_cgroup *cg, enum ns_cgroup_ctrl c)
{
	if ((unsigned)c >= NS_CGROUP_NCTRL || cg->rt->layout.ctrl[c] < 0)
		return NULL;
	const struct ns_cgroup_dir *d = &cg->dir[cg->rt->layout.ctrl[c]];
	return d->fd >= 0 ? d->path : NULL;
}

int ns_cgroup_destroy(struct ns_cgroup *cg, unsigned timeout_ms, struct ns_err *err)
{
	struct ns_cgroup_runtime *rt;
	int r = 0;
	if (!cg)
		return 0;
	rt = cg->rt;
	if (cg->oom_fd >= 0)
		close(cg->oom_fd);
	for (size_t i = 0; i < rt->layout.nhier; i++) {
		struct ns_cgroup_dir *d = &cg->dir[i];
		if (d->fd < 0)
			continue;
		close(d->fd);
		if (r == 0 &&
		    ns_cgroup_kill_remove(d->path, rt->layout.hier[i].v2, &rt->no_cgroup_kill,
					  timeout_ms, false, NULL, err) < 0)
			r = ns_err_wrap(err, "remove cgroup of '%s'", cg->rel);
		if (r == 0 && (int)i == rt->layout.ctrl[NS_CGROUP_CPU])
			ns_cgroup_rt_release(cg);
		if (r == 0)
			remove_parents(cg, i);
	}
	unlink_live(cg);
	free(cg);
	return r;
}
