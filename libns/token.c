#include "token.h"

#include <errno.h>
#include <mbedtls/constant_time.h>
#include <mbedtls/md.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#define MAC_LEN 32

bool ns_console_identity_reserved(const char *name)
{
	return name && !strcasecmp(name, NS_CONSOLE_IDENTITY_EXTERN);
}

struct ns_token_party ns_token_party_named(const char *name)
{
	struct ns_token_party p = {NS_TOKEN_CONTAINER, name};
	if (name && !strcmp(name, NS_CONSOLE_IDENTITY_EXTERN))
		p.kind = NS_TOKEN_CONSOLE;
	return p;
}

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

/* HMAC(K, a || b): b may be NULL when blen is 0. */
static int hmac2(const struct ns_token_key *key, const void *a, size_t alen, const void *b,
		 size_t blen, uint8_t out[MAC_LEN])
{
	const mbedtls_md_info_t *md = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
	mbedtls_md_context_t ctx;
	int r = -EIO;
	if (!md)
		return -EIO;
	mbedtls_md_init(&ctx);
	if (mbedtls_md_setup(&ctx, md, 1) == 0 &&
	    mbedtls_md_hmac_starts(&ctx, key->bytes, sizeof(key->bytes)) == 0 &&
	    mbedtls_md_hmac_update(&ctx, a, alen) == 0 &&
	    (!blen || mbedtls_md_hmac_update(&ctx, b, blen) == 0) &&
	    mbedtls_md_hmac_finish(&ctx, out) == 0)
		r = 0;
	mbedtls_md_free(&ctx);
	return r;
}

/* HMAC(K, "container:NAME") or HMAC(K, "console:NAME"): the prefixes differ before any
 * name byte, so no name of one kind hashes as a name of the other. */
static int party_mac(const struct ns_token_key *key, const struct ns_token_party *p,
		     uint8_t out[MAC_LEN])
{
	const char *prefix = p->kind == NS_TOKEN_CONSOLE ? "console:" : "container:";
	return hmac2(key, prefix, strlen(prefix), p->name, strlen(p->name), out);
}

/* t * 1000 as 16 bytes big-endian. t is at most now_ms / 1000 (both at create and,
 * past the Future check, at verify), so the product fits in 64 bits and the upper half
 * is zero: no 128-bit type (armhf has none). */
static void ms_be128(uint64_t t, uint8_t out[16])
{
	uint64_t ms = t * 1000;
	memset(out, 0, 8);
	for (int i = 15; i >= 8; i--, ms >>= 8)
		out[i] = (uint8_t)ms;
}

/* HMAC(K, u128_be(t * 1000) || HMAC(K, user) || HMAC(K, target) || HMAC(K, shared)) */
static int token_mac(const struct ns_token_key *key, uint64_t t, const struct ns_token_party *user,
		     const struct ns_token_party *target, const uint8_t *shared, size_t shared_len,
		     uint8_t out[MAC_LEN])
{
	uint8_t msg[16 + 3 * MAC_LEN];
	ms_be128(t, msg);
	if (party_mac(key, user, msg + 16) < 0 || party_mac(key, target, msg + 16 + MAC_LEN) < 0 ||
	    hmac2(key, shared, shared_len, NULL, 0, msg + 16 + 2 * MAC_LEN) < 0)
		return -EIO;
	return hmac2(key, msg, sizeof(msg), NULL, 0, out);
}

static bool party_ok(const struct ns_token_party *p)
{
	return p && p->name && (p->kind == NS_TOKEN_CONTAINER || p->kind == NS_TOKEN_CONSOLE);
}

int ns_token_create(const struct ns_token_key *key, uint64_t now_ms,
		    const struct ns_token_party *user, const struct ns_token_party *target,
		    const uint8_t *shared, size_t shared_len, uint8_t token[NS_TOKEN_LEN],
		    struct ns_err *err)
{
	uint64_t t = now_ms / 1000;
	if (!party_ok(user) || !party_ok(target) || (shared_len && !shared))
		return ns_err_set(err, EINVAL, "token: user, target and shared are required");
	for (int i = 7; i >= 0; i--)
		token[7 - i] = (uint8_t)(t >> (8 * i));
	if (token_mac(key, t, user, target, shared, shared_len, token + 8) < 0)
		return ns_err_set(err, EIO, "token: HMAC-SHA256 failed");
	return 0;
}

enum ns_verification ns_token_verify(const struct ns_token_key *key, uint64_t now_ms,
				     uint64_t validity_ms, const uint8_t token[NS_TOKEN_LEN],
				     const struct ns_token_party *user,
				     const struct ns_token_party *target, const uint8_t *shared,
				     size_t shared_len)
{
	uint64_t t = 0;
	uint8_t mac[MAC_LEN];
	for (int i = 0; i < 8; i++)
		t = t << 8 | token[i];
	if (t > now_ms / 1000) /* t * 1000 > now_ms, without overflow */
		return NS_VERIFY_FUTURE;
	uint64_t made_ms = t * 1000; /* t <= now_ms / 1000: no overflow */
	if (now_ms - made_ms > validity_ms)
		return NS_VERIFY_EXPIRED;
	if (!party_ok(user) || !party_ok(target) || (shared_len && !shared) ||
	    token_mac(key, t, user, target, shared, shared_len, mac) < 0)
		return NS_VERIFY_INVALID;
	return mbedtls_ct_memcmp(mac, token + 8, MAC_LEN) == 0 ? NS_VERIFY_OK : NS_VERIFY_INVALID;
}
