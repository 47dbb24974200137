/* The mksquashfs driver against Debian's real mksquashfs, checked with unsquashfs. */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libns/mksquashfs.h"
#include "libns/spawn.h"
#include "testlib.h"

static struct ns_fsx extras[] = {
    {.path = "/dev", .type = NS_FSX_DIR, .mode = 0755, .uid = 100, .gid = 1},
    {.path = "/dev/null",
     .type = NS_FSX_CHR,
     .mode = 0666,
     .uid = 100,
     .gid = 1,
     .major = 1,
     .minor = 3,
     .selinux = "u:object_r:full_device:s0"},
    {.path = "/proc", .type = NS_FSX_DIR, .mode = 0444, .uid = 100, .gid = 1},
    {.path = "/proc/self", .type = NS_FSX_DIR, .mode = 0444, .uid = 100, .gid = 1},
    {.path = "/proc/self/fd", .type = NS_FSX_DIR, .mode = 0777, .uid = 100, .gid = 1},
    {.path = "/proc/stdin",
     .type = NS_FSX_SYMLINK,
     .mode = 0777,
     .uid = 100,
     .gid = 1,
     .target = "/proc/self/fd/0"},
};

static int have_mksquashfs(void)
{
	struct ns_err err;
	unsigned ma, mi;
	return ns_mksquashfs_version("mksquashfs", &ma, &mi, &err) == 0;
}

static int listing(const char *img, char *out, size_t size)
{
	struct ns_err err;
	const char *argv[] = {"unsquashfs", "-lln", "-d", "", img, NULL};
	setenv("TZ", "UTC0", 1); /* listed times are local */
	return ns_run(argv, -1, out, size, &err);
}

static int test_version(void)
{
	struct ns_err err;
	unsigned ma = 0, mi = 0;
	if (!have_mksquashfs())
		return ns_test_skip("mksquashfs not installed");
	CHECK_OK(ns_mksquashfs_version("mksquashfs", &ma, &mi, &err), &err);
	CHECK(ma == 4 && mi >= 4);
	/* qemu-user runs glibc's posix_spawn clone(CLONE_VM|CLONE_VFORK) as a fork, so a
	 * failed exec comes back as exit status 127, not as an error of the spawn */
	if (!getenv("NS_QEMU_USER"))
		CHECK_FAIL(ns_mksquashfs_version("/nonexistent/mksquashfs", &ma, &mi, &err), &err,
			   "run /nonexistent/mksquashfs");
	CHECK_FAIL(ns_mksquashfs_version("true", &ma, &mi, &err), &err, "cannot read a version");
	return 0;
}

static int test_extras_only(void)
{
	struct ns_err err;
	if (!have_mksquashfs())
		return ns_test_skip("mksquashfs not installed");
	char img[512], out[8192];
	snprintf(img, sizeof(img), "%s/extras.img", ns_test_tmpdir());
	struct ns_fsx_list l = {extras, sizeof(extras) / sizeof(extras[0])};
	struct ns_mksquashfs_opts o = {
	    .bin = "mksquashfs", .uid = 100, .gid = 1, .has_mtime = true, .mtime = 1000};
	CHECK_OK(ns_mksquashfs(&o, &l, img, &err), &err);
	struct stat st;
	CHECK(stat(img, &st) == 0 && st.st_size % 4096 == 0);
	CHECK_INT(listing(img, out, sizeof(out)), 0);
	CHECK(strstr(out, "crw-rw-rw- 100/1") && strstr(out, "1,  3 1970-01-01 00:16 /dev/null"));
	CHECK(strstr(out, "dr--r--r-- 100/1"));
	CHECK(strstr(out, "drwxrwxrwx 100/1"));
	CHECK(strstr(out, "/proc/stdin -> /proc/self/fd/0"));
	return 0;
}

static int test_bad_input(void)
{
	struct ns_err err;
	if (!have_mksquashfs())
		return ns_test_skip("mksquashfs not installed");
	char img[512];
	snprintf(img, sizeof(img), "%s/bad.img", ns_test_tmpdir());
	struct ns_fsx bad = {.path = "/a b", .type = NS_FSX_DIR, .mode = 0755};
	struct ns_fsx_list l = {&bad, 1};
	struct ns_mksquashfs_opts o = {.bin = "mksquashfs", .uid = 1, .gid = 1};
	CHECK_FAIL(ns_mksquashfs(&o, &l, img, &err), &err, "'/a b': mksquashfs pseudo definitions");
	o.root = "/nonexistent-root";
	CHECK_FAIL(ns_mksquashfs(&o, NULL, img, &err), &err, "mksquashfs failed with exit status");
	CHECK(access(img, F_OK) < 0 && errno == ENOENT);
	return 0;
}

NS_TEST_MAIN(T(test_version), T(test_extras_only), T(test_bad_input))
