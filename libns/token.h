/* Console tokens (spec §6): 40 bytes that tie a user, a target and a shared value to the
 * moment they were made, under a key that lives as long as one runtime process:
 *
 *   token = u64_be(t) || HMAC-SHA256(K, u128_be(t * 1000) || HMAC(K, party(user)) ||
 *                                       HMAC(K, party(target)) || HMAC(K, shared))
 *
 * t is whole seconds since the runtime's monotonic start. Times are passed in as
 * milliseconds since that start, so tests control them.
 *
 * A party is a container (by its name) or one of the runtime's own consoles (the global
 * console, "extern"), and party() is "container:NAME" or "console:NAME": the two kinds
 * live in separate name spaces, so a token of a container that happens to carry a
 * console's name never verifies as that console's, nor the reverse. Northstar hashes
 * the bare name; tokens are opaque to clients (spec §6), so the wire is unchanged. */
#ifndef NS_TOKEN_H
#define NS_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define NS_TOKEN_LEN		     40
#define NS_TOKEN_KEY_LEN	     32
#define NS_TOKEN_VALIDITY_MS_DEFAULT 60000

/* The global console's identity: ident answers "extern:0.0.0", tokens name it "extern". */
#define NS_CONSOLE_IDENTITY_EXTERN "extern"

enum ns_verification { NS_VERIFY_OK, NS_VERIFY_INVALID, NS_VERIFY_EXPIRED, NS_VERIFY_FUTURE };

enum ns_token_party_kind { NS_TOKEN_CONTAINER, NS_TOKEN_CONSOLE };
struct ns_token_party {
	enum ns_token_party_kind kind;
	const char *name;
};

struct ns_token_key {
	uint8_t bytes[NS_TOKEN_KEY_LEN];
};

/* True for a name a console of the runtime goes by ("extern"), compared without regard
 * to case: no container may be named so (install and start-up refuse it), so a name on
 * the wire never means both. */
bool ns_console_identity_reserved(const char *name);

/* The party a name on the wire (token_create's target, token_verify's user) means: the
 * console of that exact name, else the container of that name. */
struct ns_token_party ns_token_party_named(const char *name);

/* Fills key with random bytes from the kernel (getrandom). */
int ns_token_key_init(struct ns_token_key *key, struct ns_err *err);

/* A token made at now_ms by user for target over shared (any bytes, may be empty). */
int ns_token_create(const struct ns_token_key *key, uint64_t now_ms,
		    const struct ns_token_party *user, const struct ns_token_party *target,
		    const uint8_t *shared, size_t shared_len, uint8_t token[NS_TOKEN_LEN],
		    struct ns_err *err);

/* In this order: Future when the token's time is after now; Expired when more than
 * validity_ms have passed since it; Ok when the MAC matches (compared in constant time);
 * otherwise Invalid. */
enum ns_verification ns_token_verify(const struct ns_token_key *key, uint64_t now_ms,
				     uint64_t validity_ms, const uint8_t token[NS_TOKEN_LEN],
				     const struct ns_token_party *user,
				     const struct ns_token_party *target, const uint8_t *shared,
				     size_t shared_len);

#endif
