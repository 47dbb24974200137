/* Launching a container: its descriptors, the clone of ns-init (libns/launch.h), the
 * launch description (libns/initproto.h) and the wait for ns-init's report. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libns/hostpath.h"
#include "libns/initproto.h"
#include "libns/netns.h"
#include "libns/path.h"
#include "libns/util.h"
#include "nsd.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

/* Strings made for one launch, freed together. */
struct scratch {
	char *s[NS_ENV_MAX * 2 + NS_LAUNCH_FDS_MAX * 2 + 16];
	size_t n;
	char **list; /* extra storage for big lists */
};

static char *keep(struct scratch *sc, char *s)
{
	if (s && sc->n < ARRAY_SIZE(sc->s)) {
		sc->s[sc->n++] = s;
		return s;
	}
	free(s);
	return NULL;
}

static void scratch_free(struct scratch *sc)
{
	for (size_t i = 0; i < sc->n; i++)
		free(sc->s[i]);
	sc->n = 0;
}

/* --- the description ------------------------------------------------------------- */

static char *path2(const char *a, const char *b)
{
	char *s = NULL;
	return asprintf(&s, "%s/%s", a, b) < 0 ? NULL : s;
}

/* A bind whose host path does not exist is left out, as Northstar does (its examples
 * bind Android's /system), unless the config says `missing_binds: fail`; the child
 * still walks every path it mounts, so a path that vanishes later fails the start. */
static bool skip_bind(struct nsd *d, const struct nsd_container *c, const struct ns_mount *mnt)
{
	struct ns_err e = {0};
	if (d->cfg.missing_binds_fail)
		return false;
	ns_autoclose int fd = ns_hostpath_open(mnt->host, "host path", &e);
	if (fd != -ENOENT)
		return false;
	ns_warn(&d->log, c->id,
		"bind on '%s' skipped: host path '%s' does not exist (missing_binds: fail "
		"refuses the start instead)",
		mnt->target, mnt->host);
	return true;
}

/* Resource mounts take p->resources, in the order of the manifest's mounts: what the
 * start resolved, checked and mounted. */
static int mounts_of(struct nsd *d, const struct nsd_container *c, const struct nsd_process *p,
		     struct scratch *sc, struct ns_rootfs_mount *out, size_t *nout,
		     struct ns_err *err)
{
	const struct ns_manifest *m = nsd_manifest(c);
	size_t k = 0;
	*nout = 0;
	for (size_t i = 0; i < m->nmounts; i++) {
		const struct ns_mount *mnt = &m->mounts[i];
		if (mnt->type == NS_MOUNT_BIND && skip_bind(d, c, mnt))
			continue;
		struct ns_rootfs_mount *o = &out[(*nout)++];
		*o = (struct ns_rootfs_mount){.type = mnt->type, .target = mnt->target};
		if (mnt->type == NS_MOUNT_BIND) {
			o->source = mnt->host;
			o->options = mnt->options;
		} else if (mnt->type == NS_MOUNT_PERSIST) {
			o->source = keep(sc, path2(d->cfg.data_dir, m->name));
		} else if (mnt->type == NS_MOUNT_SOCKETS) {
			o->source = d->cfg.socket_dir;
		} else if (mnt->type == NS_MOUNT_TMPFS) {
			o->size = mnt->size;
		} else if (mnt->type == NS_MOUNT_RESOURCE) {
			const struct nsd_container *r =
			    k < p->nresources ? p->resources[k++] : NULL;
			if (!r || !r->blk)
				return ns_err_set(err, ENOENT, "resource %s is not mounted",
						  mnt->name);
			o->source = r->blk->target;
			o->subdir = mnt->dir;
			o->options = mnt->options;
		}
		if ((mnt->type == NS_MOUNT_PERSIST) && !o->source)
			return ns_err_set(err, ENOMEM, "out of memory");
	}
	return 0;
}

static bool reserved_env(const char *k)
{
	return !strcmp(k, "NORTHSTAR_NAME") || !strcmp(k, "NORTHSTAR_VERSION") ||
	       !strcmp(k, "NORTHSTAR_CONTAINER") || !strcmp(k, "NORTHSTAR_CONSOLE");
}

/* The manifest's environment with the request's on top (the request wins a key), then
 * the runtime's NORTHSTAR_* variables. */
