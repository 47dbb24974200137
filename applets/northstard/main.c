/* northstard: the container runtime daemon.
 *
 * usage: northstard [-c FILE] [--check] [-d] [-v]...
 *
 *   -c, --config FILE   the configuration (default northstar.yaml; docs/config.md)
 *       --check         the preflight: every rule start-up applies, then exit
 *   -d, --disable-mount-namespace
 *                       stay in the host's mount namespace (stale mounts in run_dir
 *                       must then be cleaned by hand after a crash)
 *   -v, --verbose       more log output (twice: trace)
 *       --log TARGET    where the log goes: stderr, kmsg or syslog (config log.target)
 *
 * Start-up: configuration, directories, a private mount namespace (with a root of
 * its own when / is the initramfs' rootfs, or a chroot's directory that is no mount
 * point), a sealed copy of our binary for ns-init, the kernel modules of config
 * `modules`, repositories, mount_on_start, autostart, then the console. The loop runs
 * until SIGTERM, SIGINT, SIGHUP, a shutdown request or a failed critical container;
 * then the orderly shutdown. docs/runtime.md describes it all.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <malloc.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "applets/applet.h"
#include "libns/keyring.h"
#include "libns/path.h"
#include "libns/util.h"
#include "nsd.h"
#include "nsd_init.h"
#include "nsd_preflight.h"

#define NSD_MALLOC_THRESHOLD (64 * 1024)
/* At exit, how long the log sink may take to accept what is still queued (each of
 * two waits: after the containers are gone, and after the last record). A sink that
 * takes longer loses the rest: a stuck console must not keep the daemon from ending. */
#define NSD_LOG_DRAIN_MS 2000

static const char usage[] =
    "usage: northstard [-c FILE] [--check] [-d] [-v]...\n"
    "\n"
    "The Northstar container runtime: repositories, containers, the console.\n"
    "\n"
    "  -c, --config FILE   the configuration (default northstar.yaml)\n"
    "      --check         check the configuration and the system as start-up\n"
    "                      would (keys, directories, kernel, cgroups, console)\n"
    "                      and exit: 0 when nothing failed\n"
    "  -d, --disable-mount-namespace\n"
    "                      stay in the host's mount namespace\n"
    "  -v, --verbose       more log output (twice: trace)\n"
    "      --log TARGET    where the log goes: stderr, kmsg (/dev/kmsg) or syslog\n"
    "                      (/dev/log, or log.syslog_path); default: log.target,\n"
    "                      else stderr (kmsg when running as PID 1)\n";

struct opts {
	const char *config;
	bool check, no_mount_ns, has_log;
	enum ns_log_sink log;
	int verbose;
};

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"check", no_argument, NULL, 'C'},
	    {"disable-mount-namespace", no_argument, NULL, 'd'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"log", required_argument, NULL, 'L'},
	    {NULL, 0, NULL, 0},
	};
	int ch;
	*o = (struct opts){.config = "northstar.yaml"};
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:dv", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			o->config = optarg;
			break;
		case 'C':
			o->check = true;
			break;
		case 'd':
			o->no_mount_ns = true;
			break;
		case 'v':
			o->verbose++;
			break;
		case 'L':
			o->has_log = true;
			if (ns_log_target_parse(optarg, &o->log) < 0)
				return applet_usage_error(
				    "northstard", "--log: '%s': expected stderr, kmsg or syslog",
				    optarg);
			break;
		default:
			return applet_usage_error("northstard", "bad option");
		}
	}
	if (optind < argc)
		return applet_usage_error("northstard", "unexpected argument '%s'", argv[optind]);
	return 0;
}

/* In a chroot whose root is a directory and not a mount of its own, "/" cannot be made
 * private: the kernel changes the propagation of whole mounts only, and the mount that
 * holds the chroot is usually shared with the host, so a mount made below it would
 * appear on the host too. In our own mount namespace (a copy of the host's tree that
 * only we see) we climb out of the chroot, make the whole copy private and come back;
 * own_root then gives the chroot a root mount that pivot_root accepts. The climb: with
 * the root moved to run_dir, the working directory lies outside it, and ".." walks up
 * to the namespace's root. */
