#include "creds.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "group.h"
#include "io.h"
#include "util.h"

#define GROUP_FILE_MAX (16u << 20)

/* 32-bit arm and x86 have 16-bit ids on the plain numbers. */
#ifdef SYS_setresuid32
#define NR_SETRESUID SYS_setresuid32
#define NR_SETRESGID SYS_setresgid32
#define NR_SETGROUPS SYS_setgroups32
#else
#define NR_SETRESUID SYS_setresuid
#define NR_SETRESGID SYS_setresgid
#define NR_SETGROUPS SYS_setgroups
#endif

static int add_group(struct ns_creds_plan *p, const char *name, uint32_t gid, struct ns_err *err)
{
	if (gid == 0)
		return ns_err_set(err, EPERM, "supplementary group '%s' is gid 0, which is refused",
				  name);
	for (size_t i = 0; i < p->ngroups; i++)
		if (p->groups[i] == gid)
			return 0;
	p->groups[p->ngroups++] = gid;
	return 0;
}

static int skip_group(struct ns_creds_plan *p, const char *name, struct ns_err *err)
{
	char *copy = strdup(name);
	if (!copy)
		return ns_err_set(err, ENOMEM, "supplementary groups: out of memory");
	p->skipped[p->nskipped++] = copy;
	return 0;
}

static int resolve_groups(struct ns_creds_plan *p, const char *const *names, size_t n,
			  const char *path, struct ns_err *err)
{
	ns_autofree char *text = NULL;
	size_t len = 0;
	int r = ns_read_file_at(AT_FDCWD, path, GROUP_FILE_MAX, &text, &len, err);
	if (r == -ENOENT)
		ns_err_clear(err); /* no group file: every name is unknown */
	else if (r < 0)
		return ns_err_wrap(err, "supplementary groups");
	p->skipped = calloc(n, sizeof(*p->skipped));
	if (!p->skipped)
		return ns_err_set(err, ENOMEM, "supplementary groups: out of memory");
	for (size_t i = 0; i < n; i++) {
		uint32_t gid;
		if (!names[i] || !names[i][0])
			return ns_err_set(err, EINVAL, "supplementary group %zu: empty name", i);
		if (text && ns_group_find(text, len, names[i], &gid) == 1)
			r = add_group(p, names[i], gid, err);
		else
			r = skip_group(p, names[i], err);
		if (r < 0)
			return r;
	}
	return 0;
}

int ns_creds_prepare(uid_t uid, gid_t gid, const char *const *groups, size_t ngroups,
		     const char *group_file, struct ns_creds_plan *plan, struct ns_err *err)
{
	struct ns_creds_plan p = {.uid = uid, .gid = gid};
	if (uid == 0)
		return ns_err_set(err, EPERM, "uid 0 is refused");
	if (gid == 0)
		return ns_err_set(err, EPERM, "gid 0 is refused");
	if (uid == (uid_t)-1 || gid == (gid_t)-1)
		return ns_err_set(err, EINVAL, "uid or gid -1 is not an id");
	if (ngroups > NS_SUPPL_GROUPS_MAX)
		return ns_err_set(err, EINVAL, "%zu supplementary groups, more than %d", ngroups,
				  NS_SUPPL_GROUPS_MAX);
	if (ngroups > 0) {
		int r = resolve_groups(&p, groups, ngroups, group_file ? group_file : "/etc/group",
				       err);
		if (r < 0) {
			ns_creds_plan_free(&p);
			return r;
		}
	}
	*plan = p;
	return 0;
}

void ns_creds_plan_free(struct ns_creds_plan *plan)
{
	for (size_t i = 0; i < plan->nskipped; i++)
		free(plan->skipped[i]);
	free(plan->skipped);
	plan->skipped = NULL;
	plan->nskipped = 0;
}

int ns_creds_apply(const struct ns_creds_plan *p, struct ns_err *err)
{
	if (prctl(PR_SET_KEEPCAPS, 1L, 0L, 0L, 0L) < 0)
		return ns_err_sys(err, errno, "credentials: keep capabilities");
	if (syscall(NR_SETGROUPS, p->ngroups, p->groups) < 0)
		return ns_err_sys(err, errno, "credentials: setgroups (%zu groups)", p->ngroups);
	if (syscall(NR_SETRESGID, p->gid, p->gid, p->gid) < 0)
		return ns_err_sys(err, errno, "credentials: setresgid %u", (unsigned)p->gid);
	if (syscall(NR_SETRESUID, p->uid, p->uid, p->uid) < 0)
		return ns_err_sys(err, errno, "credentials: setresuid %u", (unsigned)p->uid);
	return 0;
}
