/* sextant verify: everything about an NPK that can be checked offline.
 *
 * usage: sextant verify NPK [-k PUB]
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

#include "applets/applet.h"
#include "libns/npk.h"
#include "libns/util.h"
#include "sextant.h"

static const char usage[] =
    "usage: sextant verify NPK [-k PUB]\n"
    "\n"
    "Checks an NPK completely: the zip structure and every CRC, the meta version, the\n"
    "manifest, and for a signed NPK the meta and manifest hashes, the verity superblock\n"
    "and the whole hash tree recomputed from the image. With --key the Ed25519\n"
    "signature is checked too. Exits 0 only if everything holds; otherwise names the\n"
    "first problem (which hash, which block).\n"
    "\n"
    "  -k, --key PUB   raw 32-byte Ed25519 public key\n";

int sextant_verify(int argc, char **argv)
{
	static const struct option opts[] = {{"key", required_argument, NULL, 'k'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	const char *keypath = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "k:h", opts, NULL)) != -1) {
		if (c == 'k') {
			keypath = optarg;
		} else if (c == 'h') {
			fputs(usage, stdout);
			return 0;
		} else {
			return applet_usage_error("sextant verify", "bad option");
		}
	}
	if (argc - optind != 1)
		return applet_usage_error("sextant verify", "expected one NPK");
	const char *path = argv[optind];

	struct ns_err err;
	struct ns_pubkey key;
	if (keypath && ns_pubkey_load(keypath, &key, &err) < 0)
		return sextant_fail("verify", &err);
	ns_autoclose int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ns_err_sys(&err, errno, "open '%s'", path);
		return sextant_fail("verify", &err);
	}
	struct ns_npk npk;
	if (ns_npk_verify(fd, keypath ? &key : NULL, &npk, &err) < 0) {
		ns_err_wrap(&err, "%s", path);
		return sextant_fail("verify", &err);
	}
	char ver[64];
	printf("%s: ok: %s %s, %s\n", path, npk.manifest.name,
	       ns_version_str(&npk.manifest.version, ver, sizeof(ver)),
	       !npk.has_signature ? "unsigned"
	       : keypath	  ? "signature valid, hashes and verity tree verified"
			 : "hashes and verity tree verified, signature not checked (no --key)");
	ns_npk_close(&npk);
	return 0;
}
