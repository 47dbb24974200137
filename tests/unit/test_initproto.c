/* The daemon <-> ns-init messages (libns/initproto.h), the socket helper
 * (libns/sockets.h) and the clone helper (libns/launch.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libns/initproto.h"
#include "libns/launch.h"
#include "libns/sockets.h"
#include "testlib.h"

static int pair(int sv[2])
{
	return socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv);
}

static int test_desc_roundtrip(void)
{
	struct ns_err err = {0};
	const char *args[] = {"-c", "echo \"hi\"\n"};
	const char *env[] = {"A=1", "NORTHSTAR_NAME=x"};
	struct ns_rootfs_mount mounts[] = {
	    {.type = NS_MOUNT_BIND, .target = "/lib", .source = "/lib", .options = NS_MOPT_RW},
	    {.type = NS_MOUNT_TMPFS, .target = "/tmp", .size = 1 << 20},
	    {.type = NS_MOUNT_RESOURCE, .target = "/r", .source = "/run/x:1.0.0", .subdir = "/d"},
	};
	struct ns_launch_desc d = {
	    .container = "x:1.0.0",
	    .manifest = "name: x\nversion: 1.0.0\n",
	    .manifest_len = 23,
	    .root = "/run/x:1.0.0",
	    .hostname = "x",
	    .init = "/bin/sh",
	    .args = args,
	    .nargs = 2,
	    .env = env,
	    .nenv = 2,
	    .mounts = mounts,
	    .nmounts = 3,
	    .nfds = 2,
	    .selinux_exec = "system_u:system_r:app_t:s0",
	};
	char *text = ns_launch_desc_encode(&d, &err);
	CHECK(text);
	struct ns_launch_desc o;
	int r = ns_launch_desc_decode(text, strlen(text), &o, &err);
	free(text);
	CHECK_INT(r, 0);
	CHECK_STR(o.container, "x:1.0.0");
	CHECK_INT(o.manifest_len, 23);
	CHECK_STR(o.init, "/bin/sh");
	CHECK_INT(o.nargs, 2);
	CHECK_STR(o.args[1], "echo \"hi\"\n");
	CHECK_INT(o.nenv, 2);
	CHECK_INT(o.nmounts, 3);
	CHECK_INT(o.mounts[0].type, NS_MOUNT_BIND);
	CHECK_INT(o.mounts[0].options, NS_MOPT_RW);
	CHECK(o.mounts[1].source == NULL);
	CHECK_INT(o.mounts[1].size, 1 << 20);
	CHECK_STR(o.mounts[2].subdir, "/d");
	CHECK(o.netns_dir == NULL && o.group_file == NULL);
	CHECK_STR(o.selinux_exec, "system_u:system_r:app_t:s0");
	CHECK_INT(o.nfds, 2);
	ns_launch_desc_free(&o);
	return 0;
}

static int bad(const char *text, const char *needle)
{
	struct ns_err err = {0};
	struct ns_launch_desc o;
	if (ns_launch_desc_decode(text, strlen(text), &o, &err) == 0) {
		ns_launch_desc_free(&o);
		fprintf(stderr, "  accepted: %s\n", text);
		return NS_TEST_FAIL;
	}
	if (!strstr(err.msg, needle)) {
		fprintf(stderr, "  '%s' lacks '%s'\n", err.msg, needle);
		return NS_TEST_FAIL;
	}
	return 0;
}

#define GOOD_HEAD "{\"container\":\"x:1.0.0\",\"manifest\":\"m\",\"root\":\"/r\",\"hostname\":null,"
static int test_desc_refused(void)
{
	CHECK(!bad("[]", "not an object"));
	CHECK(!bad("{", "not JSON"));
	CHECK(!bad("{}", "'container'"));
	CHECK(!bad(GOOD_HEAD "\"init\":\"bin/sh\",\"args\":[],\"env\":[],\"netns_dir\":null,"
			     "\"group_file\":null,\"fds\":0,\"mounts\":[]}",
		   "not absolute"));
	CHECK(!bad(GOOD_HEAD "\"init\":\"/bin/sh\",\"args\":[1],\"env\":[],\"netns_dir\":null,"
			     "\"group_file\":null,\"fds\":0,\"mounts\":[]}",
		   "non-string"));
	CHECK(!bad(GOOD_HEAD "\"init\":\"/bin/sh\",\"args\":[],\"env\":[\"A\"],\"netns_dir\":null,"
			     "\"group_file\":null,\"fds\":0,\"mounts\":[]}",
		   "lacks '='"));
	CHECK(!bad(GOOD_HEAD "\"init\":\"/bin/sh\",\"args\":[],\"env\":[],\"netns_dir\":null,"
			     "\"group_file\":null,\"fds\":65,\"mounts\":[]}",
		   "'fds'"));
	CHECK(
	    !bad(GOOD_HEAD
		 "\"init\":\"/bin/sh\",\"args\":[],\"env\":[],\"netns_dir\":null,"
		 "\"group_file\":null,\"fds\":0,\"mounts\":[{\"type\":\"nfs\",\"target\":\"/x\"}]}",
		 "mount type"));
	CHECK(!bad(GOOD_HEAD "\"init\":\"/bin/sh\",\"args\":[],\"env\":[],\"netns_dir\":null,"
			     "\"group_file\":null,\"selinux_exec\":7,\"fds\":0,\"mounts\":[]}",
		   "'selinux_exec' is not a string"));
	return 0;
}

/* Issue 14: the switch for manifests without seccomp. Absent means the default
 * profile; only a JSON true turns the filter off. */
