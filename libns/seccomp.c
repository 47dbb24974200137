#include "seccomp.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "io.h"
#include "seccomp_profile.h"
#include "util.h"

/* System call tables have not reached this number on the architectures we run on
 * (x86_64, aarch64). Above it live x32 (0x40000000 | nr) and arm's private calls,
 * which must reach the real filter rather than the ENOSYS window. */
#define NR_WINDOW_END	1024
#define ENOSYS_STUB_LEN 6

int ns_seccomp_validate(const struct ns_seccomp *sc, struct ns_err *err)
{
	for (size_t i = 0; i < sc->nallow; i++) {
		const struct ns_seccomp_rule *r = &sc->allow[i];
		if (!r->syscall || !r->syscall[0])
			return ns_err_set(err, EINVAL, "seccomp allow rule %zu: empty syscall name",
					  i);
		if (r->any)
			continue;
		if (r->index > NS_SECCOMP_ARG_INDEX_MAX)
			return ns_err_set(err, EINVAL,
					  "seccomp allow '%s': argument index %u is above %d",
					  r->syscall, r->index, NS_SECCOMP_ARG_INDEX_MAX);
		if (r->nvalues > NS_SECCOMP_ARG_VALUES_MAX)
			return ns_err_set(
			    err, EINVAL, "seccomp allow '%s': %zu values, more than the %d allowed",
			    r->syscall, r->nvalues, NS_SECCOMP_ARG_VALUES_MAX);
		if (r->nvalues == 0 && !r->has_mask)
			return ns_err_set(
			    err, EINVAL,
			    "seccomp allow '%s': an argument filter needs values or a mask",
			    r->syscall);
		if (r->nvalues > 0 && !r->values)
			return ns_err_set(err, EINVAL, "seccomp allow '%s': values missing",
					  r->syscall);
	}
	return 0;
}

int ns_seccomp_max_known_nr(void)
{
	for (int nr = NR_WINDOW_END - 1; nr >= 0; nr--) {
		char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
		if (name) {
			free(name);
			return nr;
		}
	}
	return -1;
}

struct build {
	scmp_filter_ctx ctx;
	int *manifest_nrs; /* syscalls the manifest names: its allow beats a profile errno */
	size_t nmanifest_nrs;
	char **skipped;
	size_t nskipped;
	struct ns_err *err;
};

static int rule_add(struct build *b, uint32_t action, int nr, const char *name, unsigned n,
		    const struct scmp_arg_cmp *cmp)
{
	int r = seccomp_rule_add_array(b->ctx, action, nr, n, cmp);
	if (r < 0)
		return ns_err_set(b->err, -r, "seccomp: rule for '%s': %s", name, strerror(-r));
	return 0;
}

static int note_skipped(struct build *b, const char *name)
{
	char *copy = strdup(name);
	if (!copy)
		return ns_err_set(b->err, ENOMEM, "seccomp: out of memory");
	b->skipped[b->nskipped++] = copy;
	return 0;
}

static bool manifest_names(const struct build *b, int nr)
{
	for (size_t i = 0; i < b->nmanifest_nrs; i++)
		if (b->manifest_nrs[i] == nr)
			return true;
	return false;
}

/* Northstar's rule semantics: any value in the list passes, and so does an argument
 * with no bit outside the mask; the two combine with OR. */
static int add_manifest_rule(struct build *b, const struct ns_seccomp_rule *r)
{
	int nr = seccomp_syscall_resolve_name(r->syscall);
	if (nr < 0)
		return note_skipped(b, r->syscall);
	b->manifest_nrs[b->nmanifest_nrs++] = nr;
	if (r->any)
		return rule_add(b, SCMP_ACT_ALLOW, nr, r->syscall, 0, NULL);
	for (size_t i = 0; i < r->nvalues; i++) {
		struct scmp_arg_cmp c = {
		    .arg = r->index, .op = SCMP_CMP_EQ, .datum_a = r->values[i]};
		if (rule_add(b, SCMP_ACT_ALLOW, nr, r->syscall, 1, &c) < 0)
			return -b->err->errnum;
	}
	if (r->has_mask) {
		struct scmp_arg_cmp c = {
		    .arg = r->index, .op = SCMP_CMP_MASKED_EQ, .datum_a = ~r->mask, .datum_b = 0};
		return rule_add(b, SCMP_ACT_ALLOW, nr, r->syscall, 1, &c);
	}
	return 0;
}

