/* sextant pack: a root directory and a manifest into an NPK.
 *
 * usage: sextant pack -m MANIFEST -o OUT [-r ROOT] [-k KEY] [-c COMP] [-b SIZE]
 *                     [--clones N] [--mksquashfs BIN] [--no-fragments]
 *                     [--salt HEX] [--uuid UUID]
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
#include "libns/hex.h"
#include "libns/io.h"
#include "libns/mksquashfs.h"
#include "libns/npk.h"
#include "libns/path.h"
#include "libns/squashfs.h"
#include "libns/util.h"
#include "sextant.h"

static const char usage[] =
    "usage: sextant pack -m MANIFEST -o OUT [-r ROOT] [-k KEY] [-c COMP] [-b SIZE]\n"
    "                    [--clones N] [--mksquashfs BIN] [--no-fragments]\n"
    "                    [--salt HEX] [--uuid UUID]\n"
    "\n"
    "Packs ROOT (or nothing but the mount points) with the manifest into an NPK. The\n"
    "manifest (YAML or JSON) is validated and stored re-serialized. The image gets the\n"
    "mount points, /dev nodes and /proc links the manifest needs, owned by its uid and\n"
    "gid. With a key the NPK is signed and its image carries a dm-verity hash tree.\n"
    "The squashfs image is written by sextant itself unless --mksquashfs is given.\n"
    "Timestamps are SOURCE_DATE_EPOCH (0 when unset): with --salt and --uuid the same\n"
    "input gives the same bytes. A warning names an init that is not an executable\n"
    "file in ROOT when no mount of the manifest covers its path.\n"
    "\n"
    "  -m, --manifest-path FILE  the manifest\n"
    "  -o, --out PATH            the NPK to write, or a directory for NAME-VERSION.npk\n"
    "  -r, --root DIR            the container's root filesystem\n"
    "  -k, --key FILE            raw 32-byte Ed25519 seed to sign with\n"
    "  -c, --compression C       gzip (default) or none; lzo, xz, zstd with --mksquashfs\n"
    "  -b, --block-size N        squashfs block size (4096 .. 1048576, a power of two)\n"
    "      --clones N            write N copies named NAME-0 .. NAME-(N-1) (OUT a directory)\n"
    "      --mksquashfs BIN      build the image with this mksquashfs instead\n"
    "      --no-fragments        give every file its own data blocks\n"
    "      --salt HEX            verity salt (64 hex digits) instead of a random one\n"
    "      --uuid UUID           verity superblock UUID instead of a random one\n";

struct pack_args {
	const char *manifest, *out, *root, *key, *comp, *mksquashfs;
	const char *salt_hex, *uuid_str;
	uint32_t block_size;
	unsigned long clones;
	bool no_fragments;
	uint8_t salt[NS_NPK_SALT_SIZE], uuid[16];
	uint32_t mtime;
};

/* n bytes of hex; dashes are skipped so UUIDs can be written canonically. */
static int parse_hex(const char *s, uint8_t *out, size_t n)
{
	size_t j = 0;
	for (; *s; s++) {
		if (*s == '-')
			continue;
		int v = ns_hex_digit(*s);
		if (v < 0 || j >= 2 * n)
			return -EINVAL;
		out[j / 2] = (uint8_t)(j % 2 ? out[j / 2] | v : v << 4);
		j++;
	}
	return j == 2 * n ? 0 : -EINVAL;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v > max || s[0] == '-')
		return -EINVAL;
	*out = v;
	return 0;
}

static int check_args(struct pack_args *a)
{
	const char *cmd = "sextant pack";
	if (!a->manifest || !a->out)
		return applet_usage_error(cmd, "--manifest-path and --out are required");
	if (a->salt_hex && parse_hex(a->salt_hex, a->salt, sizeof(a->salt)) < 0)
		return applet_usage_error(cmd, "--salt needs %zu hex digits", 2 * sizeof(a->salt));
	if (a->uuid_str && parse_hex(a->uuid_str, a->uuid, sizeof(a->uuid)) < 0)
		return applet_usage_error(cmd, "--uuid needs a UUID (32 hex digits)");
	if (a->block_size &&
	    (a->block_size < NS_SQFS_BLOCK_MIN || a->block_size > NS_SQFS_BLOCK_MAX ||
	     (a->block_size & (a->block_size - 1))))
		return applet_usage_error(cmd,
					  "--block-size must be a power of two in 4096..1048576");
	static const char *comps[] = {"gzip", "none", "lzo", "xz", "zstd"};
	bool known = false;
	for (size_t i = 0; i < ARRAY_SIZE(comps); i++)
		known |= !strcmp(a->comp, comps[i]);
	if (!known)
		return applet_usage_error(cmd, "unknown compression '%s'", a->comp);
	if (!a->mksquashfs && strcmp(a->comp, "gzip") && strcmp(a->comp, "none"))
		return applet_usage_error(cmd, "compression '%s' needs --mksquashfs", a->comp);
	const char *epoch = getenv("SOURCE_DATE_EPOCH");
	unsigned long t = 0;
	if (epoch && *epoch && parse_uint(epoch, UINT32_MAX, &t) < 0)
		return applet_usage_error(cmd, "SOURCE_DATE_EPOCH is not a time: '%s'", epoch);
	a->mtime = (uint32_t)t;
	return 0;
}