static int test_desc_seccomp_unfiltered(void)
{
	static const char tail[] = "\"init\":\"/bin/sh\",\"args\":[],\"env\":[],"
				   "\"netns_dir\":null,\"group_file\":null,\"fds\":0,\"mounts\":[]";
	struct ns_err err = {0};
	struct ns_launch_desc o;
	char text[512];
	snprintf(text, sizeof(text), GOOD_HEAD "%s}", tail);
	CHECK_OK(ns_launch_desc_decode(text, strlen(text), &o, &err), &err);
	CHECK(!o.seccomp_unfiltered);
	ns_launch_desc_free(&o);
	snprintf(text, sizeof(text), GOOD_HEAD "%s,\"seccomp_unfiltered\":true}", tail);
	CHECK_OK(ns_launch_desc_decode(text, strlen(text), &o, &err), &err);
	CHECK(o.seccomp_unfiltered);
	ns_launch_desc_free(&o);
	snprintf(text, sizeof(text), GOOD_HEAD "%s,\"seccomp_unfiltered\":\"yes\"}", tail);
	CHECK(!bad(text, "'seccomp_unfiltered' is not true or false"));
	snprintf(text, sizeof(text), GOOD_HEAD "%s,\"seccomp_unfiltered\":1}", tail);
	CHECK(!bad(text, "'seccomp_unfiltered' is not true or false"));
	/* the encoder writes it both ways */
	struct ns_launch_desc d = {.container = "x:1.0.0",
				   .manifest = "m",
				   .manifest_len = 1,
				   .root = "/r",
				   .init = "/bin/sh",
				   .seccomp_unfiltered = true};
	for (int want = 1; want >= 0; want--) {
		d.seccomp_unfiltered = want;
		char *enc = ns_launch_desc_encode(&d, &err);
		CHECK(enc);
		int r = ns_launch_desc_decode(enc, strlen(enc), &o, &err);
		free(enc);
		CHECK_INT(r, 0);
		CHECK_INT(o.seccomp_unfiltered, want);
		ns_launch_desc_free(&o);
	}
	return 0;
}

