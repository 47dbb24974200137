#include "launch.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fds.h"
#include "util.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U /* Linux 6.3 */
#endif
#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

static int copy_into(int out, int in, off_t size, struct ns_err *err)
{
	off_t off = 0;
	while (off < size) {
		ssize_t n = sendfile(out, in, &off, (size_t)(size - off));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return ns_err_sys(err, errno, "copy our binary into a memfd");
		if (n == 0)
			return ns_err_set(err, EIO, "copy our binary into a memfd: short file");
	}
	return 0;
}

/* A memfd that may be executed: MFD_EXEC first (kernels with vm.memfd_noexec want it),
 * then without it (kernels before 6.3 refuse the flag). */
static int exec_memfd(struct ns_err *err)
{
	int fd = memfd_create("northstar", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
	if (fd < 0 && errno == EINVAL)
		fd = memfd_create("northstar", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return ns_err_sys(err, errno, "memfd_create");
	return fd;
}

static int make_copy(const struct ns_self_exe *s, struct ns_err *err)
{
	ns_autoclose int in = open(s->path, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		in = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return ns_err_sys(err, errno, "open our own binary '%s'", s->path);
	struct stat st;
	if (fstat(in, &st) < 0)
		return ns_err_sys(err, errno, "stat our own binary");
	ns_autoclose int fd = exec_memfd(err);
	if (fd < 0)
		return fd;
	if (copy_into(fd, in, st.st_size, err) < 0)
		return ns_err_ret(err);
	if (fchmod(fd, 0555) < 0)
		return ns_err_sys(err, errno, "chmod the memfd");
	if (fcntl(fd, F_ADD_SEALS, SEALS) < 0)
		return ns_err_sys(err, errno, "seal the memfd");
	return ns_steal_fd(&fd);
}

int ns_self_exe_open(struct ns_self_exe *s, char *warn, size_t warnsize, struct ns_err *err)
{
	s->memfd = -1;
	ssize_t n = readlink("/proc/self/exe", s->path, sizeof(s->path) - 1);
	if (n < 0)
		return ns_err_sys(err, errno, "readlink /proc/self/exe");
	s->path[n] = '\0';
	if (warn && warnsize)
		warn[0] = '\0';
	struct ns_err e = {0};
	int fd = make_copy(s, &e);
	if (fd < 0) {
		if (warn && warnsize)
			snprintf(warn, warnsize, "%s; containers start from '%s'", e.msg, s->path);
		return 0;
	}
	s->memfd = fd;
	return 0;
}

void ns_self_exe_close(struct ns_self_exe *s)
{
	if (s->memfd >= 0)
		close(s->memfd);
	s->memfd = -1;
}

/* --- the child ------------------------------------------------------------------ */

/* "error exec <errno>" without stdio: the child may not touch locks or the heap. */
static void report_exec_error(int fd, int e)
{
	char msg[32] = "error exec ";
	size_t len = strlen(msg);
	char digits[12];
	size_t nd = 0;
	unsigned v = (unsigned)e;
	do {
		digits[nd++] = (char)('0' + v % 10);
		v /= 10;
	} while (v && nd < sizeof(digits));
	while (nd && len < sizeof(msg) - 1)
		msg[len++] = digits[--nd];
	(void)!write(fd, msg, len);
}

static int child(void *arg)
{
	static char *const empty_env[] = {NULL};
	const struct ns_launch *l = arg;
	struct ns_err e;
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		_exit(127);
	if (ns_fds_arrange(l->stdio, l->keep, l->nkeep, &e) < 0)
		_exit(127);
	if (l->nofile && setrlimit(RLIMIT_NOFILE, l->nofile) < 0)
		_exit(127);
	char *const *argv = (char *const *)l->argv;
	/* Arranging cleared close-on-exec on the memfd's slot: set it again, so ns-init
	 * does not keep it (an ELF binary execs fine from a close-on-exec descriptor). */
	if (l->exe->memfd >= 0 && fcntl(l->exe->memfd, F_SETFD, FD_CLOEXEC) == 0)
		syscall(SYS_execveat, l->exe->memfd, "", argv, empty_env, AT_EMPTY_PATH);
	execve(l->exe->path, argv, empty_env);
	if (l->report_fd >= 0)
		report_exec_error(3 + l->report_fd, errno);
	_exit(127);
}

int ns_clone_vfork(int (*fn)(void *), void *arg, int flags, int *pidfd, struct ns_err *err)
{
	void *stack = mmap(NULL, NS_CLONE_STACK, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED)
		return ns_err_sys(err, errno, "mmap a stack for clone");
	if (pidfd)
		flags |= CLONE_PIDFD;
	/* CLONE_VM|CLONE_VFORK: no copy of our memory, and we sleep until the child has
	 * exec'd or exited, so it cannot disturb our state; it runs on its own stack. */
	int pid = clone(fn, (char *)stack + NS_CLONE_STACK,
			flags | CLONE_VM | CLONE_VFORK | SIGCHLD, arg, pidfd);
	int e = errno;
	munmap(stack, NS_CLONE_STACK);
	if (pid < 0)
		return ns_err_sys(err, e, "clone");
	return pid;
}

int ns_launch_spawn(const struct ns_launch *l, pid_t *ret_pid, int *ret_pidfd, struct ns_err *err)
{
	if (l->nkeep > NS_LAUNCH_FDS_MAX)
		return ns_err_set(err, EINVAL, "launch: %zu descriptors, more than %d", l->nkeep,
				  NS_LAUNCH_FDS_MAX);
	int memfd_slot = l->exe->memfd;
	/* The memfd must survive the descriptor arrangement: it is passed on the slot
	 * right after the kept ones and execveat'ed from there. */
	int keep[NS_LAUNCH_FDS_MAX + 1];
	for (size_t i = 0; i < l->nkeep; i++)
		keep[i] = l->keep[i];
	struct ns_self_exe exe = *l->exe;
	struct ns_launch copy = *l;
	if (memfd_slot >= 0) {
		keep[l->nkeep] = memfd_slot;
		exe.memfd = 3 + (int)l->nkeep;
		copy.nkeep = l->nkeep + 1;
	}
	copy.keep = keep;
	copy.exe = &exe;
	int pidfd = -1;
	pid_t pid = ns_clone_vfork(child, &copy, l->clone_flags, &pidfd, err);
	if (pid < 0)
		return ns_err_wrap(err, "start the container's init");
	*ret_pid = pid;
	*ret_pidfd = pidfd;
	return 0;
}
