/* blktool: drives libns's block layer from shell tests and benchmarks.
 *
 * usage: blktool mount [OPTIONS] FILE TARGET [-- CMD [ARG...]]
 *          mount FILE's image on TARGET, run CMD (if any), print the verity state
 *          (verified mounts), unmount; exit with CMD's status
 *        blktool cycles N [OPTIONS] FILE TARGET
 *          N mounts and unmounts in one process; prints "cycles=N mean_us=.. p50_us=.."
 *        blktool timeit N -- CMD [ARG...]
 *          run CMD N times (each must succeed); prints "runs=N mean_us=.. p50_us=.."
 *        blktool table PARAMS MAJOR:MINOR
 *          print the dm-verity table for PARAMS over that device
 * options:
 *   --params FILE      image description: key=value lines (offset, size, root_hash, salt,
 *                      data_block_size, hash_block_size, data_blocks, hash_start_block)
 *   --verity           mount verified, with the verity keys of --params
 *   --root HEX         replace the root hash
 *   --offset N --size N  override the image's place in FILE (size default: to the end)
 *   --name NAME        device name (default northstar-blktool)
 *   --timeout-ms N     loop_device_timeout (default 2000)
 *   --direct-io        ask for loop direct I/O
 *   --context CTX      SELinux mount context
 *   --fail N[:ERRNO]   make the Nth block-layer system call fail (default EIO)
 *   --fail-op OP[:ERRNO[:COUNT]]  make the first COUNT (default all) calls of OP fail:
 *                      open, mknod, mount, umount2 or an ioctl such as LOOP_CONFIGURE
 *   --trace            print each block-layer system call to stderr ("call N: OP")
 *   --no-state         do not report the verity state (benchmarks)
 *   --allow-dev        mount without nodev
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stddef.h>
#include <linux/loop.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "libns/blkmount.h"
#include "libns/dm.h"
#include "libns/dm_verity.h"
#include "libns/util.h"

struct fault {
	unsigned calls;	   /* calls seen so far */
	unsigned fail_nth; /* 0: none */
	int nth_errno;
	char op[32]; /* --fail-op */
	int op_errno;
	long op_count; /* < 0: every call */
	int trace;
};

struct args {
	const char *params, *root, *name, *context, *file, *target;
	int verity, direct_io, no_state, allow_dev;
	long long offset, size;
	unsigned timeout_ms;
	char **cmd;
	struct fault fault;
};

static const struct {
	unsigned long req;
	const char *name;
} ioctl_names[] = {
    {LOOP_CTL_GET_FREE, "LOOP_CTL_GET_FREE"},
    {LOOP_CONFIGURE, "LOOP_CONFIGURE"},
    {LOOP_SET_FD, "LOOP_SET_FD"},
    {LOOP_SET_STATUS64, "LOOP_SET_STATUS64"},
    {LOOP_GET_STATUS64, "LOOP_GET_STATUS64"},
    {LOOP_SET_DIRECT_IO, "LOOP_SET_DIRECT_IO"},
    {LOOP_CLR_FD, "LOOP_CLR_FD"},
    {DM_VERSION, "DM_VERSION"},
    {DM_DEV_CREATE, "DM_DEV_CREATE"},
    {DM_TABLE_LOAD, "DM_TABLE_LOAD"},
    {DM_DEV_SUSPEND, "DM_DEV_SUSPEND"},
    {DM_DEV_REMOVE, "DM_DEV_REMOVE"},
    {DM_TABLE_STATUS, "DM_TABLE_STATUS"},
    {DM_LIST_VERSIONS, "DM_LIST_VERSIONS"},
};

static const struct {
	const char *name;
	int value;
} errno_names[] = {
    {"EIO", EIO},	{"EBUSY", EBUSY},   {"ENOTTY", ENOTTY}, {"EINVAL", EINVAL},
    {"ENOSPC", ENOSPC}, {"ENOENT", ENOENT}, {"ENXIO", ENXIO},	{"EAGAIN", EAGAIN},
    {"EEXIST", EEXIST}, {"EPERM", EPERM},   {"ENODEV", ENODEV}, {"ENOMEM", ENOMEM},
    {"EACCES", EACCES},
};

static int parse_errno(const char *s)
{
	for (size_t i = 0; i < ARRAY_SIZE(errno_names); i++)
		if (strcmp(s, errno_names[i].name) == 0)
			return errno_names[i].value;
	int v = atoi(s);
	return v > 0 ? v : EIO;
}

static const char *ioctl_name(unsigned long req)
{
	for (size_t i = 0; i < ARRAY_SIZE(ioctl_names); i++)
		if (ioctl_names[i].req == req)
			return ioctl_names[i].name;
	return "ioctl?";
}

