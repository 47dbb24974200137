/* northstard: placeholder until its issue lands.
 *
 * usage: northstard [--help | --version]
 */
#include <stdio.h>

#include "applet.h"

static const char usage[] = "usage: northstard [--help | --version]\n"
			    "\n"
			    "Not yet implemented.\n";

int northstard_main(int argc, char **argv)
{
	if (applet_std_options(argc, argv, "northstard", usage))
		return 0;
	fprintf(stderr, "northstard: not yet implemented\n");
	return 1;
}
