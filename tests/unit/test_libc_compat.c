/* libns/libc_compat: the calls glibc has and musl lacks or stubs (renameat2,
 * sigabbrev_np, sched_setscheduler) and the listen backlog, checked on whichever libc
 * the test is built with (make check-cross LIBC=musl builds it with musl). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "libns/libc_compat.h"
#include "libns/sockets.h"
#include "libns/util.h"
#include "testlib.h"

static int test_sigabbrev_names(void)
{
	CHECK_STR(ns_sigabbrev(SIGHUP), "HUP");
	CHECK_STR(ns_sigabbrev(SIGKILL), "KILL");
	CHECK_STR(ns_sigabbrev(SIGTERM), "TERM");
	CHECK_STR(ns_sigabbrev(SIGCHLD), "CHLD");
	CHECK_STR(ns_sigabbrev(SIGIO), "POLL");
	CHECK_STR(ns_sigabbrev(SIGSYS), "SYS");
	CHECK(ns_sigabbrev(0) == NULL);
	CHECK(ns_sigabbrev(-1) == NULL);
	CHECK(ns_sigabbrev(SIGRTMIN) == NULL);
	CHECK(ns_sigabbrev(SIGRTMAX) == NULL);
	CHECK(ns_sigabbrev(NSIG) == NULL);
	CHECK(ns_sigabbrev(1 << 30) == NULL);
	return 0;
}

/* On glibc the table says what sigabbrev_np says, for every number. */
static int test_sigabbrev_matches_glibc(void)
{
#ifdef __GLIBC__
	for (int sig = -1; sig <= NSIG + 1; sig++) {
		const char *a = ns_sigabbrev(sig), *b = sigabbrev_np(sig);
		if (!a || !b) {
			CHECK(a == b);
			continue;
		}
		CHECK_STR(a, b);
	}
	return 0;
#else
	return ns_test_skip("built with a libc other than glibc: no sigabbrev_np to compare");
#endif
}

static int write_file(const char *dir, const char *name, const char *text)
{
	char p[4096];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static int read_file(const char *dir, const char *name, char *buf, size_t size)
{
	char p[4096];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	FILE *f = fopen(p, "r");
	if (!f)
		return -1;
	size_t n = fread(buf, 1, size - 1, f);
	buf[n] = 0;
	fclose(f);
	return 0;
}

static int test_renameat2_noreplace(void)
{
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s/rename", ns_test_tmpdir());
	CHECK(mkdir(dir, 0700) == 0);
	CHECK(write_file(dir, "a", "A") == 0 && write_file(dir, "b", "B") == 0);
	ns_autoclose int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	CHECK(dfd >= 0);
	int r = ns_renameat2(dfd, "a", dfd, "b", RENAME_NOREPLACE);
	if (r < 0 && errno == EINVAL)
		return ns_test_skip(
		    "the temporary directory's file system has no RENAME_NOREPLACE");
	CHECK(r < 0 && errno == EEXIST);
	char buf[8];
	CHECK(read_file(dir, "a", buf, sizeof(buf)) == 0);
	CHECK_STR(buf, "A");
	CHECK(read_file(dir, "b", buf, sizeof(buf)) == 0);
	CHECK_STR(buf, "B");
	CHECK(ns_renameat2(dfd, "a", dfd, "c", RENAME_NOREPLACE) == 0);
	CHECK(read_file(dir, "c", buf, sizeof(buf)) == 0);
	CHECK_STR(buf, "A");
	CHECK(faccessat(dfd, "a", F_OK, 0) < 0 && errno == ENOENT);
	CHECK(ns_renameat2(dfd, "missing", dfd, "d", 0) < 0 && errno == ENOENT);
	return 0;
}

/* musl's sched_setscheduler, sched_getscheduler and sched_getparam fail with ENOSYS
 * whatever they are given. */
static int test_sched_setscheduler(void)
{
	int prio = -1;
	CHECK(ns_sched_setscheduler(SCHED_BATCH, 0) == 0);
	CHECK_INT(ns_sched_getscheduler(&prio), SCHED_BATCH);
	CHECK_INT(prio, 0);
	CHECK_INT(syscall(SYS_sched_getscheduler, 0), SCHED_BATCH);
	CHECK(ns_sched_setscheduler(SCHED_OTHER, 0) == 0);
	CHECK_INT(ns_sched_getscheduler(NULL), SCHED_OTHER);
	CHECK(ns_sched_setscheduler(SCHED_OTHER, 5) < 0 && errno == EINVAL);
	CHECK(ns_sched_setscheduler(-7, 0) < 0 && errno == EINVAL);
	return 0;
}

/* A manifest's stream socket takes 200 pending connections (musl's SOMAXCONN of 128
 * would refuse the 129th) when the kernel allows that many. */
static int test_socket_backlog(void)
{
	FILE *f = fopen("/proc/sys/net/core/somaxconn", "r");
	int max = 0;
	if (f) {
		if (fscanf(f, "%d", &max) != 1)
			max = 0;
		fclose(f);
	}
	if (max < 200)
		return ns_test_skip("net.core.somaxconn is %d, below the 200 tried", max);
	struct ns_err err;
	struct ns_socket s = {.type = NS_SOCK_STREAM, .mode = 0600};
	const char *dir = ns_test_tmpdir();
	ns_autoclose int lfd = ns_socket_create(dir, "backlog", &s, &err);
	CHECK_OK(lfd, &err);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/backlog", dir);
	int fds[200], n = 0, rc = 0;
	for (; n < 200; n++) {
		fds[n] = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fds[n] < 0 || connect(fds[n], (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			fprintf(stderr, "  connection %d: %s\n", n + 1, strerror(errno));
			rc = NS_TEST_FAIL;
			n++;
			break;
		}
	}
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return rc;
}

NS_TEST_MAIN(T(test_sigabbrev_names), T(test_sigabbrev_matches_glibc), T(test_renameat2_noreplace),
	     T(test_sched_setscheduler), T(test_socket_backlog))
