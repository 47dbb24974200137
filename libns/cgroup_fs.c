/* cgroupfs primitives: control file reads and writes, directory creation along a path,
 * moving a process, and emptying and removing a cgroup (tree). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "cgroup_int.h"
#include "io.h"
#include "util.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

#define KILL_DEFAULT_MS 5000
#define PIDS_MAX	4096 /* per round; a bigger cgroup takes several rounds */

ssize_t ns_cgroup_read(int dirfd, const char *file, char *buf, size_t size)
{
	ns_autoclose int fd = openat(dirfd, file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	ssize_t n = ns_read_full(fd, buf, size - 1);
	if (n < 0)
		return n;
	buf[n] = '\0';
	return n;
}

int ns_cgroup_read_u64(int dirfd, const char *file, uint64_t *out)
{
	char buf[64], *end;
	ssize_t n = ns_cgroup_read(dirfd, file, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	errno = 0;
	unsigned long long v = strtoull(buf, &end, 10);
	if (errno || end == buf || (*end && *end != '\n'))
		return -EINVAL;
	*out = v;
	return 0;
}

int ns_cgroup_read_i64(int dirfd, const char *file, int64_t *out)
{
	char buf[64], *end;
	ssize_t n = ns_cgroup_read(dirfd, file, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	errno = 0;
	long long v = strtoll(buf, &end, 10);
	if (errno || end == buf || (*end && *end != '\n'))
		return -EINVAL;
	*out = v;
	return 0;
}

int ns_cgroup_write(int dirfd, const char *file, const char *value)
{
	ns_autoclose int fd = openat(dirfd, file, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	size_t len = strlen(value);
	ssize_t n;
	do
		n = write(fd, value, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

void ns_cgroup_v2_enable_list(const struct ns_cgroup_layout *l, char *buf, size_t size)
{
	static const char *const names[NS_CGROUP_NCTRL] = {[NS_CGROUP_MEMORY] = "memory",
							   [NS_CGROUP_CPU] = "cpu",
							   [NS_CGROUP_CPUSET] = "cpuset",
							   [NS_CGROUP_BLKIO] = "io",
							   [NS_CGROUP_PIDS] = "pids"};
	size_t off = 0;
	buf[0] = '\0';
	for (int c = 0; c < NS_CGROUP_NCTRL; c++)
		if (names[c] && l->ctrl[c] >= 0 && l->hier[l->ctrl[c]].v2 && off < size)
			off += (size_t)snprintf(buf + off, size - off, "%s+%s", off ? " " : "",
						names[c]);
}

/* One controller at a time: a refusal then names the controller. */
static int enable_controllers(int dirfd, const char *path, const char *list, struct ns_err *err)
{
	char copy[128], *save = NULL;
	snprintf(copy, sizeof(copy), "%s", list);
	for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		int r = ns_cgroup_write(dirfd, "cgroup.subtree_control", t);
		if (r < 0)
			return ns_err_sys(err, -r,
					  "enable controller '%s' in '%s/cgroup.subtree_control'",
					  t + 1, path);
	}
	return 0;
}

/* A new v1 cpuset cgroup has no cpus and mems, and refuses tasks until it gets some. */
static int cpuset_inherit(int parent, int child, const char *path, struct ns_err *err)
{
	static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		char cur[4096], up[4096];
		ssize_t n = ns_cgroup_read(child, files[i], cur, sizeof(cur));
		if (n < 0)
			return ns_err_sys(err, (int)-n, "read '%s/%s'", path, files[i]);
		if (n > 0 && cur[0] != '\n')
			continue;
		if ((n = ns_cgroup_read(parent, files[i], up, sizeof(up))) < 0)
			return ns_err_sys(err, (int)-n, "read the parent's %s of '%s'", files[i],
					  path);
		int r = ns_cgroup_write(child, files[i], up);
		if (r < 0)
			return ns_err_sys(err, -r, "copy the parent's %s into '%s'", files[i],
					  path);
	}
	return 0;
}

int ns_cgroup_mkdirs(int dirfd, const char *base, const char *rel, bool cpuset_v1,
		     const char *enable, struct ns_err *err)
{
	char path[PATH_MAX], comp[256];
	ns_autoclose int cur = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
	if (cur < 0)
		return ns_err_sys(err, errno, "dup");
	snprintf(path, sizeof(path), "%s", base);
	for (const char *p = rel; *p;) {
		size_t len = strcspn(p, "/");
		if (len >= sizeof(comp))
			return ns_err_set(err, ENAMETOOLONG, "cgroup name '%s' is too long", rel);
		memcpy(comp, p, len);
		comp[len] = '\0';
		p += len + (p[len] == '/');
		if (enable && *enable && enable_controllers(cur, path, enable, err) < 0)
			return ns_err_ret(err);
		size_t pl = strlen(path);
		if (pl + 1 + len >= sizeof(path))
			return ns_err_set(err, ENAMETOOLONG, "cgroup path '%s/%s' is too long",
					  path, comp);
		snprintf(path + pl, sizeof(path) - pl, "/%s", comp);
		if (mkdirat(cur, comp, 0755) < 0 && errno != EEXIST)
			return ns_err_sys(err, errno, "mkdir '%s'", path);
		int next = openat(cur, comp, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (next < 0)
			return ns_err_sys(err, errno, "open '%s'", path);
		/* Also when it existed: one made by hand may still be empty. */
		if (cpuset_v1 && cpuset_inherit(cur, next, path, err) < 0) {
			close(next);
			return ns_err_ret(err);
		}
		close(cur);
		cur = next;
	}
	return 0;
}

int ns_cgroup_move(int dirfd, const char *path, pid_t pid, struct ns_err *err)
{
	char v[32];
	snprintf(v, sizeof(v), "%d", (int)pid);
	int r = ns_cgroup_write(dirfd, "cgroup.procs", v);
	if (r < 0)
		return ns_err_sys(err, -r, "move pid %d into '%s'", (int)pid, path);
	return 0;
}

/* --- emptying and removing ----------------------------------------------------- */
static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Pids listed in cgroup.procs (at most max). */
static int read_pids(int dirfd, pid_t *pids, size_t max, size_t *n)
{
	ns_autoclose int fd = openat(dirfd, "cgroup.procs", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ns_autofree char *text = NULL;
	struct ns_err e;
	size_t len;
	*n = 0;
	if (fd < 0)
		return -errno;
	if (ns_read_fd(fd, 1 << 20, &text, &len, &e) < 0)
		return ns_err_ret(&e);
	for (char *p = text; *p && *n < max;) {
		char *end;
		long v = strtol(p, &end, 10);
		if (end == p)
			break;
		if (v > 0)
			pids[(*n)++] = (pid_t)v;
		p = end;
		while (*p == '\n')
			p++;
	}
	return 0;
}

static bool listed(const pid_t *pids, size_t n, pid_t pid)
{
	for (size_t i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

/* SIGKILLs the tasks of one cgroup once: v2's cgroup.kill (5.14) where present, else
 * each pid, pinned with a pidfd first and only signalled if it is still listed
 * afterwards, so a recycled pid is never hit. Returns the number of tasks seen (0:
 * empty); -EDEADLK when this process is among them. */
static int kill_round(int dirfd, bool v2, bool *no_cgroup_kill, unsigned *killed)
{
	pid_t *pids = malloc(2 * PIDS_MAX * sizeof(*pids));
	int *fds = malloc(PIDS_MAX * sizeof(*fds));
	size_t n = 0, n2 = 0;
	int r = -ENOMEM;
	if (!pids || !fds)
		goto out;
	if ((r = read_pids(dirfd, pids, PIDS_MAX, &n)) < 0 || n == 0)
		goto out;
	r = -EDEADLK;
	if (listed(pids, n, getpid()))
		goto out;
	r = (int)n;
	if (v2 && !*no_cgroup_kill) {
		int w = ns_cgroup_write(dirfd, "cgroup.kill", "1");
		if (w == 0) {
			*killed += (unsigned)n;
			goto out;
		}
		*no_cgroup_kill = w == -ENOENT;
	}
	for (size_t i = 0; i < n; i++)
		fds[i] = (int)syscall(SYS_pidfd_open, pids[i], 0);
	int r2 = read_pids(dirfd, pids + PIDS_MAX, PIDS_MAX, &n2);
	for (size_t i = 0; i < n; i++) {
		if (fds[i] < 0)
			continue;
		if (r2 == 0 && listed(pids + PIDS_MAX, n2, pids[i]) &&
		    syscall(SYS_pidfd_send_signal, fds[i], SIGKILL, NULL, 0) == 0)
			(*killed)++;
		close(fds[i]);
	}
out:
	free(pids);
	free(fds);
	return r;
}

/* Kills until cgroup.procs is empty. */
static int empty_cgroup(int dirfd, const char *path, bool v2, bool *no_cgroup_kill,
			uint64_t deadline, unsigned *killed, struct ns_err *err)
{
	unsigned nap = 1, first = 0, later = 0;
	for (bool once = true;; once = false) {
		/* Counted in the first round only: later rounds see the same dying tasks. */
		int r = kill_round(dirfd, v2, no_cgroup_kill, once ? &first : &later);
		if (once)
			*killed += first;
		if (r == 0 || r == -ENODEV) /* empty, or removed meanwhile */
			return 0;
		if (r == -EDEADLK)
			return ns_err_set(err, EDEADLK,
					  "'%s' holds this process: refusing to empty it", path);
		if (r < 0)
			return ns_err_sys(err, -r, "read '%s/cgroup.procs'", path);
		if (now_ms() > deadline)
			return ns_err_set(err, EBUSY, "'%s' still holds %d task(s) after SIGKILL",
					  path, r);
		sleep_ms(nap);
		nap = nap < 32 ? nap * 2 : 32;
	}
}

static int remove_dir(const char *path, uint64_t deadline, struct ns_err *err)
{
	unsigned nap = 1;
	while (rmdir(path) < 0) {
		if (errno == ENOENT)
			return 0;
		if (errno != EBUSY || now_ms() > deadline)
			return ns_err_sys(err, errno, "rmdir '%s'", path);
		sleep_ms(nap); /* the last task is still leaving */
		nap = nap < 32 ? nap * 2 : 32;
	}
	return 0;
}

static int kill_remove_at(const char *path, bool v2, bool *no_kill, uint64_t deadline,
			  bool recursive, unsigned *killed, struct ns_err *err)
{
	ns_autoclose int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT ? 0 : ns_err_sys(err, errno, "open '%s'", path);
	if (recursive) {
		int dfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
		DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
		struct dirent *e;
		if (!d) {
			if (dfd >= 0)
				close(dfd);
			return ns_err_sys(err, errno, "list '%s'", path);
		}
		while ((e = readdir(d))) {
			char sub[PATH_MAX];
			if (e->d_type != DT_DIR || !strcmp(e->d_name, ".") ||
			    !strcmp(e->d_name, ".."))
				continue;
			if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name) >=
			    sizeof(sub)) {
				closedir(d);
				return ns_err_set(err, ENAMETOOLONG, "'%s/%s' is too long", path,
						  e->d_name);
			}
			if (kill_remove_at(sub, v2, no_kill, deadline, true, killed, err) < 0) {
				closedir(d);
				return ns_err_ret(err);
			}
		}
		closedir(d);
	}
	if (empty_cgroup(fd, path, v2, no_kill, deadline, killed, err) < 0)
		return ns_err_ret(err);
	/* v1 RT group scheduling: the kernel drops a removed cgroup's realtime time only
	 * later (after RCU), so a parent giving back its loan at once would be refused. */
	if (!v2)
		(void)ns_cgroup_write(fd, "cpu.rt_runtime_us", "0");
	return remove_dir(path, deadline, err);
}

int ns_cgroup_kill_remove(const char *path, bool v2, bool *no_cgroup_kill, unsigned timeout_ms,
			  bool recursive, unsigned *killed, struct ns_err *err)
{
	unsigned dummy = 0;
	uint64_t deadline = now_ms() + (timeout_ms ? timeout_ms : KILL_DEFAULT_MS);
	return kill_remove_at(path, v2, no_cgroup_kill, deadline, recursive,
			      killed ? killed : &dummy, err);
}
