/* The containers' cgroups (libns/cgroup.h, docs/cgroups.md): the runtime's cgroup at
 * start-up (stale ones of a killed daemon removed), one cgroup per container with its
 * manifest's limits, ns-init attached before its go, the OOM monitor on the epoll set
 * with the c_group notification, statistics for inspect, and removal however the
 * container ends.
 *
 * Without usable cgroups (none mounted, or the runtime's cgroup cannot be made) the
 * daemon still runs containers, without limits: that is logged at start-up, and again
 * for each container whose manifest asks for limits. An embedded system without a
 * memory controller should keep working, and the log says what it lacks. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "libns/cgroup.h"
#include "libns/io.h"
#include "libns/scheduler.h"
#include "libns/util.h"
#include "nsd.h"

/* How long the removal of a container's cgroup waits for its tasks to die. */
#define NSD_CGROUP_DESTROY_MS 5000

static void log_notes(struct nsd *d, const char *tag, const struct ns_cgroup_notes *n)
{
	for (size_t i = 0; i < n->n; i++)
		ns_info(&d->log, tag, "%s", n->line[i]);
	if (n->dropped)
		ns_info(&d->log, tag, "(%zu more cgroup notes)", n->dropped);
}

void nsd_cgroups_init(struct nsd *d)
{
	struct ns_cgroup_layout lay;
	struct ns_cgroup_notes *notes = calloc(1, sizeof(*notes));
	struct ns_err err = {0};
	d->cg_rt = NULL;
	if (!notes) {
		ns_warn(&d->log, NSD_TAG, "cgroups: out of memory; containers run without limits");
		return;
	}
	if (ns_cgroup_probe(&lay, &err) < 0 ||
	    ns_cgroup_runtime_init(&lay, d->cfg.cgroup, notes, &d->cg_rt, &err) < 0) {
		log_notes(d, NSD_TAG, notes);
		ns_warn(&d->log, NSD_TAG,
			"cgroups are not usable (%s): containers run without resource limits",
			err.msg);
		d->cg_rt = NULL;
		free(notes);
		return;
	}
	log_notes(d, NSD_TAG, notes); /* the stale cgroups removed, and why */
	const char *where = ns_cgroup_runtime_path(d->cg_rt, NS_CGROUP_MEMORY);
	if (!where)
		where = ns_cgroup_runtime_path(d->cg_rt, NS_CGROUP_CPU);
	ns_info(&d->log, NSD_TAG, "cgroups: %s layout, runtime cgroup '%s'%s%s",
		ns_cgroup_mode_name(lay.mode), d->cfg.cgroup, where ? " at " : "",
		where ? where : "");
	free(notes);
}

void nsd_cgroups_close(struct nsd *d)
{
	struct ns_err err = {0};
	if (!d->cg_rt)
		return;
	/* containers that outlived the shutdown's SIGKILL (stuck in the kernel) */
	for (struct nsd_container *c = d->containers; c; c = c->next)
		if (c->proc)
			nsd_cgroup_release(d, c->proc, c);
	if (ns_cgroup_runtime_destroy(d->cg_rt, &err) < 0)
		ns_error(&d->log, NSD_TAG, "cgroups: %s", err.msg);
	d->cg_rt = NULL;
}

/* On cgroup v1 with RT group scheduling a new cgroup has no realtime time, and the
 * application's realtime policy would fail with a bare EPERM: say what to set. */
static int check_realtime(const struct ns_manifest *m, const struct ns_cgroup *cg,
			  struct ns_err *err)
{
	if (m->sched.policy != NS_SCHED_FIFO && m->sched.policy != NS_SCHED_RR)
		return 0;
	/* throttling off host-wide: the kernel lets any cgroup run realtime tasks */
	if (!ns_sched_rt_throttled(NS_SCHED_RT_RUNTIME_SYSCTL))
		return 0;
	const char *dir = ns_cgroup_path(cg, NS_CGROUP_CPU);
	char path[PATH_MAX], buf[32] = "";
	if (!dir ||
	    (size_t)snprintf(path, sizeof(path), "%s/cpu.rt_runtime_us", dir) >= sizeof(path))
		return 0;
	ns_autoclose int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || ns_read_full(fd, buf, sizeof(buf) - 1) <= 0 || strcmp(buf, "0\n") != 0)
		return 0; /* no RT group scheduling (v2, or a kernel without it), or a budget */
	return ns_err_set(err, EPERM,
			  "sched policy %s: this kernel schedules realtime per cgroup (cgroup v1 "
			  "RT group scheduling) and the container's cgroup has no realtime time: "
			  "set cgroups.cpu.realtime_runtime",
			  m->sched.policy == NS_SCHED_FIFO ? "fifo" : "round_robin");
}

/* The manifest's cgroups with the repository's pids limit (config `pids_max`) when the
 * manifest has none: no container runs without one unless its manifest or repository
 * says `max` (issue 14). A shallow copy: the manifest's lists are shared. */
