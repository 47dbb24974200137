/* libFuzzer target: arbitrary bytes as an NPK file, opened with Northstar's example key
 * and without a key, and through the full verification. Nothing may crash, leak or
 * read out of bounds. The verity superblock decoder gets the same bytes, since
 * forged signatures never let the fuzzer reach it through the NPK. */
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "libns/npk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t northstar_pub[32] = {
    0x0c, 0xa9, 0x13, 0x31, 0xf8, 0x6e, 0xa8, 0xe8, 0x20, 0x2b, 0x80, 0x71, 0xdc, 0x7f, 0x1c, 0x80,
    0x30, 0x33, 0xdc, 0xb1, 0xf5, 0x02, 0x18, 0x8a, 0xbb, 0xd8, 0x24, 0x9c, 0x21, 0x8e, 0xb0, 0x21};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ns_err err;
	struct ns_npk npk;
	struct ns_pubkey key;
	struct ns_verity_sb sb;
	int fd = memfd_create("fuzz.npk", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size) {
		__builtin_memcpy(key.key, northstar_pub, sizeof(key.key));
		if (ns_npk_open(fd, &key, &npk, &err) == 0)
			ns_npk_close(&npk);
		if (ns_npk_open(fd, NULL, &npk, &err) == 0)
			ns_npk_close(&npk);
		if (ns_npk_verify(fd, NULL, &npk, &err) == 0)
			ns_npk_close(&npk);
	}
	close(fd);
	(void)ns_verity_sb_decode(data, size, 4096 * (uint64_t)(size % 7 + 1), &sb, &err);
	return 0;
}
