#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <seccomp.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libns/path.h"
#include "libns/util.h"
#include "testlib.h"

static int test_join(void)
{
	char b[64];
	CHECK_INT(ns_path_join(b, sizeof(b), "/a/", "/b"), 0);
	CHECK_STR(b, "/a/b");
	CHECK_INT(ns_path_join(b, sizeof(b), "/", "x/y"), 0);
	CHECK_STR(b, "/x/y");
	CHECK_INT(ns_path_join(b, sizeof(b), "/run", ""), 0);
	CHECK_STR(b, "/run");
	CHECK_INT(ns_path_join(b, 4, "/abc", "def"), -ENAMETOOLONG);
	return 0;
}

static int test_clean_abs(void)
{
	CHECK(ns_path_is_clean_abs("/"));
	CHECK(ns_path_is_clean_abs("/a/b.c/d"));
	CHECK(!ns_path_is_clean_abs("a/b"));
	CHECK(!ns_path_is_clean_abs(""));
	CHECK(!ns_path_is_clean_abs("/a/../b"));
	CHECK(!ns_path_is_clean_abs("/a/./b"));
	CHECK(!ns_path_is_clean_abs("/a//b"));
	CHECK(!ns_path_is_clean_abs("/a/"));
	CHECK(ns_path_has_dotdot("../x"));
	CHECK(ns_path_has_dotdot("/x/.."));
	CHECK(!ns_path_has_dotdot("/x/..y/z"));
	return 0;
}

static int test_beneath(void)
{
	struct ns_err err;
	char b[PATH_MAX];
	CHECK_OK(ns_path_beneath(b, sizeof(b), "/run/c", "/etc/x", &err), &err);
	CHECK_STR(b, "/run/c/etc/x");
	CHECK_FAIL(ns_path_beneath(b, sizeof(b), "/run/c", "/../../etc", &err), &err, "'..'");
	return 0;
}

static int test_open_beneath_refuses_symlinks(void)
{
	struct ns_err err;
	char p[PATH_MAX];
	const char *dir = ns_test_tmpdir();
	snprintf(p, sizeof(p), "%s/root/a/b", dir);
	CHECK_OK(ns_mkdir_p(p, 0755, &err), &err);
	snprintf(p, sizeof(p), "%s/root/link", dir);
	CHECK(symlink("/etc", p) == 0);
	snprintf(p, sizeof(p), "%s/root", dir);
	ns_autoclose int root = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
	CHECK(root >= 0);

	int fd = ns_open_beneath(root, "/a/b", O_PATH | O_DIRECTORY, &err);
	CHECK_OK(fd, &err);
	close(fd);
	CHECK_FAIL(ns_open_beneath(root, "/link/passwd", O_RDONLY, &err), &err, "symlink");
	CHECK_FAIL(ns_open_beneath(root, "/a/../../x", O_RDONLY, &err), &err, "'..'");
	CHECK_FAIL(ns_open_beneath(root, "/missing", O_RDONLY, &err), &err, "No such file");
	return 0;
}

static int test_mkdir_beneath(void)
{
	struct ns_err err;
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/r2", ns_test_tmpdir());
	CHECK_OK(ns_mkdir_p(p, 0755, &err), &err);
	ns_autoclose int root = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
	CHECK(root >= 0);
	int fd = -1;
	CHECK_OK(ns_mkdir_beneath(root, "x/y/z", 0700, &fd, &err), &err);
	CHECK(fd >= 0);
	close(fd);
	snprintf(p, sizeof(p), "%s/r2/evil", ns_test_tmpdir());
	CHECK(symlink("/tmp", p) == 0);
	CHECK_FAIL(ns_mkdir_beneath(root, "evil/x", 0700, NULL, &err), &err, "not a directory");
	return 0;
}

/* Without openat2 (Linux before 5.6, a seccomp policy, qemu-user) the walk one
 * component at a time names a symlink in the middle as such, like openat2 does. */
static int test_walk_fallback_names_symlinks(void)
{
	char p[PATH_MAX];
	const char *dir = ns_test_tmpdir();
	snprintf(p, sizeof(p), "%s/fb/a", dir);
	struct ns_err err;
	CHECK_OK(ns_mkdir_p(p, 0755, &err), &err);
	snprintf(p, sizeof(p), "%s/fb/link", dir);
	CHECK(symlink("/etc", p) == 0);
	CHECK(ns_test_write("fb/file", "x", 1) != NULL);
	snprintf(p, sizeof(p), "%s/fb", dir);
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		/* openat2 answers ENOSYS, as on an old kernel (where a filter cannot be
		 * loaded, as under qemu-user, openat2 is missing anyway) */
		scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
		if (ctx && seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(openat2), 0) == 0)
			seccomp_load(ctx);
		int root = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (root < 0)
			_exit(2);
		if (ns_open_beneath(root, "/link/passwd", O_RDONLY, &err) >= 0 ||
		    !strstr(err.msg, "'/link/passwd' passes through a symlink")) {
			fprintf(stderr, "  symlink: %s\n", err.msg);
			_exit(1);
		}
		/* a file in the middle is still "not a directory" */
		if (ns_open_beneath(root, "/file/x", O_RDONLY, &err) >= 0 ||
		    err.errnum != ENOTDIR) {
			fprintf(stderr, "  file: %s\n", err.msg);
			_exit(1);
		}
		if (ns_open_beneath(root, "/a", O_PATH | O_DIRECTORY, &err) < 0) {
			fprintf(stderr, "  dir: %s\n", err.msg);
			_exit(1);
		}
		_exit(0);
	}
	int st;
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return 0;
}

NS_TEST_MAIN(T(test_join), T(test_clean_abs), T(test_beneath),
	     T(test_open_beneath_refuses_symlinks), T(test_mkdir_beneath),
	     T(test_walk_fallback_names_symlinks))
