/* dm-verity metadata as Northstar NPKs carry it: format 1, sha256, salt first. */
#ifndef NS_VERITY_H
#define NS_VERITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define NS_VERITY_SB_SIZE 4096
#define NS_VERITY_SALT_MAX 256

/* Everything the kernel's verity target needs, taken from signed and validated
 * data only (the signed root hash and verity-offset; the superblock's salt and
 * block sizes after their checks). Offsets are relative to the start of fs.img. */
struct ns_verity_params {
	uint8_t root_hash[32];
	uint8_t salt[NS_VERITY_SALT_MAX];
	uint32_t salt_size;
	uint32_t data_block_size, hash_block_size;
	uint64_t data_blocks;      /* verity-offset / data_block_size */
	uint64_t hash_start_block; /* in hash blocks from fs.img start: past the superblock */
};

#endif