/* Counts the call and says whether it is to fail (errno set). */
static int inject(void *data, const char *op)
{
	struct fault *f = data;
	f->calls++;
	if (f->trace)
		fprintf(stderr, "call %u: %s\n", f->calls, op);
	if (f->fail_nth && f->calls == f->fail_nth) {
		if (f->trace)
			fprintf(stderr, "call %u: %s fails (injected)\n", f->calls, op);
		errno = f->nth_errno;
		return -1;
	}
	if (f->op[0] && strcmp(f->op, op) == 0 && f->op_count != 0) {
		if (f->op_count > 0)
			f->op_count--;
		errno = f->op_errno;
		return -1;
	}
	return 0;
}

static int f_open(void *data, const char *path, int flags, mode_t mode)
{
	if (inject(data, "open") < 0)
		return -1;
	return ns_blk_sys_ops.open(NULL, path, flags, mode);
}

static int f_ioctl(void *data, int fd, unsigned long req, void *arg)
{
	if (inject(data, ioctl_name(req)) < 0)
		return -1;
	return ns_blk_sys_ops.ioctl(NULL, fd, req, arg);
}

static int f_mount(void *data, const char *src, const char *target, const char *fstype,
		   unsigned long flags, const void *opts)
{
	if (inject(data, "mount") < 0)
		return -1;
	return ns_blk_sys_ops.mount(NULL, src, target, fstype, flags, opts);
}

static int f_umount2(void *data, const char *target, int flags)
{
	if (inject(data, "umount2") < 0)
		return -1;
	return ns_blk_sys_ops.umount2(NULL, target, flags);
}

static int f_mknod(void *data, const char *path, mode_t mode, dev_t dev)
{
	if (inject(data, "mknod") < 0)
		return -1;
	return ns_blk_sys_ops.mknod(NULL, path, mode, dev);
}

static const struct ns_blk_ops fault_ops = {
    .open = f_open,
    .ioctl = f_ioctl,
    .mount = f_mount,
    .umount2 = f_umount2,
    .mknod = f_mknod,
};

static int unhex(const char *s, uint8_t *out, size_t max, size_t *ret_len)
{
	size_t n = strlen(s);
	if (strcmp(s, "-") == 0)
		n = 0;
	if (n % 2 || n / 2 > max)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		unsigned v;
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	*ret_len = n / 2;
	return 0;
}

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "blktool: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(2);
}

/* Reads PARAMS into p and the image's place; returns what it found. */
static void read_params(const char *path, struct ns_verity_params *p, long long *offset,
			long long *size)
{
	char line[1024], key[64], val[600];
	size_t n;
	FILE *f = fopen(path, "re");
	if (!f)
		die("cannot open params file '%s'", path);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63[^=]=%599s", key, val) != 2)
			continue;
		if (strcmp(key, "root_hash") == 0) {
			if (unhex(val, p->root_hash, sizeof(p->root_hash), &n) < 0 || n != 32)
				die("bad root_hash '%s'", val);
		} else if (strcmp(key, "salt") == 0) {
			if (unhex(val, p->salt, sizeof(p->salt), &n) < 0)
				die("bad salt '%s'", val);
			p->salt_size = (uint32_t)n;
		} else if (strcmp(key, "data_block_size") == 0) {
			p->data_block_size = (uint32_t)strtoul(val, NULL, 0);
		} else if (strcmp(key, "hash_block_size") == 0) {
			p->hash_block_size = (uint32_t)strtoul(val, NULL, 0);
		} else if (strcmp(key, "data_blocks") == 0) {
			p->data_blocks = strtoull(val, NULL, 0);
		} else if (strcmp(key, "hash_start_block") == 0) {
			p->hash_start_block = strtoull(val, NULL, 0);
		} else if (strcmp(key, "offset") == 0 && *offset < 0) {
			*offset = strtoll(val, NULL, 0);
		} else if (strcmp(key, "size") == 0 && *size < 0) {
			*size = strtoll(val, NULL, 0);
		}
	}
	fclose(f);
}

/* Options without a value; returns 0 when o is not one of them. */
static int parse_flag(const char *o, struct args *a)
{
	static const struct {
		const char *name;
		size_t off;
	} flags[] = {
	    {"--verity", offsetof(struct args, verity)},
	    {"--direct-io", offsetof(struct args, direct_io)},
	    {"--allow-dev", offsetof(struct args, allow_dev)},
	    {"--no-state", offsetof(struct args, no_state)},
	    {"--trace", offsetof(struct args, fault.trace)},
	};
	for (size_t i = 0; i < ARRAY_SIZE(flags); i++) {
		if (strcmp(o, flags[i].name) == 0) {
			*(int *)((char *)a + flags[i].off) = 1;
			return 1;
		}
	}
	return 0;
}

