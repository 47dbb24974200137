/* rootfstool: builds a container root with ns_rootfs_enter, the way ns-init will, and
 * runs a probe inside it. Used by tests/integration/rootfs.sh.
 *
 * usage: rootfstool [OPTIONS] ROOT [-- PROBE...]
 *   -m TYPE:TARGET[:SOURCE[:EXTRA[:OPTIONS]]]   a mount (repeatable):
 *        bind:/t:/host[:rw,nosuid,nodev,noexec,rec]   persist:/t:/data/name
 *        proc:/t  sysfs:/t  dev:/t  tmpfs:/t:BYTES    sockets:/t:/sockdir
 *        resource:/t:/resource-root:/dir[:noexec]
 *   -h NAME       hostname
 *   -n MODE       network: new (default), host, ns:NAME
 *   -N DIR        directory of named network namespaces (default /run/netns)
 *   -L            act as a kernel without mount_setattr
 *   -Z CONTEXT    SELinux context for created tmpfs mounts
 *   -u UID:GID    run the probe with these ids (and so without capabilities)
 *   -H            do not unshare: refused unless run in a fresh namespace
 * Without a probe it prints "entered". Probes: any program path inside the root and
 * its arguments (run as PID 2), or a built-in:
 *   @escape DIR MARKER   chroot(DIR), climb "..", chroot("."): is MARKER visible?
 *   @exe-write           open /proc/1/exe for writing, directly and through O_PATH
 *   @connect PATH        connect to a Unix stream socket
 *   @pid1                print this process's and PID 1's view of the namespace
 * Exit status: the probe's (128+signal), 1 when the root cannot be built, 2 usage. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libns/netns.h"
#include "libns/rootfs.h"
#include "libns/util.h"

#define MAX_MOUNTS 64

struct tool {
	struct ns_rootfs_plan plan;
	struct ns_rootfs_mount mounts[MAX_MOUNTS];
	char *specs[MAX_MOUNTS];
	bool no_unshare;
	bool drop_ids;
	uid_t uid;
	gid_t gid;
	char **probe;
};

static int usage(const char *msg)
{
	fprintf(stderr,
		"rootfstool: %s\nusage: rootfstool [-m SPEC]... [-h NAME] [-n MODE] "
		"[-N DIR] [-L] [-Z CTX] [-u UID:GID] [-H] ROOT [-- PROBE...]\n",
		msg);
	return 2;
}

static int parse_type(const char *s, enum ns_mount_type *t)
{
	static const char *const names[] = {
	    [NS_MOUNT_BIND] = "bind",	      [NS_MOUNT_PERSIST] = "persist",
	    [NS_MOUNT_PROC] = "proc",	      [NS_MOUNT_SYSFS] = "sysfs",
	    [NS_MOUNT_RESOURCE] = "resource", [NS_MOUNT_TMPFS] = "tmpfs",
	    [NS_MOUNT_DEV] = "dev",	      [NS_MOUNT_SOCKETS] = "sockets",
	};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (strcmp(s, names[i]) == 0) {
			*t = (enum ns_mount_type)i;
			return 0;
		}
	return -1;
}

static int parse_options(char *s, unsigned *out)
{
	*out = 0;
	for (char *save = NULL, *o = strtok_r(s, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		if (strcmp(o, "rw") == 0)
			*out |= NS_MOPT_RW;
		else if (strcmp(o, "noexec") == 0)
			*out |= NS_MOPT_NOEXEC;
		else if (strcmp(o, "nosuid") == 0)
			*out |= NS_MOPT_NOSUID;
		else if (strcmp(o, "nodev") == 0)
			*out |= NS_MOPT_NODEV;
		else if (strcmp(o, "rec") == 0)
			*out |= NS_MOPT_REC;
		else
			return -1;
	}
	return 0;
}

/* TYPE:TARGET[:SOURCE[:EXTRA[:OPTIONS]]]; spec is modified and must outlive m. */
static int parse_mount(char *spec, struct ns_rootfs_mount *m)
{
	char *f[5] = {0};
	size_t n = 0;
	for (char *p = spec; p && n < 5; n++) {
		f[n] = p;
		p = strchr(p, ':');
		if (p)
			*p++ = '\0';
	}
	if (n < 2 || parse_type(f[0], &m->type) < 0)
		return -1;
	m->target = f[1];
	m->source = f[2];
	char *extra = f[3];
	if (m->type == NS_MOUNT_TMPFS) {
		m->source = NULL;
		m->size = f[2] ? strtoull(f[2], NULL, 0) : 0;
	} else if (m->type == NS_MOUNT_RESOURCE) {
		m->subdir = f[3];
		extra = f[4];
	}
	return extra ? parse_options(extra, &m->options) : 0;
}

static int parse_net(const char *s, struct ns_network *net)
{
	if (strcmp(s, "new") == 0)
		net->mode = NS_NET_NEW;
	else if (strcmp(s, "host") == 0)
		net->mode = NS_NET_HOST;
	else if (strncmp(s, "ns:", 3) == 0) {
		net->mode = NS_NET_NAMESPACE;
		net->netns = s + 3;
	} else
		return -1;
	return 0;
}

