/* Persist directories as the daemon runs them: tombstones left by a crashed wipe are
 * finished at start-up, before any container starts, and a wipe's deletion runs in a
 * forked helper so that 30,000 files do not stall the loop (libns/persist.h). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libns/persist.h"
#include "nsd.h"

int nsd_persist_init(struct nsd *d, struct ns_err *err)
{
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
 * the daemon (start-up finishes the tombstone then, with no second deleter racing). */
static void __attribute__((noreturn))
wipe_child(const char *data_dir, const char *tomb, pid_t parent, int out)
{
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(2);
	struct ns_err err = {0};
	if (ns_persist_wipe_tombstone(data_dir, tomb, &err) < 0) {
		dprintf(out, "%s\n", err.msg);
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
