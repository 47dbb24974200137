/* libns/hostpath.c: which symlinks a host path may follow. The trees are built under a
 * fresh root-owned directory that stands for "/" (ns_hostpath_open_at), so the
 * operator's links are root's and a container's are uid 1000's (lchown needs root). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libns/hostpath.h"
#include "libns/mounts.h"
#include "libns/path.h"
#include "libns/util.h"
#include "testlib.h"

#define CUID 1000 /* a container's uid */

static char top[PATH_MAX];

/* top/name, formatted */
static const char *at(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *at(const char *fmt, ...)
{
	static char buf[4][PATH_MAX];
	static unsigned i;
	char rel[PATH_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	char *b = buf[i++ % 4];
	snprintf(b, PATH_MAX, "%s/%s", top, rel);
	return b;
}

static int mkdir_mode(const char *rel, mode_t mode, uid_t uid)
{
	const char *p = at("%s", rel);
	if (mkdir(p, 0755) < 0 || chmod(p, mode) < 0 || chown(p, uid, uid) < 0)
		return -1;
	return 0;
}

static int link_as(const char *target, const char *rel, uid_t uid)
{
	const char *p = at("%s", rel);
	if (symlink(target, p) < 0 || lchown(p, uid, uid) < 0)
		return -1;
	return 0;
}

/* The tree:
 *   usr/lib/marker      lib -> usr/lib (root)   abs -> /usr/lib (root)
 *   chain -> lib (root)  loop1 <-> loop2 (root)  up -> usr/lib/../.. (root)
 *   rw/ (uid 1000, 0755): sub/  evil -> / (uid 1000)  rootlink -> / (root)
 *                         deep/ (root 0755): l -> / (root)
 *   world/ (root 0777): l -> / (root)   sticky/ (root 1777): l -> / (root)
 *   group/ (root 0775): l -> / (root)   file   evillast -> /usr (uid 1000)
 *   flink -> usr/lib/marker (root) */
static int build(void)
{
	snprintf(top, sizeof(top), "%s/root", ns_test_tmpdir());
	if (mkdir(top, 0755) < 0)
		return -1;
	int r = mkdir_mode("usr", 0755, 0) | mkdir_mode("usr/lib", 0755, 0) |
		mkdir_mode("rw", 0755, CUID) | mkdir_mode("rw/sub", 0755, CUID) |
		mkdir_mode("rw/deep", 0755, 0) | mkdir_mode("world", 0777, 0) |
		mkdir_mode("sticky", 01777, 0) | mkdir_mode("group", 0775, 0);
	r |= link_as("usr/lib", "lib", 0) | link_as("/usr/lib", "abs", 0) |
	     link_as("lib", "chain", 0) | link_as("loop2", "loop1", 0) |
	     link_as("loop1", "loop2", 0) | link_as("usr/lib/../..", "up", 0) |
	     link_as("/", "rw/evil", CUID) | link_as("/", "rw/rootlink", 0) |
	     link_as("/", "rw/deep/l", 0) | link_as("/", "world/l", 0) |
	     link_as("/", "sticky/l", 0) | link_as("/", "group/l", 0) |
	     link_as("/usr", "evillast", CUID) | link_as("usr/lib/marker", "flink", 0);
	ns_autoclose int f = open(at("usr/lib/marker"), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	ns_autoclose int g = open(at("file"), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	return r | (f < 0) | (g < 0) ? -1 : 0;
}

static int root_fd(void)
{
	return open(top, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

/* fd is the file top/rel */
static bool is(int fd, const char *rel)
{
	struct stat a, b;
	return fd >= 0 && fstat(fd, &a) == 0 && stat(at("%s", rel), &b) == 0 &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static int setup(void)
{
	if (geteuid() != 0)
		return ns_test_skip("needs root to own links as another uid");
	if (!top[0] && build() < 0) {
		fprintf(stderr, "  building the tree failed\n");
		return NS_TEST_FAIL;
	}
	return 0;
}

#define OPEN(path) ns_hostpath_open_at(root, path, "host path", &err)

static int test_plain_paths(void)
{
	int s = setup();
	if (s)
		return s;
	struct ns_err err = {0};
	ns_autoclose int root = root_fd();
	ns_autoclose int a = OPEN("/usr/lib");
	CHECK_OK(a, &err);
	CHECK(is(a, "usr/lib"));
	ns_autoclose int b = OPEN("/usr/lib/marker");
	CHECK(is(b, "usr/lib/marker"));
	ns_autoclose int c = OPEN("/");
	CHECK(is(c, "."));
	ns_autoclose int d = OPEN("//usr/./lib/");
	CHECK(is(d, "usr/lib"));
	/* a container's own directories are fine to bind: only links are the question */
	ns_autoclose int e = OPEN("/rw/sub");
	CHECK(is(e, "rw/sub"));
	CHECK_FAIL(OPEN("usr"), &err, "is not absolute");
	return 0;
}

static int test_operators_links_followed(void)
{
	int s = setup();
	if (s)
		return s;
	struct ns_err err = {0};
	ns_autoclose int root = root_fd();
	ns_autoclose int a = OPEN("/lib"); /* relative target, last component */
	CHECK_OK(a, &err);
	CHECK(is(a, "usr/lib"));
	ns_autoclose int b = OPEN("/lib/marker"); /* in the middle */
	CHECK(is(b, "usr/lib/marker"));
	ns_autoclose int c = OPEN("/abs/marker"); /* absolute: from the walk's root */
	CHECK(is(c, "usr/lib/marker"));
	ns_autoclose int d = OPEN("/chain/marker"); /* a chain */
	CHECK(is(d, "usr/lib/marker"));
	ns_autoclose int e = OPEN("/up/usr"); /* ".." in a target */
	CHECK(is(e, "usr"));
	ns_autoclose int f = OPEN("/flink"); /* a link to a file (as /etc/localtime) */
	CHECK_OK(f, &err);
	CHECK(is(f, "usr/lib/marker"));
	CHECK_FAIL(OPEN("/flink/"), &err, "not a directory");
	return 0;
}

static int test_dotdot_stays_inside(void)
{
	int s = setup();
	if (s)
		return s;
	struct ns_err err = {0};
	ns_autoclose int root = root_fd();
	ns_autoclose int a = OPEN("/usr/lib/../../usr");
	CHECK_OK(a, &err);
	CHECK(is(a, "usr"));
	ns_autoclose int b = OPEN("/../../../usr/lib");
	CHECK(is(b, "usr/lib"));
	/* ".." of a container's directory is still its physical parent */
	ns_autoclose int c = OPEN("/rw/sub/../../usr");
	CHECK(is(c, "usr"));
	return 0;
}

static int test_containers_links_refused(void)
{
	int s = setup();
	if (s)
		return s;
	struct ns_err err = {0};
	ns_autoclose int root = root_fd();
	CHECK_FAIL(OPEN("/rw/evil"), &err, "'/rw/evil' is a symlink owned by uid 1000");
	CHECK(err.errnum == ELOOP);
	CHECK(strstr(err.msg, "host path '/rw/evil'"));
	CHECK_FAIL(OPEN("/rw/evil/usr/lib"), &err,
		   "host path '/rw/evil/usr/lib': '/rw/evil' is a symlink owned by uid 1000");
	CHECK_FAIL(OPEN("/evillast"), &err, "'/evillast' is a symlink owned by uid 1000");
	/* reached through the operator's link, still the container's */
	CHECK_FAIL(OPEN("/lib/../../rw/evil"), &err, "'/rw/evil' is a symlink owned by uid 1000");
	return 0;
}

static int test_root_links_in_writable_dirs_refused(void)
{
	int s = setup();
	if (s)
		return s;
	struct ns_err err = {0};
	ns_autoclose int root = root_fd();
	CHECK_FAIL(OPEN("/rw/rootlink"), &err, "'/rw/rootlink' is a symlink below '/rw'");
	CHECK_FAIL(OPEN("/world/l"), &err, "'/world/l' is a symlink below '/world'");
	CHECK_FAIL(OPEN("/sticky/l"), &err, "'/sticky/l' is a symlink below '/sticky'");
	CHECK_FAIL(OPEN("/group/l"), &err, "'/group/l' is a symlink below '/group'");
	/* root's directory inside a container's: the container could have moved it there */
	CHECK_FAIL(OPEN("/rw/deep/l/usr"), &err, "'/rw/deep/l' is a symlink below '/rw'");
	CHECK(err.errnum == ELOOP);
	return 0;
}

static int test_loops_and_missing(void)
{
	int s = setup();
	if (s)
		return s;
	struct ns_err err = {0};
	ns_autoclose int root = root_fd();
	CHECK_FAIL(OPEN("/loop1"), &err, "more than 40 symlinks");
	CHECK(err.errnum == ELOOP);
	CHECK_FAIL(OPEN("/usr/nope/x"), &err, "host path '/usr/nope/x' does not exist");
	CHECK(err.errnum == ENOENT);
	CHECK_FAIL(OPEN("/file/x"), &err, "'file' in '/' is not a directory");
	CHECK_FAIL(OPEN("/file/"), &err, "not a directory");
	return 0;
}

/* From the real root: a merged-usr host's /lib is root's link in root's "/". */
static int test_real_root_lib(void)
{
	struct stat l, t;
	if (lstat("/lib", &l) < 0 || !S_ISLNK(l.st_mode) || l.st_uid != 0 || stat("/lib", &t) < 0)
		return ns_test_skip("/lib is not root's symlink on this host");
	struct ns_err err = {0};
	ns_autoclose int fd = ns_hostpath_open("/lib", "host path", &err);
	CHECK_OK(fd, &err);
	struct stat got;
	CHECK(fstat(fd, &got) == 0 && got.st_dev == t.st_dev && got.st_ino == t.st_ino);
	return 0;
}

/* A relative path (a configuration's data_dir may be one) from the working directory. */
static int test_relative_from_cwd(void)
{
	int s = setup();
	if (s)
		return s;
	struct ns_err err = {0};
	ns_autoclose int here = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	CHECK(here >= 0 && chdir(top) == 0);
	int fd = ns_hostpath_open("usr/lib", "data directory", &err);
	int fd2 = ns_hostpath_open("rw/evil", "data directory", &err);
	CHECK(fchdir(here) == 0);
	CHECK_OK(fd, &err);
	CHECK(is(fd, "usr/lib"));
	close(fd);
	/* the tmpdir is below /tmp: no link is followed there at all */
	CHECK(fd2 == -ELOOP && strstr(err.msg, "data directory 'rw/evil'"));
	return 0;
}

/* The open itself cannot be redirected (it is one descriptor); the check after the
 * mount compares that descriptor with the mounted root, and refuses another file. */
static int test_check_source(void)
{
	struct ns_err err = {0};
	const char *d = ns_test_tmpdir();
	char other[PATH_MAX];
	snprintf(other, sizeof(other), "%s/other", d);
	CHECK(mkdir(other, 0755) == 0 || errno == EEXIST);
	ns_autoclose int a = open(d, O_PATH | O_DIRECTORY | O_CLOEXEC);
	ns_autoclose int a2 = open(d, O_PATH | O_DIRECTORY | O_CLOEXEC);
	ns_autoclose int b = open(other, O_PATH | O_DIRECTORY | O_CLOEXEC);
	CHECK(a >= 0 && a2 >= 0 && b >= 0);
	CHECK_OK(ns_mount_check_source(a, a2, "/x", &err), &err);
	CHECK_FAIL(ns_mount_check_source(a, b, "/x", &err), &err,
		   "mount on '/x' shows another file than its checked source");
	return 0;
}

NS_TEST_MAIN(T(test_plain_paths), T(test_operators_links_followed), T(test_dotdot_stays_inside),
	     T(test_containers_links_refused), T(test_root_links_in_writable_dirs_refused),
	     T(test_loops_and_missing), T(test_real_root_lib), T(test_relative_from_cwd),
	     T(test_check_source))
