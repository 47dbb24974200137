/* Persist directories: set up and wiped without following planted symlinks. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libns/path.h"
#include "libns/persist.h"
#include "libns/util.h"
#include "testlib.h"

/* A fresh directory under the test's temporary directory. */
static const char *fresh_dir(const char *name)
{
	static char paths[8][PATH_MAX];
	static int next;
	char *p = paths[next++ % 8];
	snprintf(p, PATH_MAX, "%s/%s", ns_test_tmpdir(), name);
	mkdir(p, 0755);
	return p;
}

static int write_file(const char *dir, const char *name, const char *content)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	if (!f)
		return -1;
	fputs(content, f);
	return fclose(f);
}

/* The outside directory a planted symlink points to, with a file to keep. */
static const char *outside(const char *name)
{
	const char *o = fresh_dir(name);
	chmod(o, 0755);
	write_file(o, "secret", "keep");
	return o;
}

static int outside_intact(const char *o)
{
	char p[PATH_MAX];
	struct stat st;
	snprintf(p, sizeof(p), "%s/secret", o);
	CHECK(stat(o, &st) == 0);
	CHECK_INT(st.st_mode & 07777, 0755);
	CHECK_INT(st.st_uid, 0);
	CHECK(stat(p, &st) == 0 && st.st_size == 4);
	return 0;
}

static int test_prepare_creates_0700_owned(void)
{
	if (geteuid() != 0)
		return ns_test_skip("needs root for chown");
	struct ns_err err;
	const char *data = fresh_dir("data1");
	int fd = -1;
	CHECK_OK(ns_persist_prepare(data, "app", 1234, 5678, &fd, &err), &err);
	ns_autoclose int dirfd = fd;
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/app", data);
	struct stat st, fst;
	CHECK(stat(p, &st) == 0 && S_ISDIR(st.st_mode));
	CHECK_INT(st.st_mode & 07777, 0700);
	CHECK_INT(st.st_uid, 1234);
	CHECK_INT(st.st_gid, 5678);
	CHECK(fstat(dirfd, &fst) == 0 && fst.st_ino == st.st_ino);
	CHECK(fcntl(dirfd, F_GETFD) & FD_CLOEXEC);
	/* Every start sets mode and owner again. */
	CHECK(chmod(p, 0777) == 0 && chown(p, 0, 0) == 0);
	CHECK_OK(ns_persist_prepare(data, "app", 1234, 5678, NULL, &err), &err);
	CHECK(stat(p, &st) == 0);
	CHECK_INT(st.st_mode & 07777, 0700);
	CHECK_INT(st.st_uid, 1234);
	return 0;
}

static int test_prepare_refuses_planted_symlink(void)
{
	if (geteuid() != 0)
		return ns_test_skip("needs root for chown");
	struct ns_err err;
	const char *data = fresh_dir("data2");
	const char *o = outside("outside2");
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/evil", data);
	CHECK(symlink(o, p) == 0);
	CHECK_FAIL(ns_persist_prepare(data, "evil", 1234, 1234, NULL, &err), &err,
		   "is a symlink or not a directory (refused)");
	CHECK_INT(err.errnum, ELOOP);
	if (outside_intact(o))
		return NS_TEST_FAIL;
	CHECK(write_file(data, "file", "x") == 0);
	CHECK_FAIL(ns_persist_prepare(data, "file", 1234, 1234, NULL, &err), &err,
		   "not a directory");
	return 0;
}

static int test_names_refused(void)
{
	struct ns_err err;
	const char *data = fresh_dir("data3");
	const char *bad[] = {"", ".", "..", "a/b", "../x", "/abs"};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		CHECK_FAIL(ns_persist_prepare(data, bad[i], 1, 1, NULL, &err), &err,
			   "is not a plain directory name");
		CHECK_FAIL(ns_persist_wipe(data, bad[i], &err), &err,
			   "is not a plain directory name");
	}
	CHECK_FAIL(ns_persist_prepare("/nonexistent-ns-data", "app", 1, 1, NULL, &err), &err,
		   "open data directory '/nonexistent-ns-data'");
	return 0;
}

/* data_dir reached through a link a container made: neither prepare nor wipe goes
 * there (the ns_tmpdir is below /tmp, where no link is followed at all). */
