/* sextant gen-key: a fresh Ed25519 key pair for signing NPKs.
 *
 * usage: sextant gen-key -n NAME -o DIR
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <sys/stat.h>

#include "applets/applet.h"
#include "libns/err.h"
#include "libns/path.h"
#include "libns/sign.h"
#include "sextant.h"

static const char usage[] =
    "usage: sextant gen-key -n NAME -o DIR\n"
    "\n"
    "Generates an Ed25519 key pair: DIR/NAME.key, the raw 32-byte secret seed (mode\n"
    "0600), and DIR/NAME.pub, the raw 32-byte public key for repositories. Existing\n"
    "files are never overwritten. A missing DIR is created with mode 0700.\n"
    "\n"
    "  -n, --name NAME   base name of the two files\n"
    "  -o, --out DIR     directory to write them to\n";

/* A missing DIR (and its missing parents) is made 0700: it is about to hold a secret
 * key. An existing one is left as it is. */
static int make_dir(const char *dir, struct ns_err *err)
{
	struct stat st;
	if (stat(dir, &st) == 0 || errno != ENOENT)
		return 0; /* ns_keypair_generate names what is wrong with it */
	int r = ns_mkdir_p(dir, 0700, err);
	if (r < 0)
		return r;
	if (chmod(dir, 0700) < 0) /* whatever the umask took away */
		return ns_err_sys(err, errno, "chmod '%s'", dir);
	printf("created %s (mode 0700)\n", dir);
	return 0;
}

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
	if (make_dir(dir, &err) < 0 || ns_keypair_generate(dir, name, &err) < 0)
		return sextant_fail("gen-key", &err);
	printf("wrote %s/%s.key and %s/%s.pub\n", dir, name, dir, name);
	return 0;
}
