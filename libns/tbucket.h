/* A token bucket: on average rate units per second, with bursts of up to burst units.
 * The daemon meters each container's output with one (bytes). The console's request
 * limit is a different thing (a sliding second whose messages wait, spec console
 * §1.3: applets/northstard/console_rate.c); output that is over its limit is dropped,
 * and a bucket is what gives a separate burst for that, in three integers. */
#ifndef NS_TBUCKET_H
#define NS_TBUCKET_H

#include <stdbool.h>
#include <stdint.h>

struct ns_tbucket {
	uint64_t rate, burst; /* units per second (0: unlimited), largest burst */
	uint64_t milli;	      /* tokens in thousandths of a unit */
	uint64_t last_ms;     /* when milli was last refilled */
};

/* A full bucket at now_ms. */
void ns_tbucket_init(struct ns_tbucket *b, uint64_t rate, uint64_t burst, uint64_t now_ms);
/* Takes n units when the bucket holds them (true); else takes nothing. */
bool ns_tbucket_take(struct ns_tbucket *b, uint64_t n, uint64_t now_ms);

#endif
