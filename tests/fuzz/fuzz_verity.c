/* libFuzzer target: the userspace verity path (what `verity: userspace` runs before a
 * mount and what `sextant verify` runs on a signed NPK) over a hostile image and tree.
 * The input picks the geometry (data blocks, salt, where fs.img starts in the file),
 * its data and a few byte changes made after the tree was built, and a cut of the
 * file's end. The superblock is then decoded and the tree checked as npk.c and the
 * daemon do: ns_verity_sb_decode, ns_verity_params_init with the signed root hash,
 * ns_verity_check_params (the kernel path's check of the table) and ns_verity_check.
 *
 * Besides "no crash, no leak, no undefined behaviour", the answer must be right: an
 * untouched image must pass, and one whose data, hash tree or salt changed must fail
 * (abort() otherwise, so libFuzzer saves the input).
 *
 * Input: flags, blocks, salt size, changes, cut, then 4 bytes per change (24-bit
 * offset, xor value), then the salt and the data (repeated to fill the blocks). */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "libns/dm_verity.h"
#include "libns/io.h"
#include "libns/verity.h"
#include "tests/fuzz/fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BS 4096u

/* Offsets of fs.img in the file: at 0 (a bare image) or inside a bigger file, as in
 * an NPK, aligned or not. */
static const uint64_t bases[4] = {0, 4096, 517, 65536 + 12};

struct layout {
	uint64_t base, data_len, sb_off, tree_off, tree_size, file_size;
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = {data, size};
	unsigned flags = take(&in);
	/* 1..16 blocks (no tree, one level), or with flag 8 129..136 (two levels): more
	 * would only cost time per run. */
	unsigned b = take(&in);
	uint64_t nblocks = flags & 8 ? 129 + b % 8 : 1 + b % 16;
	size_t salt_size = take(&in);
	unsigned nchanges = take(&in) % 16;
	unsigned cut = take(&in);
	struct {
		uint32_t off;
		uint8_t x;
	} ch[16];
	for (unsigned i = 0; i < nchanges; i++) {
		ch[i].off = take(&in) | take(&in) << 8 | (uint32_t)take(&in) << 16;
		ch[i].x = (uint8_t)take(&in);
	}
	uint8_t salt[256] = {0};
	for (size_t i = 0; i < salt_size; i++)
		salt[i] = (uint8_t)take(&in);

	struct layout l;
	l.base = bases[flags & 3];
	l.data_len = nblocks * BS;
	l.sb_off = l.base + l.data_len;
	l.tree_off = l.sb_off + NS_VERITY_SB_SIZE;
	l.tree_size = ns_verity_tree_size(nblocks);
	l.file_size = l.tree_off + l.tree_size;

	int fd = memfd_create("fuzz-verity", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	uint8_t *orig = malloc(l.file_size);
	uint8_t *now = malloc(l.file_size);
	if (!orig || !now || ftruncate(fd, (off_t)l.file_size) < 0)
		goto out;
	/* The data: the rest of the input, repeated; zeros when there is none. */
	memset(orig, 0, l.file_size);
	for (uint64_t i = 0; in.n && i < l.data_len; i++)
		orig[l.base + i] = in.p[i % in.n];
	if (pwrite(fd, orig, l.file_size, 0) != (ssize_t)l.file_size)
		goto out;

	static const uint8_t uuid[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
	uint8_t root[32];
	struct ns_err err;
	if (ns_verity_format(fd, l.base, l.data_len, fd, l.sb_off, salt, salt_size, uuid, root,
			     &err) < 0)
		abort(); /* building over a good file never fails */
	if (ns_pread_full(fd, orig, l.file_size, 0) != (ssize_t)l.file_size)
		abort();

	/* The hostile part: byte changes anywhere, then maybe a cut. */
	memcpy(now, orig, l.file_size);
	for (unsigned i = 0; i < nchanges; i++)
		now[ch[i].off % l.file_size] ^= ch[i].x ? ch[i].x : 0x80;
	uint64_t len = l.file_size;
	if (flags & 4)
		len = l.file_size * cut / 256;
	if (pwrite(fd, now, l.file_size, 0) != (ssize_t)l.file_size ||
	    ftruncate(fd, (off_t)len) < 0)
		goto out;

	/* What npk.c does with fs.img: the superblock at the signed offset... */
	uint8_t block[NS_VERITY_SB_SIZE];
	struct ns_verity_sb sb, sb0;
	struct ns_verity_params p;
	if (l.sb_off + sizeof(block) > len)
		goto out;
	memcpy(block, now + l.sb_off, sizeof(block));
	if (ns_verity_sb_decode(block, sizeof(block), l.data_len, &sb, &err) < 0)
		goto out;
	ns_verity_params_init(&p, &sb, root);
	/* ...the parameters against the image's size, then every hash. */
	int r = ns_verity_check_params(&p, len - l.base, &err);
	if (r == 0)
		r = ns_verity_check(fd, l.base, &p, &err);

	if (ns_verity_sb_decode(orig + l.sb_off, NS_VERITY_SB_SIZE, l.data_len, &sb0, &err) < 0)
		abort();
	bool covered_changed = memcmp(orig + l.base, now + l.base, l.data_len) != 0 ||
			       memcmp(orig + l.tree_off, now + l.tree_off, l.tree_size) != 0 ||
			       sb.salt_size != sb0.salt_size ||
			       memcmp(sb.salt, sb0.salt, sb.salt_size) != 0;
	if (covered_changed && r == 0)
		abort(); /* a changed image passed the check */
	if (!covered_changed && len == l.file_size && r < 0)
		abort(); /* an intact image failed it */
out:
	free(orig);
	free(now);
	close(fd);
	return 0;
}