static void with_pids_default(const struct nsd_container *c, struct ns_cgroups *out)
{
	*out = nsd_manifest(c)->cgroups;
	if (out->pids.has_max)
		return;
	int64_t max = ns_repo_pids_max(c->repo ? c->repo->cfg : NULL);
	out->present = true;
	out->pids.present = true;
	out->pids.has_max = true;
	out->pids.max = max;
}

int nsd_cgroup_create(struct nsd *d, const struct nsd_container *c, struct nsd_process *p,
		      struct ns_err *err)
{
	const struct ns_manifest *m = nsd_manifest(c);
	if (!d->cg_rt) {
		if (m->cgroups.present)
			ns_warn(&d->log, c->id,
				"cgroups ignored: this machine has no usable cgroups");
		return 0;
	}
	struct ns_cgroup_notes *notes = calloc(1, sizeof(*notes));
	if (!notes)
		return ns_err_set(err, ENOMEM, "out of memory");
	struct ns_cgroups cg;
	with_pids_default(c, &cg);
	int r = ns_cgroup_create(d->cg_rt, m->name, &cg, notes, &p->cg, err);
	log_notes(d, c->id, notes);
	free(notes);
	if (r == 0 && (r = check_realtime(m, p->cg, err)) < 0) {
		struct ns_err ignored;
		(void)ns_cgroup_destroy(p->cg, NSD_CGROUP_DESTROY_MS, &ignored);
		p->cg = NULL;
	}
	if (r < 0)
		return r;
	int fd = ns_cgroup_oom_fd(p->cg);
	if (fd >= 0) {
		p->oom_ev.kind = NSD_EV_CGROUP;
		if (nsd_epoll_add(d, fd, EPOLLIN, &p->oom_ev, err) < 0) {
			struct ns_err ignored;
			(void)ns_cgroup_destroy(p->cg, NSD_CGROUP_DESTROY_MS, &ignored);
			p->cg = NULL;
			return ns_err_wrap(err, "watch the OOM monitor");
		}
		p->oom_watched = true;
	}
	return 0;
}

int nsd_cgroup_attach(struct nsd *d, struct nsd_process *p, pid_t pid, struct ns_err *err)
{
	(void)d;
	return p->cg ? ns_cgroup_attach(p->cg, pid, err) : 0;
}

static void unwatch(struct nsd *d, struct nsd_process *p)
{
	if (p->oom_watched)
		nsd_epoll_del(d, ns_cgroup_oom_fd(p->cg));
	p->oom_watched = false;
}

/* Reads the counters; when they moved: the log line and the notification. */
static int oom_check(struct nsd *d, struct nsd_process *p, const struct nsd_container *c)
{
	struct ns_cgroup_memory_events ev;
	struct ns_err err = {0};
	int r = ns_cgroup_oom_read(p->cg, &ev, &err);
	if (r < 0) {
		ns_warn(&d->log, c->id, "OOM monitor: %s", err.msg);
		return r;
	}
	if (r == 0)
		return 0;
	ns_warn(&d->log, NSD_TAG, "Process %s is out of memory (oom %llu, oom_kill %llu)", c->id,
		(unsigned long long)ev.oom, (unsigned long long)ev.oom_kill);
	struct ns_console_notification n = {
	    .kind = NS_NOTIF_CGROUP,
	    .container = nsd_cid(c),
	    .memory = {.has_low = ev.has_low,
		       .has_high = ev.has_high,
		       .has_max = ev.has_max,
		       .has_oom = ev.has_oom,
		       .has_oom_kill = ev.has_oom_kill,
		       .low = ev.low,
		       .high = ev.high,
		       .max = ev.max,
		       .oom = ev.oom,
		       .oom_kill = ev.oom_kill},
	};
	nsd_notify(d, &n);
	return 1;
}

void nsd_cgroup_oom_event(struct nsd *d, struct nsd_process *p)
{
	/* a monitor that fails would stay readable and spin the loop: it is dropped */
	if (oom_check(d, p, p->c) < 0)
		unwatch(d, p);
}

void nsd_cgroup_release(struct nsd *d, struct nsd_process *p, const struct nsd_container *c)
{
	struct ns_err err = {0};
	if (!p->cg)
		return;
	/* v1's eventfd fires as the OOM begins; oom_kill moves a moment later */
	if (ns_cgroup_oom_fd(p->cg) >= 0)
		(void)oom_check(d, p, c);
	unwatch(d, p); /* before the fd is closed: v1 signals the removal on it too */
	if (ns_cgroup_destroy(p->cg, NSD_CGROUP_DESTROY_MS, &err) < 0)
		ns_error(&d->log, c->id, "%s (left for the next start-up)", err.msg);
	p->cg = NULL;
}

cJSON *nsd_container_statistics(struct nsd *d, const struct nsd_container *c)
{
	(void)d;
	if (c->proc && c->proc->cg)
		return ns_cgroup_stats(c->proc->cg);
	return cJSON_CreateObject();
}
