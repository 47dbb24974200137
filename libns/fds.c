#include "fds.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"

#define TOTAL_MAX (3 + NS_FDS_KEEP_MAX)
#ifndef SYS_close_range
#define SYS_close_range 436 /* the same on every architecture */
#endif

static void close_all(const int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		(void)close(fds[i]);
}

static void close_from_loop(int first)
{
	struct rlimit rl;
	long last = 1L << 20;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    (long)rl.rlim_cur < last)
		last = (long)rl.rlim_cur;
	for (long fd = first; fd < last; fd++)
		(void)close((int)fd);
}

static void close_from(int first)
{
	if (syscall(SYS_close_range, (unsigned)first, ~0U, 0U) == 0)
		return;
	close_from_loop(first); /* kernels before 5.9 */
}

static int fill_sources(const int stdio[3], const int *keep, size_t nkeep, int *src,
			struct ns_err *err)
{
	int devnull = -1;
	for (size_t i = 0; i < 3; i++) {
		src[i] = stdio[i];
		if (src[i] >= 0)
			continue;
		if (devnull < 0)
			devnull = open("/dev/null", O_RDWR | O_CLOEXEC | O_NOCTTY);
		if (devnull < 0)
			return ns_err_sys(err, errno, "fds: open /dev/null for descriptor %zu", i);
		src[i] = devnull;
	}
	for (size_t j = 0; j < nkeep; j++)
		src[3 + j] = keep[j];
	for (size_t i = 0; i < 3 + nkeep; i++) {
		if (src[i] < 0 || fcntl(src[i], F_GETFD) < 0) {
			if (devnull >= 0)
				(void)close(devnull);
			return ns_err_set(err, EBADF, "fds: descriptor %d (for %zu) is not open",
					  src[i], i);
		}
	}
	return 0;
}

int ns_fds_arrange(const int stdio[3], const int *keep, size_t nkeep, struct ns_err *err)
{
	int src[TOTAL_MAX], tmp[TOTAL_MAX];
	if (nkeep > NS_FDS_KEEP_MAX)
		return ns_err_set(err, EINVAL, "fds: %zu to keep, more than %d", nkeep,
				  NS_FDS_KEEP_MAX);
	size_t n = 3 + nkeep;
	int r = fill_sources(stdio, keep, nkeep, src, err);
	if (r < 0)
		return r;
	/* Copies above every source and target first, so that placing one descriptor
	 * never overwrites another that is still to be moved. */
	int base = (int)n;
	for (size_t i = 0; i < n; i++)
		if (src[i] >= base)
			base = src[i] + 1;
	for (size_t i = 0; i < n; i++) {
		tmp[i] = fcntl(src[i], F_DUPFD_CLOEXEC, base);
		if (tmp[i] < 0) {
			r = ns_err_sys(err, errno, "fds: copy descriptor %d", src[i]);
			close_all(tmp, i);
			return r;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (dup3(tmp[i], (int)i, 0) < 0) {
			r = ns_err_sys(err, errno, "fds: place descriptor %d on %zu", src[i], i);
			close_all(tmp, n);
			return r;
		}
	}
	close_from((int)n); /* the copies, /dev/null's spare and everything unintended */
	return 0;
}

/* The kernel's struct sigaction with every field zero is SIG_DFL, no flags, no mask,
 * whatever the architecture's layout. */
struct kernel_sigaction_zero {
	unsigned long words[8];
};

int ns_signals_reset(struct ns_err *err)
{
	static const struct kernel_sigaction_zero dfl;
	sigset_t none;
	for (int sig = 1; sig < NSIG; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		/* raw: glibc's sigaction refuses the two real-time signals it keeps for
		 * itself, and an ignored one would survive exec */
		if (syscall(SYS_rt_sigaction, sig, &dfl, NULL, (size_t)(NSIG / 8)) < 0)
			return ns_err_sys(err, errno, "signals: reset signal %d", sig);
	}
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) < 0)
		return ns_err_sys(err, errno, "signals: clear the mask");
	return 0;
}
