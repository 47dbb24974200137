/* The fuzzer's bytes read one at a time as decisions; 0 once they run out. Shared by the
 * targets that build their input from choices (fuzz_squashfs, fuzz_verity). */
#ifndef NS_FUZZ_INPUT_H
#define NS_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>

struct in {
	const uint8_t *p;
	size_t n;
};

static inline unsigned take(struct in *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

#endif
