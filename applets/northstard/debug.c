/* Debug commands (config debug.commands): run beside a container once its init exists,
 * their output logged and their exit reaped through a pidfd. Not part of the container,
 * and not killed with it (as in Northstar). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nsd.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

extern char **environ;

/* "<PID>" and "<CONTAINER>" replaced; split on white space, no quoting (as Northstar). */
static char **debug_argv(const char *cmd, pid_t pid, const char *id, char **storage)
{
	char pidstr[16];
	snprintf(pidstr, sizeof(pidstr), "%d", (int)pid);
	size_t cap = strlen(cmd) * 2 + 64 + strlen(id) * 8, n = 0;
	char *out = malloc(cap);
	if (!out)
		return NULL;
	for (const char *s = cmd; *s && n + 1 < cap;) {
		const char *rep = !strncmp(s, "<PID>", 5)	   ? pidstr
				  : !strncmp(s, "<CONTAINER>", 11) ? id
								   : NULL;
		if (rep) {
			n += (size_t)snprintf(out + n, cap - n, "%s", rep);
			s += rep == pidstr ? 5 : 11;
		} else
			out[n++] = *s++;
	}
	out[n < cap ? n : cap - 1] = '\0';
	char **argv = calloc(n / 2 + 2, sizeof(char *));
	size_t k = 0;
	for (char *save = NULL, *w = argv ? strtok_r(out, " \t\n", &save) : NULL; w;
	     w = strtok_r(NULL, " \t\n", &save))
		argv[k++] = w;
	if (!argv || k == 0) {
		free(argv);
		free(out);
		return NULL;
	}
	*storage = out; /* the words point into it */
	return argv;
}

static int spawn_debug(char **argv, int out, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, all;
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out, 1);
	posix_spawn_file_actions_adddup2(&fa, out, 2);
	posix_spawnattr_init(&at);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &all);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	int r = posix_spawnp(pid, argv[0], &fa, &at, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	return r;
}

static void debug_one(struct nsd *d, const char *cmd, const struct nsd_container *c, pid_t pid)
{
	struct ns_err err = {0};
	char *storage = NULL;
	char **argv = debug_argv(cmd, pid, c->id, &storage);
	int p[2] = {-1, -1};
	struct nsd_debug *dbg = calloc(1, sizeof(*dbg));
	if (!argv || !dbg || pipe2(p, O_CLOEXEC) < 0) {
		ns_warn(&d->log, c->id, "debug command '%s': cannot prepare it", cmd);
		goto out;
	}
	snprintf(dbg->tag, sizeof(dbg->tag), "%s debug", c->id);
	int r = spawn_debug(argv, p[1], &dbg->pid);
	if (r != 0) {
		ns_warn(&d->log, c->id, "debug command '%s': %s", cmd, strerror(r));
		goto out;
	}
	ns_info(&d->log, c->id, "debug command '%s' started (pid %d)", cmd, (int)dbg->pid);
	if (!nsd_output_new(d, p[0], dbg->tag, -1, &err))
		close(p[0]);
	p[0] = -1;
	dbg->pidfd = (int)syscall(SYS_pidfd_open, dbg->pid, 0);
	dbg->ev.kind = NSD_EV_DEBUG;
	if (dbg->pidfd >= 0 && nsd_epoll_add(d, dbg->pidfd, EPOLLIN, &dbg->ev, &err) == 0) {
		dbg->next = d->debugs;
		d->debugs = dbg;
		dbg = NULL;
	} else if (dbg->pidfd >= 0) {
		close(dbg->pidfd);
	}
out:
	if (p[0] >= 0)
		close(p[0]);
	if (p[1] >= 0)
		close(p[1]);
	free(dbg);
	free(storage);
	free(argv);
}

void nsd_debug_commands(struct nsd *d, struct nsd_container *c, pid_t pid)
{
	for (size_t i = 0; i < d->cfg.ndebug_commands; i++)
		debug_one(d, d->cfg.debug_commands[i], c, pid);
}

void nsd_debug_exited(struct nsd *d, struct nsd_debug *dbg)
{
	siginfo_t si = {0};
	if (syscall(SYS_waitid, P_PIDFD, dbg->pidfd, &si, WEXITED, NULL) < 0)
		return;
	if (si.si_code == CLD_EXITED)
		ns_info(&d->log, dbg->tag, "exited with status %d", si.si_status);
	else
		ns_info(&d->log, dbg->tag, "killed by signal %d", si.si_status);
	nsd_epoll_del(d, dbg->pidfd);
	close(dbg->pidfd);
	for (struct nsd_debug **pp = &d->debugs; *pp; pp = &(*pp)->next)
		if (*pp == dbg) {
			*pp = dbg->next;
			break;
		}
	free(dbg);
}
