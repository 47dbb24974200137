/* cgtool: drives libns/cgroup.[ch] as northstard would, for tests/cgroup_cases.sh.
 *
 * usage: cgtool probe
 *          Prints the layout: "mode: v1|hybrid|v2", one "CTRL: v1|v2 DIR" line per
 *          controller found, "v2: MOUNT" when a v2 hierarchy is mounted.
 *        cgtool run [OPTIONS] RUNTIME NAME MANIFEST -- CMD [ARG...]
 *          Sets up the runtime cgroup RUNTIME (removing stale ones), creates NAME's
 *          cgroup with the cgroups of MANIFEST (a manifest file parsed by libns; "-" for
 *          none), runs CMD in it and waits, watching the OOM fd. The environment of CMD
 *          holds CG_MEMORY, CG_CPU, CG_CPUACCT, CG_CPUSET, CG_BLKIO, CG_PIDS (its
 *          directories) and CG_RUNTIME_<CTRL>. Prints "note: ..." lines, "attach: clone3|procs",
 *          "oom: low=.. high=.. max=.. oom=.. oom_kill=.." per OOM event, "exit: code N"
 *          or "exit: signal N", "cpu_usage_ns: N", and removes everything.
 *          --attach clone3|procs  clone3(CLONE_INTO_CGROUP) (the default where the
 *                                 cgroup is v2-only) or a write to cgroup.procs
 *          --kill-after MS        SIGKILL CMD after MS milliseconds
 *          --stats                print "stats: JSON" before removing the cgroup
 *          --keep-runtime         leave the runtime cgroup in place
 *          --open NAME=MANIFEST   first open another container cgroup (repeatable),
 *                                 kept until the end; a failure is printed as
 *                                 "open NAME: ERROR" and stops here
 *        cgtool cleanup RUNTIME
 *          Sets the runtime cgroup up (printing the stale cgroups removed) and removes it.
 *        cgtool bench N RUNTIME MANIFEST
 *          Times N starts of /bin/true as northstard would do them: "nocg" without a
 *          cgroup (fork, go, exec, wait), "cg" with one (create with MANIFEST's limits,
 *          fork, attach or clone3, exec, wait, destroy), "cgonly" create + destroy.
 *          One line each: "NAME runs=N mean_us=.. p50_us=..".
 * Exits 0 when every cgroup step worked (whatever CMD did), 1 on an error (on stderr),
 * 2 on bad usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libns/cgroup.h"
#include "libns/io.h"
#include "libns/manifest.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

#define OPEN_MAX 8

struct opts {
	const char *open[OPEN_MAX];
	int nopen;
	const char *attach; /* NULL: automatic */
	long kill_after_ms;
	int stats, keep_runtime;
};

static void print_notes(struct ns_cgroup_notes *n)
{
	for (size_t i = 0; i < n->n; i++)
		printf("note: %s\n", n->line[i]);
	if (n->dropped)
		printf("note: (%zu more)\n", n->dropped);
	n->n = n->dropped = 0;
}

static int fail(const char *what, const struct ns_err *err)
{
	fprintf(stderr, "cgtool: %s: %s\n", what, err->msg);
	return 1;
}

static int probe(void)
{
	struct ns_cgroup_layout l;
	struct ns_err err = {0};
	if (ns_cgroup_probe(&l, &err) < 0)
		return fail("probe", &err);
	printf("mode: %s\n", ns_cgroup_mode_name(l.mode));
	for (int c = 0; c < NS_CGROUP_NCTRL; c++)
		if (l.ctrl[c] >= 0)
			printf("%s: %s %s\n", ns_cgroup_ctrl_name(c),
			       l.hier[l.ctrl[c]].v2 ? "v2" : "v1", l.hier[l.ctrl[c]].mount);
	if (l.v2_mount[0])
		printf("v2: %s\n", l.v2_mount);
	return 0;
}

static void export_dirs(const struct ns_cgroup_runtime *rt, const struct ns_cgroup *cg)
{
	static const char *const env[NS_CGROUP_NCTRL] = {"MEMORY", "CPU",   "CPUACCT",
							 "CPUSET", "BLKIO", "PIDS"};
	for (int c = 0; c < NS_CGROUP_NCTRL; c++) {
		char key[64];
		const char *p = ns_cgroup_path(cg, c), *r = ns_cgroup_runtime_path(rt, c);
		snprintf(key, sizeof(key), "CG_%s", env[c]);
		setenv(key, p ? p : "", 1);
		snprintf(key, sizeof(key), "CG_RUNTIME_%s", env[c]);
		setenv(key, r ? r : "", 1);
	}
}

