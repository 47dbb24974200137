/* dm-verity metadata as Northstar NPKs carry it: format 1, sha256, salt first, 4096-byte
 * blocks, a 4096-byte superblock, then the hash tree with its top level first. This is
 * byte for byte what `veritysetup format --hash-offset=D` writes. */
#ifndef NS_VERITY_H
#define NS_VERITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define NS_VERITY_SB_SIZE     4096
#define NS_VERITY_SALT_MAX    256
#define NS_VERITY_BLOCK_SIZE  4096
#define NS_VERITY_DIGEST_SIZE 32
#define NS_VERITY_LEVELS_MAX  16

/* Everything the kernel's verity target needs, taken from signed and validated
 * data only (the signed root hash and verity-offset; the superblock's salt and
 * block sizes after their checks). Offsets are relative to the start of fs.img. */
struct ns_verity_params {
	uint8_t root_hash[32];
	uint8_t salt[NS_VERITY_SALT_MAX];
	uint32_t salt_size;
	uint32_t data_block_size, hash_block_size;
	uint64_t data_blocks;	   /* verity-offset / data_block_size */
	uint64_t hash_start_block; /* in hash blocks from fs.img start: past the superblock */
};

/* The superblock (cryptsetup's verity_sb), decoded. */
struct ns_verity_sb {
	uint32_t version, hash_type;
	uint8_t uuid[16];
	char algorithm[33]; /* NUL-terminated copy of the 32-byte field */
	uint32_t data_block_size, hash_block_size;
	uint64_t data_blocks;
	uint16_t salt_size;
	uint8_t salt[NS_VERITY_SALT_MAX];
};

/* A superblock for data_blocks blocks of 4096 bytes, sha256, format 1. */
void ns_verity_sb_init(struct ns_verity_sb *sb, uint64_t data_blocks, const uint8_t *salt,
		       size_t salt_size, const uint8_t uuid[16]);
/* Little-endian, zero-filled to 4096 bytes. */
void ns_verity_sb_encode(const struct ns_verity_sb *sb, uint8_t out[NS_VERITY_SB_SIZE]);
/* Decodes and validates the first 512 bytes of a superblock that must describe exactly
 * data_size bytes of data (the signed verity-offset): magic, version 1, hash type 1,
 * sha256, 4096-byte blocks, data_blocks * 4096 == data_size, salt_size <= 256. */
int ns_verity_sb_decode(const uint8_t *in, size_t len, uint64_t data_size, struct ns_verity_sb *sb,
			struct ns_err *err);
/* Kernel parameters from a validated superblock and the signed root hash. */
void ns_verity_params_init(struct ns_verity_params *p, const struct ns_verity_sb *sb,
			   const uint8_t root[32]);

/* Bytes of hash tree for data_blocks blocks (0 for a single block). */
uint64_t ns_verity_tree_size(uint64_t data_blocks);

struct ns_verity_tree {
	uint8_t *data; /* top level first, as stored after the superblock */
	size_t size;
	uint64_t data_blocks;
	uint8_t root[32];
};

/* Builds the tree over len bytes of fd at off; a partial last block counts as padded
 * with zeros. The data blocks are hashed by one thread per online CPU. */
int ns_verity_build(int fd, uint64_t off, uint64_t len, const uint8_t *salt, size_t salt_size,
		    struct ns_verity_tree *t, struct ns_err *err);
void ns_verity_tree_free(struct ns_verity_tree *t);

/* What `veritysetup format --hash-offset=hash_off DATA HASH` does: builds the tree over
 * data_len bytes of data_fd at data_off and writes the superblock at hash_off of
 * hash_fd with the tree right after it. The root hash goes to root. */
int ns_verity_format(int data_fd, uint64_t data_off, uint64_t data_len, int hash_fd,
		     uint64_t hash_off, const uint8_t *salt, size_t salt_size,
		     const uint8_t uuid[16], uint8_t root[32], struct ns_err *err);

/* Recomputes every hash, top-down from the root as the kernel trusts them: the top
 * block against the root hash, each level against the one above, then every data
 * block. Data starts at fd offset base, the tree at base + hash_start_block * 4096.
 * The first mismatch is named: "hash block at level L index I" (level 0 is the one
 * holding the data blocks' hashes) or "data block N". */
int ns_verity_check(int fd, uint64_t base, const struct ns_verity_params *p, struct ns_err *err);

#endif
