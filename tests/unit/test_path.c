#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
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

NS_TEST_MAIN(T(test_join), T(test_clean_abs), T(test_beneath),
	     T(test_open_beneath_refuses_symlinks), T(test_mkdir_beneath))
