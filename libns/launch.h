/* Starting a container's first process (design.md, process model): a sealed memfd copy
 * of our own binary, made once when the daemon starts, and a clone into new namespaces
 * that execs it as ns-init. Nothing of the daemon's memory, keys or descriptors reaches
 * the container, and the host binary cannot be written through /proc/1/exe. */
#ifndef NS_LAUNCH_H
#define NS_LAUNCH_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "err.h"

/* The binary ns-init is executed from. */
struct ns_self_exe {
	int memfd;	     /* sealed copy (F_SEAL_SEAL|SHRINK|GROW|WRITE), or -1 */
	char path[PATH_MAX]; /* our own file: the fallback when memfd exec is refused */
};

/* Copies /proc/self/exe into a sealed memfd (MFD_EXEC where the kernel knows it). When
 * memfds cannot be created or sealed, memfd stays -1 and only the path is used. Fails
 * only when our own path cannot be read. *warn gets a reason when the memfd is missing
 * (for the caller to log), else "". */
int ns_self_exe_open(struct ns_self_exe *s, char *warn, size_t warnsize, struct ns_err *err);
void ns_self_exe_close(struct ns_self_exe *s);

/* The number of descriptors a child can be given. */
#define NS_LAUNCH_FDS_MAX 64

struct ns_launch {
	const struct ns_self_exe *exe;
	const char *const *argv; /* argv[0] selects the applet ("ns-init") */
	int clone_flags;	 /* CLONE_NEW* namespaces */
	/* The child's descriptors: stdio[i] on i, keep[j] on 3 + j, nothing else. Negative
	 * stdio entries are /dev/null. */
	int stdio[3];
	const int *keep;
	size_t nkeep;
	int report_fd;		     /* index into keep: where an exec failure is written, or -1 */
	const struct rlimit *nofile; /* RLIMIT_NOFILE set in the child before exec, or NULL */
};

/* Clones the child (ns_clone_vfork with CLONE_PIDFD), which sets its parent-death
 * signal to SIGKILL, arranges its descriptors and execs the memfd (then the path, if
 * the memfd is refused) with an empty environment. Between clone and exec the child
 * makes only async-signal-safe system calls. If the exec fails, the child writes
 * "error exec <errno>" on keep[report_fd] and exits 127. Returns 0 with the child's
 * pid and a pidfd (O_CLOEXEC). */
int ns_launch_spawn(const struct ns_launch *l, pid_t *ret_pid, int *ret_pidfd, struct ns_err *err);

/* The stack a cloned child runs on until it execs. */
#define NS_CLONE_STACK (256u << 10)

/* clone(2) with CLONE_VM|CLONE_VFORK|SIGCHLD plus flags: fn(arg) runs in the child on
 * a stack of its own, sharing our memory, while we sleep until it execs or exits
 * (then the stack is freed). Nothing is copied, which makes it the cheapest way to
 * start a process; fn must only make system calls (it shares our heap and locks) and
 * must exec or _exit. With pidfd, CLONE_PIDFD is added and the pidfd (close-on-exec)
 * stored there. Returns the child's pid. */
int ns_clone_vfork(int (*fn)(void *), void *arg, int flags, int *pidfd, struct ns_err *err);

#endif
