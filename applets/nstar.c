/* nstar: placeholder until its issue lands.
 *
 * usage: nstar [--help | --version]
 */
#include <stdio.h>

#include "applet.h"

static const char usage[] = "usage: nstar [--help | --version]\n"
			    "\n"
			    "Not yet implemented.\n";

int nstar_main(int argc, char **argv)
{
	if (applet_std_options(argc, argv, "nstar", usage))
		return 0;
	fprintf(stderr, "nstar: not yet implemented\n");
	return 1;
}
