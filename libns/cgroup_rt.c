/* Realtime time on cgroup v1 with RT group scheduling. A cgroup's cpu.rt_runtime_us must
 * not be less than the sum of its children's (each scaled to its period), and a new
 * cgroup starts with none. So a container's cgroups.cpu.realtime_runtime is lent along
 * the path from the mount's root down to the container's parent before the container's
 * own value is written, and given back when its cgroup is gone. An idle runtime holds
 * no realtime time: another runtime, or a cgroup a crashed one left, cannot starve it
 * of what the machine has free. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup_int.h"
#include "muldiv.h"
#include "util.h"

#define RT_FILE	    "cpu.rt_runtime_us"
#define PERIOD_FILE "cpu.rt_period_us"

static int write_i64(int dirfd, int64_t v)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%" PRId64, v);
	return ns_cgroup_write(dirfd, RT_FILE, buf);
}

/* runtime per period, as time per level_period, rounded up: the kernel compares
 * runtime/period ratios, and a parent must never come out below its children. */
static int64_t scaled(int64_t runtime, int64_t period, int64_t level_period)
{
	uint64_t t;
	/* out of range only for absurd inputs: then more than any budget, which the
	 * kernel refuses and the caller reports */
	if (runtime < 0 || period <= 0 || level_period < 0 ||
	    ns_muldiv64((uint64_t)runtime, (uint64_t)level_period, (uint64_t)period, true, &t) <
		0 ||
	    t > INT64_MAX / 2)
		return INT64_MAX / 2;
	return (int64_t)t;
}

/* The cpu hierarchy when it is v1 with RT group scheduling, else -1. */
static int rt_hier(const struct ns_cgroup_runtime *rt)
{
	int i = rt->layout.ctrl[NS_CGROUP_CPU];
	if (i < 0 || rt->layout.hier[i].v2 || rt->dir[i].fd < 0 ||
	    faccessat(rt->dir[i].fd, RT_FILE, F_OK, 0) < 0)
		return -1;
	return i;
}

/* The directories that lend, below the mount's root: every component of
 * "runtime/rel" but the last, or of "runtime" alone when rel is NULL. */
struct chain {
	char path[PATH_MAX];
	size_t ends[64]; /* each level is path[0 .. ends[k]) */
	size_t n;
};

static int chain_build(const struct ns_cgroup_runtime *rt, const char *rel, struct chain *c)
{
	if ((size_t)snprintf(c->path, sizeof(c->path), "%s%s%s", rt->name, rel ? "/" : "",
			     rel ? rel : "") >= sizeof(c->path))
		return -ENAMETOOLONG;
	c->n = 0;
	for (size_t k = 0; c->path[k]; k++)
		if (c->path[k] == '/') {
			if (c->n == sizeof(c->ends) / sizeof(c->ends[0]))
				return -ENAMETOOLONG;
			c->ends[c->n++] = k;
		}
	if (!rel) /* the runtime's directory itself is the last level */
		c->ends[c->n++] = strlen(c->path);
	return 0;
}

