/* sextant unpack: an NPK's entries and its root filesystem into a directory.
 *
 * usage: sextant unpack -n NPK -o DIR [--unsquashfs BIN]
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "applets/applet.h"
#include "libns/npk.h"
#include "libns/spawn.h"
#include "libns/util.h"
#include "sextant.h"

static const char usage[] =
    "usage: sextant unpack -n NPK -o DIR [--unsquashfs BIN]\n"
    "\n"
    "Extracts manifest.yaml, signature.yaml (when signed) and the root filesystem\n"
    "(DIR/root, through unsquashfs) of an NPK. DIR is created and must not hold any of\n"
    "these already. Nothing is written outside DIR: entry names are checked, files are\n"
    "created without following links, and the image's listing is checked for '..',\n"
    "absolute and repeated names before unsquashfs runs.\n"
    "\n"
    "  -n, --npk NPK        the NPK\n"
    "  -o, --out DIR        where to put it\n"
    "      --unsquashfs BIN unsquashfs to extract the image with\n";

/* Listing lines are "squashfs-root/PATH" (-d squashfs-root); a path that is not
 * clean or that repeats would let an image plant a link and write through it. */
static int check_listing(char *list, struct ns_err *err)
{
	size_t cap = 1024, n = 0;
	char **seen = malloc(cap * sizeof(*seen));
	int r = seen ? 0 : ns_err_set(err, ENOMEM, "out of memory");
	for (char *line = strtok(list, "\n"); line && r == 0; line = strtok(NULL, "\n")) {
		if (strncmp(line, "squashfs-root", 13) != 0)
			continue; /* header lines */
		const char *p = line + 13;
		size_t len = strlen(p);
		if (*p && (*p != '/' || strstr(p, "/../") || strstr(p, "//") || strstr(p, "/./") ||
			   (len >= 3 && !strcmp(p + len - 3, "/.."))))
			r = ns_err_set(err, EINVAL, "image holds an unsafe path '%s'", p);
		for (size_t i = 0; i < n && r == 0; i++)
			if (!strcmp(seen[i], p))
				r = ns_err_set(err, EINVAL, "image holds '%s' twice", p);
		if (r == 0 && n == cap) {
			char **more = realloc(seen, 2 * cap * sizeof(*seen));
			r = more ? 0 : ns_err_set(err, ENOMEM, "out of memory");
			seen = more ? more : seen;
			cap *= more ? 2 : 1;
		}
		if (r == 0)
			seen[n++] = line;
	}
	free(seen);
	return r;
}

static int run_unsquashfs(const char *bin, const char *out, struct ns_err *err)
{
	char img[PATH_MAX], root[PATH_MAX];
	snprintf(img, sizeof(img), "%s/fs.img", out);
	snprintf(root, sizeof(root), "%s/root", out);
	size_t size = 16u << 20;
	ns_autofree char *list = malloc(size);
	if (!list)
		return ns_err_set(err, ENOMEM, "out of memory");
	const char *ls[] = {bin, "-l", "-d", "squashfs-root", img, NULL};
	int r = ns_run(ls, -1, list, size, err);
	if (r > 0)
		return ns_err_set(err, EIO, "%s -l failed (%d): %s", bin, r, list);
	if (r < 0 || (r = check_listing(list, err)) < 0)
		return r;
	const char *x[] = {bin, "-no-progress", "-d", root, img, NULL};
	r = ns_run(x, -1, list, size, err);
	if (r > 0)
		return ns_err_set(err, EIO, "%s failed (%d): %s", bin, r, list);
	return r;
}

static int unpack(const char *npk_path, const char *out, const char *bin, struct ns_err *err)
{
	if (mkdir(out, 0755) < 0 && errno != EEXIST)
		return ns_err_sys(err, errno, "create '%s'", out);
	ns_autoclose int dirfd = open(out, O_DIRECTORY | O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (dirfd < 0)
		return ns_err_sys(err, errno, "open '%s'", out);
	struct ns_npk npk;
	int r = ns_npk_open_path(npk_path, NULL, &npk, err);
	if (r < 0)
		return r;
	r = ns_npk_extract(&npk, dirfd, err);
	ns_npk_close(&npk);
	if (r < 0)
		return r;
	r = run_unsquashfs(bin, out, err);
	if (unlinkat(dirfd, "fs.img", 0) < 0 && r == 0)
		r = ns_err_sys(err, errno, "remove '%s/fs.img'", out);
	return r;
}

int sextant_unpack(int argc, char **argv)
{
	enum { O_UNSQ = 256 };
	static const struct option opts[] = {{"npk", required_argument, NULL, 'n'},
					     {"out", required_argument, NULL, 'o'},
					     {"unsquashfs", required_argument, NULL, O_UNSQ},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	const char *npk = NULL, *out = NULL, *bin = "unsquashfs";
	int c;
	while ((c = getopt_long(argc, argv, "+n:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			npk = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case O_UNSQ:
			bin = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			return applet_usage_error("sextant unpack", "bad option");
		}
	}
	if (optind != argc)
		return applet_usage_error("sextant unpack", "unexpected argument '%s'",
					  argv[optind]);
	if (!npk || !out)
		return applet_usage_error("sextant unpack", "--npk and --out are required");
	struct ns_err err;
	if (unpack(npk, out, bin, &err) < 0)
		return sextant_fail("unpack", &err);
	printf("unpacked %s into %s\n", npk, out);
	return 0;
}
