/* ns-init's setup: the application plan, the container's root, and the application's
 * fork and exec. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libns/rootfs.h"
#include "libns/util.h"
#include "ns_init.h"

static void warn_skipped(const char *what, char **names, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char msg[256];
		snprintf(msg, sizeof(msg), "unknown %s '%s' skipped", what, names[i]);
		ns_initproto_report(NS_INIT_SOCK, NS_INIT_WARN, 0, msg);
	}
}

static int prepare_app(struct ns_init *in, struct ns_err *err)
{
	struct ns_app_opts o = {
	    .group_file = in->desc.group_file,
	    .violation = NS_SECCOMP_KILL,
	    .seccomp_unfiltered = in->desc.seccomp_unfiltered,
	    .pdeathsig = SIGKILL,
	};
	if (ns_app_prepare(&in->manifest, &o, &in->plan, err) < 0)
		return ns_err_ret(err);
	in->have_plan = true;
	warn_skipped("group", in->plan.creds.skipped, in->plan.creds.nskipped);
	warn_skipped("system call", in->plan.seccomp.skipped, in->plan.seccomp.nskipped);
	/* 0 is /dev/null and 1, 2 the container's output, as the daemon placed them */
	static const int stdio[3] = {0, 1, 2};
	return ns_app_set_fds(&in->plan, stdio, in->fds, in->nfds, err);
}

static int build_exec(struct ns_init *in, struct ns_err *err)
{
	const struct ns_launch_desc *d = &in->desc;
	in->argv = calloc(d->nargs + 2, sizeof(char *));
	in->envp = calloc(d->nenv + 1, sizeof(char *));
	if (!in->argv || !in->envp)
		return ns_err_set(err, ENOMEM, "out of memory");
	in->argv[0] = (char *)d->init;
	for (size_t i = 0; i < d->nargs; i++)
		in->argv[i + 1] = (char *)d->args[i];
	for (size_t i = 0; i < d->nenv; i++)
		in->envp[i] = (char *)d->env[i];
	return 0;
}

/* The manifest's SELinux exec context (the daemon sends it only when the host has
 * SELinux enabled). It is ours until the next execve, the application's: the clone
 * copies it with the credentials. Written while the host's /proc is still ours, since
 * the container may have no /proc of its own. */
static int selinux_exec(const char *context, struct ns_err *err)
{
	if (!context)
		return 0;
	ns_autoclose int fd = open("/proc/thread-self/attr/exec", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return ns_err_sys(err, errno,
				  "SELinux exec context '%s': open "
				  "/proc/thread-self/attr/exec",
				  context);
	size_t len = strlen(context);
	ssize_t n = write(fd, context, len);
	if (n < 0)
		return ns_err_sys(err, errno, "SELinux exec context '%s'", context);
	if ((size_t)n != len)
		return ns_err_set(err, EIO, "SELinux exec context '%s': short write", context);
	return 0;
}

int ns_init_setup(struct ns_init *in, struct ns_err *err)
{
	if (selinux_exec(in->desc.selinux_exec, err) < 0)
		return ns_err_ret(err);
	/* Session and group leader: the daemon's kill reaches ns-init through its group. */
	if (setsid() < 0)
		return ns_err_sys(err, errno, "setsid");
	if (prepare_app(in, err) < 0 || build_exec(in, err) < 0)
		return ns_err_ret(err);
	sigset_t all;
	sigfillset(&all);
	in->sigfd = signalfd(-1, &all, SFD_CLOEXEC);
	if (in->sigfd < 0)
		return ns_err_sys(err, errno, "signalfd");
	struct ns_rootfs_plan rp = {
	    .root = in->desc.root,
	    .mounts = in->desc.mounts,
	    .nmounts = in->desc.nmounts,
	    .hostname = in->desc.hostname,
	    .network = in->manifest.network,
	    .netns_dir = in->desc.netns_dir,
	};
	if (ns_rootfs_enter(&rp, err) < 0)
		return ns_err_wrap(err, "container root");
	return 0;
}

/* The application child shares our memory (ns_clone_vfork) and leaves its error
 * here; we read it once the child has exec'd or exited. */
struct app_start {
	const struct ns_init *in;
	struct ns_err err;
};

static int app_child(void *arg)
{
	struct app_start *st = arg;
	const struct ns_init *in = st->in;
	/* its own process group: ns-init forwards signals to it, and the daemon's kill
	 * reaches ns-init alone, so nothing is delivered twice */
	if (setpgid(0, 0) < 0)
		ns_err_sys(&st->err, errno, "setpgid");
	else if (ns_app_apply(&in->plan, &st->err) == 0) {
		execve(in->argv[0], in->argv, in->envp);
		ns_err_sys(&st->err, errno, "exec '%s'", in->argv[0]);
	}
	if (!st->err.errnum)
		st->err.errnum = EIO;
	_exit(127);
}

int ns_init_start_app(struct ns_init *in, struct ns_err *err)
{
	struct app_start st = {.in = in};
	/* the daemon puts us into the container's cgroup first: the application (and all
	 * it forks) never runs outside it */
	if (ns_initproto_await_go(NS_INIT_SOCK, err) < 0)
		return ns_err_ret(err);
	pid_t pid = ns_clone_vfork(app_child, &st, 0, NULL, err);
	if (pid < 0)
		return ns_err_wrap(err, "fork the application");
	if (st.err.errnum) {
		*err = st.err;
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		return ns_err_ret(err);
	}
	in->app_pid = pid;
	/* the application has its copies; ours would keep its console and sockets open */
	for (size_t i = 0; i < in->nfds; i++)
		close(in->fds[i]);
	in->nfds = 0;
	ns_initproto_report(NS_INIT_SOCK, NS_INIT_STARTED, (int32_t)pid, NULL);
	return 0;
}
