/* The container lifecycle (spec runtime-behavior §2.5, §2.9, §2.10): start with its
 * checks, resources and implicit mounts; kill; the exit of a container; autostart;
 * stopping everything at shutdown. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libns/console_errtext.h"
#include "libns/initproto.h"
#include "libns/libc_compat.h"
#include "libns/path.h"
#include "libns/util.h"
#include "nsd.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

/* --- start --------------------------------------------------------------------- */

/* Northstar's reserved names, and NORTHSTAR_SOCKET_* (the socket descriptors'). */
static const char *bad_env(const struct nsd_start_args *a)
{
	static const char *const reserved[] = {"NORTHSTAR_NAME", "NORTHSTAR_VERSION",
					       "NORTHSTAR_CONTAINER", "NORTHSTAR_CONSOLE"};
	for (size_t i = 0; i < a->nenv; i++) {
		const char *k = a->env[i].key;
		for (size_t j = 0; j < ARRAY_SIZE(reserved); j++)
			if (!strcmp(k, reserved[j]))
				return k;
		if (!strncmp(k, "NORTHSTAR_SOCKET_", 17) || !k[0] || strchr(k, '='))
			return k;
	}
	return NULL;
}

/* The resource containers c needs, highest matching version each among the trusted
 * ones. When only untrusted candidates are there, the start fails naming them. */
static int resolve_resources(struct nsd *d, struct nsd_container *c, struct nsd_process *p,
			     struct ns_console_error *e, char *buf, size_t size)
{
	const struct ns_manifest *m = nsd_manifest(c);
	p->resources = calloc(m->nmounts + 1, sizeof(*p->resources));
	if (!p->resources) {
		nsd_error(e, NS_ERROR_UNEXPECTED, NULL);
		e->text = "out of memory";
		return -ENOMEM;
	}
	for (size_t i = 0; i < m->nmounts; i++) {
		const struct ns_mount *mnt = &m->mounts[i];
		if (mnt->type != NS_MOUNT_RESOURCE)
			continue;
		char why[1024];
		struct nsd_container *r = nsd_resolve_resource(d, c, mnt, why, sizeof(why));
		if (!r && why[0]) {
			nsd_error(e, NS_ERROR_START_CONTAINER_FAILED, c);
			nsd_error_text(e, NS_ERROR_START_CONTAINER_FAILED, buf, size, "%s", why);
			return -EACCES;
		}
		if (why[0])
			ns_warn(&d->log, NSD_TAG, "start %s: %s; %s is used", c->id, why, r->id);
		if (!r) {
			nsd_error(e, NS_ERROR_START_CONTAINER_MISSING_RESOURCE, c);
			e->resource = mnt->name;
			e->version = mnt->version_req;
			return -ENOENT;
		}
		p->resources[p->nresources++] = r;
	}
	return 0;
}

/* A resource mount's dir must exist in the resource (Northstar: missing resource). */
static int check_resource_dirs(const struct nsd_container *c, const struct nsd_process *p,
			       struct ns_console_error *e, char *buf, size_t size)
{
	const struct ns_manifest *m = nsd_manifest(c);
	size_t k = 0;
	for (size_t i = 0; i < m->nmounts; i++) {
		const struct ns_mount *mnt = &m->mounts[i];
		if (mnt->type != NS_MOUNT_RESOURCE)
			continue;
		const struct nsd_container *r = p->resources[k++];
		struct ns_err err = {0};
		ns_autoclose int root = open(r->blk->target, O_PATH | O_DIRECTORY | O_CLOEXEC);
		ns_autoclose int dir =
		    root < 0 ? -errno : ns_open_beneath(root, mnt->dir, O_PATH | O_DIRECTORY, &err);
		if (dir >= 0)
			continue;
		if (dir == -ENOENT || dir == -ENOTDIR) {
			nsd_error(e, NS_ERROR_START_CONTAINER_MISSING_RESOURCE, c);
			e->resource = mnt->name;
			e->version = mnt->version_req;
		} else {
			nsd_error(e, NS_ERROR_START_CONTAINER_FAILED, c);
			nsd_error_text(e, NS_ERROR_START_CONTAINER_FAILED, buf, size,
				       "resource %s dir '%s': %s", r->id, mnt->dir,
				       err.msg[0] ? err.msg : strerror(-dir));
		}
		return -ENOENT;
	}
	return 0;
}

