/* ns-init: placeholder until its issue lands.
 *
 * usage: ns-init [--help | --version]
 */
#include <stdio.h>

#include "applet.h"

static const char usage[] = "usage: ns-init [--help | --version]\n"
			    "\n"
			    "Not yet implemented.\n";

int ns_init_main(int argc, char **argv)
{
	if (applet_std_options(argc, argv, "ns-init", usage))
		return 0;
	fprintf(stderr, "ns-init: not yet implemented\n");
	return 1;
}
