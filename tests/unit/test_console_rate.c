/* The console's rate limit (applets/northstard/console_rate.c): no sliding second ever
 * holds more than the limit, a held-back message may go once the oldest counted one has
 * left the second, and counts far in the past are forgotten. Times are in ms. */
#include <stdlib.h>

#include "applets/northstard/console_rate.c"
#include "testlib.h"

/* Admits and takes a message at now, as the daemon does. */
static bool send_at(struct nsd_rate **r, uint64_t max, uint64_t now, uint64_t *resume)
{
	if (!nsd_rate_admit(r, max, now, resume))
		return false;
	nsd_rate_take(*r, now);
	return true;
}

static int test_burst_then_wait(void)
{
	struct nsd_rate *r = NULL;
	uint64_t resume = 0, t0 = 100000;
	for (int i = 0; i < 5; i++)
		CHECK(send_at(&r, 5, t0, &resume));
	CHECK(!send_at(&r, 5, t0, &resume));
	CHECK(resume >= t0 + 1000 && resume <= t0 + 1010);
	CHECK(!send_at(&r, 5, resume - 1, &resume));
	CHECK(send_at(&r, 5, resume, &resume));
	free(r);
	return 0;
}

/* Messages spread over time: at any moment the last 1000 ms hold at most max. */
static int test_never_over_the_limit(void)
{
	struct nsd_rate *r = NULL;
	uint64_t resume = 0, max = 7;
	uint64_t taken[4000];
	size_t n = 0;
	for (uint64_t now = 50000; now < 54000 && n < 4000; now += 3) {
		if (send_at(&r, max, now, &resume))
			taken[n++] = now;
	}
	for (size_t i = 0; i + max < n; i++)
		CHECK(taken[i + max] - taken[i] >= 1000);
	CHECK(n >= 4 * max - 1); /* and it does let them through: ~max per second */
	free(r);
	return 0;
}

static int test_idle_forgets(void)
{
	struct nsd_rate *r = NULL;
	uint64_t resume = 0;
	for (int i = 0; i < 3; i++)
		CHECK(send_at(&r, 3, 7000, &resume));
	CHECK(!send_at(&r, 3, 7500, &resume));
	for (int i = 0; i < 3; i++) /* a long pause later: a full second's worth again */
		CHECK(send_at(&r, 3, 7000 + 3600000, &resume));
	CHECK(!send_at(&r, 3, 7000 + 3600000, &resume));
	free(r);
	return 0;
}

NS_TEST_MAIN(T(test_burst_then_wait), T(test_never_over_the_limit), T(test_idle_forgets))