/* Mounts c and its resources; what this start mounted is listed in mounted[]. */
static int mount_needed(struct nsd *d, struct nsd_container *c, struct nsd_process *p,
			struct nsd_container **mounted, size_t *nmounted, struct ns_err *err)
{
	for (size_t i = 0; i <= p->nresources; i++) {
		struct nsd_container *x = i < p->nresources ? p->resources[i] : c;
		if (x->blk)
			continue;
		if (nsd_mount(d, x, err) < 0)
			return ns_err_ret(err);
		mounted[(*nmounted)++] = x;
	}
	return 0;
}

static void free_process(struct nsd_process *p)
{
	if (p)
		free(p->resources);
	free(p);
}

/* Checks of spec §2.5 steps 1-4, in Northstar's order. */
static int start_checks(struct nsd *d, struct nsd_container *c, const struct nsd_start_args *a,
			struct ns_console_error *e, char *buf, size_t size)
{
	const struct ns_manifest *m = nsd_manifest(c);
	struct nsd_container *running = nsd_running_named(d, m->name);
	if (running) {
		nsd_error(e, NS_ERROR_START_CONTAINER_STARTED, running);
		return -EBUSY;
	}
	const char *bad = bad_env(a);
	if (bad) {
		nsd_error(e, NS_ERROR_INVALID_ARGUMENTS, NULL);
		nsd_error_text(e, NS_ERROR_INVALID_ARGUMENTS, buf, size,
			       "the environment variable '%s' is reserved or invalid", bad);
		return -EINVAL;
	}
	if (ns_manifest_is_resource(m)) {
		nsd_error(e, NS_ERROR_START_CONTAINER_RESOURCE, c);
		return -EINVAL;
	}
	return 0;
}

static int prepare_and_launch(struct nsd *d, struct nsd_container *c,
			      const struct nsd_start_args *a, struct nsd_process *p,
			      struct ns_console_error *e, char *buf, size_t size)
{
	const struct ns_manifest *m = nsd_manifest(c);
	struct ns_err err = {0};
	if (check_resource_dirs(c, p, e, buf, size) < 0)
		return -ENOENT;
	if (nsd_needs_persist(m) && nsd_persist_prepare(d, c, &err) < 0)
		goto failed;
	/* before the launch: a limit the kernel refuses fails the start with nothing run */
	if (nsd_cgroup_create(d, c, p, &err) < 0)
		goto failed;
	if (nsd_launch(d, c, a, p, &err) < 0)
		goto failed;
	return 0;
failed:
	nsd_error(e, NS_ERROR_START_CONTAINER_FAILED, c);
	nsd_error_text(e, NS_ERROR_START_CONTAINER_FAILED, buf, size, "%s", err.msg);
	return ns_err_ret(&err);
}

/* The log line of a start that got past the checks and failed, with its reason. */
static void log_start_failed(struct nsd *d, const struct nsd_container *c,
			     const struct ns_console_error *e)
{
	char why[1024];
	ns_warn(&d->log, NSD_TAG, "Failed to start %s: %s", c->id,
		e->text ? e->text : ns_console_errtext(e, why, sizeof(why)));
}

