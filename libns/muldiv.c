#include "muldiv.h"

#include <errno.h>

/* The full product as hi:lo, from four 32-bit partial products. */
static void mul64x64(uint64_t a, uint64_t b, uint64_t *hi, uint64_t *lo)
{
	uint64_t al = (uint32_t)a, ah = a >> 32, bl = (uint32_t)b, bh = b >> 32;
	uint64_t ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
	uint64_t mid = (ll >> 32) + (uint32_t)lh + (uint32_t)hl;
	*lo = (mid << 32) | (uint32_t)ll;
	*hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
}

int ns_muldiv64(uint64_t a, uint64_t b, uint64_t c, bool round_up, uint64_t *out)
{
	if (c == 0)
		return -EINVAL;
	uint64_t hi, lo;
	mul64x64(a, b, &hi, &lo);
	if (hi >= c)
		return -ERANGE; /* the quotient needs more than 64 bits */
	/* Long division, one bit at a time: hi < c holds throughout, so the remainder
	 * fits once the bit shifted out of it is accounted for. These are cold paths
	 * (config parsing, cgroup set-up). */
	uint64_t q = 0, rem = hi;
	for (int i = 63; i >= 0; i--) {
		bool carry = rem >> 63;
		rem = rem << 1 | ((lo >> i) & 1);
		q <<= 1;
		if (carry || rem >= c) {
			rem -= c;
			q |= 1;
		}
	}
	if (round_up && rem) {
		if (q == UINT64_MAX)
			return -ERANGE;
		q++;
	}
	*out = q;
	return 0;
}
