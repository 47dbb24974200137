#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "libns/bytes.h"
#include "libns/sha256.h"
#include "libns/util.h"
#include "libns/verity.h"
#include "testlib.h"

#define BS 4096

static const uint8_t salt[32] = {1,  2,	 3,  4,	 5,  6,	 7,  8,	 9,  10, 11, 12, 13, 14, 15, 16,
				 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
static const uint8_t uuid[16] = {0x4e, 0x49, 0xfa, 0x0c, 0x46, 0x08, 0x49, 0x96,
				 0x99, 0xae, 0x50, 0xae, 0x78, 0x10, 0x3a, 0x53};

/* A memfd of `blocks` pseudo-random data blocks (plus `extra` bytes). */
static int data_fd(uint64_t blocks, size_t extra)
{
	size_t len = (size_t)blocks * BS + extra;
	uint8_t *d = malloc(len);
	uint32_t x = 2463534242u;
	for (size_t i = 0; i < len; i++) {
		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		d[i] = (uint8_t)x;
	}
	int fd = memfd_create("data", MFD_CLOEXEC);
	if (fd < 0 || write(fd, d, len) != (ssize_t)len)
		abort();
	free(d);
	return fd;
}

/* The tree computed the plain way, level by level on one thread, as the spec words it. */
static void reference_tree(int fd, uint64_t blocks, uint8_t **tree, size_t *size, uint8_t root[32])
{
	uint8_t *level = malloc(blocks * BS), *out = NULL;
	uint64_t n = blocks;
	size_t total = 0;
	*tree = NULL;
	if (pread(fd, level, blocks * BS, 0) != (ssize_t)(blocks * BS))
		abort();
	while (n > 1) {
		uint64_t m = (n + 127) / 128;
		out = calloc(m, BS);
		for (uint64_t i = 0; i < n; i++) {
			mbedtls_sha256_context c;
			ns_sha256_start(&c);
			ns_sha256_update(&c, salt, sizeof(salt));
			ns_sha256_update(&c, level + i * BS, BS);
			ns_sha256_finish(&c, out + i * 32);
		}
		/* the new level goes in front: the top level is stored first */
		uint8_t *t = malloc(m * BS + total);
		memcpy(t, out, m * BS);
		if (total)
			memcpy(t + m * BS, *tree, total);
		free(*tree);
		*tree = t;
		total += m * BS;
		free(level);
		level = out;
		n = m;
	}
	mbedtls_sha256_context c;
	ns_sha256_start(&c);
	ns_sha256_update(&c, salt, sizeof(salt));
	ns_sha256_update(&c, level, BS);
	ns_sha256_finish(&c, root);
	free(level);
	*size = total;
}

static int test_tree_sizes(void)
{
	CHECK_INT(ns_verity_tree_size(1), 0);
	CHECK_INT(ns_verity_tree_size(2), BS);
	CHECK_INT(ns_verity_tree_size(128), BS);
	CHECK_INT(ns_verity_tree_size(129), 3 * BS);
	CHECK_INT(ns_verity_tree_size(300), 4 * BS);
	CHECK_INT(ns_verity_tree_size(16384), 129 * BS);
	CHECK_INT(ns_verity_tree_size(16385), 132 * BS);
	return 0;
}

static int test_build_matches_reference(void)
{
	static const uint64_t counts[] = {1, 2, 127, 128, 129, 300, 1000};
	for (size_t i = 0; i < ARRAY_SIZE(counts); i++) {
		struct ns_err err;
		struct ns_verity_tree t;
		uint8_t *ref;
		size_t ref_size;
		uint8_t ref_root[32];
		ns_autoclose int fd = data_fd(counts[i], 0);
		reference_tree(fd, counts[i], &ref, &ref_size, ref_root);
		CHECK_OK(ns_verity_build(fd, 0, counts[i] * BS, salt, sizeof(salt), &t, &err),
			 &err);
		CHECK_INT(t.data_blocks, counts[i]);
		CHECK_INT(t.size, ref_size);
		CHECK(ref_size == 0 || memcmp(t.data, ref, ref_size) == 0);
		CHECK(memcmp(t.root, ref_root, 32) == 0);
		ns_verity_tree_free(&t);
		free(ref);
	}
	return 0;
}

/* A partial last block hashes as if padded with zeros; an offset skips a prefix. */
static int test_partial_block_and_offset(void)
{
	struct ns_err err;
	struct ns_verity_tree a, b;
	ns_autoclose int fd = data_fd(3, 100);
	CHECK_OK(ns_verity_build(fd, BS, 2 * BS + 100, salt, sizeof(salt), &a, &err), &err);
	uint8_t *buf = calloc(3, BS);
	CHECK(pread(fd, buf, 2 * BS + 100, BS) == 2 * BS + 100);
	ns_autoclose int padded = memfd_create("p", MFD_CLOEXEC);
	CHECK(write(padded, buf, 3 * BS) == 3 * BS);
	free(buf);
	CHECK_OK(ns_verity_build(padded, 0, 3 * BS, salt, sizeof(salt), &b, &err), &err);
	CHECK_INT(a.data_blocks, 3);
	CHECK(memcmp(a.root, b.root, 32) == 0);
	ns_verity_tree_free(&a);
	ns_verity_tree_free(&b);
	CHECK_FAIL(ns_verity_build(fd, 0, 10 * BS, salt, sizeof(salt), &a, &err), &err,
		   "data ends early at file offset");
	CHECK_FAIL(ns_verity_build(fd, 0, 0, salt, sizeof(salt), &a, &err), &err, "no data");
	return 0;
}

static int test_superblock_round_trip(void)
{
	struct ns_err err;
	struct ns_verity_sb sb, back;
	uint8_t block[NS_VERITY_SB_SIZE];
	ns_verity_sb_init(&sb, 147, salt, sizeof(salt), uuid);
	ns_verity_sb_encode(&sb, block);
	CHECK(memcmp(block, "verity\0\0", 8) == 0);
	CHECK_INT(ns_le32(block + 8), 1);
	CHECK_INT(ns_le32(block + 12), 1);
	CHECK(memcmp(block + 16, uuid, 16) == 0);
	CHECK(memcmp(block + 32, "sha256\0\0", 8) == 0);
	CHECK_INT(ns_le32(block + 64), 4096);
	CHECK_INT(ns_le32(block + 68), 4096);
	CHECK_INT(ns_le64(block + 72), 147);
	CHECK_INT(ns_le16(block + 80), 32);
	CHECK(memcmp(block + 88, salt, 32) == 0);
	for (size_t i = 88 + 32; i < sizeof(block); i++)
		CHECK(block[i] == 0);
	CHECK_OK(ns_verity_sb_decode(block, sizeof(block), 147 * BS, &back, &err), &err);
	CHECK_INT(back.data_blocks, 147);
	CHECK_INT(back.salt_size, 32);
	CHECK(memcmp(back.salt, salt, 32) == 0);
	CHECK(memcmp(back.uuid, uuid, 16) == 0);
	struct ns_verity_params p;
	uint8_t root[32] = {7};
	ns_verity_params_init(&p, &back, root);
	CHECK_INT(p.hash_start_block, 148);
	CHECK_INT(p.data_blocks, 147);
	CHECK_INT(p.salt_size, 32);
	CHECK(p.root_hash[0] == 7);
	return 0;
}

static int expect_sb_reject(size_t off, const void *val, size_t len, uint64_t data_size,
			    const char *needle)
{
	struct ns_err err;
	struct ns_verity_sb sb;
	uint8_t block[NS_VERITY_SB_SIZE];
	ns_verity_sb_init(&sb, 10, salt, sizeof(salt), uuid);
	ns_verity_sb_encode(&sb, block);
	memcpy(block + off, val, len);
	CHECK_FAIL(ns_verity_sb_decode(block, sizeof(block), data_size, &sb, &err), &err, needle);
	return 0;
}

static int test_superblock_rejections(void)
{
	const uint8_t two[4] = {2}, zero[4] = {0}, k512[4] = {0, 2}, s257[2] = {1, 1};
	const uint8_t blocks11[8] = {11};
	if (expect_sb_reject(0, "Verity", 6, 10 * BS, "verity superblock: bad magic") ||
	    expect_sb_reject(8, two, 4, 10 * BS, "version 2, expected 1") ||
	    expect_sb_reject(12, zero, 4, 10 * BS, "hash type 0, expected 1") ||
	    expect_sb_reject(32, "sha1\0\0", 6, 10 * BS, "algorithm 'sha1', expected sha256") ||
	    expect_sb_reject(32, "sha2566", 7, 10 * BS, "algorithm 'sha2566'") ||
	    expect_sb_reject(50, "x", 1, 10 * BS, "algorithm field has bytes after") ||
	    expect_sb_reject(64, k512, 4, 10 * BS, "block sizes 512/4096, expected 4096/4096") ||
	    expect_sb_reject(68, k512, 4, 10 * BS, "block sizes 4096/512") ||
	    expect_sb_reject(80, s257, 2, 10 * BS, "salt size 257 is above 256") ||
	    expect_sb_reject(72, blocks11, 8, 10 * BS,
			     "11 data blocks of 4096 bytes, but the signed data size is 40960") ||
	    expect_sb_reject(72, zero, 4, 0, "0 data blocks"))
		return NS_TEST_FAIL;
	/* salt_size up to 256 is fine, and 0 too */
	struct ns_err err;
	struct ns_verity_sb sb;
	uint8_t block[NS_VERITY_SB_SIZE];
	ns_verity_sb_init(&sb, 10, salt, 0, uuid);
	ns_verity_sb_encode(&sb, block);
	CHECK_OK(ns_verity_sb_decode(block, sizeof(block), 10 * BS, &sb, &err), &err);
	CHECK_INT(sb.salt_size, 0);
	ns_put_le16(block + 80, 256);
	CHECK_OK(ns_verity_sb_decode(block, sizeof(block), 10 * BS, &sb, &err), &err);
	return 0;
}

/* Data blocks followed by the superblock and the tree, as in fs.img. */
static int formatted(uint64_t blocks, struct ns_verity_params *p, struct ns_err *err)
{
	int fd = data_fd(blocks, 0);
	uint8_t root[32];
	struct ns_verity_sb sb;
	if (ns_verity_format(fd, 0, blocks * BS, fd, blocks * BS, salt, sizeof(salt), uuid, root,
			     err) < 0)
		abort();
	ns_verity_sb_init(&sb, blocks, salt, sizeof(salt), uuid);
	ns_verity_params_init(p, &sb, root);
	return fd;
}

static void flip(int fd, uint64_t off)
{
	uint8_t c;
	if (pread(fd, &c, 1, off) != 1)
		abort();
	c ^= 0x10;
	if (pwrite(fd, &c, 1, off) != 1)
		abort();
}

static int test_check_names_the_bad_block(void)
{
	struct ns_err err;
	struct ns_verity_params p;
	/* 1000 blocks: levels of 8 and 1 blocks; the tree starts at block 1001 */
	const uint64_t tree = 1001 * BS, level1 = tree, level0 = tree + BS;
	ns_autoclose int fd = formatted(1000, &p, &err);
	CHECK_OK(ns_verity_check(fd, 0, &p, &err), &err);

	flip(fd, 999 * BS + 5); /* the last data block: the last worker's range */
	CHECK_FAIL(
	    ns_verity_check(fd, 0, &p, &err), &err,
	    "verity: data block 999 (file offset 4091904) does not match its hash at level 0");
	flip(fd, 999 * BS + 5);
	flip(fd, 300 * BS);
	CHECK_FAIL(ns_verity_check(fd, 0, &p, &err), &err, "data block 300 ");
	flip(fd, 300 * BS);
	flip(fd, level0 + 3 * BS + 4095); /* padding-free level 0, block 3 */
	CHECK_FAIL(ns_verity_check(fd, 0, &p, &err), &err,
		   "verity: hash block at level 0 index 3 (file offset 4116480) does not match its "
		   "hash at level 1");
	flip(fd, level0 + 3 * BS + 4095);
	flip(fd, level1 + 8 * 32 + 1); /* the zero padding of the top block counts too */
	CHECK_FAIL(ns_verity_check(fd, 0, &p, &err), &err,
		   "verity: hash block at level 1 index 0 (file offset 4100096) does not match the "
		   "root hash");
	flip(fd, level1 + 8 * 32 + 1);
	p.salt[0] ^= 1;
	CHECK_FAIL(ns_verity_check(fd, 0, &p, &err), &err, "does not match the root hash");
	p.salt[0] ^= 1;
	CHECK_OK(ns_verity_check(fd, 0, &p, &err), &err);
	CHECK(ftruncate(fd, tree + 5 * BS) == 0);
	CHECK_FAIL(ns_verity_check(fd, 0, &p, &err), &err, "is cut short (20480 of 36864 bytes)");
	return 0;
}

static int test_check_single_block(void)
{
	struct ns_err err;
	struct ns_verity_params p;
	ns_autoclose int fd = formatted(1, &p, &err);
	CHECK_OK(ns_verity_check(fd, 0, &p, &err), &err);
	flip(fd, 17);
	CHECK_FAIL(ns_verity_check(fd, 0, &p, &err), &err,
		   "verity: data block 0 (file offset 0) does not match its hash (the root hash)");
	p.data_block_size = 512;
	CHECK_FAIL(ns_verity_check(fd, 0, &p, &err), &err, "only 4096/4096 are supported");
	return 0;
}

NS_TEST_MAIN(T(test_tree_sizes), T(test_build_matches_reference), T(test_partial_block_and_offset),
	     T(test_superblock_round_trip), T(test_superblock_rejections),
	     T(test_check_names_the_bad_block), T(test_check_single_block))
