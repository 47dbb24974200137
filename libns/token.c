#include "token.h"

#include <errno.h>
#include <mbedtls/constant_time.h>
#include <mbedtls/md.h>
#include <string.h>
#include <sys/random.h>

#define MAC_LEN 32

int ns_token_key_init(struct ns_token_key *key, struct ns_err *err)
{
	size_t got = 0;
	while (got < sizeof(key->bytes)) {
		ssize_t n = getrandom(key->bytes + got, sizeof(key->bytes) - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return ns_err_sys(err, errno, "getrandom for the token key");
		got += (size_t)n;
	}
	return 0;
}

static int hmac(const struct ns_token_key *key, const void *data, size_t len, uint8_t out[MAC_LEN])
{
	const mbedtls_md_info_t *md = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
	if (!md || mbedtls_md_hmac(md, key->bytes, sizeof(key->bytes), data, len, out) != 0)
		return -EIO;
	return 0;
}

/* HMAC(K, u128_be(t * 1000) || HMAC(K, user) || HMAC(K, target) || HMAC(K, shared)) */
static int token_mac(const struct ns_token_key *key, uint64_t t, const char *user,
		     const char *target, const uint8_t *shared, size_t shared_len,
		     uint8_t out[MAC_LEN])
{
	uint8_t msg[16 + 3 * MAC_LEN];
	unsigned __int128 ms = (unsigned __int128)t * 1000;
	for (int i = 15; i >= 0; i--, ms >>= 8)
		msg[i] = (uint8_t)ms;
	if (hmac(key, user, strlen(user), msg + 16) < 0 ||
	    hmac(key, target, strlen(target), msg + 16 + MAC_LEN) < 0 ||
	    hmac(key, shared, shared_len, msg + 16 + 2 * MAC_LEN) < 0)
		return -EIO;
	return hmac(key, msg, sizeof(msg), out);
}

int ns_token_create(const struct ns_token_key *key, uint64_t now_ms, const char *user,
		    const char *target, const uint8_t *shared, size_t shared_len,
		    uint8_t token[NS_TOKEN_LEN], struct ns_err *err)
{
	uint64_t t = now_ms / 1000;
	if (!user || !target || (shared_len && !shared))
		return ns_err_set(err, EINVAL, "token: user, target and shared are required");
	for (int i = 7; i >= 0; i--)
		token[7 - i] = (uint8_t)(t >> (8 * i));
	if (token_mac(key, t, user, target, shared, shared_len, token + 8) < 0)
		return ns_err_set(err, EIO, "token: HMAC-SHA256 failed");
	return 0;
}

enum ns_verification ns_token_verify(const struct ns_token_key *key, uint64_t now_ms,
				     uint64_t validity_ms, const uint8_t token[NS_TOKEN_LEN],
				     const char *user, const char *target, const uint8_t *shared,
				     size_t shared_len)
{
	uint64_t t = 0;
	uint8_t mac[MAC_LEN];
	for (int i = 0; i < 8; i++)
		t = t << 8 | token[i];
	unsigned __int128 made_ms = (unsigned __int128)t * 1000;
	if (made_ms > now_ms)
		return NS_VERIFY_FUTURE;
	if (now_ms - (uint64_t)made_ms > validity_ms)
		return NS_VERIFY_EXPIRED;
	if (!user || !target || (shared_len && !shared) ||
	    token_mac(key, t, user, target, shared, shared_len, mac) < 0)
		return NS_VERIFY_INVALID;
	return mbedtls_ct_memcmp(mac, token + 8, MAC_LEN) == 0 ? NS_VERIFY_OK : NS_VERIFY_INVALID;
}