/* clone3 straight into the cgroup: the child never runs outside it. */
static pid_t spawn_clone3(int cgfd, char *const *argv)
{
	struct clone_args a;
	memset(&a, 0, sizeof(a));
	a.flags = CLONE_INTO_CGROUP;
	a.exit_signal = SIGCHLD;
	a.cgroup = (uint64_t)cgfd;
	long pid = syscall(SYS_clone3, &a, sizeof(a));
	if (pid == 0) {
		execvp(argv[0], argv);
		_exit(127);
	}
	return (pid_t)pid;
}

/* fork, attach by pid, then let the child go (as ns-init waits for the daemon). */
static pid_t spawn_attach(struct ns_cgroup *cg, char *const *argv, struct ns_err *err)
{
	int go[2];
	char c = 0;
	if (pipe2(go, O_CLOEXEC) < 0)
		return ns_err_sys(err, errno, "pipe");
	pid_t pid = fork();
	if (pid == 0) {
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(126); /* the parent failed to attach */
		execvp(argv[0], argv);
		_exit(127);
	}
	close(go[0]);
	if (pid < 0) {
		close(go[1]);
		return ns_err_sys(err, errno, "fork");
	}
	if (ns_cgroup_attach(cg, pid, err) < 0) {
		close(go[1]);
		waitpid(pid, NULL, 0);
		return ns_err_ret(err);
	}
	if (write(go[1], &c, 1) != 1)
		perror("cgtool: go");
	close(go[1]);
	return pid;
}

static void print_oom(struct ns_cgroup *cg)
{
	struct ns_cgroup_memory_events ev;
	struct ns_err err = {0};
	int r = ns_cgroup_oom_read(cg, &ev, &err);
	if (r < 0)
		fprintf(stderr, "cgtool: oom read: %s\n", err.msg);
	if (r <= 0)
		return;
#define F(n) (ev.has_##n ? (long long)ev.n : -1LL)
	printf("oom: low=%lld high=%lld max=%lld oom=%lld oom_kill=%lld\n", F(low), F(high), F(max),
	       F(oom), F(oom_kill));
#undef F
}

static int add_fd(int ep, int fd)
{
	struct epoll_event e = {.events = EPOLLIN, .data.fd = fd};
	return fd < 0 ? 0 : epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
}

/* The daemon's loop in small: the child's pidfd, the OOM fd and a kill timer. */
static int wait_child(struct ns_cgroup *cg, pid_t pid, const struct opts *o)
{
	int ep = epoll_create1(EPOLL_CLOEXEC), pfd = (int)syscall(SYS_pidfd_open, pid, 0), status;
	int tfd = -1;
	if (ep < 0 || pfd < 0 || add_fd(ep, pfd) < 0 || add_fd(ep, ns_cgroup_oom_fd(cg)) < 0) {
		perror("cgtool: epoll");
		return -1;
	}
	if (o->kill_after_ms > 0) {
		struct itimerspec its = {
		    .it_value = {.tv_sec = o->kill_after_ms / 1000,
				 .tv_nsec = (o->kill_after_ms % 1000) * 1000000}};
		tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
		if (tfd < 0 || timerfd_settime(tfd, 0, &its, NULL) < 0 || add_fd(ep, tfd) < 0)
			perror("cgtool: timer");
	}
	for (int done = 0; !done;) {
		struct epoll_event ev[4];
		int n = epoll_wait(ep, ev, 4, -1);
		for (int i = 0; i < n; i++) {
			if (ev[i].data.fd == pfd) {
				done = 1;
			} else if (ev[i].data.fd == tfd) {
				kill(pid, SIGKILL);
				close(tfd);
				tfd = -1;
			} else {
				print_oom(cg);
			}
		}
	}
	waitpid(pid, &status, 0);
	if (ns_cgroup_oom_fd(cg) >= 0)
		print_oom(cg); /* whatever arrived with the exit */
	if (WIFEXITED(status))
		printf("exit: code %d\n", WEXITSTATUS(status));
	else
		printf("exit: signal %d\n", WTERMSIG(status));
	close(ep);
	close(pfd);
	if (tfd >= 0)
		close(tfd);
	return 0;
}

static int load_manifest(const char *path, struct ns_manifest *m, struct ns_err *err)
{
	char *text = NULL;
	size_t len = 0;
	if (!strcmp(path, "-"))
		return 0;
	if (ns_read_file_at(AT_FDCWD, path, 1 << 20, &text, &len, err) < 0)
		return ns_err_ret(err);
	int r = ns_manifest_parse(path, text, len, m, err);
	free(text);
	return r;
}

