/* Device-mapper request building and verity parameters: no kernel needed. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "libns/dm.h"
#include "libns/dm_verity.h"
#include "testlib.h"

static void northstar_params(struct ns_verity_params *p, uint64_t data_blocks)
{
	memset(p, 0, sizeof(*p));
	for (int i = 0; i < 32; i++)
		p->root_hash[i] = (uint8_t)(0xa0 + i);
	p->salt_size = 32;
	for (int i = 0; i < 32; i++)
		p->salt[i] = (uint8_t)i;
	p->data_block_size = p->hash_block_size = 4096;
	p->data_blocks = data_blocks;
	p->hash_start_block = data_blocks + 1; /* past the superblock */
}

static int test_prepare(void)
{
	struct ns_err err;
	struct dm_ioctl io;
	char name[DM_NAME_LEN + 1];

	CHECK_OK(ns_dm_prepare(&io, sizeof(io), "northstar-hello-0.0.1", &err), &err);
	CHECK_INT(io.version[0], 4);
	CHECK_INT(io.version[1], NS_DM_VERSION_MINOR);
	CHECK_INT(io.data_size, sizeof(io));
	CHECK_INT(io.data_start, sizeof(io));
	CHECK_INT(io.flags, 0);
	CHECK_STR(io.name, "northstar-hello-0.0.1");
	CHECK_INT(io.uuid[0], 0);
	CHECK_OK(ns_dm_prepare(&io, sizeof(io), NULL, &err), &err);
	CHECK_INT(io.name[0], 0);

	memset(name, 'x', sizeof(name) - 1);
	name[DM_NAME_LEN - 1] = '\0'; /* 127 bytes: the longest allowed */
	CHECK_OK(ns_dm_prepare(&io, sizeof(io), name, &err), &err);
	name[DM_NAME_LEN - 1] = 'x';
	name[DM_NAME_LEN] = '\0';
	CHECK_FAIL(ns_dm_prepare(&io, sizeof(io), name, &err), &err, "longer than 127");
	CHECK_FAIL(ns_dm_prepare(&io, sizeof(io), "a/b", &err), &err, "not a file name");
	CHECK_FAIL(ns_dm_prepare(&io, sizeof(io), "..", &err), &err, "not a file name");
	CHECK_FAIL(ns_dm_prepare(&io, sizeof(io), "", &err), &err, "empty");
	CHECK_FAIL(ns_dm_prepare(&io, sizeof(io) - 8, "x", &err), &err, "request size");
	return 0;
}

static int test_build_table(void)
{
	struct ns_err err;
	struct dm_ioctl *io = NULL;
	const char *params = "1 7:3 7:3 4096 4096 69 70 sha256 ab -";

	CHECK_OK(ns_dm_build_table("nv", "verity", 552, params, true, &io, &err), &err);
	CHECK_INT(io->target_count, 1);
	CHECK_INT(io->flags, DM_READONLY_FLAG);
	CHECK_INT(io->data_start, sizeof(struct dm_ioctl));
	CHECK_INT(io->data_size % 8, 0);
	CHECK_STR(io->name, "nv");
	struct dm_target_spec *spec = (void *)((char *)io + io->data_start);
	CHECK_INT(spec->sector_start, 0);
	CHECK_INT(spec->length, 552);
	CHECK_INT(spec->status, 0);
	CHECK_STR(spec->target_type, "verity");
	CHECK_STR((char *)(spec + 1), params);
	CHECK_INT(spec->next % 8, 0);
	CHECK_INT(io->data_start + spec->next, io->data_size);
	CHECK((size_t)spec->next >= sizeof(*spec) + strlen(params) + 1);
	free(io);

	CHECK_FAIL(ns_dm_build_table("nv", "verity", 0, params, true, &io, &err), &err,
		   "0 sectors");
	CHECK_FAIL(
	    ns_dm_build_table("nv", "a-very-long-target-type-name", 8, params, true, &io, &err),
	    &err, "too long");
	CHECK_FAIL(ns_dm_build_table("n/v", "verity", 8, params, true, &io, &err), &err,
		   "not a file name");
	return 0;
}

