#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libns/bytes.h"
#include "libns/npk.h"
#include "libns/sha256.h"
#include "libns/util.h"
#include "testlib.h"

#define BS 4096

static const char manifest[] = "name: hello\nversion: 0.0.2\ninit: /hello\nuid: 100\ngid: 1\n";
static const uint8_t salt[32] = {0x7d, 0x43, 0x42, 0xe3};
static const uint8_t uuid[16] = {0x4e, 0x49, 0xfa, 0x0c, 0x46, 0x08, 0x49, 0x96};

static const char *fixture(const char *name)
{
	static char path[1024];
	const char *top = getenv("NS_TOP");
	snprintf(path, sizeof(path), "%s/tests/fixtures/%s", top ? top : ".", name);
	return path;
}

static const char *tmp(const char *name)
{
	static char path[4][600];
	static int next;
	char *p = path[next++ % 4];
	snprintf(p, 600, "%s/%s", ns_test_tmpdir(), name);
	return p;
}

static void key_from_byte(uint8_t b, struct ns_seckey *k)
{
	struct ns_err err;
	uint8_t seed[32];
	memset(seed, b, sizeof(seed));
	if (ns_seckey_from_seed(seed, k, &err) < 0)
		abort();
}

/* An "image" of pseudo-random bytes: the NPK code never looks inside squashfs. */
static int image_fd(size_t len)
{
	uint8_t *d = malloc(len);
	uint32_t x = 88172645u;
	for (size_t i = 0; i < len; i++) {
		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		d[i] = (uint8_t)x;
	}
	int fd = memfd_create("image", MFD_CLOEXEC);
	if (fd < 0 || write(fd, d, len) != (ssize_t)len)
		abort();
	free(d);
	return fd;
}

static int pack(const char *path, const char *man, size_t image_len, const struct ns_seckey *k,
		struct ns_err *err)
{
	ns_autoclose int img = image_fd(image_len);
	struct ns_npk_pack p = {.manifest = man,
				.manifest_len = strlen(man),
				.image_fd = img,
				.key = k,
				.salt = salt,
				.uuid = uuid};
	return ns_npk_write(&p, path, err);
}

static int open_path(const char *path, const struct ns_pubkey *k, struct ns_npk *npk,
		     struct ns_err *err)
{
	return ns_npk_open_path(path, k, npk, err);
}

static int verify_path(const char *path, const struct ns_pubkey *k, struct ns_err *err)
{
	struct ns_npk npk;
	ns_autoclose int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		abort();
	int r = ns_npk_verify(fd, k, &npk, err);
	if (r >= 0)
		ns_npk_close(&npk);
	return r;
}

static int test_corpus_with_key(void)
{
	struct ns_err err;
	struct ns_pubkey pub;
	struct ns_npk npk;
	char hex[65];
	if (access(fixture("northstar.pub"), R_OK) < 0)
		return ns_test_skip("fixtures not found (set NS_TOP)");
	CHECK_OK(ns_pubkey_load(fixture("northstar.pub"), &pub, &err), &err);
	CHECK_OK(open_path(fixture("message-0.0.1.npk"), &pub, &npk, &err), &err);
	CHECK(npk.verified && npk.has_signature && npk.has_verity);
	CHECK_STR(npk.manifest.name, "message");
	CHECK_INT(npk.manifest.uid, 1000);
	CHECK_INT(npk.meta_version.minor, 9);
	CHECK_INT(npk.meta_version.patch, 3);
	CHECK_STR(npk.comment, "---\nversion: 0.9.3\n");
	CHECK(!strncmp(npk.manifest_text, "---\nname: message\n", 18));
	CHECK_INT(npk.zip.n, 3);
	CHECK_STR(npk.zip.entries[1].name, "signature.yaml");
	CHECK_INT(npk.fs_offset, 4096);
	CHECK_INT(npk.fs_size, 8192);
	CHECK_INT(npk.verity_offset, 4096);
	CHECK_INT(npk.verity.data_blocks, 1);
	CHECK_INT(npk.verity.hash_start_block, 2);
	CHECK_INT(npk.verity.data_block_size, 4096);
	CHECK_INT(npk.verity.salt_size, 32);
	CHECK_STR(ns_hex(npk.verity.root_hash, 32, hex),
		  "3fdd3c384bafe2ec7dd9531c6b41fdf3e53430cb841300954126f30dd840c619");
	ns_npk_close(&npk);
	CHECK_INT(npk.fd, -1);
	CHECK_OK(verify_path(fixture("message-0.0.1.npk"), &pub, &err), &err);
	return 0;
}