static int private_from_chroot(const char *run_dir, struct ns_err *err)
{
	ns_autoclose int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return ns_err_sys(err, errno, "open /");
	if (chdir("/") < 0 || chroot(run_dir) < 0)
		goto refuse;
	int r = -1, e = 0;
	for (int i = 0; i < 4096; i++) {
		struct stat here, up;
		if (stat(".", &here) < 0 || stat("..", &up) < 0) {
			e = errno;
			break;
		}
		if (here.st_dev == up.st_dev && here.st_ino == up.st_ino) {
			r = mount(NULL, ".", NULL, MS_REC | MS_PRIVATE, NULL);
			e = errno;
			break;
		}
		if (chdir("..") < 0) {
			e = errno;
			break;
		}
	}
	if (fchdir(root) < 0 || chroot(".") < 0 || chdir("/") < 0)
		return ns_err_sys(err, errno, "return into the chroot");
	if (r == 0)
		return 0;
	errno = e ? e : ELOOP;
refuse:
	return ns_err_sys(err, errno,
			  "/ is not a mount point (a chroot?) and the mount holding it cannot "
			  "be made private, so container mounts would reach the host; bind the "
			  "chroot's directory onto itself before entering it (mount --bind DIR "
			  "DIR), or run northstard outside the chroot");
}

/* All squashfs mounts live in a namespace of our own, which the kernel tears down
 * when we die (spec §2.1 step 3). *chroot: / was not a mount point. */
static int private_mount_ns(const char *run_dir, bool *chroot_, struct ns_err *err)
{
	if (unshare(CLONE_NEWNS) < 0)
		return ns_err_sys(err, errno, "unshare the mount namespace");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0)
		return 0;
	if (errno != EINVAL)
		return ns_err_sys(err, errno, "make / private");
	*chroot_ = true;
	return private_from_chroot(run_dir, err);
}

/* Mount points left by an earlier run (they are empty unless that run used -d). */
static void clean_run_dir(struct nsd *d)
{
	ns_autoclosedir DIR *dir = opendir(d->cfg.run_dir);
	struct dirent *e;
	while (dir && (e = readdir(dir))) {
		if (e->d_name[0] == '.' || e->d_type != DT_DIR)
			continue;
		if (unlinkat(dirfd(dir), e->d_name, AT_REMOVEDIR) < 0)
			ns_warn(&d->log, NSD_TAG, "stale mount point %s/%s: %s", d->cfg.run_dir,
				e->d_name, strerror(errno));
	}
}

/* Whether / is a mount of its own: some line of mountinfo has it as its mount point (in
 * a chroot the mount holding the root is not shown). rootfs: that mount is the
 * initramfs' rootfs. */
static bool root_mounted(bool *rootfs)
{
	ns_autofclose FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[1024];
	bool found = false;
	*rootfs = false;
	if (!f)
		return true; /* no /proc: no way to tell; start-up tries */
	while (fgets(line, sizeof(line), f)) {
		char mp[256], type[64];
		const char *sep = strstr(line, " - ");
		if (sep && sscanf(line, "%*s %*s %*s %*s %255s", mp) == 1 &&
		    sscanf(sep + 3, "%63s", type) == 1 && !strcmp(mp, "/")) {
			found = true;
			*rootfs = !strcmp(type, "rootfs");
		}
	}
	return found;
}

/* pivot_root refuses a root that is not a mount point, and the initramfs' rootfs (the
 * bottom mount has no parent). Then our private mount namespace gets a root that is a
 * mount of its own, a recursive bind of / moved onto / (as switch_root does), and
 * containers start. When / is rootfs (busybox as init, no switch_root), a container's
 * root then sits on rootfs' root directory, as it would on any system: ".." from there
 * stays in the container's root, so a chroot climb does not reach the initramfs' files
 * (docs/security.md, issue 15). PID-1 mode has left (and emptied) rootfs before
 * (init_root.c). chroot_: / was found not to be a mount point. */
static int own_root(struct nsd *d, bool private_ns, bool chroot_, struct ns_err *err)
{
	bool rootfs = false;
	if (!chroot_ && root_mounted(&rootfs) && !rootfs)
		return 0;
	const char *what = rootfs ? "the root is rootfs" : "the root is no mount point";
	if (!private_ns) {
		ns_warn(&d->log, NSD_TAG,
			"%s, which pivot_root refuses: without a mount namespace of our own "
			"(-d) containers will not start; %s",
			what,
			rootfs ? "drop -d"
			       : "drop -d, or bind the chroot's directory onto itself before "
				 "entering it (mount --bind DIR DIR)");
		return 0;
	}
	const char *dir = d->cfg.run_dir;
	if (mount("/", dir, NULL, MS_BIND | MS_REC, NULL) < 0)
		return ns_err_sys(err, errno, "bind / onto %s (%s)", dir, what);
	if (chdir(dir) < 0 || mount(".", "/", NULL, MS_MOVE, NULL) < 0 || chroot(".") < 0 ||
	    chdir("/") < 0)
		return ns_err_sys(err, errno, "switch to a bind of / (%s)", what);
	ns_info(&d->log, NSD_TAG, "%s: running from a bind mount of it",
		rootfs ? "Root is rootfs" : "Root is no mount point (a chroot)");
	return 0;
}