static int parse_args(int argc, char **argv, struct pack_args *a)
{
	enum { O_CLONES = 256, O_MKSQ, O_NOFRAG, O_SALT, O_UUID };
	static const struct option opts[] = {{"manifest-path", required_argument, NULL, 'm'},
					     {"out", required_argument, NULL, 'o'},
					     {"root", required_argument, NULL, 'r'},
					     {"key", required_argument, NULL, 'k'},
					     {"compression", required_argument, NULL, 'c'},
					     {"block-size", required_argument, NULL, 'b'},
					     {"clones", required_argument, NULL, O_CLONES},
					     {"mksquashfs", required_argument, NULL, O_MKSQ},
					     {"no-fragments", no_argument, NULL, O_NOFRAG},
					     {"salt", required_argument, NULL, O_SALT},
					     {"uuid", required_argument, NULL, O_UUID},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	unsigned long v;
	int c;
	a->comp = "gzip";
	while ((c = getopt_long(argc, argv, "+m:o:r:k:c:b:h", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			a->manifest = optarg;
			break;
		case 'o':
			a->out = optarg;
			break;
		case 'r':
			a->root = optarg;
			break;
		case 'k':
			a->key = optarg;
			break;
		case 'c':
			a->comp = optarg;
			break;
		case O_MKSQ:
			a->mksquashfs = optarg;
			break;
		case O_NOFRAG:
			a->no_fragments = true;
			break;
		case O_SALT:
			a->salt_hex = optarg;
			break;
		case O_UUID:
			a->uuid_str = optarg;
			break;
		case 'b':
			if (parse_uint(optarg, UINT32_MAX, &v) < 0)
				return applet_usage_error("sextant pack", "bad block size '%s'",
							  optarg);
			a->block_size = (uint32_t)v;
			break;
		case O_CLONES:
			if (parse_uint(optarg, 100000, &v) < 0 || v == 0)
				return applet_usage_error("sextant pack", "bad --clones '%s'",
							  optarg);
			a->clones = v;
			break;
		case 'h':
			fputs(usage, stdout);
			return -1;
		default:
			return applet_usage_error("sextant pack", "bad option");
		}
	}
	if (optind != argc)
		return applet_usage_error("sextant pack", "unexpected argument '%s'", argv[optind]);
	return check_args(a);
}

/* An unnamed file beside the output: the image never shows up under a name. */
static int image_tmpfile(const char *dir, struct ns_err *err)
{
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0)
		return ns_err_sys(err, errno, "create a temporary image in '%s'", dir);
	return fd;
}

static int build_native(const struct pack_args *a, const struct ns_manifest *m,
			const struct ns_fsx_list *extras, int fd, struct ns_err *err)
{
	struct ns_sqfs_opts o;
	ns_sqfs_opts_init(&o);
	o.comp = strcmp(a->comp, "none") ? NS_SQFS_GZIP : NS_SQFS_NONE;
	o.block_size = a->block_size;
	o.force_ids = true;
	o.uid = m->uid;
	o.gid = m->gid;
	o.mtime = a->mtime;
	o.no_fragments = a->no_fragments;
	return ns_sqfs_write(a->root, extras, &o, fd, NULL, err);
}

/* mksquashfs writes to a path: a temporary name, opened and unlinked at once. */
static int build_mksquashfs(const struct pack_args *a, const struct ns_manifest *m,
			    const struct ns_fsx_list *extras, const char *dir, struct ns_err *err)
{
	char path[PATH_MAX];
	if (snprintf(path, sizeof(path), "%s/.sextant-image-%d", dir, getpid()) >=
	    (int)sizeof(path))
		return ns_err_set(err, ENAMETOOLONG, "output directory path too long");
	struct ns_mksquashfs_opts o = {.bin = a->mksquashfs,
				       .root = a->root,
				       .uid = m->uid,
				       .gid = m->gid,
				       .compression = a->comp,
				       .block_size = a->block_size,
				       .no_fragments = a->no_fragments,
				       .has_mtime = true,
				       .mtime = a->mtime};
	int r = ns_mksquashfs(&o, extras, path, err);
	if (r < 0)
		return r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		r = ns_err_sys(err, errno, "open '%s'", path);
	unlink(path);
	return r < 0 ? r : fd;
}

static int build_image(const struct pack_args *a, const struct ns_manifest *m, const char *dir,
		       struct ns_err *err)
{
	struct ns_fsx_list extras = {0};
	int r = ns_manifest_fs_extras(m, &extras, err);
	if (r < 0)
		return r;
	int fd;
	if (a->mksquashfs) {
		fd = build_mksquashfs(a, m, &extras, dir, err);
	} else {
		fd = image_tmpfile(dir, err);
		if (fd >= 0 && (r = build_native(a, m, &extras, fd, err)) < 0) {
			close(fd);
			fd = r;
		}
	}
	ns_fsx_list_free(&extras);
	return fd < 0 ? ns_err_wrap(err, "squashfs image") : fd;
}

static int write_one(const struct pack_args *a, struct ns_manifest *m, int image_fd,
		     const struct ns_seckey *key, const char *path, struct ns_err *err)
{
	ns_autofree char *yaml = NULL;
	size_t len;
	int r = ns_manifest_to_yaml(m, &yaml, &len, err);
	if (r < 0)
		return r;
	struct ns_npk_pack p = {.manifest = yaml,
				.manifest_len = len,
				.image_fd = image_fd,
				.key = key,
				.salt = a->salt_hex ? a->salt : NULL,
				.uuid = a->uuid_str ? a->uuid : NULL};
	r = ns_npk_write(&p, path, err);
	if (r == 0)
		printf("wrote %s\n", path);
	return r;
}

/* --clones N: NAME-00 .. NAME-(N-1), zero-padded to the digits of N. */
static int write_npks(const struct pack_args *a, struct ns_manifest *m, int image_fd,
		      const struct ns_seckey *key, bool out_is_dir, struct ns_err *err)
{
	char path[PATH_MAX], ver[64], name[NS_NAME_MAX + 16];
	ns_version_str(&m->version, ver, sizeof(ver));
	if (!a->clones || ns_manifest_is_resource(m)) {
		if (!out_is_dir)
			return write_one(a, m, image_fd, key, a->out, err);
		snprintf(path, sizeof(path), "%s/%s-%s.npk", a->out, m->name, ver);
		return write_one(a, m, image_fd, key, path, err);
	}
	if (!out_is_dir)
		return ns_err_set(err, ENOTDIR, "--clones needs --out to be a directory");
	const char *base = m->name;
	int digits = snprintf(NULL, 0, "%lu", a->clones);
	int r = 0;
	for (unsigned long i = 0; i < a->clones && r == 0; i++) {
		snprintf(name, sizeof(name), "%s-%0*lu", base, digits, i);
		if (!ns_name_valid(name, strlen(name)))
			return ns_err_set(err, EINVAL, "clone name '%s' is too long", name);
		m->name = name;
		snprintf(path, sizeof(path), "%s/%s-%s.npk", a->out, name, ver);
		r = write_one(a, m, image_fd, key, path, err);
	}
	m->name = base;
	return r;
}

/* The output's directory: temporary files go there, so the rename is atomic. */
static void out_dir(const char *out, bool out_is_dir, char *dir, size_t size)
{
	snprintf(dir, size, "%s", out);
	if (out_is_dir)
		return;
	char *slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, size, ".");
	else
		slash[slash == dir] = '\0';
}