static int test_transfer(void)
{
	struct ns_err err = {0};
	int sv[2];
	CHECK(pair(sv) == 0);
	/* larger than one message, with two descriptors */
	size_t len = 100000;
	char *data = malloc(len);
	CHECK(data);
	for (size_t i = 0; i < len; i++)
		data[i] = (char)('a' + i % 26);
	int fds[2] = {open("/dev/null", O_RDONLY | O_CLOEXEC), open("/", O_RDONLY | O_CLOEXEC)};
	CHECK(ns_initproto_send(sv[0], data, len, fds, 2, &err) == 0);
	char *got;
	size_t glen, nfds;
	int rfds[4];
	CHECK(ns_initproto_recv(sv[1], 1 << 20, &got, &glen, rfds, 4, &nfds, &err) == 0);
	CHECK_INT(glen, len);
	CHECK(memcmp(got, data, len) == 0 && got[len] == '\0');
	CHECK_INT(nfds, 2);
	struct stat a, b;
	CHECK(fstat(rfds[1], &a) == 0 && stat("/", &b) == 0 && a.st_ino == b.st_ino);
	CHECK(fcntl(rfds[0], F_GETFD) & FD_CLOEXEC);
	/* too big for the receiver: refused, descriptors closed */
	CHECK(ns_initproto_send(sv[0], data, len, fds, 1, &err) == 0);
	CHECK(ns_initproto_recv(sv[1], 1000, &got, &glen, rfds + 2, 2, &nfds, &err) == -EMSGSIZE);
	free(got);
	free(data);
	for (int i = 0; i < 2; i++) {
		close(fds[i]);
		close(rfds[i]);
	}
	close(sv[0]);
	close(sv[1]);
	return 0;
}

static int test_reports(void)
{
	struct ns_err err = {0};
	struct ns_init_report r;
	int sv[2];
	CHECK(pair(sv) == 0);
	CHECK(ns_initproto_read_report(sv[0], &r, &err) == -EAGAIN);
	CHECK(ns_initproto_report(sv[1], NS_INIT_WARN, 0, "a warning") == 0);
	CHECK(ns_initproto_report(sv[1], NS_INIT_STARTED, 2, NULL) == 0);
	CHECK(ns_initproto_report(sv[1], NS_INIT_SIGNALLED, 31, NULL) == 0);
	CHECK(ns_initproto_read_report(sv[0], &r, &err) == 1);
	CHECK(r.kind == NS_INIT_WARN);
	CHECK_STR(r.text, "a warning");
	CHECK(ns_initproto_read_report(sv[0], &r, &err) == 1);
	CHECK(r.kind == NS_INIT_STARTED && r.value == 2);
	CHECK(ns_initproto_read_report(sv[0], &r, &err) == 1);
	CHECK(r.kind == NS_INIT_SIGNALLED && r.value == 31);
	/* hostile or broken reports are errors, never crashes */
	static const char *const junk[] = {"started", "started x", "exit 99999999999",
					   "boom 1",  "exit 1 2",  ""};
	for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		CHECK(send(sv[1], junk[i], strlen(junk[i]), 0) >= 0);
		int n = ns_initproto_read_report(sv[0], &r, &err);
		if (junk[i][0])
			CHECK(n == -EBADMSG);
		else
			CHECK(n == 0); /* an empty message reads as end of file */
	}
	CHECK(send(sv[1], "warn a\0b", 8, 0) == 8);
	CHECK(ns_initproto_read_report(sv[0], &r, &err) == -EBADMSG);
	close(sv[1]);
	CHECK(ns_initproto_read_report(sv[0], &r, &err) == 0);
	close(sv[0]);
	return 0;
}

/* The daemon's go after the cgroup attach: anything else, or the end, is refused. */
static int test_go(void)
{
	struct ns_err err = {0};
	int sv[2];
	CHECK(pair(sv) == 0);
	CHECK(ns_initproto_go(sv[0], &err) == 0);
	CHECK(ns_initproto_await_go(sv[1], &err) == 0);
	CHECK(send(sv[0], "gone", 4, 0) == 4);
	CHECK(ns_initproto_await_go(sv[1], &err) == -EBADMSG);
	CHECK(send(sv[0], "go and more than fits", 21, 0) == 21);
	CHECK(ns_initproto_await_go(sv[1], &err) == -EBADMSG);
	close(sv[0]);
	CHECK(ns_initproto_await_go(sv[1], &err) == -EPIPE);
	CHECK(strstr(err.msg, "before its go"));
	close(sv[1]);
	return 0;
}

