/* Drives libns's NPK code from shell tests and benchmarks (the real CLI is sextant).
 *
 *   npktool pack IMAGE MANIFEST OUT [-k KEY] [-s SALT_HEX] [-u UUID]
 *   npktool info NPK [-p PUB]            offsets, verity parameters, entries
 *   npktool verify NPK [-p PUB]          the full check of sextant verify
 *   npktool extract NPK DIR
 *   npktool gen-key DIR NAME
 *   npktool verity-format DATA HASH HASH_OFFSET DATA_BYTES SALT_HEX UUID
 *                                        as veritysetup format; prints the root hash
 */
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libns/io.h"
#include "libns/npk.h"
#include "libns/sha256.h"
#include "libns/util.h"

static int fail(const char *what, const struct ns_err *err)
{
	fprintf(stderr, "npktool: %s: %s\n", what, err->msg);
	return 1;
}

/* Hex (dashes skipped, as in a UUID) into exactly len bytes. */
static int unhex(const char *s, uint8_t *out, size_t len)
{
	size_t n = 0;
	for (; *s && n < 2 * len; s++) {
		if (*s == '-')
			continue;
		char c[2] = {*s, 0};
		char *end;
		unsigned long v = strtoul(c, &end, 16);
		if (*end)
			return -1;
		out[n / 2] = (uint8_t)(n % 2 ? out[n / 2] | v : v << 4);
		n++;
	}
	return *s || n != 2 * len ? -1 : 0;
}

static int cmd_pack(int argc, char **argv)
{
	struct ns_err err = {0};
	struct ns_seckey key;
	uint8_t salt[NS_NPK_SALT_SIZE], uuid[16];
	struct ns_npk_pack p = {0};
	const char *key_path = NULL, *salt_hex = NULL, *uuid_str = NULL;
	int c;
	while ((c = getopt(argc, argv, "k:s:u:")) != -1) {
		if (c == 'k')
			key_path = optarg;
		else if (c == 's')
			salt_hex = optarg;
		else if (c == 'u')
			uuid_str = optarg;
		else
			return 2;
	}
	if (argc - optind != 3)
		return 2;
	if (salt_hex && unhex(salt_hex, salt, sizeof(salt)) < 0)
		return fprintf(stderr, "npktool: bad salt\n"), 2;
	if (uuid_str && unhex(uuid_str, uuid, sizeof(uuid)) < 0)
		return fprintf(stderr, "npktool: bad uuid\n"), 2;
	ns_autoclose int img = open(argv[optind], O_RDONLY | O_CLOEXEC);
	if (img < 0)
		return perror(argv[optind]), 1;
	ns_autofree char *manifest = NULL;
	if (ns_read_file_at(AT_FDCWD, argv[optind + 1], NS_NPK_MANIFEST_MAX, &manifest,
			    &p.manifest_len, &err) < 0)
		return fail("manifest", &err);
	if (key_path && ns_seckey_load(key_path, &key, &err) < 0)
		return fail("key", &err);
	p.manifest = manifest;
	p.image_fd = img;
	p.key = key_path ? &key : NULL;
	p.salt = salt_hex ? salt : NULL;
	p.uuid = uuid_str ? uuid : NULL;
	int r = ns_npk_write(&p, argv[optind + 2], &err);
	ns_seckey_wipe(&key);
	return r < 0 ? fail("pack", &err) : 0;
}

static void print_info(const struct ns_npk *n)
{
	char hex[2 * NS_VERITY_SALT_MAX + 1];
	printf("entries:");
	for (size_t i = 0; i < n->zip.n; i++)
		printf(" %s", n->zip.entries[i].name);
	printf("\nfs_offset: %" PRIu64 "\nfs_size: %" PRIu64 "\n", n->fs_offset, n->fs_size);
	printf("signed: %s\nverified: %s\n", n->has_signature ? "yes" : "no",
	       n->verified ? "yes" : "no");
	printf("name: %s\n", n->manifest.name);
	if (!n->has_verity)
		return;
	printf("verity_offset: %" PRIu64 "\n", n->verity_offset);
	printf("data_blocks: %" PRIu64 "\n", n->verity.data_blocks);
	printf("hash_start_block: %" PRIu64 "\n", n->verity.hash_start_block);
	printf("root_hash: %s\n", ns_hex(n->verity.root_hash, 32, hex));
	printf("salt: %s\n", ns_hex(n->verity.salt, n->verity.salt_size, hex));
	printf("uuid: %s\n", ns_hex(n->verity_sb.uuid, 16, hex));
}