static int test_corpus_other_key_and_no_key(void)
{
	struct ns_err err;
	struct ns_seckey other;
	struct ns_npk npk;
	if (access(fixture("message-0.0.1.npk"), R_OK) < 0)
		return ns_test_skip("fixtures not found (set NS_TOP)");
	key_from_byte(7, &other);
	CHECK_FAIL(open_path(fixture("message-0.0.1.npk"), &other.pub, &npk, &err), &err,
		   "message-0.0.1.npk: signature.yaml: invalid signature");
	CHECK_FAIL(verify_path(fixture("message-0.0.1.npk"), &other.pub, &err), &err,
		   "invalid signature");
	CHECK_OK(open_path(fixture("message-0.0.1.npk"), NULL, &npk, &err), &err);
	CHECK(!npk.verified && npk.has_signature && !npk.has_verity);
	CHECK_STR(npk.manifest.name, "message");
	ns_npk_close(&npk);
	CHECK_OK(verify_path(fixture("message-0.0.1.npk"), NULL, &err), &err);
	return 0;
}

static int read_file(const char *path, uint8_t **data, size_t *len)
{
	struct stat st;
	ns_autoclose int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		return -1;
	*data = malloc((size_t)st.st_size + 1);
	*len = (size_t)st.st_size;
	return pread(fd, *data, *len, 0) == (ssize_t)*len ? 0 : -1;
}

static int test_round_trip_signed(void)
{
	struct ns_err err;
	struct ns_seckey k;
	struct ns_npk npk;
	key_from_byte(1, &k);
	const size_t image_len = 300 * BS + 100; /* a partial block: padded to 301 */
	CHECK_OK(pack(tmp("s.npk"), manifest, image_len, &k, &err), &err);
	CHECK_OK(open_path(tmp("s.npk"), &k.pub, &npk, &err), &err);
	CHECK(npk.verified && npk.has_verity);
	CHECK_INT(npk.fs_offset % BS, 0);
	CHECK_INT(npk.verity_offset, 301 * BS);
	CHECK_INT(npk.fs_size, 301 * BS + BS + ns_verity_tree_size(301));
	CHECK_INT(npk.verity.hash_start_block, 302);
	CHECK(memcmp(npk.verity.salt, salt, 32) == 0);
	CHECK(memcmp(npk.verity_sb.uuid, uuid, 16) == 0);
	CHECK_STR(npk.comment, NS_NPK_COMMENT);
	CHECK_INT(npk.manifest_len, strlen(manifest));
	CHECK_INT(npk.signature_len, 376 + 7);
	CHECK_STR(npk.zip.entries[0].name, "manifest.yaml");
	CHECK_STR(npk.zip.entries[2].name, "fs.img");
	ns_npk_close(&npk);
	CHECK_OK(verify_path(tmp("s.npk"), &k.pub, &err), &err);
	/* the same salt and UUID give the same bytes */
	CHECK_OK(pack(tmp("s2.npk"), manifest, image_len, &k, &err), &err);
	uint8_t *a, *b;
	size_t alen, blen;
	CHECK(read_file(tmp("s.npk"), &a, &alen) == 0 && read_file(tmp("s2.npk"), &b, &blen) == 0);
	CHECK(alen == blen && memcmp(a, b, alen) == 0);
	free(a);
	free(b);
	ns_seckey_wipe(&k);
	return 0;
}

static int test_round_trip_unsigned(void)
{
	struct ns_err err;
	struct ns_seckey k;
	struct ns_npk npk;
	key_from_byte(1, &k);
	CHECK_OK(pack(tmp("u.npk"), manifest, 5 * BS + 7, NULL, &err), &err);
	CHECK_OK(open_path(tmp("u.npk"), NULL, &npk, &err), &err);
	CHECK(!npk.has_signature && !npk.verified && !npk.has_verity);
	CHECK_INT(npk.zip.n, 2);
	CHECK_INT(npk.fs_size, 5 * BS + 7); /* the bare image */
	CHECK_INT(npk.fs_offset, BS);
	ns_npk_close(&npk);
	CHECK_OK(verify_path(tmp("u.npk"), NULL, &err), &err);
	CHECK_FAIL(open_path(tmp("u.npk"), &k.pub, &npk, &err), &err,
		   "failed to locate signature.yaml in ZIP file");
	ns_seckey_wipe(&k);
	return 0;
}

