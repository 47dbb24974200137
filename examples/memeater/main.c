/* memeater: leaks 100 KiB every 10 ms until the memory limit of its cgroup (10 MB in
 * the manifest) is hit and the kernel's OOM killer ends it; the runtime then reports
 * "Process memeater:0.0.1 is out of memory". The memory is filled from /dev/urandom so
 * every page is really used (and cannot be shared or compressed away). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "examples/common/example.h"

#define CHUNK (100 * 1024)

int main(void)
{
	ex_line_buffered();
	/* Its code and libraries are locked first: at the limit the kernel would otherwise
	 * evict and fault them back in over and over (seen for more than a minute under
	 * load) before the OOM killer acts. Best effort: RLIMIT_MEMLOCK may be smaller. */
	if (mlockall(MCL_CURRENT) < 0)
		printf("Not locked into memory (%m): the OOM kill may come late\n");
	int rnd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (rnd < 0)
		ex_die("memeater", "cannot open /dev/urandom");
	for (unsigned long kib = CHUNK / 1024;; kib += CHUNK / 1024) {
		char *p = malloc(CHUNK); /* never freed: that is the point */
		if (!p)
			ex_die("memeater", "out of memory after %lu KiB", kib);
		for (size_t off = 0; off < CHUNK;) {
			ssize_t n = read(rnd, p + off, CHUNK - off);
			if (n <= 0)
				ex_die("memeater", "cannot read /dev/urandom");
			off += (size_t)n;
		}
		printf("Leaked %lu KiB\n", kib);
		ex_sleep_ms(10);
	}
}
