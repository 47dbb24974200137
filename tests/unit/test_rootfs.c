/* The rootfs plan (checks, mount order), the network clone flags, and the mount API
 * helpers on detached mounts (which never touch the host's tree). The mounts
 * themselves are tested in tests/integration/rootfs.sh. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libns/mountapi.h"
#include "libns/mounts.h"
#include "libns/netns.h"
#include "libns/rootfs.h"
#include "libns/util.h"
#include "testlib.h"

static int check_one(struct ns_rootfs_mount m, struct ns_err *err)
{
	struct ns_rootfs_plan p = {.root = "/run/app:1.0.0", .mounts = &m, .nmounts = 1};
	return ns_rootfs_plan_check(&p, err);
}

static int test_plan_check_targets(void)
{
	struct ns_err err;
	struct ns_rootfs_mount m = {.type = NS_MOUNT_PROC, .target = "/proc"};
	CHECK_OK(check_one(m, &err), &err);
	const char *bad[] = {"proc", "/", "/a/../b", "/a/", "/a//b", "/./a", ""};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		m.target = bad[i];
		CHECK_FAIL(check_one(m, &err), &err, "is not a clean absolute path below /");
	}
	m.target = NULL;
	CHECK_FAIL(check_one(m, &err), &err, "'(none)'");
	return 0;
}

static int test_plan_check_fields(void)
{
	struct ns_err err;
	struct ns_rootfs_mount bind = {.type = NS_MOUNT_BIND, .target = "/h"};
	CHECK_FAIL(check_one(bind, &err), &err, "bind on '/h' needs an absolute host path");
	bind.source = "relative/path";
	CHECK_FAIL(check_one(bind, &err), &err, "needs an absolute host path");
	bind.source = "/host";
	CHECK_OK(check_one(bind, &err), &err);
	struct ns_rootfs_mount res = {.type = NS_MOUNT_RESOURCE, .target = "/r", .source = "/x"};
	CHECK_FAIL(check_one(res, &err), &err, "needs a dir without '..'");
	res.subdir = "/a/../../etc";
	CHECK_FAIL(check_one(res, &err), &err, "needs a dir without '..'");
	res.subdir = "/share";
	CHECK_OK(check_one(res, &err), &err);
	struct ns_rootfs_mount tmp = {.type = NS_MOUNT_TMPFS, .target = "/tmp"};
	CHECK_FAIL(check_one(tmp, &err), &err, "needs a size (0 would be unlimited)");
	struct ns_rootfs_mount unknown = {.type = (enum ns_mount_type)42, .target = "/u"};
	CHECK_FAIL(check_one(unknown, &err), &err, "mount type 42 is unknown");
	struct ns_rootfs_plan p = {.root = "relative"};
	CHECK_FAIL(ns_rootfs_plan_check(&p, &err), &err, "root 'relative' is not an absolute");
	return 0;
}

static int test_plan_check_duplicates(void)
{
	struct ns_err err;
	struct ns_rootfs_mount ms[] = {
	    {.type = NS_MOUNT_PROC, .target = "/proc"},
	    {.type = NS_MOUNT_TMPFS, .target = "/tmp", .size = 4096},
	    {.type = NS_MOUNT_SYSFS, .target = "/proc"},
	};
	struct ns_rootfs_plan p = {.root = "/r", .mounts = ms, .nmounts = 3};
	CHECK_FAIL(ns_rootfs_plan_check(&p, &err), &err, "mount target '/proc' appears twice");
	return 0;
}

/* Parents before children, whatever order the plan (or a HashMap) gave. */
static int test_mount_order(void)
{
	struct ns_rootfs_mount ms[] = {
	    {.target = "/a/b/c"}, {.target = "/b"}, {.target = "/a/b"},
	    {.target = "/a-b"},	  {.target = "/a"}, {.target = "/a/a"},
	};
	struct ns_rootfs_plan p = {.mounts = ms, .nmounts = ARRAY_SIZE(ms)};
	size_t order[ARRAY_SIZE(ms)];
	ns_rootfs_mount_order(&p, order);
	const char *want[] = {"/a", "/a-b", "/b", "/a/a", "/a/b", "/a/b/c"};
	for (size_t i = 0; i < ARRAY_SIZE(want); i++)
		CHECK_STR(ms[order[i]].target, want[i]);
	p.nmounts = 0;
	ns_rootfs_mount_order(&p, order); /* an empty plan is fine */
	return 0;
}

