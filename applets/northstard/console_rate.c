/* max_requests_per_sec (spec console §1.3): every message a connection sends, connect
 * included, counts in a sliding second, and a message over the limit waits (reading
 * pauses) instead of being refused.
 *
 * The second is kept as counts in 10 ms slots, 101 of them, so a connection costs
 * 400 bytes whatever its limit (a timestamp per message would cost 8 KiB per connection
 * at the default of 1000). The window counted is the current slot and the 100 before
 * it, which covers at least the last second: no true sliding second ever holds more
 * than the limit, and a message waits at most 10 ms longer than it strictly must. */
#include <stdlib.h>

#include "nsd.h"

#define SLOT_MS 10
#define SLOTS	(1000 / SLOT_MS + 1)

struct nsd_rate {
	uint64_t slot; /* the newest slot counted */
	uint64_t total;
	uint32_t count[SLOTS];
};

/* Forgets the slots that left the window by now. */
static void advance(struct nsd_rate *r, uint64_t now_slot)
{
	if (now_slot <= r->slot)
		return;
	if (now_slot - r->slot >= SLOTS) {
		for (size_t i = 0; i < SLOTS; i++)
			r->count[i] = 0;
		r->total = 0;
	} else {
		for (uint64_t s = r->slot + 1; s <= now_slot; s++) {
			r->total -= r->count[s % SLOTS];
			r->count[s % SLOTS] = 0;
		}
	}
	r->slot = now_slot;
}

bool nsd_rate_admit(struct nsd_rate **rate, uint64_t max, uint64_t now_ms, uint64_t *resume_ms)
{
	if (!*rate) {
		*rate = calloc(1, sizeof(**rate));
		if (!*rate)
			return true; /* no memory for the count: better unlimited than stuck */
		(*rate)->slot = now_ms / SLOT_MS;
	}
	struct nsd_rate *r = *rate;
	uint64_t now_slot = now_ms / SLOT_MS;
	advance(r, now_slot);
	if (r->total < max)
		return true;
	/* full: the oldest slot with messages must leave the window first */
	uint64_t first = now_slot >= SLOTS - 1 ? now_slot - (SLOTS - 1) : 0;
	for (uint64_t s = first; s <= now_slot; s++)
		if (r->count[s % SLOTS]) {
			*resume_ms = (s + SLOTS) * SLOT_MS;
			return false;
		}
	*resume_ms = now_ms + SLOT_MS; /* unreachable: total counts these slots */
	return false;
}

void nsd_rate_take(struct nsd_rate *r, uint64_t now_ms)
{
	if (!r)
		return;
	advance(r, now_ms / SLOT_MS);
	r->count[r->slot % SLOTS]++;
	r->total++;
}
