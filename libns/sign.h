/* Ed25519 keys and signatures as Northstar uses them (RFC 8032 pure Ed25519, on
 * libsodium). A .key file is the raw 32-byte seed, a .pub file the raw 32-byte public
 * key; nothing else is accepted. */
#ifndef NS_SIGN_H
#define NS_SIGN_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define NS_KEY_SIZE 32
#define NS_SIG_SIZE 64

struct ns_pubkey {
	uint8_t key[NS_KEY_SIZE];
};

/* A signing key in libsodium's form (seed || public key). Wipe it when done. */
struct ns_seckey {
	uint8_t sk[64];
	struct ns_pubkey pub;
};

/* Refuses encodings that are not canonical, off the curve, of small order or outside
 * the prime-order subgroup: no honest key is any of those, and a small-order key would
 * accept signatures over any message. */
int ns_pubkey_from_bytes(const uint8_t *b, size_t len, struct ns_pubkey *k, struct ns_err *err);
/* Exactly 32 bytes. */
int ns_pubkey_load(const char *path, struct ns_pubkey *k, struct ns_err *err);
int ns_seckey_from_seed(const uint8_t seed[NS_KEY_SIZE], struct ns_seckey *k, struct ns_err *err);
/* Exactly 32 bytes (the seed). */
int ns_seckey_load(const char *path, struct ns_seckey *k, struct ns_err *err);
void ns_seckey_wipe(struct ns_seckey *k);

/* Creates DIR/NAME.key (mode 0600) and DIR/NAME.pub (0644) from a fresh random seed.
 * Fails without touching anything if either exists; never leaves one without the
 * other. NAME must be a plain file name. */
int ns_keypair_generate(const char *dir, const char *name, struct ns_err *err);

void ns_sign(const struct ns_seckey *k, const void *msg, size_t len, uint8_t sig[NS_SIG_SIZE]);
/* Strict verification: besides the equation, a non-canonical S and small-order R or
 * public key are refused (libsodium's default, as ed25519-dalek's verify_strict). */
int ns_verify(const struct ns_pubkey *k, const void *msg, size_t len,
	      const uint8_t sig[NS_SIG_SIZE], struct ns_err *err);

#endif