static int make_dirs(const struct nsd *d, struct ns_err *err)
{
	if (ns_mkdir_p(d->cfg.run_dir, 0755, err) < 0 ||
	    ns_mkdir_p(d->cfg.data_dir, 0700, err) < 0 ||
	    ns_mkdir_p(d->cfg.socket_dir, 0755, err) < 0)
		return ns_err_ret(err);
	return 0;
}

/* Our session keyring is the one of whoever started us, with their secrets: keep it
 * from every process we start (each application also joins its own, app_setup.h).
 * Before any thread exists: a thread keeps the keyring it was created with. */
static int own_keyring(struct nsd *d, struct ns_err *err)
{
	int r = ns_keyring_new_session(err);
	if (r == -ENOSYS) {
		ns_info(&d->log, NSD_TAG,
			"no keyrings (the kernel has none, or keyctl is refused to us): no "
			"session keyring to hide");
		return 0;
	}
	return r;
}

static int startup(struct nsd *d, const struct opts *o, struct ns_err *err)
{
	char warn[1200];
	if (own_keyring(d, err) < 0 || make_dirs(d, err) < 0)
		return ns_err_ret(err);
	bool chroot_ = false;
	if (!o->no_mount_ns && private_mount_ns(d->cfg.run_dir, &chroot_, err) < 0)
		return ns_err_ret(err);
	if (own_root(d, !o->no_mount_ns, chroot_, err) < 0)
		return ns_err_ret(err);
	clean_run_dir(d);
	if (ns_self_exe_open(&d->exe, warn, sizeof(warn), err) < 0)
		return ns_err_ret(err);
	if (warn[0])
		ns_warn(&d->log, NSD_TAG, "no sealed copy of the binary: %s", warn);
	d->devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (d->devnull < 0)
		return ns_err_sys(err, errno, "open /dev/null");
	if (ns_token_key_init(&d->token_key, err) < 0)
		return ns_err_ret(err);
	d->start_ms = nsd_now_ms();
	d->selinux = access("/sys/fs/selinux/enforce", F_OK) == 0;
	ns_blk_ctx_init(&d->blk);
	nsd_cgroups_init(d); /* before any container starts; failure is logged, not fatal */
	if (nsd_load_modules(d, err) < 0 || nsd_loop_init(d, err) < 0 ||
	    nsd_persist_init(d, err) < 0 || nsd_repos_open(d, err) < 0 ||
	    nsd_mount_on_start(d, err) < 0 || nsd_autostart(d, err) < 0 ||
	    nsd_console_listen(d, err) < 0)
		return ns_err_ret(err);
	return 0;
}

/* Where the log goes: --log, else log.target, else (started by PID-1 mode, init.c)
 * init.log, else stderr; as PID 1, or without a stderr, ns_log_init chose /dev/kmsg.
 * Any sink but stderr is announced on stderr first: the console then says where the
 * daemon's lines went. A sink that cannot be opened leaves the log on stderr, warned. */
static void log_target(struct nsd *d, const struct opts *o)
{
	const struct ns_log_config *lc = &d->cfg.log;
	enum ns_log_sink t = d->log.sink;
	const char *why = getpid() == 1 ? "running as PID 1" : "no stderr";
	bool loud = false;
	if (o->has_log) {
		t = o->log;
		why = "--log";
	} else if (lc->has_target) {
		t = lc->target;
		why = "log.target";
	} else if (getenv(NSD_INIT_ENV) && d->cfg.init.log_kmsg) {
		t = NS_LOG_KMSG;
		loud = true; /* at KERN_ERR, which a console with `quiet` still shows */
		why = "init.log";
	}
	if (t == NS_LOG_STDERR) {
		ns_log_close(&d->log); /* from kmsg, if ns_log_init chose it */
		return;
	}
	const char *where = t == NS_LOG_KMSG ? "/dev/kmsg" : lc->syslog_path;
	if (fcntl(STDERR_FILENO, F_GETFD) >= 0)
		dprintf(STDERR_FILENO,
			"northstard: logging to %s (%s); --log or log.target choose another\n",
			where, why);
	int r = 0;
	if (t == NS_LOG_KMSG && (d->log.sink != NS_LOG_KMSG || loud))
		r = ns_log_use_kmsg(&d->log, loud);
	else if (t == NS_LOG_SYSLOG)
		r = ns_log_use_syslog(&d->log, lc->syslog_path);
	if (r < 0) {
		ns_log_close(&d->log);
		ns_warn(&d->log, NSD_TAG, "log: cannot log to %s (%s): %s; logging to stderr",
			where, why, strerror(-r));
	}
}

