/* memeater: allocates and touches memory 1 MiB at a time, to be OOM-killed at a
 * cgroup's memory limit. Used by tests/cgroup_cases.sh.
 *
 * usage: memeater MIB
 *          Touches MIB MiB, printing "eaten N MiB" every 8 MiB, then "done" and exits
 *          0. Under a smaller memory limit (and no swap) the kernel kills it first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

int main(int argc, char **argv)
{
	long mib = argc == 2 ? strtol(argv[1], NULL, 10) : 0;
	if (mib <= 0) {
		fprintf(stderr, "usage: memeater MIB\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (long i = 1; i <= mib; i++) {
		char *p =
		    mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			perror("memeater: mmap");
			return 1;
		}
		memset(p, (int)(i & 0xff) | 1, 1 << 20); /* touch every page: no zero page */
		if (i % 8 == 0)
			printf("eaten %ld MiB\n", i);
	}
	printf("done\n");
	return 0;
}
