/* Persist directories: set up and wiped without following planted symlinks. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <dirent.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libns/path.h"
#include "libns/persist.h"
#include "libns/persist_quota.h"
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

static int count_entries(const char *dir)
{
	ns_autoclosedir DIR *d = opendir(dir);
	int n = 0;
	if (!d)
		return -1;
	for (struct dirent *e; (e = readdir(d));)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	return n;
}

/* The wipe's first step: the name is free at once, the next prepare gets an empty
 * directory, the old contents wait under the tombstone. */
static int test_tombstone_frees_name(void)
{
	struct ns_err err;
	const char *data = fresh_dir("data8");
	char p[PATH_MAX], tomb[64];
	snprintf(p, sizeof(p), "%s/app", data);
	CHECK(mkdir(p, 0700) == 0);
	CHECK(write_file(p, "old", "secret") == 0);
	CHECK_INT(ns_persist_tombstone(data, "app", tomb, sizeof(tomb), &err), 1);
	CHECK(strncmp(tomb, NS_PERSIST_TOMB_PREFIX, strlen(NS_PERSIST_TOMB_PREFIX)) == 0);
	CHECK_INT(strlen(tomb), strlen(NS_PERSIST_TOMB_PREFIX) + 16);
	CHECK(ns_persist_is_tombstone(tomb));
	CHECK(access(p, F_OK) < 0 && errno == ENOENT);
	CHECK_OK(ns_persist_prepare(data, "app", geteuid(), getegid(), NULL, &err), &err);
	CHECK_INT(count_entries(p), 0);
	snprintf(p, sizeof(p), "%s/%s", data, tomb);
	CHECK_INT(count_entries(p), 1);
	char **v = NULL;
	size_t n = 0;
	CHECK_OK(ns_persist_tombstones(data, &v, &n, &err), &err);
	CHECK_INT(n, 1);
	CHECK_STR(v[0], tomb);
	ns_persist_names_free(v, n);
	CHECK_OK(ns_persist_wipe_tombstone(data, tomb, &err), &err);
	CHECK(access(p, F_OK) < 0 && errno == ENOENT);
	CHECK_OK(ns_persist_tombstones(data, &v, &n, &err), &err);
	CHECK_INT(n, 0);
	ns_persist_names_free(v, n);
	/* nothing to rename: 0 and an empty name */
	CHECK_INT(ns_persist_tombstone(data, "never", tomb, sizeof(tomb), &err), 0);
	CHECK_STR(tomb, "");
	return 0;
}

/* No container name is a tombstone's ([0-9A-Za-z._-] has no ':'), and the two kinds of
 * name are never mixed up. */
static int test_tombstone_names(void)
{
	struct ns_err err;
	const char *data = fresh_dir("data9");
	char tomb[64];
	CHECK(ns_persist_is_tombstone(".wipe:0123456789abcdef"));
	CHECK(!ns_persist_is_tombstone(".wipe-0123456789abcdef"));
	CHECK(!ns_persist_is_tombstone("app"));
	CHECK(!ns_persist_is_tombstone(".wipe:x/y"));
	CHECK_FAIL(ns_persist_prepare(data, ".wipe:1", 1, 1, NULL, &err), &err,
		   "is a tombstone, not a container's");
	CHECK_FAIL(ns_persist_tombstone(data, ".wipe:1", tomb, sizeof(tomb), &err), &err,
		   "is a tombstone, not a container's");
	CHECK_FAIL(ns_persist_wipe_tombstone(data, "app", &err), &err,
		   "'app' is not a tombstone name");
	CHECK_FAIL(ns_persist_untombstone(data, "app", "other", &err), &err, "cannot rename");
	return 0;
}

/* What a daemon killed between the rename and the end of the delete leaves: a tombstone
 * with files, planted symlinks and a half-done delete; finished without following any. */