static void shutdown_all(struct nsd *d)
{
	struct ns_console_notification n = {.kind = NS_NOTIF_SHUTDOWN};
	nsd_notify(d, &n);
	nsd_console_close_all(d);
	nsd_stop_all(d);
	nsd_cgroups_close(d);
	nsd_umount_all(d);
	while (d->outputs) /* debug commands' pipes; they keep running, as in Northstar */
		nsd_output_close(d, d->outputs);
	while (d->debugs) {
		struct nsd_debug *dbg = d->debugs;
		d->debugs = dbg->next;
		close(dbg->pidfd);
		free(dbg);
	}
	nsd_repos_close(d);
	ns_self_exe_close(&d->exe);
	nsd_sinks_close(d, NSD_LOG_DRAIN_MS);
}

static void close_fds(struct nsd *d)
{
	int *fds[] = {&d->epfd, &d->sigfd, &d->timerfd, &d->devnull};
	for (size_t i = 0; i < ARRAY_SIZE(fds); i++)
		if (*fds[i] >= 0)
			close(*fds[i]);
}

int northstard_main(int argc, char **argv)
{
	if (applet_std_options(argc, argv, "northstard", usage))
		return 0;
	struct opts o;
	int r = parse_opts(argc, argv, &o);
	if (r)
		return r;
	if (o.check) /* the preflight: every rule start-up applies, nothing started */
		return nsd_check(o.config, o.no_mount_ns);
	struct nsd *d = calloc(1, sizeof(*d));
	struct ns_err err = {0};
	if (!d)
		return 1;
	d->epfd = d->sigfd = d->timerfd = d->devnull = -1;
	d->exe.memfd = -1;
	d->listener.spare = -1;
	if (ns_config_load(o.config, &d->cfg, &err) < 0) {
		fprintf(stderr, "northstard: %s\n", err.msg);
		free(d);
		return 1;
	}
	if (ns_config_check(&d->cfg, &err) < 0) { /* --check applies it too (preflight.c) */
		fprintf(stderr, "northstard: %s: %s\n", o.config, err.msg);
		ns_config_free(&d->cfg);
		free(d);
		return 1;
	}
	ns_log_init(&d->log, "northstard",
		    o.verbose > 1 ? NS_LOG_TRACE
		    : o.verbose	  ? NS_LOG_DEBUG
				  : NS_LOG_INFO);
	d->config_path = o.config;
	log_target(d, &o);
	if (nsd_sinks_init(d, &err) < 0) {
		ns_error(&d->log, NSD_TAG, "%s", err.msg);
		ns_log_close(&d->log);
		ns_config_free(&d->cfg);
		free(d);
		return 1;
	}
#ifdef __GLIBC__
	/* Fixed thresholds: glibc otherwise raises both after the first large free, and
	 * then keeps up to twice that much freed heap mapped for good. musl has neither
	 * knob: its allocator gives freed groups of pages back by itself. */
	mallopt(M_MMAP_THRESHOLD, NSD_MALLOC_THRESHOLD);
	mallopt(M_TRIM_THRESHOLD, NSD_MALLOC_THRESHOLD);
#endif
	if (startup(d, &o, &err) < 0) {
		ns_error(&d->log, NSD_TAG, "%s", err.msg);
		d->exit_status = 1;
	} else {
#ifdef __GLIBC__
		/* start-up parsed every NPK: give the holes that left in the heap back */
		malloc_trim(0);
#endif
		ns_info(&d->log, NSD_TAG, "Runtime up and running");
		nsd_loop_run(d);
	}
	shutdown_all(d);
	close_fds(d);
	int status = d->exit_status;
	ns_info(&d->log, NSD_TAG, "Shutdown complete");
	ns_log_drain(&d->log, NSD_LOG_DRAIN_MS);
	ns_log_close(&d->log);
	ns_config_free(&d->cfg);
	free(d);
	return status;
}
