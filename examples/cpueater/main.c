/* cpueater: keeps THREADS threads (4 unless the manifest env says otherwise) spinning,
 * to show the cpu share the manifest's cgroups section gives a container. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "examples/common/example.h"

#define MAX_THREADS 256

static void *spin(void *arg)
{
	volatile unsigned long n = 0;
	(void)arg;
	for (;;)
		n++;
	return NULL;
}

int main(void)
{
	ex_line_buffered();
	long threads = strtol(ex_env("THREADS", "4"), NULL, 10);
	if (threads < 1 || threads > MAX_THREADS)
		ex_die("cpueater", "THREADS must be 1..%d", MAX_THREADS);
	printf("Eating CPU with %ld threads (v%s)!\n", threads,
	       ex_env("NORTHSTAR_VERSION", "unknown"));
	/* The main thread is one of the eaters. */
	for (long i = 1; i < threads; i++) {
		pthread_t t;
		if (pthread_create(&t, NULL, spin, NULL) != 0)
			ex_die("cpueater", "cannot start thread %ld", i);
	}
	spin(NULL);
}
