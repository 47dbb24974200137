/* PID-1 mode: the binary as the initramfs' /init (argv[0] `init`, or whenever it is
 * PID 1). PID 1 stays small: it moves off the initramfs' rootfs (init_root.c), mounts
 * the API file systems, points fds 0-2 at /dev/console, brings lo up, starts
 * `northstard -c CONFIG` as its child (CONFIG: `init -c FILE`, else northstar.config=
 * on the kernel's command line, else /etc/northstar/northstar.yaml) and then only reaps: every
 * orphan of the system is reparented to it, and reaping them here leaves the daemon's own
 * pidfd-based waits untouched. SIGTERM, SIGINT and SIGHUP go on to the daemon; when the daemon ends
 * (a signal, a shutdown request, a failed critical container, or a crash), PID 1 ends what is left,
 * syncs, unmounts what it mounted and powers off (or reboots, config `init.halt`) - returning would
 * panic the kernel. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "applets/applet.h"
#include "libns/config.h"
#include "libns/libc_compat.h"
#include "libns/util.h"
#include "nsd_init.h"

/* How long the daemon may take for its orderly shutdown once told to stop, and the
 * rest of the system after SIGTERM, before SIGKILL. */
#define NSD_INIT_STOP_S 60
#define NSD_INIT_TERM_S 2

struct api_mount {
	const char *src, *dir, *type, *opts;
	unsigned long flags;
};

static const struct api_mount api_mounts[] = {
    {"proc", "/proc", "proc", NULL, MS_NOSUID | MS_NODEV | MS_NOEXEC},
    {"sysfs", "/sys", "sysfs", NULL, MS_NOSUID | MS_NODEV | MS_NOEXEC},
    {"devtmpfs", "/dev", "devtmpfs", "mode=0755", MS_NOSUID},
    {"tmpfs", "/run", "tmpfs", "mode=0755", MS_NOSUID | MS_NODEV},
    {"cgroup2", "/sys/fs/cgroup", "cgroup2", NULL, MS_NOSUID | MS_NODEV | MS_NOEXEC},
};

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = snprintf(buf, sizeof(buf), "init: ");
	vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
	va_end(ap);
	size_t len = strnlen(buf, sizeof(buf) - 2);
	buf[len++] = '\n';
	(void)!write(STDERR_FILENO, buf, len);
}

/* A directory that is already a mount point (its device differs from its parent's)
 * keeps what is there: a pid namespace's init with --mount-proc, a hybrid cgroup tree. */
static bool is_mount_point(const char *dir)
{
	struct stat a, b;
	char parent[64];
	snprintf(parent, sizeof(parent), "%s/..", dir);
	return stat(dir, &a) == 0 && stat(parent, &b) == 0 && a.st_dev != b.st_dev;
}

/* mounted[i]: whether we mounted api_mounts[i] (and so unmount it at the end) */
static void mount_api(bool *mounted)
{
	for (size_t i = 0; i < ARRAY_SIZE(api_mounts); i++) {
		const struct api_mount *m = &api_mounts[i];
		if (mkdir(m->dir, 0755) < 0 && errno != EEXIST) {
			say("mkdir %s: %s", m->dir, strerror(errno));
			continue;
		}
		if (is_mount_point(m->dir))
			continue;
		if (mount(m->src, m->dir, m->type, m->flags, m->opts) < 0)
			say("mount %s on %s: %s", m->type, m->dir, strerror(errno));
		else
			mounted[i] = true;
	}
}

static void umount_api(const bool *mounted)
{
	for (size_t i = ARRAY_SIZE(api_mounts); i-- > 0;)
		if (mounted[i] && umount2(api_mounts[i].dir, MNT_DETACH) < 0)
			say("umount %s: %s", api_mounts[i].dir, strerror(errno));
}

/* Started by the kernel without /dev/console in the initramfs, fds 0-2 are closed. */
static void console_fds(void)
{
	for (int fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) >= 0)
			continue;
		int c = open("/dev/console", O_RDWR | O_NOCTTY);
		if (c < 0)
			c = open("/dev/null", O_RDWR);
		if (c >= 0 && c != fd) {
			dup2(c, fd);
			close(c);
		}
	}
}

static void loopback_up(void)
{
	ns_autoclose int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr = {0};
	strcpy(ifr.ifr_name, "lo");
	if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		return;
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		say("bring lo up: %s", strerror(errno));
}

/* northstar.config=PATH on the kernel's command line (the kernel keeps dotted
 * parameters from init's environment: they are read from /proc/cmdline). */
static void config_path(char *out, size_t size)
{
	char line[4096];
	snprintf(out, size, "%s", NSD_INIT_CONFIG);
	ns_autoclose int fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, line, sizeof(line) - 1) : -1;
	if (n <= 0)
		return;
	line[n] = 0;
	for (char *save = NULL, *w = strtok_r(line, " \t\n", &save); w;
	     w = strtok_r(NULL, " \t\n", &save))
		if (!strncmp(w, "northstar.config=", 17) && w[17])
			snprintf(out, size, "%s", w + 17);
}

/* config `init`; defaults (power off, the console) when it cannot be read (the daemon
 * reports why). */
static struct ns_init_config init_config(const char *path)
{
	struct ns_config c;
	struct ns_err err = {0};
	struct ns_init_config ic = {0};
	if (ns_config_load(path, &c, &err) < 0)
		return ic;
	ic = c.init;
	ns_config_free(&c);
	return ic;
}

