/* forkthreads: proves that a process may fork and start threads, the way ordinary
 * programs do, under the filter it runs with (the default seccomp profile without
 * capabilities in tests/integration/daemon_isolation.sh).
 *
 * usage: forkthreads [PROGRAM]
 *          Starts 4 threads; each forks a child that starts a thread of its own and
 *          joins it. Then a fork from the main thread, and posix_spawn of PROGRAM
 *          (default /bin/true), which glibc does with clone3 and falls back to clone
 *          when clone3 answers ENOSYS. Prints one line per step ("threads 4", "forks 4",
 *          "fork ok", "spawn ok"), or the failing step with its errno, and exits 0 only
 *          when every step worked.
 *        forkthreads --bomb fork|thread N HOLD
 *          A task bomb (issue 14, the pids limit): creates up to N children that sleep
 *          (fork) or N threads that sleep (thread), stopping at the first failure. Prints
 *          "created K of N" and "failed errno E" (or "failed none"), then "holding",
 *          keeps every task alive for HOLD seconds (for the test to read pids.current),
 *          kills and reaps the children and exits 0.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define NTHREADS 4

extern char **environ;

static void *inner(void *arg)
{
	return arg;
}

/* In a forked child: a thread of its own, then exit 0 when it ran. */
static int child_with_thread(void)
{
	pthread_t t;
	void *ret = NULL;
	if (pthread_create(&t, NULL, inner, (void *)1) != 0 || pthread_join(t, &ret) != 0)
		return 1;
	return ret == (void *)1 ? 0 : 1;
}

/* Exit status of a child, or -errno. */
static int reap(pid_t pid)
{
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void *forker(void *arg)
{
	(void)arg;
	pid_t pid = fork();
	if (pid == 0)
		_exit(child_with_thread());
	if (pid < 0)
		return (void *)(long)-errno;
	return (void *)(long)reap(pid);
}

static int fail(const char *step, int e)
{
	printf("%s failed: %s\n", step, e < 0 ? strerror(-e) : "non-zero status");
	return 1;
}

static void *sleeper(void *arg)
{
	for (;;)
		pause();
	return arg;
}

static int bomb(const char *kind, int n, int hold)
{
	bool threads = !strcmp(kind, "thread");
	pid_t *pids = calloc((size_t)n, sizeof(*pids));
	pthread_attr_t attr;
	int made = 0, e = 0;
	/* small stacks, but no smaller than the target allows (128 KiB on arm64) */
	size_t stack = 64 * 1024;
	long min = sysconf(_SC_THREAD_STACK_MIN);
	if (min > 0 && (size_t)min > stack)
		stack = (size_t)min;
	if (!pids || pthread_attr_init(&attr) != 0)
		return fail("bomb setup", -ENOMEM);
	int r = pthread_attr_setstacksize(&attr, stack);
	if (r != 0)
		return fail("bomb setup: stack size", -r);
	for (; made < n; made++) {
		if (threads) {
			pthread_t t;
			e = pthread_create(&t, &attr, sleeper, NULL);
			if (e != 0)
				break;
			continue;
		}
		pid_t pid = fork();
		if (pid == 0) {
			for (;;)
				pause();
		}
		if (pid < 0) {
			e = errno;
			break;
		}
		pids[made] = pid;
	}
	printf("created %d of %d\n", made, n);
	printf("failed errno %d\n", e);
	printf("holding\n");
	sleep((unsigned)hold);
	for (int i = 0; !threads && i < made; i++)
		kill(pids[i], SIGKILL);
	for (int i = 0; !threads && i < made; i++)
		(void)reap(pids[i]);
	printf("done\n");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "--bomb")) {
		setvbuf(stdout, NULL, _IOLBF, 0);
		return bomb(argv[2], atoi(argv[3]), atoi(argv[4]));
	}
	const char *prog = argc > 1 ? argv[1] : "/bin/true";
	setvbuf(stdout, NULL, _IOLBF, 0);
	pthread_t t[NTHREADS];
	int started = 0, forks = 0;
	for (int i = 0; i < NTHREADS; i++) {
		int r = pthread_create(&t[i], NULL, forker, NULL);
		if (r != 0)
			return fail("pthread_create", -r);
		started++;
	}
	printf("threads %d\n", started);
	for (int i = 0; i < started; i++) {
		void *ret;
		if (pthread_join(t[i], &ret) != 0)
			return fail("pthread_join", -EINVAL);
		if ((long)ret != 0)
			return fail("fork from a thread", (int)(long)ret);
		forks++;
	}
	printf("forks %d\n", forks);
	pid_t pid = fork();
	if (pid == 0)
		_exit(child_with_thread());
	if (pid < 0 || reap(pid) != 0)
		return fail("fork", pid < 0 ? -errno : 1);
	printf("fork ok\n");
	char *const spawn_argv[] = {(char *)prog, NULL};
	int r = posix_spawn(&pid, prog, NULL, NULL, spawn_argv, environ);
	if (r != 0)
		return fail("posix_spawn", -r);
	if (reap(pid) != 0)
		return fail("spawned program", 1);
	printf("spawn ok\n");
	return 0;
}
