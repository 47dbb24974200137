#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

extern char **environ;

/* Keeps the newest bytes: a failing tool says why at the end of its output. */
static void drain_tail(int fd, char *out, size_t size)
{
	size_t len = 0;
	char buf[4096];
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		size_t k = (size_t)n;
		if (k >= size - 1) {
			memcpy(out, buf + k - (size - 1), size - 1);
			len = size - 1;
			continue;
		}
		if (len + k > size - 1) {
			size_t drop = len + k - (size - 1);
			memmove(out, out + drop, len - drop);
			len -= drop;
		}
		memcpy(out + len, buf, k);
		len += k;
	}
	out[len] = '\0';
}

static int setup_actions(posix_spawn_file_actions_t *fa, int pipe_w, int extra_fd)
{
	int r = posix_spawn_file_actions_addopen(fa, 0, "/dev/null", O_RDONLY, 0);
	if (!r && pipe_w >= 0)
		r = posix_spawn_file_actions_adddup2(fa, pipe_w, 1);
	if (!r && pipe_w >= 0)
		r = posix_spawn_file_actions_adddup2(fa, pipe_w, 2);
	/* dup2 onto itself clears FD_CLOEXEC in the child (POSIX 2024, glibc >= 2.29). */
	if (!r && extra_fd >= 0)
		r = posix_spawn_file_actions_adddup2(fa, extra_fd, extra_fd);
	return r;
}

int ns_run(const char *const argv[], int extra_fd, char *out, size_t outsize, struct ns_err *err)
{
	int p[2] = {-1, -1};
	if (out && outsize < 2)
		return ns_err_set(err, EINVAL, "output buffer too small");
	if (out && pipe2(p, O_CLOEXEC) < 0)
		return ns_err_sys(err, errno, "pipe");
	ns_autoclose int rd = p[0];
	ns_autoclose int wr = p[1];

	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	int r = setup_actions(&fa, wr, extra_fd);
	pid_t pid = -1;
	if (!r)
		r = posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (r)
		return ns_err_sys(err, r, "run %s", argv[0]);
	ns_closep(&wr);
	if (out)
		drain_tail(rd, out, outsize);

	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return ns_err_sys(err, errno, "wait for %s", argv[0]);
	if (WIFSIGNALED(status))
		return ns_err_set(err, EIO, "%s killed by signal %d%s%s", argv[0], WTERMSIG(status),
				  out && *out ? ": " : "", out ? out : "");
	return WEXITSTATUS(status);
}