static int count_entries(const char *dir)
{
	ns_autoclosedir DIR *d = opendir(dir);
	int n = 0;
	for (struct dirent *e; (e = readdir(d));)
		n += e->d_name[0] != '.' || (e->d_name[1] && strcmp(e->d_name, ".."));
	return n;
}

static int test_write_failures_leave_nothing(void)
{
	struct ns_err err;
	struct ns_seckey k;
	char dir[600];
	key_from_byte(1, &k);
	snprintf(dir, sizeof(dir), "%s/out", ns_test_tmpdir());
	CHECK(mkdir(dir, 0755) == 0);
	snprintf(dir + strlen(dir), 100, "/x.npk");
	CHECK_FAIL(pack(dir, "name: x\nversion: 1.0.0\nuid: 0\ngid: 1\n", BS, &k, &err), &err,
		   "uid must be greater than 0");
	CHECK_FAIL(pack(dir, manifest, 0, &k, &err), &err, "the image is empty");
	CHECK(mkdir(dir, 0755) == 0); /* the output path is a directory: the rename fails */
	CHECK_FAIL(pack(dir, manifest, BS, &k, &err), &err, "write '");
	CHECK(strstr(err.msg, "x.npk': rename '"));
	CHECK(rmdir(dir) == 0);
	dir[strlen(dir) - 6] = '\0';
	CHECK_INT(count_entries(dir), 0);
	CHECK_FAIL(pack("/nonexistent-dir/x.npk", manifest, BS, &k, &err), &err,
		   "create a temporary file beside '/nonexistent-dir/x.npk'");
	ns_seckey_wipe(&k);
	return 0;
}

/* --- tampering ------------------------------------------------------------------------ */

static void flip_at(const char *path, uint64_t off, uint8_t bit)
{
	uint8_t c;
	int fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0 || pread(fd, &c, 1, (off_t)off) != 1)
		abort();
	c ^= bit;
	if (pwrite(fd, &c, 1, (off_t)off) != 1)
		abort();
	close(fd);
}

/* Rewrites an entry's CRC-32 in its local and central headers, so only the
 * cryptography can notice a change to its data. */
static int repair_crc(const char *path, const char *name)
{
	struct ns_err err;
	struct ns_zip z;
	struct stat st;
	uint32_t crc;
	uint8_t le[4];
	ns_autoclose int fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 || ns_zip_open(fd, (uint64_t)st.st_size, &z, &err) < 0)
		return -1;
	const struct ns_zip_entry *e = ns_zip_find(&z, name);
	if (ns_zip_crc_range(fd, e->data_offset, e->size, &crc, &err) < 0)
		return -1;
	ns_put_le32(le, crc);
	if (pwrite(fd, le, 4, (off_t)e->lfh_offset + 14) != 4)
		return -1;
	uint8_t cd[4096];
	if (pread(fd, cd, z.cd_size, (off_t)z.cd_offset) != (ssize_t)z.cd_size)
		return -1;
	for (size_t p = 0; p < z.cd_size;) {
		size_t nlen = ns_le16(cd + p + 28);
		if (nlen == strlen(name) && !memcmp(cd + p + 46, name, nlen))
			return pwrite(fd, le, 4, (off_t)(z.cd_offset + p + 16)) == 4 ? 0 : -1;
		p += 46 + nlen + ns_le16(cd + p + 30) + ns_le16(cd + p + 32);
	}
	return -1;
}

struct layout {
	uint64_t manifest, signature, fs, verity_offset, tree;
};

static int signed_copy(const char *path, const struct ns_seckey *k, struct layout *l)
{
	struct ns_err err;
	struct ns_npk npk;
	if (pack(path, manifest, 300 * BS, k, &err) < 0 || open_path(path, NULL, &npk, &err) < 0)
		return -1;
	l->manifest = ns_zip_find(&npk.zip, "manifest.yaml")->data_offset;
	l->signature = ns_zip_find(&npk.zip, "signature.yaml")->data_offset;
	l->fs = npk.fs_offset;
	l->verity_offset = 300 * BS;
	l->tree = l->fs + l->verity_offset + BS;
	ns_npk_close(&npk);
	return 0;
}

