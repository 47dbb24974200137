/* sextant inspect: what an NPK holds.
 *
 * usage: sextant inspect [-s | --json] NPK [--unsquashfs BIN]
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <sys/mman.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "applets/applet.h"
#include "libns/hex.h"
#include "libns/io.h"
#include "libns/json.h"
#include "libns/npk.h"
#include "libns/spawn.h"
#include "libns/util.h"
#include "sextant.h"

static const char usage[] =
    "usage: sextant inspect [-s | --json] NPK [--unsquashfs BIN]\n"
    "\n"
    "Shows an NPK: its zip entries, manifest, signature and the squashfs listing\n"
    "(through unsquashfs -ll). The signature is not checked here: see 'sextant verify'.\n"
    "\n"
    "  -s, --short          one line: name, version, NPK version, resource or not\n"
    "      --json           a JSON object: entries, manifest, meta version, hashes\n"
    "      --unsquashfs BIN unsquashfs for the listing (default: unsquashfs)\n";

static void header(const char *text)
{
	if (sextant_tty())
		printf("\033[32m%s\033[0m\n", text);
	else
		printf("%s\n", text);
}

static void print_short(const struct ns_npk *npk)
{
	char v[64], mv[64];
	printf("name: %s, version: %s, NPK version: %s, resource container: %s\n",
	       npk->manifest.name, ns_version_str(&npk->manifest.version, v, sizeof(v)),
	       ns_version_str(&npk->meta_version, mv, sizeof(mv)),
	       ns_manifest_is_resource(&npk->manifest) ? "yes" : "no");
}

static int print_json(const struct ns_npk *npk, struct ns_err *err)
{
	char v[64], h[65];
	cJSON *o = cJSON_CreateObject();
	cJSON *entries = cJSON_AddArrayToObject(o, "entries");
	for (size_t i = 0; i < npk->zip.n; i++) {
		cJSON *e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "name", npk->zip.entries[i].name);
		ns_json_add_u64(e, "offset", npk->zip.entries[i].data_offset);
		ns_json_add_u64(e, "size", npk->zip.entries[i].size);
		cJSON_AddItemToArray(entries, e);
	}
	cJSON_AddStringToObject(o, "npk_version", ns_version_str(&npk->meta_version, v, sizeof(v)));
	cJSON_AddItemToObject(o, "manifest", ns_manifest_to_json(&npk->manifest));
	if (npk->has_verity) {
		cJSON *s = cJSON_AddObjectToObject(o, "verity");
		ns_hex(npk->verity.root_hash, 32, h);
		cJSON_AddStringToObject(s, "root_hash", h);
		ns_json_add_u64(s, "offset", npk->verity_offset);
	} else {
		cJSON_AddNullToObject(o, "verity");
	}
	char *text = cJSON_Print(o);
	cJSON_Delete(o);
	if (!text)
		return ns_err_set(err, ENOMEM, "out of memory");
	printf("%s\n", text);
	cJSON_free(text);
	return 0;
}

/* unsquashfs wants a file holding just the image: a copy in an unnamed memfd. */
static int list_squashfs(const struct ns_npk *npk, const char *bin, struct ns_err *err)
{
	ns_autoclose int mfd = memfd_create("fs.img", MFD_CLOEXEC);
	if (mfd < 0)
		return ns_err_sys(err, errno, "memfd_create");
	if (lseek(npk->fd, (off_t)npk->fs_offset, SEEK_SET) < 0)
		return ns_err_sys(err, errno, "seek to fs.img");
	int r = ns_copy_fd(npk->fd, mfd, npk->fs_size, err);
	if (r < 0)
		return r;
	char img[64];
	snprintf(img, sizeof(img), "/proc/self/fd/%d", mfd);
	fflush(stdout);
	const char *argv[] = {bin, "-ll", img, NULL};
	r = ns_run(argv, mfd, NULL, 0, err);
	if (r > 0)
		return ns_err_set(err, EIO, "%s exited with status %d", bin, r);
	if (r == 0)
		printf("\n"); /* Northstar prints the listing with a line break after it */
	return r;
}

static int print_long(const char *path, const struct ns_npk *npk, const char *bin,
		      struct ns_err *err)
{
	char line[PATH_MAX + 32];
	snprintf(line, sizeof(line), "# inspection of '%s'", path);
	header(line);
	header("## NPK Content");
	for (size_t i = 0; i < npk->zip.n; i++)
		printf("%s\n", npk->zip.entries[i].name);
	printf("\n");
	/* Northstar's layout, line for line: each text, a line break, two empty lines; no
	 * heading for a missing signature, and the listing as unsquashfs names it */
	header("## manifest.yaml");
	fwrite(npk->manifest_text, 1, npk->manifest_len, stdout);
	printf("\n\n\n");
	if (npk->signature_text) {
		header("## signature.yaml");
		fwrite(npk->signature_text, 1, npk->signature_len, stdout);
		printf("\n\n\n");
	} else {
		printf("No signature found\n");
	}
	header("## SquashFS listing");
	return list_squashfs(npk, bin, err);
}

int sextant_inspect(int argc, char **argv)
{
	enum { O_JSON = 256, O_UNSQ };
	static const struct option opts[] = {{"short", no_argument, NULL, 's'},
					     {"json", no_argument, NULL, O_JSON},
					     {"unsquashfs", required_argument, NULL, O_UNSQ},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	bool shrt = false, json = false;
	const char *bin = "unsquashfs";
	int c;
	while ((c = getopt_long(argc, argv, "sh", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			shrt = true;
			break;
		case O_JSON:
			json = true;
			break;
		case O_UNSQ:
			bin = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			return applet_usage_error("sextant inspect", "bad option");
		}
	}
	if (argc - optind != 1)
		return applet_usage_error("sextant inspect", "expected one NPK");
	if (shrt && json)
		return applet_usage_error("sextant inspect",
					  "--short and --json exclude each other");

	struct ns_err err;
	struct ns_npk npk;
	const char *path = argv[optind];
	if (ns_npk_open_path(path, NULL, &npk, &err) < 0)
		return sextant_fail("inspect", &err);
	int r;
	if (shrt) {
		print_short(&npk);
		r = 0;
	} else if (json) {
		r = print_json(&npk, &err);
	} else {
		r = print_long(path, &npk, bin, &err);
	}
	ns_npk_close(&npk);
	return r < 0 ? sextant_fail("inspect", &err) : 0;
}
