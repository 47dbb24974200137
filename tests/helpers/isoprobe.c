/* isoprobe: runs the application setup of libns/app_setup.c in a real child and
 * reports what the kernel then shows. Used by tests/integration/isolation.sh.
 *
 * usage: isoprobe [SETUP...] -- PROGRAM [ARGS...]
 *          Builds a plan from SETUP (a hand-filled manifest), starts a thread that
 *          keeps malloc busy (as the daemon's workers would), clones a child with the
 *          raw clone system call, applies the plan there and execs PROGRAM. Prints
 *          "exit N" or "signal N" for the child; exits 0, or 2 on a bad option or a
 *          failed prepare (its error on stderr).
 *        isoprobe report
 *          Prints ids, groups, the five capability sets, NoNewPrivs, Seccomp, signal
 *          masks, every rlimit, the scheduling policy and the open descriptors.
 *        isoprobe try WHAT [ARG]
 *          Does one thing and prints its result: syscall NR [ARG0] | clone3 |
 *          clone-ns | unshare | pthread | fork | spawn | int80 | x32 | personality V |
 *          thread-unshare | socket FAMILY | pdeathsig | maxknown | noop |
 *          unshare-user (CLONE_NEWUSER) | io_uring (io_uring_setup with no entries) |
 *          keyctl (the session keyring's id).
 * SETUP: --uid N --gid N --group NAME --group-file PATH --cap CAP_NAME
 *        --rlimit NAME=[SOFT]:[HARD] --sched other:N|batch:N|fifo:N|rr:N|idle|deadline
 *        --seccomp-default --seccomp-empty --unfiltered --allow NAME[:INDEX:[V,V...]:[MASK]]
 * --eperm
 *        --keep PATH --leak N --no-fds --pdeathsig N --dirty-signals
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libns/app_setup.h"
#include "libns/libc_compat.h"
#include "libns/seccomp.h"

extern char **environ;

#define MAX_ITEMS 64

struct setup {
	struct ns_manifest m;
	const char *groups[MAX_ITEMS];
	struct ns_rlimit rlimits[NS_RLIMIT_COUNT];
	struct ns_seccomp_rule rules[MAX_ITEMS];
	uint64_t values[MAX_ITEMS][NS_SECCOMP_ARG_VALUES_MAX];
	struct ns_app_opts opts;
	int keep[MAX_ITEMS];
	size_t nkeep;
	int leak;
	int no_fds;
	int dirty_signals;
};

static _Noreturn void usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "isoprobe: %s '%s'\n", what, arg ? arg : "");
	exit(2);
}

static uint64_t parse_u64(const char *s)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || end == s || *end)
		usage_error("bad number", s);
	return v;
}

static void parse_rlimit(struct setup *s, char *arg)
{
	char *eq = strchr(arg, '='), *colon = eq ? strchr(eq, ':') : NULL;
	if (!eq || !colon || s->m.nrlimits >= NS_RLIMIT_COUNT)
		usage_error("bad --rlimit", arg);
	*eq = *colon = '\0';
	struct ns_rlimit *r = &s->rlimits[s->m.nrlimits];
	unsigned i;
	for (i = 0; i < NS_RLIMIT_COUNT; i++)
		if (strcmp(ns_rlimit_name(i), arg) == 0)
			break;
	if (i == NS_RLIMIT_COUNT)
		usage_error("unknown rlimit", arg);
	r->res = i;
	if ((r->has_soft = eq[1] != '\0'))
		r->soft = parse_u64(eq + 1);
	if ((r->has_hard = colon[1] != '\0'))
		r->hard = parse_u64(colon + 1);
	s->m.nrlimits++;
}

static void parse_sched(struct setup *s, const char *arg)
{
	static const struct {
		const char *name;
		enum ns_sched_policy p;
	} names[] = {{"other", NS_SCHED_OTHER}, {"batch", NS_SCHED_BATCH},
		     {"fifo", NS_SCHED_FIFO},	{"rr", NS_SCHED_RR},
		     {"idle", NS_SCHED_IDLE},	{"deadline", NS_SCHED_DEADLINE}};
	const char *colon = strchr(arg, ':');
	size_t len = colon ? (size_t)(colon - arg) : strlen(arg);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strlen(names[i].name) != len || strncmp(names[i].name, arg, len) != 0)
			continue;
		s->m.sched.policy = names[i].p;
		if (colon) {
			long long v = strtoll(colon + 1, NULL, 0);
			s->m.sched.nice = (int)v;
			s->m.sched.priority = (uint32_t)v;
		}
		return;
	}
	usage_error("bad --sched", arg);
}

/* NAME, or NAME:INDEX:V1,V2:MASK with either part empty. */
static void parse_allow(struct setup *s, char *arg)
{
	if (s->m.seccomp.nallow >= MAX_ITEMS)
		usage_error("too many --allow", arg);
	size_t k = s->m.seccomp.nallow++;
	struct ns_seccomp_rule *r = &s->rules[k];
	s->m.seccomp.present = true;
	s->m.seccomp.allow = s->rules;
	char *idx = strchr(arg, ':');
	r->syscall = arg;
	if (!idx) {
		r->any = true;
		return;
	}
	*idx++ = '\0';
	char *vals = strchr(idx, ':'), *mask = vals ? strchr(vals + 1, ':') : NULL;
	if (!vals || !mask)
		usage_error("bad --allow", arg);
	*vals++ = '\0';
	*mask++ = '\0';
	r->index = (unsigned)parse_u64(idx);
	r->values = s->values[k];
	for (char *v = strtok(vals, ","); v; v = strtok(NULL, ",")) {
		if (r->nvalues < NS_SECCOMP_ARG_VALUES_MAX)
			r->values[r->nvalues] = parse_u64(v);
		r->nvalues++; /* too many reach the validator, which must refuse them */
	}
	if (*mask) {
		r->has_mask = true;
		r->mask = parse_u64(mask);
	}
}