static int test_tamper(void)
{
	struct ns_err err;
	struct ns_seckey k;
	struct ns_npk npk;
	struct layout l;
	const char *p = tmp("t.npk");
	key_from_byte(3, &k);

	CHECK(signed_copy(p, &k, &l) == 0);
	flip_at(p, l.manifest + 6, 0x01);
	CHECK_FAIL(open_path(p, &k.pub, &npk, &err), &err, "zip entry 'manifest.yaml': CRC-32");
	CHECK(repair_crc(p, "manifest.yaml") == 0);
	CHECK_FAIL(open_path(p, &k.pub, &npk, &err), &err, "invalid manifest hash (expected=");

	CHECK(signed_copy(p, &k, &l) == 0);
	flip_at(p, l.signature + 300, 0x01); /* in verity-offset's digits */
	CHECK(repair_crc(p, "signature.yaml") == 0);
	CHECK_FAIL(open_path(p, &k.pub, &npk, &err), &err, "signature.yaml: invalid signature");

	CHECK(signed_copy(p, &k, &l) == 0);
	flip_at(p, l.signature + 320, 0x20); /* a base64 letter changes case */
	CHECK(repair_crc(p, "signature.yaml") == 0);
	CHECK_FAIL(open_path(p, &k.pub, &npk, &err), &err, "signature.yaml: invalid signature");

	CHECK(signed_copy(p, &k, &l) == 0);
	struct stat st;
	CHECK(stat(p, &st) == 0);
	flip_at(p, (uint64_t)st.st_size - 2, 0x01); /* "version: 0.9.3\n" -> "0.9.2" */
	CHECK_FAIL(open_path(p, &k.pub, &npk, &err), &err, "invalid meta hash (expected=");

	/* fs.img: the runtime's dm-verity (or a full verify) catches these */
	CHECK(signed_copy(p, &k, &l) == 0);
	flip_at(p, l.fs + 123 * BS + 9, 0x80);
	CHECK(repair_crc(p, "fs.img") == 0);
	CHECK_OK(open_path(p, &k.pub, &npk, &err), &err);
	ns_npk_close(&npk);
	CHECK_FAIL(verify_path(p, &k.pub, &err), &err,
		   "fs.img: verity: data block 123 (file offset");
	CHECK_FAIL(verify_path(p, NULL, &err), &err, "fs.img: verity: data block 123");

	CHECK(signed_copy(p, &k, &l) == 0);
	flip_at(p, l.tree + BS + 64, 0x01); /* level 0, block 0, the third digest */
	CHECK(repair_crc(p, "fs.img") == 0);
	CHECK_FAIL(verify_path(p, &k.pub, &err), &err,
		   "fs.img: verity: hash block at level 0 index 0");

	CHECK(signed_copy(p, &k, &l) == 0);
	flip_at(p, l.fs + l.verity_offset + 88, 0x01); /* the salt is not signed */
	CHECK(repair_crc(p, "fs.img") == 0);
	CHECK_FAIL(verify_path(p, &k.pub, &err), &err,
		   "hash block at level 1 index 0 (file offset");
	CHECK(strstr(err.msg, "does not match the root hash"));
	ns_seckey_wipe(&k);
	return 0;
}

/* Superblock fields the signature does not cover, each fatal at open. */
static int test_tamper_superblock(void)
{
	static const struct {
		size_t off;
		uint8_t bit;
		const char *needle;
	} cases[] = {
	    {0, 0x20, "fs.img offset 1228800: verity superblock: bad magic"},
	    {8, 0x02, "version 3, expected 1"},
	    {12, 0x01, "hash type 0"},
	    {32, 0x01, "algorithm 'rha256'"},
	    {65, 0x01, "block sizes 4352/4096"},
	    {69, 0x10, "block sizes 4096/0"},
	    {72, 0x01, "301 data blocks of 4096 bytes, but the signed data size is 1228800"},
	    {81, 0x01, "salt size 288 is above 256"},
	};
	struct ns_err err;
	struct ns_seckey k;
	struct ns_npk npk;
	struct layout l;
	const char *p = tmp("sb.npk");
	key_from_byte(3, &k);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		CHECK(signed_copy(p, &k, &l) == 0);
		flip_at(p, l.fs + l.verity_offset + cases[i].off, cases[i].bit);
		CHECK(repair_crc(p, "fs.img") == 0);
		CHECK_FAIL(open_path(p, &k.pub, &npk, &err), &err, cases[i].needle);
	}
	ns_seckey_wipe(&k);
	return 0;
}

