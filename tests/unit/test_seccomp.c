#include <errno.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <seccomp.h>

#include "libns/seccomp.h"
#include "libns/util.h"
#include "testlib.h"

static uint64_t ten[] = {10};

static int test_validate(void)
{
	struct ns_err err;
	uint64_t many[NS_SECCOMP_ARG_VALUES_MAX + 1] = {0};
	struct ns_seccomp_rule r = {.syscall = "syslog", .index = 0, .values = ten, .nvalues = 1};
	struct ns_seccomp sc = {.present = true, .allow = &r, .nallow = 1};
	CHECK_OK(ns_seccomp_validate(&sc, &err), &err);
	r.index = 6;
	CHECK_FAIL(ns_seccomp_validate(&sc, &err), &err, "'syslog': argument index 6 is above 5");
	r.index = 5;
	r.values = many;
	r.nvalues = NS_SECCOMP_ARG_VALUES_MAX;
	CHECK_OK(ns_seccomp_validate(&sc, &err), &err);
	r.nvalues = NS_SECCOMP_ARG_VALUES_MAX + 1;
	CHECK_FAIL(ns_seccomp_validate(&sc, &err), &err, "51 values, more than the 50 allowed");
	r.nvalues = 0;
	CHECK_FAIL(ns_seccomp_validate(&sc, &err), &err, "needs values or a mask");
	r.has_mask = true; /* a mask alone is enough */
	CHECK_OK(ns_seccomp_validate(&sc, &err), &err);
	r.syscall = "";
	CHECK_FAIL(ns_seccomp_validate(&sc, &err), &err, "empty syscall name");
	r = (struct ns_seccomp_rule){.syscall = "read", .any = true, .index = 99};
	CHECK_OK(ns_seccomp_validate(&sc, &err), &err); /* `any` has no argument */
	/* the builder validates too */
	struct ns_seccomp_prog prog = {0};
	r = (struct ns_seccomp_rule){.syscall = "x", .index = 9, .values = ten, .nvalues = 1};
	CHECK_FAIL(ns_seccomp_build(&sc, 0, NS_SECCOMP_KILL, &prog, &err), &err, "above 5");
	CHECK(prog.insns == NULL);
	return 0;
}

/* Under qemu-user (make check-cross) there is no seccomp() call, so libseccomp's API
 * level is below what a filter needs: the tests that build one skip. */
#define NEEDS_SECCOMP_API()                                                                        \
	do {                                                                                       \
		if (seccomp_api_get() < 3)                                                         \
			return ns_test_skip(                                                       \
			    "libseccomp API level %u: no seccomp() system call here",              \
			    seccomp_api_get());                                                    \
	} while (0)

/* ns_seccomp_build as on a kernel at libseccomp API level 2 (no kill-process). */
static int build_at_level2(enum ns_seccomp_violation v, struct ns_seccomp_prog *prog,
			   struct ns_err *err)
{
	struct ns_seccomp sc = {.present = true, .profile_default = true};
	unsigned int api = seccomp_api_get();
	if (seccomp_api_set(2) < 0)
		return ns_err_set(err, EINVAL, "seccomp_api_set(2) failed");
	int r = ns_seccomp_build(&sc, 0, v, prog, err);
	seccomp_api_set(api);
	return r;
}

/* A kernel without kill-process (API level below 3) is named as such, not taken for
 * a memory shortage. */
static int test_old_kernel_named(void)
{
	struct ns_seccomp_prog prog = {0};
	struct ns_err err;
	CHECK_FAIL(build_at_level2(NS_SECCOMP_KILL, &prog, &err), &err,
		   "libseccomp API level 2, 3 needed");
	CHECK_FAIL(build_at_level2(NS_SECCOMP_EPERM, &prog, &err), &err,
		   "libseccomp API level 2, 3 needed");
	CHECK(prog.insns == NULL);
	return 0;
}

static int build(const struct ns_seccomp *sc, uint64_t caps, struct ns_seccomp_prog *prog)
{
	struct ns_err err;
	if (ns_seccomp_build(sc, caps, NS_SECCOMP_KILL, prog, &err) < 0) {
		fprintf(stderr, "  build: %s\n", err.msg);
		return -1;
	}
	return 0;
}

static int test_default_profile_builds(void)
{
	NEEDS_SECCOMP_API();
	struct ns_seccomp sc = {.present = true, .profile_default = true};
	struct ns_seccomp_prog prog = {0};
	CHECK(build(&sc, 0, &prog) == 0);
	CHECK(prog.len > 100 && prog.len <= BPF_MAXINSNS);
	CHECK_INT(prog.nskipped, 0);
	/* the ENOSYS window comes first: load arch, compare, load nr, compare */
	int max = ns_seccomp_max_known_nr();
	CHECK(max > 300);
	CHECK_INT(prog.insns[0].code, BPF_LD | BPF_W | BPF_ABS);
	CHECK_INT(prog.insns[0].k, offsetof(struct seccomp_data, arch));
	CHECK_INT(prog.insns[3].k, (uint32_t)max);
	CHECK_INT(prog.insns[5].code, BPF_RET | BPF_K);
	CHECK_INT(prog.insns[5].k, SECCOMP_RET_ERRNO | ENOSYS);
	size_t without_caps = prog.len;
	ns_seccomp_prog_free(&prog);
	CHECK(prog.insns == NULL);
	/* capabilities add rules */
	CHECK(build(&sc, ~0ull >> 23, &prog) == 0);
	CHECK(prog.len > without_caps);
	ns_seccomp_prog_free(&prog);
	return 0;
}

