/* Calls glibc has and musl lacks (or stubs), with one implementation for both:
 * raw system calls where the kernel does the work, and a table for signal names. */
#ifndef NS_LIBC_COMPAT_H
#define NS_LIBC_COMPAT_H

#include <sched.h>

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0) /* linux/fs.h; musl's stdio.h lacks it */
#endif

/* listen() backlog: musl's SOMAXCONN is 128, glibc's 4096; the kernel caps either to
 * net.core.somaxconn, so one explicit value behaves the same on both. */
#define NS_LISTEN_BACKLOG 4096

/* renameat2(2): musl has no wrapper. Returns 0, or -1 with errno as the call. */
int ns_renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
		 unsigned flags);

/* sched_setscheduler(2) on the calling thread: musl's wrapper always fails with ENOSYS
 * (POSIX speaks of processes, Linux sets threads). Returns 0, or -1 with errno. */
int ns_sched_setscheduler(int policy, int priority);

/* The calling thread's policy (sched_getscheduler(2)), and its sched_priority in
 * *priority when not NULL: the system calls, for musl's stubs fail with ENOSYS.
 * Returns the policy, or -1 with errno. */
int ns_sched_getscheduler(int *priority);

/* The signal's name without "SIG" ("TERM"), as glibc's sigabbrev_np names it, or NULL
 * for a number with no name (0, real-time signals, out of range). */
const char *ns_sigabbrev(int sig);

#endif