/* Writes an NPK from parts (signature may be NULL, extra names a fourth entry). */
static int custom_npk(const char *path, const char *man, const char *sig, const uint8_t *fs,
		      size_t fs_len, const char *comment, const char *extra)
{
	struct ns_err err;
	struct ns_zip_writer w;
	ns_autoclose int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ns_zip_writer_init(&w, fd);
	if (man && ns_zip_writer_add(&w, "manifest.yaml", man, strlen(man), &err) < 0)
		return -1;
	if (sig && ns_zip_writer_add(&w, "signature.yaml", sig, strlen(sig), &err) < 0)
		return -1;
	if (extra && ns_zip_writer_add(&w, extra, "x", 1, &err) < 0)
		return -1;
	if (fs &&
	    (ns_zip_writer_begin(&w, "fs.img", BS, &err) < 0 ||
	     ns_zip_writer_write(&w, fs, fs_len, &err) < 0 || ns_zip_writer_end(&w, &err) < 0))
		return -1;
	return ns_zip_writer_finish(&w, comment, strlen(comment), &err);
}

/* A correctly signed signature.yaml for fs.img with the given root and offset. */
static const char *signature_for(const struct ns_seckey *k, const uint8_t root[32], uint64_t off)
{
	static char text[NS_SIGNATURE_MAX];
	struct ns_npk_hashes h = {.verity_offset = off};
	ns_sha256(NS_NPK_COMMENT, strlen(NS_NPK_COMMENT), h.meta);
	ns_sha256(manifest, strlen(manifest), h.manifest);
	memcpy(h.verity_root, root, 32);
	return ns_signature_yaml(&h, k, text, sizeof(text)) > 0 ? text : NULL;
}

/* A signed verity-offset that does not point at the superblock. */
static int test_verity_offset_tampering(void)
{
	struct ns_err err;
	struct ns_seckey k;
	struct ns_npk npk;
	key_from_byte(5, &k);
	CHECK_OK(pack(tmp("v.npk"), manifest, 200 * BS, &k, &err), &err);
	CHECK_OK(open_path(tmp("v.npk"), &k.pub, &npk, &err), &err);
	size_t fs_len = (size_t)npk.fs_size;
	uint8_t *fs = calloc(1, fs_len + BS), root[32];
	memcpy(root, npk.verity.root_hash, 32);
	CHECK(pread(npk.fd, fs, fs_len, (off_t)npk.fs_offset) == (ssize_t)fs_len);
	ns_npk_close(&npk);
	const char *p = tmp("v2.npk");
	static const struct {
		uint64_t off;
		size_t extra;
		const char *needle;
	} cases[] = {
	    {200 * BS + 1, 0, "signed verity-offset 819201 is not a positive multiple of 4096"},
	    {0, 0, "signed verity-offset 0 is not a positive"},
	    {199 * BS, 0, "fs.img offset 815104: verity superblock: bad magic"},
	    {204 * BS, 0, "leaves no room for the verity superblock in fs.img (835584 bytes)"},
	    {200 * BS, BS,
	     "fs.img is 839680 bytes, but 819200 bytes of squashfs with the verity "
	     "superblock and hash tree make 835584"},
	    {200 * BS, 0, NULL},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *sig = signature_for(&k, root, cases[i].off);
		CHECK(custom_npk(p, manifest, sig, fs, fs_len + cases[i].extra, NS_NPK_COMMENT,
				 NULL) == 0);
		if (!cases[i].needle) {
			CHECK_OK(open_path(p, &k.pub, &npk, &err), &err);
			ns_npk_close(&npk);
			continue;
		}
		CHECK_FAIL(open_path(p, &k.pub, &npk, &err), &err, cases[i].needle);
	}
	free(fs);
	ns_seckey_wipe(&k);
	return 0;
}