static int env_of(const struct nsd_container *c, const struct nsd_start_args *a, struct scratch *sc,
		  const char **env, size_t *n, struct ns_err *err)
{
	const struct ns_manifest *m = nsd_manifest(c);
	char ver[64];
	*n = 0;
	for (size_t i = 0; i < m->nenv; i++) {
		bool overridden = false;
		for (size_t j = 0; j < a->nenv && !overridden; j++)
			overridden = !strcmp(a->env[j].key, m->env[i].key);
		if (!overridden && !reserved_env(m->env[i].key)) {
			char *s = NULL;
			if (asprintf(&s, "%s=%s", m->env[i].key, m->env[i].value) < 0)
				s = NULL;
			env[(*n)++] = keep(sc, s);
		}
	}
	for (size_t j = 0; j < a->nenv; j++) {
		char *s = NULL;
		if (asprintf(&s, "%s=%s", a->env[j].key, a->env[j].value) < 0)
			s = NULL;
		env[(*n)++] = keep(sc, s);
	}
	char *s1 = NULL, *s2 = NULL, *s3 = NULL;
	if (asprintf(&s1, "NORTHSTAR_NAME=%s", m->name) < 0)
		s1 = NULL;
	if (asprintf(&s2, "NORTHSTAR_VERSION=%s", ns_version_str(&m->version, ver, sizeof(ver))) <
	    0)
		s2 = NULL;
	if (asprintf(&s3, "NORTHSTAR_CONTAINER=%s", c->id) < 0)
		s3 = NULL;
	env[(*n)++] = keep(sc, s1);
	env[(*n)++] = keep(sc, s2);
	env[(*n)++] = keep(sc, s3);
	/* the application finds its sockets on 3, 4, ... in the manifest's (name) order,
	 * then its console */
	for (size_t i = 0; i < m->nsockets; i++) {
		char *s = NULL;
		if (asprintf(&s, "NORTHSTAR_SOCKET_%s=%zu", m->sockets[i].name, 3 + i) < 0)
			s = NULL;
		env[(*n)++] = keep(sc, s);
	}
	if (m->console.present) {
		char *s = NULL;
		if (asprintf(&s, "NORTHSTAR_CONSOLE=%zu", 3 + m->nsockets) < 0)
			s = NULL;
		env[(*n)++] = keep(sc, s);
	}
	for (size_t i = 0; i < *n; i++)
		if (!env[i])
			return ns_err_set(err, ENOMEM, "out of memory");
	return 0;
}

/* init: the request's, with "<INIT>" replaced by the manifest's, or the manifest's. */
static const char *init_of(const struct nsd_container *c, const struct nsd_start_args *a,
			   struct scratch *sc)
{
	const char *mi = nsd_manifest(c)->init;
	if (!a->init)
		return mi;
	const char *at = strstr(a->init, "<INIT>");
	if (!at)
		return a->init;
	char *s = NULL;
	if (asprintf(&s, "%.*s%s%s", (int)(at - a->init), a->init, mi, at + 6) < 0)
		return NULL;
	return keep(sc, s);
}