static int pack_manifest(const struct pack_args *a, struct ns_manifest *m,
			 const struct ns_seckey *key, struct ns_err *err)
{
	struct stat st;
	bool out_is_dir = stat(a->out, &st) == 0 && S_ISDIR(st.st_mode);
	char dir[PATH_MAX];
	out_dir(a->out, out_is_dir, dir, sizeof(dir));
	ns_autoclose int image = build_image(a, m, dir, err);
	if (image < 0)
		return image;
	return write_npks(a, m, image, key, out_is_dir, err);
}

static int pack(const struct pack_args *a, struct ns_err *err)
{
	ns_autofree char *text = NULL;
	size_t len;
	int r = ns_read_file_at(AT_FDCWD, a->manifest, NS_NPK_MANIFEST_MAX, &text, &len, err);
	if (r < 0)
		return r;
	struct ns_manifest m;
	r = ns_manifest_parse(a->manifest, text, len, &m, err);
	if (r < 0)
		return r;
	sextant_pack_check_init(a->manifest, a->root, &m);
	struct ns_seckey key;
	if (a->key)
		r = ns_seckey_load(a->key, &key, err);
	if (r == 0)
		r = pack_manifest(a, &m, a->key ? &key : NULL, err);
	if (a->key)
		ns_seckey_wipe(&key);
	ns_manifest_free(&m);
	return r;
}

int sextant_pack(int argc, char **argv)
{
	struct pack_args a = {0};
	int r = parse_args(argc, argv, &a);
	if (r)
		return r < 0 ? 0 : r;
	struct ns_err err;
	if (pack(&a, &err) < 0)
		return sextant_fail("pack", &err);
	return 0;
}