static int test_meta_versions(void)
{
	static const struct {
		const char *comment, *needle;
	} cases[] = {
	    {"version: 0.9.3\n", NULL},
	    {"version: 0.9.0\n", NULL},
	    {"version: 1.0.0\n", NULL},
	    {"---\nversion: 0.9.2\nother: ignored\n", NULL},
	    {"version: 0.8.9\n", "NPK version format 0.8.9 doesn't match required version >=0.9"},
	    {"version: 0.9.3-pre\n", "NPK version format 0.9.3-pre doesn't match"},
	    {"version: 0.9\n", "comment malformed: '0.9' is not a version"},
	    {"foo: 1\n", "comment malformed: no version in the zip comment"},
	    {"", "comment malformed"},
	    {"version: [\n", "comment malformed"},
	};
	uint8_t fs[BS] = {1};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct ns_err err;
		struct ns_npk npk;
		const char *p = tmp("m.npk");
		CHECK(custom_npk(p, manifest, NULL, fs, sizeof(fs), cases[i].comment, NULL) == 0);
		if (!cases[i].needle) {
			CHECK_OK(open_path(p, NULL, &npk, &err), &err);
			ns_npk_close(&npk);
		} else {
			CHECK_FAIL(open_path(p, NULL, &npk, &err), &err, cases[i].needle);
		}
	}
	return 0;
}

static int test_structure(void)
{
	struct ns_err err;
	struct ns_npk npk;
	uint8_t fs[BS] = {1};
	const char *p = tmp("st.npk");
	CHECK(custom_npk(p, manifest, NULL, fs, sizeof(fs), NS_NPK_COMMENT, "extra") == 0);
	CHECK_FAIL(open_path(p, NULL, &npk, &err), &err, "unexpected zip entry 'extra'");
	CHECK(custom_npk(p, NULL, NULL, fs, sizeof(fs), NS_NPK_COMMENT, NULL) == 0);
	CHECK_FAIL(open_path(p, NULL, &npk, &err), &err, "failed to locate manifest.yaml");
	CHECK(custom_npk(p, manifest, NULL, NULL, 0, NS_NPK_COMMENT, NULL) == 0);
	CHECK_FAIL(open_path(p, NULL, &npk, &err), &err, "failed to locate fs.img");
	CHECK(custom_npk(p, "name: x\n", NULL, fs, sizeof(fs), NS_NPK_COMMENT, NULL) == 0);
	CHECK_FAIL(open_path(p, NULL, &npk, &err), &err, "manifest.yaml");
	CHECK(custom_npk(p, manifest, "junk", fs, sizeof(fs), NS_NPK_COMMENT, NULL) == 0);
	CHECK_OK(open_path(p, NULL, &npk, &err), &err); /* Northstar ignores it without key */
	ns_npk_close(&npk);
	CHECK_FAIL(verify_path(p, NULL, &err), &err, "no '---' separator");
	CHECK_FAIL(open_path(ns_test_tmpdir(), NULL, &npk, &err), &err, "not a regular file");
	return 0;
}

static int test_extract(void)
{
	struct ns_err err;
	struct ns_seckey k;
	struct ns_npk npk;
	char dir[600];
	struct stat st;
	key_from_byte(1, &k);
	CHECK_OK(pack(tmp("e.npk"), manifest, 3 * BS, &k, &err), &err);
	CHECK_OK(open_path(tmp("e.npk"), &k.pub, &npk, &err), &err);
	snprintf(dir, sizeof(dir), "%s/unpacked", ns_test_tmpdir());
	CHECK(mkdir(dir, 0755) == 0);
	ns_autoclose int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK_OK(ns_npk_extract(&npk, dfd, &err), &err);
	CHECK(fstatat(dfd, "fs.img", &st, 0) == 0);
	CHECK_INT(st.st_size, npk.fs_size);
	CHECK(fstatat(dfd, "signature.yaml", &st, 0) == 0);
	CHECK_INT(st.st_size, npk.signature_len);
	CHECK_FAIL(ns_npk_extract(&npk, dfd, &err), &err, "File exists");
	ns_npk_close(&npk);
	ns_seckey_wipe(&k);
	return 0;
}

NS_TEST_MAIN(T(test_corpus_with_key), T(test_corpus_other_key_and_no_key),
	     T(test_round_trip_signed), T(test_round_trip_unsigned),
	     T(test_write_failures_leave_nothing), T(test_tamper), T(test_tamper_superblock),
	     T(test_verity_offset_tampering), T(test_meta_versions), T(test_structure),
	     T(test_extract))
