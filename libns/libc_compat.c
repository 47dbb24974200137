#include "libc_compat.h"

#include <signal.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"

int ns_renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
		 unsigned flags)
{
	return (int)syscall(SYS_renameat2, olddirfd, oldpath, newdirfd, newpath, flags);
}

int ns_sched_setscheduler(int policy, int priority)
{
	struct sched_param param = {.sched_priority = priority};
	return (int)syscall(SYS_sched_setscheduler, 0, policy, &param);
}

int ns_sched_getscheduler(int *priority)
{
	struct sched_param param = {0};
	if (priority) {
		if (syscall(SYS_sched_getparam, 0, &param) < 0)
			return -1;
		*priority = param.sched_priority;
	}
	return (int)syscall(SYS_sched_getscheduler, 0);
}

/* glibc's names, SIGIO included (it calls it POLL). */
static const char *const sig_names[] = {
    [SIGHUP] = "HUP",	    [SIGINT] = "INT",	    [SIGQUIT] = "QUIT", [SIGILL] = "ILL",
    [SIGTRAP] = "TRAP",	    [SIGABRT] = "ABRT",	    [SIGBUS] = "BUS",	[SIGFPE] = "FPE",
    [SIGKILL] = "KILL",	    [SIGUSR1] = "USR1",	    [SIGSEGV] = "SEGV", [SIGUSR2] = "USR2",
    [SIGPIPE] = "PIPE",	    [SIGALRM] = "ALRM",	    [SIGTERM] = "TERM",
#ifdef SIGSTKFLT
    [SIGSTKFLT] = "STKFLT",
#endif
    [SIGCHLD] = "CHLD",	    [SIGCONT] = "CONT",	    [SIGSTOP] = "STOP", [SIGTSTP] = "TSTP",
    [SIGTTIN] = "TTIN",	    [SIGTTOU] = "TTOU",	    [SIGURG] = "URG",	[SIGXCPU] = "XCPU",
    [SIGXFSZ] = "XFSZ",	    [SIGVTALRM] = "VTALRM", [SIGPROF] = "PROF", [SIGWINCH] = "WINCH",
    [SIGIO] = "POLL",	    [SIGPWR] = "PWR",	    [SIGSYS] = "SYS",
};

const char *ns_sigabbrev(int sig)
{
	if (sig <= 0 || (size_t)sig >= ARRAY_SIZE(sig_names))
		return NULL;
	return sig_names[sig];
}