static int test_net_clone_flags(void)
{
	CHECK_INT(ns_net_clone_flags(NS_NET_NEW), CLONE_NEWNET);
	CHECK_INT(ns_net_clone_flags(NS_NET_HOST), 0);
	CHECK_INT(ns_net_clone_flags(NS_NET_NAMESPACE), 0);
	return 0;
}

static int test_net_name_refused(void)
{
	struct ns_err err;
	const char *bad[] = {"", ".", "..", "a/b", "../../proc/1/ns/net"};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct ns_network net = {.mode = NS_NET_NAMESPACE, .netns = bad[i]};
		CHECK_FAIL(ns_net_enter(&net, NULL, &err), &err, "is not a plain name");
	}
	struct ns_network net = {.mode = NS_NET_NAMESPACE, .netns = "x"};
	CHECK_FAIL(ns_net_enter(&net, "/nonexistent-netns-dir", &err), &err,
		   "network namespace 'x' does not exist (no '/nonexistent-netns-dir')");
	struct ns_network host = {.mode = NS_NET_HOST};
	CHECK_OK(ns_net_enter(&host, NULL, &err), &err);
	return 0;
}

static int test_mount_kind(void)
{
	CHECK_STR(ns_mount_kind(NS_MOUNT_BIND), "bind");
	CHECK_STR(ns_mount_kind(NS_MOUNT_SOCKETS), "sockets");
	CHECK_STR(ns_mount_kind((enum ns_mount_type)99), "unknown");
	return 0;
}

/* Detached filesystems: created, inspected and dropped without ever being attached. */
static int test_fresh_detached(void)
{
	if (geteuid() != 0)
		return ns_test_skip("needs root (CAP_SYS_ADMIN) for fsopen");
	struct ns_err err;
	const char *opts[] = {"size", "65536", "mode", "1777", NULL};
	ns_autoclose int mnt =
	    ns_mnt_fresh("tmpfs", opts, NS_MNT_RDONLY | NS_MNT_NOEXEC, "t", &err);
	if (mnt == -ENOSYS)
		return ns_test_skip("no fsopen on this kernel");
	CHECK_OK(mnt, &err);
	unsigned attrs = 0;
	CHECK_OK(ns_mnt_get_attrs(mnt, &attrs, &err), &err);
	CHECK_INT(attrs & NS_MNT_LOCKDOWN, NS_MNT_RDONLY | NS_MNT_NOEXEC);
	struct stat st;
	CHECK(fstat(mnt, &st) == 0);
	CHECK_INT(st.st_mode & 07777, 01777);
	const char *bad[] = {"size", "lots", NULL};
	CHECK_FAIL(ns_mnt_fresh("tmpfs", bad, 0, "/tmp", &err), &err,
		   "/tmp: tmpfs: option 'size=lots'");
	CHECK(strstr(err.msg, "(kernel: ") != NULL);
	CHECK_FAIL(ns_mnt_fresh("nosuchfs", NULL, 0, "/x", &err), &err,
		   "/x: open a nosuchfs filesystem (fsopen)");
	return 0;
}

static int test_clone_detached(void)
{
	if (geteuid() != 0)
		return ns_test_skip("needs root (CAP_SYS_ADMIN) for open_tree");
	struct ns_err err;
	ns_autoclose int src = open(ns_test_tmpdir(), O_PATH | O_DIRECTORY | O_CLOEXEC);
	CHECK(src >= 0);
	ns_autoclose int tree = ns_mnt_clone(src, false, "tmp", &err);
	if (tree == -ENOSYS)
		return ns_test_skip("no open_tree on this kernel (or under qemu-user)");
	CHECK_OK(tree, &err);
	struct stat a, b;
	CHECK(fstat(src, &a) == 0 && fstat(tree, &b) == 0);
	CHECK(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	CHECK_FAIL(ns_mnt_clone(-1, false, "bad", &err), &err, "bad: clone the mount (open_tree)");
	return 0;
}

NS_TEST_MAIN(T(test_plan_check_targets), T(test_plan_check_fields), T(test_plan_check_duplicates),
	     T(test_mount_order), T(test_net_clone_flags), T(test_net_name_refused),
	     T(test_mount_kind), T(test_fresh_detached), T(test_clone_detached))