static char *describe(struct nsd *d, const struct nsd_container *c, const struct nsd_start_args *a,
		      const struct nsd_process *p, struct ns_err *err)
{
	const struct ns_manifest *m = nsd_manifest(c);
	struct scratch sc = {.n = 0};
	struct ns_rootfs_mount *mounts = calloc(m->nmounts + 1, sizeof(*mounts));
	const char **env = calloc(m->nenv + a->nenv + m->nsockets + 5, sizeof(*env));
	char *text = NULL;
	if (!mounts || !env) {
		ns_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	struct ns_launch_desc desc = {
	    .container = c->id,
	    .manifest = c->img.manifest_text,
	    .manifest_len = c->img.manifest_len,
	    .root = c->blk->target,
	    .hostname = m->name,
	    .init = init_of(c, a, &sc),
	    .args = a->nargs ? (const char **)a->args : m->args,
	    .nargs = a->nargs ? a->nargs : m->nargs,
	    .mounts = mounts,
	    .nfds = m->nsockets + m->console.present,
	    .selinux_exec = d->selinux && m->selinux.present ? m->selinux.exec : NULL,
	    .seccomp_unfiltered = c->repo && c->repo->cfg->seccomp_unfiltered,
	};
	if (m->selinux.present && m->selinux.exec && !d->selinux)
		ns_info(&d->log, NSD_TAG,
			"SELinux is not enabled: the exec context of %s is ignored", c->id);
	if (desc.seccomp_unfiltered && !m->seccomp.present)
		ns_warn(&d->log, c->id,
			"no seccomp section: runs without a system call filter (repository '%s' "
			"has missing_seccomp: unfiltered)",
			c->repo->cfg->name);
	if (!desc.init) {
		ns_err_set(err, ENOMEM, "out of memory");
		goto out;
	}
	if (mounts_of(d, c, p, &sc, mounts, &desc.nmounts, err) < 0 ||
	    env_of(c, a, &sc, env, &desc.nenv, err) < 0)
		goto out;
	desc.env = env;
	text = ns_launch_desc_encode(&desc, err);
out:
	scratch_free(&sc);
	free(mounts);
	free(env);
	return text;
}

/* --- descriptors ------------------------------------------------------------------ */

/* Sets up one output stream: discard (/dev/null), pipe (lines to the log) or inherit
 * (bytes to our own descriptor). Returns the write end for the child. */
static int output_of(struct nsd *d, const struct nsd_container *c, enum ns_io_mode mode, int which,
		     struct nsd_output **ret, struct ns_err *err)
{
	*ret = NULL;
	if (mode == NS_IO_DISCARD)
		return fcntl(d->devnull, F_DUPFD_CLOEXEC, 3);
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return ns_err_sys(err, errno, "pipe");
	char tag[sizeof((*ret)->tag)];
	snprintf(tag, sizeof(tag), "%s", c->id);
	*ret = nsd_output_new(d, p[0], tag, mode == NS_IO_INHERIT ? which : -1, err);
	if (!*ret) {
		close(p[0]);
		close(p[1]);
		return ns_err_ret(err);
	}
	(*ret)->owned = true;
	return p[1];
}

/* --- waiting for ns-init ----------------------------------------------------------- */

static int exec_error(const char *text, struct ns_err *err)
{
	int e = 0;
	if (sscanf(text, "exec %d", &e) == 1)
		return ns_err_set(err, e, "cannot execute ns-init: %s", strerror(e));
	return ns_err_set(err, EIO, "%s", text);
}

/* Waits for "started"; logs warnings on the way. */
static int await_start(struct nsd *d, const struct nsd_container *c, int sock, pid_t *app,
		       struct ns_err *err)
{
	uint64_t until = nsd_now_ms() + NSD_START_TIMEOUT_MS;
	for (;;) {
		struct ns_init_report r;
		int n = ns_initproto_read_report(sock, &r, err);
		if (n == 0)
			return ns_err_set(err, EPIPE, "ns-init ended during setup");
		if (n == -EAGAIN) {
			uint64_t now = nsd_now_ms();
			if (now >= until)
				return ns_err_set(err, ETIMEDOUT, "ns-init did not report in %d ms",
						  NSD_START_TIMEOUT_MS);
			struct pollfd pfd = {.fd = sock, .events = POLLIN};
			(void)poll(&pfd, 1, (int)(until - now));
			continue;
		}
		if (n < 0)
			return n;
		if (r.kind == NS_INIT_WARN)
			ns_warn(&d->log, c->id, "%s", r.text);
		else if (r.kind == NS_INIT_STARTED) {
			*app = r.value;
			return 0;
		} else if (r.kind == NS_INIT_ERROR)
			return exec_error(r.text, err);
		else
			return ns_err_set(err, EBADMSG,
					  "ns-init reported an exit before the start");
	}
}

static void reap_failed(int pidfd, pid_t pid)
{
	(void)kill(pid, SIGKILL);
	siginfo_t si;
	while (syscall(SYS_waitid, P_PIDFD, pidfd, &si, WEXITED, NULL) < 0 && errno == EINTR)
		;
}

/* --- the launch -------------------------------------------------------------------- */

struct launch_fds {
	int sv[2];
	int out_w, err_w;
	int pidfd;
	pid_t pid;
};

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static int spawn_init(struct nsd *d, const struct nsd_container *c, struct launch_fds *f,
		      struct ns_err *err)
{
	static const char *const argv[] = {"ns-init", NULL};
	struct ns_launch l = {
	    .exe = &d->exe,
	    .argv = argv,
	    .clone_flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS |
			   ns_net_clone_flags(nsd_manifest(c)->network.mode),
	    .stdio = {d->devnull, f->out_w, f->err_w},
	    .keep = &f->sv[1],
	    .nkeep = 1,
	    .report_fd = 0,
	    .nofile = d->nofile.rlim_max ? &d->nofile : NULL, /* before the raise: NULL */
	};
	return ns_launch_spawn(&l, &f->pid, &f->pidfd, err);
}

int nsd_launch(struct nsd *d, struct nsd_container *c, const struct nsd_start_args *a,
	       struct nsd_process *p, struct ns_err *err)
{
	const struct ns_io *io = &nsd_manifest(c)->io;
	struct launch_fds f = {.sv = {-1, -1}, .out_w = -1, .err_w = -1, .pidfd = -1, .pid = -1};
	int fds[NS_LAUNCH_FDS_MAX];
	size_t nsockets = nsd_manifest(c)->nsockets;
	size_t nfds = nsockets + nsd_manifest(c)->console.present; /* the console goes last */
	if (nfds > NS_LAUNCH_FDS_MAX)
		return ns_err_set(err, EMFILE,
				  "%zu sockets and a console: more than %d descriptors", nsockets,
				  NS_LAUNCH_FDS_MAX);
	for (size_t i = 0; i < nfds; i++)
		fds[i] = -1;
	char *text = describe(d, c, a, p, err);
	if (!text)
		return ns_err_ret(err);
	int r = -1;
	pid_t app = 0;
	if (nsd_sockets_create(d, c, p, fds, err) < 0)
		goto out;
	if (nfds > nsockets && nsd_console_attach(d, c, &fds[nsockets], &p->console, err) < 0)
		goto out;
	if ((f.out_w = output_of(d, c, io->out, 1, &p->out[0], err)) < 0 ||
	    (f.err_w = output_of(d, c, io->err, 2, &p->out[1], err)) < 0)
		goto out;
	nsd_output_limit_init(d, &p->outlimit); /* one rate for both streams */
	for (int i = 0; i < 2; i++)
		if (p->out[i])
			p->out[i]->limit = &p->outlimit;
	nsd_logs_start(d, c, p); /* the last run's lines go; these pipes feed the ring */
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, f.sv) < 0) {
		ns_err_sys(err, errno, "socketpair");
		goto out;
	}
	/* sent first: ns-init finds it waiting when it starts */
	if (ns_initproto_send(f.sv[0], text, strlen(text), fds, nfds, err) < 0 ||
	    spawn_init(d, c, &f, err) < 0)
		goto out;
	close_fd(&f.sv[1]);
	close_fd(&f.out_w);
	close_fd(&f.err_w);
	/* into its cgroup before the go: the application never runs outside; the debug
	 * commands start before the go too, so a tracer is there before the fork */
	if (nsd_cgroup_attach(d, p, f.pid, err) < 0) {
		reap_failed(f.pidfd, f.pid);
		goto out;
	}
	nsd_debug_commands(d, c, f.pid);
	/* a go that finds ns-init gone is no error of ours: its report says why */
	int g = ns_initproto_go(f.sv[0], err);
	if (g < 0 && g != -EPIPE && g != -ECONNRESET) {
		reap_failed(f.pidfd, f.pid);
		goto out;
	}
	if (await_start(d, c, f.sv[0], &app, err) < 0) {
		reap_failed(f.pidfd, f.pid);
		goto out;
	}
	p->pid = f.pid;
	p->pidfd = f.pidfd;
	p->sock = f.sv[0];
	f.pidfd = f.sv[0] = -1;
	p->ev.kind = NSD_EV_PROCESS;
	r = nsd_epoll_add(d, p->pidfd, EPOLLIN, &p->ev, err);
	if (r < 0) { /* cannot supervise it: do not leave it running */
		reap_failed(p->pidfd, p->pid);
		close_fd(&p->pidfd);
		close_fd(&p->sock);
	}
out:
	free(text);
	close_fd(&f.sv[0]);
	close_fd(&f.sv[1]);
	close_fd(&f.out_w);
	close_fd(&f.err_w);
	close_fd(&f.pidfd);
	for (size_t i = 0; i < nfds && i < NS_LAUNCH_FDS_MAX; i++)
		close_fd(&fds[i]); /* ns-init has its own */
	if (r < 0) {
		for (int i = 0; i < 2; i++) {
			if (p->out[i])
				nsd_output_close(d, p->out[i]);
			p->out[i] = NULL;
		}
		nsd_sockets_remove(d, p);
		if (p->console)
			nsd_conn_close(d, p->console);
		p->console = NULL;
	}
	return r < 0 ? ns_err_ret(err) : 0;
}