int nsd_start(struct nsd *d, struct nsd_container *c, const struct nsd_start_args *a,
	      struct ns_console_error *e, char *buf, size_t size)
{
	uint64_t begin_ns = nsd_now_ns();
	int r = start_checks(d, c, a, e, buf, size);
	if (r < 0)
		return r;
	struct nsd_process *p = calloc(1, sizeof(*p));
	struct nsd_container **mounted = NULL;
	size_t nmounted = 0;
	struct ns_err err = {0};
	if (!p || resolve_resources(d, c, p, e, buf, size) < 0) {
		if (!p)
			nsd_error_text(e, NS_ERROR_UNEXPECTED, buf, size, "out of memory");
		free_process(p);
		log_start_failed(d, c, e);
		return -ENOENT;
	}
	mounted = calloc(p->nresources + 1, sizeof(*mounted));
	if (!mounted || mount_needed(d, c, p, mounted, &nmounted, &err) < 0) {
		nsd_error(e, NS_ERROR_UNEXPECTED, NULL);
		nsd_error_text(e, NS_ERROR_UNEXPECTED, buf, size, "%s",
			       mounted ? err.msg : "out of memory");
		r = -EIO;
	} else {
		r = prepare_and_launch(d, c, a, p, e, buf, size);
	}
	if (r < 0) {
		nsd_cgroup_release(d, p, c);
		/* leave things as they were: what this start mounted goes again */
		for (size_t i = nmounted; i-- > 0;)
			if (nsd_umount(d, mounted[i], &err) < 0)
				ns_warn(&d->log, NSD_TAG, "%s", err.msg);
		free(mounted);
		free_process(p);
		log_start_failed(d, c, e);
		return r;
	}
	free(mounted);
	p->c = c;
	p->start_ns = nsd_now_ns();
	c->proc = p;
	/* Northstar's wording first: its tests and its users' tooling match on it */
	ns_info(&d->log, NSD_TAG, "Started %s in %.3fs (pid %d)", c->id,
		(double)(p->start_ns - begin_ns) / 1e9, (int)p->pid);
	return 0;
}

/* --- kill ----------------------------------------------------------------------- */

int nsd_kill(struct nsd *d, struct nsd_container *c, int sig, struct ns_console_error *e, char *buf,
	     size_t size)
{
	if (!c->proc) {
		nsd_error(e, NS_ERROR_STOP_CONTAINER_NOT_STARTED, c);
		return -ESRCH;
	}
	if (sig < 1 || sig > SIGRTMAX) {
		nsd_error(e, NS_ERROR_UNEXPECTED, NULL);
		nsd_error_text(e, NS_ERROR_UNEXPECTED, buf, size, "EINVAL: Invalid argument");
		return -EINVAL;
	}
	const char *abbrev = ns_sigabbrev(sig);
	ns_info(&d->log, NSD_TAG, "Killing %s with SIG%s", c->id, abbrev ? abbrev : "?");
	/* ns-init leads its group; it forwards the signal to the application's group */
	if (kill(-c->proc->pid, sig) < 0 && errno != ESRCH) {
		int er = errno;
		nsd_error(e, NS_ERROR_UNEXPECTED, NULL);
		nsd_error_text(e, NS_ERROR_UNEXPECTED, buf, size, "kill: %s", strerror(er));
		return -er;
	}
	return 0;
}

/* --- exit ----------------------------------------------------------------------- */

/* The last report of ns-init, if it made one; warnings on the way are logged. */
static bool final_report(struct nsd *d, struct nsd_process *p, struct ns_exit_status *s)
{
	bool got = false;
	struct ns_err err = {0};
	struct ns_init_report r;
	int n;
	while ((n = ns_initproto_read_report(p->sock, &r, &err)) != 0 && n != -EAGAIN) {
		if (n < 0) {
			ns_warn(&d->log, p->c->id, "%s", err.msg);
			continue;
		}
		if (r.kind == NS_INIT_WARN)
			ns_warn(&d->log, p->c->id, "%s", r.text);
		else if (r.kind == NS_INIT_EXIT || r.kind == NS_INIT_SIGNALLED) {
			s->kind = r.kind == NS_INIT_EXIT ? NS_EXIT_CODE : NS_EXIT_SIGNALLED;
			s->code = r.value;
			s->signal = (uint32_t)r.value;
			got = true;
		}
	}
	return got;
}

static void status_text(const struct ns_exit_status *s, char *buf, size_t size)
{
	if (s->kind == NS_EXIT_CODE) {
		snprintf(buf, size, "Exit(%d)", (int)s->code);
		return;
	}
	const char *abbrev = ns_sigabbrev((int)s->signal);
	if (abbrev)
		snprintf(buf, size, "Signalled(SIG%s)", abbrev);
	else
		snprintf(buf, size, "Signalled(%u)", (unsigned)s->signal);
}

