/* ns-init once the application runs: PID 1's duties and the exit report. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ns_init.h"

/* ns-init keeps CAP_KILL alone: the application runs under another uid, and forwarding
 * a signal to it needs that capability. Nothing else is left to steal from PID 1. */
static int drop_privileges(struct ns_err *err)
{
	if (prctl(PR_SET_DUMPABLE, 0L, 0L, 0L, 0L) < 0)
		return ns_err_sys(err, errno, "mark ns-init non-dumpable");
	for (int cap = 0; cap < 64; cap++)
		if (cap != CAP_KILL && prctl(PR_CAPBSET_DROP, (long)cap, 0L, 0L, 0L) < 0 &&
		    errno != EINVAL)
			return ns_err_sys(err, errno, "drop capability %d from the bounding set",
					  cap);
	(void)prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0L, 0L, 0L);
	cap_t caps = cap_init();
	cap_value_t kill_cap = CAP_KILL;
	int r = caps && cap_set_flag(caps, CAP_EFFECTIVE, 1, &kill_cap, CAP_SET) == 0 &&
			cap_set_flag(caps, CAP_PERMITTED, 1, &kill_cap, CAP_SET) == 0 &&
			cap_set_proc(caps) == 0
		    ? 0
		    : ns_err_sys(err, errno, "drop ns-init's capabilities");
	cap_free(caps);
	if (r == 0 && prctl(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L) < 0)
		r = ns_err_sys(err, errno, "set no_new_privs on ns-init");
	return r;
}

static void forward(const struct ns_init *in, int sig)
{
	if (kill(-in->app_pid, sig) < 0 && errno == ESRCH)
		(void)kill(in->app_pid, sig); /* the application left its group */
}

/* Reaps every child; returns true once the application is among them. */
static bool reap(const struct ns_init *in, int *app_status)
{
	bool done = false;
	int st;
	pid_t w;
	while ((w = waitpid(-1, &st, WNOHANG)) > 0)
		if (w == in->app_pid) {
			*app_status = st;
			done = true;
		}
	return done;
}

int ns_init_supervise(struct ns_init *in)
{
	struct ns_err err = {0};
	if (drop_privileges(&err) < 0)
		ns_initproto_report(NS_INIT_SOCK, NS_INIT_WARN, 0, err.msg);
	int status = 0;
	for (;;) {
		struct signalfd_siginfo si;
		ssize_t n = read(in->sigfd, &si, sizeof(si));
		if (n < 0 && errno == EINTR)
			continue;
		if (n != (ssize_t)sizeof(si)) {
			/* cannot supervise: end the container, the daemon sees the signal */
			kill(-in->app_pid, SIGKILL);
			return 1;
		}
		if (si.ssi_signo != SIGCHLD) {
			forward(in, (int)si.ssi_signo);
			continue;
		}
		if (reap(in, &status))
			break;
	}
	if (WIFSIGNALED(status))
		ns_initproto_report(NS_INIT_SOCK, NS_INIT_SIGNALLED, WTERMSIG(status), NULL);
	else
		ns_initproto_report(NS_INIT_SOCK, NS_INIT_EXIT, WEXITSTATUS(status), NULL);
	return 0;
}