/* With init.log: kmsg, the kernel must not rate-limit the daemon's writes (its default,
 * printk.devkmsg=ratelimit, drops all but a few lines a second). */
static void kmsg_unlimited(void)
{
	ns_autoclose int fd = open("/proc/sys/kernel/printk_devkmsg", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "on\n", 3) != 3)
		say("printk_devkmsg: %s: daemon lines to /dev/kmsg may be rate-limited",
		    strerror(errno));
}

static pid_t start_daemon(const char *config, const sigset_t *old)
{
	pid_t pid = fork();
	if (pid == 0) {
		sigprocmask(SIG_SETMASK, old, NULL);
		setsid();
		setenv(NSD_INIT_ENV, "1", 1);
		char *argv[] = {"northstard", "-c", (char *)config, NULL};
		_exit(northstard_main(3, argv));
	}
	if (pid < 0)
		say("fork northstard: %s", strerror(errno));
	return pid;
}

/* Reaps every child that has ended; true once the daemon is among them. */
static bool reap(pid_t daemon, int *status)
{
	bool gone = false;
	int st;
	pid_t pid;
	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		if (pid == daemon) {
			*status = st;
			gone = true;
		} else {
			say("reaped orphan %d (%s %d)", (int)pid,
			    WIFEXITED(st) ? "exit status" : "signal",
			    WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
		}
	}
	return gone;
}

/* Waits for signals until deadline (seconds; 0: none) or the daemon's end. */
static int wait_loop(const sigset_t *set, pid_t daemon, int *status, int secs, bool *ended)
{
	struct timespec ts = {secs, 0};
	for (;;) {
		siginfo_t si;
		int sig = sigtimedwait(set, &si, secs ? &ts : NULL);
		if (sig < 0) {
			if (errno == EAGAIN)
				return -ETIMEDOUT;
			continue;
		}
		if (sig == SIGCHLD) {
			if (reap(daemon, status)) {
				*ended = true;
				return 0;
			}
			continue;
		}
		if (daemon > 0 && !*ended) {
			say("SIG%s: stopping northstard", ns_sigabbrev(sig));
			kill(daemon, SIGTERM);
		}
		return sig;
	}
}

/* Whatever is left after the daemon: SIGTERM, a short grace, SIGKILL; reaped. */
static void end_all(void)
{
	int st;
	pid_t pid;
	kill(-1, SIGTERM);
	for (int i = 0; i < NSD_INIT_TERM_S * 10; i++) {
		while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
			;
		if (pid < 0 && errno == ECHILD)
			return;
		nanosleep(&(struct timespec){0, 100 * 1000 * 1000}, NULL);
	}
	kill(-1, SIGKILL);
	while (waitpid(-1, &st, 0) > 0)
		;
}

int northstard_init_main(int argc, char **argv)
{
	if (getpid() != 1) {
		fprintf(stderr,
			"init: PID-1 mode needs PID 1 (this is %d); run 'northstard' "
			"for the daemon\n",
			(int)getpid());
		return EXIT_USAGE;
	}
	struct ns_err err = {0};
	console_fds(); /* for the messages of the root switch, if /dev/console exists */
	int moved = nsd_init_leave_rootfs(&err);
	if (moved < 0)
		say("%s: containers may not start", err.msg);
	bool mounted[ARRAY_SIZE(api_mounts)] = {0};
	mount_api(mounted);
	console_fds();
	if (moved > 0)
		say("moved the initramfs into a tmpfs: the new root");
	loopback_up();
	char config[1024];
	config_path(config, sizeof(config));
	/* `-c FILE` (after `--` on the kernel's command line) names it too */
	if (argc == 3 && !strcmp(argv[1], "-c"))
		snprintf(config, sizeof(config), "%s", argv[2]);
	else if (argc > 1)
		say("ignoring arguments: init [-c FILE]");
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, &old);
	/* for boot-time figures: the wall clock's time when the kernel started */
	struct timespec now, up;
	clock_gettime(CLOCK_REALTIME, &now);
	clock_gettime(CLOCK_BOOTTIME, &up);
	int64_t ms =
	    ((int64_t)now.tv_sec - up.tv_sec) * 1000 + (now.tv_nsec - up.tv_nsec) / 1000000;
	say("the kernel started at %lld.%03lld (%lld.%03lld s ago)", (long long)(ms / 1000),
	    (long long)(ms % 1000), (long long)up.tv_sec, (long long)(up.tv_nsec / 1000000));
	struct ns_init_config ic = init_config(config);
	if (ic.log_kmsg)
		kmsg_unlimited();
	say("starting northstard -c %s", config);
	int status = 0;
	bool ended = false;
	pid_t daemon = start_daemon(config, &old);
	if (daemon > 0) {
		while (!ended) {
			int r = wait_loop(&set, daemon, &status, 0, &ended);
			/* told to stop: the daemon gets its time, then SIGKILL */
			if (!ended && r > 0 &&
			    wait_loop(&set, daemon, &status, NSD_INIT_STOP_S, &ended) == -ETIMEDOUT)
				kill(daemon, SIGKILL);
		}
		say("northstard ended (%s %d)", WIFEXITED(status) ? "exit status" : "signal",
		    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	}
	bool reboot_ = init_config(config).reboot;
	end_all();
	sync();
	umount_api(mounted);
	sync();
	say("%s", reboot_ ? "rebooting" : "powering off");
	reboot(reboot_ ? RB_AUTOBOOT : RB_POWER_OFF);
	/* in a pid namespace reboot() ends us; elsewhere it does not return */
	for (;;)
		pause();
}