static void parse_fault(const char *o, const char *v, struct fault *f)
{
	char e[32] = "EIO";
	if (strcmp(o, "--fail") == 0) {
		if (sscanf(v, "%u:%31s", &f->fail_nth, e) < 1)
			die("bad --fail '%s'", v);
		f->nth_errno = parse_errno(e);
		return;
	}
	f->op_count = -1;
	if (sscanf(v, "%31[^:]:%31[^:]:%ld", f->op, e, &f->op_count) < 1)
		die("bad --fail-op '%s'", v);
	f->op_errno = parse_errno(e);
}

static void parse_value(const char *o, const char *v, struct args *a)
{
	if (strcmp(o, "--params") == 0)
		a->params = v;
	else if (strcmp(o, "--root") == 0)
		a->root = v;
	else if (strcmp(o, "--name") == 0)
		a->name = v;
	else if (strcmp(o, "--context") == 0)
		a->context = v;
	else if (strcmp(o, "--offset") == 0)
		a->offset = strtoll(v, NULL, 0);
	else if (strcmp(o, "--size") == 0)
		a->size = strtoll(v, NULL, 0);
	else if (strcmp(o, "--timeout-ms") == 0)
		a->timeout_ms = (unsigned)strtoul(v, NULL, 0);
	else if (strcmp(o, "--fail") == 0 || strcmp(o, "--fail-op") == 0)
		parse_fault(o, v, &a->fault);
	else
		die("unknown option '%s'", o);
}

static void parse_options(int argc, char **argv, int i, struct args *a)
{
	for (; i < argc; i++) {
		const char *o = argv[i];
		if (strcmp(o, "--") == 0) {
			a->cmd = argv + i + 1;
			break;
		}
		if (strncmp(o, "--", 2) != 0) {
			if (!a->file)
				a->file = o;
			else if (!a->target)
				a->target = o;
			else
				die("unexpected argument '%s'", o);
		} else if (!parse_flag(o, a)) {
			if (i + 1 >= argc)
				die("option '%s' needs a value", o);
			parse_value(o, argv[++i], a);
		}
	}
	if (!a->file || !a->target)
		die("%s", "usage: blktool mount|cycles [OPTIONS] FILE TARGET [-- CMD...]");
}

struct job {
	struct ns_verity_params vp;
	struct ns_blk_image img;
	struct ns_blk_options opt;
	struct ns_blk_ctx ctx;
};

static void prepare(struct args *a, struct job *j)
{
	struct stat st;
	memset(j, 0, sizeof(*j));
	if (a->params)
		read_params(a->params, &j->vp, &a->offset, &a->size);
	if (a->root) {
		size_t n;
		if (unhex(a->root, j->vp.root_hash, 32, &n) < 0 || n != 32)
			die("bad --root '%s'", a->root);
	}
	if (a->offset < 0)
		a->offset = 0;
	j->img.fd = open(a->file, O_RDONLY | O_CLOEXEC);
	if (j->img.fd < 0 || fstat(j->img.fd, &st) < 0) {
		fprintf(stderr, "blktool: open '%s': %s\n", a->file, strerror(errno));
		exit(1);
	}
	if (a->size < 0)
		a->size = st.st_size - a->offset;
	j->img.offset = (uint64_t)a->offset;
	j->img.size = (uint64_t)a->size;
	j->img.verity = a->verity ? &j->vp : NULL;
	j->opt.loop_timeout_ms = a->timeout_ms;
	j->opt.direct_io = a->direct_io;
	j->opt.selinux_context = a->context;
	j->opt.allow_device_nodes = a->allow_dev;
	ns_blk_ctx_init(&j->ctx);
	j->ctx.ops = &fault_ops;
	j->ctx.ops_data = &a->fault;
}