static int test_verity_table(void)
{
	struct ns_err err;
	struct ns_verity_params p;
	char t[NS_VERITY_TABLE_MAX];

	northstar_params(&p, 69);
	CHECK_OK(ns_verity_table(&p, makedev(7, 3), t, sizeof(t), &err), &err);
	CHECK_STR(t, "1 7:3 7:3 4096 4096 69 70 sha256 "
		     "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf "
		     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
	p.salt_size = 0;
	CHECK_OK(ns_verity_table(&p, makedev(259, 1048575), t, sizeof(t), &err), &err);
	CHECK(strstr(t, "1 259:1048575 259:1048575 ") == t);
	CHECK(strcmp(t + strlen(t) - 2, " -") == 0);
	/* The longest salt still fits the table buffer. */
	p.salt_size = NS_VERITY_SALT_MAX;
	p.data_blocks = UINT64_MAX / 8192;
	p.hash_start_block = UINT64_MAX / 4096;
	CHECK_OK(ns_verity_table(&p, makedev(4095, 1048575), t, sizeof(t), &err), &err);
	CHECK_FAIL(ns_verity_table(&p, makedev(7, 3), t, 100, &err), &err, "longer than");
	return 0;
}

static int test_verity_check(void)
{
	struct ns_err err;
	struct ns_verity_params p;
	const uint64_t size = 69 * 4096 + 4096 + 4096; /* data, superblock, one hash block */

	northstar_params(&p, 69);
	CHECK_OK(ns_verity_check_params(&p, size, &err), &err);
	CHECK_FAIL(ns_verity_check_params(&p, 69 * 4096, &err), &err, "past the image end");
	CHECK_FAIL(ns_verity_check_params(&p, 68 * 4096, &err), &err, "exceeds the image");
	p.hash_start_block = 68;
	CHECK_FAIL(ns_verity_check_params(&p, size, &err), &err, "inside the data area");
	northstar_params(&p, 0);
	CHECK_FAIL(ns_verity_check_params(&p, size, &err), &err, "data area is empty");
	northstar_params(&p, 69);
	p.data_block_size = 3000;
	CHECK_FAIL(ns_verity_check_params(&p, size, &err), &err, "data block size 3000");
	p.data_block_size = 4096;
	p.hash_block_size = 256;
	CHECK_FAIL(ns_verity_check_params(&p, size, &err), &err, "hash block size 256");
	p.hash_block_size = 4096;
	p.salt_size = NS_VERITY_SALT_MAX + 1;
	CHECK_FAIL(ns_verity_check_params(&p, size, &err), &err, "salt of 257 bytes");
	northstar_params(&p, UINT64_MAX / 1024);
	CHECK_FAIL(ns_verity_check_params(&p, size, &err), &err, "exceeds the image");
	northstar_params(&p, 69);
	p.hash_start_block = UINT64_MAX / 1024;
	CHECK_FAIL(ns_verity_check_params(&p, size, &err), &err, "past the image end");
	/* One data block (a 4 KiB squashfs) has no hash tree: the root hash is the block's
	 * own, and fs.img ends with the superblock, right where the hash area starts. */
	northstar_params(&p, 1);
	CHECK_OK(ns_verity_check_params(&p, 2 * 4096, &err), &err);
	CHECK_FAIL(ns_verity_check_params(&p, 4096, &err), &err, "past the image end");
	northstar_params(&p, 2);
	CHECK_FAIL(ns_verity_check_params(&p, 3 * 4096, &err), &err, "past the image end");
	return 0;
}

NS_TEST_MAIN(T(test_prepare), T(test_build_table), T(test_verity_table), T(test_verity_check))