static int add_profile_rule(void *ctx, const struct ns_seccomp_profile_rule *r)
{
	struct build *b = ctx;
	int nr = seccomp_syscall_resolve_name(r->name);
	if (nr < 0)
		return 0; /* not on this architecture, or newer than libseccomp */
	if (r->errno_ret && manifest_names(b, nr))
		return 0;
	uint32_t action = r->errno_ret ? SCMP_ACT_ERRNO(r->errno_ret) : SCMP_ACT_ALLOW;
	if (!r->has_arg0)
		return rule_add(b, action, nr, r->name, 0, NULL);
	struct scmp_arg_cmp c = {.arg = 0, .op = r->op, .datum_a = r->datum};
	if (r->op == SCMP_CMP_MASKED_EQ) {
		c.datum_a = r->mask;
		c.datum_b = r->datum;
	}
	return rule_add(b, action, nr, r->name, 1, &c);
}

/* Calls without which the child could neither exec nor end after a failed exec. */
static int add_builtin_rules(struct build *b)
{
	static const char *const names[] = {"execve", "exit", "exit_group"};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		int nr = seccomp_syscall_resolve_name(names[i]);
		if (nr >= 0 && rule_add(b, SCMP_ACT_ALLOW, nr, names[i], 0, NULL) < 0)
			return -b->err->errnum;
	}
	return 0;
}

static int configure(scmp_filter_ctx ctx, struct ns_err *err)
{
	int r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	if (r == 0)
		r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	/* a binary tree over the syscall numbers: fewer instructions run per call */
	if (r == 0)
		r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	if (r < 0)
		return ns_err_set(err, -r, "seccomp: filter attributes: %s", strerror(-r));
	return 0;
}

/* The prefix that answers ENOSYS for native calls in (max_known, NR_WINDOW_END); any
 * other call jumps on to libseccomp's program, which starts with its own loads. */
static void write_enosys_stub(struct sock_filter *f, uint32_t arch, uint32_t max_known)
{
	f[0] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					    offsetof(struct seccomp_data, arch));
	f[1] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, arch, 0, 4);
	f[2] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					    offsetof(struct seccomp_data, nr));
	f[3] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, max_known, 0, 2);
	f[4] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, NR_WINDOW_END, 1, 0);
	f[5] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
}

/* libseccomp 2.5 exports only to a descriptor: go through a memfd. */
int ns_seccomp_export(void *ctx, bool enosys_stub, struct ns_seccomp_prog *out, struct ns_err *err)
{
	ns_autoclose int fd = memfd_create("ns-seccomp", MFD_CLOEXEC);
	if (fd < 0)
		return ns_err_sys(err, errno, "seccomp: memfd_create");
	int r = seccomp_export_bpf(ctx, fd);
	if (r < 0)
		return ns_err_set(err, -r, "seccomp: export the filter: %s", strerror(-r));
	struct stat st;
	if (fstat(fd, &st) < 0)
		return ns_err_sys(err, errno, "seccomp: fstat the exported filter");
	size_t n = (size_t)st.st_size / sizeof(struct sock_filter);
	if (n == 0 || (size_t)st.st_size % sizeof(struct sock_filter))
		return ns_err_set(err, EIO, "seccomp: exported filter has %lld bytes",
				  (long long)st.st_size);
	int max_known = enosys_stub ? ns_seccomp_max_known_nr() : -1;
	size_t stub = max_known >= 0 ? ENOSYS_STUB_LEN : 0;
	if (n + stub > BPF_MAXINSNS)
		return ns_err_set(err, E2BIG,
				  "seccomp: the filter has %zu instructions, more than the "
				  "kernel's %d",
				  n + stub, BPF_MAXINSNS);
	ns_autofree struct sock_filter *insns = calloc(n + stub, sizeof(*insns));
	if (!insns)
		return ns_err_set(err, ENOMEM, "seccomp: out of memory");
	ssize_t got = ns_pread_full(fd, insns + stub, (size_t)st.st_size, 0);
	if (got != st.st_size)
		return ns_err_sys(err, got < 0 ? (int)-got : EIO,
				  "seccomp: read the exported filter");
	if (stub)
		write_enosys_stub(insns, seccomp_arch_native(), (uint32_t)max_known);
	out->insns = ns_steal_ptr(&insns);
	out->len = n + stub;
	return 0;
}