static int run_cmd(char **cmd)
{
	pid_t pid = fork();
	if (pid < 0)
		return 127;
	if (pid == 0) {
		execvp(cmd[0], cmd);
		_exit(127);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int cmd_mount(struct args *a)
{
	struct job j;
	struct ns_blk_mount m;
	struct ns_err err = {0};
	int status = 0;

	prepare(a, &j);
	if (ns_blk_mount(&j.ctx, &j.img, a->name, a->target, &j.opt, &m, &err) < 0) {
		fprintf(stderr, "blktool: %s\n", err.msg);
		return 1;
	}
	printf("mounted %s on %s (loop %u:%u, direct-io %s)\n", m.source, m.target,
	       major(m.loop_dev), minor(m.loop_dev), m.direct_io ? "on" : "off");
	fflush(stdout);
	if (a->cmd && a->cmd[0])
		status = run_cmd(a->cmd);
	if (m.verified && !a->no_state) {
		char state;
		if (ns_blk_verity_state(&j.ctx, &m, &state, &err) < 0) {
			fprintf(stderr, "blktool: %s\n", err.msg);
			status = status ? status : 1;
		} else {
			printf("verity state: %c\n", state);
		}
	}
	if (ns_blk_umount(&j.ctx, &m, &err) < 0) {
		fprintf(stderr, "blktool: %s\n", err.msg);
		/* The handle is intact after a failed unmount: retry without faults, so a
		 * test leaves nothing mounted. */
		a->fault.fail_nth = 0;
		a->fault.op[0] = '\0';
		if (ns_blk_umount(&j.ctx, &m, &err) < 0)
			fprintf(stderr, "blktool: retry: %s\n", err.msg);
		return 1;
	}
	printf("unmounted %s\n", m.target);
	if (a->fault.trace)
		fprintf(stderr, "calls: %u\n", a->fault.calls);
	return status;
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
	return a < b ? -1 : a > b;
}

static uint64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void print_times(const char *what, long n, uint64_t *t)
{
	uint64_t sum = 0;
	for (long i = 0; i < n; i++)
		sum += t[i];
	qsort(t, (size_t)n, sizeof(*t), cmp_u64);
	printf("%s=%ld mean_us=%" PRIu64 " p50_us=%" PRIu64 "\n", what, n, sum / (uint64_t)n,
	       t[n / 2]);
}

static int cmd_cycles(long n, struct args *a)
{
	struct job j;
	struct ns_blk_mount m;
	struct ns_err err = {0};

	if (n <= 0 || n > 100000)
		die("bad cycle count %s", "");
	uint64_t *t = calloc((size_t)n, sizeof(*t));
	if (!t)
		return 1;
	prepare(a, &j);
	for (long i = 0; i < n; i++) {
		uint64_t t0 = now_us();
		if (ns_blk_mount(&j.ctx, &j.img, a->name, a->target, &j.opt, &m, &err) < 0 ||
		    ns_blk_umount(&j.ctx, &m, &err) < 0) {
			fprintf(stderr, "blktool: cycle %ld: %s\n", i + 1, err.msg);
			free(t);
			return 1;
		}
		t[i] = now_us() - t0;
	}
	print_times("cycles", n, t);
	free(t);
	return 0;
}

static int cmd_timeit(int argc, char **argv)
{
	long n = argc > 2 ? strtol(argv[2], NULL, 10) : 0;
	if (argc < 5 || strcmp(argv[3], "--") != 0 || n <= 0 || n > 100000)
		die("%s", "usage: blktool timeit N -- CMD [ARG...]");
	uint64_t *t = calloc((size_t)n, sizeof(*t));
	if (!t)
		return 1;
	for (long i = 0; i < n; i++) {
		uint64_t t0 = now_us();
		int st = run_cmd(argv + 4);
		t[i] = now_us() - t0;
		if (st != 0) {
			fprintf(stderr, "blktool: run %ld of '%s' exited with %d\n", i + 1, argv[4],
				st);
			free(t);
			return 1;
		}
	}
	print_times("runs", n, t);
	free(t);
	return 0;
}

static int cmd_table(int argc, char **argv)
{
	struct ns_verity_params p;
	struct ns_err err = {0};
	char table[NS_VERITY_TABLE_MAX];
	long long off = -1, size = -1;
	unsigned maj, min;

	if (argc != 4 || sscanf(argv[3], "%u:%u", &maj, &min) != 2)
		die("%s", "usage: blktool table PARAMS MAJOR:MINOR");
	memset(&p, 0, sizeof(p));
	read_params(argv[2], &p, &off, &size);
	if (ns_verity_check_params(&p, (uint64_t)size, &err) < 0 ||
	    ns_verity_table(&p, makedev(maj, min), table, sizeof(table), &err) < 0) {
		fprintf(stderr, "blktool: %s\n", err.msg);
		return 1;
	}
	printf("%s\n", table);
	return 0;
}

int main(int argc, char **argv)
{
	struct args a = {.name = "northstar-blktool", .offset = -1, .size = -1, .timeout_ms = 2000};

	if (argc < 2)
		die("%s", "usage: blktool mount|cycles|table ...");
	if (strcmp(argv[1], "mount") == 0) {
		parse_options(argc, argv, 2, &a);
		return cmd_mount(&a);
	}
	if (strcmp(argv[1], "cycles") == 0 && argc > 2) {
		parse_options(argc, argv, 3, &a);
		return cmd_cycles(strtol(argv[2], NULL, 10), &a);
	}
	if (strcmp(argv[1], "table") == 0)
		return cmd_table(argc, argv);
	if (strcmp(argv[1], "timeit") == 0)
		return cmd_timeit(argc, argv);
	die("unknown command '%s'", argv[1]);
	return 2;
}
