/* cpueater: spins on one CPU for a while, to measure a cgroup's CPU quota. Used by
 * tests/cgroup_cases.sh.
 *
 * usage: cpueater SECONDS
 *          Busy-loops for SECONDS of wall-clock time (CLOCK_MONOTONIC), then prints
 *          "spun N ms" and exits 0.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
	double secs = argc == 2 ? strtod(argv[1], NULL) : 0;
	if (secs <= 0) {
		fprintf(stderr, "usage: cpueater SECONDS\n");
		return 2;
	}
	uint64_t start = now_ms(), end = start + (uint64_t)(secs * 1000);
	volatile uint64_t spin = 0;
	while (now_ms() < end)
		for (int i = 0; i < 100000; i++)
			spin++;
	printf("spun %llu ms\n", (unsigned long long)(now_ms() - start));
	return 0;
}
