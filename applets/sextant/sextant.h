/* The commands of the sextant applet, one file each. Each takes argv from its own
 * name on and returns the exit status: 0, 1 for a failure, 2 for a usage error. */
#ifndef NS_SEXTANT_H
#define NS_SEXTANT_H

int sextant_gen_key(int argc, char **argv);
int sextant_inspect(int argc, char **argv);
int sextant_pack(int argc, char **argv);
int sextant_unpack(int argc, char **argv);
int sextant_verify(int argc, char **argv);

struct ns_err;
struct ns_manifest;

/* pack: one warning line on stderr when the manifest's init is not an executable file
 * in root (NULL: no --root) and no mount of the manifest covers it. */
void sextant_pack_check_init(const char *manifest, const char *root, const struct ns_manifest *m);

/* Prints "sextant CMD: <message>" to stderr; returns 1. */
int sextant_fail(const char *cmd, const struct ns_err *err);

/* True when stdout is a terminal (colours, progress). */
int sextant_tty(void);

#endif
