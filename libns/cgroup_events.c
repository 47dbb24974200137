/* OOM monitoring for the daemon's epoll loop. v1: an eventfd registered on
 * memory.oom_control through cgroup.event_control (signalled on each OOM in the
 * cgroup, and once more when the cgroup is removed); v2: inotify on memory.events,
 * which the kernel marks modified whenever a counter moves. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "cgroup_int.h"
#include "util.h"

int ns_cgroup_memory_events_parse(const char *text, struct ns_cgroup_memory_events *ev)
{
	static const struct {
		const char *key;
		size_t has, val;
	} keys[] = {
#define K(n)                                                                                       \
	{#n, offsetof(struct ns_cgroup_memory_events, has_##n),                                    \
	 offsetof(struct ns_cgroup_memory_events, n)}
	    K(low), K(high), K(max), K(oom), K(oom_kill), K(oom_group_kill),
#undef K
	};
	memset(ev, 0, sizeof(*ev));
	for (const char *p = text; *p;) {
		size_t len = strcspn(p, "\n"), klen = strcspn(p, " \n");
		const char *num = p + klen;
		char *end;
		while (*num == ' ')
			num++;
		errno = 0;
		unsigned long long v = strtoull(num, &end, 10);
		bool ok = num < p + len && end > num && errno == 0 && (end == p + len);
		for (size_t i = 0; ok && i < ARRAY_SIZE(keys); i++)
			if (strlen(keys[i].key) == klen && !strncmp(p, keys[i].key, klen)) {
				*(bool *)((char *)ev + keys[i].has) = true;
				*(uint64_t *)((char *)ev + keys[i].val) = v;
			}
		p += len + (p[len] == '\n'); /* unknown keys and odd lines are skipped */
	}
	return 0;
}

static int memory_dir(const struct ns_cgroup *cg)
{
	int h = cg->rt->layout.ctrl[NS_CGROUP_MEMORY];
	return h < 0 ? -1 : h;
}

/* v1 has no memory.events: oom counts the eventfd's wakeups, oom_kill comes from
 * memory.oom_control (Linux 4.13+) and max from memory.failcnt. */
static void fill_v1(const struct ns_cgroup *cg, const struct ns_cgroup_dir *d,
		    struct ns_cgroup_memory_events *ev)
{
	char text[256];
	memset(ev, 0, sizeof(*ev));
	ev->has_oom = true;
	ev->oom = cg->v1_ooms;
	if (ns_cgroup_read(d->fd, "memory.oom_control", text, sizeof(text)) > 0) {
		const char *k = strstr(text, "oom_kill ");
		if (k) {
			ev->has_oom_kill = true;
			ev->oom_kill = strtoull(k + 9, NULL, 10);
		}
	}
	ev->has_max = ns_cgroup_read_u64(d->fd, "memory.failcnt", &ev->max) == 0;
}

static int setup_v1(struct ns_cgroup *cg, const struct ns_cgroup_dir *d, struct ns_err *err)
{
	char line[64];
	ns_autoclose int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (efd < 0)
		return ns_err_sys(err, errno, "eventfd");
	/* The registration keeps its own reference: this fd may be closed after. */
	ns_autoclose int ofd = openat(d->fd, "memory.oom_control", O_RDONLY | O_CLOEXEC);
	if (ofd < 0)
		return ns_err_sys(err, errno, "open '%s/memory.oom_control'", d->path);
	snprintf(line, sizeof(line), "%d %d", efd, ofd);
	int r = ns_cgroup_write(d->fd, "cgroup.event_control", line);
	if (r < 0)
		return ns_err_sys(err, -r, "register an OOM eventfd in '%s/cgroup.event_control'",
				  d->path);
	cg->oom_fd = ns_steal_fd(&efd);
	cg->oom_kind = NS_OOM_V1;
	fill_v1(cg, d, &cg->last);
	return 0;
}

static int setup_v2(struct ns_cgroup *cg, const struct ns_cgroup_dir *d, struct ns_err *err)
{
	char path[PATH_MAX], text[1024];
	ns_autoclose int ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (ifd < 0)
		return ns_err_sys(err, errno, "inotify_init1");
	snprintf(path, sizeof(path), "%s/memory.events", d->path);
	if (inotify_add_watch(ifd, path, IN_MODIFY) < 0)
		return ns_err_sys(err, errno, "watch '%s'", path);
	ssize_t n = ns_cgroup_read(d->fd, "memory.events", text, sizeof(text));
	if (n < 0)
		return ns_err_sys(err, (int)-n, "read '%s'", path);
	ns_cgroup_memory_events_parse(text, &cg->last);
	cg->oom_fd = ns_steal_fd(&ifd);
	cg->oom_kind = NS_OOM_V2;
	return 0;
}

int ns_cgroup_oom_setup(struct ns_cgroup *cg, struct ns_err *err)
{
	int h = memory_dir(cg);
	if (h < 0)
		return 0;
	const struct ns_cgroup_dir *d = &cg->dir[h];
	int r = cg->rt->layout.hier[h].v2 ? setup_v2(cg, d, err) : setup_v1(cg, d, err);
	return r < 0 ? ns_err_wrap(err, "OOM monitor") : 0;
}

int ns_cgroup_oom_fd(const struct ns_cgroup *cg)
{
	return cg->oom_fd;
}

static int read_v1(struct ns_cgroup *cg, const struct ns_cgroup_dir *d,
		   struct ns_cgroup_memory_events *ev, struct ns_err *err)
{
	uint64_t count = 0;
	if (read(cg->oom_fd, &count, sizeof(count)) < 0 && errno != EAGAIN)
		return ns_err_sys(err, errno, "read the OOM eventfd of '%s'", d->path);
	cg->v1_ooms += count;
	fill_v1(cg, d, ev);
	/* The eventfd fires when the OOM starts; oom_kill moves a moment later, which a
	 * read at the container's exit then reports. */
	int changed = count > 0 || memcmp(ev, &cg->last, sizeof(*ev)) != 0;
	cg->last = *ev;
	return changed;
}

static int read_v2(struct ns_cgroup *cg, const struct ns_cgroup_dir *d,
		   struct ns_cgroup_memory_events *ev, struct ns_err *err)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	char text[1024];
	while (read(cg->oom_fd, buf, sizeof(buf)) > 0)
		; /* drain: the file is re-read whole */
	ssize_t n = ns_cgroup_read(d->fd, "memory.events", text, sizeof(text));
	if (n < 0)
		return ns_err_sys(err, (int)-n, "read '%s/memory.events'", d->path);
	ns_cgroup_memory_events_parse(text, ev);
	int changed = memcmp(ev, &cg->last, sizeof(*ev)) != 0;
	cg->last = *ev;
	return changed;
}

int ns_cgroup_oom_read(struct ns_cgroup *cg, struct ns_cgroup_memory_events *ev, struct ns_err *err)
{
	int h = memory_dir(cg);
	if (cg->oom_fd < 0 || h < 0)
		return ns_err_set(err, EBADF, "cgroup '%s' has no OOM monitor", cg->rel);
	if (cg->oom_kind == NS_OOM_V1)
		return read_v1(cg, &cg->dir[h], ev, err);
	return read_v2(cg, &cg->dir[h], ev, err);
}
