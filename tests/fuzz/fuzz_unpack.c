/* libFuzzer target: the squashfs reading half of `sextant unpack` on hostile images.
 * Nothing in libns reads squashfs; sextant hands the image to unsquashfs, after its own
 * check of unsquashfs's listing (no '..', absolute or repeated names). This drives the
 * applet's run_unsquashfs the way unpack does: the input is fs.img in a fresh directory,
 * listed, checked and extracted to root/ beside it.
 *
 * Property, abort() when broken: nothing is written outside that directory. A sibling
 * directory must stay empty and the parent must hold only the two. Coverage guides the
 * fuzzer only through our code (unsquashfs is not instrumented); the seeds are real
 * images from our writer and from mksquashfs (seeds.sh). Run as root, as unpack is:
 * the extracted tree is removed whatever its modes. */
#include <ftw.h>

#include "applets/sextant/unpack.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* unpack.c's command calls these; the target never runs the command itself. */
int applet_usage_error(const char *name, const char *fmt, ...)
{
	(void)name;
	(void)fmt;
	return 2;
}
int sextant_fail(const char *cmd, const struct ns_err *err)
{
	(void)cmd;
	(void)err;
	return 1;
}

static char work[64], out[96], outside[96];

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(path) < 0 ? -1 : 0;
	return unlink(path) < 0 ? -1 : 0;
}

static void cleanup(void)
{
	(void)nftw(work, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void setup(void)
{
	if (work[0])
		return;
	const char *tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(work, sizeof(work), "%s/fuzz-unpack-XXXXXX", tmp);
	if (!mkdtemp(work))
		abort();
	snprintf(out, sizeof(out), "%s/out", work);
	snprintf(outside, sizeof(outside), "%s/outside", work);
	if (mkdir(outside, 0755) < 0)
		abort();
	atexit(cleanup);
}

static size_t entries(const char *dir, bool only_ours)
{
	DIR *d = opendir(dir);
	size_t n = 0;
	if (!d)
		abort();
	for (struct dirent *e; (e = readdir(d));) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (only_ours && strcmp(e->d_name, "out") && strcmp(e->d_name, "outside"))
			abort(); /* written beside the unpack directory */
		n++;
	}
	closedir(d);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	setup();
	if (mkdir(out, 0755) < 0)
		abort();
	char img[128];
	snprintf(img, sizeof(img), "%s/fs.img", out);
	int fd = open(img, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
	struct ns_err err;
	(void)run_unsquashfs("unsquashfs", out, &err);
	(void)entries(work, true);
	if (entries(outside, false) != 0)
		abort(); /* written through a link out of the unpack directory */
	if (nftw(out, rm_one, 16, FTW_DEPTH | FTW_PHYS) < 0)
		abort();
	return 0;
}