static int test_tombstone_left_by_crash(void)
{
	struct ns_err err;
	const char *data = fresh_dir("data10");
	const char *o = outside("outside10");
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/.wipe:00000000deadbeef/a/b", data);
	CHECK_OK(ns_mkdir_p(p, 0700, &err), &err);
	for (int i = 0; i < 100; i++) {
		char f[16];
		snprintf(f, sizeof(f), "f%d", i);
		CHECK(write_file(p, f, "x") == 0);
	}
	snprintf(p, sizeof(p), "%s/.wipe:00000000deadbeef/a/link", data);
	CHECK(symlink(o, p) == 0);
	/* a tombstone that is itself a symlink (no container can write data_dir; still) */
	snprintf(p, sizeof(p), "%s/.wipe:00000000cafef00d", data);
	CHECK(symlink(o, p) == 0);
	char **v = NULL;
	size_t n = 0;
	CHECK_OK(ns_persist_tombstones(data, &v, &n, &err), &err);
	CHECK_INT(n, 2);
	for (size_t i = 0; i < n; i++)
		CHECK_OK(ns_persist_wipe_tombstone(data, v[i], &err), &err);
	ns_persist_names_free(v, n);
	CHECK_INT(count_entries(data), 0);
	return outside_intact(o);
}

/* An uninstall that fails after the rename gives the data back, unless the name was
 * taken again in between. */
static int test_untombstone(void)
{
	struct ns_err err;
	const char *data = fresh_dir("data11");
	char p[PATH_MAX], tomb[64];
	snprintf(p, sizeof(p), "%s/app", data);
	CHECK(mkdir(p, 0700) == 0);
	CHECK(write_file(p, "keep", "1") == 0);
	CHECK_INT(ns_persist_tombstone(data, "app", tomb, sizeof(tomb), &err), 1);
	CHECK_OK(ns_persist_untombstone(data, tomb, "app", &err), &err);
	CHECK_INT(count_entries(p), 1);
	CHECK_INT(ns_persist_tombstone(data, "app", tomb, sizeof(tomb), &err), 1);
	CHECK(mkdir(p, 0700) == 0);
	CHECK_FAIL(ns_persist_untombstone(data, tomb, "app", &err), &err, "back to 'app'");
	CHECK_INT(err.errnum, EEXIST);
	return 0;
}

/* A file system without enforced project quotas (the test's temporary directory): the
 * check names the directory and what is missing; usage of a directory without a project
 * of ours is all zeros. Enforcement itself needs a quota file system: tests/vm. */
static int test_quota_check_refuses(void)
{
	struct ns_err err;
	const char *data = fresh_dir("data12");
	int r = ns_persist_quota_check(data, &err);
	if (r == 0)
		return ns_test_skip("the temporary directory enforces project quotas");
	CHECK_INT(err.errnum, EOPNOTSUPP);
	char want[PATH_MAX + 64];
	snprintf(want, sizeof(want), "data_dir '%s' cannot enforce them", data);
	CHECK(strstr(err.msg, want) != NULL);
	CHECK(strstr(err.msg, "prjquota") != NULL);
	CHECK_FAIL(ns_persist_quota_check("/nonexistent-ns-data", &err), &err,
		   "open data directory '/nonexistent-ns-data'");
	struct ns_persist_usage u = {.projid = 1};
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/app", data);
	CHECK(mkdir(p, 0700) == 0);
	CHECK_OK(ns_persist_quota_usage(data, "app", &u, &err), &err);
	CHECK_INT(u.projid, 0);
	CHECK_INT(u.size_limit, 0);
	CHECK_OK(ns_persist_quota_usage(data, "missing", &u, &err), &err);
	CHECK_INT(u.projid, 0);
	uint64_t free_bytes = 0;
	CHECK_OK(ns_persist_free_space(data, &free_bytes, &err), &err);
	CHECK(free_bytes > 0);
	return 0;
}

NS_TEST_MAIN(T(test_prepare_creates_0700_owned), T(test_prepare_refuses_planted_symlink),
	     T(test_names_refused), T(test_data_dir_through_a_planted_link),
	     T(test_wipe_never_follows), T(test_wipe_symlink_at_top), T(test_wipe_missing_is_fine),
	     T(test_wipe_deep_tree), T(test_tombstone_frees_name), T(test_tombstone_names),
	     T(test_tombstone_left_by_crash), T(test_untombstone), T(test_quota_check_refuses))