static void add_cap(struct setup *s, const char *name)
{
	unsigned cap;
	if (ns_cap_parse(name, &cap) < 0)
		usage_error("unknown capability", name);
	s->m.capabilities |= 1ull << cap;
}

static int parse_setup(struct setup *s, int argc, char **argv)
{
	int i;
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		const char *o = argv[i];
		char *a = i + 1 < argc ? argv[i + 1] : NULL;
		int takes = 1;
		if (!strcmp(o, "--seccomp-default"))
			s->m.seccomp.present = s->m.seccomp.profile_default = true, takes = 0;
		else if (!strcmp(o, "--seccomp-empty"))
			s->m.seccomp.present = true, takes = 0;
		else if (!strcmp(o,
				 "--unfiltered")) /* a repository's missing_seccomp: unfiltered */
			s->opts.seccomp_unfiltered = true, takes = 0;
		else if (!strcmp(o, "--eperm"))
			s->opts.violation = NS_SECCOMP_EPERM, takes = 0;
		else if (!strcmp(o, "--no-fds"))
			s->no_fds = 1, takes = 0;
		else if (!strcmp(o, "--dirty-signals"))
			s->dirty_signals = 1, takes = 0;
		else if (!a)
			usage_error("missing value for", o);
		else if (!strcmp(o, "--uid"))
			s->m.uid = (uint16_t)parse_u64(a);
		else if (!strcmp(o, "--gid"))
			s->m.gid = (uint16_t)parse_u64(a);
		else if (!strcmp(o, "--group") && s->m.nsuppl_groups < MAX_ITEMS)
			s->groups[s->m.nsuppl_groups++] = a;
		else if (!strcmp(o, "--group-file"))
			s->opts.group_file = a;
		else if (!strcmp(o, "--cap"))
			add_cap(s, a);
		else if (!strcmp(o, "--rlimit"))
			parse_rlimit(s, a);
		else if (!strcmp(o, "--sched"))
			parse_sched(s, a);
		else if (!strcmp(o, "--allow"))
			parse_allow(s, a);
		else if (!strcmp(o, "--pdeathsig"))
			s->opts.pdeathsig = (int)parse_u64(a);
		else if (!strcmp(o, "--leak"))
			s->leak = (int)parse_u64(a);
		else if (!strcmp(o, "--keep") && s->nkeep < MAX_ITEMS) {
			s->keep[s->nkeep] = open(a, O_RDONLY | O_CLOEXEC);
			if (s->keep[s->nkeep++] < 0)
				usage_error("cannot open", a);
		} else
			usage_error("unknown option", o);
		i += takes;
	}
	if (i >= argc - 1)
		usage_error("no program after", "--");
	return i + 1;
}

/* Stands for the daemon's worker threads: busy in malloc while the child is cloned. */
static atomic_int stop_worker;
static void *worker(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop_worker))
		free(malloc(64 + (size_t)(rand() & 4095)));
	return NULL;
}

static void leak_fds(int n)
{
	for (int i = 0; i < n; i++)
		if (open("/dev/zero", O_RDONLY) < 0) /* deliberately without O_CLOEXEC */
			exit(2);
}

/* What a daemon might leave behind: ignored and blocked signals, a handler. */
static void on_signal(int sig)
{
	(void)sig;
}
static void dirty_signals(void)
{
	sigset_t set;
	/* glibc's first reserved real-time signal, ignored the raw way: its sigaction
	 * refuses it, so a reset through glibc would miss it */
	static const unsigned long ign[8] = {(unsigned long)SIG_IGN};
	if (syscall(SYS_rt_sigaction, 32, ign, NULL, (size_t)(NSIG / 8)) < 0)
		exit(2);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGTERM, on_signal);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
}

