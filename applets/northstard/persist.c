/* Persist directories as the daemon runs them: tombstones left by a crashed wipe are
 * finished at start-up, before any container starts, and a wipe's deletion runs in a
 * forked helper so that 30,000 files do not stall the loop (libns/persist.h). With
 * limits configured, data_dir must enforce project quotas (checked at start-up), every
 * start sets the container's limits, and a start is refused when the running
 * containers' limits could take the space the repositories on that file system still
 * may use (libns/persist_quota.h). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libns/fds.h"
#include "libns/persist.h"
#include "libns/persist_quota.h"
#include "libns/util.h"
#include "nsd.h"

bool nsd_needs_persist(const struct ns_manifest *m)
{
	for (size_t i = 0; i < m->nmounts; i++)
		if (m->mounts[i].type == NS_MOUNT_PERSIST)
			return true;
	return false;
}

/* Whether two paths are on one file system. */
static bool same_fs(const char *a, const char *b)
{
	struct stat sa, sb;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev;
}

/* Nothing is reserved for a repository without capacity_size: say so once. */
static void warn_unbounded_repos(struct nsd *d)
{
	for (size_t i = 0; i < d->cfg.nrepos; i++) {
		const struct ns_repo_config *rc = &d->cfg.repos[i];
		if (rc->type == NS_REPO_FS && !rc->has_capacity_size &&
		    same_fs(rc->dir, d->cfg.data_dir))
			ns_warn(&d->log, NSD_TAG,
				"repository %s shares data_dir's file system and has no "
				"capacity_size: persist limits keep no room for it",
				rc->name);
	}
}

int nsd_persist_init(struct nsd *d, struct ns_err *err)
{
	if (d->cfg.persist.quota) {
		if (ns_persist_quota_check(d->cfg.data_dir, err) < 0)
			return ns_err_ret(err);
		warn_unbounded_repos(d);
	}
	char **tombs = NULL;
	size_t n = 0;
	if (ns_persist_tombstones(d->cfg.data_dir, &tombs, &n, err) < 0)
		return ns_err_ret(err);
	for (size_t i = 0; i < n; i++) {
		struct ns_err e = {0};
		ns_info(&d->log, NSD_TAG, "Finishing the wipe of %s/%s", d->cfg.data_dir, tombs[i]);
		/* Left behind it only costs space: no container can have its name. */
		if (ns_persist_wipe_tombstone(d->cfg.data_dir, tombs[i], &e) < 0)
			ns_warn(&d->log, NSD_TAG, "%s", e.msg);
	}
	ns_persist_names_free(tombs, n);
	return 0;
}

/* The helper: deletes the tombstone, says why it could not on its pipe, and dies with
 * the daemon (start-up finishes the tombstone then, with no second deleter racing).
 * It keeps none of the daemon's descriptors: a console connection or a loop device
 * held here would outlive the daemon's close of it. */
static void __attribute__((noreturn))
wipe_child(const char *data_dir, const char *tomb, pid_t parent, int out)
{
	struct ns_err err = {0};
	const int stdio[3] = {-1, out, out};
	if (ns_signals_reset(&err) < 0 || ns_fds_arrange(stdio, NULL, 0, &err) < 0 ||
	    prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(2);
	if (ns_persist_wipe_tombstone(data_dir, tomb, &err) < 0) {
		dprintf(2, "%s\n", err.msg);
		_exit(1);
	}
	_exit(0);
}

/* Reaped like a debug command: through its pidfd, its exit logged under its tag. */
static int wipe_spawn(struct nsd *d, const char *tomb, struct ns_err *err)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return ns_err_sys(err, errno, "pipe");
	struct nsd_debug *dbg = calloc(1, sizeof(*dbg));
	if (!dbg) {
		close(p[0]);
		close(p[1]);
		return ns_err_set(err, ENOMEM, "out of memory");
	}
	snprintf(dbg->tag, sizeof(dbg->tag), "wipe %s", tomb);
	pid_t parent = getpid();
	dbg->pid = fork();
	if (dbg->pid == 0)
		wipe_child(d->cfg.data_dir, tomb, parent, p[1]);
	int fe = errno;
	close(p[1]);
	if (dbg->pid < 0) {
		close(p[0]);
		free(dbg);
		return ns_err_sys(err, fe, "fork");
	}
	if (!nsd_output_new(d, p[0], dbg->tag, -1, err))
		close(p[0]);
	dbg->pidfd = (int)syscall(SYS_pidfd_open, dbg->pid, 0);
	dbg->ev.kind = NSD_EV_DEBUG;
	if (dbg->pidfd < 0 || nsd_epoll_add(d, dbg->pidfd, EPOLLIN, &dbg->ev, err) < 0) {
		/* cannot watch it: wait for it here rather than leave a zombie */
		if (dbg->pidfd >= 0)
			close(dbg->pidfd);
		while (waitpid(dbg->pid, NULL, 0) < 0 && errno == EINTR)
			;
		free(dbg);
		return 0;
	}
	dbg->next = d->debugs;
	d->debugs = dbg;
	return 0;
}