static int parse_args(struct tool *t, int argc, char **argv)
{
	int c;
	while ((c = getopt(argc, argv, "+m:h:n:N:LZ:u:H")) != -1) {
		switch (c) {
		case 'm':
			if (t->plan.nmounts == MAX_MOUNTS)
				return usage("too many mounts");
			t->specs[t->plan.nmounts] = strdup(optarg);
			if (parse_mount(t->specs[t->plan.nmounts], &t->mounts[t->plan.nmounts]) < 0)
				return usage("bad mount spec");
			t->plan.nmounts++;
			break;
		case 'h':
			t->plan.hostname = optarg;
			break;
		case 'n':
			if (parse_net(optarg, &t->plan.network) < 0)
				return usage("bad network mode");
			break;
		case 'N':
			t->plan.netns_dir = optarg;
			break;
		case 'L':
			t->plan.quirks |= NS_ROOTFS_NO_MOUNT_SETATTR;
			break;
		case 'Z':
			t->plan.selinux_context = optarg;
			break;
		case 'u':
			if (sscanf(optarg, "%u:%u", &t->uid, &t->gid) != 2)
				return usage("bad -u");
			t->drop_ids = true;
			break;
		case 'H':
			t->no_unshare = true;
			break;
		default:
			return usage("bad option");
		}
	}
	if (optind >= argc)
		return usage("no root");
	t->plan.root = argv[optind++];
	t->plan.mounts = t->mounts;
	if (optind < argc && strcmp(argv[optind], "--") == 0)
		optind++;
	t->probe = optind < argc ? argv + optind : NULL;
	return 0;
}

static int probe_escape(char **argv)
{
	if (!argv[1] || !argv[2])
		return 2;
	struct stat before, after;
	int fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || stat("/", &before) < 0 || chroot(argv[1]) < 0 || fchdir(fd) < 0) {
		perror("escape: setup");
		return 2;
	}
	for (int i = 0; i < 64; i++)
		if (chdir("..") < 0)
			break;
	if (chroot(".") < 0) {
		perror("escape: chroot .");
		return 2;
	}
	if (stat("/", &after) < 0)
		return 2;
	bool same = before.st_dev == after.st_dev && before.st_ino == after.st_ino;
	bool marker = access(argv[2], F_OK) == 0;
	printf("escape: root %s, marker %s\n", same ? "unchanged" : "changed",
	       marker ? "visible" : "hidden");
	return same && !marker ? 0 : 1;
}

static int probe_exe_write(void)
{
	int fails = 0;
	int fd = open("/proc/1/exe", O_WRONLY | O_CLOEXEC);
	printf("exe-write direct: %s\n", fd < 0 ? strerror(errno) : "opened");
	fails += fd < 0;
	int p = open("/proc/1/exe", O_PATH | O_CLOEXEC);
	if (p < 0) {
		printf("exe-write reopen: O_PATH: %s\n", strerror(errno));
		fails++;
	} else {
		char path[64];
		snprintf(path, sizeof(path), "/proc/self/fd/%d", p);
		int w = open(path, O_WRONLY | O_CLOEXEC);
		printf("exe-write reopen: %s\n", w < 0 ? strerror(errno) : "opened");
		fails += w < 0;
	}
	return fails == 2 ? 0 : 1;
}

static int probe_connect(char **argv)
{
	if (!argv[1])
		return 2;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", argv[1]);
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		printf("connect: %s\n", strerror(errno));
		return 1;
	}
	printf("connect: connected\n");
	return 0;
}

static int probe_pid1(void)
{
	printf("pid1: getpid %d\n", (int)getpid());
	return 0;
}

static int run_builtin(char **argv)
{
	if (strcmp(argv[0], "@escape") == 0)
		return probe_escape(argv);
	if (strcmp(argv[0], "@exe-write") == 0)
		return probe_exe_write();
	if (strcmp(argv[0], "@connect") == 0)
		return probe_connect(argv);
	if (strcmp(argv[0], "@pid1") == 0)
		return probe_pid1();
	fprintf(stderr, "rootfstool: unknown probe '%s'\n", argv[0]);
	return 2;
}

static void drop_ids(const struct tool *t)
{
	if (setgroups(0, NULL) < 0 || setresgid(t->gid, t->gid, t->gid) < 0 ||
	    setresuid(t->uid, t->uid, t->uid) < 0) {
		perror("rootfstool: drop ids");
		_exit(2);
	}
}

/* PID 2: the probe. */
static void run_probe(const struct tool *t)
{
	if (t->drop_ids)
		drop_ids(t);
	if (t->probe[0][0] == '@') {
		int r = run_builtin(t->probe);
		fflush(stdout);
		_exit(r);
	}
	execv(t->probe[0], t->probe);
	fprintf(stderr, "rootfstool: exec %s: %s\n", t->probe[0], strerror(errno));
	_exit(127);
}

static int wait_status(pid_t pid)
{
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return 1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* PID 1 of the new pid namespace, as ns-init will be. */
static int container_init(struct tool *t)
{
	struct ns_err err = {0};
	if (ns_rootfs_enter(&t->plan, &err) < 0) {
		fprintf(stderr, "rootfstool: %s\n", err.msg);
		return 1;
	}
	/* Like ns-init: nothing in the container may ptrace or reopen PID 1. */
	prctl(PR_SET_DUMPABLE, 0);
	if (!t->probe) {
		printf("entered\n");
		return 0;
	}
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0)
		run_probe(t);
	return wait_status(pid);
}

int main(int argc, char **argv)
{
	struct tool t = {0};
	int r = parse_args(&t, argc, argv);
	if (r)
		return r;
	if (t.no_unshare)
		return container_init(&t);
	int flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC |
		    ns_net_clone_flags(t.plan.network.mode);
	if (unshare(flags) < 0) {
		perror("rootfstool: unshare");
		return 1;
	}
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0) {
		perror("rootfstool: fork");
		return 1;
	}
	if (pid == 0)
		_exit(container_init(&t));
	return wait_status(pid);
}