static int build_rules(struct build *b, const struct ns_seccomp *sc, uint64_t caps)
{
	for (size_t i = 0; i < sc->nallow; i++)
		if (add_manifest_rule(b, &sc->allow[i]) < 0)
			return -b->err->errnum;
	if (add_builtin_rules(b) < 0)
		return -b->err->errnum;
	if (sc->profile_default)
		return ns_seccomp_profile_each(caps, add_profile_rule, b);
	return 0;
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int ns_seccomp_build(const struct ns_seccomp *sc, uint64_t caps, enum ns_seccomp_violation v,
		     struct ns_seccomp_prog *out, struct ns_err *err)
{
	struct ns_seccomp_prog prog = {0};
	struct build b = {.err = err};
	int r = ns_seccomp_validate(sc, err);
	if (r < 0)
		return r;
	/* Killing the whole process on a violation needs API level 3 (Linux 4.14 and its
	 * seccomp() call); below it seccomp_init returns NULL, which is no memory shortage. */
	unsigned int api = seccomp_api_get();
	if (api < 3)
		return ns_err_set(
		    err, ENOSYS,
		    "seccomp: the kernel cannot kill a whole process on a violation "
		    "(libseccomp API level %u, 3 needed: Linux 4.14 with the seccomp() "
		    "system call)",
		    api);
	b.ctx = seccomp_init(v == NS_SECCOMP_EPERM ? SCMP_ACT_ERRNO(EPERM) : SCMP_ACT_KILL_PROCESS);
	b.manifest_nrs = calloc(sc->nallow + 1, sizeof(*b.manifest_nrs));
	b.skipped = calloc(sc->nallow + 1, sizeof(*b.skipped));
	if (!b.ctx || !b.manifest_nrs || !b.skipped) {
		r = ns_err_set(err, ENOMEM, "seccomp: out of memory");
		goto out;
	}
	r = configure(b.ctx, err);
	if (r == 0)
		r = build_rules(&b, sc, caps);
	if (r == 0)
		r = ns_seccomp_export(b.ctx, true, &prog, err);
	if (r == 0) {
		prog.skipped = ns_steal_ptr(&b.skipped);
		prog.nskipped = b.nskipped;
		*out = prog;
	}
out:
	if (b.skipped)
		free_names(b.skipped, b.nskipped);
	free(b.manifest_nrs);
	if (b.ctx)
		seccomp_release(b.ctx);
	return r;
}

void ns_seccomp_prog_free(struct ns_seccomp_prog *p)
{
	free(p->insns);
	free_names(p->skipped, p->nskipped);
	*p = (struct ns_seccomp_prog){0};
}

int ns_seccomp_install(const struct ns_seccomp_prog *p, struct ns_err *err)
{
	if (p->len == 0 || p->len > BPF_MAXINSNS)
		return ns_err_set(err, EINVAL, "seccomp: program of %zu instructions", p->len);
	struct sock_fprog fp = {.len = (unsigned short)p->len, .filter = p->insns};
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp) < 0)
		return ns_err_sys(err, errno, "seccomp: install a filter of %zu instructions",
				  p->len);
	return 0;
}
