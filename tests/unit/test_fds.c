/* ns_fds_arrange and ns_signals_reset run in forked children: they rearrange the
 * calling process. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libns/fds.h"
#include "testlib.h"

static int same_file(int a, int b)
{
	struct stat x, y;
	return fstat(a, &x) == 0 && fstat(b, &y) == 0 && x.st_dev == y.st_dev &&
	       x.st_ino == y.st_ino;
}

static int is_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

/* Child body: codes say which check failed. */
static int arrange_and_check(void)
{
	struct ns_err err;
	int a = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	int b = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int stray = open("/dev/null", O_RDONLY); /* no CLOEXEC: must still go */
	int high = fcntl(a, F_DUPFD_CLOEXEC, 100);
	int ref_a = fcntl(a, F_DUPFD_CLOEXEC, 500), ref_b = fcntl(b, F_DUPFD_CLOEXEC, 501);
	int stdio[3] = {-1, 1, 2};
	if (a != 3 || stray < 0 || high != 100 || ref_a < 0 || ref_b < 0)
		return 10;
	/* reversed order, a duplicate, a source sitting on a target slot (a = 3), and
	 * references kept too, to compare against */
	int keep[] = {b, a, high, b, ref_a, ref_b};
	if (ns_fds_arrange(stdio, keep, 6, &err) < 0)
		return 11;
	if (!same_file(3, 8) || !same_file(4, 7) || !same_file(5, 7) || !same_file(6, 8))
		return 12;
	for (int fd = 0; fd <= 8; fd++)
		if (!is_open(fd) || (fcntl(fd, F_GETFD) & FD_CLOEXEC))
			return 13;
	for (int fd = 9; fd < 1024; fd++)
		if (is_open(fd))
			return 14;
	struct stat st;
	if (fstat(0, &st) < 0 || !S_ISCHR(st.st_mode) || (fcntl(0, F_GETFL) & O_ACCMODE) != O_RDWR)
		return 15; /* /dev/null, read-write */
	return 0;
}

static int run_child(int (*fn)(void))
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0)
		_exit(fn());
	int status = -1;
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int test_arrange(void)
{
	CHECK_INT(run_child(arrange_and_check), 0);
	return 0;
}

static int arrange_bad_fd(void)
{
	struct ns_err err;
	int stdio[3] = {0, 1, 2};
	int keep[] = {987};
	if (ns_fds_arrange(stdio, keep, 1, &err) != -EBADF)
		return 1;
	return strstr(err.msg, "descriptor 987 (for 3) is not open") ? 0 : 2;
}

static int test_bad_fd(void)
{
	CHECK_INT(run_child(arrange_bad_fd), 0);
	return 0;
}

static void on_usr1(int sig)
{
	(void)sig;
}

static int reset_signals(void)
{
	struct ns_err err;
	struct sigaction sa = {.sa_handler = on_usr1}, got;
	sigset_t set, now;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	static const unsigned long ign[8] = {(unsigned long)SIG_IGN}, none[8];
	unsigned long now_k[8];
	if (sigaction(SIGUSR1, &sa, NULL) < 0 || signal(SIGPIPE, SIG_IGN) == SIG_ERR ||
	    sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return 1;
	/* a signal glibc reserves, which its sigaction cannot reach */
	if (syscall(SYS_rt_sigaction, 32, ign, NULL, (size_t)(NSIG / 8)) < 0)
		return 6;
	if (ns_signals_reset(&err) < 0)
		return 2;
	if (sigaction(SIGUSR1, NULL, &got) < 0 || got.sa_handler != SIG_DFL)
		return 3;
	if (sigaction(SIGPIPE, NULL, &got) < 0 || got.sa_handler != SIG_DFL)
		return 4;
	if (sigprocmask(SIG_BLOCK, NULL, &now) < 0 || sigismember(&now, SIGTERM))
		return 5;
	if (syscall(SYS_rt_sigaction, 32, NULL, now_k, (size_t)(NSIG / 8)) < 0 ||
	    now_k[0] != none[0])
		return 7;
	return 0;
}

static int test_signals_reset(void)
{
	CHECK_INT(run_child(reset_signals), 0);
	return 0;
}

NS_TEST_MAIN(T(test_arrange), T(test_bad_fd), T(test_signals_reset))