static _Noreturn void child(const struct ns_app_plan *plan, char **argv)
{
	struct ns_err err = {0};
	if (ns_app_apply(plan, &err) < 0) {
		(void)!write(2, "isoprobe: setup: ", 17);
		(void)!write(2, err.msg, strlen(err.msg));
		(void)!write(2, "\n", 1);
		_exit(125);
	}
	execve(argv[0], argv, environ);
	_exit(127);
}

static int run(int argc, char **argv)
{
	static struct setup s;
	struct ns_app_plan plan;
	struct ns_err err = {0};
	s.m.name = "isoprobe";
	s.m.suppl_groups = s.groups;
	s.m.rlimits = s.rlimits;
	int first = parse_setup(&s, argc, argv);
	if (ns_app_prepare(&s.m, &s.opts, &plan, &err) < 0) {
		fprintf(stderr, "isoprobe: %s\n", err.msg);
		return 2;
	}
	for (size_t i = 0; i < plan.creds.nskipped; i++)
		fprintf(stderr, "isoprobe: skipped group '%s'\n", plan.creds.skipped[i]);
	for (size_t i = 0; i < plan.seccomp.nskipped; i++)
		fprintf(stderr, "isoprobe: skipped syscall '%s'\n", plan.seccomp.skipped[i]);
	int stdio[3] = {-1, 1, 2};
	if (!s.no_fds && ns_app_set_fds(&plan, stdio, s.keep, s.nkeep, &err) < 0) {
		fprintf(stderr, "isoprobe: %s\n", err.msg);
		return 2;
	}
	leak_fds(s.leak);
	if (s.dirty_signals)
		dirty_signals();
	fflush(NULL);
	pthread_t t;
	if (pthread_create(&t, NULL, worker, NULL) != 0)
		return 2;
	pid_t pid = (pid_t)syscall(SYS_clone, (unsigned long)SIGCHLD, 0UL, NULL, NULL, 0UL);
	if (pid == 0)
		child(&plan, argv + first);
	int status = 0;
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	atomic_store(&stop_worker, 1);
	pthread_join(t, NULL);
	ns_app_plan_free(&plan);
	if (pid < 0) {
		perror("isoprobe: clone");
		return 2;
	}
	if (WIFSIGNALED(status))
		printf("signal %d\n", WTERMSIG(status));
	else
		printf("exit %d\n", WEXITSTATUS(status));
	return 0;
}

