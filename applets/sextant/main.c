/* sextant: NPK tooling for build hosts.
 *
 * usage: sextant COMMAND [OPTIONS]
 *
 *   pack      pack a root directory and a manifest into an NPK
 *   unpack    extract an NPK's entries and root filesystem
 *   inspect   show an NPK's entries, manifest, signature and files
 *   verify    check an NPK completely: structure, hashes, signature, verity tree
 *   gen-key   generate an Ed25519 key pair for signing NPKs
 *
 * Every command takes --help.
 */
#include <stdio.h>
#include <string.h>

#include "applets/applet.h"
#include "sextant.h"

static const char usage[] =
    "usage: sextant COMMAND [OPTIONS]\n"
    "\n"
    "NPK tooling: pack, inspect, verify and unpack Northstar containers.\n"
    "\n"
    "Commands:\n"
    "  pack      pack a root directory and a manifest into an NPK\n"
    "  unpack    extract an NPK's entries and root filesystem\n"
    "  inspect   show an NPK's entries, manifest, signature and files\n"
    "  verify    check an NPK completely: structure, hashes, signature, verity tree\n"
    "  gen-key   generate an Ed25519 key pair for signing NPKs\n"
    "\n"
    "'sextant COMMAND --help' describes a command.\n";

static const struct {
	const char *name;
	int (*main)(int argc, char **argv);
} commands[] = {
    {"gen-key", sextant_gen_key}, {"inspect", sextant_inspect}, {"pack", sextant_pack},
    {"unpack", sextant_unpack},	  {"verify", sextant_verify},
};

int sextant_main(int argc, char **argv)
{
	if (applet_std_options(argc, argv, "sextant", usage))
		return 0;
	if (argc < 2)
		return applet_usage_error("sextant", "missing command");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].main(argc - 1, argv + 1);
	return applet_usage_error("sextant", "unknown command '%s'", argv[1]);
}