static int run_in(struct ns_cgroup_runtime *rt, const struct opts *o, const char *name,
		  const struct ns_manifest *m, char **argv)
{
	struct ns_cgroup_notes notes = {0};
	struct ns_err err = {0};
	struct ns_cgroup *cg;
	uint64_t usage;
	pid_t pid;
	int r = ns_cgroup_create(rt, name, m->name ? &m->cgroups : NULL, &notes, &cg, &err);
	print_notes(&notes);
	if (r < 0)
		return fail("create", &err);
	export_dirs(rt, cg);
	int cgfd = ns_cgroup_clone_fd(cg);
	bool clone3 = o->attach ? !strcmp(o->attach, "clone3") : cgfd >= 0;
	fflush(stdout);
	if (clone3 && (pid = spawn_clone3(cgfd, argv)) < 0) {
		fprintf(stderr, "cgtool: clone3 into the cgroup: %s\n", strerror(errno));
		ns_cgroup_destroy(cg, 0, &err);
		return 1;
	}
	if (!clone3 && (pid = spawn_attach(cg, argv, &err)) < 0) {
		ns_cgroup_destroy(cg, 0, &err);
		return fail("attach", &err);
	}
	printf("attach: %s\n", clone3 ? "clone3" : "procs");
	fflush(stdout);
	r = wait_child(cg, pid, o) < 0;
	if (ns_cgroup_cpu_usage(cg, &usage, &err) == 0)
		printf("cpu_usage_ns: %llu\n", (unsigned long long)usage);
	if (o->stats) {
		cJSON *s = ns_cgroup_stats(cg);
		char *text = s ? cJSON_PrintUnformatted(s) : NULL;
		printf("stats: %s\n", text ? text : "(out of memory)");
		free(text);
		cJSON_Delete(s);
	}
	if (ns_cgroup_destroy(cg, 0, &err) < 0)
		return fail("destroy", &err);
	return r;
}

/* The --open cgroups: left open; ns_cgroup_runtime_destroy removes them. */
static int open_others(struct ns_cgroup_runtime *rt, const struct opts *o)
{
	for (int k = 0; k < o->nopen; k++) {
		char name[256];
		const char *eq = strchr(o->open[k], '=');
		struct ns_manifest m = {0};
		struct ns_cgroup_notes notes = {0};
		struct ns_cgroup *cg;
		struct ns_err err = {0};
		snprintf(name, sizeof(name), "%.*s", eq ? (int)(eq - o->open[k]) : 255, o->open[k]);
		if (load_manifest(eq ? eq + 1 : "-", &m, &err) < 0)
			return fail("manifest", &err);
		int r = ns_cgroup_create(rt, name, m.name ? &m.cgroups : NULL, &notes, &cg, &err);
		ns_manifest_free(&m);
		print_notes(&notes);
		if (r < 0) {
			printf("open %s: %s\n", name, err.msg);
			return 1;
		}
		printf("open: %s\n", name);
	}
	return 0;
}

