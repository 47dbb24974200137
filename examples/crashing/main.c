/* crashing: counts down for a second and then fails the way the Rust original does
 * when it panics: a message on stderr and exit status 101. The runtime reports the
 * exit ({"exit":{"code":101}}) and its scenario tests check exactly that code. The
 * manifest discards stderr, so only the countdown reaches the log. */
#include <stdio.h>
#include <stdlib.h>

#include "examples/common/example.h"

/* Rust's exit status after a panic in main. */
#define PANIC_EXIT 101

int main(void)
{
	ex_line_buffered();
	for (int tenths = 10; tenths > 0; tenths--) {
		printf("Crashing in %d.%ds\n", tenths / 10, tenths % 10);
		ex_sleep_ms(100);
	}
	printf("BOOM!\n");
	fprintf(stderr, "crashing: panicked: BOOM!\n");
	exit(PANIC_EXIT);
}
