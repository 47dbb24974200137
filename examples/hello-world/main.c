/* hello-world: the smallest container. It greets with the id the runtime gives it
 * (NORTHSTAR_CONTAINER) and then says hello again every second, so there is something
 * to see in the runtime's log until it is stopped. */
#include <stdio.h>

#include "examples/common/example.h"

int main(void)
{
	ex_line_buffered();
	const char *me = ex_container("unknown");
	printf("Hello again %s!\n", me);
	for (unsigned long i = 0;; i++) {
		printf("...and hello again #%lu %s ...\n", i, me);
		ex_sleep_ms(1000);
	}
}
