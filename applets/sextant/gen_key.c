/* sextant gen-key: a fresh Ed25519 key pair for signing NPKs.
 *
 * usage: sextant gen-key -n NAME -o DIR
 */
#include <getopt.h>
#include <stdio.h>

#include "applets/applet.h"
#include "libns/sign.h"
#include "sextant.h"

static const char usage[] =
    "usage: sextant gen-key -n NAME -o DIR\n"
    "\n"
    "Generates an Ed25519 key pair: DIR/NAME.key, the raw 32-byte secret seed (mode\n"
    "0600), and DIR/NAME.pub, the raw 32-byte public key for repositories. Existing\n"
    "files are never overwritten.\n"
    "\n"
    "  -n, --name NAME   base name of the two files\n"
    "  -o, --out DIR     directory to write them to\n";

int sextant_gen_key(int argc, char **argv)
{
	static const struct option opts[] = {{"name", required_argument, NULL, 'n'},
					     {"out", required_argument, NULL, 'o'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	const char *name = NULL, *dir = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "+n:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			name = optarg;
			break;
		case 'o':
			dir = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			return applet_usage_error("sextant gen-key", "bad option");
		}
	}
	if (optind != argc)
		return applet_usage_error("sextant gen-key", "unexpected argument '%s'",
					  argv[optind]);
	if (!name || !dir)
		return applet_usage_error("sextant gen-key", "--name and --out are required");
	struct ns_err err;
	if (ns_keypair_generate(dir, name, &err) < 0)
		return sextant_fail("gen-key", &err);
	printf("wrote %s/%s.key and %s/%s.pub\n", dir, name, dir, name);
	return 0;
}
