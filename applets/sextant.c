/* sextant: placeholder until its issue lands.
 *
 * usage: sextant [--help | --version]
 */
#include <stdio.h>

#include "applet.h"

static const char usage[] = "usage: sextant [--help | --version]\n"
			    "\n"
			    "Not yet implemented.\n";

int sextant_main(int argc, char **argv)
{
	if (applet_std_options(argc, argv, "sextant", usage))
		return 0;
	fprintf(stderr, "sextant: not yet implemented\n");
	return 1;
}