void nsd_process_exited(struct nsd *d, struct nsd_process *p)
{
	struct nsd_container *c = p->c;
	struct ns_exit_status s = {0};
	siginfo_t si = {0};
	while (syscall(SYS_waitid, P_PIDFD, p->pidfd, &si, WEXITED | WNOHANG, NULL) < 0 &&
	       errno == EINTR)
		;
	if (si.si_pid == 0)
		return; /* not yet: a spurious wake-up */
	if (!final_report(d, p, &s)) {
		/* ns-init died without a report: SIGKILL (kill 9 or the kernel) took the
		 * whole container with it */
		bool sig = si.si_code == CLD_KILLED || si.si_code == CLD_DUMPED;
		s.kind = sig ? NS_EXIT_SIGNALLED : NS_EXIT_CODE;
		s.signal = (uint32_t)si.si_status;
		s.code = si.si_status;
	}
	if (p->console) /* a container's console lives as long as the container */
		nsd_conn_close(d, p->console);
	nsd_epoll_del(d, p->pidfd);
	close(p->pidfd);
	close(p->sock);
	for (int i = 0; i < 2; i++)
		if (p->out[i])
			nsd_output_close(d, p->out[i]);
	nsd_output_limit_report(d, c->id, &p->outlimit);
	nsd_sockets_remove(d, p);
	nsd_cgroup_release(d, p, c); /* whatever is left of the container is killed */
	char st[48];
	status_text(&s, st, sizeof(st));
	double secs = (double)(nsd_now_ns() - p->start_ns) / 1e9;
	/* both of Northstar's lines, in its order and words */
	ns_info(&d->log, NSD_TAG, "Process %s exited after %.3fs with status %s", c->id, secs, st);
	ns_info(&d->log, NSD_TAG, "Container %s exited with status %s", c->id, st);
	c->proc = NULL;
	free_process(p);
	nsd_notify_exit(d, c, &s);
	bool failed = !(s.kind == NS_EXIT_CODE && s.code == 0);
	if (nsd_manifest(c)->autostart == NS_AUTOSTART_CRITICAL && failed && !d->shutdown) {
		ns_error(&d->log, NSD_TAG, "Critical container %s failed with %s: shutting down",
			 c->id, st);
		nsd_request_shutdown(d, 1);
	}
}

/* --- autostart and stop --------------------------------------------------------- */

int nsd_autostart(struct nsd *d, struct ns_err *err)
{
	static const struct nsd_start_args none = {0};
	for (struct nsd_container *c = d->containers; c; c = c->next) {
		enum ns_autostart a = nsd_manifest(c)->autostart;
		if (a == NS_AUTOSTART_NONE)
			continue;
		struct ns_console_error e = {0};
		char buf[1024] = "";
		if (nsd_start(d, c, &none, &e, buf, sizeof(buf)) == 0) {
			nsd_notify_container(d, NS_NOTIF_STARTED, c);
			continue;
		}
		const char *why = e.text ? e.text : ns_error_kind_name(e.kind);
		if (a == NS_AUTOSTART_CRITICAL)
			return ns_err_set(err, EIO, "autostart of the critical container %s: %s",
					  c->id, why);
		ns_warn(&d->log, NSD_TAG, "autostart of %s: %s", c->id, why);
	}
	return 0;
}

static size_t signal_all(struct nsd *d, int sig)
{
	size_t n = 0;
	for (struct nsd_container *c = d->containers; c; c = c->next)
		if (c->proc) {
			if (sig)
				(void)kill(-c->proc->pid, sig);
			n++;
		}
	return n;
}

void nsd_stop_all(struct nsd *d)
{
	if (!signal_all(d, SIGTERM))
		return;
	uint64_t until = nsd_now_ms() + NSD_STOP_TIMEOUT_MS;
	while (signal_all(d, 0) && nsd_now_ms() < until)
		nsd_loop_once(d, (int)(until - nsd_now_ms()));
	if (!signal_all(d, SIGKILL))
		return;
	until = nsd_now_ms() + NSD_STOP_TIMEOUT_MS;
	while (signal_all(d, 0) && nsd_now_ms() < until)
		nsd_loop_once(d, (int)(until - nsd_now_ms()));
}