static int chain_open(int root, const struct chain *c, size_t k)
{
	char level[PATH_MAX];
	snprintf(level, sizeof(level), "%.*s", (int)c->ends[k], c->path);
	return openat(root, level, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
}

/* Lowers levels [0, upto) by the loan, deepest first; cgroups gone are skipped. */
static void give_back(int root, const struct chain *c, size_t upto, int64_t runtime, int64_t period)
{
	while (upto-- > 0) {
		ns_autoclose int fd = chain_open(root, c, upto);
		int64_t have, per;
		if (fd < 0 || ns_cgroup_read_i64(fd, RT_FILE, &have) < 0 || have < 0 ||
		    ns_cgroup_read_i64(fd, PERIOD_FILE, &per) < 0 || per <= 0)
			continue;
		int64_t v = have - scaled(runtime, period, per);
		(void)write_i64(fd, v > 0 ? v : 0);
	}
}

/* "'a' (950000 us), 'b' (100000 us)": the children of dir holding realtime time. */
static void holders(int dir, char *out, size_t size)
{
	int dfd = openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ns_autoclosedir DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	size_t len = 0;
	if (!d) {
		if (dfd >= 0)
			close(dfd);
		return;
	}
	out[0] = '\0';
	for (struct dirent *e; (e = readdir(d));) {
		int64_t v;
		ns_autoclose int cfd = -1;
		if (e->d_type != DT_DIR || e->d_name[0] == '.' ||
		    (cfd = openat(dir, e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
		    ns_cgroup_read_i64(cfd, RT_FILE, &v) < 0 || v == 0)
			continue;
		int w = snprintf(out + len, size - len, "%s'%s' (%" PRId64 " us)", len ? ", " : "",
				 e->d_name, v);
		if (w < 0 || (size_t)w >= size - len) {
			out[len] = '\0';
			break;
		}
		len += (size_t)w;
	}
	if (!len)
		snprintf(out, size, "none of its children");
}

/* Why level k could not be raised, with who holds its parent's budget. */
static int lend_failed(int root, const char *mount, const struct chain *c, size_t k, int r,
		       int64_t runtime, int64_t period, struct ns_err *err)
{
	char level[PATH_MAX], held[512] = "unknown";
	int64_t budget = 0, per = 0;
	snprintf(level, sizeof(level), "%.*s", (int)c->ends[k], c->path);
	char *slash = strrchr(level, '/');
	ns_autoclose int pfd = k == 0 ? dup(root) : chain_open(root, c, k - 1);
	if (pfd >= 0) {
		(void)ns_cgroup_read_i64(pfd, RT_FILE, &budget);
		(void)ns_cgroup_read_i64(pfd, PERIOD_FILE, &per);
		holders(pfd, held, sizeof(held));
	}
	return ns_err_set(err, -r,
			  "cgroups.cpu.realtime_runtime: %" PRId64 " us per %" PRId64
			  " us cannot be lent to '%s/%s' (%s): '%s%s%.*s' has %" PRId64
			  " us per %" PRId64 " us of realtime time, held by %s",
			  runtime, period, mount, level, strerror(-r), mount, slash ? "/" : "",
			  slash ? (int)(slash - level) : 0, level, budget, per, held);
}

/* Raises levels [0, c->n) by the loan, top down; undone on failure. */
static int lend(int root, const char *mount, const struct chain *c, int64_t runtime, int64_t period,
		struct ns_err *err)
{
	for (size_t k = 0; k < c->n; k++) {
		ns_autoclose int fd = chain_open(root, c, k);
		int64_t have, per;
		int r = fd < 0 ? -errno : ns_cgroup_read_i64(fd, RT_FILE, &have);
		if (r == 0)
			r = ns_cgroup_read_i64(fd, PERIOD_FILE, &per);
		if (r == 0 && have < 0)
			continue; /* unlimited already */
		if (r == 0 && per <= 0)
			r = -EINVAL;
		if (r == 0)
			r = write_i64(fd, have + scaled(runtime, period, per));
		if (r < 0) {
			lend_failed(root, mount, c, k, r, runtime, period, err);
			give_back(root, c, k, runtime, period);
			return ns_err_ret(err);
		}
	}
	return 0;
}

int ns_cgroup_rt_reserve(struct ns_cgroup *cg, const struct ns_cgroups *m, struct ns_err *err)
{
	const struct ns_cgroup_runtime *rt = cg->rt;
	int i = rt_hier(rt);
	if (i < 0 || !m || !m->present || !m->cpu.has_rt_runtime || m->cpu.rt_runtime <= 0 ||
	    cg->dir[i].fd < 0)
		return 0;
	int64_t period = 0;
	if (m->cpu.has_rt_period && m->cpu.rt_period > 0 && m->cpu.rt_period <= INT64_MAX)
		period = (int64_t)m->cpu.rt_period;
	else if (ns_cgroup_read_i64(cg->dir[i].fd, PERIOD_FILE, &period) < 0 || period <= 0)
		return ns_err_set(err, EINVAL, "read '%s/" PERIOD_FILE "'", cg->dir[i].path);
	if (m->cpu.rt_runtime > period)
		return ns_err_set(err, EINVAL,
				  "cgroups.cpu.realtime_runtime: %" PRId64
				  " us is more than its period (%" PRId64 " us)",
				  m->cpu.rt_runtime, period);
	struct chain c;
	const char *mount = rt->layout.hier[i].mount;
	ns_autoclose int root = open(mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return ns_err_sys(err, errno, "open cgroup mount '%s'", mount);
	if (chain_build(rt, cg->rel, &c) < 0)
		return ns_err_set(err, ENAMETOOLONG, "cgroup path of '%s' is too long", cg->rel);
	if (lend(root, mount, &c, m->cpu.rt_runtime, period, err) < 0)
		return ns_err_ret(err);
	cg->rt_runtime = m->cpu.rt_runtime;
	cg->rt_period = period;
	return 0;
}

void ns_cgroup_rt_release(struct ns_cgroup *cg)
{
	int i = rt_hier(cg->rt);
	struct chain c;
	if (i < 0 || cg->rt_runtime <= 0 || chain_build(cg->rt, cg->rel, &c) < 0)
		return;
	ns_autoclose int root =
	    open(cg->rt->layout.hier[i].mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root >= 0)
		give_back(root, &c, c.n, cg->rt_runtime, cg->rt_period);
	cg->rt_runtime = 0;
}

void ns_cgroup_rt_reclaim(struct ns_cgroup_runtime *rt, struct ns_cgroup_notes *notes)
{
	int i = rt_hier(rt);
	int64_t have, per;
	struct chain c;
	if (i < 0 || ns_cgroup_read_i64(rt->dir[i].fd, RT_FILE, &have) < 0 || have <= 0 ||
	    ns_cgroup_read_i64(rt->dir[i].fd, PERIOD_FILE, &per) < 0 || per <= 0 ||
	    chain_build(rt, NULL, &c) < 0)
		return;
	ns_autoclose int root = open(rt->layout.hier[i].mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root < 0 || write_i64(rt->dir[i].fd, 0) < 0)
		return;
	give_back(root, &c, c.n - 1, have, per);
	ns_cgroup_note(notes,
		       "gave back the %" PRId64 " us per %" PRId64
		       " us of realtime time a previous runtime held",
		       have, per);
}
