/* Output shared by the sextant commands. */
#include <stdio.h>
#include <unistd.h>

#include "libns/err.h"
#include "sextant.h"

int sextant_fail(const char *cmd, const struct ns_err *err)
{
	fprintf(stderr, "sextant %s: %s\n", cmd, err->msg);
	return 1;
}

int sextant_tty(void)
{
	return isatty(STDOUT_FILENO);
}
