/* Runs a write plan against a container's cgroup directories. A file the kernel lacks
 * is noted when the write is optional (a feature of other kernels or versions); the
 * kernel refusing a value is an error naming the field, the file and the value. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cgroup_int.h"

/* Kernel memory limits: Linux 5.16+ keeps memory.kmem.limit_in_bytes but ignores
 * writes (reads stay "unlimited"), so a write that succeeded is checked. */
#define UNLIMITED_FLOOR (UINT64_C(1) << 62)

static void check_kmem(int dirfd, const struct ns_cgroup_write *w, const char *path,
		       struct ns_cgroup_notes *notes)
{
	uint64_t got;
	if (w->value[0] == '-' || ns_cgroup_read_u64(dirfd, w->file, &got) < 0)
		return;
	if (got >= UNLIMITED_FLOOR)
		ns_cgroup_note(notes,
			       "cgroups.%s ignored: this kernel accepts but ignores "
			       "%s/%s (deprecated since Linux 5.16)",
			       w->field, path, w->file);
}

static int apply_one(const struct ns_cgroup_write *w, const struct ns_cgroup_dir *d,
		     struct ns_cgroup_notes *notes, struct ns_err *err)
{
	const char *file = w->file, *value = w->value;
	int r = ns_cgroup_write(d->fd, file, value);
	if (r == -ENOENT && w->alt_file[0]) {
		file = w->alt_file;
		value = w->alt_value;
		r = ns_cgroup_write(d->fd, file, value);
	}
	if (r == -ENOENT && (w->flags & NS_CGW_OPTIONAL)) {
		ns_cgroup_note(notes, "cgroups.%s ignored: this kernel has no %s%s%s", w->field,
			       w->file, w->alt_file[0] ? " or " : "", w->alt_file);
		return 0;
	}
	if (r == -ENOENT)
		return ns_err_set(err, ENOENT, "cgroups.%s: '%s/%s' does not exist", w->field,
				  d->path, file);
	if (r < 0)
		return ns_err_sys(err, -r, "cgroups.%s: write '%s' to '%s/%s'", w->field, value,
				  d->path, file);
	if (w->flags & NS_CGW_KMEM)
		check_kmem(d->fd, w, d->path, notes);
	return 0;
}

int ns_cgroup_plan_apply(const struct ns_cgroup_plan *p, const struct ns_cgroup *cg,
			 struct ns_cgroup_notes *notes, struct ns_err *err)
{
	const struct ns_cgroup_layout *l = &cg->rt->layout;
	for (size_t i = 0; i < p->n; i++) {
		const struct ns_cgroup_write *w = &p->w[i];
		int h = l->ctrl[w->ctrl];
		if (h < 0 || cg->dir[h].fd < 0)
			return ns_err_set(err, ENOENT, "cgroups.%s: no %s controller", w->field,
					  ns_cgroup_ctrl_name(w->ctrl));
		if (apply_one(w, &cg->dir[h], notes, err) < 0)
			return ns_err_ret(err);
	}
	return 0;
}