static int run(int argc, char **argv)
{
	struct opts o = {0};
	int i = 2;
	for (; i < argc && !strncmp(argv[i], "--", 2) && argv[i][2]; i++) {
		if (!strcmp(argv[i], "--attach") && i + 1 < argc)
			o.attach = argv[++i];
		else if (!strcmp(argv[i], "--kill-after") && i + 1 < argc)
			o.kill_after_ms = strtol(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--stats"))
			o.stats = 1;
		else if (!strcmp(argv[i], "--keep-runtime"))
			o.keep_runtime = 1;
		else if (!strcmp(argv[i], "--open") && i + 1 < argc && o.nopen < OPEN_MAX)
			o.open[o.nopen++] = argv[++i];
		else
			return fprintf(stderr, "cgtool: unknown option %s\n", argv[i]), 2;
	}
	if (argc - i < 5 || strcmp(argv[i + 3], "--"))
		return fprintf(stderr,
			       "cgtool: usage: run [OPTIONS] RUNTIME NAME MANIFEST -- CMD\n"),
		       2;
	struct ns_cgroup_layout l;
	struct ns_cgroup_notes notes = {0};
	struct ns_cgroup_runtime *rt;
	struct ns_manifest m = {0};
	struct ns_err err = {0};
	if (load_manifest(argv[i + 2], &m, &err) < 0)
		return fail("manifest", &err);
	if (ns_cgroup_probe(&l, &err) < 0 ||
	    ns_cgroup_runtime_init(&l, argv[i], &notes, &rt, &err) < 0) {
		print_notes(&notes);
		ns_manifest_free(&m);
		return fail("runtime", &err);
	}
	print_notes(&notes);
	int r = open_others(rt, &o);
	if (r == 0)
		r = run_in(rt, &o, argv[i + 1], &m, argv + i + 4);
	ns_manifest_free(&m);
	if (o.keep_runtime)
		return r;
	if (ns_cgroup_runtime_destroy(rt, &err) < 0)
		return fail("runtime destroy", &err);
	return r;
}

static uint64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void report(const char *name, uint64_t *t, int n)
{
	uint64_t sum = 0;
	for (int i = 0; i < n; i++)
		sum += t[i];
	qsort(t, (size_t)n, sizeof(*t), cmp_u64);
	printf("%s runs=%d mean_us=%llu p50_us=%llu\n", name, n,
	       (unsigned long long)(sum / (uint64_t)n), (unsigned long long)t[n / 2]);
}

/* One start: mode 0 no cgroup, 1 with a cgroup, 2 the cgroup alone. */
static int bench_once(struct ns_cgroup_runtime *rt, const struct ns_manifest *m, int mode,
		      struct ns_err *err)
{
	static char *const argv[] = {"/bin/true", NULL};
	struct ns_cgroup *cg = NULL;
	pid_t pid;
	int status;
	if (mode && ns_cgroup_create(rt, "bench", &m->cgroups, NULL, &cg, err) < 0)
		return -1;
	if (mode == 1 && ns_cgroup_clone_fd(cg) >= 0)
		pid = spawn_clone3(ns_cgroup_clone_fd(cg), argv);
	else if (mode == 1)
		pid = spawn_attach(cg, argv, err);
	else if (mode == 0) {
		if ((pid = fork()) == 0) {
			execv(argv[0], argv);
			_exit(127);
		}
	} else
		pid = 0;
	if (pid < 0 || (pid > 0 && (waitpid(pid, &status, 0) < 0 || status != 0))) {
		ns_err_set(err, EIO, "start of /bin/true failed");
		ns_cgroup_destroy(cg, 0, err);
		return -1;
	}
	return mode ? ns_cgroup_destroy(cg, 0, err) : 0;
}

static int bench(int n, const char *name, const char *manifest)
{
	static const char *const names[] = {"nocg", "cg", "cgonly"};
	struct ns_cgroup_layout l;
	struct ns_cgroup_runtime *rt;
	struct ns_manifest m = {0};
	struct ns_err err = {0};
	uint64_t *t = calloc(3 * (size_t)n, sizeof(*t));
	if (!t || n <= 0 || load_manifest(manifest, &m, &err) < 0 || !m.name)
		return fail("bench", &err);
	if (ns_cgroup_probe(&l, &err) < 0 || ns_cgroup_runtime_init(&l, name, NULL, &rt, &err) < 0)
		return fail("runtime", &err);
	/* Interleaved, so a change of load on the machine hits every mode alike. */
	for (int i = 0; i < n; i++)
		for (int mode = 0; mode < 3; mode++) {
			uint64_t t0 = now_us();
			if (bench_once(rt, &m, mode, &err) < 0)
				return fail(names[mode], &err);
			t[mode * n + i] = now_us() - t0;
		}
	for (int mode = 0; mode < 3; mode++)
		report(names[mode], t + mode * n, n);
	free(t);
	ns_manifest_free(&m);
	return ns_cgroup_runtime_destroy(rt, &err) < 0 ? fail("runtime destroy", &err) : 0;
}

static int cleanup(const char *name)
{
	struct ns_cgroup_layout l;
	struct ns_cgroup_notes notes = {0};
	struct ns_cgroup_runtime *rt;
	struct ns_err err = {0};
	if (ns_cgroup_probe(&l, &err) < 0 ||
	    ns_cgroup_runtime_init(&l, name, &notes, &rt, &err) < 0) {
		print_notes(&notes);
		return fail("runtime", &err);
	}
	print_notes(&notes);
	if (ns_cgroup_runtime_destroy(rt, &err) < 0)
		return fail("runtime destroy", &err);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 2 && !strcmp(argv[1], "probe"))
		return probe();
	if (argc >= 2 && !strcmp(argv[1], "run"))
		return run(argc, argv);
	if (argc == 3 && !strcmp(argv[1], "cleanup"))
		return cleanup(argv[2]);
	if (argc == 5 && !strcmp(argv[1], "bench"))
		return bench(atoi(argv[2]), argv[3], argv[4]);
	fprintf(stderr, "usage: cgtool probe | run [OPTIONS] RUNTIME NAME MANIFEST -- CMD [ARG...] "
			"| cleanup RUNTIME | bench N RUNTIME MANIFEST\n");
	return 2;
}