static int cmd_open(int argc, char **argv, int verify)
{
	struct ns_err err = {0};
	struct ns_pubkey pub;
	struct ns_npk npk;
	const char *pub_path = NULL;
	int c;
	while ((c = getopt(argc, argv, "p:")) != -1) {
		if (c != 'p')
			return 2;
		pub_path = optarg;
	}
	if (argc - optind != 1)
		return 2;
	if (pub_path && ns_pubkey_load(pub_path, &pub, &err) < 0)
		return fail("key", &err);
	ns_autoclose int fd = open(argv[optind], O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return perror(argv[optind]), 1;
	int r = verify ? ns_npk_verify(fd, pub_path ? &pub : NULL, &npk, &err)
		       : ns_npk_open(fd, pub_path ? &pub : NULL, &npk, &err);
	if (r < 0)
		return fail(argv[optind], &err);
	if (verify)
		printf("%s: OK\n", argv[optind]);
	else
		print_info(&npk);
	ns_npk_close(&npk);
	return 0;
}

static int cmd_extract(int argc, char **argv)
{
	struct ns_err err = {0};
	struct ns_zip z;
	if (argc != 4)
		return 2;
	ns_autoclose int fd = open(argv[2], O_RDONLY | O_CLOEXEC);
	ns_autoclose int dir = open(argv[3], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || dir < 0)
		return perror("open"), 1;
	off_t size = lseek(fd, 0, SEEK_END);
	if (ns_zip_open(fd, (uint64_t)size, &z, &err) < 0 || ns_zip_extract(fd, &z, dir, &err) < 0)
		return fail("extract", &err);
	return 0;
}

static int cmd_verity_format(int argc, char **argv)
{
	struct ns_err err = {0};
	uint8_t salt[NS_VERITY_SALT_MAX], uuid[16], root[32];
	char hex[65];
	if (argc != 8)
		return 2;
	size_t salt_len = strlen(argv[6]) / 2;
	if (salt_len > sizeof(salt) || unhex(argv[6], salt, salt_len) < 0 ||
	    unhex(argv[7], uuid, 16) < 0)
		return fprintf(stderr, "npktool: bad salt or uuid\n"), 2;
	ns_autoclose int data = open(argv[2], O_RDONLY | O_CLOEXEC);
	ns_autoclose int hash = open(argv[3], O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (data < 0 || hash < 0)
		return perror("open"), 1;
	if (ns_verity_format(data, 0, strtoull(argv[5], NULL, 0), hash, strtoull(argv[4], NULL, 0),
			     salt, salt_len, uuid, root, &err) < 0)
		return fail("verity-format", &err);
	printf("%s\n", ns_hex(root, 32, hex));
	return 0;
}

int main(int argc, char **argv)
{
	struct ns_err err = {0};
	const char *cmd = argc > 1 ? argv[1] : "";
	int r = 2;
	if (!strcmp(cmd, "pack"))
		r = cmd_pack(argc - 1, argv + 1);
	else if (!strcmp(cmd, "info") || !strcmp(cmd, "verify"))
		r = cmd_open(argc - 1, argv + 1, !strcmp(cmd, "verify"));
	else if (!strcmp(cmd, "extract"))
		r = cmd_extract(argc, argv);
	else if (!strcmp(cmd, "gen-key") && argc == 4)
		r = ns_keypair_generate(argv[2], argv[3], &err) < 0 ? fail("gen-key", &err) : 0;
	else if (!strcmp(cmd, "verity-format"))
		r = cmd_verity_format(argc, argv);
	if (r == 2)
		fprintf(stderr, "usage: see the comment at the top of tests/helpers/npktool.c\n");
	return r;
}
