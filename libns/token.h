/* Console tokens (spec §6): 40 bytes that tie a user, a target and a shared value to the
 * moment they were made, under a key that lives as long as one runtime process:
 *
 *   token = u64_be(t) || HMAC-SHA256(K, u128_be(t * 1000) || HMAC(K, user) ||
 *                                       HMAC(K, target) || HMAC(K, shared))
 *
 * t is whole seconds since the runtime's monotonic start. Times are passed in as
 * milliseconds since that start, so tests control them. */
#ifndef NS_TOKEN_H
#define NS_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define NS_TOKEN_LEN		     40
#define NS_TOKEN_KEY_LEN	     32
#define NS_TOKEN_VALIDITY_MS_DEFAULT 60000

enum ns_verification { NS_VERIFY_OK, NS_VERIFY_INVALID, NS_VERIFY_EXPIRED, NS_VERIFY_FUTURE };

struct ns_token_key {
	uint8_t bytes[NS_TOKEN_KEY_LEN];
};

/* Fills key with random bytes from the kernel (getrandom). */
int ns_token_key_init(struct ns_token_key *key, struct ns_err *err);

/* A token made at now_ms by user for target over shared (any bytes, may be empty). */
int ns_token_create(const struct ns_token_key *key, uint64_t now_ms, const char *user,
		    const char *target, const uint8_t *shared, size_t shared_len,
		    uint8_t token[NS_TOKEN_LEN], struct ns_err *err);

/* In this order: Future when the token's time is after now; Expired when more than
 * validity_ms have passed since it; Ok when the MAC matches (compared in constant time);
 * otherwise Invalid. */
enum ns_verification ns_token_verify(const struct ns_token_key *key, uint64_t now_ms,
				     uint64_t validity_ms, const uint8_t token[NS_TOKEN_LEN],
				     const char *user, const char *target, const uint8_t *shared,
				     size_t shared_len);

#endif
