#include "mksquashfs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "spawn.h"
#include "util.h"

int ns_mksquashfs_version(const char *bin, unsigned *major, unsigned *minor, struct ns_err *err)
{
	char out[4096];
	const char *argv[] = {bin, "-version", NULL};
	int r = ns_run(argv, -1, out, sizeof(out), err);
	if (r < 0)
		return r;
	/* The third word of the first line: "mksquashfs version 4.5.1 (2022/03/17)". */
	char word[3][64];
	if (sscanf(out, "%63s %63s %63s", word[0], word[1], word[2]) != 3 ||
	    sscanf(word[2], "%u.%u", major, minor) != 2)
		return ns_err_set(err, EINVAL, "%s -version: cannot read a version from '%.80s'",
				  bin, out);
	return 0;
}

/* Pseudo definitions are split at white space and cannot be quoted in a file. */
static bool pseudo_safe(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == '"' || *s == '\\' || *s == 0x7f)
			return false;
	return true;
}

static int write_pseudo(FILE *f, const struct ns_fsx *x, bool xattrs, struct ns_err *err)
{
	if (!pseudo_safe(x->path) || (x->target && !pseudo_safe(x->target)))
		return ns_err_set(err, EINVAL,
				  "'%s': mksquashfs pseudo definitions cannot hold white space, "
				  "quotes or control characters (the native writer can)",
				  x->path);
	switch (x->type) {
	case NS_FSX_DIR:
		fprintf(f, "%s d %o %u %u\n", x->path, x->mode, x->uid, x->gid);
		break;
	case NS_FSX_CHR:
		fprintf(f, "%s c %o %u %u %u %u\n", x->path, x->mode, x->uid, x->gid, x->major,
			x->minor);
		break;
	case NS_FSX_SYMLINK:
		fprintf(f, "%s s %o %u %u %s\n", x->path, x->mode, x->uid, x->gid, x->target);
		break;
	}
	if (xattrs && x->selinux) {
		if (!pseudo_safe(x->selinux))
			return ns_err_set(err, EINVAL, "'%s': bad SELinux label", x->path);
		fprintf(f, "%s x security.selinux=%s\n", x->path, x->selinux);
	}
	return 0;
}

/* The definitions go to a memfd that the child reads through /proc/self/fd: 4.5
 * cannot read them from stdin, and a memfd leaves no file behind. */
static int pseudo_memfd(const struct ns_fsx_list *extras, bool xattrs, struct ns_err *err)
{
	ns_autoclose int fd = memfd_create("pseudo", MFD_CLOEXEC);
	if (fd < 0)
		return ns_err_sys(err, errno, "memfd_create");
	FILE *f = fdopen(dup(fd), "w");
	if (!f)
		return ns_err_sys(err, errno, "fdopen");
	int r = 0;
	for (size_t i = 0; extras && i < extras->n && r == 0; i++)
		r = write_pseudo(f, &extras->items[i], xattrs, err);
	if (fclose(f) != 0 && r == 0)
		r = ns_err_sys(err, errno, "write pseudo definitions");
	return r < 0 ? r : ns_steal_fd(&fd);
}

static void compression_args(const struct ns_mksquashfs_opts *o, const char **argv, size_t *n)
{
	if (o->compression && !strcmp(o->compression, "none")) {
		static const char *none[] = {"-noI", "-noD", "-noF", "-noX", "-no-fragments"};
		for (size_t i = 0; i < ARRAY_SIZE(none); i++)
			argv[(*n)++] = none[i];
		return;
	}
	argv[(*n)++] = "-comp";
	argv[(*n)++] = o->compression ? o->compression : "gzip";
	if (o->no_fragments)
		argv[(*n)++] = "-no-fragments";
}

static int run_mksquashfs(const struct ns_mksquashfs_opts *o, const char *root, int pfd,
			  const char *out_path, struct ns_err *err)
{
	char uid[16], gid[16], pf[64], bs[16], t[16];
	snprintf(uid, sizeof(uid), "%u", o->uid);
	snprintf(gid, sizeof(gid), "%u", o->gid);
	snprintf(pf, sizeof(pf), "/proc/self/fd/%d", pfd);
	snprintf(bs, sizeof(bs), "%u", o->block_size);
	snprintf(t, sizeof(t), "%u", o->mtime);
	const char *argv[40];
	size_t n = 0;
	const char *fixed[] = {o->bin,	       root,	 out_path,     "-noappend",
			       "-no-progress", "-quiet", "-force-uid", uid,
			       "-force-gid",   gid,	 "-pf",	       pf};
	for (size_t i = 0; i < ARRAY_SIZE(fixed); i++)
		argv[n++] = fixed[i];
	if (o->block_size) {
		argv[n++] = "-b";
		argv[n++] = bs;
	}
	compression_args(o, argv, &n);
	if (o->has_mtime) {
		argv[n++] = "-all-time";
		argv[n++] = t;
		argv[n++] = "-mkfs-time";
		argv[n++] = t;
	}
	argv[n] = NULL;

	char out[2048];
	int r = ns_run(argv, pfd, out, sizeof(out), err);
	if (r > 0)
		return ns_err_set(err, EIO, "%s failed with exit status %d: %s", o->bin, r, out);
	return r;
}

int ns_mksquashfs(const struct ns_mksquashfs_opts *o, const struct ns_fsx_list *extras,
		  const char *out_path, struct ns_err *err)
{
	unsigned major, minor;
	int r = ns_mksquashfs_version(o->bin, &major, &minor, err);
	if (r < 0)
		return r;
	if (major < 4 || (major == 4 && minor < 4))
		return ns_err_set(err, ENOTSUP, "%s %u.%u is too old: 4.4 or later is needed",
				  o->bin, major, minor);
	bool xattrs = major > 4 || minor >= 6;
	ns_autoclose int pfd = pseudo_memfd(extras, xattrs, err);
	if (pfd < 0)
		return pfd;

	char empty[] = "/tmp/ns-emptyroot.XXXXXX";
	const char *root = o->root;
	if (!root) {
		if (!mkdtemp(empty))
			return ns_err_sys(err, errno, "mkdtemp");
		root = empty;
	}
	r = run_mksquashfs(o, root, pfd, out_path, err);
	if (!o->root)
		rmdir(empty);
	if (r < 0)
		unlink(out_path);
	return r;
}