static int test_skipped_names(void)
{
	NEEDS_SECCOMP_API();
	struct ns_seccomp_rule r[] = {
		{.syscall = "no_such_call", .any = true},
		{.syscall = "read", .any = true},
#if defined(__x86_64__) || defined(__aarch64__)
		{.syscall = "chown32", .any = true}, /* exists on 32-bit x86 and arm only */
#endif
	};
	struct ns_seccomp sc = {.present = true, .allow = r, .nallow = ARRAY_SIZE(r)};
	struct ns_seccomp_prog prog = {0};
	CHECK(build(&sc, 0, &prog) == 0);
	CHECK_INT(prog.nskipped, ARRAY_SIZE(r) - 1);
	CHECK_STR(prog.skipped[0], "no_such_call");
	ns_seccomp_prog_free(&prog);
	return 0;
}

/* Runs fn in a child under the filter; returns its wait status. */
static int run_filtered(const struct ns_seccomp_prog *prog, long (*fn)(void))
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		struct ns_err err;
		if (prctl(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L) < 0 ||
		    ns_seccomp_install(prog, &err) < 0)
			_exit(100);
		long r = fn();
		_exit(r < 0 ? 200 + (errno < 55 ? errno : 55) : 0);
	}
	int status = -1;
	waitpid(pid, &status, 0);
	return status;
}

static long call_unshare(void)
{
	return syscall(SYS_unshare, 0L);
}
static long call_clone3(void)
{
	return syscall(SYS_clone3, NULL, 0L);
}
static long call_syslog_10(void)
{
	return syscall(SYS_syslog, 10L, NULL, 0L);
}
static long call_syslog_3(void)
{
	return syscall(SYS_syslog, 3L, NULL, 0L);
}
static long call_beyond_known(void)
{
	return syscall(ns_seccomp_max_known_nr() + 1, 0L, 0L, 0L);
}

static int test_filter_in_child(void)
{
	NEEDS_SECCOMP_API();
	struct ns_seccomp_rule r = {.syscall = "syslog", .values = ten, .nvalues = 1};
	struct ns_seccomp sc = {.present = true, .profile_default = true, .allow = &r, .nallow = 1};
	struct ns_seccomp_prog prog = {0};
	CHECK(build(&sc, 0, &prog) == 0);
	int st = run_filtered(&prog, call_unshare);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS);
	st = run_filtered(&prog, call_clone3);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 200 + ENOSYS);
	st = run_filtered(&prog, call_beyond_known);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 200 + ENOSYS);
	st = run_filtered(&prog, call_syslog_10); /* passes the filter: any result */
	CHECK(WIFEXITED(st));
	st = run_filtered(&prog, call_syslog_3);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS);
	ns_seccomp_prog_free(&prog);
	return 0;
}

static int test_manifest_allow_beats_profile_errno(void)
{
	NEEDS_SECCOMP_API();
	struct ns_seccomp_rule r = {.syscall = "clone3", .any = true};
	struct ns_seccomp sc = {.present = true, .profile_default = true, .allow = &r, .nallow = 1};
	struct ns_seccomp_prog prog = {0};
	CHECK(build(&sc, 0, &prog) == 0);
	/* clone3 now reaches the kernel, which refuses a size of 0 */
	int st = run_filtered(&prog, call_clone3);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 200 + EINVAL);
	ns_seccomp_prog_free(&prog);
	return 0;
}

static int test_eperm_violation(void)
{
	NEEDS_SECCOMP_API();
	struct ns_seccomp sc = {.present = true, .profile_default = true};
	struct ns_seccomp_prog prog = {0};
	struct ns_err err;
	CHECK_OK(ns_seccomp_build(&sc, 0, NS_SECCOMP_EPERM, &prog, &err), &err);
	int st = run_filtered(&prog, call_unshare);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 200 + EPERM);
	ns_seccomp_prog_free(&prog);
	return 0;
}

static int test_install_refuses_empty(void)
{
	struct ns_seccomp_prog prog = {0};
	struct ns_err err;
	CHECK_FAIL(ns_seccomp_install(&prog, &err), &err, "program of 0 instructions");
	return 0;
}

NS_TEST_MAIN(T(test_validate), T(test_default_profile_builds), T(test_skipped_names),
	     T(test_filter_in_child), T(test_manifest_allow_beats_profile_errno),
	     T(test_eperm_violation), T(test_install_refuses_empty), T(test_old_kernel_named))