/* ns-init fails before it reads the go: the unread go resets the connection, and its
 * report must still come through. */
static int test_go_unread(void)
{
	struct ns_err err = {0};
	struct ns_init_report r;
	int sv[2];
	CHECK(pair(sv) == 0);
	CHECK(ns_initproto_go(sv[0], &err) == 0);
	CHECK(ns_initproto_report(sv[1], NS_INIT_ERROR, 0, "setup failed") == 0);
	close(sv[1]);
	CHECK(ns_initproto_read_report(sv[0], &r, &err) == 1);
	CHECK(r.kind == NS_INIT_ERROR);
	CHECK_STR(r.text, "setup failed");
	CHECK(ns_initproto_read_report(sv[0], &r, &err) == 0);
	int g = ns_initproto_go(sv[0], &err); /* ns-init is gone */
	CHECK(g == -EPIPE || g == -ECONNRESET);
	close(sv[0]);
	return 0;
}

static int test_socket_create(void)
{
	if (geteuid() != 0)
		return ns_test_skip("chown needs root");
	struct ns_err err = {0};
	const char *dir = ns_test_tmpdir();
	struct ns_socket s = {.name = "s",
			      .type = NS_SOCK_STREAM,
			      .mode = 0640,
			      .has_uid = true,
			      .uid = 1234,
			      .has_gid = true,
			      .gid = 4321};
	char path[512];
	snprintf(path, sizeof(path), "%s/a:1.0.0:s", dir);
	CHECK(symlink("/etc/passwd", path) == 0); /* a stale entry, planted */
	int fd = ns_socket_create(dir, "a:1.0.0:s", &s, &err);
	CHECK(fd >= 0);
	struct stat st;
	CHECK(lstat(path, &st) == 0);
	CHECK(S_ISSOCK(st.st_mode) && (st.st_mode & 07777) == 0640);
	CHECK(st.st_uid == 1234 && st.st_gid == 4321);
	CHECK(access("/etc/passwd", F_OK) == 0); /* the planted link went, not its target */
	close(fd);
	CHECK(ns_socket_remove(dir, "a:1.0.0:s", &err) == 0);
	CHECK(lstat(path, &st) < 0 && errno == ENOENT);
	CHECK(ns_socket_remove(dir, "a:1.0.0:s", &err) == 0);
	char longname[200];
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	CHECK(ns_socket_create(dir, longname, &s, &err) == -ENAMETOOLONG);
	CHECK(strstr(err.msg, "longer than"));
	return 0;
}

static int child_exit(void *arg)
{
	*(int *)arg = 42; /* shared memory: the parent sees it */
	_exit(7);
}

static int test_clone_vfork(void)
{
	struct ns_err err = {0};
	int seen = 0, pidfd = -1;
	pid_t pid = ns_clone_vfork(child_exit, &seen, 0, &pidfd, &err);
	if (pid < 0 && getenv("NS_QEMU_USER"))
		return ns_test_skip("qemu-user emulates no clone(CLONE_VM|CLONE_VFORK): %s",
				    err.msg);
	CHECK(pid > 0);
	CHECK_INT(seen, 42); /* the parent resumed only after the child was done */
	CHECK(pidfd >= 0 && (fcntl(pidfd, F_GETFD) & FD_CLOEXEC));
	int st;
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 7);
	close(pidfd);
	return 0;
}

NS_TEST_MAIN(T(test_desc_roundtrip), T(test_desc_refused), T(test_desc_seccomp_unfiltered),
	     T(test_transfer), T(test_reports), T(test_go), T(test_go_unread),
	     T(test_socket_create), T(test_clone_vfork))