static int test_data_dir_through_a_planted_link(void)
{
	if (geteuid() != 0)
		return ns_test_skip("needs root to own a link as another uid");
	struct ns_err err;
	const char *o = outside("outside-dd");
	char link[PATH_MAX], data[PATH_MAX];
	snprintf(link, sizeof(link), "%s/dd-link", ns_test_tmpdir());
	CHECK(symlink(o, link) == 0 && lchown(link, 1000, 1000) == 0);
	snprintf(data, sizeof(data), "%s/.", link);
	CHECK_FAIL(ns_persist_prepare(link, "app", 1, 1, NULL, &err), &err,
		   "is a symlink owned by uid 1000");
	CHECK_FAIL(ns_persist_prepare(data, "app", 1, 1, NULL, &err), &err,
		   "is a symlink owned by uid 1000");
	CHECK_FAIL(ns_persist_wipe(data, "app", &err), &err, "is a symlink owned by uid 1000");
	char made[PATH_MAX];
	snprintf(made, sizeof(made), "%s/app", o);
	CHECK(access(made, F_OK) < 0);
	return 0;
}

static int test_wipe_never_follows(void)
{
	struct ns_err err;
	const char *data = fresh_dir("data4");
	const char *o = outside("outside4");
	char p[PATH_MAX], q[PATH_MAX];
	snprintf(p, sizeof(p), "%s/app/a/b/c", data);
	CHECK_OK(ns_mkdir_p(p, 0755, &err), &err);
	CHECK(write_file(p, "file", "data") == 0);
	snprintf(p, sizeof(p), "%s/app/link-dir", data);
	CHECK(symlink(o, p) == 0);
	snprintf(p, sizeof(p), "%s/app/a/link-file", data);
	snprintf(q, sizeof(q), "%s/secret", o);
	CHECK(symlink(q, p) == 0);
	snprintf(p, sizeof(p), "%s/app/a/b/link-root", data);
	CHECK(symlink("/", p) == 0);
	snprintf(p, sizeof(p), "%s/app/a/b/dotdot", data);
	CHECK(symlink("../../../../..", p) == 0);
	snprintf(p, sizeof(p), "%s/app/fifo", data);
	CHECK(mkfifo(p, 0600) == 0);
	CHECK_OK(ns_persist_wipe(data, "app", &err), &err);
	snprintf(p, sizeof(p), "%s/app", data);
	CHECK(access(p, F_OK) < 0 && errno == ENOENT);
	if (outside_intact(o))
		return NS_TEST_FAIL;
	CHECK(access("/", F_OK) == 0);
	return 0;
}

static int test_wipe_symlink_at_top(void)
{
	struct ns_err err;
	const char *data = fresh_dir("data5");
	const char *o = outside("outside5");
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/app", data);
	CHECK(symlink(o, p) == 0);
	CHECK_OK(ns_persist_wipe(data, "app", &err), &err);
	struct stat st;
	CHECK(lstat(p, &st) < 0 && errno == ENOENT);
	return outside_intact(o);
}

static int test_wipe_missing_is_fine(void)
{
	struct ns_err err;
	const char *data = fresh_dir("data6");
	CHECK_OK(ns_persist_wipe(data, "never-created", &err), &err);
	return 0;
}

/* Deeper than the wipe's descriptor budget: parts are moved up, nothing is left. */
static int test_wipe_deep_tree(void)
{
	struct ns_err err;
	const char *data = fresh_dir("data7");
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/app", data);
	CHECK(mkdir(p, 0700) == 0);
	ns_autoclose int fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(fd >= 0);
	for (int i = 0; i < 200; i++) {
		CHECK(mkdirat(fd, "d", 0700) == 0);
		int f = openat(fd, "f", O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
		CHECK(f >= 0);
		close(f);
		int next = openat(fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		CHECK(next >= 0);
		close(fd);
		fd = next;
	}
	CHECK_OK(ns_persist_wipe(data, "app", &err), &err);
	CHECK(access(p, F_OK) < 0 && errno == ENOENT);
	return 0;
}

NS_TEST_MAIN(T(test_prepare_creates_0700_owned), T(test_prepare_refuses_planted_symlink),
	     T(test_names_refused), T(test_data_dir_through_a_planted_link),
	     T(test_wipe_never_follows), T(test_wipe_symlink_at_top), T(test_wipe_missing_is_fine),
	     T(test_wipe_deep_tree))
