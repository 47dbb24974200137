/* seccomp: runs under the manifest's "seccomp: profile: default" allow list. A plain
 * program needs nothing beyond the default profile; a syscall outside the list would
 * kill the whole container with SIGSYS (see the test-container's call-delete-module). */
#include <stdio.h>

#include "examples/common/example.h"

int main(void)
{
	ex_line_buffered();
	for (;;) {
		printf("Hello from the seccomp example version %s!\n",
		       ex_env("NORTHSTAR_VERSION", "unknown"));
		ex_sleep_ms(5000);
	}
}
