/* libns/keyring.c: a fresh session keyring, and what a kernel without keyrings or a
 * filter that refuses keyctl make of it. Each case runs in a child: the filters and the
 * new keyring stay there. */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libns/keyring.h"
#include "testlib.h"

#define KEY_SPEC_SESSION_KEYRING -3
#define KEYCTL_GET_KEYRING_ID	 0

enum filter { NONE, ALL_EPERM, ALL_ENOSYS, JOIN_EPERM };

static long session_id(void)
{
	return syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, (long)KEY_SPEC_SESSION_KEYRING, 1L, 0L,
		       0L);
}

static int install(enum filter f)
{
	if (f == NONE)
		return 0;
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return -1;
	int r;
	if (f == JOIN_EPERM)
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(keyctl), 1,
				     SCMP_A0(SCMP_CMP_EQ, 1 /* KEYCTL_JOIN_SESSION_KEYRING */));
	else
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(f == ALL_EPERM ? EPERM : ENOSYS),
				     SCMP_SYS(keyctl), 0);
	if (r == 0)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	return r;
}

/* In a child under filter f: ns_keyring_new_session's result must be want; with 0,
 * the session keyring must have changed; with an error, the message must name needle.
 * The child's exit status is the verdict (0, 1 fail, 2 setup). */
static int run(enum filter f, int want, const char *needle)
{
	pid_t pid = fork();
	if (pid < 0)
		return NS_TEST_FAIL;
	if (pid == 0) {
		long before = session_id();
		if (install(f) < 0)
			_exit(2);
		struct ns_err err = {0};
		int r = ns_keyring_new_session(&err);
		if (r != want) {
			fprintf(stderr, "  got %d (%s), want %d\n", r, err.msg, want);
			_exit(1);
		}
		if (r == 0 && (before < 0 || session_id() == before)) {
			fprintf(stderr, "  the session keyring is still %ld\n", before);
			_exit(1);
		}
		if (needle && !strstr(err.msg, needle)) {
			fprintf(stderr, "  '%s' lacks '%s'\n", err.msg, needle);
			_exit(1);
		}
		_exit(0);
	}
	int st;
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return NS_TEST_FAIL;
	if (WEXITSTATUS(st) == 2)
		return ns_test_skip("cannot install a seccomp filter here");
	return WEXITSTATUS(st) == 0 ? 0 : NS_TEST_FAIL;
}

static int test_fresh_session(void)
{
	if (session_id() < 0 && errno == ENOSYS)
		return ns_test_skip("the kernel has no keyrings");
	return run(NONE, 0, NULL);
}

static int test_keyctl_refused_is_no_keyrings(void)
{
	return run(ALL_EPERM, -ENOSYS, NULL);
}

static int test_no_keyrings(void)
{
	return run(ALL_ENOSYS, -ENOSYS, NULL);
}

/* keyctl works but the join does not: the keys stay reachable, so it is an error */
static int test_join_alone_refused_fails(void)
{
	if (session_id() < 0 && errno == ENOSYS)
		return ns_test_skip("the kernel has no keyrings");
	return run(JOIN_EPERM, -EPERM, "join a fresh session keyring");
}

NS_TEST_MAIN(T(test_fresh_session), T(test_keyctl_refused_is_no_keyrings), T(test_no_keyrings),
	     T(test_join_alone_refused_fails))
