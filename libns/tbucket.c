#include "tbucket.h"

/* Tokens are kept in thousandths so that a refill after 1 ms at a low rate is not lost
 * to rounding. A day's refill at the largest rate (2^32/s) stays far below 2^64. */
#define REFILL_MAX_MS (24ull * 3600 * 1000)

void ns_tbucket_init(struct ns_tbucket *b, uint64_t rate, uint64_t burst, uint64_t now_ms)
{
	b->rate = rate;
	b->burst = burst;
	b->milli = burst * 1000;
	b->last_ms = now_ms;
}

bool ns_tbucket_take(struct ns_tbucket *b, uint64_t n, uint64_t now_ms)
{
	if (!b->rate)
		return true;
	if (now_ms > b->last_ms) {
		uint64_t dt = now_ms - b->last_ms;
		uint64_t full = b->burst * 1000;
		uint64_t add = (dt < REFILL_MAX_MS ? dt : REFILL_MAX_MS) * b->rate;
		b->milli = add >= full - b->milli ? full : b->milli + add;
		b->last_ms = now_ms;
	}
	if (n > b->milli / 1000)
		return false;
	b->milli -= n * 1000;
	return true;
}