void nsd_persist_wipe_tombstone(struct nsd *d, const char *tomb)
{
	struct ns_err err = {0};
	if (wipe_spawn(d, tomb, &err) == 0)
		return;
	ns_warn(&d->log, NSD_TAG, "wipe %s in a helper: %s; wiping it here", tomb, err.msg);
	if (ns_persist_wipe_tombstone(d->cfg.data_dir, tomb, &err) < 0)
		ns_warn(&d->log, NSD_TAG, "%s", err.msg);
}

/* Bytes the repositories on data_dir's file system may still take: what their
 * capacity_size leaves. */
static uint64_t repo_reserve(struct nsd *d)
{
	uint64_t sum = 0;
	for (size_t i = 0; i < d->nrepos; i++) {
		const struct nsd_repo *r = &d->repos[i];
		if (r->cfg->type != NS_REPO_FS || !r->cfg->has_capacity_size ||
		    r->bytes >= r->cfg->capacity_size || !same_fs(r->cfg->dir, d->cfg.data_dir))
			continue;
		sum += r->cfg->capacity_size - r->bytes;
	}
	return sum;
}

/* What name's persist directory may still grow by; 0 with no size limit, which the
 * configuration chose (0 / off). */
static int headroom(struct nsd *d, const char *name, uint64_t *out, struct ns_err *err)
{
	struct ns_persist_usage u;
	if (ns_persist_quota_usage(d->cfg.data_dir, name, &u, err) < 0)
		return ns_err_ret(err);
	*out = u.size_limit > u.size_used ? u.size_limit - u.size_used : 0;
	return 0;
}

/* The running containers' persist limits plus the one of c, which starts, against the
 * free space less what the repositories may still take. */
static int check_space(struct nsd *d, const struct nsd_container *c, struct ns_err *err)
{
	const char *name = nsd_manifest(c)->name;
	uint64_t sum = 0, h, free_bytes;
	if (headroom(d, name, &sum, err) < 0)
		return ns_err_ret(err);
	for (struct nsd_container *x = d->containers; x; x = x->next) {
		if (!x->proc || !nsd_needs_persist(nsd_manifest(x)))
			continue;
		if (headroom(d, nsd_manifest(x)->name, &h, err) < 0)
			return ns_err_ret(err);
		sum += h;
	}
	if (ns_persist_free_space(d->cfg.data_dir, &free_bytes, err) < 0)
		return ns_err_ret(err);
	uint64_t reserve = repo_reserve(d);
	if (sum + reserve <= free_bytes)
		return 0;
	return ns_err_set(err, ENOSPC,
			  "persist: data_dir '%s' has %llu bytes free, but the persist limits of "
			  "%s and the running containers allow %llu more and the repositories on "
			  "that file system may still take %llu: %s could starve them (lower "
			  "persist.size or make room)",
			  d->cfg.data_dir, (unsigned long long)free_bytes, c->id,
			  (unsigned long long)sum, (unsigned long long)reserve, c->id);
}

int nsd_persist_prepare(struct nsd *d, const struct nsd_container *c, struct ns_err *err)
{
	const struct ns_manifest *m = nsd_manifest(c);
	ns_autoclose int fd = -1;
	if (ns_persist_prepare(d->cfg.data_dir, m->name, m->uid, m->gid, &fd, err) < 0)
		return ns_err_ret(err);
	if (!d->cfg.persist.quota)
		return 0;
	uint64_t size, inodes;
	uint32_t id;
	ns_persist_config_limits(&d->cfg.persist, m->name, &size, &inodes);
	if (ns_persist_quota_apply(d->cfg.data_dir, m->name, fd, size, inodes, &id, err) < 0)
		return ns_err_ret(err);
	ns_debug(&d->log, c->id, "persist: project %u, size limit %llu, inode limit %llu", id,
		 (unsigned long long)size, (unsigned long long)inodes);
	return check_space(d, c, err);
}