static void print_status_fields(void)
{
	static const char *const keys[] = {
	    "Uid:",    "Gid:",	  "Groups:",	 "CapInh:",  "CapPrm:",		 "CapEff:",
	    "CapBnd:", "CapAmb:", "NoNewPrivs:", "Seccomp:", "Seccomp_filters:", "SigBlk:",
	    "SigIgn:"};
	char line[512];
	FILE *f = fopen("/proc/self/status", "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (strncmp(line, keys[i], strlen(keys[i])) == 0)
				fputs(line, stdout);
	fclose(f);
}

static void print_limit(rlim_t v)
{
	if (v == RLIM_INFINITY)
		printf(" unlimited");
	else
		printf(" %llu", (unsigned long long)v);
}

static void print_fds(void)
{
	char path[64], target[512];
	/* without opendir: fds 3.. are checked one by one, up to a generous bound */
	for (int fd = 0; fd < 1024; fd++) {
		if (fcntl(fd, F_GETFD) < 0)
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		ssize_t n = readlink(path, target, sizeof(target) - 1);
		target[n > 0 ? n : 0] = '\0';
		int cloexec = fcntl(fd, F_GETFD) & FD_CLOEXEC;
		printf("fd %d %s%s\n", fd, target, cloexec ? " cloexec" : "");
	}
}

static int report(void)
{
	print_status_fields();
	for (unsigned i = 0; i < NS_RLIMIT_COUNT; i++) {
		struct rlimit rl;
		if (getrlimit(ns_rlimit_resource(i), &rl) < 0)
			continue;
		printf("rlimit %s", ns_rlimit_name(i));
		print_limit(rl.rlim_cur);
		print_limit(rl.rlim_max);
		printf("\n");
	}
	int prio = 0, policy = ns_sched_getscheduler(&prio);
	errno = 0;
	int nice = getpriority(PRIO_PROCESS, 0);
	printf("sched policy %d priority %d nice %d\n", policy, prio, nice);
	print_fds();
	return 0;
}

static void print_result(const char *what, long r)
{
	if (r < 0)
		printf("%s: errno %d (%s)\n", what, errno, strerror(errno));
	else
		printf("%s: ok %ld\n", what, r);
}

static void *thread_main(void *arg)
{
	return arg;
}

static void *thread_unshare(void *arg)
{
	(void)arg;
	(void)unshare(CLONE_NEWUTS);
	return NULL;
}

static int try_spawn(void)
{
	char *args[] = {"isoprobe", "try", "noop", NULL};
	pid_t pid;
	int status, r = posix_spawn(&pid, "/proc/self/exe", NULL, NULL, args, environ);
	if (r != 0) {
		errno = r;
		return -1;
	}
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int try_fork(void)
{
	int status;
	pid_t pid = fork();
	if (pid == 0)
		_exit(7);
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static long i386_getpid(void)
{
#if defined(__x86_64__)
	long ret = 20; /* __NR_getpid in the i386 table */
	__asm__ volatile("int $0x80" : "+a"(ret) : : "memory");
	return ret;
#else
	errno = ENOSYS;
	return -1;
#endif
}

static long try_clone3(void)
{
	struct clone_args ca = {.exit_signal = SIGCHLD};
	long r = syscall(SYS_clone3, &ca, sizeof(ca));
	if (r == 0)
		_exit(0);
	if (r > 0)
		waitpid((pid_t)r, NULL, 0);
	return r;
}

static long try_clone_ns(void)
{
	long r = syscall(SYS_clone, (unsigned long)(CLONE_NEWUTS | SIGCHLD), 0UL, NULL, NULL, 0UL);
	if (r == 0)
		_exit(0);
	if (r > 0)
		waitpid((pid_t)r, NULL, 0);
	return r;
}

#ifndef SYS_io_uring_setup
#define SYS_io_uring_setup 425 /* the same on every architecture since Linux 5.1 */
#endif
#ifndef SYS_keyctl
#error "no keyctl system call number"
#endif

/* keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, create = 0) */
static long try_keyctl(void)
{
	return syscall(SYS_keyctl, 0L, -3L, 0L);
}

static int try(int argc, char **argv)
{
	const char *what = argc > 2 ? argv[2] : "";
	uint64_t arg = argc > 3 ? parse_u64(argv[3]) : 0;
	uint64_t arg2 = argc > 4 ? parse_u64(argv[4]) : 0;
	pthread_t t;
	if (!strcmp(what, "syscall"))
		print_result(what, syscall((long)arg, arg2, 0L, 0L, 0L, 0L, 0L));
	else if (!strcmp(what, "clone3"))
		print_result(what, try_clone3());
	else if (!strcmp(what, "clone-ns"))
		print_result(what, try_clone_ns());
	else if (!strcmp(what, "unshare"))
		print_result(what, unshare(CLONE_NEWUTS));
	else if (!strcmp(what, "unshare-user"))
		print_result(what, unshare(CLONE_NEWUSER));
	else if (!strcmp(what, "io_uring"))
		print_result(what, syscall(SYS_io_uring_setup, 0L, NULL));
	else if (!strcmp(what, "keyctl"))
		print_result(what, try_keyctl());
	else if (!strcmp(what, "pthread")) {
		int r = pthread_create(&t, NULL, thread_main, NULL);
		errno = r;
		print_result(what, r == 0 ? pthread_join(t, NULL) : -1);
	} else if (!strcmp(what, "thread-unshare")) {
		/* a violation in a second thread must take the whole process down */
		int r = pthread_create(&t, NULL, thread_unshare, NULL);
		errno = r;
		print_result("main thread survived", r == 0 ? pthread_join(t, NULL) : -1);
	} else if (!strcmp(what, "fork"))
		print_result(what, try_fork());
	else if (!strcmp(what, "spawn"))
		print_result(what, try_spawn());
	else if (!strcmp(what, "int80"))
		print_result(what, i386_getpid() == getpid() ? 0 : -1);
	else if (!strcmp(what, "x32"))
		print_result(what, syscall(0x40000000L | SYS_getpid));
	else if (!strcmp(what, "personality"))
		print_result(what, syscall(SYS_personality, arg));
	else if (!strcmp(what, "socket"))
		print_result(what, socket((int)arg, SOCK_DGRAM | SOCK_CLOEXEC, 0));
	else if (!strcmp(what, "pdeathsig")) {
		int sig = -1;
		print_result(what, prctl(PR_GET_PDEATHSIG, &sig) < 0 ? -1 : sig);
	} else if (!strcmp(what, "maxknown"))
		printf("%d\n", ns_seccomp_max_known_nr());
	else if (strcmp(what, "noop") != 0)
		usage_error("unknown try", what);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && !strcmp(argv[1], "report"))
		return report();
	if (argc > 1 && !strcmp(argv[1], "try"))
		return try(argc, argv);
	return run(argc, argv);
}
